/* test_sha256.c — SHA-256 (sha256.c) against the FIPS 180-4 examples and
 * padding boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/sha256.h"

static void assert_hex(const char *data, const char *want)
{
    char got[65];
    sha256_hex(data, strlen(data), got);
    assert_string_equal(got, want);
}

static void digest_to_hex(const unsigned char md[32], char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void test_empty(void **state)
{
    (void)state;
    assert_hex("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_abc(void **state)
{
    (void)state;
    assert_hex("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* 448 bits: the padding needs a second block. */
static void test_two_blocks(void **state)
{
    (void)state;
    assert_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896_bits(void **state)
{
    (void)state;
    assert_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
               "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
               "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* One million 'a', fed in chunks of varying sizes that straddle blocks. */
static void test_million_a_in_uneven_chunks(void **state)
{
    (void)state;
    static const size_t chunk_sizes[] = {1, 63, 64, 65, 7, 200, 3, 1000, 129, 0, 4096};
    static unsigned char as[4096];
    memset(as, 'a', sizeof as);
    sha256_t c;
    sha256_init(&c);
    size_t left = 1000000;
    for (size_t i = 0; left > 0; i++) {
        size_t n = chunk_sizes[i % (sizeof chunk_sizes / sizeof chunk_sizes[0])];
        if (n > left)
            n = left;
        sha256_update(&c, as, n);
        left -= n;
    }
    unsigned char md[32];
    char hex[65];
    sha256_final(&c, md);
    digest_to_hex(md, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the 55/56-byte padding boundary and whole blocks, with
 * digests from an independent implementation; bytes are i % 251. */
static void test_padding_boundaries(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        const char *hex;
    } cases[] = {
        {55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"},
        {56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"},
        {57, "2fe741af801cc238602ac0ec6a7b0c3a8a87c7fc7d7f02a3fe03d1c12eac4d8f"},
        {63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"},
        {64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"},
        {65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"},
        {119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"},
        {120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"},
        {128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5"},
    };
    unsigned char data[128];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i % 251);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char hex[65];
        sha256_hex(data, cases[i].len, hex);
        assert_string_equal(hex, cases[i].hex);
    }
}

/* Feeding byte by byte gives the same digest as one call, for every length
 * up to three blocks. */
static void test_incremental_matches_one_shot(void **state)
{
    (void)state;
    unsigned char data[200];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof data; len++) {
        char one_shot[65], bytewise[65];
        unsigned char md[32];
        sha256_hex(data, len, one_shot);
        sha256_t c;
        sha256_init(&c);
        for (size_t i = 0; i < len; i++)
            sha256_update(&c, data + i, 1);
        sha256_final(&c, md);
        digest_to_hex(md, bytewise);
        assert_string_equal(bytewise, one_shot);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_abc),
        cmocka_unit_test(test_two_blocks),
        cmocka_unit_test(test_896_bits),
        cmocka_unit_test(test_million_a_in_uneven_chunks),
        cmocka_unit_test(test_padding_boundaries),
        cmocka_unit_test(test_incremental_matches_one_shot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

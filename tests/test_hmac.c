/* test_hmac.c — HMAC-SHA256 (hmac.c) against the test vectors of RFC 4231
 * (cases 1-4, 6 and 7; case 5 is about truncated output, which vane does
 * not use). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/hmac.h"

static void check(const unsigned char *key, size_t keylen, const char *data, size_t len,
                  const char *want)
{
    char got[65];
    hmac_sha256_hex(key, keylen, data, len, got);
    assert_string_equal(got, want);
}

static void case_1_short_key(void **state)
{
    (void)state;
    unsigned char key[20];
    memset(key, 0x0b, sizeof key);
    check(key, sizeof key, "Hi There", 8,
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

static void case_2_key_shorter_than_output(void **state)
{
    (void)state;
    const char *d = "what do ya want for nothing?";
    check((const unsigned char *)"Jefe", 4, d, strlen(d),
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void case_3_combined_length_over_block(void **state)
{
    (void)state;
    unsigned char key[20];
    char data[50];
    memset(key, 0xaa, sizeof key);
    memset(data, 0xdd, sizeof data);
    check(key, sizeof key, data, sizeof data,
          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

static void case_4_counting_key(void **state)
{
    (void)state;
    unsigned char key[25];
    char data[50];
    for (int i = 0; i < 25; i++)
        key[i] = (unsigned char)(i + 1);
    memset(data, 0xcd, sizeof data);
    check(key, sizeof key, data, sizeof data,
          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

static void case_6_key_larger_than_block(void **state)
{
    (void)state;
    unsigned char key[131];
    memset(key, 0xaa, sizeof key);
    const char *d = "Test Using Larger Than Block-Size Key - Hash Key First";
    check(key, sizeof key, d, strlen(d),
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void case_7_key_and_data_larger_than_block(void **state)
{
    (void)state;
    unsigned char key[131];
    memset(key, 0xaa, sizeof key);
    const char *d = "This is a test using a larger than block-size key and a larger than "
                    "block-size data. The key needs to be hashed before being used by the "
                    "HMAC algorithm.";
    check(key, sizeof key, d, strlen(d),
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

/* The raw and the hex forms agree. */
static void raw_matches_hex(void **state)
{
    (void)state;
    unsigned char md[32];
    char hex[65], again[65];
    hmac_sha256("k", 1, "body", 4, md);
    hmac_sha256_hex("k", 1, "body", 4, hex);
    for (int i = 0; i < 32; i++) {
        static const char digits[] = "0123456789abcdef";
        again[2 * i] = digits[md[i] >> 4];
        again[2 * i + 1] = digits[md[i] & 15];
    }
    again[64] = '\0';
    assert_string_equal(hex, again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(case_1_short_key),
        cmocka_unit_test(case_2_key_shorter_than_output),
        cmocka_unit_test(case_3_combined_length_over_block),
        cmocka_unit_test(case_4_counting_key),
        cmocka_unit_test(case_6_key_larger_than_block),
        cmocka_unit_test(case_7_key_and_data_larger_than_block),
        cmocka_unit_test(raw_matches_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

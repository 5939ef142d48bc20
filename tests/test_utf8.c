/* test_utf8.c — the UTF-8 policy of util/utf8.h, case by case: what is
 * well-formed, what NUL is under each setting, and how long each maximal
 * ill-formed subpart is (one U+FFFD each), with Unicode's own examples. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/buf.h"
#include "util/utf8.h"

#define FFFD "\xEF\xBF\xBD"

/* Repair in (len bytes) and compare with want; returns the replacements. */
static long repair_expect(const char *in, size_t len, utf8_nul_t nul, const char *want,
                          size_t want_len)
{
    buf_t out = {0};
    long n = utf8_repair(in, len, nul, &out, NULL);
    if (out.len != want_len || (want_len && memcmp(out.p, want, want_len) != 0))
        fail_msg("got %zu bytes \"%.*s\", want %zu \"%.*s\"", out.len, (int)out.len,
                 out.p ? out.p : "", want_len, (int)want_len, want);
    buf_free(&out);
    return n;
}

#define REPAIR(in, want) repair_expect(in, sizeof in - 1, UTF8_NUL_OK, want, sizeof want - 1)

/* The length utf8_seq gives the sequence at the start of lit, and *bad. */
#define SEQ(lit, bad) utf8_seq(lit, sizeof lit - 1, UTF8_NUL_OK, bad)

/* The sequence at the start of s is ill-formed, its maximal subpart want bytes. */
static void subpart_expect(const char *s, size_t n, size_t want)
{
    size_t bad = 0;
    assert_int_equal(utf8_seq(s, n, UTF8_NUL_OK, &bad), 0);
    assert_int_equal(bad, want);
}

#define SUBPART(lit, want) subpart_expect(lit, sizeof lit - 1, want)

static void well_formed_sequences_of_each_length(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_int_equal(SEQ("a", &bad), 1);
    assert_int_equal(SEQ("\xC2\x80", &bad), 2);            /* U+0080 */
    assert_int_equal(SEQ("\xDF\xBF", &bad), 2);            /* U+07FF */
    assert_int_equal(SEQ("\xE0\xA0\x80", &bad), 3);        /* U+0800 */
    assert_int_equal(SEQ("\xED\x9F\xBF", &bad), 3);        /* U+D7FF */
    assert_int_equal(SEQ("\xEE\x80\x80", &bad), 3);        /* U+E000 */
    assert_int_equal(SEQ("\xEF\xBF\xBF", &bad), 3);        /* U+FFFF */
    assert_int_equal(SEQ("\xF0\x90\x80\x80", &bad), 4);    /* U+10000 */
    assert_int_equal(SEQ("\xF4\x8F\xBF\xBF", &bad), 4);    /* U+10FFFF */
    assert_int_equal(bad, 99);
    const char text[] = "caf\xC3\xA9 \xE7\x8E\x8B \xF0\x9F\x98\x80 and more ascii text";
    assert_int_equal(utf8_valid(text, sizeof text - 1, UTF8_NUL_OK, NULL), sizeof text - 1);
}

static void overlong_forms_are_ill_formed(void **state)
{
    (void)state;
    SUBPART("\xC0\x80", 1);
    SUBPART("\xC1\xBF", 1);
    SUBPART("\xE0\x80\x80", 1);
    SUBPART("\xF0\x80\x80\x80", 1);
    assert_int_equal(REPAIR("\xC0\x80", FFFD FFFD), 2);
    assert_int_equal(REPAIR("\xE0\x80\x80", FFFD FFFD FFFD), 3);
    assert_int_equal(REPAIR("\xF0\x80\x80\x80", FFFD FFFD FFFD FFFD), 4);
}

static void surrogates_are_ill_formed(void **state)
{
    (void)state;
    SUBPART("\xED\xA0\x80", 1);
    assert_int_equal(REPAIR("\xED\xA0\x80", FFFD FFFD FFFD), 3);
    assert_int_equal(REPAIR("\xED\xBF\xBF", FFFD FFFD FFFD), 3);
}

static void nothing_past_u10ffff(void **state)
{
    (void)state;
    SUBPART("\xF4\x90\x80\x80", 1);
    assert_int_equal(REPAIR("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD), 4);
    for (int c = 0xF5; c <= 0xFF; c++) {
        char s[2] = {(char)c, (char)0x80};
        subpart_expect(s, 2, 1);
    }
    assert_int_equal(REPAIR("\xF5\xFF", FFFD FFFD), 2);
}

static void truncated_sequences_at_the_end_are_one_subpart(void **state)
{
    (void)state;
    SUBPART("\xE4\xB8", 2);
    SUBPART("\xF0\x9F\x98", 3);
    SUBPART("\xC3", 1);
    assert_int_equal(REPAIR("ab\xE4\xB8", "ab" FFFD), 1);
    assert_int_equal(REPAIR("\xF0\x9F\x98", FFFD), 1);
    assert_int_equal(REPAIR("x\xF0\x9F\x98y", "x" FFFD "y"), 1);
}

static void lone_continuation_bytes_are_one_each(void **state)
{
    (void)state;
    assert_int_equal(REPAIR("\x80\xBF", FFFD FFFD), 2);
    assert_int_equal(REPAIR("\xC3\xA9\xA9", "\xC3\xA9" FFFD), 1);
}

static void nul_is_well_formed_unless_the_caller_says_otherwise(void **state)
{
    (void)state;
    size_t bad = 0;
    assert_int_equal(utf8_seq("\0", 1, UTF8_NUL_OK, &bad), 1);
    assert_int_equal(utf8_seq("\0", 1, UTF8_NUL_BAD, &bad), 0);
    assert_int_equal(bad, 1);
    const char text[] = "abcdefgh\0ijklmnop";
    size_t n = sizeof text - 1;
    assert_int_equal(utf8_valid(text, n, UTF8_NUL_OK, NULL), n);
    bad = 0;
    assert_int_equal(utf8_valid(text, n, UTF8_NUL_BAD, &bad), 8);
    assert_int_equal(bad, 1);
    assert_int_equal(repair_expect(text, n, UTF8_NUL_OK, text, n), 0);
    assert_int_equal(repair_expect(text, n, UTF8_NUL_BAD, "abcdefgh" FFFD "ijklmnop",
                                   sizeof "abcdefgh" FFFD "ijklmnop" - 1),
                     1);
}

/* Unicode 15, section 3.9, table 3-8 and the examples beside it. */
static void unicode_maximal_subpart_examples(void **state)
{
    (void)state;
    assert_int_equal(REPAIR("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
                            "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d"),
                     6);
    assert_int_equal(REPAIR("\x61\xC0\xAF\x62", "a" FFFD FFFD "b"), 2);
    assert_int_equal(REPAIR("\x61\xE0\x80\xAF\x62", "a" FFFD FFFD FFFD "b"), 3);
    assert_int_equal(REPAIR("\x61\xED\xA0\x80\x62", "a" FFFD FFFD FFFD "b"), 3);
    assert_int_equal(REPAIR("\x61\xF4\x91\x92\x93\xFF\x41\x80\xBF\x42",
                            "a" FFFD FFFD FFFD FFFD FFFD "A" FFFD FFFD "B"),
                     7);
    assert_int_equal(REPAIR("\x61\xE1\x80\xE2\xF0\x91\x92\xF1\xBF\x41",
                            "a" FFFD FFFD FFFD FFFD "A"),
                     4);
}

static void repair_counts_bytes_and_leaves_valid_text_alone(void **state)
{
    (void)state;
    buf_t out = {0};
    size_t bytes = 0;
    assert_int_equal(utf8_repair("\xE4\xB8 \xFF x", 6, UTF8_NUL_OK, &out, &bytes), 2);
    assert_int_equal(bytes, 3);
    assert_string_equal(buf_str(&out), FFFD " " FFFD " x");
    buf_free(&out);
    assert_int_equal(REPAIR("", ""), 0);
    assert_int_equal(REPAIR("plain \xE2\x80\x99text\xE2\x80\x99", "plain \xE2\x80\x99text\xE2\x80\x99"),
                     0);
}

static void step_moves_a_character_or_a_bad_subpart(void **state)
{
    (void)state;
    /* "a", "é", "’", U+1F600, then "\xE4\xB8" cut before "x", a lone
     * continuation byte, NUL, and a lead byte at the very end */
    const char s[] = "a\xC3\xA9\xE2\x80\x99\xF0\x9F\x98\x80\xE4\xB8x\x80\0\xE4";
    size_t len = sizeof s - 1, want[] = {1, 2, 3, 4, 2, 1, 1, 1, 1}, k = 0;
    for (size_t i = 0; i < len; k++) {
        assert_true(k < sizeof want / sizeof want[0]);
        assert_int_equal(utf8_step(s + i, len - i), want[k]);
        i += want[k];
    }
    assert_int_equal(k, sizeof want / sizeof want[0]);
}

static void put_writes_scalar_values_and_replaces_the_rest(void **state)
{
    (void)state;
    char out[4];
    assert_int_equal(utf8_put(0x41, out), 1);
    assert_memory_equal(out, "A", 1);
    assert_int_equal(utf8_put(0xE9, out), 2);
    assert_memory_equal(out, "\xC3\xA9", 2);
    assert_int_equal(utf8_put(0x2019, out), 3);
    assert_memory_equal(out, "\xE2\x80\x99", 3);
    assert_int_equal(utf8_put(0x10FFFF, out), 4);
    assert_memory_equal(out, "\xF4\x8F\xBF\xBF", 4);
    unsigned long bad[] = {0, 0xD800, 0xDFFF, 0x110000};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(utf8_put(bad[i], out), 3);
        assert_memory_equal(out, FFFD, 3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(well_formed_sequences_of_each_length),
        cmocka_unit_test(overlong_forms_are_ill_formed),
        cmocka_unit_test(surrogates_are_ill_formed),
        cmocka_unit_test(nothing_past_u10ffff),
        cmocka_unit_test(truncated_sequences_at_the_end_are_one_subpart),
        cmocka_unit_test(lone_continuation_bytes_are_one_each),
        cmocka_unit_test(nul_is_well_formed_unless_the_caller_says_otherwise),
        cmocka_unit_test(unicode_maximal_subpart_examples),
        cmocka_unit_test(repair_counts_bytes_and_leaves_valid_text_alone),
        cmocka_unit_test(step_moves_a_character_or_a_bad_subpart),
        cmocka_unit_test(put_writes_scalar_values_and_replaces_the_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

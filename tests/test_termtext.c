/* test_termtext.c — text made safe for a terminal (util/termtext.c): the
 * escapes of controls, C1 and ill-formed bytes, and text kept as it is. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/termtext.h"

static const char *escaped(const char *s, size_t n)
{
    static buf_t b;
    buf_reset(&b);
    assert_int_equal(termtext_put(&b, s, n), 0);
    return buf_str(&b);
}

#define ESC(lit) escaped(lit, sizeof lit - 1)

static void terminal_sequences_and_newlines_are_escaped(void **state)
{
    (void)state;
    assert_string_equal(ESC("a\x1b]0;pwned\x07\x1b[2Jb\nc"), "a\\x1b]0;pwned\\x07\\x1b[2Jb\\nc");
    assert_string_equal(ESC("t\tr\r\x7f"), "t\\tr\\r\\x7f");
    assert_string_equal(ESC("nul\0x"), "nul\\x00x");
    assert_null(strchr(ESC("one\ntwo\rthree"), '\n'));
}

static void c1_controls_and_ill_formed_bytes_are_escaped(void **state)
{
    (void)state;
    /* U+009B is CSI in 8-bit terminals; U+0085 is NEL */
    assert_string_equal(ESC("x\xc2\x9b" "2Jy\xc2\x85"), "x\\u009b2Jy\\u0085");
    assert_string_equal(ESC("a\xff\x9b" "b"), "a\\xff\\x9bb");
    assert_string_equal(ESC("cut\xe4\xb8"), "cut\\xe4\\xb8");
}

static void printable_text_is_kept_whole(void **state)
{
    (void)state;
    const char *s = "Release of three detained citizens \xe2\x80\x94 caf\xc3\xa9 \xc2\xa0 \\n \xf0\x9f\x98\x80";
    assert_string_equal(escaped(s, strlen(s)), s);
}

static void lines_keep_newlines_and_tabs_but_escape_the_rest(void **state)
{
    (void)state;
    buf_t b = {0};
    const char *s = "boom\x1b[2J\nstack traceback:\n\t[C]: in ?\r";
    assert_int_equal(termtext_put_lines(&b, s, strlen(s)), 0);
    assert_string_equal(buf_str(&b), "boom\\x1b[2J\nstack traceback:\n\t[C]: in ?\\r");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(terminal_sequences_and_newlines_are_escaped),
        cmocka_unit_test(c1_controls_and_ill_formed_bytes_are_escaped),
        cmocka_unit_test(printable_text_is_kept_whole),
        cmocka_unit_test(lines_keep_newlines_and_tabs_but_escape_the_rest),
    };
    return cmocka_run_group_tests_name("termtext", tests, NULL, NULL);
}

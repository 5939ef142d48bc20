/* test_context.c — what a flag carries: the word-level diff of long texts
 * (util/worddiff), the changes array built from an event's diff
 * (alert/context), and reading it back for the formats (channel/changes). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/context.h"
#include "channel/changes.h"
#include "util/json.h"
#include "util/worddiff.h"

static void assert_diff(const char *a, const char *b, const char *want)
{
    worddiff_t d;
    assert_int_equal(worddiff(a, b, &d), 0);
    buf_t got = {0};
    for (size_t i = 0; i < d.n; i++)
        buf_printf(&got, "%s%c%s", i ? "|" : "", d.segs[i].op, d.segs[i].text);
    assert_string_equal(buf_str(&got), want);
    /* kept and removed give a back, kept and added give b */
    buf_t old = {0}, new = {0};
    for (size_t i = 0; i < d.n; i++) {
        if (d.segs[i].op != '+')
            buf_puts(&old, d.segs[i].text);
        if (d.segs[i].op != '-')
            buf_puts(&new, d.segs[i].text);
    }
    assert_string_equal(buf_str(&old), a);
    assert_string_equal(buf_str(&new), b);
    buf_free(&got);
    buf_free(&old);
    buf_free(&new);
    worddiff_free(&d);
}

static void words_removed_added_kept(void **state)
{
    (void)state;
    assert_diff("the level was raised today", "the level was lowered today",
                "=the level was |-raised |+lowered |=today");
    assert_diff("a b c", "a b c", "=a b c");
    assert_diff("", "new text", "+new text");
    assert_diff("old text", "", "-old text");
    assert_diff("x a y b z", "x y z", "=x |-a |=y |-b |=z");
    /* a word is compared with the spaces after it */
    assert_diff("  lead", "  lead more", "=  |-lead|+lead more");
}

static void a_long_kept_run_is_shortened_to_its_ends(void **state)
{
    (void)state;
    const char *a = "one two three four five six seven eight nine ten eleven twelve OLD "
                    "m1 m2 m3 m4 m5 m6 m7 m8 m9 m10 m11 m12 m13 m14 m15 m16 m17 m18 GONE "
                    "t1 t2 t3 t4 t5 t6 t7 t8 t9 t10";
    const char *b = "one two three four five six seven eight nine ten eleven twelve NEW "
                    "m1 m2 m3 m4 m5 m6 m7 m8 m9 m10 m11 m12 m13 m14 m15 m16 m17 m18 "
                    "t1 t2 t3 t4 t5 t6 t7 t8 t9 t10";
    worddiff_t d;
    assert_int_equal(worddiff(a, b, &d), 0);
    assert_int_equal(worddiff_shorten(&d), 0);
    assert_int_equal(d.n, 6);
    assert_string_equal(d.segs[0].text, "\xe2\x80\xa6 five six seven eight nine ten eleven twelve ");
    assert_string_equal(d.segs[1].text, "OLD ");
    assert_string_equal(d.segs[2].text, "NEW ");
    assert_string_equal(d.segs[3].text,
                        "m1 m2 m3 m4 m5 m6 m7 m8 \xe2\x80\xa6 m11 m12 m13 m14 m15 m16 m17 m18 ");
    assert_string_equal(d.segs[4].text, "GONE ");
    assert_string_equal(d.segs[5].text, "t1 t2 t3 t4 t5 t6 t7 t8 \xe2\x80\xa6");
    worddiff_free(&d);
}

static void a_huge_middle_is_one_removal_and_one_addition(void **state)
{
    (void)state;
    buf_t a = {0}, b = {0};
    buf_puts(&a, "start ");
    buf_puts(&b, "start ");
    for (int i = 0; i < 3000; i++) {
        buf_printf(&a, "a%d ", i);
        buf_printf(&b, "b%d ", i);
    }
    buf_puts(&a, "end");
    buf_puts(&b, "end");
    worddiff_t d;
    assert_int_equal(worddiff(buf_str(&a), buf_str(&b), &d), 0);
    assert_int_equal(d.n, 4);
    assert_int_equal(d.segs[1].op, '-');
    assert_int_equal(d.segs[2].op, '+');
    worddiff_free(&d);
    buf_free(&a);
    buf_free(&b);
}

static char *changes_of(const char *diff)
{
    buf_t b = {0};
    assert_int_equal(flag_context_changes(diff, &b), 0);
    return buf_steal(&b);
}

static void short_values_go_as_they_are(void **state)
{
    (void)state;
    char *c = changes_of("{\"level\":{\"old\":3,\"new\":2},\"notations\":{\"old\":[\"D\",\"O\"],"
                         "\"new\":[\"O\"]},\"summary\":{\"old\":null,\"new\":\"a \\\"b\\\"\"}}");
    assert_string_equal(c, "[{\"field\":\"level\",\"old\":3,\"new\":2},"
                           "{\"field\":\"notations\",\"old\":[\"D\",\"O\"],\"new\":[\"O\"]},"
                           "{\"field\":\"summary\",\"new\":\"a \\\"b\\\"\"}]");
    flag_changes_t ch;
    assert_int_equal(flag_changes_read(c, &ch), 0);
    assert_int_equal(ch.n, 3);
    assert_string_equal(ch.v[0].field, "level");
    assert_string_equal(ch.v[0].old_text, "3");
    assert_string_equal(ch.v[1].new_text, "[\"O\"]");
    assert_null(ch.v[2].old_text);
    assert_string_equal(ch.v[2].new_text, "a \"b\"");
    buf_t line = {0};
    assert_int_equal(flag_changes_line(&ch, 80, &line), 0);
    assert_string_equal(buf_str(&line), "level: 3 \xe2\x86\x92 2; notations: [\"D\",\"O\"] \xe2\x86\x92 "
                                        "[\"O\"]; summary: (none) \xe2\x86\x92 a \"b\"");
    buf_free(&line);
    flag_changes_free(&ch);
    free(c);
    char *none = changes_of(NULL);
    assert_string_equal(none, "[]");
    free(none);
}

static void a_long_text_carries_its_word_diff(void **state)
{
    (void)state;
    buf_t old = {0}, new = {0}, diff = {0};
    for (int i = 0; i < 40; i++)
        buf_printf(&old, "word%d ", i);
    buf_puts(&new, buf_str(&old));
    buf_puts(&old, "raised the level. ");
    buf_puts(&new, "lowered the level. ");
    for (int i = 40; i < 80; i++) {
        buf_printf(&old, "word%d ", i);
        buf_printf(&new, "word%d ", i);
    }
    buf_puts(&diff, "{\"summary\":{\"old\":");
    json_put_string(&diff, old.p, old.len);
    buf_puts(&diff, ",\"new\":");
    json_put_string(&diff, new.p, new.len);
    buf_puts(&diff, "}}");
    char *c = changes_of(buf_str(&diff));
    flag_changes_t ch;
    assert_int_equal(flag_changes_read(c, &ch), 0);
    assert_int_equal(ch.n, 1);
    assert_int_equal(ch.v[0].n_segs, 4);
    assert_int_equal(ch.v[0].segs[1].op, '-');
    assert_string_equal(ch.v[0].segs[1].text, "raised ");
    assert_string_equal(ch.v[0].segs[2].text, "lowered ");
    assert_true(strlen(ch.v[0].old_text) < 200);
    assert_non_null(strstr(ch.v[0].old_text, "word39 raised the level. word40"));
    assert_non_null(strstr(ch.v[0].new_text, "word39 lowered the level. word40"));
    buf_t text = {0};
    assert_int_equal(flag_change_text(&ch.v[0], &text), 0);
    assert_non_null(strstr(buf_str(&text), "word39 [-raised -]{+lowered +}the level."));
    buf_free(&text);
    flag_changes_free(&ch);
    free(c);
    buf_free(&old);
    buf_free(&new);
    buf_free(&diff);
}

static void title_and_link_come_from_the_item(void **state)
{
    (void)state;
    store_event_t ev = {.source = "press", .key = "https://example.org/?p=1", .change = "new",
                        .item = "{\"link\":\"https://example.org/readout\",\"title\":\"Readout\"}"};
    flag_context_t c;
    assert_int_equal(flag_context_of_event(&ev, &c), 0);
    assert_string_equal(c.title, "Readout");
    assert_string_equal(c.link, "https://example.org/readout");
    assert_string_equal(c.changes, "[]");
    flag_context_free(&c);
    /* no http(s) link field: the key when it is one; removed: the last fields */
    store_event_t gone = {.source = "press", .key = "https://example.org/?p=2", .change = "removed",
                          .prev = "{\"link\":\"javascript:alert(1)\",\"title\":\"Old\"}"};
    assert_int_equal(flag_context_of_event(&gone, &c), 0);
    assert_string_equal(c.title, "Old");
    assert_string_equal(c.link, "https://example.org/?p=2");
    flag_context_free(&c);
    store_event_t plain = {.source = "adv", .key = "CH", .change = "changed",
                           .item = "{\"level\":2}", .diff = "{\"level\":{\"old\":3,\"new\":2}}"};
    assert_int_equal(flag_context_of_event(&plain, &c), 0);
    assert_null(c.title);
    assert_null(c.link);
    assert_string_equal(c.changes, "[{\"field\":\"level\",\"old\":3,\"new\":2}]");
    flag_context_free(&c);
}

static void malformed_changes_are_refused(void **state)
{
    (void)state;
    flag_changes_t ch;
    assert_int_equal(flag_changes_read("{\"field\":1}", &ch), -1);
    assert_int_equal(flag_changes_read("[{\"old\":1}]", &ch), -1);
    assert_int_equal(flag_changes_read("[{\"field\":\"x\",\"diff\":[[\"?\",\"y\"]]}]", &ch), -1);
    assert_int_equal(flag_changes_read("[]", &ch), 0);
    assert_int_equal(ch.n, 0);
}

static void json_strings_unescape_surrogate_pairs(void **state)
{
    (void)state;
    const char *s = "\"a\\u00e9\\ud83d\\ude00\\n\"";
    buf_t b = {0};
    assert_int_equal(json_string_text(s, strlen(s), &b), 0);
    assert_string_equal(buf_str(&b), "a\xc3\xa9\xf0\x9f\x98\x80\n");
    buf_free(&b);
    const char *arr = "[1,\"x,y\",[2,3],{\"a\":[4]}]", *cur = arr, *v;
    size_t n, count = 0;
    while (json_array_next(&cur, &v, &n) == 1)
        count++;
    assert_int_equal(count, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(words_removed_added_kept),
        cmocka_unit_test(a_long_kept_run_is_shortened_to_its_ends),
        cmocka_unit_test(a_huge_middle_is_one_removal_and_one_addition),
        cmocka_unit_test(short_values_go_as_they_are),
        cmocka_unit_test(a_long_text_carries_its_word_diff),
        cmocka_unit_test(title_and_link_come_from_the_item),
        cmocka_unit_test(malformed_changes_are_refused),
        cmocka_unit_test(json_strings_unescape_surrogate_pairs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_diff.c — item diffs by key and field diffs of canonical JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "diff/diff.h"

typedef struct seen {
    char log[4096];
} seen_t;

static int record(void *ud, diff_change_t change, const char *key, const char *fields,
                  const char *prev, const char *diff)
{
    seen_t *s = ud;
    size_t n = strlen(s->log);
    snprintf(s->log + n, sizeof s->log - n, "%s %s %s|", diff_change_name(change), key,
             diff ? diff : (fields ? "" : prev));
    return 0;
}

static store_item_t old_items[] = {
    {"a", "{\"level\":2,\"title\":\"A\"}", 0, 0},
    {"b", "{\"level\":3,\"published\":\"2024-01-01\"}", 0, 0},
    {"c", "{\"level\":1}", 0, 0},
    {"d", "{\"level\":4}", 1, 0},
};

static void changes_are_new_changed_removed_by_key(void **state)
{
    (void)state;
    diff_item_t cur[] = {
        {"e", "{\"level\":1}"},                            /* new */
        {"a", "{\"level\":3,\"title\":\"A\"}"},            /* changed */
        {"b", "{\"level\":3,\"published\":\"2024-02-02\"}"}, /* only an ignored field */
        {"d", "{\"level\":4}"},                            /* back after removal */
    };
    diff_opts_t opts = {NULL, 0, 1};
    seen_t s = {""};
    err_t e = {{0}};
    assert_int_equal(diff_items(old_items, 4, cur, 4, &opts, record, &s, &e), 0);
    assert_string_equal(s.log, "changed a {\"level\":{\"old\":2,\"new\":3}}|"
                               "quiet b |"
                               "removed c {\"level\":1}|"
                               "new d |"
                               "new e |");
}

static void without_removals_a_missing_item_is_absent_not_news(void **state)
{
    (void)state;
    diff_item_t cur[] = {{"a", "{\"level\":2,\"title\":\"A\"}"}};
    diff_opts_t opts = {NULL, 0, 0};
    seen_t s = {""};
    err_t e = {{0}};
    assert_int_equal(diff_items(old_items, 4, cur, 1, &opts, record, &s, &e), 0);
    /* d was removed before: already gone, nothing to say about it */
    assert_string_equal(s.log, "absent b {\"level\":3,\"published\":\"2024-01-01\"}|"
                               "absent c {\"level\":1}|");
}

static void an_absent_item_back_is_compared_and_missing_again_says_nothing(void **state)
{
    (void)state;
    store_item_t old[] = {
        {"a", "{\"level\":2}", 0, 1},
        {"b", "{\"level\":3}", 0, 1},
        {"c", "{\"level\":1}", 0, 1},
    };
    diff_item_t cur[] = {{"b", "{\"level\":4}"}, {"a", "{\"level\":2}"}};
    for (int removals = 0; removals <= 1; removals++) {
        diff_opts_t opts = {NULL, 0, removals};
        seen_t s = {""};
        err_t e = {{0}};
        assert_int_equal(diff_items(old, 3, cur, 2, &opts, record, &s, &e), 0);
        assert_string_equal(s.log, "quiet a |changed b {\"level\":{\"old\":3,\"new\":4}}|");
    }
}

static void ignored_fields_make_no_event(void **state)
{
    (void)state;
    const char *ignore[] = {"summary"};
    diff_opts_t opts = {ignore, 1, 0};
    buf_t out = {0};
    int changed, quiet;
    err_t e = {{0}};
    assert_int_equal(diff_fields("{\"level\":2,\"summary\":\"x\",\"updated\":\"1\"}",
                                 "{\"level\":2,\"summary\":\"y\",\"updated\":\"2\"}", &opts, &out,
                                 &changed, &quiet, &e), 0);
    assert_int_equal(changed, 0);
    assert_int_equal(quiet, 2);
    assert_string_equal(buf_str(&out), "{}");
    buf_free(&out);
}

static void a_field_added_or_dropped_shows_null_on_the_missing_side(void **state)
{
    (void)state;
    buf_t out = {0};
    int changed, quiet;
    err_t e = {{0}};
    assert_int_equal(diff_fields("{\"a\":1,\"c\":[\"D\",\"O\"]}", "{\"b\":{\"x\":1},\"c\":[\"O\"]}",
                                 NULL, &out, &changed, &quiet, &e), 0);
    assert_int_equal(changed, 3);
    assert_string_equal(buf_str(&out), "{\"a\":{\"old\":1,\"new\":null},"
                                       "\"b\":{\"old\":null,\"new\":{\"x\":1}},"
                                       "\"c\":{\"old\":[\"D\",\"O\"],\"new\":[\"O\"]}}");
    buf_free(&out);
}

/* follow is the detail page an item was completed from: a new page with
 * the same content is no news, the content it brought is. */
static void follow_is_never_a_change_by_itself(void **state)
{
    (void)state;
    buf_t out = {0};
    int changed, quiet;
    err_t e = {{0}};
    assert_int_equal(diff_fields("{\"body\":\"x\",\"follow\":\"http://a/1\"}",
                                 "{\"body\":\"y\",\"follow\":\"https://a/2\"}", NULL, &out,
                                 &changed, &quiet, &e), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(quiet, 1);
    assert_string_equal(buf_str(&out), "{\"body\":{\"old\":\"x\",\"new\":\"y\"}}");
    buf_free(&out);
}

static void malformed_stored_json_is_an_error_not_a_crash(void **state)
{
    (void)state;
    buf_t out = {0};
    int changed, quiet;
    err_t e = {{0}};
    assert_int_equal(diff_fields("{\"a\":", "{\"a\":1}", NULL, &out, &changed, &quiet, &e), -1);
    assert_non_null(strstr(e.msg, "malformed"));
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(changes_are_new_changed_removed_by_key),
        cmocka_unit_test(without_removals_a_missing_item_is_absent_not_news),
        cmocka_unit_test(an_absent_item_back_is_compared_and_missing_again_says_nothing),
        cmocka_unit_test(ignored_fields_make_no_event),
        cmocka_unit_test(a_field_added_or_dropped_shows_null_on_the_missing_side),
        cmocka_unit_test(follow_is_never_a_change_by_itself),
        cmocka_unit_test(malformed_stored_json_is_an_error_not_a_crash),
    };
    return cmocka_run_group_tests_name("diff", tests, NULL, NULL);
}

/* test_event_pack.c — a changed event's prev and diff packed (a delta and
 * the changed fields' names) read back byte for byte as diff/diff.c wrote
 * them, in memory and through a real store file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "diff/diff.h"
#include "store/event_pack.h"
#include "dbpeek.h"
#include "dbtest.h"

/* diff.c's diff of prev and item, packed, unpacked: the same text. */
static void round_trip(const char *prev, const char *item, const char *want_delta,
                       const char *want_names)
{
    static const char *const ignore[] = {"views"};
    diff_opts_t opts = {ignore, 1, 0};
    buf_t diff = {0}, delta = {0}, names = {0}, p = {0}, d = {0};
    int changed, quiet;
    err_t e = {{0}};
    assert_int_equal(diff_fields(prev, item, &opts, &diff, &changed, &quiet, &e), 0);
    assert_int_equal(event_pack(item, prev, buf_str(&diff), &delta, &names), 1);
    assert_string_equal(buf_str(&delta), want_delta);
    assert_string_equal(buf_str(&names), want_names);
    assert_true(event_is_packed(buf_str(&names)));
    assert_int_equal(event_unpack_prev(item, buf_str(&delta), &p), 0);
    assert_int_equal(event_unpack_diff(item, buf_str(&delta), buf_str(&names), &d), 0);
    assert_string_equal(buf_str(&p), prev);
    assert_string_equal(buf_str(&d), buf_str(&diff));
    buf_free(&diff), buf_free(&delta), buf_free(&names), buf_free(&p), buf_free(&d);
}

static void a_changed_field_keeps_only_its_old_value(void **state)
{
    (void)state;
    round_trip("{\"level\":2,\"title\":\"Madagascar\"}", "{\"level\":3,\"title\":\"Madagascar\"}",
               "{\"level\":[2]}", "[\"level\"]");
}

static void an_added_field_is_marked_absent_and_a_dropped_one_keeps_its_value(void **state)
{
    (void)state;
    round_trip("{\"a\":1,\"gone\":\"x\"}", "{\"a\":1,\"new\":null}",
               "{\"gone\":[\"x\"],\"new\":[]}", "[\"gone\",\"new\"]");
}

static void null_is_a_value_not_an_absence(void **state)
{
    (void)state;
    round_trip("{\"a\":null,\"b\":1}", "{\"b\":1}", "{\"a\":[null]}", "[\"a\"]");
    round_trip("{\"b\":1}", "{\"a\":null,\"b\":1}", "{\"a\":[]}", "[\"a\"]");
}

static void ignored_fields_are_in_the_delta_but_not_the_names(void **state)
{
    (void)state;
    round_trip("{\"body\":\"old\",\"published\":\"p1\",\"views\":1}",
               "{\"body\":\"new\",\"published\":\"p2\",\"views\":2}",
               "{\"body\":[\"old\"],\"published\":[\"p1\"],\"views\":[1]}", "[\"body\"]");
}

static void nested_values_and_escaped_keys_are_copied_as_text(void **state)
{
    (void)state;
    round_trip("{\"a\\\"q\":[1,{\"x\":\"]\"}],\"t\":\"\\u00e9\\\"\"}",
               "{\"a\\\"q\":[1,{\"x\":\"[\"}],\"t\":\"\\u00e9\\\"\"}",
               "{\"a\\\"q\":[[1,{\"x\":\"]\"}]]}", "[\"a\\\"q\"]");
}

static void a_removed_event_packs_to_nothing_and_has_no_diff(void **state)
{
    (void)state;
    const char *fields = "{\"a\":1,\"b\":[2]}";
    buf_t delta = {0}, names = {0}, p = {0};
    assert_int_equal(event_pack(fields, fields, NULL, &delta, &names), 1);
    assert_string_equal(buf_str(&delta), "{}");
    assert_string_equal(buf_str(&names), "[]");
    assert_true(event_is_packed(buf_str(&names)));
    assert_false(event_has_diff(buf_str(&names)));
    assert_int_equal(event_unpack_prev(fields, buf_str(&delta), &p), 0);
    assert_string_equal(buf_str(&p), fields);
    buf_reset(&delta), buf_reset(&names);
    /* without a diff, prev must be the item */
    assert_int_equal(event_pack(fields, "{\"a\":1}", NULL, &delta, &names), 0);
    buf_free(&delta), buf_free(&names), buf_free(&p);
}

static void what_would_not_read_back_exactly_stays_whole(void **state)
{
    (void)state;
    buf_t delta = {0}, names = {0};
    /* spaces a canonical object never has */
    assert_int_equal(event_pack("{\"a\":2}", "{ \"a\": 1 }", "{\"a\":{\"old\":1,\"new\":2}}",
                                &delta, &names), 0);
    /* a diff diff.c did not write from these two */
    assert_int_equal(event_pack("{\"a\":2}", "{\"a\":1}", "{\"a\":{\"old\":5,\"new\":2}}",
                                &delta, &names), 0);
    assert_int_equal(event_pack("{\"a\":2}", "{\"a\":1", "{}", &delta, &names), 0);
    assert_int_equal(delta.len + names.len, 0);
    assert_false(event_is_packed("{\"a\":{\"old\":1,\"new\":2}}"));
    assert_false(event_is_packed(NULL));
    buf_free(&delta), buf_free(&names);
}

static void stored_events_are_packed_on_disk_and_whole_when_read(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    const char *prev = "{\"level\":2,\"text\":\"a long text that stays the same\"}";
    const char *item = "{\"level\":3,\"text\":\"a long text that stays the same\"}";
    const char *diff = "{\"level\":{\"old\":2,\"new\":3}}";
    store_event_t ev = {.source = "s", .key = "k", .change = "changed", .item = (char *)item,
                        .prev = (char *)prev, .diff = (char *)diff, .observed_at = "t"};
    assert_int_equal(store_event_add(f->st, &ev, &e), 0);
    char raw[256];
    dbpeek(f->path, "SELECT prev FROM events WHERE id = ?1", ev.id, dbpeek_read_text, raw);
    assert_string_equal(raw, "{\"level\":[2]}");
    dbpeek(f->path, "SELECT diff FROM events WHERE id = ?1", ev.id, dbpeek_read_text, raw);
    assert_string_equal(raw, "[\"level\"]");
    store_event_t *got;
    assert_int_equal(store_event_get(f->st, ev.id, &got, &e), 1);
    assert_string_equal(got->item, item);
    assert_string_equal(got->prev, prev);
    assert_string_equal(got->diff, diff);
    store_events_free(got, 1);
    store_event_t gone = {.source = "s", .key = "k", .change = "removed", .item = (char *)item,
                          .prev = (char *)item, .observed_at = "t"};
    assert_int_equal(store_event_add(f->st, &gone, &e), 0);
    dbpeek(f->path, "SELECT prev || diff FROM events WHERE id = ?1", gone.id, dbpeek_read_text, raw);
    assert_string_equal(raw, "{}[]");
    assert_int_equal(store_event_get(f->st, gone.id, &got, &e), 1);
    assert_string_equal(got->item, item);
    assert_string_equal(got->prev, item);
    assert_null(got->diff);
    store_events_free(got, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_changed_field_keeps_only_its_old_value),
        cmocka_unit_test(an_added_field_is_marked_absent_and_a_dropped_one_keeps_its_value),
        cmocka_unit_test(null_is_a_value_not_an_absence),
        cmocka_unit_test(ignored_fields_are_in_the_delta_but_not_the_names),
        cmocka_unit_test(nested_values_and_escaped_keys_are_copied_as_text),
        cmocka_unit_test(a_removed_event_packs_to_nothing_and_has_no_diff),
        cmocka_unit_test(what_would_not_read_back_exactly_stays_whole),
        cmocka_unit_test_setup_teardown(stored_events_are_packed_on_disk_and_whole_when_read,
                                        dbtest_setup, dbtest_teardown),
    };
    return cmocka_run_group_tests_name("event_pack", tests, NULL, NULL);
}

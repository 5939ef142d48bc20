/* test_show.c — the reads behind `vane show` and `vane history` on a real
 * SQLite file (store/sql_show.c), and the text they are printed with
 * (cli/story.c): a flag read back with its context, silence and
 * deliveries in every state; an item's versions newest first, without
 * superseded events, with the flags of each; unknown ids found as such;
 * hostile text escaped for the terminal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/story.h"
#include "store/store.h"
#include "dbtest.h"

#define T0 "2024-11-20T23:00:00Z"
#define T1 "2024-11-22T23:00:00Z"
#define T2 "2024-11-27T23:30:00Z"

static void source(store_t *st, const char *id)
{
    err_t e = {{0}};
    source_state_t ss;
    assert_int_equal(store_source_get(st, id, "http://127.0.0.1/", &ss, &e), 0);
    source_state_free(&ss);
}

static long long event(store_t *st, const char *key, const char *change, const char *item,
                       const char *prev, const char *diff, const char *at)
{
    err_t e = {{0}};
    store_event_t ev = {.source = "s", .key = (char *)key, .change = (char *)change,
                        .item = (char *)item, .prev = (char *)prev, .diff = (char *)diff,
                        .observed_at = (char *)at};
    assert_int_equal(store_event_add(st, &ev, &e), 0);
    return ev.id;
}

static long long flag(store_t *st, long long event_id, const char *key, const char *rule,
                      const char *message)
{
    err_t e = {{0}};
    char dedup[64];
    snprintf(dedup, sizeof dedup, "%s|%lld", rule, event_id);
    store_flag_t f = {.event_id = event_id, .rule = rule, .severity = "high", .message = message,
                      .source = "s", .key = key, .change = "changed", .observed_at = T1,
                      .created_at = T1, .dedup = dedup, .title = "France", .link = "https://x/fr",
                      .source_name = "Advisories", .rule_title = "Level changes",
                      .changes = "[{\"field\":\"level\",\"old\":\"2\",\"new\":\"3\"}]"};
    int inserted = 0;
    assert_int_equal(store_flag_add(st, &f, &inserted, &e), 0);
    assert_int_equal(inserted, 1);
    return f.id;
}

/* An item FR: new at T0, changed (level 2 → 3) at T1 with two flags,
 * changed again at T2 with none. */
static long long history_of_fr(store_t *st, long long ids[3])
{
    err_t e = {{0}};
    source(st, "s");
    ids[0] = event(st, "FR", "new", "{\"level\":2,\"title\":\"France\"}", NULL, NULL, T0);
    ids[1] = event(st, "FR", "changed", "{\"level\":3,\"title\":\"France\"}",
                   "{\"level\":2,\"title\":\"France\"}", "{\"level\":{\"old\":2,\"new\":3}}", T1);
    ids[2] = event(st, "FR", "changed", "{\"level\":4,\"title\":\"France\"}",
                   "{\"level\":3,\"title\":\"France\"}", "{\"level\":{\"old\":3,\"new\":4}}", T2);
    event(st, "DE", "new", "{\"level\":1}", NULL, NULL, T0);
    const char *now = "{\"level\":4,\"title\":\"France\"}";
    assert_int_equal(store_item_put(st, "s", "FR", now, T2, &e), 0);
    flag(st, ids[1], "FR", "level", "France: 2 → 3");
    return flag(st, ids[1], "FR", "any", "changed FR");
}

static void a_flag_is_read_back_with_its_context(void **state)
{
    fixture_t *fx = *state;
    long long ids[3];
    long long id = history_of_fr(fx->st, ids);
    err_t e = {{0}};
    store_flag_row_t f;
    assert_int_equal(store_flag_get(fx->st, id, &f, &e), 1);
    assert_int_equal(f.id, id);
    assert_int_equal(f.event_id, ids[1]);
    assert_int_equal(f.silence_id, 0);
    assert_string_equal(f.rule, "any");
    assert_string_equal(f.message, "changed FR");
    assert_string_equal(f.title, "France");
    assert_string_equal(f.link, "https://x/fr");
    assert_string_equal(f.source_name, "Advisories");
    assert_string_equal(f.rule_title, "Level changes");
    assert_non_null(strstr(f.changes, "\"level\""));
    store_flag_row_free(&f);
    assert_int_equal(store_flag_get(fx->st, id + 100, &f, &e), 0);
    assert_null(f.rule);
}

static void the_item_now_is_its_current_fields(void **state)
{
    fixture_t *fx = *state;
    long long ids[3];
    history_of_fr(fx->st, ids);
    err_t e = {{0}};
    store_item_now_t it;
    assert_int_equal(store_item_get(fx->st, "s", "FR", &it, &e), 1);
    assert_string_equal(it.fields, "{\"level\":4,\"title\":\"France\"}");
    assert_string_equal(it.last_seen, T2);
    assert_null(it.removed_at);
    store_item_now_free(&it);
    assert_int_equal(store_item_get(fx->st, "s", "XX", &it, &e), 0);
}

static void deliveries_say_each_channel_state(void **state)
{
    fixture_t *fx = *state;
    long long ids[3];
    long long id = history_of_fr(fx->st, ids);
    err_t e = {{0}};
    assert_int_equal(store_outbox_add(fx->st, id, "ops", &e), 0);
    assert_int_equal(store_outbox_add(fx->st, id, "log", &e), 0);
    assert_int_equal(store_outbox_add(fx->st, id, "mail", &e), 0);
    store_outbox_row_t *rows;
    size_t n;
    assert_int_equal(store_outbox_pending(fx->st, "ops", &rows, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_outbox_failed(fx->st, rows[0].id, 2, "HTTP 500", T2, 0, &e), 0);
    store_outbox_free(rows, n);
    assert_int_equal(store_outbox_pending(fx->st, "mail", &rows, &n, &e), 0);
    assert_int_equal(store_outbox_failed(fx->st, rows[0].id, 5, "refused", NULL, 1, &e), 0);
    store_outbox_free(rows, n);
    assert_int_equal(store_outbox_pending(fx->st, "log", &rows, &n, &e), 0);
    assert_int_equal(store_outbox_sent(fx->st, rows[0].id, T1, &e), 0);
    store_outbox_free(rows, n);

    store_delivery_t *d;
    assert_int_equal(store_deliveries_get(fx->st, id, &d, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_string_equal(d[0].channel, "log");   /* by channel id */
    assert_string_equal(d[0].status, "sent");
    assert_string_equal(d[0].sent_at, T1);
    assert_string_equal(d[1].channel, "mail");
    assert_string_equal(d[1].status, "dead");
    assert_int_equal(d[1].attempts, 5);
    assert_string_equal(d[1].last_error, "refused");
    assert_string_equal(d[2].channel, "ops");
    assert_string_equal(d[2].status, "pending");
    assert_int_equal(d[2].attempts, 2);
    assert_string_equal(d[2].last_error, "HTTP 500");
    assert_string_equal(d[2].next_attempt, T2);
    assert_null(d[2].sent_at);
    store_deliveries_free(d, n);
    assert_int_equal(store_deliveries_get(fx->st, id - 1, &d, &n, &e), 0);
    assert_int_equal(n, 0);
    store_deliveries_free(d, n);
}

static void a_silenced_flag_names_its_silence(void **state)
{
    fixture_t *fx = *state;
    long long ids[3];
    long long id = history_of_fr(fx->st, ids);
    err_t e = {{0}};
    store_silence_t s = {.rule = "any", .created_at = T0, .until = T2, .reason = "maintenance"};
    long long sid;
    assert_int_equal(store_silence_add(fx->st, &s, &sid, &e), 0);
    assert_int_equal(store_flag_silence(fx->st, id, sid, &e), 0);
    store_flag_row_t f;
    assert_int_equal(store_flag_get(fx->st, id, &f, &e), 1);
    assert_int_equal(f.silence_id, sid);
    store_silence_row_t got;
    assert_int_equal(store_silence_get(fx->st, f.silence_id, &got, &e), 1);
    assert_string_equal(got.reason, "maintenance");
    assert_string_equal(got.until, T2);
    assert_string_equal(got.rule, "any");
    store_silence_row_free(&got);
    store_flag_row_free(&f);
    assert_int_equal(store_silence_get(fx->st, sid + 1, &got, &e), 0);
}

static void versions_come_newest_first_with_their_flags(void **state)
{
    fixture_t *fx = *state;
    long long ids[3];
    history_of_fr(fx->st, ids);
    err_t e = {{0}};
    store_event_t *evs;
    size_t n;
    assert_int_equal(store_item_versions(fx->st, "s", "FR", &evs, &n, &e), 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(evs[i].id, ids[2 - i]);
    assert_string_equal(evs[0].diff, "{\"level\":{\"old\":3,\"new\":4}}");   /* unpacked */
    assert_string_equal(evs[0].prev, "{\"level\":3,\"title\":\"France\"}");
    assert_null(evs[2].prev);
    store_events_free(evs, n);

    store_event_flag_t *fl;
    assert_int_equal(store_item_flags(fx->st, "s", "FR", &fl, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(fl[0].event_id, ids[1]);
    assert_int_equal(fl[1].event_id, ids[1]);
    assert_string_equal(fl[0].rule, "level");   /* by flag id */
    assert_string_equal(fl[1].rule, "any");
    store_event_flags_free(fl, n);

    assert_int_equal(store_item_versions(fx->st, "s", "XX", &evs, &n, &e), 0);
    assert_int_equal(n, 0);
}

static void superseded_versions_are_left_out(void **state)
{
    fixture_t *fx = *state;
    long long ids[3], run;
    long superseded = 0;
    history_of_fr(fx->st, ids);
    err_t e = {{0}};
    assert_int_equal(store_run_begin(fx->st, T2, &run, &e), 0);
    assert_int_equal(store_reextract_begin(fx->st, "s", T1, run, &superseded, &e), 0);
    assert_int_equal(superseded, 2);   /* FR's T1 and T2 */
    long long rebuilt = event(fx->st, "FR", "changed", "{\"level\":4}", "{\"level\":2}",
                              "{\"level\":{\"old\":2,\"new\":4}}", T2);
    store_event_t *evs;
    size_t n;
    assert_int_equal(store_item_versions(fx->st, "s", "FR", &evs, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(evs[0].id, rebuilt);
    assert_int_equal(evs[1].id, ids[0]);
    store_events_free(evs, n);
    store_event_flag_t *fl;
    assert_int_equal(store_item_flags(fx->st, "s", "FR", &fl, &n, &e), 0);
    assert_int_equal(n, 0);   /* the flags were on a superseded event */
    store_event_flags_free(fl, n);
}

static void a_source_is_known_by_its_row(void **state)
{
    fixture_t *fx = *state;
    err_t e = {{0}};
    int known = -1;
    assert_int_equal(store_source_known(fx->st, "s", &known, &e), 0);
    assert_int_equal(known, 0);
    source(fx->st, "s");
    assert_int_equal(store_source_known(fx->st, "s", &known, &e), 0);
    assert_int_equal(known, 1);
    assert_int_equal(store_source_known(fx->st, "t", &known, &e), 0);
    assert_int_equal(known, 0);
}

/* ---- the text ---------------------------------------------------------------------- */

static void fields_and_diffs_are_escaped_for_a_terminal(void **state)
{
    (void)state;
    buf_t b = {0};
    assert_int_equal(story_fields(&b, "  ", "{\"title\":\"a\\u001b[2Jb\\nc\",\"n\":[1,2]}"), 0);
    assert_string_equal(buf_str(&b), "  title: a\\x1b[2Jb\\nc\n  n: [1,2]\n");
    buf_reset(&b);
    assert_int_equal(story_diff(&b, "  ", "{\"level\":{\"old\":2,\"new\":3},"
                                          "\"t\":{\"old\":null,\"new\":\"x\\ry\"}}", 1), 0);
    assert_string_equal(buf_str(&b), "  level: 2 → 3\n  t: (none) → x\\ry\n");
    buf_reset(&b);
    assert_int_equal(story_diff(&b, "  ", "{\"level\":{\"old\":2,\"new\":null}}", 0), 0);
    assert_string_equal(buf_str(&b), "  level:\n    - 2\n");
    buf_free(&b);
}

static void a_long_change_is_two_lines_not_an_arrow(void **state)
{
    (void)state;
    char diff[400];
    const char *long_text = "a long text a long text a long text a long text a long text a long";
    snprintf(diff, sizeof diff, "{\"s\":{\"old\":\"%s\",\"new\":\"%s!\"}}", long_text, long_text);
    buf_t b = {0};
    assert_int_equal(story_diff(&b, "", diff, 1), 0);
    char want[400];
    snprintf(want, sizeof want, "s:\n  - %s\n  + %s!\n", long_text, long_text);
    assert_string_equal(buf_str(&b), want);
    buf_free(&b);
}

static void json_members_are_escaped(void **state)
{
    (void)state;
    buf_t b = {0};
    story_json_t j;
    story_json_begin(&j, &b);
    story_json_str(&j, "m", "q\"\x01");
    story_json_id(&j, "none", 0);
    story_json_int(&j, "n", 7);
    story_json_raw(&j, "a", NULL, "[]");
    assert_int_equal(story_json_end(&j), 0);
    assert_string_equal(buf_str(&b), "{\"m\":\"q\\\"\\u0001\",\"none\":null,\"n\":7,\"a\":[]}");
    buf_free(&b);
}

#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, dbtest_setup, dbtest_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DB_TEST(a_flag_is_read_back_with_its_context),
        DB_TEST(the_item_now_is_its_current_fields),
        DB_TEST(deliveries_say_each_channel_state),
        DB_TEST(a_silenced_flag_names_its_silence),
        DB_TEST(versions_come_newest_first_with_their_flags),
        DB_TEST(superseded_versions_are_left_out),
        DB_TEST(a_source_is_known_by_its_row),
        cmocka_unit_test(fields_and_diffs_are_escaped_for_a_terminal),
        cmocka_unit_test(a_long_change_is_two_lines_not_an_arrow),
        cmocka_unit_test(json_members_are_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

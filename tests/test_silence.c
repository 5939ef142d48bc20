/* test_silence.c — silences: which flags an active silence covers, listing
 * and removal, and that a silenced flag is recorded but queued nowhere; on
 * real database files in a temporary folder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert/alert.h"
#include "alert/silence.h"
#include "store/store.h"
#include "dbpeek.h"
#include "dbtest.h"

static long long add(store_t *st, const char *rule, const char *source, const char *key,
                     const char *from, const char *until)
{
    err_t e = {{0}};
    silence_t s = {.rule = rule, .source = source, .key = key, .created_at = from,
                   .until = until, .reason = "test"};
    long long id = 0;
    assert_int_equal(silence_add(st, &s, &id, &e), 0);
    assert_true(id > 0);
    return id;
}

/* The id of the silence covering a flag of rule/source/key raised at `at`. */
static long long covering(store_t *st, const char *rule, const char *source, const char *key,
                          const char *at)
{
    err_t e = {{0}};
    store_flag_t f = {.rule = rule, .source = source, .key = key, .created_at = at};
    long long id = -1;
    assert_int_equal(silence_match(st, &f, &id, &e), 0);
    return id;
}

static void a_silence_covers_its_rule_from_its_start_until_its_end(void **state)
{
    fixture_t *f = *state;
    long long id = add(f->st, "r", NULL, NULL, "2024-11-20T00:00:00Z", "2024-11-27T00:00:00Z");
    assert_int_equal(covering(f->st, "r", "s", "k", "2024-11-19T23:59:59Z"), 0);
    assert_int_equal(covering(f->st, "r", "s", "k", "2024-11-20T00:00:00Z"), id);
    assert_int_equal(covering(f->st, "r", "s", "k", "2024-11-26T23:59:59Z"), id);
    assert_int_equal(covering(f->st, "r", "s", "k", "2024-11-27T00:00:00Z"), 0);
    assert_int_equal(covering(f->st, "other", "s", "k", "2024-11-21T00:00:00Z"), 0);
}

static void source_and_key_narrow_a_silence(void **state)
{
    fixture_t *f = *state;
    long long id = add(f->st, "r", "press", "a", "2024-11-20T00:00:00Z", "2024-11-27T00:00:00Z");
    const char *at = "2024-11-21T00:00:00Z";
    assert_int_equal(covering(f->st, "r", "press", "a", at), id);
    assert_int_equal(covering(f->st, "r", "press", "b", at), 0);
    assert_int_equal(covering(f->st, "r", "wire", "a", at), 0);
    assert_int_equal(covering(f->st, "r", NULL, NULL, at), 0);
}

static void a_star_silence_covers_every_rule(void **state)
{
    fixture_t *f = *state;
    long long id = add(f->st, SILENCE_ANY_RULE, "press", NULL, "2024-11-20T00:00:00Z",
                       "2024-11-27T00:00:00Z");
    assert_int_equal(covering(f->st, "r", "press", "a", "2024-11-21T00:00:00Z"), id);
    assert_int_equal(covering(f->st, "source-failing", "press", NULL, "2024-11-21T00:00:00Z"), id);
    assert_int_equal(covering(f->st, "r", "wire", "a", "2024-11-21T00:00:00Z"), 0);
}

static void of_two_silences_the_one_lasting_longest_is_named(void **state)
{
    fixture_t *f = *state;
    add(f->st, "r", NULL, NULL, "2024-11-20T00:00:00Z", "2024-11-22T00:00:00Z");
    long long longer = add(f->st, SILENCE_ANY_RULE, NULL, NULL, "2024-11-20T00:00:00Z",
                           "2024-11-30T00:00:00Z");
    assert_int_equal(covering(f->st, "r", "s", "k", "2024-11-21T00:00:00Z"), longer);
}

static void a_removed_silence_covers_nothing_and_cannot_be_removed_twice(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    long long id = add(f->st, "r", NULL, NULL, "2024-11-20T00:00:00Z", "2024-11-27T00:00:00Z");
    int found = 0;
    assert_int_equal(silence_remove(f->st, id, "2024-11-21T00:00:00Z", &found, &e), 0);
    assert_int_equal(found, 1);
    assert_int_equal(covering(f->st, "r", "s", "k", "2024-11-22T00:00:00Z"), 0);
    assert_int_equal(silence_remove(f->st, id, "2024-11-21T00:00:00Z", &found, &e), 0);
    assert_int_equal(found, 0);
    assert_int_equal(silence_remove(f->st, 999, "2024-11-21T00:00:00Z", &found, &e), 0);
    assert_int_equal(found, 0);
}

typedef struct seen {
    long long ids[8];
    int active[8];
    size_t n;
} seen_t;

static int collect(void *ud, const silence_t *s)
{
    seen_t *seen = ud;
    if (seen->n < 8) {
        seen->active[seen->n] = s->active;
        seen->ids[seen->n++] = s->id;
    }
    assert_non_null(strstr(s->json, "\"reason\":\"test\""));
    return 0;
}

static void listing_shows_the_active_silences_or_all_of_them(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    long long old = add(f->st, "r", NULL, NULL, "2024-11-01T00:00:00Z", "2024-11-02T00:00:00Z");
    long long now = add(f->st, "r", NULL, NULL, "2024-11-20T00:00:00Z", "2024-11-27T00:00:00Z");
    seen_t seen = {0};
    assert_int_equal(silence_list(f->st, "2024-11-21T00:00:00Z", 0, collect, &seen, &e), 0);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.ids[0], now);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(silence_list(f->st, "2024-11-21T00:00:00Z", 1, collect, &seen, &e), 0);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.ids[0], old);
    assert_int_equal(seen.active[0], 0);
    assert_int_equal(seen.active[1], 1);
}

static long long outbox_rows(const fixture_t *f, long long flag_id)
{
    return dbpeek_int(f->path, "SELECT count(*) FROM outbox WHERE flag_id = ?1", flag_id);
}

static long long flag_silence(const fixture_t *f, long long flag_id)
{
    return dbpeek_int(f->path, "SELECT coalesce(silence_id, 0) FROM flags WHERE id = ?1", flag_id);
}

static long long route_queue(store_t *st, const char *rule, const char *at, const char *dedup,
                             int queue)
{
    err_t e = {{0}};
    config_t cfg = {0};
    store_flag_t fl = {.rule = rule, .severity = "high", .message = "m", .source = "s", .key = "k",
                       .observed_at = at, .created_at = at, .dedup = dedup};
    int inserted = 0;
    assert_int_equal(store_flag_add(st, &fl, &inserted, &e), 0);
    assert_int_equal(inserted, 1);
    assert_int_equal(alert_route(st, &cfg, &fl, queue, &e), 0);
    return fl.id;
}

static long long route(store_t *st, const char *rule, const char *at, const char *dedup)
{
    return route_queue(st, rule, at, dedup, 1);
}

static void a_silenced_flag_is_recorded_with_its_silence_and_queued_nowhere(void **state)
{
    fixture_t *f = *state;
    long long id = add(f->st, "r", NULL, NULL, "2024-11-20T00:00:00Z", "2024-11-27T00:00:00Z");
    long long during = route(f->st, "r", "2024-11-21T00:00:00Z", "a");
    assert_int_equal(flag_silence(f, during), id);
    assert_int_equal(outbox_rows(f, during), 0);
    long long after = route(f->st, "r", "2024-11-28T00:00:00Z", "b");
    assert_int_equal(flag_silence(f, after), 0);
    assert_int_equal(outbox_rows(f, after), 1);
}

/* vane run --no-alerts queues nothing, but a silenced flag is still marked. */
static void without_alerts_a_silenced_flag_is_still_marked(void **state)
{
    fixture_t *f = *state;
    long long id = add(f->st, "r", NULL, NULL, "2024-11-20T00:00:00Z", "2024-11-27T00:00:00Z");
    long long during = route_queue(f->st, "r", "2024-11-21T00:00:00Z", "a", 0);
    assert_int_equal(flag_silence(f, during), id);
    long long after = route_queue(f->st, "r", "2024-11-28T00:00:00Z", "b", 0);
    assert_int_equal(flag_silence(f, after), 0);
    assert_int_equal(outbox_rows(f, after), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_silence_covers_its_rule_from_its_start_until_its_end, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(source_and_key_narrow_a_silence, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_star_silence_covers_every_rule, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(of_two_silences_the_one_lasting_longest_is_named, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_removed_silence_covers_nothing_and_cannot_be_removed_twice, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(listing_shows_the_active_silences_or_all_of_them, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(without_alerts_a_silenced_flag_is_still_marked, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_silenced_flag_is_recorded_with_its_silence_and_queued_nowhere, dbtest_setup, dbtest_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

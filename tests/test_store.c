/* test_store.c — the SQLite store: migrations, items, events, flag dedup,
 * the outbox, on real database files in a temporary folder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/embedded.h"
#include "store/store.h"
#include "dbtest.h"

static void migrations_bring_a_new_database_to_the_latest_version(void **state)
{
    fixture_t *f = *state;
    assert_true(store_latest_version() >= 1);
    assert_int_equal(store_version(f->st), store_latest_version());
}

static void reopening_a_migrated_database_keeps_its_data(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    assert_int_equal(store_item_put(f->st, "s", "k", "{\"a\":1}", "2024-01-01T00:00:00Z", &e), -1);
    source_state_t ss;
    assert_int_equal(store_source_get(f->st, "s", "http://x/", &ss, &e), 0);
    source_state_free(&ss);
    assert_int_equal(store_item_put(f->st, "s", "k", "{\"a\":1}", "2024-01-01T00:00:00Z", &e), 0);
    store_close(f->st);
    f->st = store_open(f->path, &e);
    assert_non_null(f->st);
    store_item_t *items;
    size_t n;
    assert_int_equal(store_items_load(f->st, "s", &items, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(items[0].fields, "{\"a\":1}");
    store_items_free(items, n);
}

static void a_database_from_a_newer_vane_is_refused(void **state)
{
    fixture_t *f = *state;
    store_close(f->st);
    f->st = NULL;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    err_t e = {{0}};
    store_t *st = store_open(f->path, &e);
    assert_null(st);
    assert_non_null(strstr(e.msg, "newer"));
    assert_non_null(strstr(e.msg, "999"));
}

static void store_event(store_t *st, const char *key, long long *id)
{
    err_t e = {{0}};
    store_event_t ev = {.run_id = 0, .source = "s", .key = (char *)key, .change = "new",
                        .item = "{}", .observed_at = "2024-01-01T00:00:00Z"};
    assert_int_equal(store_event_add(st, &ev, &e), 0);
    *id = ev.id;
}

static void a_flag_with_the_same_dedup_key_is_recorded_once(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    source_state_t ss;
    assert_int_equal(store_source_get(f->st, "s", "http://x/", &ss, &e), 0);
    source_state_free(&ss);
    long long ev;
    store_event(f->st, "k1", &ev);
    store_flag_t fl = {.event_id = ev, .rule = "r", .severity = "high", .message = "m",
                       .source = "s", .key = "k1", .change = "new",
                       .observed_at = "2024-01-01T00:00:00Z", .created_at = "2024-01-01T00:00:00Z",
                       .dedup = "r|1|m"};
    int inserted;
    assert_int_equal(store_flag_add(f->st, &fl, &inserted, &e), 0);
    assert_int_equal(inserted, 1);
    assert_true(fl.id > 0);
    store_flag_t again = fl;
    again.id = 0;
    assert_int_equal(store_flag_add(f->st, &again, &inserted, &e), 0);
    assert_int_equal(inserted, 0);
    assert_int_equal(again.id, 0);
}

static void pending_events_come_oldest_first_until_marked_evaluated(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    long long a, b;
    store_event(f->st, "a", &a);
    store_event(f->st, "b", &b);
    store_event_t *evs;
    size_t n;
    assert_int_equal(store_events_pending(f->st, 10, &evs, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(evs[0].key, "a");
    assert_string_equal(evs[1].key, "b");
    store_events_free(evs, n);
    assert_int_equal(store_event_mark_evaluated(f->st, a, &e), 0);
    assert_int_equal(store_events_pending(f->st, 10, &evs, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(evs[0].id, b);
    store_events_free(evs, n);
}

static void an_uncommitted_transaction_leaves_nothing_behind(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    assert_int_equal(store_begin(f->st, &e), 0);
    long long id;
    store_event(f->st, "gone", &id);
    store_rollback(f->st);
    store_event_t *evs;
    size_t n;
    assert_int_equal(store_events_pending(f->st, 10, &evs, &n, &e), 0);
    assert_int_equal(n, 0);
    store_events_free(evs, n);
}

static void the_outbox_keeps_a_row_pending_until_it_is_sent(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    long long ev;
    store_event(f->st, "k", &ev);
    store_flag_t fl = {.event_id = ev, .rule = "r", .severity = "low", .message = "hello",
                       .source = "s", .key = "k", .change = "new",
                       .observed_at = "2024-01-01T00:00:00Z", .created_at = "2024-01-01T00:00:00Z",
                       .dedup = "x"};
    int inserted;
    assert_int_equal(store_flag_add(f->st, &fl, &inserted, &e), 0);
    assert_int_equal(store_outbox_add(f->st, fl.id, "stdout", &e), 0);
    assert_int_equal(store_outbox_add(f->st, fl.id, "stdout", &e), 0); /* no second row */
    store_outbox_row_t *rows;
    size_t n;
    assert_int_equal(store_outbox_pending(f->st, "stdout", &rows, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].message, "hello");
    assert_non_null(strstr(rows[0].flag_json, "\"rule\":\"r\""));
    long long row = rows[0].id;
    store_outbox_free(rows, n);
    assert_int_equal(store_outbox_sent(f->st, row, "2024-01-01T00:00:01Z", &e), 0);
    assert_int_equal(store_outbox_pending(f->st, "stdout", &rows, &n, &e), 0);
    assert_int_equal(n, 0);
    store_outbox_free(rows, n);
}

static void source_health_counts_failures_and_resets_on_success(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    source_state_t ss;
    assert_int_equal(store_source_get(f->st, "s", "http://x/", &ss, &e), 0);
    assert_int_equal(ss.failures, 0);
    assert_int_equal(ss.baselined, 0);
    source_state_free(&ss);
    source_outcome_t bad = {.attempted_at = "2024-01-01T00:00:00Z", .status = 500,
                            .error = "HTTP 500", .items = -1};
    assert_int_equal(store_source_record(f->st, "s", &bad, &e), 0);
    assert_int_equal(store_source_record(f->st, "s", &bad, &e), 0);
    assert_int_equal(store_source_get(f->st, "s", "http://x/", &ss, &e), 0);
    assert_int_equal(ss.failures, 2);
    source_state_free(&ss);
    source_outcome_t good = {.attempted_at = "2024-01-01T01:00:00Z", .ok = 1, .status = 200,
                             .etag = "\"abc\"", .body_hash = "h", .items = 3, .baselined = 1};
    assert_int_equal(store_source_record(f->st, "s", &good, &e), 0);
    assert_int_equal(store_source_get(f->st, "s", "http://x/", &ss, &e), 0);
    assert_int_equal(ss.failures, 0);
    assert_int_equal(ss.baselined, 1);
    assert_string_equal(ss.etag, "\"abc\"");
    assert_string_equal(ss.body_hash, "h");
    assert_string_equal(ss.last_success, "2024-01-01T01:00:00Z");
    source_state_free(&ss);
}

/* A database left at version 2, with an event and a flag pointing at it,
 * is brought to the latest version without losing either. */
static void an_older_database_is_migrated_with_its_data(void **state)
{
    fixture_t *f = *state;
    store_close(f->st);
    f->st = NULL;
    char path[160];
    snprintf(path, sizeof path, "%s/old.db", f->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, embedded_find("db/001_init.sql")->data, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, embedded_find("db/002_health.sql")->data, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
        "PRAGMA user_version = 2;"
        "INSERT INTO events(id, source, key, change, observed_at) VALUES(7, 's', 'k', 'new', 't');"
        "INSERT INTO flags(rule, severity, message, event_id, observed_at, created_at, dedup)"
        " VALUES('r', 'high', 'm', 7, 't', 't', 'd');", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    err_t e = {{0}};
    store_t *st = store_open(path, &e);
    assert_non_null(st);
    assert_int_equal(store_version(st), store_latest_version());
    store_event_t *evs;
    size_t n;
    assert_int_equal(store_events_pending(st, 10, &evs, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(evs[0].id, 7);
    store_events_free(evs, n);
    long long id;
    store_event(st, "k2", &id); /* the rebuilt table still takes events */
    assert_true(id > 7);
    store_close(st);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM flags JOIN events ON events.id = flags.event_id",
                                        -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 1);
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO events(source, key, change, observed_at)"
                                      " VALUES('s', 'k', 'bogus', 't')", NULL, NULL, NULL), SQLITE_CONSTRAINT);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrations_bring_a_new_database_to_the_latest_version, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(reopening_a_migrated_database_keeps_its_data, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_database_from_a_newer_vane_is_refused, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_flag_with_the_same_dedup_key_is_recorded_once, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(pending_events_come_oldest_first_until_marked_evaluated, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(an_uncommitted_transaction_leaves_nothing_behind, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(the_outbox_keeps_a_row_pending_until_it_is_sent, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(source_health_counts_failures_and_resets_on_success, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(an_older_database_is_migrated_with_its_data, dbtest_setup, dbtest_teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}

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
#include "dbpeek.h"
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

static void pending_events_come_oldest_first_until_the_watermark_passes_them(void **state)
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
    long long first;
    assert_int_equal(store_events_pending_first(f->st, &first, &e), 0);
    assert_int_equal(first, a);
    assert_int_equal(store_events_evaluated_through(f->st, a, &e), 0);
    assert_int_equal(store_events_pending(f->st, 10, &evs, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(evs[0].id, b);
    store_events_free(evs, n);
}

static void events_reextract_marked_are_skipped_and_earlier_ones_stay_pending(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    long long a, run, first;
    store_event(f->st, "a", &a);
    assert_int_equal(store_run_begin(f->st, "2024-01-02T00:00:00Z", &run, &e), 0);
    store_event_t rebuilt = {.run_id = run, .source = "s", .key = "b", .change = "new",
                             .item = "{}", .observed_at = "2024-01-01T00:00:00Z"};
    assert_int_equal(store_event_add(f->st, &rebuilt, &e), 0);
    assert_int_equal(store_reextract_finish(f->st, "s", run, 0, &e), 0);
    store_event_t *evs;
    size_t n;
    assert_int_equal(store_events_pending(f->st, 10, &evs, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(evs[0].id, a);
    store_events_free(evs, n);
    assert_int_equal(store_events_pending_first(f->st, &first, &e), 0);
    assert_int_equal(first, a);
    assert_int_equal(store_events_evaluated_through(f->st, a, &e), 0);
    assert_int_equal(store_events_pending_first(f->st, &first, &e), 0);
    assert_int_equal(first, 0);
    assert_int_equal(store_events_evaluated_through(f->st, 0, &e), 0); /* never backwards */
    assert_int_equal(dbpeek_int(f->path, "SELECT through FROM evaluation", 0), a);
}

static void prune_keeps_the_events_past_the_watermark_and_the_newest(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    long long a, b, c, d;
    store_event(f->st, "a", &a);
    store_event(f->st, "b", &b);
    store_event(f->st, "c", &c);
    store_pruned_t p;
    assert_int_equal(store_events_evaluated_through(f->st, a, &e), 0);
    assert_int_equal(store_prune(f->st, "2025-01-01T00:00:00Z", &p, &e), 0);
    assert_int_equal(p.events, 1); /* a; b and c still wait for the rules */
    assert_int_equal(store_events_evaluated_through(f->st, c, &e), 0);
    assert_int_equal(store_prune(f->st, "2025-01-01T00:00:00Z", &p, &e), 0);
    assert_int_equal(p.events, 1); /* b; c is the newest */
    assert_int_equal(dbpeek_int(f->path, "SELECT count(*) FROM events", 0), 1);
    store_event(f->st, "d", &d);
    assert_true(d > c); /* so d is past the watermark: pending */
    long long first;
    assert_int_equal(store_events_pending_first(f->st, &first, &e), 0);
    assert_int_equal(first, d);
    assert_int_equal(store_events_evaluated_all(f->st, &e), 0);
    assert_int_equal(store_events_pending_first(f->st, &first, &e), 0);
    assert_int_equal(first, 0);
    assert_int_equal(dbpeek_int(f->path, "SELECT through FROM evaluation", 0), d);
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
    assert_int_equal(sqlite3_exec(db, embedded_find("db/sqlite/001_init.sql")->data, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, embedded_find("db/sqlite/002_health.sql")->data, NULL, NULL, NULL), SQLITE_OK);
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

/* A database left at version 4 keeps its items, which count as listed
 * (not absent) until a fetch misses them; the absent mark and the
 * source-reshaped marker are stored and read back. */
static void a_version_4_database_gains_absent_items_and_the_reshape_marker(void **state)
{
    fixture_t *f = *state;
    store_close(f->st);
    f->st = NULL;
    char path[160];
    snprintf(path, sizeof path, "%s/v4.db", f->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    const char *const v4[] = {"db/sqlite/001_init.sql", "db/sqlite/002_health.sql", "db/sqlite/003_events_check.sql",
                              "db/sqlite/004_silences.sql"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(sqlite3_exec(db, embedded_find(v4[i])->data, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
        "PRAGMA user_version = 4;"
        "INSERT INTO sources(id, url) VALUES('s', 'http://x/');"
        "INSERT INTO items(source, key, fields, first_seen, last_seen)"
        " VALUES('s', 'a', '{}', 't', 't'), ('s', 'b', '{}', 't', 't');", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    err_t e = {{0}};
    store_t *st = store_open(path, &e);
    assert_non_null(st);
    assert_int_equal(store_version(st), store_latest_version());
    store_item_t *items;
    size_t n;
    assert_int_equal(store_items_load(st, "s", &items, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_false(items[0].absent || items[1].absent);
    store_items_free(items, n);

    assert_int_equal(store_item_mark_absent(st, "s", "b", "2024-01-02T00:00:00Z", &e), 0);
    assert_int_equal(store_items_load(st, "s", &items, &n, &e), 0);
    assert_false(items[0].absent);
    assert_true(items[1].absent);
    assert_false(items[1].removed);
    store_items_free(items, n);
    assert_int_equal(store_item_put(st, "s", "b", "{}", "2024-01-03T00:00:00Z", &e), 0);
    assert_int_equal(store_items_load(st, "s", &items, &n, &e), 0);
    assert_false(items[1].absent);
    store_items_free(items, n);

    source_state_t ss;
    assert_int_equal(store_source_get(st, "s", "http://x/", &ss, &e), 0);
    assert_false(ss.reshaped_flagged);
    source_state_free(&ss);
    assert_int_equal(store_source_mark(st, "s", "reshaped_flagged", 1, &e), 0);
    assert_int_equal(store_source_get(st, "s", "http://x/", &ss, &e), 0);
    assert_true(ss.reshaped_flagged);
    assert_false(ss.empty_flagged || ss.failing_flagged);
    source_state_free(&ss);
    assert_int_equal(store_source_mark(st, "s", "no_such_marker", 1, &e), -1);
    assert_non_null(strstr(e.msg, "no_such_marker"));
    store_close(st);
}

/* A database left at version 7 gains the definition column, NULL for its
 * sources (they take the current definition as theirs); a recorded one is
 * kept until another is recorded; a new url forgets the validators. */
static void a_version_7_database_gains_the_definition_and_a_new_url_its_validators(void **state)
{
    fixture_t *f = *state;
    store_close(f->st);
    f->st = NULL;
    char path[160];
    snprintf(path, sizeof path, "%s/v7.db", f->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char name[40];
    for (int i = 1; i <= 7; i++) {
        const char *const names[] = {"", "init", "health", "events_check", "silences", "reshape",
                                     "run_warnings", "rule_retries"};
        snprintf(name, sizeof name, "db/sqlite/%03d_%s.sql", i, names[i]);
        assert_non_null(embedded_find(name));
        assert_int_equal(sqlite3_exec(db, embedded_find(name)->data, NULL, NULL, NULL), SQLITE_OK);
    }
    assert_int_equal(sqlite3_exec(db,
        "PRAGMA user_version = 7;"
        "INSERT INTO sources(id, url, etag, last_modified, body_hash, baselined)"
        " VALUES('s', 'http://x/', '\"e\"', 'lm', 'h', 1);", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    err_t e = {{0}};
    store_t *st = store_open(path, &e);
    assert_non_null(st);
    assert_int_equal(store_version(st), store_latest_version());
    source_state_t ss;
    assert_int_equal(store_source_get(st, "s", "http://x/", &ss, &e), 0);
    assert_null(ss.definition);
    assert_string_equal(ss.etag, "\"e\"");
    source_state_free(&ss);

    source_outcome_t o = {.attempted_at = "t", .ok = 1, .items = 1, .next_due = "t",
                          .definition = "url=1;script=2"};
    assert_int_equal(store_source_record(st, "s", &o, &e), 0);
    o.definition = NULL;
    assert_int_equal(store_source_record(st, "s", &o, &e), 0);
    assert_int_equal(store_source_get(st, "s", "http://x/", &ss, &e), 0);
    assert_string_equal(ss.definition, "url=1;script=2");
    assert_string_equal(ss.etag, "\"e\"");
    source_state_free(&ss);

    assert_int_equal(store_source_get(st, "s", "http://y/", &ss, &e), 0);
    assert_null(ss.etag);
    assert_null(ss.last_modified);
    assert_null(ss.body_hash);
    assert_int_equal(ss.baselined, 1);
    source_state_free(&ss);
    store_close(st);
}

static void a_check_episode_is_recorded_listed_and_ended(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    store_check_state_t cs;
    assert_int_equal(store_check_get(f->st, "r", "k", &cs, &e), 0);
    assert_int_equal(cs.found, 0);
    assert_int_equal(store_check_flagged(f->st, "r", "k", "2024-11-01T00:00:00Z", 1, &e), 0);
    assert_int_equal(store_check_flagged(f->st, "r", "k", "2024-11-02T00:00:00Z", 0, &e), 0);
    assert_int_equal(store_check_get(f->st, "r", "k", &cs, &e), 0);
    assert_int_equal(cs.found, 1);
    assert_int_equal(cs.active, 1);
    assert_string_equal(cs.last_flagged_at, "2024-11-02T00:00:00Z");
    free(cs.last_flagged_at);
    assert_int_equal(store_check_end(f->st, "r", "k", &e), 0);
    assert_int_equal(store_check_get(f->st, "r", "k", &cs, &e), 0);
    assert_int_equal(cs.active, 0);
    free(cs.last_flagged_at);
}

static int count_key(void *ud, const char *key)
{
    (void)key;
    ++*(int *)ud;
    return 0;
}

static void only_active_episodes_are_listed_for_their_rule(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    assert_int_equal(store_check_flagged(f->st, "r", "a", "2024-11-01T00:00:00Z", 1, &e), 0);
    assert_int_equal(store_check_flagged(f->st, "r", "b", "2024-11-01T00:00:00Z", 1, &e), 0);
    assert_int_equal(store_check_flagged(f->st, "other", "c", "2024-11-01T00:00:00Z", 1, &e), 0);
    assert_int_equal(store_check_end(f->st, "r", "b", &e), 0);
    int n = 0;
    assert_int_equal(store_check_active(f->st, "r", count_key, &n, &e), 0);
    assert_int_equal(n, 1);
}

static void the_rule_files_fingerprint_is_remembered_until_replaced(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    int known, has;
    assert_int_equal(store_check_rules_get(f->st, "fp1", &known, &has, &e), 0);
    assert_int_equal(known, 0);
    assert_int_equal(store_check_rules_put(f->st, "fp1", 0, &e), 0);
    assert_int_equal(store_check_rules_get(f->st, "fp1", &known, &has, &e), 0);
    assert_int_equal(known, 1);
    assert_int_equal(has, 0);
    assert_int_equal(store_check_rules_put(f->st, "fp2", 1, &e), 0);
    assert_int_equal(store_check_rules_get(f->st, "fp1", &known, &has, &e), 0);
    assert_int_equal(known, 0);
    assert_int_equal(store_check_rules_get(f->st, "fp2", &known, &has, &e), 0);
    assert_int_equal(has, 1);
}

static void add_event(store_t *st, const char *key, const char *change, int baseline,
                      const char *at)
{
    err_t e = {{0}};
    store_event_t ev = {.source = "s", .key = (char *)key, .change = (char *)change,
                        .baseline = baseline, .item = "{}", .observed_at = (char *)at};
    assert_int_equal(store_event_add(st, &ev, &e), 0);
}

static void history_gives_the_newest_events_oldest_first(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    add_event(f->st, "a", "new", 1, "2024-11-01T00:00:00Z");
    add_event(f->st, "a", "changed", 0, "2024-11-02T00:00:00Z");
    add_event(f->st, "b", "new", 0, "2024-11-03T00:00:00Z");
    add_event(f->st, "a", "changed", 0, "2024-11-04T00:00:00Z");
    store_event_t *evs;
    size_t n;
    assert_int_equal(store_history_item(f->st, "s", "a", 2, &evs, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(evs[0].observed_at, "2024-11-02T00:00:00Z");
    assert_string_equal(evs[1].observed_at, "2024-11-04T00:00:00Z");
    store_events_free(evs, n);
    store_history_query_t q = {.since = "2024-11-01T12:00:00Z", .change = "new", .baseline = 1,
                               .limit = 10};
    assert_int_equal(store_history_events(f->st, &q, &evs, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(evs[0].key, "b");
    store_events_free(evs, n);
    q = (store_history_query_t){.baseline = 0, .limit = 10};
    assert_int_equal(store_history_events(f->st, &q, &evs, &n, &e), 0);
    assert_int_equal(n, 3);
    store_events_free(evs, n);
}

typedef struct shown {
    char json[512];
    char change[64];
} shown_t;

static int keep_row(void *ud, const char *json, int ncols, const char *const *names,
                    const char *const *cols)
{
    shown_t *s = ud;
    assert_int_equal(ncols, 7);
    assert_string_equal(names[3], "change");
    assert_string_equal(names[5], "title");
    assert_null(cols[5]);   /* the item has no title */
    assert_null(cols[6]);   /* a new item changed no field */
    snprintf(s->json, sizeof s->json, "%s", json);
    snprintf(s->change, sizeof s->change, "%s", cols[3]);
    return 0;
}

static void a_listed_event_is_json_and_columns_as_sqlite_wrote_them(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    store_event_t ev = {.source = "s", .key = "k\b\"\b\f\x01\xff", .change = "new", .baseline = 1,
                        .item = "{\"a\":[1,2.5]}", .observed_at = "2024-11-01T00:00:00Z"};
    assert_int_equal(store_event_add(f->st, &ev, &e), 0);
    shown_t s;
    assert_int_equal(store_list(f->st, STORE_LIST_EVENTS, NULL, keep_row, &s, &e), 0);
    /* strings as json_put_string writes them: an invalid byte is U+FFFD */
    assert_string_equal(s.json, "{\"id\":1,\"run_id\":null,\"source\":\"s\",\"key\":\"k\\u0008\\\"\\u0008\\u000c\\u0001\\ufffd\","
                                "\"change\":\"new\",\"baseline\":true,\"item\":{\"a\":[1,2.5]},"
                                "\"prev\":null,\"diff\":null,\"observed_at\":\"2024-11-01T00:00:00Z\"}");
    assert_string_equal(s.change, "new (baseline)");
}

static int keep_id(void *ud, const char *json, int ncols, const char *const *names,
                   const char *const *cols)
{
    (void)json, (void)ncols, (void)names;
    char *ids = ud;
    strcat(ids, cols[0]);
    strcat(ids, " ");
    return 0;
}

/* --limit N: the newest N rows, still in id order; a changed event's
 * columns carry the item's title and the fields its diff names. */
static void a_limited_listing_keeps_the_newest_rows_in_order(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    add_event(f->st, "a", "new", 1, "2024-11-01T00:00:00Z");
    add_event(f->st, "b", "new", 0, "2024-11-02T00:00:00Z");
    add_event(f->st, "c", "new", 0, "2024-11-03T00:00:00Z");
    char ids[64] = "";
    store_filter_t lim = {.limit = 2};
    assert_int_equal(store_list(f->st, STORE_LIST_EVENTS, &lim, keep_id, ids, &e), 0);
    assert_string_equal(ids, "2 3 ");
    ids[0] = '\0';
    store_filter_t by_key = {.key = "b", .change = "new"};
    assert_int_equal(store_list(f->st, STORE_LIST_EVENTS, &by_key, keep_id, ids, &e), 0);
    assert_string_equal(ids, "2 ");
}

/* A want function for store_sources_read: not the sources due after
 * 2024-01-01T01:30:00Z; what it was asked, as y/n at ud[i]. */
static int not_due_later(void *ud, size_t i, const char *next_due)
{
    int want = !next_due || strcmp(next_due, "2024-01-01T01:30:00Z") <= 0;
    ((char *)ud)[i] = want ? 'y' : 'n';
    return want;
}

/* store_sources_read: the configured sources' rows in one read; a new id
 * and a changed url are left to store_source_get, and a row no longer
 * configured is not handed back. */
static void sources_are_read_at_once_and_new_or_moved_ones_left_to_source_get(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    source_state_t ss;
    assert_int_equal(store_source_get(f->st, "b", "http://b/", &ss, &e), 0);
    source_state_free(&ss);
    assert_int_equal(store_source_get(f->st, "gone", "http://gone/", &ss, &e), 0);
    source_state_free(&ss);
    assert_int_equal(store_source_get(f->st, "a", "http://a/", &ss, &e), 0);
    source_state_free(&ss);
    source_outcome_t good = {.attempted_at = "2024-01-01T01:00:00Z", .ok = 1, .status = 200,
                             .etag = "\"e\"", .body_hash = "h", .items = 3, .baselined = 1,
                             .next_due = "2024-01-01T02:00:00Z", .definition = "url=x"};
    assert_int_equal(store_source_record(f->st, "a", &good, &e), 0);
    assert_int_equal(store_source_record(f->st, "b", &good, &e), 0);

    const char *ids[] = {"c", "b", "a"};
    const char *urls[] = {"http://c/", "http://b2/", "http://a/"};
    source_state_t out[3];
    unsigned char known[3];
    assert_int_equal(store_sources_read(f->st, ids, urls, 3, NULL, NULL, out, known, &e), 0);
    assert_int_equal(known[0], 0);   /* no row yet */
    assert_int_equal(known[1], 0);   /* its url changed */
    assert_int_equal(known[2], 1);
    assert_null(out[0].etag);
    assert_null(out[1].etag);
    assert_int_equal(out[2].baselined, 1);
    assert_int_equal(out[2].items, 3);
    assert_string_equal(out[2].etag, "\"e\"");
    assert_string_equal(out[2].body_hash, "h");
    assert_string_equal(out[2].next_due, "2024-01-01T02:00:00Z");
    assert_string_equal(out[2].definition, "url=x");
    for (size_t i = 0; i < 3; i++)
        source_state_free(&out[i]);

    /* what run.c does with them: store_source_get records and reads them */
    assert_int_equal(store_source_get(f->st, "c", "http://c/", &out[0], &e), 0);
    assert_int_equal(out[0].items, -1);
    assert_int_equal(store_source_get(f->st, "b", "http://b2/", &out[1], &e), 0);
    assert_null(out[1].etag);        /* another address's validators are forgotten */
    assert_null(out[1].body_hash);
    assert_int_equal(out[1].baselined, 1);
    source_state_free(&out[0]);
    source_state_free(&out[1]);
    assert_int_equal(store_sources_read(f->st, ids, urls, 3, NULL, NULL, out, known, &e), 0);
    assert_true(known[0] && known[1] && known[2]);
    for (size_t i = 0; i < 3; i++)
        source_state_free(&out[i]);

    /* a row not wanted (here: one due later) is found but not read */
    char asked[4] = "";
    assert_int_equal(store_sources_read(f->st, ids, urls, 3, not_due_later, asked, out, known,
                                        &e), 0);
    assert_true(known[0] && known[1] && known[2]);
    assert_string_equal(asked, "ynn");   /* c has never been fetched; a and b are due at 02:00 */
    assert_int_equal(out[0].items, -1);
    assert_null(out[2].etag);
    assert_null(out[2].next_due);
    assert_int_equal(out[2].baselined, 0);
    for (size_t i = 0; i < 3; i++)
        source_state_free(&out[i]);
}

static void the_checked_configuration_is_remembered_until_replaced(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    int known = 1;
    assert_int_equal(store_config_checked_get(f->st, "f1", &known, &e), 0);
    assert_int_equal(known, 0);
    assert_int_equal(store_config_checked_put(f->st, "f1", &e), 0);
    assert_int_equal(store_config_checked_get(f->st, "f1", &known, &e), 0);
    assert_int_equal(known, 1);
    assert_int_equal(store_config_checked_put(f->st, "f2", &e), 0);
    assert_int_equal(store_config_checked_get(f->st, "f1", &known, &e), 0);
    assert_int_equal(known, 0);
    assert_int_equal(store_config_checked_get(f->st, "f2", &known, &e), 0);
    assert_int_equal(known, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrations_bring_a_new_database_to_the_latest_version, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(reopening_a_migrated_database_keeps_its_data, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_database_from_a_newer_vane_is_refused, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_flag_with_the_same_dedup_key_is_recorded_once, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(pending_events_come_oldest_first_until_the_watermark_passes_them, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(events_reextract_marked_are_skipped_and_earlier_ones_stay_pending, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(prune_keeps_the_events_past_the_watermark_and_the_newest, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(an_uncommitted_transaction_leaves_nothing_behind, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(the_outbox_keeps_a_row_pending_until_it_is_sent, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(source_health_counts_failures_and_resets_on_success, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(an_older_database_is_migrated_with_its_data, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_version_4_database_gains_absent_items_and_the_reshape_marker, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_version_7_database_gains_the_definition_and_a_new_url_its_validators, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_check_episode_is_recorded_listed_and_ended, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(only_active_episodes_are_listed_for_their_rule, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(the_rule_files_fingerprint_is_remembered_until_replaced, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(history_gives_the_newest_events_oldest_first, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_listed_event_is_json_and_columns_as_sqlite_wrote_them, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_limited_listing_keeps_the_newest_rows_in_order, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(sources_are_read_at_once_and_new_or_moved_ones_left_to_source_get, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(the_checked_configuration_is_remembered_until_replaced, dbtest_setup, dbtest_teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}

/* test_store_copy.c — store_copy between two real SQLite files: a store
 * with rows in every table arrives whole (counts, ids, a kept document's
 * body, a packed event read back whole and stored whole), a target with
 * rows is refused naming the table and left as it was, a source column
 * the target lacks is copied when empty and refused when not (a lease
 * left behind either way), and a table the copy does not know refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "dbtest.h"
#include "dbpeek.h"

#define T0 "2024-11-20T23:00:00Z"
#define BODY "<html><body>kept body</body></html>"
#define PREV "{\"a\":1,\"b\":\"same\"}"
#define ITEM "{\"a\":2,\"b\":\"same\"}"
#define DIFF "{\"a\":{\"old\":1,\"new\":2}}"

/* The ids the history below was given. */
typedef struct history {
    long long run, changed, flag, silence;
} history_t;

static void add_source_and_document(store_t *st, long long run)
{
    err_t e = {{0}};
    source_state_t ss;
    assert_int_equal(store_source_get(st, "s", "http://127.0.0.1/feed", &ss, &e), 0);
    source_state_free(&ss);
    source_outcome_t o = {.attempted_at = T0, .ok = 1, .status = 200, .etag = "\"e1\"",
                          .body_hash = "h1", .items = 1, .baselined = 1, .next_due = T0};
    assert_int_equal(store_source_record(st, "s", &o, &e), 0);
    assert_int_equal(store_document_add(st, run, "s", T0, 200, "h1", "\"e1\"", NULL,
                                        (long long)strlen(BODY), &e), 0);
    store_body_t b = {BODY, strlen(BODY), "content-type: text/html", "http://127.0.0.1/feed"};
    assert_int_equal(store_document_keep(st, "s", run, &b, &e), 0);
}

static long long add_event(store_t *st, long long run, const char *change, const char *item,
                           const char *prev, const char *diff)
{
    err_t e = {{0}};
    store_event_t ev = {.run_id = run, .source = "s", .key = "k", .change = (char *)change,
                        .item = (char *)item, .prev = (char *)prev, .diff = (char *)diff,
                        .observed_at = T0};
    assert_int_equal(store_event_add(st, &ev, &e), 0);
    return ev.id;
}

static void add_flag_and_its_rows(store_t *st, history_t *h)
{
    err_t e = {{0}};
    store_silence_t sil = {.rule = "r", .created_at = T0, .until = "2099-01-01T00:00:00Z",
                           .reason = "quiet"};
    assert_int_equal(store_silence_add(st, &sil, &h->silence, &e), 0);
    store_flag_t fl = {.run_id = h->run, .event_id = h->changed, .rule = "r",
                       .severity = "high", .message = "a went up", .source = "s", .key = "k",
                       .change = "changed", .observed_at = T0, .created_at = T0,
                       .dedup = "r|s|k|1", .title = "Title", .changes = "[]"};
    int inserted = 0;
    assert_int_equal(store_flag_add(st, &fl, &inserted, &e), 0);
    assert_int_equal(inserted, 1);
    h->flag = fl.id;
    assert_int_equal(store_flag_silence(st, fl.id, h->silence, &e), 0);
    assert_int_equal(store_outbox_add(st, fl.id, "stdout", &e), 0);
    assert_int_equal(store_verdict_set(st, fl.id, "useful", "right", "ann", T0, &e), 0);
    store_retry_t r = {.rule = "r2", .event_id = h->changed, .kind = "budget", .tries = 1,
                       .fingerprint = "fp", .message = "r2.lua:3: too slow"};
    assert_int_equal(store_retry_failed(st, &r, T0, &e), 0);
    assert_int_equal(store_check_flagged(st, "c", "k", T0, 1, &e), 0);
    assert_int_equal(store_check_rules_put(st, "rules-fp", 1, &e), 0);
    assert_int_equal(store_config_checked_put(st, "config-fp", &e), 0);
}

/* A history with rows in every table (a second, unused run first, so that
 * ids do not all start at 1). */
static void build_history(store_t *st, history_t *h)
{
    err_t e = {{0}};
    long long first;
    assert_int_equal(store_run_begin(st, T0, &first, &e), 0);
    assert_int_equal(store_run_begin(st, T0, &h->run, &e), 0);
    add_source_and_document(st, h->run);
    assert_int_equal(store_item_put(st, "s", "k", ITEM, T0, &e), 0);
    add_event(st, h->run, "new", PREV, NULL, NULL);
    h->changed = add_event(st, h->run, "changed", ITEM, PREV, DIFF);
    assert_int_equal(store_events_evaluated_through(st, h->changed, &e), 0);
    add_flag_and_its_rows(st, h);
}

static long long rows_of(const store_copy_report_t *r, const char *table)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->table[i].table, table) == 0)
            return r->table[i].rows;
    fail_msg("no table %s in the report", table);
    return -1;
}

static int read_body(void *ud, const store_document_t *d, err_t *e)
{
    (void)e;
    char *out = ud;
    snprintf(out, 256, "%.*s", (int)d->body.len, d->body.body);
    return 0;
}

static store_t *copy_to_new_file(fixture_t *f, const char *name, char *path, size_t n,
                                 store_copy_report_t *r)
{
    err_t e = {{0}};
    snprintf(path, n, "%s/%s", f->dir, name);
    store_t *to = store_open(path, &e);
    assert_non_null(to);
    if (store_copy(f->st, to, r, &e) != 0)
        fail_msg("store_copy: %s", e.msg);
    return to;
}

static void every_table_arrives_with_its_ids(void **state)
{
    fixture_t *f = *state;
    history_t h;
    build_history(f->st, &h);
    /* the changed event is stored packed: its diff is the fields' names */
    char text[256];
    assert_string_equal(dbpeek_text(f->path, "SELECT diff FROM events WHERE change = 'changed'", text),
                        "[\"a\"]");
    char path[160];
    store_copy_report_t r;
    store_t *to = copy_to_new_file(f, "copy.db", path, sizeof path, &r);
    assert_int_equal(r.n, 14);
    static const char *const one_row[] = {"sources", "documents", "items", "silences", "flags",
                                          "outbox", "verdicts", "rule_retries", "check_state",
                                          "check_rules", "config_checked", "evaluation"};
    for (size_t i = 0; i < sizeof one_row / sizeof *one_row; i++)
        assert_int_equal(rows_of(&r, one_row[i]), 1);
    assert_int_equal(rows_of(&r, "runs"), 2);
    assert_int_equal(rows_of(&r, "events"), 2);
    /* ids kept, and the references between them */
    assert_int_equal(dbpeek_int(path, "SELECT event_id FROM flags WHERE id = ?1", h.flag), h.changed);
    assert_int_equal(dbpeek_int(path, "SELECT silence_id FROM flags WHERE id = ?1", h.flag), h.silence);
    assert_int_equal(dbpeek_int(path, "SELECT run_id FROM documents", 0), h.run);
    assert_int_equal(dbpeek_int(path, "SELECT through FROM evaluation", 0), h.changed);
    /* the body arrives as the same compressed bytes */
    assert_int_equal(dbpeek_int(path, "SELECT length(body) FROM documents", 0),
                     dbpeek_int(f->path, "SELECT length(body) FROM documents", 0));
    char body[256] = "";
    err_t e = {{0}};
    assert_int_equal(store_documents_each(to, "s", NULL, read_body, body, &e), 0);
    assert_string_equal(body, BODY);
    /* the packed event is stored whole, and reads back as it was given */
    assert_string_equal(dbpeek_text(path, "SELECT diff FROM events WHERE change = 'changed'", text), DIFF);
    store_event_t *ev;
    assert_int_equal(store_event_get(to, h.changed, &ev, &e), 1);
    assert_string_equal(ev->prev, PREV);
    assert_string_equal(ev->diff, DIFF);
    assert_string_equal(ev->item, ITEM);
    store_events_free(ev, 1);
    store_close(to);
}

static void a_target_with_rows_is_refused_and_left_as_it_was(void **state)
{
    fixture_t *f = *state;
    history_t h;
    build_history(f->st, &h);
    char path[160];
    store_copy_report_t r;
    store_close(copy_to_new_file(f, "copy.db", path, sizeof path, &r));
    err_t e = {{0}};
    store_t *to = store_open(path, &e);
    assert_non_null(to);
    assert_int_equal(store_copy(f->st, to, &r, &e), -1);
    assert_non_null(strstr(e.msg, "not empty"));
    assert_non_null(strstr(e.msg, "table sources"));
    assert_non_null(strstr(e.msg, path));
    assert_int_equal(r.n, 0);
    store_close(to);
    assert_int_equal(dbpeek_int(path, "SELECT count(*) FROM events", 0), 2);
    assert_int_equal(dbpeek_int(path, "SELECT count(*) FROM runs", 0), 2);
}

/* One table with rows is enough to refuse: here only config_checked's. */
static void a_row_in_any_table_refuses(void **state)
{
    fixture_t *f = *state;
    history_t h;
    build_history(f->st, &h);
    char path[160];
    snprintf(path, sizeof path, "%s/other.db", f->dir);
    err_t e = {{0}};
    store_t *to = store_open(path, &e);
    assert_non_null(to);
    assert_int_equal(store_config_checked_put(to, "x", &e), 0);
    store_copy_report_t r;
    assert_int_equal(store_copy(f->st, to, &r, &e), -1);
    assert_non_null(strstr(e.msg, "table config_checked"));
    store_close(to);
    assert_int_equal(dbpeek_int(path, "SELECT count(*) FROM sources", 0), 0);
}

/* A column of the source that the target does not have: left out while
 * it holds nothing, refused by name once it holds something. */
static void a_column_the_target_lacks_fails_only_with_data(void **state)
{
    fixture_t *f = *state;
    history_t h;
    build_history(f->st, &h);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "ALTER TABLE flags ADD COLUMN extra TEXT", NULL, NULL, NULL),
                     SQLITE_OK);
    char path[160];
    store_copy_report_t r;
    store_close(copy_to_new_file(f, "empty-column.db", path, sizeof path, &r));
    assert_int_equal(rows_of(&r, "flags"), 1);
    assert_int_equal(sqlite3_exec(db, "UPDATE flags SET extra = 'x'", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    snprintf(path, sizeof path, "%s/full-column.db", f->dir);
    err_t e = {{0}};
    store_t *to = store_open(path, &e);
    assert_non_null(to);
    assert_int_equal(store_copy(f->st, to, &r, &e), -1);
    assert_non_null(strstr(e.msg, "table flags: column extra"));
    store_close(to);
    assert_int_equal(dbpeek_int(path, "SELECT count(*) FROM runs", 0), 0);
}

/* More rows than one read or one insert takes (500 rows a page, up to 100
 * an insert): items paged by OFFSET, events by id, each with a remainder. */
static void many_rows_cross_pages_and_batches(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    history_t h;
    build_history(f->st, &h);
    assert_int_equal(store_begin(f->st, &e), 0);
    for (int i = 0; i < 1234; i++) {
        char key[32], fields[64];
        snprintf(key, sizeof key, "key-%04d", i);
        snprintf(fields, sizeof fields, "{\"n\":%d}", i);
        assert_int_equal(store_item_put(f->st, "s", key, fields, T0, &e), 0);
        add_event(f->st, h.run, "new", fields, NULL, NULL);
    }
    assert_int_equal(store_commit(f->st, &e), 0);
    char path[160];
    store_copy_report_t r;
    store_close(copy_to_new_file(f, "copy.db", path, sizeof path, &r));
    assert_int_equal(rows_of(&r, "items"), 1235);
    assert_int_equal(rows_of(&r, "events"), 1236);
    const char *sum = "SELECT sum(id) + count(DISTINCT item) FROM events";
    assert_int_equal(dbpeek_int(path, sum, 0), dbpeek_int(f->path, sum, 0));
    char text[256];
    assert_string_equal(dbpeek_text(path, "SELECT fields FROM items WHERE key = 'key-0777'", text),
                        "{\"n\":777}");
}

/* A lease (PostgreSQL's claim of a source by one run) means nothing in
 * another store: left behind even when set. */
static void a_lease_column_the_target_lacks_is_left_behind(void **state)
{
    fixture_t *f = *state;
    history_t h;
    build_history(f->st, &h);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "ALTER TABLE sources ADD COLUMN leased_by TEXT; "
                                      "UPDATE sources SET leased_by = '7'", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    char path[160];
    store_copy_report_t r;
    store_close(copy_to_new_file(f, "copy.db", path, sizeof path, &r));
    assert_int_equal(rows_of(&r, "sources"), 1);
}

/* A table the copy does not know would be left behind: refused. */
static void an_unknown_table_in_the_source_is_refused(void **state)
{
    fixture_t *f = *state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE later (x TEXT)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    char path[160];
    snprintf(path, sizeof path, "%s/copy.db", f->dir);
    err_t e = {{0}};
    store_t *to = store_open(path, &e);
    assert_non_null(to);
    store_copy_report_t r;
    assert_int_equal(store_copy(f->st, to, &r, &e), -1);
    assert_non_null(strstr(e.msg, "table later"));
    store_close(to);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_table_arrives_with_its_ids, dbtest_setup,
                                        dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_target_with_rows_is_refused_and_left_as_it_was,
                                        dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_row_in_any_table_refuses, dbtest_setup,
                                        dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_column_the_target_lacks_fails_only_with_data,
                                        dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(many_rows_cross_pages_and_batches, dbtest_setup,
                                        dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_lease_column_the_target_lacks_is_left_behind,
                                        dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(an_unknown_table_in_the_source_is_refused, dbtest_setup,
                                        dbtest_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

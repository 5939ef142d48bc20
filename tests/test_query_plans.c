/* test_query_plans.c — the history reads use an index for every filter
 * they take, and return what they returned when their filters were
 * written `(:x IS NULL OR col = :x)`.
 *
 * Plans: every statement each read can issue (each combination of the
 * filters that changes its SQL, sql_reads.c, with a time bound read as
 * an id bound or as the newest-first probe's floor) is run through EXPLAIN
 * QUERY PLAN on a real migrated database; no step may walk the events or
 * flags table whole (`SCAN events`, `SCAN flags`) or in id order to find a
 * minimum (`SEARCH events` without an index). The exceptions, said where
 * they are allowed: a read with no filter an index could serve (the
 * newest rows of the table, a walk in id order that stops at the limit),
 * the outbox's unsent rows read whole from the index that holds only
 * them, and the small tables (runs, sources) and `vane outbox --all`.
 *
 * Results: a history with every kind of row (sources, keys, changes,
 * baselines, superseded events, re-extracted ones whose observed_at is
 * older than their id says, flags created out of order) is read through
 * the store with many combinations of filters and compared with what the
 * former statements, kept here, return on the same file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql_reads.h"
#include "store/sql_show.h"
#include "store/store.h"
#include "dbtest.h"

static void fill(sqlite3 *db);

/* ---- plans ------------------------------------------------------------------ */

/* What a plan may read whole: nothing; the table itself in id order (a
 * read with no filter an index could serve); the outbox's unsent rows
 * from their own index; the whole outbox (`--all`). */
enum { ALLOW_NONE = 0, ALLOW_TABLE_WALK = 1, ALLOW_UNSENT = 2, ALLOW_OUTBOX = 4 };

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Is this step of a plan one the test refuses? */
static int bad_step(const char *d, int allow)
{
    static const char *const big[] = {"events", "flags", "f", "o", NULL};
    for (int i = 0; big[i]; i++) {
        char scan[32], search[32];
        snprintf(scan, sizeof scan, "SCAN %s", big[i]);
        snprintf(search, sizeof search, "SEARCH %s", big[i]);
        size_t n = strlen(scan);
        int whole = starts(d, scan) && (d[n] == 0 || d[n] == ' ');
        if (whole && strcmp(d, scan) == 0 && (allow & ALLOW_TABLE_WALK))
            continue;
        if (whole && (allow & ALLOW_UNSENT) && strstr(d, " USING INDEX outbox_unsent"))
            continue;
        if (whole && (allow & ALLOW_OUTBOX) && strcmp(big[i], "o") == 0)
            continue;
        if (whole)
            return 1;
        n = strlen(search);
        if (starts(d, search) && (d[n] == 0 || d[n] == ' ') && !strstr(d, " USING "))
            return 1;
    }
    return 0;
}

/* Fail, printing the SQL and its plan, when a step of sql's plan is bad,
 * or when no step has `walk` (NULL: any). */
static void check_walk(sqlite3 *db, const char *sql, int allow, const char *walk)
{
    char *explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, explain, -1, &s, NULL);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int bad = 0;
    char plan[4096] = "";
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(s, 3);
        bad |= bad_step(d, allow);
        strncat(plan, "\n  ", sizeof plan - strlen(plan) - 1);
        strncat(plan, d, sizeof plan - strlen(plan) - 1);
    }
    sqlite3_finalize(s);
    sqlite3_free(explain);
    if (bad)
        fail_msg("a step reads a whole table:\n%s%s", sql, plan);
    if (walk && !strstr(plan, walk))
        fail_msg("no step walks %s:\n%s%s", walk, sql, plan);
}

static void check_plan(sqlite3 *db, const char *sql, int allow)
{
    check_walk(db, sql, allow, NULL);
}

/* The index an events read must walk: the narrowest its filters allow. */
static const char *events_walk(const char *source, const char *key, const char *change,
                               const char *since)
{
    if (key)
        return "INDEX events_source_key (source=? AND key=?";
    if (source)
        return "INDEX events_source (source=?";
    if (change)
        return "INDEX events_change (change=?";
    return since ? "INTEGER PRIMARY KEY (rowid>?)" : NULL;
}

/* Stands in for the store's unpacking functions (event_prev, event_diff):
 * a plan does not depend on what they compute. */
static void unpack_stub(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_value(c, argv[1]);
}

/* A plain connection to the fixture's database, with the functions the
 * events reads call. */
static sqlite3 *raw(const fixture_t *f)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    static const char *const fns[] = {"event_prev", "event_diff"};
    for (int i = 0; i < 2; i++)
        assert_int_equal(sqlite3_create_function(db, fns[i], 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                                 NULL, unpack_stub, NULL, NULL),
                         SQLITE_OK);
    return db;
}

/* The listing's statement, and its newest-first probe's (a time bound
 * written `id > :floor`). */
static void list_plan(sqlite3 *db, store_list_kind_t kind, const store_filter_t *f, int allow)
{
    for (int newest = 0; newest < 2; newest++) {
        buf_t sql = {0};
        assert_int_equal(db_sql_list(kind, f, newest, &sql), 0);
        const char *walk = kind == STORE_LIST_EVENTS && f
                               ? events_walk(f->source, f->key, f->change, f->since) : NULL;
        check_walk(db, buf_str(&sql), allow, walk);
        buf_free(&sql);
    }
}

#define BIT(m, i) (((m) >> (i)) & 1)

static void every_events_listing_uses_an_index(void **state)
{
    sqlite3 *db = raw(*state);
    for (int m = 0; m < 16; m++) {
        store_filter_t f = {.since = BIT(m, 0) ? "t" : NULL, .source = BIT(m, 1) ? "s" : NULL,
                            .key = BIT(m, 2) ? "k" : NULL, .change = BIT(m, 3) ? "new" : NULL};
        list_plan(db, STORE_LIST_EVENTS, &f, m == 0 ? ALLOW_TABLE_WALK : ALLOW_NONE);
    }
    list_plan(db, STORE_LIST_EVENTS, NULL, ALLOW_TABLE_WALK);
    sqlite3_close(db);
}

static void every_flags_listing_uses_an_index(void **state)
{
    sqlite3 *db = raw(*state);
    for (int m = 0; m < 16; m++) {
        store_filter_t f = {.since = BIT(m, 0) ? "t" : NULL, .source = BIT(m, 1) ? "s" : NULL,
                            .rule = BIT(m, 2) ? "r" : NULL, .key = BIT(m, 3) ? "k" : NULL};
        list_plan(db, STORE_LIST_FLAGS, &f, m == 0 ? ALLOW_TABLE_WALK : ALLOW_NONE);
    }
    sqlite3_close(db);
}

/* The outbox is read from its unsent rows (or whole, with --all); flags
 * are only ever sought by id or through their indexes. */
static void every_outbox_listing_reads_flags_by_index(void **state)
{
    sqlite3 *db = raw(*state);
    for (int m = 0; m < 32; m++) {
        store_filter_t f = {.all = BIT(m, 0), .channel = BIT(m, 1) ? "c" : NULL,
                            .source = BIT(m, 2) ? "s" : NULL, .rule = BIT(m, 3) ? "r" : NULL,
                            .since = BIT(m, 4) ? "t" : NULL};
        list_plan(db, STORE_LIST_OUTBOX, &f, f.all ? ALLOW_OUTBOX : ALLOW_UNSENT);
    }
    sqlite3_close(db);
}

static void the_small_tables_are_listed_as_they_are(void **state)
{
    sqlite3 *db = raw(*state);
    store_filter_t f = {.since = "t", .source = "s"};
    list_plan(db, STORE_LIST_SOURCES, &f, ALLOW_NONE);
    list_plan(db, STORE_LIST_RUNS, &f, ALLOW_NONE);
    sqlite3_close(db);
}

static void every_rules_history_read_uses_an_index(void **state)
{
    sqlite3 *db = raw(*state);
    check_plan(db, db_sql_item, ALLOW_NONE);
    for (int m = 0; m < 16; m++) {
        store_history_query_t q = {.source = BIT(m, 0) ? "s" : NULL,
                                   .since = BIT(m, 1) ? "t" : NULL,
                                   .change = BIT(m, 2) ? "new" : NULL, .baseline = BIT(m, 3)};
        for (int newest = 0; newest < 2; newest++) {
            buf_t sql = {0};
            assert_int_equal(db_sql_history(&q, newest, &sql), 0);
            /* baseline = 0 alone: the newest events that are not baselines */
            check_walk(db, buf_str(&sql), (m & 7) == 0 ? ALLOW_TABLE_WALK : ALLOW_NONE,
                       events_walk(q.source, NULL, q.change, q.since));
            buf_free(&sql);
        }
    }
    sqlite3_close(db);
}

static void every_replay_page_uses_an_index(void **state)
{
    sqlite3 *db = raw(*state);
    for (int m = 0; m < 8; m++) {
        const char *since = BIT(m, 0) ? "t" : NULL, *until = BIT(m, 1) ? "u" : NULL;
        buf_t sql = {0};
        assert_int_equal(db_sql_range(since, until, BIT(m, 2), &sql), 0);
        check_plan(db, buf_str(&sql), ALLOW_NONE);
        buf_reset(&sql);
        if (since || until) {
            assert_int_equal(db_sql_span(since, until, &sql), 0);
            check_plan(db, buf_str(&sql), ALLOW_NONE);
        }
        buf_free(&sql);
    }
    sqlite3_close(db);
}

/* `vane show` and `vane history` (sql_show.c): every step of every
 * statement is a seek — no SCAN of any table, no SEARCH without an index
 * — and each seeks the index named here. */
static void every_show_read_is_a_seek(void **state)
{
    static const struct {
        const char *sql, *walk, *walk2;
    } reads[] = {
        {db_sql_show_flag, "SEARCH flags USING INTEGER PRIMARY KEY (rowid=?)", NULL},
        {db_sql_show_item, "SEARCH items USING PRIMARY KEY (source=? AND key=?)", NULL},
        {db_sql_show_silence, "SEARCH silences USING INTEGER PRIMARY KEY (rowid=?)", NULL},
        {db_sql_show_deliveries, "SEARCH outbox USING INDEX sqlite_autoindex_outbox_1 (flag_id=?)",
         NULL},
        {db_sql_show_versions, "SEARCH events USING INDEX events_source_key (source=? AND key=?)",
         NULL},
        {db_sql_show_item_flags, "SEARCH e USING INDEX events_source_key (source=? AND key=?)",
         "SEARCH f USING INDEX flags_event (event_id=?)"},
        {db_sql_show_source, "SEARCH sources USING ", NULL},
    };
    sqlite3 *db = raw(*state);
    size_t n = 0;
    while (db_sql_show_all[n])
        n++;
    assert_int_equal(n, sizeof reads / sizeof reads[0]);
    for (size_t i = 0; i < n; i++) {
        char *explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", reads[i].sql);
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(db, explain, -1, &s, NULL) != SQLITE_OK)
            fail_msg("%s: %s", reads[i].sql, sqlite3_errmsg(db));
        int walks = 0, walks2 = 0;
        while (sqlite3_step(s) == SQLITE_ROW) {
            const char *d = (const char *)sqlite3_column_text(s, 3);
            if (starts(d, "SCAN ") || (starts(d, "SEARCH ") && !strstr(d, " USING ")))
                fail_msg("a step of %s reads a whole table: %s", reads[i].sql, d);
            walks |= starts(d, reads[i].walk);
            walks2 |= reads[i].walk2 && starts(d, reads[i].walk2);
        }
        sqlite3_finalize(s);
        sqlite3_free(explain);
        if (!walks || (reads[i].walk2 && !walks2))
            fail_msg("%s: no step seeks %s%s%s", reads[i].sql, reads[i].walk,
                     reads[i].walk2 ? " and " : "", reads[i].walk2 ? reads[i].walk2 : "");
    }
    sqlite3_close(db);
}

/* The probe's first question, the highest id, is SQLite's max() of the
 * row id: one seek to the table's last row (its plan says `SEARCH events`
 * with no index, as a walk would: so it is checked by what it did). */
static void the_newest_id_is_one_seek(void **state)
{
    fixture_t *fx = *state;
    sqlite3 *db = raw(fx);
    fill(db);
    const store_list_kind_t kinds[] = {STORE_LIST_EVENTS, STORE_LIST_FLAGS};
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *s;
        assert_int_equal(sqlite3_prepare_v2(db, db_sql_last[kinds[i]], -1, &s, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int64(s, 0), i == 0 ? 400 : 150);
        assert_int_equal(sqlite3_stmt_status(s, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0), 0);
        assert_true(sqlite3_stmt_status(s, SQLITE_STMTSTATUS_VM_STEP, 0) < 20);
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
}

/* The refusals themselves: a bare walk of events is caught. */
static void a_plan_that_walks_events_is_refused(void **state)
{
    (void)state;
    assert_true(bad_step("SCAN events", ALLOW_NONE));
    assert_true(bad_step("SCAN events USING INDEX events_pending", ALLOW_TABLE_WALK));
    assert_true(bad_step("SEARCH events", ALLOW_NONE));
    assert_true(bad_step("SCAN f", ALLOW_NONE));
    assert_false(bad_step("SCAN events", ALLOW_TABLE_WALK));
    assert_false(bad_step("SEARCH events USING INTEGER PRIMARY KEY (rowid>?)", ALLOW_NONE));
    assert_false(bad_step("SCAN eventsx", ALLOW_NONE));
    assert_false(bad_step("SCAN runs", ALLOW_NONE));
    assert_true(bad_step("SCAN o", ALLOW_UNSENT));
    assert_false(bad_step("SCAN o USING INDEX outbox_unsent", ALLOW_UNSENT));
    assert_true(bad_step("SCAN f", ALLOW_OUTBOX));
}

/* ---- results: the same as the former statements ------------------------------- */

/* The former statements, as they were. */
static const char old_events_list[] =
    "SELECT * FROM (SELECT id FROM events WHERE superseded_by IS NULL "
    "AND (:since IS NULL OR observed_at >= :since) AND (:source IS NULL OR source = :source) "
    "AND (:key IS NULL OR key = :key) AND (:change IS NULL OR change = :change) "
    "ORDER BY 1 DESC LIMIT :limit) ORDER BY 1";
static const char old_flags_list[] =
    "SELECT * FROM (SELECT id FROM flags WHERE (:since IS NULL OR created_at >= :since) "
    "AND (:source IS NULL OR source = :source) AND (:rule IS NULL OR rule = :rule) "
    "AND (:key IS NULL OR key = :key) ORDER BY 1 DESC LIMIT :limit) ORDER BY 1";
static const char old_outbox_list[] =
    "SELECT * FROM (SELECT o.id FROM outbox o JOIN flags f ON f.id = o.flag_id "
    "WHERE (:all IS NOT NULL OR o.status <> 'sent') AND (:channel IS NULL OR o.channel = :channel) "
    "AND (:since IS NULL OR f.created_at >= :since) AND (:source IS NULL OR f.source = :source) "
    "AND (:rule IS NULL OR f.rule = :rule) ORDER BY 1 DESC LIMIT :limit) ORDER BY 1";
static const char old_history[] =
    "SELECT id FROM (SELECT id FROM events "
    "WHERE superseded_by IS NULL AND (?1 IS NULL OR source = ?1) "
    "AND (?2 IS NULL OR observed_at >= ?2) AND (?3 IS NULL OR change = ?3) AND (?4 OR baseline = 0) ORDER BY id DESC LIMIT ?5) "
    "ORDER BY id";
static const char old_range[] =
    "SELECT id FROM events WHERE superseded_by IS NULL AND (?1 IS NULL OR observed_at >= ?1) "
    "AND (?2 IS NULL OR observed_at < ?2) ORDER BY id";

typedef struct ids {
    long long v[1024];
    size_t n;
} ids_t;

static void add_id(ids_t *ids, long long id)
{
    assert_true(ids->n < sizeof ids->v / sizeof *ids->v);
    ids->v[ids->n++] = id;
}

static void assert_same_ids(const ids_t *want, const ids_t *got, const char *what)
{
    if (want->n != got->n)
        fail_msg("%s: %zu rows, the former statement %zu", what, got->n, want->n);
    for (size_t i = 0; i < want->n; i++)
        if (want->v[i] != got->v[i])
            fail_msg("%s: row %zu is id %lld, the former statement's %lld", what, i, got->v[i],
                     want->v[i]);
}

static void bind_opt(sqlite3_stmt *s, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i > 0 && v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* The ids a former listing statement returns for f. */
static void old_list_ids(sqlite3 *db, const char *sql, const store_filter_t *f, ids_t *out)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    bind_opt(s, ":since", f->since);
    bind_opt(s, ":source", f->source);
    bind_opt(s, ":rule", f->rule);
    bind_opt(s, ":key", f->key);
    bind_opt(s, ":change", f->change);
    bind_opt(s, ":channel", f->channel);
    bind_opt(s, ":all", f->all ? "1" : NULL);
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":limit"), f->limit > 0 ? f->limit : -1);
    while (sqlite3_step(s) == SQLITE_ROW)
        add_id(out, sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
}

static int collect_listed(void *ud, const char *json, int ncols, const char *const *names,
                          const char *const *cols)
{
    (void)ncols, (void)names, (void)cols;
    assert_true(starts(json, "{\"id\":"));
    add_id(ud, atoll(json + 6));
    return 0;
}

static void compare_listing(fixture_t *fx, sqlite3 *db, store_list_kind_t kind,
                            const char *old, const store_filter_t *f)
{
    ids_t want = {0}, got = {0};
    old_list_ids(db, old, f, &want);
    err_t e = {{0}};
    assert_int_equal(store_list(fx->st, kind, f, collect_listed, &got, &e), 0);
    assert_same_ids(&want, &got, old);
}

/* ---- a history with every kind of row --------------------------------------------- */

static const char *const sources[] = {"alpha", "beta", "gamma"};
static const char *const changes[] = {"new", "changed", "removed"};

/* A time n hours after the start, as the store writes times. */
static void hour(int n, char out[32])
{
    snprintf(out, 32, "2024-01-%02dT%02d:00:00Z", 1 + n / 24, n % 24);
}

/* 400 events over 3 sources and 6 keys, 8 an hour; every 7th observed
 * earlier than its id says (re-extracted with its document's time, marked
 * rederived, or a run with --now in the past), every 13th later (--now in
 * the future), every 11th superseded, every 5th a baseline. 150 flags,
 * some without a source, every 9th created out of order; an outbox row per
 * flag, sent, pending or dead. */
static void fill(sqlite3 *db)
{
    unsigned r = 14;
    assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    for (int i = 1; i <= 400; i++) {
        r = r * 1103515245 + 12345;
        char at[32];
        hour(i % 7 == 0 ? (int)(r >> 8) % (i / 8 + 1) : i % 13 == 0 ? i / 8 + 30 : i / 8, at);
        char *sql = sqlite3_mprintf(
            "INSERT INTO events(id, source, key, change, baseline, item, observed_at, "
            "superseded_by, rederived, evaluated) VALUES(%d, %Q, 'k%d', %Q, %d, '{}', %Q, %s, %d, 1)",
            i, sources[(r >> 16) % 3], (int)((r >> 20) % 6), changes[(r >> 24) % 3], i % 5 == 0,
            at, i % 11 == 0 ? "9" : "NULL", i % 7 == 0);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_free(sql);
    }
    for (int i = 1; i <= 150; i++) {
        r = r * 1103515245 + 12345;
        char at[32];
        hour(i % 9 == 0 ? (int)(r >> 8) % 40 : i / 3, at);
        char *sql = sqlite3_mprintf(
            "INSERT INTO flags(id, rule, severity, message, source, key, event_id, observed_at, "
            "created_at, dedup) VALUES(%d, 'r%d', 'high', 'm', %Q, 'k%d', %d, %Q, %Q, 'd%d');"
            "INSERT INTO outbox(flag_id, channel, status) VALUES(%d, 'c%d', %Q)",
            i, (int)((r >> 16) % 3), (r >> 18) % 4 ? sources[(r >> 20) % 3] : NULL,
            (int)((r >> 22) % 6), i, at, at, i, i, (int)((r >> 24) % 2),
            (r >> 26) % 3 == 0 ? "sent" : (r >> 26) % 3 == 1 ? "pending" : "dead");
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_free(sql);
    }
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
}

/* Times to read from: before everything, inside, at an hour some rows
 * have exactly, and after everything. */
static const char *const times[] = {NULL, "2024-01-01T00:00:00Z", "2024-01-01T09:00:00Z",
                                    "2024-01-02T05:00:00Z", "2024-01-02T20:30:00Z",
                                    "2024-02-01T00:00:00Z"};
#define N_TIMES (sizeof times / sizeof *times)

static const char *pick(const char *const *v, size_t n, int i)
{
    return i == 0 ? NULL : v[(size_t)(i - 1) % n];
}

static void listings_return_what_the_former_statements_returned(void **state)
{
    fixture_t *fx = *state;
    sqlite3 *db = raw(fx);
    fill(db);
    static const char *const keys[] = {"k1", "k4", "nope"};
    static const long limits[] = {0, 1, 7};
    for (size_t t = 0; t < N_TIMES; t++)
        for (int s = 0; s < 4; s++)
            for (int k = 0; k < 3; k++)
                for (int c = 0; c < 4; c++)
                    for (size_t l = 0; l < 3; l++) {
                        store_filter_t f = {.since = times[t], .source = pick(sources, 3, s),
                                            .key = pick(keys, 3, k),
                                            .change = pick(changes, 3, c), .limit = limits[l]};
                        compare_listing(fx, db, STORE_LIST_EVENTS, old_events_list, &f);
                        f.change = NULL;
                        f.rule = c ? (const char *[]){"r0", "r1", "r2"}[c - 1] : NULL;
                        compare_listing(fx, db, STORE_LIST_FLAGS, old_flags_list, &f);
                        f.key = NULL;
                        f.all = (int)l == 1;
                        f.channel = k == 1 ? "c0" : k == 2 ? "c1" : NULL;
                        compare_listing(fx, db, STORE_LIST_OUTBOX, old_outbox_list, &f);
                    }
    sqlite3_close(db);
}

static void old_history_ids(sqlite3 *db, const store_history_query_t *q, ids_t *out)
{
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(db, old_history, -1, &s, NULL), SQLITE_OK);
    if (q->source)
        sqlite3_bind_text(s, 1, q->source, -1, SQLITE_STATIC);
    if (q->since)
        sqlite3_bind_text(s, 2, q->since, -1, SQLITE_STATIC);
    if (q->change)
        sqlite3_bind_text(s, 3, q->change, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 4, q->baseline);
    sqlite3_bind_int64(s, 5, (long long)q->limit);
    while (sqlite3_step(s) == SQLITE_ROW)
        add_id(out, sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
}

static void rules_history_returns_what_the_former_statement_returned(void **state)
{
    fixture_t *fx = *state;
    sqlite3 *db = raw(fx);
    fill(db);
    static const size_t limits[] = {10000, 1, 5};
    for (size_t t = 0; t < N_TIMES; t++)
        for (int s = 0; s < 5; s++)
            for (int c = 0; c < 4; c++)
                for (int b = 0; b < 2; b++)
                    for (size_t l = 0; l < 3; l++) {
                        store_history_query_t q = {
                            .source = s == 4 ? "nope" : pick(sources, 3, s), .since = times[t],
                            .change = pick(changes, 3, c), .baseline = b, .limit = limits[l]};
                        ids_t want = {0}, got = {0};
                        old_history_ids(db, &q, &want);
                        store_event_t *evs;
                        size_t n;
                        err_t e = {{0}};
                        assert_int_equal(store_history_events(fx->st, &q, &evs, &n, &e), 0);
                        for (size_t i = 0; i < n; i++)
                            add_id(&got, evs[i].id);
                        store_events_free(evs, n);
                        assert_same_ids(&want, &got, "vane.events");
                    }
    sqlite3_close(db);
}

static void replay_pages_return_what_the_former_statement_returned(void **state)
{
    fixture_t *fx = *state;
    sqlite3 *db = raw(fx);
    fill(db);
    for (size_t a = 0; a < N_TIMES; a++)
        for (size_t b = 0; b < N_TIMES; b++) {
            ids_t want = {0}, got = {0};
            sqlite3_stmt *s;
            assert_int_equal(sqlite3_prepare_v2(db, old_range, -1, &s, NULL), SQLITE_OK);
            if (times[a])
                sqlite3_bind_text(s, 1, times[a], -1, SQLITE_STATIC);
            if (times[b])
                sqlite3_bind_text(s, 2, times[b], -1, SQLITE_STATIC);
            while (sqlite3_step(s) == SQLITE_ROW)
                add_id(&want, sqlite3_column_int64(s, 0));
            sqlite3_finalize(s);
            store_range_t r = {.since = times[a], .until = times[b]};
            int pages = 0;
            while (!r.done) {
                store_event_t *evs;
                size_t n;
                err_t e = {{0}};
                assert_int_equal(store_events_range(fx->st, &r, 7, &evs, &n, &e), 0);
                for (size_t i = 0; i < n; i++)
                    add_id(&got, evs[i].id);
                store_events_free(evs, n);
                assert_true(++pages < 100);
            }
            assert_same_ids(&want, &got, "vane replay");
        }
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_plan_that_walks_events_is_refused),
        cmocka_unit_test_setup_teardown(the_newest_id_is_one_seek, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(every_events_listing_uses_an_index, dbtest_setup,
                                        dbtest_teardown),
        cmocka_unit_test_setup_teardown(every_flags_listing_uses_an_index, dbtest_setup,
                                        dbtest_teardown),
        cmocka_unit_test_setup_teardown(every_outbox_listing_reads_flags_by_index, dbtest_setup,
                                        dbtest_teardown),
        cmocka_unit_test_setup_teardown(the_small_tables_are_listed_as_they_are, dbtest_setup,
                                        dbtest_teardown),
        cmocka_unit_test_setup_teardown(every_rules_history_read_uses_an_index, dbtest_setup,
                                        dbtest_teardown),
        cmocka_unit_test_setup_teardown(every_replay_page_uses_an_index, dbtest_setup,
                                        dbtest_teardown),
        cmocka_unit_test_setup_teardown(every_show_read_is_a_seek, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(listings_return_what_the_former_statements_returned,
                                        dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(rules_history_returns_what_the_former_statement_returned,
                                        dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(replay_pages_return_what_the_former_statement_returned,
                                        dbtest_setup, dbtest_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* sqlite_events.c — the SQLite store's events: storing them (a changed
 * event's prev and diff packed, event_pack.h), the SQL functions that give
 * them back whole, the ones the rules have yet to evaluate (past the
 * evaluation watermark, db/010_events_compact.sql) (pages for
 * `vane replay`: sqlite_history.c). */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include "store/event_pack.h"

static const char sql_event_add[] =
    "INSERT INTO events(run_id, source, key, change, baseline, item, prev, diff, observed_at) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

int store_event_add(store_t *st, store_event_t *ev, err_t *e)
{
    buf_t delta = {0}, names = {0};
    int packed = ev->change && strcmp(ev->change, "new") != 0 &&
                 event_pack(ev->item, ev->prev, ev->diff, &delta, &names);
    int rc = db_run(st, Q_EVENT_ADD, sql_event_add, e, "storing an event", "dtttitttt", ev->run_id,
                    ev->source, ev->key, ev->change, ev->baseline, ev->item,
                    packed ? buf_str(&delta) : ev->prev, packed ? buf_str(&names) : ev->diff,
                    ev->observed_at);
    buf_free(&delta);
    buf_free(&names);
    if (rc != 0)
        return -1;
    ev->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

/* ---- SQL functions: (item, prev, diff) as stored, to prev or diff -------- */

static const char *arg_text(sqlite3_value *v)
{
    return (const char *)sqlite3_value_text(v);
}

/* The function's result: out's text (taken), or SQLite's error. */
static void result_buf(sqlite3_context *ctx, buf_t *out, int ok)
{
    char *text = ok ? buf_steal(out) : NULL;
    buf_free(out);
    if (text)
        sqlite3_result_text(ctx, text, -1, free);
    else
        sqlite3_result_error(ctx, "an event's packed prev or diff does not read back", -1);
}

/* event_prev(item, prev, diff): prev, whole. */
static void fn_event_prev(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *item = arg_text(argv[0]), *prev = arg_text(argv[1]), *diff = arg_text(argv[2]);
    if (!event_is_packed(diff) || !item || !prev) {
        sqlite3_result_value(ctx, argv[1]);
        return;
    }
    buf_t out = {0};
    result_buf(ctx, &out, event_unpack_prev(item, prev, &out) == 0);
}

/* event_diff(item, prev, diff): diff, whole. */
static void fn_event_diff(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *item = arg_text(argv[0]), *prev = arg_text(argv[1]), *diff = arg_text(argv[2]);
    if (!event_is_packed(diff) || !item || !prev) {
        sqlite3_result_value(ctx, argv[2]);
        return;
    }
    if (!event_has_diff(diff)) {
        sqlite3_result_null(ctx); /* a removed event */
        return;
    }
    buf_t out = {0};
    result_buf(ctx, &out, event_unpack_diff(item, prev, diff, &out) == 0);
}

/* event_pack_prev(item, prev, diff) and event_pack_diff(…): the columns as
 * store_event_add writes them for a changed or removed event (whole when
 * it cannot be packed); db/010 converts older rows with them. */
static void pack(sqlite3_context *ctx, sqlite3_value **argv, int want_names)
{
    const char *item = arg_text(argv[0]), *prev = arg_text(argv[1]), *diff = arg_text(argv[2]);
    buf_t delta = {0}, names = {0};
    if (event_is_packed(diff) || !event_pack(item, prev, diff, &delta, &names)) {
        sqlite3_result_value(ctx, argv[want_names ? 2 : 1]);
    } else {
        buf_t *out = want_names ? &names : &delta;
        sqlite3_result_text(ctx, buf_str(out), (int)out->len, SQLITE_TRANSIENT);
    }
    buf_free(&delta);
    buf_free(&names);
}

static void fn_pack_prev(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    pack(ctx, argv, 0);
}

static void fn_pack_diff(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    pack(ctx, argv, 1);
}

int db_register_event_functions(store_t *st, err_t *e)
{
    static const struct {
        const char *name;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {{"event_prev", fn_event_prev}, {"event_diff", fn_event_diff},
               {"event_pack_prev", fn_pack_prev}, {"event_pack_diff", fn_pack_diff}};
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
        if (sqlite3_create_function_v2(st->db, fns[i].name, 3,
                                       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                       NULL, fns[i].fn, NULL, NULL, NULL) != SQLITE_OK)
            return db_error(st, e, "registering the event functions");
    return 0;
}

/* ---- reading events ---------------------------------------------------------- */

/* The columns of the statements that read events, in order. */
static const db_column_t event_columns[] = {
    DB_INT64(store_event_t, id), DB_INT64(store_event_t, run_id),
    DB_TEXT(store_event_t, source), DB_TEXT(store_event_t, key),
    DB_TEXT(store_event_t, change), DB_INT(store_event_t, baseline),
    DB_TEXT(store_event_t, item), DB_TEXT(store_event_t, prev),
    DB_TEXT(store_event_t, diff), DB_TEXT(store_event_t, observed_at),
};

static int read_event(sqlite3_stmt *s, void *row)
{
    db_read_columns(s, row, event_columns, DB_COUNT(event_columns));
    return 0;
}

static void free_events(void *rows, size_t n)
{
    store_events_free(rows, n);
}

static const db_rows_t event_rows = {sizeof(store_event_t), 16, read_event, free_events,
                                     "reading events"};

int db_read_events(store_t *st, sqlite3_stmt *s, size_t max, store_event_t **evs, size_t *n,
                   err_t *e)
{
    void *rows;
    if (db_read_rows(st, s, &event_rows, max, &rows, n, e) != 0)
        return -1;
    *evs = rows;
    return 0;
}

/* Pending: past the watermark, and not marked evaluated by `vane
 * reextract` (the only writer of events.evaluated). */
#define PENDING \
    "FROM events WHERE id > (SELECT through FROM evaluation WHERE id = 1) AND evaluated = 0"

static const char sql_events_pending[] = "SELECT " EVENT_COLUMNS " " PENDING " ORDER BY id LIMIT ?1";

int store_events_pending(store_t *st, size_t max, store_event_t **evs, size_t *n, err_t *e)
{
    sqlite3_stmt *s = db_query(st, Q_EVENTS_PENDING, sql_events_pending, e, "I", (long long)max);
    return s ? db_read_events(st, s, max, evs, n, e) : -1;
}

static const char sql_events_first[] = "SELECT id " PENDING " ORDER BY id LIMIT 1";

static int read_first(sqlite3_stmt *s, void *ud)
{
    *(long long *)ud = sqlite3_column_int64(s, 0);
    return 0;
}

int store_events_pending_first(store_t *st, long long *first, err_t *e)
{
    *first = 0;
    sqlite3_stmt *s = db_query(st, Q_EVENTS_FIRST, sql_events_first, e, "");
    return s && db_first_row(st, s, read_first, first, e, "reading the pending events") >= 0 ? 0 : -1;
}

static const char sql_events_evaluated[] =
    "UPDATE evaluation SET through = max(through, ?1) WHERE id = 1";

int store_events_evaluated_through(store_t *st, long long event_id, err_t *e)
{
    return db_run(st, Q_EVENTS_EVALUATED, sql_events_evaluated, e, "recording the events evaluated",
                  "I", event_id);
}

static const char sql_events_evaluated_all[] =
    "UPDATE evaluation SET through = max(through, (SELECT COALESCE(max(id), 0) FROM events)) "
    "WHERE id = 1";

int store_events_evaluated_all(store_t *st, err_t *e)
{
    return db_run(st, Q_EVENTS_EVALUATED_ALL, sql_events_evaluated_all, e,
                  "recording the events evaluated", "");
}

/* sql_events.c — the store's events: storing them (on SQLite a changed
 * event's prev and diff packed, event_pack.h, which sqlite_functions.c's
 * SQL functions give back whole), the ones the rules have yet to evaluate (past the
 * evaluation watermark, db/010_events_compact.sql) (pages for
 * `vane replay`: sql_history.c). */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

#include "store/event_pack.h"

static const char sql_event_add[] =
    "INSERT INTO events(run_id, source, key, change, baseline, item, prev, diff, observed_at) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id";

int store_event_add(store_t *st, store_event_t *ev, err_t *e)
{
    buf_t delta = {0}, names = {0};
    /* PostgreSQL keeps them whole: its event_prev and event_diff cannot
     * unpack (db/postgresql). */
    int packed = !db_is_pg(st) && ev->change && strcmp(ev->change, "new") != 0 &&
                 event_pack(ev->item, ev->prev, ev->diff, &delta, &names);
    int rc = db_run_id(st, Q_EVENT_ADD, sql_event_add, e, "storing an event", &ev->id, "dtttitttt", ev->run_id,
                    ev->source, ev->key, ev->change, ev->baseline, ev->item,
                    packed ? buf_str(&delta) : ev->prev, packed ? buf_str(&names) : ev->diff,
                    ev->observed_at);
    buf_free(&delta);
    buf_free(&names);
    return rc < 0 ? -1 : 0;
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

static int read_event(db_stmt_t *s, void *row)
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

int db_read_events(store_t *st, db_stmt_t *s, size_t max, store_event_t **evs, size_t *n,
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

/* On PostgreSQL the rows read are locked until the transaction ends, and
 * rows another run has locked are passed over: each event is evaluated by
 * one run (pg_work.c). */
static const char sql_events_claim[] =
    "SELECT " EVENT_COLUMNS " " PENDING " ORDER BY id LIMIT ?1 FOR UPDATE SKIP LOCKED";

int store_events_pending(store_t *st, size_t max, store_event_t **evs, size_t *n, err_t *e)
{
    db_stmt_t *s = db_is_pg(st)
                       ? db_query(st, Q_EVENTS_CLAIM, sql_events_claim, e, "I", (long long)max)
                       : db_query(st, Q_EVENTS_PENDING, sql_events_pending, e, "I", (long long)max);
    return s ? db_read_events(st, s, max, evs, n, e) : -1;
}

static const char sql_events_first[] = "SELECT id " PENDING " ORDER BY id LIMIT 1";

static int read_first(db_stmt_t *s, void *ud)
{
    *(long long *)ud = db_column_int64(s, 0);
    return 0;
}

int store_events_pending_first(store_t *st, long long *first, err_t *e)
{
    *first = 0;
    db_stmt_t *s = db_query(st, Q_EVENTS_FIRST, sql_events_first, e, "");
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

/* On PostgreSQL the watermark stays: an event another run has stored but
 * not yet committed may have a lower id than one already seen. */
static const char sql_events_evaluated_all_pg[] =
    "UPDATE events SET evaluated = 1 WHERE id > (SELECT through FROM evaluation) "
    "AND evaluated = 0";

int store_events_evaluated_all(store_t *st, err_t *e)
{
    if (db_is_pg(st))
        return db_run(st, Q_EVENTS_EVALUATED_ALL, sql_events_evaluated_all_pg, e,
                      "recording the events evaluated", "");
    return db_run(st, Q_EVENTS_EVALUATED_ALL, sql_events_evaluated_all, e,
                  "recording the events evaluated", "");
}

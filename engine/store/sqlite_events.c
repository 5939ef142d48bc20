/* sqlite_events.c — the SQLite store's events: storing them, the ones the
 * rules have yet to evaluate (pages for `vane replay`: sqlite_history.c). */
#include "store/sqlite_int.h"

static const char sql_event_add[] =
    "INSERT INTO events(run_id, source, key, change, baseline, item, prev, diff, observed_at) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

int store_event_add(store_t *st, store_event_t *ev, err_t *e)
{
    if (db_run(st, Q_EVENT_ADD, sql_event_add, e, "storing an event", "dtttitttt", ev->run_id,
               ev->source, ev->key, ev->change, ev->baseline, ev->item, ev->prev, ev->diff,
               ev->observed_at) != 0)
        return -1;
    ev->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

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

static const char sql_events_pending[] =
    "SELECT " EVENT_COLUMNS " "
    "FROM events WHERE evaluated = 0 ORDER BY id LIMIT ?1";

int store_events_pending(store_t *st, size_t max, store_event_t **evs, size_t *n, err_t *e)
{
    sqlite3_stmt *s = db_query(st, Q_EVENTS_PENDING, sql_events_pending, e, "I", (long long)max);
    return s ? db_read_events(st, s, max, evs, n, e) : -1;
}

static const char sql_event_evaluated[] =
    "UPDATE events SET evaluated = 1 WHERE id = ?1";

int store_event_mark_evaluated(store_t *st, long long event_id, err_t *e)
{
    return db_run(st, Q_EVENT_EVALUATED, sql_event_evaluated, e, "marking an event evaluated", "I",
                  event_id);
}

/* sqlite_events.c — the SQLite store's events: storing them, the ones the
 * rules have yet to evaluate, and pages of them for `vane replay`. */
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

static int read_event(sqlite3_stmt *s, void *row)
{
    store_event_t *ev = row;
    ev->id = sqlite3_column_int64(s, 0);
    ev->run_id = sqlite3_column_int64(s, 1);
    ev->source = db_column_dup(s, 2);
    ev->key = db_column_dup(s, 3);
    ev->change = db_column_dup(s, 4);
    ev->baseline = sqlite3_column_int(s, 5);
    ev->item = db_column_dup(s, 6);
    ev->prev = db_column_dup(s, 7);
    ev->diff = db_column_dup(s, 8);
    ev->observed_at = db_column_dup(s, 9);
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
    "SELECT id, run_id, source, key, change, baseline, item, prev, diff, observed_at "
    "FROM events WHERE evaluated = 0 ORDER BY id LIMIT ?1";

int store_events_pending(store_t *st, size_t max, store_event_t **evs, size_t *n, err_t *e)
{
    sqlite3_stmt *s = db_query(st, Q_EVENTS_PENDING, sql_events_pending, e, "I", (long long)max);
    return s ? db_read_events(st, s, max, evs, n, e) : -1;
}

static const char sql_events_range[] =
    "SELECT id, run_id, source, key, change, baseline, item, prev, diff, observed_at "
    "FROM events WHERE id > ?1 AND (?2 IS NULL OR observed_at >= ?2) "
    "AND (?3 IS NULL OR observed_at < ?3) ORDER BY id LIMIT ?4";

int store_events_range(store_t *st, long long after_id, const char *since, const char *until,
                       size_t max, store_event_t **evs, size_t *n, err_t *e)
{
    sqlite3_stmt *s = db_query(st, Q_EVENTS_RANGE, sql_events_range, e, "IttI", after_id, since,
                               until, (long long)max);
    return s ? db_read_events(st, s, max, evs, n, e) : -1;
}

static const char sql_event_evaluated[] =
    "UPDATE events SET evaluated = 1 WHERE id = ?1";

int store_event_mark_evaluated(store_t *st, long long event_id, err_t *e)
{
    return db_run(st, Q_EVENT_EVALUATED, sql_event_evaluated, e, "marking an event evaluated", "I",
                  event_id);
}

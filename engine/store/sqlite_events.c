/* sqlite_events.c — the SQLite store's events: storing them, the ones the
 * rules have yet to evaluate, and pages of them for `vane replay`. */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

static const char sql_event_add[] =
    "INSERT INTO events(run_id, source, key, change, baseline, item, prev, diff, observed_at) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

static const char sql_events_pending[] =
    "SELECT id, run_id, source, key, change, baseline, item, prev, diff, observed_at "
    "FROM events WHERE evaluated = 0 ORDER BY id LIMIT ?1";

static const char sql_events_range[] =
    "SELECT id, run_id, source, key, change, baseline, item, prev, diff, observed_at "
    "FROM events WHERE id > ?1 AND (?2 IS NULL OR observed_at >= ?2) "
    "AND (?3 IS NULL OR observed_at < ?3) ORDER BY id LIMIT ?4";

static const char sql_event_evaluated[] =
    "UPDATE events SET evaluated = 1 WHERE id = ?1";

int store_event_add(store_t *st, store_event_t *ev, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_EVENT_ADD, sql_event_add, e);
    if (!s)
        return -1;
    db_bind_id(s, 1, ev->run_id);
    db_bind_text(s, 2, ev->source);
    db_bind_text(s, 3, ev->key);
    db_bind_text(s, 4, ev->change);
    sqlite3_bind_int(s, 5, ev->baseline);
    db_bind_text(s, 6, ev->item);
    db_bind_text(s, 7, ev->prev);
    db_bind_text(s, 8, ev->diff);
    db_bind_text(s, 9, ev->observed_at);
    if (db_exec(st, s, e, "storing an event") != 0)
        return -1;
    ev->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

/* Room for more rows: the first 16, then twice as many. */
static int grow(store_event_t **arr, size_t *cap)
{
    size_t more = *cap ? *cap * 2 : 16;
    store_event_t *p = realloc(*arr, more * sizeof *p);
    if (!p)
        return -1;
    *arr = p;
    *cap = more;
    return 0;
}

static void read_event(sqlite3_stmt *s, store_event_t *ev)
{
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
}

int db_read_events(store_t *st, sqlite3_stmt *s, size_t max, store_event_t **evs, size_t *n,
                   err_t *e)
{
    store_event_t *arr = NULL;
    size_t len = 0, cap = 0;
    int rc = grow(&arr, &cap) == 0 ? SQLITE_DONE : SQLITE_NOMEM;
    while (rc != SQLITE_NOMEM && len < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap && grow(&arr, &cap) != 0)
            rc = SQLITE_NOMEM;
        else
            read_event(s, &arr[len++]);
    }
    if (len == max && rc == SQLITE_ROW)
        rc = SQLITE_DONE;
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        store_events_free(arr, len);
        return db_error(st, e, "reading events");
    }
    *evs = arr;
    *n = len;
    return 0;
}

int store_events_pending(store_t *st, size_t max, store_event_t **evs, size_t *n, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_EVENTS_PENDING, sql_events_pending, e);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)max);
    return db_read_events(st, s, max, evs, n, e);
}

int store_events_range(store_t *st, long long after_id, const char *since, const char *until,
                       size_t max, store_event_t **evs, size_t *n, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_EVENTS_RANGE, sql_events_range, e);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, after_id);
    db_bind_text(s, 2, since);
    db_bind_text(s, 3, until);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)max);
    return db_read_events(st, s, max, evs, n, e);
}

int store_event_mark_evaluated(store_t *st, long long event_id, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_EVENT_EVALUATED, sql_event_evaluated, e);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, event_id);
    return db_exec(st, s, e, "marking an event evaluated");
}

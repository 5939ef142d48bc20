/* sqlite_history.c — the SQLite store's history for rules (vane.history,
 * vane.events). The statements are fixed, and checked to be read-only
 * when prepared (sqlite3_stmt_readonly): rules never hand SQL to the
 * store, and what they read cannot change what is stored. */
#include "store/sqlite_int.h"

/* The cached statement, refused (and dropped) if it could write. */
static sqlite3_stmt *read_only(store_t *st, int which, const char *sql, err_t *e)
{
    sqlite3_stmt *q = db_stmt(st, which, sql, e);
    if (q && !sqlite3_stmt_readonly(q)) {
        sqlite3_finalize(q);
        st->stmt[which] = NULL;
        err_set(e, "refused a statement that could write");
        return NULL;
    }
    return q;
}

/* The newest `limit` rows, handed back oldest first. */
static const char sql_history_item[] =
    "SELECT " EVENT_COLUMNS " FROM (SELECT " EVENT_STORED_COLUMNS " FROM events "
    "WHERE source = ?1 AND key = ?2 AND superseded_by IS NULL ORDER BY id DESC LIMIT ?3) ORDER BY id";

int store_history_item(store_t *st, const char *source, const char *key, size_t max,
                       store_event_t **evs, size_t *n, err_t *e)
{
    sqlite3_stmt *q = read_only(st, Q_HISTORY_ITEM, sql_history_item, e);
    if (!q)
        return -1;
    db_bind(q, "ttI", source, key, (long long)max);
    return db_read_events(st, q, max, evs, n, e);
}

static const char sql_history_events[] =
    "SELECT " EVENT_COLUMNS " FROM (SELECT " EVENT_STORED_COLUMNS " FROM events "
    "WHERE superseded_by IS NULL AND (?1 IS NULL OR source = ?1) AND (?2 IS NULL OR observed_at >= ?2) "
    "AND (?3 IS NULL OR change = ?3) AND (?4 OR baseline = 0) ORDER BY id DESC LIMIT ?5) "
    "ORDER BY id";

int store_history_events(store_t *st, const store_history_query_t *h, store_event_t **evs,
                         size_t *n, err_t *e)
{
    sqlite3_stmt *q = read_only(st, Q_HISTORY_EVENTS, sql_history_events, e);
    if (!q)
        return -1;
    db_bind(q, "tttiI", h->source, h->since, h->change, h->baseline, (long long)h->limit);
    return db_read_events(st, q, h->limit, evs, n, e);
}

/* sql_history.c — the SQLite store's history for rules (vane.history,
 * vane.events) and for `vane replay`. The statements are the store's own
 * (fixed, or built from the filters set by sql_reads.c), and checked to
 * be read-only when prepared (db_stmt_t_readonly): rules never hand SQL
 * to the store, and what they read cannot change what is stored. */
#include "store/db.h"
#include "store/sql_reads.h"

/* The cached statement, refused (and dropped) if it could write. */
static db_stmt_t *read_only(store_t *st, int which, const char *sql, err_t *e)
{
    db_stmt_t *q = db_stmt(st, which, sql, e);
    if (q && !db_stmt_readonly(q)) {
        db_finalize(q);
        st->stmt[which] = NULL;
        err_set(e, "refused a statement that could write");
        return NULL;
    }
    return q;
}

/* The newest `max` events of the item, handed back oldest first. */
int store_history_item(store_t *st, const char *source, const char *key, size_t max,
                       store_event_t **evs, size_t *n, err_t *e)
{
    db_stmt_t *q = read_only(st, Q_HISTORY_ITEM, db_sql_item, e);
    if (!q)
        return -1;
    db_bind(q, "ttI", source, key, (long long)max);
    return db_read_events(st, q, max, evs, n, e);
}

/* A statement built for this call (sql_reads.c), refused if it could
 * write; NULL with e set. */
static db_stmt_t *prepare_read(store_t *st, int built, buf_t *sql, err_t *e)
{
    db_stmt_t *q = NULL;
    int rc = -1;
    if (built != 0)
        err_set(e, "reading history: out of memory");
    else if (db_prepare(st, buf_str(sql), &q) != 0)
        db_error(st, e, "preparing a history read");
    else if (!db_stmt_readonly(q))
        err_set(e, "refused a statement that could write");
    else
        rc = 0;
    buf_free(sql);
    if (rc != 0) {
        db_finalize(q);
        q = NULL;
    }
    return q;
}

/* Read the bound statement's events, then finalize it. */
static int read_and_finalize(store_t *st, db_stmt_t *q, size_t max, store_event_t **evs,
                             size_t *n, err_t *e)
{
    int rc = db_read_events(st, q, max, evs, n, e);
    db_finalize(q);
    return rc;
}

/* ---- the newest-first probe --------------------------------------------------- */

/* Rows asked for, at most, for a probe to be worth trying, and the ids it
 * tries per row asked for: a probe that fails has cost at most that walk. */
#define PROBE_MAX 1000
#define PROBE_SPAN 4

static int read_int64(db_stmt_t *s, void *ud)
{
    *(long long *)ud = db_column_int64(s, 0);
    return 0;
}

/* The first column of sql's one row as a number (0 for none). */
static int query_int64(store_t *st, const char *sql, db_binder_fn bind, const void *ud,
                       long long floor, long long *out, err_t *e)
{
    db_stmt_t *s;
    *out = 0;
    if (db_prepare(st, sql, &s) != 0)
        return db_error(st, e, "preparing a history read");
    if (bind)
        bind(s, ud);
    db_bind_named_int64(s, ":floor", floor);
    int rc = db_first_row(st, s, read_int64, out, e, "reading history");
    db_finalize(s);
    return rc < 0 ? -1 : 0;
}

int db_probe_newest(store_t *st, const char *last_sql, const char *probe_sql, long long limit,
                    db_binder_fn bind, const void *ud, long long *floor, err_t *e)
{
    long long last, found;
    if (limit <= 0 || limit > PROBE_MAX)
        return 0;
    if (query_int64(st, last_sql, NULL, NULL, 0, &last, e) != 0)
        return -1;
    *floor = last - PROBE_SPAN * limit;
    if (*floor <= 0) /* a table this small is read as cheaply with the id bound */
        return 0;
    buf_t count = {0};
    if (buf_printf(&count, "SELECT count(*) FROM (%s) AS probe", probe_sql) != 0) {
        buf_free(&count);
        return err_set(e, "reading history: out of memory");
    }
    int rc = query_int64(st, buf_str(&count), bind, ud, *floor, &found, e);
    buf_free(&count);
    return rc != 0 ? -1 : found == limit;
}

/* ---- vane.events ----------------------------------------------------------------- */

static void bind_history(db_stmt_t *q, const void *ud)
{
    const store_history_query_t *h = ud;
    db_bind_named(q, ":source", h->source);
    db_bind_named(q, ":since", h->since);
    db_bind_named(q, ":change", h->change);
    db_bind_named_int64(q, ":limit", (long long)h->limit);
}

/* The statement for h: the newest-first probe's when it answers h. */
static int history_sql(store_t *st, const store_history_query_t *h, buf_t *sql,
                       long long *floor, err_t *e)
{
    if (h->since && h->limit <= PROBE_MAX) {
        if (db_sql_history(h, 1, sql) != 0)
            return err_set(e, "reading history: out of memory");
        int probed = db_probe_newest(st, db_sql_last[STORE_LIST_EVENTS], buf_str(sql),
                                     (long long)h->limit, bind_history, h, floor, e);
        if (probed != 0)
            return probed < 0 ? -1 : 0;
        buf_reset(sql);
    }
    return db_sql_history(h, 0, sql) != 0 ? err_set(e, "reading history: out of memory") : 0;
}

int store_history_events(store_t *st, const store_history_query_t *h, store_event_t **evs,
                         size_t *n, err_t *e)
{
    buf_t sql = {0};
    long long floor = 0;
    if (history_sql(st, h, &sql, &floor, e) != 0) {
        buf_free(&sql);
        return -1;
    }
    db_stmt_t *q = prepare_read(st, 0, &sql, e);
    if (!q)
        return -1;
    bind_history(q, h);
    db_bind_named_int64(q, ":floor", floor);
    return read_and_finalize(st, q, h->limit, evs, n, e);
}

/* ---- vane replay: pages of history in id order -------------------------------- */

static int read_span(db_stmt_t *s, void *ud)
{
    store_range_t *r = ud;
    r->after = db_column_int64(s, 0) - 1;
    r->last = db_column_int64(s, 1);
    r->done = db_column_type(s, 0) == DB_NULL;
    return 0;
}

/* The ids the window [since, until) can have, read once from the index on
 * observed_at; the pages then walk ids and check each row's time. */
static int find_span(store_t *st, store_range_t *r, err_t *e)
{
    buf_t sql = {0};
    db_stmt_t *q = prepare_read(st, db_sql_span(r->since, r->until, &sql), &sql, e);
    if (!q)
        return -1;
    db_bind_named(q, ":since", r->since);
    db_bind_named(q, ":until", r->until);
    int rc = db_first_row(st, q, read_span, r, e, "reading the window of history");
    db_finalize(q);
    return rc < 0 ? -1 : 0;
}

int store_events_range(store_t *st, store_range_t *r, size_t max, store_event_t **evs, size_t *n,
                       err_t *e)
{
    *evs = NULL;
    *n = 0;
    if (!r->started && (r->since || r->until) && find_span(st, r, e) != 0)
        return -1;
    r->started = 1;
    if (r->done)
        return 0;
    buf_t sql = {0};
    db_stmt_t *q = prepare_read(st, db_sql_range(r->since, r->until, r->last > 0, &sql), &sql, e);
    if (!q)
        return -1;
    db_bind_named_int64(q, ":after", r->after);
    db_bind_named_int64(q, ":last", r->last);
    db_bind_named(q, ":since", r->since);
    db_bind_named(q, ":until", r->until);
    db_bind_named_int64(q, ":limit", (long long)max);
    if (read_and_finalize(st, q, max, evs, n, e) != 0)
        return -1;
    if (*n > 0)
        r->after = (*evs)[*n - 1].id;
    r->done = *n < max;
    return 0;
}

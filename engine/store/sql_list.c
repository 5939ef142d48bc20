/* sql_list.c — the SQLite store's rows for the listings (`vane events,
 * flags, sources, runs, outbox`): plain values in the order listing.h
 * gives, turned into JSON and table columns by listing.c. The statement
 * has only the filters that are set (sql_reads.c), bound by name; a
 * limit keeps the newest rows (the highest ids), still handed back in id
 * order. */
#include "store/db.h"

#include <limits.h>
#include "store/sql_reads.h"

#define MAX_VALUES 24

static void bind_filter(db_stmt_t *s, const store_filter_t *f)
{
    if (f) {
        db_bind_named(s, ":since", f->since);
        db_bind_named(s, ":source", f->source);
        db_bind_named(s, ":rule", f->rule);
        db_bind_named(s, ":channel", f->channel);
        db_bind_named(s, ":key", f->key);
        db_bind_named(s, ":change", f->change);
    }
    db_bind_named_int64(s, ":limit", f && f->limit > 0 ? f->limit : LLONG_MAX);
}

static void bind_listing(db_stmt_t *s, const void *ud)
{
    bind_filter(s, ud);
}

/* The statement for f: for events and flags with a time bound and a
 * limit, the newest-first probe's when it answers f (*floor set). */
static int listing_sql(store_t *st, store_list_kind_t kind, const store_filter_t *f, buf_t *sql,
                       long long *floor, err_t *e)
{
    if (f && f->since && f->limit > 0 && (kind == STORE_LIST_EVENTS || kind == STORE_LIST_FLAGS)) {
        if (db_sql_list(kind, f, 1, sql) != 0)
            return err_set(e, "listing: out of memory");
        int probed = db_probe_newest(st, db_sql_last[kind], buf_str(sql), f->limit, bind_listing,
                                     f, floor, e);
        if (probed != 0)
            return probed < 0 ? -1 : 0;
        buf_reset(sql);
    }
    return db_sql_list(kind, f, 0, sql) != 0 ? err_set(e, "listing: out of memory") : 0;
}

typedef struct lister {
    int n;
    store_values_fn fn;
    void *ud;
} lister_t;

static int list_row(db_stmt_t *s, void *ud)
{
    lister_t *l = ud;
    store_value_t v[MAX_VALUES];
    /* known once a row is read (a PostgreSQL statement runs on its first step) */
    l->n = db_column_count(s) < MAX_VALUES ? db_column_count(s) : MAX_VALUES;
    for (int i = 0; i < l->n; i++)
        v[i] = db_value(s, i);
    return l->fn(l->ud, v);
}

int store_list_rows(store_t *st, store_list_kind_t kind, const store_filter_t *f,
                    store_values_fn fn, void *ud, err_t *e)
{
    db_stmt_t *s;
    buf_t sql = {0};
    long long floor = 0;
    if (listing_sql(st, kind, f, &sql, &floor, e) != 0) {
        buf_free(&sql);
        return -1;
    }
    int prepared = db_prepare(st, buf_str(&sql), &s);
    buf_free(&sql);
    if (prepared != 0)
        return db_error(st, e, "preparing a listing");
    bind_filter(s, f);
    db_bind_named_int64(s, ":floor", floor);
    lister_t l = {0, fn, ud};
    int rc = db_each_row(st, s, list_row, &l, e, "listing");
    db_finalize(s);
    return rc;
}

/* sql_flag_query.c — the flags the web view's feed and API list (see
 * flag_query.h), with the flags page's own conditions
 * (db_flag_filter_where, sql_web.c), newest first by id, stopping at
 * the limit. */
#include "store/flag_query.h"

#include <string.h>

#include "store/db.h"

/* The columns of the flags listing, in listing.h's order. */
#define FLAG_LISTING_COLUMNS                                                          \
    "id, run_id, rule, severity, message, source, key, change, event_id, observed_at, " \
    "created_at, silence_id, title, link, source_name, rule_title, changes, "          \
    "(SELECT reason FROM silences s WHERE s.id = silence_id)"
#define N_COLUMNS 18

static int flags_sql(const store_web_filter_t *f, buf_t *sql)
{
    int n = 0;
    int rc = buf_puts(sql, "SELECT " FLAG_LISTING_COLUMNS " FROM flags f");
    rc |= db_flag_filter_where(f, sql, &n);
    if (f->before > 0)
        rc |= buf_puts(sql, n ? " AND f.id < :before" : " WHERE f.id < :before");
    return rc | buf_puts(sql, " ORDER BY f.id DESC LIMIT :limit");
}

static char *col(db_stmt_t *s, int i)
{
    return (char *)db_column_text(s, i);
}

static store_flag_row_t row_of(db_stmt_t *s)
{
    return (store_flag_row_t){
        .id = db_column_int64(s, 0), .run_id = db_column_int64(s, 1),
        .rule = col(s, 2), .severity = col(s, 3), .message = col(s, 4), .source = col(s, 5),
        .key = col(s, 6), .change = col(s, 7), .event_id = db_column_int64(s, 8),
        .observed_at = col(s, 9), .created_at = col(s, 10),
        .silence_id = db_column_int64(s, 11), .title = col(s, 12), .link = col(s, 13),
        .source_name = col(s, 14), .rule_title = col(s, 15), .changes = col(s, 16)};
}

int store_flags_find(store_t *st, const store_web_filter_t *f, store_flag_found_fn fn, void *ud,
                     err_t *e)
{
    buf_t sql = {0}, json = {0};
    if (flags_sql(f, &sql) != 0) {
        buf_free(&sql);
        return err_set(e, "listing flags: out of memory");
    }
    db_stmt_t *s;
    int prepared = db_prepare(st, buf_str(&sql), &s);
    buf_free(&sql);
    if (prepared != 0)
        return db_error(st, e, "listing flags");
    db_flag_filter_bind(s, f);
    db_bind_named_int64(s, ":before", f->before);
    db_bind_named_int64(s, ":limit", (long long)f->limit);
    int rc, oom = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        store_value_t v[N_COLUMNS];
        for (int i = 0; i < N_COLUMNS; i++)
            v[i] = db_value(s, i);
        buf_reset(&json);
        if (store_flag_listing_json(v, &json) != 0) {
            oom = 1;
            break;
        }
        store_flag_row_t row = row_of(s);
        if (fn(ud, buf_str(&json), &row))
            break;
    }
    db_finalize(s);
    buf_free(&json);
    if (oom)
        return err_set(e, "listing flags: out of memory");
    if (rc != DB_ROW && rc != DB_DONE)
        return db_error(st, e, "listing flags");
    return 0;
}

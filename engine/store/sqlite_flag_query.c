/* sqlite_flag_query.c — the flags the web view's feed and API list (see
 * flag_query.h). The walk is newest first by id, narrowed by the flags'
 * indexes on rule and source when those are given, a time bound read as
 * an id bound through flags_created; severity and text are tested on the
 * rows walked, which stop at the limit. */
#include "store/flag_query.h"

#include <string.h>

#include "config/severity.h"
#include "store/sqlite_int.h"

/* The columns of the flags listing, in listing.h's order. */
#define FLAG_LISTING_COLUMNS                                                          \
    "id, run_id, rule, severity, message, source, key, change, event_id, observed_at, " \
    "created_at, silence_id, title, link, source_name, rule_title, changes, "          \
    "(SELECT reason FROM silences s WHERE s.id = silence_id)"
#define N_COLUMNS 18

static int flags_sql(const store_flag_query_t *q, buf_t *sql)
{
    int rc = buf_puts(sql, "SELECT " FLAG_LISTING_COLUMNS " FROM flags WHERE 1");
    if (q->rule)
        rc |= buf_puts(sql, " AND rule = :rule");
    if (q->source)
        rc |= buf_puts(sql, " AND source = :source");
    if (q->since)
        rc |= buf_puts(sql, " AND id >= (SELECT min(id) FROM flags INDEXED BY flags_created "
                            "WHERE created_at >= :since) AND +created_at >= :since");
    if (q->until)
        rc |= buf_puts(sql, " AND id < coalesce((SELECT min(id) FROM flags INDEXED BY flags_created "
                            "WHERE created_at >= :until), 9223372036854775807) "
                            "AND +created_at < :until");
    if (q->before > 0)
        rc |= buf_puts(sql, " AND id < :before");
    if (q->min_severity > 0) {
        rc |= buf_puts(sql, " AND +severity IN (");
        for (int r = q->min_severity; r <= 4; r++)
            rc |= buf_printf(sql, "%s'%s'", r > q->min_severity ? ", " : "", severity_name(r));
        rc |= buf_putc(sql, ')');
    }
    if (q->q)
        rc |= buf_puts(sql, " AND (message LIKE :q ESCAPE '\\' OR title LIKE :q ESCAPE '\\')");
    rc |= buf_puts(sql, " ORDER BY id DESC LIMIT :limit");
    return rc;
}

/* %q% with LIKE's wildcards in q escaped. */
static int like_pattern(const char *q, buf_t *out)
{
    int rc = buf_putc(out, '%');
    for (; *q; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            rc |= buf_putc(out, '\\');
        rc |= buf_putc(out, *q);
    }
    return rc | buf_putc(out, '%');
}

static char *col(sqlite3_stmt *s, int i)
{
    return (char *)sqlite3_column_text(s, i);
}

static store_flag_row_t row_of(sqlite3_stmt *s)
{
    return (store_flag_row_t){
        .id = sqlite3_column_int64(s, 0), .run_id = sqlite3_column_int64(s, 1),
        .rule = col(s, 2), .severity = col(s, 3), .message = col(s, 4), .source = col(s, 5),
        .key = col(s, 6), .change = col(s, 7), .event_id = sqlite3_column_int64(s, 8),
        .observed_at = col(s, 9), .created_at = col(s, 10),
        .silence_id = sqlite3_column_int64(s, 11), .title = col(s, 12), .link = col(s, 13),
        .source_name = col(s, 14), .rule_title = col(s, 15), .changes = col(s, 16)};
}

int store_flags_find(store_t *st, const store_flag_query_t *q, store_flag_found_fn fn, void *ud,
                     err_t *e)
{
    buf_t sql = {0}, pattern = {0}, json = {0};
    if (flags_sql(q, &sql) != 0 || (q->q && like_pattern(q->q, &pattern) != 0)) {
        buf_free(&sql);
        buf_free(&pattern);
        return err_set(e, "listing flags: out of memory");
    }
    sqlite3_stmt *s;
    int prepared = sqlite3_prepare_v2(st->db, buf_str(&sql), -1, &s, NULL);
    buf_free(&sql);
    if (prepared != SQLITE_OK) {
        buf_free(&pattern);
        return db_error(st, e, "listing flags");
    }
    db_bind_named(s, ":rule", q->rule);
    db_bind_named(s, ":source", q->source);
    db_bind_named(s, ":since", q->since);
    db_bind_named(s, ":until", q->until);
    db_bind_named(s, ":q", q->q ? buf_str(&pattern) : NULL);
    db_bind_named_int64(s, ":before", q->before);
    db_bind_named_int64(s, ":limit", q->limit);
    int rc, oom = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_value_t v[N_COLUMNS];
        for (int i = 0; i < N_COLUMNS; i++)
            v[i] = db_value(s, i);
        buf_reset(&json);
        if (store_flag_listing_json(v, &json) != 0) {
            oom = 1;
            break;
        }
        store_flag_row_t f = row_of(s);
        if (fn(ud, buf_str(&json), &f))
            break;
    }
    sqlite3_finalize(s);
    buf_free(&pattern);
    buf_free(&json);
    if (oom)
        return err_set(e, "listing flags: out of memory");
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(st, e, "listing flags");
    return 0;
}

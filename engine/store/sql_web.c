/* sql_web.c — the SQLite store's reads for the web view's list of
 * flags (web.h): the SQL built from the filters that are set, in the
 * manner of sql_reads.c, and id paging both ways. */
#include "store/web.h"

#include <stdint.h>
#include <stdlib.h>

#include "config/severity.h"
#include "store/db.h"

static int cond(buf_t *out, int *n, const char *sql)
{
    return buf_puts(out, (*n)++ ? " AND " : " WHERE ") | buf_puts(out, sql);
}

/* The flags page's filters as conditions on flags aliased f, bound by
 * db_flag_filter_bind; the web view's pages, its feed and its API all
 * read flags through them, so one filter means one set of flags. */
int db_flag_filter_where(const store_web_filter_t *f, buf_t *out, int *n)
{
    int rc = 0;
    if (f->rule)
        rc |= cond(out, n, "f.rule = :rule");
    if (f->source)
        rc |= cond(out, n, "f.source = :source");
    if (f->since)
        rc |= cond(out, n, "f.id >= (SELECT min(id) FROM flags INDEXED BY flags_created "
                            "WHERE created_at >= :since) AND +f.created_at >= :since");
    if (f->until)
        rc |= cond(out, n, "f.id <= (SELECT max(id) FROM flags INDEXED BY flags_created "
                            "WHERE created_at < :until) AND +f.created_at < :until");
    if (f->min_severity > 0) {
        rc |= cond(out, n, "+f.severity IN (");
        for (int r = f->min_severity; r <= 4; r++)
            rc |= buf_printf(out, "%s'%s'", r > f->min_severity ? ", " : "", severity_name(r));
        rc |= buf_putc(out, ')');
    }
    if (f->q)
        rc |= cond(out, n, "(instr(lower(f.message), lower(:q)) > 0 OR "
                            "instr(lower(coalesce(f.title, '')), lower(:q)) > 0)");
    return rc;
}

void db_flag_filter_bind(db_stmt_t *s, const store_web_filter_t *f)
{
    db_bind_named(s, ":rule", f->rule);
    db_bind_named(s, ":source", f->source);
    db_bind_named(s, ":since", f->since);
    db_bind_named(s, ":until", f->until);
    db_bind_named(s, ":q", f->q);
}

int store_web_flags_sql(const store_web_filter_t *f, int lo, int hi, int ascending, int probe,
                        buf_t *out)
{
    int n = 0;
    int rc = buf_puts(out, probe ? "SELECT f.id FROM flags f"
                                 : "SELECT f.id, f.silence_id, f.rule, f.severity, f.message, "
                                   "f.source, f.source_name, f.title, f.link, f.created_at, "
                                   "(SELECT verdict FROM verdicts v WHERE v.flag_id = f.id), "
                                   "(SELECT count(*) FROM outbox o WHERE o.flag_id = f.id "
                                   "AND o.status = 'sent'), "
                                   "(SELECT count(*) FROM outbox o WHERE o.flag_id = f.id "
                                   "AND o.status = 'pending'), "
                                   "(SELECT count(*) FROM outbox o WHERE o.flag_id = f.id "
                                   "AND o.status = 'dead') FROM flags f");
    rc |= db_flag_filter_where(f, out, &n);
    if (lo)
        rc |= cond(out, &n, "f.id > :lo");
    if (hi)
        rc |= cond(out, &n, "f.id < :hi");
    rc |= buf_puts(out, ascending ? " ORDER BY f.id" : " ORDER BY f.id DESC");
    rc |= buf_puts(out, probe ? " LIMIT 1" : " LIMIT :limit");
    return rc ? -1 : 0;
}

/* The statement for f with its filters bound, and lo, hi, limit. */
static db_stmt_t *prepare(store_t *st, const store_web_filter_t *f, long long lo, long long hi,
                             int ascending, int probe, long long limit, err_t *e)
{
    buf_t sql = {0};
    if (store_web_flags_sql(f, lo != 0, hi != 0, ascending, probe, &sql) < 0) {
        buf_free(&sql);
        err_set(e, "reading flags: out of memory");
        return NULL;
    }
    db_stmt_t *s;
    int rc = db_prepare(st, buf_str(&sql), &s);
    buf_free(&sql);
    if (rc != 0) {
        db_error(st, e, "reading flags");
        return NULL;
    }
    db_flag_filter_bind(s, f);
    db_bind_named_int64(s, ":lo", lo);
    db_bind_named_int64(s, ":hi", hi);
    db_bind_named_int64(s, ":limit", limit);
    return s;
}

static const db_column_t columns[] = {
    DB_INT64(store_web_flag_t, id),          DB_INT64(store_web_flag_t, silence_id),
    DB_TEXT(store_web_flag_t, rule),         DB_TEXT(store_web_flag_t, severity),
    DB_TEXT(store_web_flag_t, message),      DB_TEXT(store_web_flag_t, source),
    DB_TEXT(store_web_flag_t, source_name),  DB_TEXT(store_web_flag_t, title),
    DB_TEXT(store_web_flag_t, link),         DB_TEXT(store_web_flag_t, created_at),
    DB_TEXT(store_web_flag_t, verdict),      DB_LONG(store_web_flag_t, sent),
    DB_LONG(store_web_flag_t, pending),      DB_LONG(store_web_flag_t, dead),
};

static int read_row(db_stmt_t *s, void *row)
{
    db_read_columns(s, row, columns, DB_COUNT(columns));
    store_web_flag_t *r = row;
    return r->rule && r->severity && r->message && r->created_at ? 0 : -1;
}

static void free_strings(store_web_flag_t *r)
{
    char *strings[] = {r->rule,  r->severity, r->message,    r->source, r->source_name,
                       r->title, r->link,     r->created_at, r->verdict};
    for (size_t k = 0; k < sizeof strings / sizeof *strings; k++)
        free(strings[k]);
}

static void free_rows(void *rows, size_t n)
{
    store_web_flag_t *v = rows;
    for (size_t i = 0; i < n; i++)
        free_strings(&v[i]);
    free(rows);
}

static const db_rows_t shape = {sizeof(store_web_flag_t), 16, read_row, free_rows,
                                "reading flags"};

static int read_first(db_stmt_t *s, void *ud)
{
    (void)s;
    *(int *)ud = 1;
    return 0;
}

/* *found: 1 when a flag matching f has an id above lo (or below hi). */
static int probe(store_t *st, const store_web_filter_t *f, long long lo, long long hi, int *found,
                 err_t *e)
{
    *found = 0;
    db_stmt_t *s = prepare(st, f, lo, hi, lo != 0, 1, 1, e);
    if (!s)
        return -1;
    int rc = db_first_row(st, s, read_first, found, e, "reading flags");
    db_finalize(s);
    return rc < 0 ? -1 : 0;
}

static void reverse(store_web_flag_t *v, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        store_web_flag_t t = v[i];
        v[i] = v[n - 1 - i];
        v[n - 1 - i] = t;
    }
}

int store_web_flags(store_t *st, const store_web_filter_t *f, store_web_page_t *page, err_t *e)
{
    *page = (store_web_page_t){0};
    size_t limit = f->limit ? f->limit : 50;
    int up = f->after > 0;   /* reading the page just newer than `after` */
    db_stmt_t *s = prepare(st, f, up ? f->after : 0, up ? 0 : f->before, up, 0,
                              (long long)limit + 1, e);
    if (!s)
        return -1;
    void *rows = NULL;
    int rc = db_read_rows(st, s, &shape, SIZE_MAX, &rows, &page->n, e);
    db_finalize(s);
    if (rc < 0)
        return -1;
    page->rows = rows;
    int more = page->n > limit;
    if (more) {
        free_strings(&page->rows[limit]);
        page->n = limit;
    }
    if (up)
        reverse(page->rows, page->n);
    /* whether pages lie on the other side */
    long long newest = page->n ? page->rows[0].id : (up ? 0 : f->before - 1);
    long long oldest = page->n ? page->rows[page->n - 1].id : (up ? f->after + 1 : 0);
    if (up) {
        page->newer = more;
        rc = oldest > 0 ? probe(st, f, 0, oldest, &page->older, e) : 0;
    } else {
        page->older = more;
        rc = f->before > 0 && newest > 0 ? probe(st, f, newest, 0, &page->newer, e) : 0;
    }
    if (rc < 0)
        store_web_page_free(page);
    return rc;
}

void store_web_page_free(store_web_page_t *page)
{
    free_rows(page->rows, page->n);
    *page = (store_web_page_t){0};
}

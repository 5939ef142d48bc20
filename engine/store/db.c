/* db.c — the store's statement helpers (see db.h): the cached statements,
 * binding by format letters, stepping and reading rows into structs, and
 * the calls each go to the connection's driver; opening a store picks the
 * driver from the name (a postgresql:// URL, or a SQLite file). */
#include "store/db.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int db_error(store_t *st, err_t *e, const char *what)
{
    return err_set(e, "database %s: %s: %s", st->path, what, st->drv->errmsg(st));
}

db_stmt_t *db_stmt(store_t *st, int which, const char *sql, err_t *e)
{
    db_stmt_t *s = st->stmt[which];
    if (!s) {
        if (st->drv->prepare(st, sql, &st->stmt[which]) != 0) {
            db_error(st, e, "preparing a statement");
            return NULL;
        }
        return st->stmt[which];
    }
    db_reset(s);
    return s;
}

int db_exec(store_t *st, db_stmt_t *s, err_t *e, const char *what)
{
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return db_error(st, e, what);
    return 0;
}

void db_bind_text(db_stmt_t *s, int i, const char *v)
{
    s->drv->bind_text(s, i, v);
}

void db_bind_named(db_stmt_t *s, const char *name, const char *v)
{
    int i = s->drv->param_index(s, name);
    if (i > 0)
        db_bind_text(s, i, v);
}

void db_bind_named_int64(db_stmt_t *s, const char *name, long long v)
{
    int i = s->drv->param_index(s, name);
    if (i > 0)
        db_bind_int64(s, i, v);
}

static void bind_id(db_stmt_t *s, int i, long long v)
{
    if (v)
        db_bind_int64(s, i, v);
    else
        db_bind_null(s, i);
}

/* The letters are listed in db.h. */
static void bind_args(db_stmt_t *s, const char *fmt, va_list ap)
{
    assert(s->drv->param_count(s) == (int)strlen(fmt));
    for (int i = 1; *fmt; fmt++, i++) {
        switch (*fmt) {
        case 't': db_bind_text(s, i, va_arg(ap, const char *)); break;
        case 'i': db_bind_int(s, i, va_arg(ap, int)); break;
        case 'l': db_bind_int64(s, i, va_arg(ap, long)); break;
        case 'I': db_bind_int64(s, i, va_arg(ap, long long)); break;
        case 'd': bind_id(s, i, va_arg(ap, long long)); break;
        default: assert(0 && "db_bind: a letter db.h does not list"); break;
        }
    }
}

void db_bind(db_stmt_t *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bind_args(s, fmt, ap);
    va_end(ap);
}

/* The cached statement with the arguments in ap bound; NULL with e set. */
static db_stmt_t *stmt_bound(store_t *st, int which, const char *sql, err_t *e, const char *fmt,
                             va_list ap)
{
    db_stmt_t *s = db_stmt(st, which, sql, e);
    if (s)
        bind_args(s, fmt, ap);
    return s;
}

db_stmt_t *db_query(store_t *st, int which, const char *sql, err_t *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    db_stmt_t *s = stmt_bound(st, which, sql, e, fmt, ap);
    va_end(ap);
    return s;
}

int db_run(store_t *st, int which, const char *sql, err_t *e, const char *what,
           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    db_stmt_t *s = stmt_bound(st, which, sql, e, fmt, ap);
    va_end(ap);
    return s ? db_exec(st, s, e, what) : -1;
}

int db_run_id(store_t *st, int which, const char *sql, err_t *e, const char *what,
              long long *id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    db_stmt_t *s = stmt_bound(st, which, sql, e, fmt, ap);
    va_end(ap);
    if (!s)
        return -1;
    int rc = db_step(s);
    if (rc == DB_ROW)
        *id = db_column_int64(s, 0);
    if (rc == DB_ROW && db_step(s) != DB_DONE)
        rc = DB_FAIL;
    db_reset(s);
    if (rc != DB_ROW && rc != DB_DONE)
        return db_error(st, e, what);
    return rc == DB_ROW;
}

int db_each_row(store_t *st, db_stmt_t *s, db_row_fn fn, void *ud, err_t *e, const char *what)
{
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(s, ud))
            break;
    int ok = rc == DB_ROW || rc == DB_DONE;
    if (!ok)
        db_error(st, e, what);
    db_reset(s);
    return ok ? 0 : -1;
}

int db_first_row(store_t *st, db_stmt_t *s, db_row_fn fn, void *ud, err_t *e,
                 const char *what)
{
    int rc = db_step(s);
    if (rc == DB_ROW)
        fn(s, ud);
    db_reset(s);
    if (rc != DB_ROW && rc != DB_DONE)
        return db_error(st, e, what);
    return rc == DB_ROW;
}

/* The letters are listed in db.h. */
void db_read_columns(db_stmt_t *s, void *row, const db_column_t *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        void *p = (char *)row + cols[i].offset;
        int c = (int)i;
        switch (cols[i].kind) {
        case 't': *(char **)p = db_column_dup(s, c); break;
        case 'i': *(int *)p = db_column_int(s, c); break;
        case 'l': *(long *)p = (long)db_column_int64(s, c); break;
        case 'I': *(long long *)p = db_column_int64(s, c); break;
        default: assert(0 && "db_read_columns: a letter db.h does not list"); break;
        }
    }
}

/* The array db_read_rows is filling. */
typedef struct reading {
    const db_rows_t *shape;
    char *rows;
    size_t len, cap, max;
    int out_of_memory;
} reading_t;

static int read_row(db_stmt_t *s, void *ud)
{
    reading_t *r = ud;
    if (r->len == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : r->shape->first;
        char *more = realloc(r->rows, cap * r->shape->size);
        if (!more)
            return r->out_of_memory = 1;
        r->rows = more;
        r->cap = cap;
    }
    if (r->shape->read(s, r->rows + r->len++ * r->shape->size) != 0)
        return r->out_of_memory = 1;
    return r->len >= r->max;
}

int db_read_rows(store_t *st, db_stmt_t *s, const db_rows_t *shape, size_t max, void **rows,
                 size_t *n, err_t *e)
{
    reading_t r = {.shape = shape, .max = max};
    int rc = 0;
    if (max > 0)
        rc = db_each_row(st, s, read_row, &r, e, shape->what);
    else
        db_reset(s);
    if (rc == 0 && r.out_of_memory)
        rc = db_error(st, e, shape->what);
    if (rc != 0) {
        shape->free(r.rows, r.len);
        return -1;
    }
    *rows = r.rows;
    *n = r.len;
    return 0;
}

char *db_column_dup(db_stmt_t *s, int i)
{
    const char *t = db_column_text(s, i);
    return t ? strdup(t) : NULL;
}

store_value_t db_value(db_stmt_t *s, int i)
{
    int type = db_column_type(s, i);
    if (type == DB_NULL)
        return (store_value_t){STORE_NULL, NULL};
    const char *text = db_column_text(s, i);
    if (type == DB_INTEGER || type == DB_FLOAT)
        return (store_value_t){STORE_NUMBER, text};
    return (store_value_t){STORE_TEXT, text};
}

/* ---- the driver's calls --------------------------------------------------- */

int db_is_pg(const store_t *st)
{
    return st->pg != NULL;
}

int db_prepare(store_t *st, const char *sql, db_stmt_t **out)
{
    *out = NULL;
    return st->drv->prepare(st, sql, out);
}

void db_finalize(db_stmt_t *s)
{
    if (s)
        s->drv->finalize(s);
}

int db_step(db_stmt_t *s)
{
    return s->drv->step(s);
}

void db_reset(db_stmt_t *s)
{
    s->drv->reset(s);
}

void db_bind_int64(db_stmt_t *s, int i, long long v)
{
    s->drv->bind_int64(s, i, v);
}

void db_bind_int(db_stmt_t *s, int i, int v)
{
    s->drv->bind_int64(s, i, v);
}

void db_bind_null(db_stmt_t *s, int i)
{
    s->drv->bind_null(s, i);
}

void db_bind_blob(db_stmt_t *s, int i, const void *p, size_t n)
{
    s->drv->bind_blob(s, i, p, n);
}

int db_column_count(db_stmt_t *s)
{
    return s->drv->column_count(s);
}

int db_column_type(db_stmt_t *s, int i)
{
    return s->drv->column_type(s, i);
}

long long db_column_int64(db_stmt_t *s, int i)
{
    return s->drv->column_int64(s, i);
}

int db_column_int(db_stmt_t *s, int i)
{
    return (int)s->drv->column_int64(s, i);
}

const char *db_column_text(db_stmt_t *s, int i)
{
    return s->drv->column_text(s, i);
}

const void *db_column_blob(db_stmt_t *s, int i)
{
    size_t n = 0;
    const void *p = s->drv->column_blob(s, i, &n);
    return n || p ? p : NULL;
}

size_t db_column_bytes(db_stmt_t *s, int i)
{
    size_t n = 0;
    s->drv->column_blob(s, i, &n);
    return n;
}

int db_stmt_readonly(db_stmt_t *s)
{
    return s->drv->readonly(s);
}

long long db_changes(store_t *st)
{
    return st->drv->changes(st);
}

int db_script(store_t *st, const char *sql)
{
    return st->drv->script(st, sql);
}

store_t *db_store_new(const db_driver_t *drv, const char *name)
{
    store_t *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(name))) {
        free(st);
        return NULL;
    }
    st->drv = drv;
    return st;
}

/* ---- the store's life ------------------------------------------------------ */

int store_is_server(const char *name)
{
    return strncmp(name, "postgresql://", 13) == 0 || strncmp(name, "postgres://", 11) == 0;
}

store_t *store_open(const char *path, err_t *e)
{
    return store_is_server(path) ? db_pg_open(path, e) : db_sqlite_open(path, e);
}

const char *store_name(const store_t *st)
{
    return st->path;
}

void store_close(store_t *st)
{
    if (!st)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        db_finalize(st->stmt[i]);
    st->drv->close(st);
    free(st->beside);
    free(st->path);
    free(st);
}

int store_begin(store_t *st, err_t *e)
{
    return db_run(st, Q_BEGIN, "BEGIN IMMEDIATE", e, "beginning a transaction", "");
}

int store_commit(store_t *st, err_t *e)
{
    return db_run(st, Q_COMMIT, "COMMIT", e, "committing", "");
}

void store_rollback(store_t *st)
{
    if (st->drv->in_transaction(st))
        db_run(st, Q_ROLLBACK, "ROLLBACK", NULL, "rolling back", "");
}

/* sqlite_store.c — the SQLite store's connection: opening (WAL, a busy
 * timeout, foreign keys on, then the migrations), closing, transactions,
 * and the statement helpers the other sqlite_*.c files share (see
 * sqlite_int.h). */
#include "store/sqlite_int.h"

#include <assert.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int db_error(store_t *st, err_t *e, const char *what)
{
    return err_set(e, "database %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

sqlite3_stmt *db_stmt(store_t *st, int which, const char *sql, err_t *e)
{
    sqlite3_stmt *s = st->stmt[which];
    if (!s) {
        if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[which],
                               NULL) != SQLITE_OK) {
            db_error(st, e, "preparing a statement");
            return NULL;
        }
        return st->stmt[which];
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

int db_exec(store_t *st, sqlite3_stmt *s, err_t *e, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_error(st, e, what);
    return 0;
}

void db_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

void db_bind_named(sqlite3_stmt *s, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i > 0)
        db_bind_text(s, i, v);
}

void db_bind_named_int64(sqlite3_stmt *s, const char *name, long long v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i > 0)
        sqlite3_bind_int64(s, i, v);
}

static void bind_id(sqlite3_stmt *s, int i, long long v)
{
    if (v)
        sqlite3_bind_int64(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

/* The letters are listed in sqlite_int.h. */
static void bind_args(sqlite3_stmt *s, const char *fmt, va_list ap)
{
    assert(sqlite3_bind_parameter_count(s) == (int)strlen(fmt));
    for (int i = 1; *fmt; fmt++, i++) {
        switch (*fmt) {
        case 't': db_bind_text(s, i, va_arg(ap, const char *)); break;
        case 'i': sqlite3_bind_int(s, i, va_arg(ap, int)); break;
        case 'l': sqlite3_bind_int64(s, i, va_arg(ap, long)); break;
        case 'I': sqlite3_bind_int64(s, i, va_arg(ap, long long)); break;
        case 'd': bind_id(s, i, va_arg(ap, long long)); break;
        default: assert(0 && "db_bind: a letter sqlite_int.h does not list"); break;
        }
    }
}

void db_bind(sqlite3_stmt *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bind_args(s, fmt, ap);
    va_end(ap);
}

sqlite3_stmt *db_query(store_t *st, int which, const char *sql, err_t *e, const char *fmt, ...)
{
    sqlite3_stmt *s = db_stmt(st, which, sql, e);
    if (s) {
        va_list ap;
        va_start(ap, fmt);
        bind_args(s, fmt, ap);
        va_end(ap);
    }
    return s;
}

int db_run(store_t *st, int which, const char *sql, err_t *e, const char *what,
           const char *fmt, ...)
{
    sqlite3_stmt *s = db_stmt(st, which, sql, e);
    if (!s)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    bind_args(s, fmt, ap);
    va_end(ap);
    return db_exec(st, s, e, what);
}

int db_each_row(store_t *st, sqlite3_stmt *s, db_row_fn fn, void *ud, err_t *e, const char *what)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (fn(s, ud))
            break;
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    if (!ok)
        db_error(st, e, what);
    sqlite3_reset(s);
    return ok ? 0 : -1;
}

int db_first_row(store_t *st, sqlite3_stmt *s, db_row_fn fn, void *ud, err_t *e,
                 const char *what)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        fn(s, ud);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(st, e, what);
    return rc == SQLITE_ROW;
}

/* The letters are listed in sqlite_int.h. */
void db_read_columns(sqlite3_stmt *s, void *row, const db_column_t *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        void *p = (char *)row + cols[i].offset;
        int c = (int)i;
        switch (cols[i].kind) {
        case 't': *(char **)p = db_column_dup(s, c); break;
        case 'i': *(int *)p = sqlite3_column_int(s, c); break;
        case 'l': *(long *)p = (long)sqlite3_column_int64(s, c); break;
        case 'I': *(long long *)p = sqlite3_column_int64(s, c); break;
        default: assert(0 && "db_read_columns: a letter sqlite_int.h does not list"); break;
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

static int read_row(sqlite3_stmt *s, void *ud)
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

int db_read_rows(store_t *st, sqlite3_stmt *s, const db_rows_t *shape, size_t max, void **rows,
                 size_t *n, err_t *e)
{
    reading_t r = {.shape = shape, .max = max};
    int rc = 0;
    if (max > 0)
        rc = db_each_row(st, s, read_row, &r, e, shape->what);
    else
        sqlite3_reset(s);
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

char *db_column_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? strdup((const char *)t) : NULL;
}

store_value_t db_value(sqlite3_stmt *s, int i)
{
    int type = sqlite3_column_type(s, i);
    if (type == SQLITE_NULL)
        return (store_value_t){STORE_NULL, NULL};
    const char *text = (const char *)sqlite3_column_text(s, i);
    if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
        return (store_value_t){STORE_NUMBER, text};
    return (store_value_t){STORE_TEXT, text};
}

const char *store_backend(void)
{
    static char name[64];
    snprintf(name, sizeof name, "SQLite %s", sqlite3_libversion());
    return name;
}

/* ---- open / close ------------------------------------------------------------ */

static int set_up(store_t *st, err_t *e)
{
    sqlite3_busy_timeout(st->db, 10000);
    if (sqlite3_exec(st->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                             "PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384; "
                             "PRAGMA temp_store = MEMORY;", NULL, NULL, NULL) != SQLITE_OK)
        return db_error(st, e, "setting it up");
    return 0;
}

/* A new database is created readable by its owner only: it keeps source
 * URLs, items and flags. SQLite gives its -wal and -shm files the mode of
 * the database file, so they follow. An existing file keeps its mode; the
 * umask can only take bits away. */
static void create_private(const char *path)
{
    if (!*path || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
        return;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
}

store_t *store_open(const char *path, err_t *e)
{
    store_t *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        err_set(e, "out of memory");
        return NULL;
    }
    create_private(path);
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        db_error(st, e, "cannot open");
        store_close(st);
        return NULL;
    }
    if (set_up(st, e) != 0 || db_register_event_functions(st, e) != 0 || db_migrate(st, e) != 0) {
        store_close(st);
        return NULL;
    }
    return st;
}

void store_close(store_t *st)
{
    if (!st)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

/* ---- transactions ------------------------------------------------------------ */

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
    if (!sqlite3_get_autocommit(st->db))
        db_run(st, Q_ROLLBACK, "ROLLBACK", NULL, "rolling back", "");
}

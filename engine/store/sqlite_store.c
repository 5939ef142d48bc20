/* sqlite_store.c — the SQLite driver of the store (db.h): the connection
 * (WAL, a busy timeout, foreign keys on, then the migrations), and the
 * driver's calls, each a thin cover over SQLite's own. */
#include "store/db.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A statement: SQLite's, behind the driver's header. */
typedef struct lite_stmt {
    db_stmt_t base;
    sqlite3_stmt *s;
} lite_stmt_t;

static sqlite3_stmt *lite(db_stmt_t *s)
{
    return ((lite_stmt_t *)s)->s;
}

static const db_driver_t sqlite_driver;

static int lite_prepare(store_t *st, const char *sql, db_stmt_t **out)
{
    lite_stmt_t *l = calloc(1, sizeof *l);
    if (!l)
        return -1;
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &l->s, NULL) != SQLITE_OK) {
        sqlite3_finalize(l->s);
        free(l);
        return -1;
    }
    l->base.drv = &sqlite_driver;
    *out = &l->base;
    return 0;
}

static void lite_finalize(db_stmt_t *s)
{
    sqlite3_finalize(lite(s));
    free(s);
}

static int lite_step(db_stmt_t *s)
{
    int rc = sqlite3_step(lite(s));
    return rc == SQLITE_ROW ? DB_ROW : rc == SQLITE_DONE ? DB_DONE : DB_FAIL;
}

static void lite_reset(db_stmt_t *s)
{
    sqlite3_reset(lite(s));
    sqlite3_clear_bindings(lite(s));
}

static int lite_param_count(db_stmt_t *s)
{
    return sqlite3_bind_parameter_count(lite(s));
}

static int lite_param_index(db_stmt_t *s, const char *name)
{
    return sqlite3_bind_parameter_index(lite(s), name);
}

static void lite_bind_text(db_stmt_t *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(lite(s), i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(lite(s), i);
}

static void lite_bind_int64(db_stmt_t *s, int i, long long v)
{
    sqlite3_bind_int64(lite(s), i, v);
}

static void lite_bind_null(db_stmt_t *s, int i)
{
    sqlite3_bind_null(lite(s), i);
}

/* The blob is copied: the caller may free it at once. */
static void lite_bind_blob(db_stmt_t *s, int i, const void *p, size_t n)
{
    sqlite3_bind_blob64(lite(s), i, p, n, SQLITE_TRANSIENT);
}

static int lite_column_count(db_stmt_t *s)
{
    return sqlite3_column_count(lite(s));
}

static int lite_column_type(db_stmt_t *s, int i)
{
    switch (sqlite3_column_type(lite(s), i)) {
    case SQLITE_INTEGER: return DB_INTEGER;
    case SQLITE_FLOAT: return DB_FLOAT;
    case SQLITE_BLOB: return DB_BLOB;
    case SQLITE_NULL: return DB_NULL;
    default: return DB_TEXT;
    }
}

static long long lite_column_int64(db_stmt_t *s, int i)
{
    return sqlite3_column_int64(lite(s), i);
}

static const char *lite_column_text(db_stmt_t *s, int i)
{
    return (const char *)sqlite3_column_text(lite(s), i);
}

static const void *lite_column_blob(db_stmt_t *s, int i, size_t *n)
{
    const void *p = sqlite3_column_blob(lite(s), i);
    *n = (size_t)sqlite3_column_bytes(lite(s), i);
    return p;
}

static int lite_readonly(db_stmt_t *s)
{
    return sqlite3_stmt_readonly(lite(s));
}

static long long lite_changes(store_t *st)
{
    return sqlite3_changes(st->db);
}

static const char *lite_errmsg(store_t *st)
{
    return sqlite3_errmsg(st->db);
}

static int lite_script(store_t *st, const char *sql)
{
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int lite_in_transaction(store_t *st)
{
    return !sqlite3_get_autocommit(st->db);
}

static void lite_close(store_t *st)
{
    sqlite3_close(st->db);
    st->db = NULL;
}

static const db_driver_t sqlite_driver = {
    "sqlite", lite_prepare, lite_finalize, lite_step, lite_reset, lite_param_count,
    lite_param_index, lite_bind_text, lite_bind_int64, lite_bind_null, lite_bind_blob,
    lite_column_count, lite_column_type, lite_column_int64, lite_column_text, lite_column_blob,
    lite_readonly, lite_changes, lite_errmsg, lite_script, lite_in_transaction, lite_close,
};

const char *store_backend(void)
{
    static char name[64];
    snprintf(name, sizeof name, "SQLite %s, %s", sqlite3_libversion(), db_pg_library());
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

store_t *db_sqlite_open(const char *path, err_t *e)
{
    store_t *st = db_store_new(&sqlite_driver, path);
    if (!st) {
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

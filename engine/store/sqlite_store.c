/* sqlite_store.c — the SQLite store's connection: opening (WAL, a busy
 * timeout, foreign keys on, then the migrations), closing, transactions,
 * and the statement helpers the other sqlite_*.c files share (see
 * sqlite_int.h). */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void db_bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

void db_bind_id(sqlite3_stmt *s, int i, long long v)
{
    if (v)
        sqlite3_bind_int64(s, i, v);
    else
        sqlite3_bind_null(s, i);
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

store_t *store_open(const char *path, err_t *e)
{
    store_t *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        err_set(e, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        db_error(st, e, "cannot open");
        store_close(st);
        return NULL;
    }
    if (set_up(st, e) != 0 || db_migrate(st, e) != 0) {
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
    sqlite3_stmt *s = db_stmt(st, Q_BEGIN, "BEGIN IMMEDIATE", e);
    return s ? db_exec(st, s, e, "beginning a transaction") : -1;
}

int store_commit(store_t *st, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_COMMIT, "COMMIT", e);
    return s ? db_exec(st, s, e, "committing") : -1;
}

void store_rollback(store_t *st)
{
    if (sqlite3_get_autocommit(st->db))
        return;
    sqlite3_stmt *s = db_stmt(st, Q_ROLLBACK, "ROLLBACK", NULL);
    if (s)
        db_exec(st, s, NULL, "rolling back");
}

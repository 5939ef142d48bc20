/* sqlite_migrate.c — the SQLite store's schema: the embedded db/sqlite/NNN_*.sql
 * migrations applied in order, each in its own transaction, the version
 * kept in PRAGMA user_version; a database written by a newer vane is
 * refused. */
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/embedded.h"

int store_latest_version(void)
{
    return db_latest_migration(SQLITE_MIGRATIONS);
}

static int user_version(store_t *st)
{
    sqlite3_stmt *s;
    int v = -1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

int store_version(store_t *st)
{
    return db_is_pg(st) ? db_pg_version(st) : user_version(st);
}

static int foreign_keys_ok(store_t *st)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
        return 0;
    int ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_finalize(s);
    return ok;
}

/* Foreign keys are off while a migration runs, so it may rebuild a table
 * that others refer to (SQLite's documented way); the result is checked
 * before the commit. */
static int apply_migration(store_t *st, const embedded_file_t *f, int v, err_t *e)
{
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v);
    if (sqlite3_exec(st->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_error(st, e, "starting a migration");
    int rc = sqlite3_exec(st->db, f->data, NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_exec(st->db, pragma, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
    if (rc != 0)
        err_set(e, "database %s: migration %s failed: %s", st->path, f->name, sqlite3_errmsg(st->db));
    else if (!foreign_keys_ok(st))
        rc = err_set(e, "database %s: migration %s broke a foreign key", st->path, f->name);
    if (rc == 0 && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_error(st, e, "committing a migration");
    if (rc != 0)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    return rc;
}

/* Embedded names sort as given to embed.sh, so migrations come in order;
 * we still pick them by number to be safe. */
int db_migrate(store_t *st, err_t *e)
{
    return db_migrate_from(st, SQLITE_MIGRATIONS, user_version(st), apply_migration, e);
}

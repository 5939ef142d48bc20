/* pg_migrate.c — the PostgreSQL store's schema: the embedded
 * db/postgresql/NNN_*.sql migrations applied in order, each in its own
 * transaction, the version kept in the table vane_schema; a database
 * written by a newer vane is refused. Several workers may start at once
 * against a new database: an advisory lock lets one migrate while the
 * others wait, then find nothing left to do. */
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/embedded.h"

/* The advisory lock key migrations hold ("vane" in ASCII). */
#define MIGRATION_LOCK "1986096741"

static int read_int(store_t *st, const char *sql, int *out)
{
    db_stmt_t *s;
    if (db_prepare(st, sql, &s) != 0)
        return -1;
    int rc = db_step(s);
    if (rc == DB_ROW)
        *out = db_column_int(s, 0);
    db_finalize(s);
    return rc == DB_ROW ? 0 : -1;
}

int db_pg_version(store_t *st)
{
    int v = -1;
    return read_int(st, "SELECT coalesce(max(version), 0) FROM vane_schema", &v) == 0 ? v : -1;
}

static int apply_migration(store_t *st, const embedded_file_t *f, int v, err_t *e)
{
    char record[96];
    snprintf(record, sizeof record, "DELETE FROM vane_schema; INSERT INTO vane_schema VALUES (%d)", v);
    if (db_script(st, "BEGIN") != 0)
        return db_error(st, e, "starting a migration");
    if (db_script(st, f->data) != 0 || db_script(st, record) != 0) {
        err_set(e, "database %s: migration %s failed: %s", st->path, f->name, st->drv->errmsg(st));
        db_script(st, "ROLLBACK");
        return -1;
    }
    if (db_script(st, "COMMIT") != 0)
        return db_error(st, e, "committing a migration");
    return 0;
}

static int migrate_locked(store_t *st, err_t *e)
{
    if (db_script(st, "CREATE TABLE IF NOT EXISTS vane_schema (version integer NOT NULL)") != 0)
        return db_error(st, e, "creating the schema version table");
    return db_migrate_from(st, PG_MIGRATIONS, db_pg_version(st), apply_migration, e);
}

int db_pg_migrate(store_t *st, err_t *e)
{
    if (db_script(st, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")") != 0)
        return db_error(st, e, "waiting for another vane's migration");
    int rc = migrate_locked(st, e);
    db_script(st, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")");
    return rc;
}

/* migrate.c — what both stores' migrations share (db.h): the embedded
 * FOLDER/NNN_*.sql files of a backend, the newest number, and applying
 * those a database has not seen, in order, refusing a database written by
 * a newer vane. */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

#include "util/embedded.h"

/* The number of a migration named FOLDER/NNN_what.sql. */
static int migration_number(const char *name)
{
    const char *base = strrchr(name, '/');
    return atoi(base ? base + 1 : name);
}

static int is_migration(const char *name, const char *folder)
{
    size_t n = strlen(name), f = strlen(folder);
    return strncmp(name, folder, f) == 0 && name[f] == '/' && n > f + 5 &&
           strcmp(name + n - 4, ".sql") == 0 && migration_number(name) > 0;
}

int db_latest_migration(const char *folder)
{
    int latest = 0;
    for (const embedded_file_t *f = embedded_files; f->name; f++)
        if (is_migration(f->name, folder) && migration_number(f->name) > latest)
            latest = migration_number(f->name);
    return latest;
}

const embedded_file_t *db_find_migration(const char *folder, int v)
{
    for (const embedded_file_t *f = embedded_files; f->name; f++)
        if (is_migration(f->name, folder) && migration_number(f->name) == v)
            return f;
    return NULL;
}

/* Embedded names sort as given to embed.sh, so migrations come in order;
 * they are still picked by number to be safe. */
int db_migrate_from(store_t *st, const char *folder, int have, db_apply_fn apply, err_t *e)
{
    int latest = db_latest_migration(folder);
    if (have < 0)
        return db_error(st, e, "reading the schema version");
    if (have > latest)
        return err_set(e, "database %s has schema version %d, newer than this vane knows (%d); "
                          "use a newer vane", st->path, have, latest);
    for (int v = have + 1; v <= latest; v++) {
        const embedded_file_t *f = db_find_migration(folder, v);
        if (f && apply(st, f, v, e) != 0)
            return -1;
    }
    return 0;
}

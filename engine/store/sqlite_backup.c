/* sqlite_backup.c — store_backup (store.h): a whole, consistent copy of the
 * database through SQLite's online backup API, safe while a run writes.
 *
 * The copy is taken in one step: SQLite holds a read transaction on the
 * source for its length, so the copy is one moment of the database (in WAL
 * mode the run's writer is not held up). It is written to a new file of
 * mode 0600 beside the target, made one self-contained file
 * (journal_mode DELETE), then linked or renamed into place. */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/pg_sql.h"
#include "store/store.h"

#define BACKUP_BUSY_TRIES 600   /* 100 ms apart: a minute of a held lock at most */

static void remove_copy(const char *tmp)
{
    char side[PATH_MAX + 8];
    unlink(tmp);
    snprintf(side, sizeof side, "%s-wal", tmp);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", tmp);
    unlink(side);
    snprintf(side, sizeof side, "%s-journal", tmp);
    unlink(side);
}

/* Copy src into dst whole; SQLITE_OK or SQLite's code. */
static int copy_pages(sqlite3 *src, sqlite3 *dst)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b)
        return sqlite3_errcode(dst);
    int rc;
    int tries = 0;
    while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        if (++tries > BACKUP_BUSY_TRIES)
            break;
        sqlite3_sleep(100);
    }
    int done = sqlite3_backup_finish(b);
    return rc == SQLITE_DONE ? done : rc;
}

/* Copy db_path into the new file tmp; 0 or -1 with e set. */
static int copy_to(const char *db_path, const char *tmp, err_t *e)
{
    sqlite3 *src = NULL, *dst = NULL;
    int rc = sqlite3_open_v2(db_path, &src, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    const char *what = "cannot open it";
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(src, 10000);
        what = "cannot open the copy";
        rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    }
    if (rc == SQLITE_OK) {
        what = "copying it";
        rc = copy_pages(src, dst);
    }
    if (rc == SQLITE_OK) {
        what = "making the copy one file";
        rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE;", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK)
        err_set(e, "database %s: backup: %s: %s", db_path, what, sqlite3_errstr(rc));
    sqlite3_close(dst);
    sqlite3_close(src);
    return rc == SQLITE_OK ? 0 : -1;
}

/* A PostgreSQL store has its server's own tools. */
static int refuse_server(const char *db_path, err_t *e)
{
    char *shown = pg_url_shown(db_path);
    err_set(e, "database %s: vane backup copies a SQLite file; back up a PostgreSQL "
               "database with pg_dump", shown ? shown : "postgresql://…");
    free(shown);
    return -1;
}

int store_backup(const char *db_path, const char *to, int force, err_t *e)
{
    if (store_is_server(db_path))
        return refuse_server(db_path, e);
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", to) >= (int)sizeof tmp)
        return err_set(e, "backup %s: the name is too long", to);
    if (!force && access(to, F_OK) == 0)
        return 1;
    int fd = mkstemp(tmp);
    if (fd < 0)
        return err_set(e, "backup %s: cannot create a file there: %s", to, strerror(errno));
    close(fd);
    if (copy_to(db_path, tmp, e) != 0) {
        remove_copy(tmp);
        return -1;
    }
    /* link refuses a target that appeared meanwhile; rename replaces it */
    int rc = force ? rename(tmp, to) : link(tmp, to);
    int err = errno;
    if (!force || rc != 0)
        remove_copy(tmp);
    if (rc != 0 && err == EEXIST && !force)
        return 1;
    if (rc != 0)
        return err_set(e, "backup %s: cannot put the copy there: %s", to, strerror(err));
    return 0;
}

/* sql_metrics.c — the SQLite store's reads for vane's metrics (see
 * metrics_reads.h). The counts are GROUP BYs on indexed columns
 * (flags_rule_severity, outbox_unsent); the last run is a walk back from the newest id. */
#include "store/metrics_reads.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store/db.h"

static const char sql_runs[] =
    "SELECT status, count(*) FROM runs GROUP BY status ORDER BY status";
static const char sql_flags[] =
    "SELECT rule, severity, count(*) FROM flags GROUP BY rule, severity ORDER BY rule, severity";
static const char sql_outbox[] =
    "SELECT channel, status, count(*) FROM outbox WHERE status <> 'sent' "
    "GROUP BY channel, status ORDER BY channel, status";
static const char sql_last_run[] =
    "SELECT id, CAST(strftime('%s', started_at) AS BIGINT), "
    "CAST(strftime('%s', finished_at) AS BIGINT), exit_code, status "
    "FROM runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1";
static const char sql_sources[] =
    "SELECT id, last_attempt IS NOT NULL, last_attempt IS NOT NULL AND failures = 0, "
    "coalesce(CAST(strftime('%s', last_success) AS BIGINT), 0), failures, coalesce(items, -1) "
    "FROM sources ORDER BY id";

static int prepare(store_t *st, const char *sql, db_stmt_t **s, err_t *e, const char *what)
{
    if (db_prepare(st, sql, s) != 0)
        return db_error(st, e, what);
    return 0;
}

static const char *text(db_stmt_t *s, int i)
{
    return (const char *)db_column_text(s, i);
}

/* Each row of sql (label, [label,] count) handed to fn. */
static int counts(store_t *st, const char *sql, int labels, store_count_fn fn, void *ud, err_t *e,
                  const char *what)
{
    db_stmt_t *s;
    if (prepare(st, sql, &s, e, what) != 0)
        return -1;
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ud, text(s, 0), labels == 2 ? text(s, 1) : NULL, db_column_int64(s, labels)))
            break;
    db_finalize(s);
    if (rc != DB_ROW && rc != DB_DONE)
        return db_error(st, e, what);
    return 0;
}

int store_metrics_runs(store_t *st, store_count_fn fn, void *ud, err_t *e)
{
    return counts(st, sql_runs, 1, fn, ud, e, "counting runs");
}

int store_metrics_flags(store_t *st, store_count_fn fn, void *ud, err_t *e)
{
    return counts(st, sql_flags, 2, fn, ud, e, "counting flags");
}

int store_metrics_outbox(store_t *st, store_count_fn fn, void *ud, err_t *e)
{
    return counts(st, sql_outbox, 2, fn, ud, e, "counting the outbox");
}

int store_metrics_last_run(store_t *st, store_last_run_t *out, err_t *e)
{
    db_stmt_t *s;
    if (prepare(st, sql_last_run, &s, e, "reading the last run") != 0)
        return -1;
    int rc = db_step(s), found = rc == DB_ROW;
    if (found) {
        *out = (store_last_run_t){.id = db_column_int64(s, 0),
                                  .started = db_column_int64(s, 1),
                                  .finished = db_column_int64(s, 2),
                                  .exit_code = db_column_int(s, 3)};
        snprintf(out->status, sizeof out->status, "%s", text(s, 4) ? text(s, 4) : "");
    }
    db_finalize(s);
    if (!found && rc != DB_DONE)
        return db_error(st, e, "reading the last run");
    return found;
}

int store_metrics_sources(store_t *st, store_source_health_fn fn, void *ud, err_t *e)
{
    db_stmt_t *s;
    if (prepare(st, sql_sources, &s, e, "reading the sources' health") != 0)
        return -1;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        store_source_health_t h = {.id = text(s, 0), .attempted = db_column_int(s, 1),
                                   .up = db_column_int(s, 2),
                                   .last_success = db_column_int64(s, 3),
                                   .failures = (long)db_column_int64(s, 4),
                                   .items = (long)db_column_int64(s, 5)};
        if (fn(ud, &h))
            break;
    }
    db_finalize(s);
    if (rc != DB_ROW && rc != DB_DONE)
        return db_error(st, e, "reading the sources' health");
    return 0;
}

/* The size of path, added to *bytes; a missing file adds nothing. */
static int add_size(const char *path, long long *bytes, err_t *e)
{
    struct stat sb;
    if (stat(path, &sb) == 0) {
        *bytes += (long long)sb.st_size;
        return 0;
    }
    if (errno == ENOENT)
        return 0;
    return err_set(e, "database %s: cannot read its size: %m", path);
}

/* PostgreSQL's own count of the database's size, its tables and indexes
 * with their write-ahead share. */
static int server_bytes(store_t *st, long long *bytes, err_t *e)
{
    db_stmt_t *s;
    if (db_prepare(st, "SELECT pg_database_size(current_database())", &s) != 0)
        return db_error(st, e, "reading its size");
    int rc = db_step(s);
    if (rc == DB_ROW)
        *bytes = db_column_int64(s, 0);
    db_finalize(s);
    return rc == DB_ROW ? 0 : db_error(st, e, "reading its size");
}

int store_database_bytes(store_t *st, long long *bytes, err_t *e)
{
    *bytes = 0;
    if (db_is_pg(st))
        return server_bytes(st, bytes, e);
    if (!st->path || strcmp(st->path, ":memory:") == 0)
        return 0;
    char wal[4096];
    if (snprintf(wal, sizeof wal, "%s-wal", st->path) >= (int)sizeof wal)
        return err_set(e, "database %s: its name is too long", st->path);
    if (add_size(st->path, bytes, e) != 0)
        return -1;
    return add_size(wal, bytes, e);
}

/* sqlite_flags.c — the SQLite store's flags, the alert outbox and the
 * record of runs. */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

static const char sql_flag_add[] =
    "INSERT INTO flags(run_id, rule, severity, message, source, key, change, event_id, "
    "observed_at, created_at, dedup) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
    "ON CONFLICT(dedup) DO NOTHING";

static const char sql_outbox_add[] =
    "INSERT INTO outbox(flag_id, channel) VALUES(?1, ?2) ON CONFLICT DO NOTHING";

/* The flag's values in the order store_flag_json takes them. */
static const char sql_outbox_pending[] =
    "SELECT o.id, f.id, f.rule, f.severity, f.message, f.source, f.key, f.change, f.event_id, "
    "f.observed_at, f.created_at, f.run_id, o.attempts, o.next_attempt "
    "FROM outbox o JOIN flags f ON f.id = o.flag_id "
    "WHERE o.channel = ?1 AND o.status = 'pending' ORDER BY f.id";

static const char sql_outbox_sent[] =
    "UPDATE outbox SET status = 'sent', sent_at = ?2, attempts = attempts + 1, last_error = NULL, "
    "next_attempt = NULL WHERE id = ?1";

static const char sql_outbox_failed[] =
    "UPDATE outbox SET attempts = ?2, last_error = ?3, next_attempt = ?4, "
    "status = CASE WHEN ?5 THEN 'dead' ELSE 'pending' END WHERE id = ?1";

static const char sql_outbox_revive[] =
    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = NULL "
    "WHERE status = 'dead' AND (?1 IS NULL OR channel = ?1)";

static const char sql_run_begin[] =
    "INSERT INTO runs(started_at) VALUES(?1)";

static const char sql_run_finish[] =
    "UPDATE runs SET finished_at = ?2, status = CASE WHEN ?3 = 0 THEN 'ok' ELSE 'failed' END, "
    "exit_code = ?3, sources = ?4, fetched = ?5, unchanged = ?6, failed = ?7, events = ?8, "
    "flags = ?9, errors = ?10 WHERE id = ?1";

int store_flag_add(store_t *st, store_flag_t *f, int *inserted, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_FLAG_ADD, sql_flag_add, e);
    if (!s)
        return -1;
    db_bind_id(s, 1, f->run_id);
    db_bind_text(s, 2, f->rule);
    db_bind_text(s, 3, f->severity);
    db_bind_text(s, 4, f->message);
    db_bind_text(s, 5, f->source);
    db_bind_text(s, 6, f->key);
    db_bind_text(s, 7, f->change);
    db_bind_id(s, 8, f->event_id);
    db_bind_text(s, 9, f->observed_at);
    db_bind_text(s, 10, f->created_at);
    db_bind_text(s, 11, f->dedup);
    if (db_exec(st, s, e, "recording a flag") != 0)
        return -1;
    *inserted = sqlite3_changes(st->db) > 0;
    if (*inserted)
        f->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_outbox_add(store_t *st, long long flag_id, const char *channel, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_OUTBOX_ADD, sql_outbox_add, e);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, flag_id);
    db_bind_text(s, 2, channel);
    return db_exec(st, s, e, "queueing an alert");
}

/* One row of sql_outbox_pending; -1 when memory ran out. */
static int read_outbox_row(sqlite3_stmt *s, store_outbox_row_t *r)
{
    store_value_t flag[11];
    for (int i = 0; i < 11; i++)
        flag[i] = db_value(s, i + 1);
    buf_t json = {0};
    int rc = store_flag_json(flag, &json);
    *r = (store_outbox_row_t){.id = sqlite3_column_int64(s, 0),
                              .flag_id = sqlite3_column_int64(s, 1),
                              .flag_json = buf_steal(&json),
                              .rule = db_column_dup(s, 2),
                              .severity = db_column_dup(s, 3),
                              .message = db_column_dup(s, 4),
                              .source = db_column_dup(s, 5),
                              .key = db_column_dup(s, 6),
                              .created_at = db_column_dup(s, 10),
                              .attempts = sqlite3_column_int(s, 12),
                              .next_attempt = db_column_dup(s, 13)};
    return rc == 0 && r->flag_json ? 0 : -1;
}

int store_outbox_pending(store_t *st, const char *channel, store_outbox_row_t **rows, size_t *n,
                         err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_OUTBOX_PENDING, sql_outbox_pending, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, channel);
    size_t len = 0, cap = 0;
    store_outbox_row_t *arr = NULL;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            store_outbox_row_t *more = realloc(arr, cap * sizeof *arr);
            if (!more)
                break;
            arr = more;
        }
        if (read_outbox_row(s, &arr[len++]) != 0)
            break;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        store_outbox_free(arr, len);
        return db_error(st, e, "reading the outbox");
    }
    *rows = arr;
    *n = len;
    return 0;
}

int store_outbox_sent(store_t *st, long long outbox_id, const char *now, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_OUTBOX_SENT, sql_outbox_sent, e);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, outbox_id);
    db_bind_text(s, 2, now);
    return db_exec(st, s, e, "marking an alert sent");
}

int store_outbox_failed(store_t *st, long long outbox_id, int attempts, const char *error,
                        const char *next_attempt, int dead, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_OUTBOX_FAILED, sql_outbox_failed, e);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, outbox_id);
    sqlite3_bind_int(s, 2, attempts);
    db_bind_text(s, 3, error);
    db_bind_text(s, 4, dead ? NULL : next_attempt);
    sqlite3_bind_int(s, 5, dead);
    return db_exec(st, s, e, "recording a failed delivery");
}

int store_outbox_revive(store_t *st, const char *channel, long *n, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_OUTBOX_REVIVE, sql_outbox_revive, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, channel);
    if (db_exec(st, s, e, "reviving dead alerts") != 0)
        return -1;
    *n = (long)sqlite3_changes(st->db);
    return 0;
}

int store_run_begin(store_t *st, const char *started_at, long long *run_id, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_RUN_BEGIN, sql_run_begin, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, started_at);
    if (db_exec(st, s, e, "recording the run") != 0)
        return -1;
    *run_id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_run_finish(store_t *st, const store_run_t *r, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_RUN_FINISH, sql_run_finish, e);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, r->id);
    db_bind_text(s, 2, r->finished_at);
    sqlite3_bind_int(s, 3, r->exit_code);
    sqlite3_bind_int64(s, 4, r->sources);
    sqlite3_bind_int64(s, 5, r->fetched);
    sqlite3_bind_int64(s, 6, r->unchanged);
    sqlite3_bind_int64(s, 7, r->failed);
    sqlite3_bind_int64(s, 8, r->events);
    sqlite3_bind_int64(s, 9, r->flags);
    db_bind_text(s, 10, r->errors_json);
    return db_exec(st, s, e, "finishing the run");
}

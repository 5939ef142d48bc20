/* sql_flags.c — the SQLite store's flags, the alert outbox and the
 * record of runs. */
#include "store/db.h"

#include <stdint.h>

static const char sql_flag_add[] =
    "INSERT INTO flags(run_id, rule, severity, message, source, key, change, event_id, "
    "observed_at, created_at, dedup, title, link, source_name, rule_title, changes) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
    "ON CONFLICT(dedup) DO NOTHING RETURNING id";

int store_flag_add(store_t *st, store_flag_t *f, int *inserted, err_t *e)
{
    int rc = db_run_id(st, Q_FLAG_ADD, sql_flag_add, e, "recording a flag", &f->id,
                       "dttttttdtttttttt", f->run_id, f->rule, f->severity, f->message, f->source, f->key, f->change,
               f->event_id, f->observed_at, f->created_at, f->dedup, f->title, f->link,
                       f->source_name, f->rule_title, f->changes);
    if (rc < 0)
        return -1;
    *inserted = rc;
    return 0;
}

static const char sql_outbox_add[] =
    "INSERT INTO outbox(flag_id, channel) VALUES(?1, ?2) ON CONFLICT DO NOTHING";

int store_outbox_add(store_t *st, long long flag_id, const char *channel, err_t *e)
{
    return db_run(st, Q_OUTBOX_ADD, sql_outbox_add, e, "queueing an alert", "It", flag_id,
                  channel);
}

/* The flag's values in the order store_flag_json takes them. */
static const char sql_outbox_pending[] =
    "SELECT o.id, f.id, f.rule, f.severity, f.message, f.source, f.key, f.change, f.event_id, "
    "f.observed_at, f.created_at, f.run_id, f.title, f.link, f.source_name, f.rule_title, "
    "f.changes, o.attempts, o.next_attempt "
    "FROM outbox o JOIN flags f ON f.id = o.flag_id "
    "WHERE o.channel = ?1 AND o.status = 'pending' ORDER BY f.id";

/* One row of sql_outbox_pending; -1 when memory ran out. */
static int read_outbox_row(db_stmt_t *s, void *row)
{
    store_value_t flag[16];
    for (int i = 0; i < 16; i++)
        flag[i] = db_value(s, i + 1);
    buf_t json = {0};
    int rc = store_flag_json(flag, &json);
    store_outbox_row_t *r = row;
    *r = (store_outbox_row_t){.id = db_column_int64(s, 0),
                              .flag_id = db_column_int64(s, 1),
                              .flag_json = buf_steal(&json),
                              .rule = db_column_dup(s, 2),
                              .severity = db_column_dup(s, 3),
                              .message = db_column_dup(s, 4),
                              .source = db_column_dup(s, 5),
                              .key = db_column_dup(s, 6),
                              .created_at = db_column_dup(s, 10),
                              .change = db_column_dup(s, 7),
                              .observed_at = db_column_dup(s, 9),
                              .title = db_column_dup(s, 12),
                              .link = db_column_dup(s, 13),
                              .source_name = db_column_dup(s, 14),
                              .rule_title = db_column_dup(s, 15),
                              .changes = db_column_dup(s, 16),
                              .attempts = db_column_int(s, 17),
                              .next_attempt = db_column_dup(s, 18)};
    return rc == 0 && r->flag_json ? 0 : -1;
}

static void free_outbox(void *rows, size_t n)
{
    store_outbox_free(rows, n);
}

static const db_rows_t outbox_rows = {sizeof(store_outbox_row_t), 16, read_outbox_row,
                                      free_outbox, "reading the outbox"};

int store_outbox_pending(store_t *st, const char *channel, store_outbox_row_t **rows, size_t *n,
                         err_t *e)
{
    db_stmt_t *s = db_query(st, Q_OUTBOX_PENDING, sql_outbox_pending, e, "t", channel);
    void *read;
    if (!s || db_read_rows(st, s, &outbox_rows, SIZE_MAX, &read, n, e) != 0)
        return -1;
    *rows = read;
    return 0;
}

static const char sql_outbox_sent[] =
    "UPDATE outbox SET status = 'sent', sent_at = ?2, attempts = attempts + 1, last_error = NULL, "
    "next_attempt = NULL WHERE id = ?1";

int store_outbox_sent(store_t *st, long long outbox_id, const char *now, err_t *e)
{
    return db_run(st, Q_OUTBOX_SENT, sql_outbox_sent, e, "marking an alert sent", "It", outbox_id,
                  now);
}

static const char sql_outbox_failed[] =
    "UPDATE outbox SET attempts = ?2, last_error = ?3, next_attempt = ?4, "
    "status = CASE WHEN ?5 <> 0 THEN 'dead' ELSE 'pending' END WHERE id = ?1";

int store_outbox_failed(store_t *st, long long outbox_id, int attempts, const char *error,
                        const char *next_attempt, int dead, err_t *e)
{
    return db_run(st, Q_OUTBOX_FAILED, sql_outbox_failed, e, "recording a failed delivery",
                  "Iitti", outbox_id, attempts, error, dead ? NULL : next_attempt, dead);
}

static const char sql_outbox_revive[] =
    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = NULL "
    "WHERE status = 'dead' AND (?1 IS NULL OR channel = ?1)";

int store_outbox_revive(store_t *st, const char *channel, long *n, err_t *e)
{
    if (db_run(st, Q_OUTBOX_REVIVE, sql_outbox_revive, e, "reviving dead alerts", "t",
               channel) != 0)
        return -1;
    *n = (long)db_changes(st);
    return 0;
}

static const char sql_run_begin[] =
    "INSERT INTO runs(started_at) VALUES(?1) RETURNING id";

/* Runs still 'running' when a new one begins died (killed, out of memory,
 * the machine went down): the caller holds the lock, so none of them is
 * alive. Their end is unknown, so finished_at stays NULL. */
static const char sql_run_aborted[] =
    "UPDATE runs SET status = 'aborted' WHERE status = 'running'";

int store_run_begin(store_t *st, const char *started_at, long long *run_id, err_t *e)
{
    if (db_is_pg(st))
        return db_pg_run_begin(st, started_at, run_id, e);
    if (db_run(st, Q_RUN_ABORTED, sql_run_aborted, e, "marking dead runs aborted", "") != 0)
        return -1;
    return db_run_id(st, Q_RUN_BEGIN, sql_run_begin, e, "recording the run", run_id, "t",
                     started_at) < 0 ? -1 : 0;
}

static const char sql_run_finish[] =
    "UPDATE runs SET finished_at = ?2, status = CASE WHEN ?3 = 0 THEN 'ok' ELSE 'failed' END, "
    "exit_code = ?3, sources = ?4, fetched = ?5, unchanged = ?6, failed = ?7, events = ?8, "
    "flags = ?9, errors = ?10, warnings = ?11 WHERE id = ?1";

int store_run_finish(store_t *st, const store_run_t *r, err_t *e)
{
    return db_run(st, Q_RUN_FINISH, sql_run_finish, e, "finishing the run", "Itilllllltt", r->id,
                  r->finished_at, r->exit_code, r->sources, r->fetched, r->unchanged, r->failed,
                  r->events, r->flags, r->errors_json, r->warnings_json);
}

static const char sql_run_silenced[] =
    "SELECT count(*) FROM flags WHERE run_id = ?1 AND silence_id IS NOT NULL";

static int read_count(db_stmt_t *s, void *ud)
{
    *(long *)ud = (long)db_column_int64(s, 0);
    return 0;
}

int store_run_silenced(store_t *st, long long run_id, long *n, err_t *e)
{
    *n = 0;
    db_stmt_t *s = db_query(st, Q_RUN_SILENCED, sql_run_silenced, e, "I", run_id);
    if (!s)
        return -1;
    return db_first_row(st, s, read_count, n, e, "counting silenced flags") < 0 ? -1 : 0;
}

/* sql_retries.c — the SQLite store's (rule, event) pairs a rule did not
 * finish (db/007_rule_retries.sql): recorded on failure, read by the next
 * run to evaluate again, forgotten once the rule finished. */
#include "store/db.h"

#include <stdlib.h>

static const char sql_retry_put[] =
    "INSERT INTO rule_retries(rule, event_id, kind, tries, fingerprint, message, updated_at) "
    "VALUES(?1, ?2, ?3, 1, ?4, ?5, ?6) ON CONFLICT(rule, event_id) DO UPDATE SET "
    "kind = excluded.kind, tries = rule_retries.tries + 1, fingerprint = excluded.fingerprint, "
    "message = excluded.message, updated_at = excluded.updated_at";

int store_retry_failed(store_t *st, const store_retry_t *r, const char *now, err_t *e)
{
    return db_run(st, Q_RETRY_PUT, sql_retry_put, e, "recording a rule's retry", "tItttt",
                  r->rule, r->event_id, r->kind, r->fingerprint, r->message, now);
}

static const char sql_retry_done[] = "DELETE FROM rule_retries WHERE rule = ?1 AND event_id = ?2";

int store_retry_done(store_t *st, const char *rule, long long event_id, err_t *e)
{
    return db_run(st, Q_RETRY_DONE, sql_retry_done, e, "forgetting a rule's retry", "tI", rule,
                  event_id);
}

static const db_column_t retry_columns[] = {
    DB_TEXT(store_retry_t, rule), DB_INT64(store_retry_t, event_id),
    DB_TEXT(store_retry_t, kind), DB_INT(store_retry_t, tries),
    DB_TEXT(store_retry_t, fingerprint), DB_TEXT(store_retry_t, message),
};

static int read_retry(db_stmt_t *s, void *row)
{
    db_read_columns(s, row, retry_columns, DB_COUNT(retry_columns));
    return 0;
}

void store_retries_free(store_retry_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].rule);
        free(rows[i].kind);
        free(rows[i].fingerprint);
        free(rows[i].message);
    }
    free(rows);
}

static void free_retries(void *rows, size_t n)
{
    store_retries_free(rows, n);
}

static const db_rows_t retry_rows = {sizeof(store_retry_t), 16, read_retry, free_retries,
                                     "reading rules' retries"};

static const char sql_retry_list[] =
    "SELECT rule, event_id, kind, tries, fingerprint, message FROM rule_retries "
    "ORDER BY event_id, rule LIMIT ?1";

int store_retries(store_t *st, size_t max, store_retry_t **rows, size_t *n, err_t *e)
{
    void *out;
    db_stmt_t *s = db_query(st, Q_RETRY_LIST, sql_retry_list, e, "I", (long long)max);
    if (!s || db_read_rows(st, s, &retry_rows, max, &out, n, e) != 0)
        return -1;
    *rows = out;
    return 0;
}

static const char sql_event_get[] =
    "SELECT " EVENT_COLUMNS " "
    "FROM events WHERE id = ?1";

int store_event_get(store_t *st, long long id, store_event_t **ev, err_t *e)
{
    size_t n;
    db_stmt_t *s = db_query(st, Q_EVENT_GET, sql_event_get, e, "I", id);
    if (!s || db_read_events(st, s, 1, ev, &n, e) != 0)
        return -1;
    return n == 1;
}

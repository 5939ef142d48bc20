/* sqlite_checks.c — the SQLite store's record of the check rules'
 * episodes (check_state) and of which rule files have checks
 * (check_rules). What an episode calls for is decided in rules/checks.c. */
#include "store/sqlite_int.h"

#include <stdlib.h>

static const char sql_check_get[] =
    "SELECT active, last_flagged_at FROM check_state WHERE rule = ?1 AND key = ?2";

static const char sql_check_flagged[] =
    "INSERT INTO check_state(rule, key, active, episode_start, last_flagged_at) "
    "VALUES(?1, ?2, 1, ?3, ?3) ON CONFLICT(rule, key) DO UPDATE SET active = 1, "
    "episode_start = CASE WHEN ?4 THEN excluded.episode_start ELSE episode_start END, "
    "last_flagged_at = excluded.last_flagged_at";

static const char sql_check_active[] =
    "SELECT key FROM check_state WHERE rule = ?1 AND active = 1";

static const char sql_check_end[] =
    "UPDATE check_state SET active = 0 WHERE rule = ?1 AND key = ?2";

static const char sql_check_rules_get[] =
    "SELECT has_checks FROM check_rules WHERE fingerprint = ?1";

static const char sql_check_rules_put[] =
    "INSERT INTO check_rules(id, fingerprint, has_checks) VALUES(1, ?1, ?2) "
    "ON CONFLICT(id) DO UPDATE SET fingerprint = excluded.fingerprint, "
    "has_checks = excluded.has_checks";

int store_check_get(store_t *st, const char *rule, const char *key, store_check_state_t *out,
                    err_t *e)
{
    sqlite3_stmt *q = db_stmt(st, Q_CHECK_GET, sql_check_get, e);
    *out = (store_check_state_t){0};
    if (!q)
        return -1;
    db_bind_text(q, 1, rule);
    db_bind_text(q, 2, key);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = (store_check_state_t){1, sqlite3_column_int(q, 0), db_column_dup(q, 1)};
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(st, e, "reading a check's state");
}

int store_check_flagged(store_t *st, const char *rule, const char *key, const char *now,
                        int new_episode, err_t *e)
{
    sqlite3_stmt *q = db_stmt(st, Q_CHECK_FLAGGED, sql_check_flagged, e);
    if (!q)
        return -1;
    db_bind_text(q, 1, rule);
    db_bind_text(q, 2, key);
    db_bind_text(q, 3, now);
    sqlite3_bind_int(q, 4, new_episode);
    return db_exec(st, q, e, "recording a check's state");
}

typedef struct keys {
    store_key_fn fn;
    void *ud;
} keys_t;

static int key_row(sqlite3_stmt *q, void *ud)
{
    keys_t *k = ud;
    const char *key = (const char *)sqlite3_column_text(q, 0);
    return key && k->fn(k->ud, key);
}

int store_check_active(store_t *st, const char *rule, store_key_fn fn, void *ud, err_t *e)
{
    sqlite3_stmt *q = db_stmt(st, Q_CHECK_ACTIVE, sql_check_active, e);
    if (!q)
        return -1;
    db_bind_text(q, 1, rule);
    keys_t k = {fn, ud};
    return db_each_row(st, q, key_row, &k, e, "reading a check's state");
}

int store_check_end(store_t *st, const char *rule, const char *key, err_t *e)
{
    sqlite3_stmt *q = db_stmt(st, Q_CHECK_END, sql_check_end, e);
    if (!q)
        return -1;
    db_bind_text(q, 1, rule);
    db_bind_text(q, 2, key);
    return db_exec(st, q, e, "ending a check's episode");
}

int store_check_rules_get(store_t *st, const char *fingerprint, int *known, int *has_checks,
                          err_t *e)
{
    sqlite3_stmt *q = db_stmt(st, Q_CHECK_RULES_GET, sql_check_rules_get, e);
    *known = *has_checks = 0;
    if (!q)
        return -1;
    db_bind_text(q, 1, fingerprint);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *known = 1;
        *has_checks = sqlite3_column_int(q, 0);
    }
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? 0 : db_error(st, e, "reading which rules have checks");
}

int store_check_rules_put(store_t *st, const char *fingerprint, int has_checks, err_t *e)
{
    sqlite3_stmt *q = db_stmt(st, Q_CHECK_RULES_PUT, sql_check_rules_put, e);
    if (!q)
        return -1;
    db_bind_text(q, 1, fingerprint);
    sqlite3_bind_int(q, 2, has_checks != 0);
    return db_exec(st, q, e, "recording which rules have checks");
}

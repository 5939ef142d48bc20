/* sql_checks.c — the SQLite store's record of the check rules'
 * episodes (check_state), of which rule files have checks (check_rules)
 * and of the configuration last seen to pass the cross-reference check
 * (config_checked). What an episode calls for is decided in
 * rules/checks.c. */
#include "store/db.h"

static const char sql_check_get[] =
    "SELECT active, last_flagged_at FROM check_state WHERE rule = ?1 AND key = ?2";

static const db_column_t check_columns[] = {
    DB_INT(store_check_state_t, active), DB_TEXT(store_check_state_t, last_flagged_at),
};

static int check_row(db_stmt_t *q, void *ud)
{
    db_read_columns(q, ud, check_columns, DB_COUNT(check_columns));
    return 1;
}

int store_check_get(store_t *st, const char *rule, const char *key, store_check_state_t *out,
                    err_t *e)
{
    *out = (store_check_state_t){0};
    db_stmt_t *q = db_query(st, Q_CHECK_GET, sql_check_get, e, "tt", rule, key);
    int rc = q ? db_first_row(st, q, check_row, out, e, "reading a check's state") : -1;
    out->found = rc > 0;
    return rc < 0 ? -1 : 0;
}

static const char sql_check_flagged[] =
    "INSERT INTO check_state(rule, key, active, episode_start, last_flagged_at) "
    "VALUES(?1, ?2, 1, ?3, ?3) ON CONFLICT(rule, key) DO UPDATE SET active = 1, "
    "episode_start = CASE WHEN ?4 <> 0 THEN excluded.episode_start ELSE check_state.episode_start END, "
    "last_flagged_at = excluded.last_flagged_at";

int store_check_flagged(store_t *st, const char *rule, const char *key, const char *now,
                        int new_episode, err_t *e)
{
    return db_run(st, Q_CHECK_FLAGGED, sql_check_flagged, e, "recording a check's state", "ttti",
                  rule, key, now, new_episode);
}

typedef struct keys {
    store_key_fn fn;
    void *ud;
} keys_t;

static int key_row(db_stmt_t *q, void *ud)
{
    keys_t *k = ud;
    const char *key = (const char *)db_column_text(q, 0);
    return key && k->fn(k->ud, key);
}

static const char sql_check_active[] =
    "SELECT key FROM check_state WHERE rule = ?1 AND active = 1";

int store_check_active(store_t *st, const char *rule, store_key_fn fn, void *ud, err_t *e)
{
    db_stmt_t *q = db_query(st, Q_CHECK_ACTIVE, sql_check_active, e, "t", rule);
    keys_t k = {fn, ud};
    return q ? db_each_row(st, q, key_row, &k, e, "reading a check's state") : -1;
}

static const char sql_check_end[] =
    "UPDATE check_state SET active = 0 WHERE rule = ?1 AND key = ?2";

int store_check_end(store_t *st, const char *rule, const char *key, err_t *e)
{
    return db_run(st, Q_CHECK_END, sql_check_end, e, "ending a check's episode", "tt", rule, key);
}

static const char sql_check_rules_get[] =
    "SELECT has_checks FROM check_rules WHERE fingerprint = ?1";

static int int_row(db_stmt_t *q, void *ud)
{
    *(int *)ud = db_column_int(q, 0);
    return 1;
}

int store_check_rules_get(store_t *st, const char *fingerprint, int *known, int *has_checks,
                          err_t *e)
{
    *has_checks = 0;
    db_stmt_t *q = db_query(st, Q_CHECK_RULES_GET, sql_check_rules_get, e, "t", fingerprint);
    int rc = q ? db_first_row(st, q, int_row, has_checks, e, "reading which rules have checks")
               : -1;
    *known = rc > 0;
    return rc < 0 ? -1 : 0;
}

static const char sql_check_rules_put[] =
    "INSERT INTO check_rules(id, fingerprint, has_checks) VALUES(1, ?1, ?2) "
    "ON CONFLICT(id) DO UPDATE SET fingerprint = excluded.fingerprint, "
    "has_checks = excluded.has_checks";

int store_check_rules_put(store_t *st, const char *fingerprint, int has_checks, err_t *e)
{
    return db_run(st, Q_CHECK_RULES_PUT, sql_check_rules_put, e,
                  "recording which rules have checks", "ti", fingerprint, has_checks != 0);
}

static const char sql_config_checked_get[] =
    "SELECT 1 FROM config_checked WHERE fingerprint = ?1";

int store_config_checked_get(store_t *st, const char *fingerprint, int *known, err_t *e)
{
    int one = 0;
    db_stmt_t *q = db_query(st, Q_CONFIG_CHECKED_GET, sql_config_checked_get, e, "t",
                               fingerprint);
    int rc = q ? db_first_row(st, q, int_row, &one, e, "reading the configuration checked")
               : -1;
    *known = rc > 0;
    return rc < 0 ? -1 : 0;
}

static const char sql_config_checked_put[] =
    "INSERT INTO config_checked(id, fingerprint) VALUES(1, ?1) "
    "ON CONFLICT(id) DO UPDATE SET fingerprint = excluded.fingerprint";

int store_config_checked_put(store_t *st, const char *fingerprint, err_t *e)
{
    return db_run(st, Q_CONFIG_CHECKED_PUT, sql_config_checked_put, e,
                  "recording the configuration checked", "t", fingerprint);
}

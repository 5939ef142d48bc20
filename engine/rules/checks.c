/* checks.c — episodes and re-alerts of the rules' checks (see checks.h). */
#include "rules/checks.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "util/buf.h"
#include "util/clock.h"

static const char *const sql[] = {
    "SELECT active, last_flagged_at FROM check_state WHERE rule = ?1 AND key = ?2",
    "INSERT INTO check_state(rule, key, active, episode_start, last_flagged_at) "
    "VALUES(?1, ?2, 1, ?3, ?3) ON CONFLICT(rule, key) DO UPDATE SET active = 1, "
    "episode_start = CASE WHEN ?4 THEN excluded.episode_start ELSE episode_start END, "
    "last_flagged_at = excluded.last_flagged_at",
    "SELECT key FROM check_state WHERE rule = ?1 AND active = 1",
    "UPDATE check_state SET active = 0 WHERE rule = ?1 AND key = ?2",
};
enum { Q_GET, Q_FLAGGED, Q_ACTIVE, Q_END, Q_COUNT };

typedef struct checks {
    const checks_opts_t *o;
    sqlite3 *db;
    sqlite3_stmt *q[Q_COUNT];
    long flags;
} checks_t;

static int db_error(sqlite3 *db, err_t *e, const char *what)
{
    return err_set(e, "database %s: %s: %s", sqlite3_db_filename(db, "main"), what,
                   sqlite3_errmsg(db));
}

static sqlite3_stmt *stmt(checks_t *c, int which)
{
    sqlite3_reset(c->q[which]);
    sqlite3_clear_bindings(c->q[which]);
    return c->q[which];
}

static void bind2(sqlite3_stmt *q, const char *a, const char *b)
{
    sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
}

int checks_decide(int has_state, int active, const char *last_flagged, const char *now,
                  long long realert)
{
    vtime_t last, t;
    if (!has_state || !active)
        return CHECK_NEW_EPISODE;
    if (realert < 0 || clock_parse_iso(last_flagged, &last) != 0 || clock_parse_iso(now, &t) != 0)
        return CHECK_QUIET;
    return t - last >= realert ? CHECK_REALERT : CHECK_QUIET;
}

/* What the stored state of (rule, key) calls for. */
static int decide(checks_t *c, const char *rule, const rules_check_flag_t *f, long long realert,
                  int *what, err_t *e)
{
    sqlite3_stmt *q = stmt(c, Q_GET);
    bind2(q, rule, f->key);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(c->db, e, "reading a check's state");
    int has = rc == SQLITE_ROW;
    *what = checks_decide(has, has && sqlite3_column_int(q, 0),
                          has ? (const char *)sqlite3_column_text(q, 1) : NULL, c->o->now, realert);
    sqlite3_reset(q);
    return 0;
}

/* Store the flag, mark the state, route the flag: all in the caller's
 * transaction. */
static int raise_flag(checks_t *c, const char *rule, const rules_check_flag_t *f, int new_episode,
                 err_t *e)
{
    const checks_opts_t *o = c->o;
    buf_t dedup = {0};
    buf_printf(&dedup, "%s\x1f" "check\x1f%s\x1f%s", rule, f->key, o->now);
    store_flag_t flag = {.run_id = o->run_id, .rule = rule, .severity = f->severity,
                         .message = f->message, .source = f->source, .key = f->key,
                         .observed_at = o->now, .created_at = o->now, .dedup = buf_str(&dedup)};
    int inserted = 0;
    int rc = store_flag_add(o->st, &flag, &inserted, e);
    if (rc == 0) {
        sqlite3_stmt *q = stmt(c, Q_FLAGGED);
        bind2(q, rule, f->key);
        sqlite3_bind_text(q, 3, o->now, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 4, new_episode);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = db_error(c->db, e, "recording a check's state");
        sqlite3_reset(q);
    }
    if (rc == 0 && inserted) {
        c->flags++;
        rc = alert_route(o->st, o->cfg, &flag, !o->no_alerts, e);
    }
    buf_free(&dedup);
    return rc;
}

static int returned(const rules_check_result_t *res, const char *key)
{
    for (size_t i = 0; i < res->n; i++)
        if (strcmp(res->flags[i].key, key) == 0)
            return 1;
    return 0;
}

/* End the episodes of the rule's active keys that the check left out. */
static int end_episodes(checks_t *c, const rules_check_result_t *res, err_t *e)
{
    sqlite3_stmt *q = stmt(c, Q_ACTIVE);
    sqlite3_bind_text(q, 1, res->rule, -1, SQLITE_STATIC);
    buf_t ended = {0}; /* keys, NUL-separated: ending them while reading would disturb the read */
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(q, 0);
        if (key && !returned(res, key)) {
            buf_append(&ended, key, strlen(key) + 1);
            n++;
        }
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE) {
        buf_free(&ended);
        return db_error(c->db, e, "reading a check's state");
    }
    const char *key = ended.p;
    for (size_t i = 0; i < n && rc == SQLITE_DONE; i++, key += strlen(key) + 1) {
        q = stmt(c, Q_END);
        bind2(q, res->rule, key);
        rc = sqlite3_step(q);
        sqlite3_reset(q);
    }
    buf_free(&ended);
    return rc == SQLITE_DONE ? 0 : db_error(c->db, e, "ending a check's episode");
}

static int on_result(void *ud, const rules_check_result_t *res, err_t *e)
{
    checks_t *c = ud;
    for (size_t i = 0; i < res->n; i++) {
        int what;
        if (decide(c, res->rule, &res->flags[i], res->realert, &what, e) != 0)
            return -1;
        if (what != CHECK_QUIET &&
            raise_flag(c, res->rule, &res->flags[i], what == CHECK_NEW_EPISODE, e) != 0)
            return -1;
    }
    return end_episodes(c, res, e);
}

int checks_run(rules_t *rules, const checks_opts_t *o, errlist_t *errs, long *flags, err_t *e)
{
    checks_t c = {.o = o, .db = store_db(o->st)};
    int rc = 0;
    *flags = 0;
    for (int i = 0; i < Q_COUNT && rc == 0; i++)
        if (sqlite3_prepare_v2(c.db, sql[i], -1, &c.q[i], NULL) != SQLITE_OK)
            rc = db_error(c.db, e, "preparing the checks' statements");
    if (rc == 0)
        rc = rules_check(rules, o->now, o->run_id, on_result, &c, errs, e);
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(c.q[i]);
    *flags = c.flags;
    return rc;
}

int checks_known_none(store_t *st, const char *fingerprint, int *none, err_t *e)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q;
    *none = 0;
    if (sqlite3_prepare_v2(db, "SELECT has_checks = 0 FROM check_rules WHERE fingerprint = ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(db, e, "reading which rules have checks");
    sqlite3_bind_text(q, 1, fingerprint, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *none = sqlite3_column_int(q, 0);
    else if (rc != SQLITE_DONE)
        db_error(db, e, "reading which rules have checks");
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int checks_remember(store_t *st, const char *fingerprint, int has_checks, err_t *e)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO check_rules(id, fingerprint, has_checks) "
                               "VALUES(1, ?1, ?2)", -1, &q, NULL) != SQLITE_OK)
        return db_error(db, e, "recording which rules have checks");
    sqlite3_bind_text(q, 1, fingerprint, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, has_checks != 0);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        db_error(db, e, "recording which rules have checks");
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : -1;
}

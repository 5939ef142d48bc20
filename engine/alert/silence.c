/* silence.c — storing, listing and matching silences (see silence.h).
 *
 * Statements are prepared per call on the store's connection: silences are
 * added by hand and matched once per new flag, a few times a run, so a
 * statement cache would cost more code than it saves time. */
#include "alert/silence.h"

#include <sqlite3.h>
#include <stddef.h>

#include "util/clock.h"

static const char sql_add[] =
    "INSERT INTO silences(rule, source, key, created_at, until, reason) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)";

static const char sql_remove[] =
    "UPDATE silences SET removed_at = ?2 WHERE id = ?1 AND removed_at IS NULL";

static const char sql_list[] =
    "SELECT id, rule, source, key, created_at, until, reason, removed_at, "
    "removed_at IS NULL AND created_at <= ?1 AND ?1 < until AS active, "
    "json_object('id', id, 'rule', rule, 'source', source, 'key', key, "
    "'created_at', created_at, 'until', until, 'reason', reason, 'removed_at', removed_at, "
    "'active', json(CASE WHEN removed_at IS NULL AND created_at <= ?1 AND ?1 < until "
    "THEN 'true' ELSE 'false' END)) "
    "FROM silences WHERE ?2 OR (removed_at IS NULL AND created_at <= ?1 AND ?1 < until) "
    "ORDER BY id";

static const char sql_match[] =
    "SELECT id FROM silences WHERE removed_at IS NULL AND created_at <= ?1 AND ?1 < until "
    "AND (rule = ?2 OR rule = '" SILENCE_ANY_RULE "') "
    "AND (source IS NULL OR source = ?3) AND (key IS NULL OR key = ?4) "
    "ORDER BY until DESC, id LIMIT 1";

static const char sql_mark[] = "UPDATE flags SET silence_id = ?2 WHERE id = ?1";

static int db_error(sqlite3 *db, err_t *e, const char *what)
{
    return err_set(e, "database %s: %s: %s", sqlite3_db_filename(db, "main"), what,
                   sqlite3_errmsg(db));
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **s, err_t *e, const char *what)
{
    if (sqlite3_prepare_v2(db, sql, -1, s, NULL) != SQLITE_OK)
        return db_error(db, e, what);
    return 0;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Step a statement that returns no rows, finalize it. */
static int exec_once(sqlite3 *db, sqlite3_stmt *s, err_t *e, const char *what)
{
    int rc = sqlite3_step(s);
    int ok = rc == SQLITE_DONE;
    if (!ok)
        db_error(db, e, what);
    sqlite3_finalize(s);
    return ok ? 0 : -1;
}

int silence_add(store_t *st, const silence_t *s, long long *id, err_t *e)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q;
    if (prepare(db, sql_add, &q, e, "adding a silence") != 0)
        return -1;
    bind_text(q, 1, s->rule);
    bind_text(q, 2, s->source);
    bind_text(q, 3, s->key);
    bind_text(q, 4, s->created_at);
    bind_text(q, 5, s->until);
    bind_text(q, 6, s->reason);
    if (exec_once(db, q, e, "adding a silence") != 0)
        return -1;
    *id = sqlite3_last_insert_rowid(db);
    return 0;
}

int silence_remove(store_t *st, long long id, const char *now, int *found, err_t *e)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q;
    if (prepare(db, sql_remove, &q, e, "removing a silence") != 0)
        return -1;
    sqlite3_bind_int64(q, 1, id);
    bind_text(q, 2, now);
    if (exec_once(db, q, e, "removing a silence") != 0)
        return -1;
    *found = sqlite3_changes(db) > 0;
    return 0;
}

static const char *column(sqlite3_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(q, i);
}

int silence_list(store_t *st, const char *now, int all, silence_fn fn, void *ud, err_t *e)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q;
    if (prepare(db, sql_list, &q, e, "listing silences") != 0)
        return -1;
    bind_text(q, 1, now);
    sqlite3_bind_int(q, 2, all != 0);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        silence_t s = {.id = sqlite3_column_int64(q, 0), .rule = column(q, 1),
                       .source = column(q, 2), .key = column(q, 3), .created_at = column(q, 4),
                       .until = column(q, 5), .reason = column(q, 6), .removed_at = column(q, 7),
                       .active = sqlite3_column_int(q, 8), .json = column(q, 9)};
        if (fn(ud, &s))
            break;
    }
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    if (!ok)
        db_error(db, e, "listing silences");
    sqlite3_finalize(q);
    return ok ? 0 : -1;
}

int silence_match(store_t *st, const store_flag_t *f, long long *silence_id, err_t *e)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q;
    char now[32];
    *silence_id = 0;
    if (!f->created_at)
        clock_format_iso(clock_now(), now);
    if (prepare(db, sql_match, &q, e, "matching silences") != 0)
        return -1;
    bind_text(q, 1, f->created_at ? f->created_at : now);
    bind_text(q, 2, f->rule);
    bind_text(q, 3, f->source);
    bind_text(q, 4, f->key);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *silence_id = sqlite3_column_int64(q, 0);
    else if (rc != SQLITE_DONE)
        db_error(db, e, "matching silences");
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int silence_mark(store_t *st, long long flag_id, long long silence_id, err_t *e)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *q;
    if (prepare(db, sql_mark, &q, e, "recording a flag's silence") != 0)
        return -1;
    sqlite3_bind_int64(q, 1, flag_id);
    sqlite3_bind_int64(q, 2, silence_id);
    return exec_once(db, q, e, "recording a flag's silence");
}

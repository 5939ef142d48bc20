/* sql_verdicts.c — the SQLite store's verdicts: what analysts said of
 * flags, and each rule's counts (store.h). */
#include "store/db.h"

#include <stdlib.h>

static const char sql_verdict_set[] =
    "INSERT INTO verdicts(flag_id, verdict, note, who, at) "
    "SELECT id, ?2, ?3, ?4, ?5 FROM flags WHERE id = ?1 "
    "ON CONFLICT(flag_id) DO UPDATE SET verdict = excluded.verdict, note = excluded.note, "
    "who = excluded.who, at = excluded.at";

int store_verdict_set(store_t *st, long long flag_id, const char *verdict, const char *note,
                      const char *who, const char *at, err_t *e)
{
    db_stmt_t *s;
    if (db_prepare(st, sql_verdict_set, &s) != 0)
        return db_error(st, e, "recording a verdict");
    db_bind_int64(s, 1, flag_id);
    db_bind_text(s, 2, verdict);
    db_bind_text(s, 3, note);
    db_bind_text(s, 4, who);
    db_bind_text(s, 5, at);
    int rc = db_step(s);
    db_finalize(s);
    if (rc != DB_DONE)
        return db_error(st, e, "recording a verdict");
    return db_changes(st) > 0 ? 0 : 1;
}

static const char sql_verdict_get[] =
    "SELECT flag_id, verdict, note, who, at FROM verdicts WHERE flag_id = ?1";

int store_verdict_get(store_t *st, long long flag_id, store_verdict_t *out, err_t *e)
{
    *out = (store_verdict_t){0};
    db_stmt_t *s;
    if (db_prepare(st, sql_verdict_get, &s) != 0)
        return db_error(st, e, "reading a verdict");
    db_bind_int64(s, 1, flag_id);
    int rc = db_step(s), found = rc == DB_ROW;
    if (found)
        *out = (store_verdict_t){.flag_id = db_column_int64(s, 0),
                                 .verdict = db_column_dup(s, 1), .note = db_column_dup(s, 2),
                                 .who = db_column_dup(s, 3), .at = db_column_dup(s, 4)};
    db_finalize(s);
    if (!found && rc != DB_DONE)
        return db_error(st, e, "reading a verdict");
    if (found && (!out->verdict || !out->who || !out->at)) {
        store_verdict_free(out);
        return err_set(e, "reading a verdict: out of memory");
    }
    return found;
}

void store_verdict_free(store_verdict_t *v)
{
    free(v->verdict);
    free(v->note);
    free(v->who);
    free(v->at);
    *v = (store_verdict_t){0};
}

/* flags_rule walks each rule's flags; the verdicts are found by primary key. */
static const char sql_rules_verdicts[] =
    "SELECT f.rule, count(*), count(v.verdict = 'useful' OR NULL), "
    "count(v.verdict = 'noise' OR NULL) "
    "FROM flags f LEFT JOIN verdicts v ON v.flag_id = f.id GROUP BY f.rule ORDER BY f.rule";

int store_rules_verdicts(store_t *st, store_rule_verdicts_t **rows, size_t *n, err_t *e)
{
    *rows = NULL;
    *n = 0;
    db_stmt_t *s;
    if (db_prepare(st, sql_rules_verdicts, &s) != 0)
        return db_error(st, e, "reading the rules' verdicts");
    size_t cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (*n == cap) {
            size_t c = cap ? 2 * cap : 16;
            store_rule_verdicts_t *more = realloc(*rows, c * sizeof *more);
            if (!more)
                break;
            *rows = more;
            cap = c;
        }
        store_rule_verdicts_t *r = &(*rows)[(*n)++];
        *r = (store_rule_verdicts_t){.rule = db_column_dup(s, 0),
                                     .flags = (long)db_column_int64(s, 1),
                                     .useful = (long)db_column_int64(s, 2),
                                     .noise = (long)db_column_int64(s, 3)};
        if (!r->rule)
            break;
    }
    db_finalize(s);
    if (rc != DB_DONE) {
        store_rules_verdicts_free(*rows, *n);
        *rows = NULL;
        *n = 0;
        return rc == DB_ROW ? err_set(e, "reading the rules' verdicts: out of memory")
                                : db_error(st, e, "reading the rules' verdicts");
    }
    return 0;
}

void store_rules_verdicts_free(store_rule_verdicts_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i].rule);
    free(rows);
}

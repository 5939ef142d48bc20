/* sql_silence.c — the SQLite store's silences, and the mark a flag
 * carries of the silence that kept it from delivery. Which silence covers
 * a flag is decided by alert/silence.c from the active ones listed here. */
#include "store/db.h"

static const char sql_silence_add[] =
    "INSERT INTO silences(rule, source, key, created_at, until, reason) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";

int store_silence_add(store_t *st, const store_silence_t *s, long long *id, err_t *e)
{
    return db_run_id(st, Q_SILENCE_ADD, sql_silence_add, e, "adding a silence", id, "tttttt",
                     s->rule, s->source, s->key, s->created_at, s->until, s->reason) < 0 ? -1 : 0;
}

static const char sql_silence_remove[] =
    "UPDATE silences SET removed_at = ?2 WHERE id = ?1 AND removed_at IS NULL";

int store_silence_remove(store_t *st, long long id, const char *now, int *found, err_t *e)
{
    if (db_run(st, Q_SILENCE_REMOVE, sql_silence_remove, e, "removing a silence", "It", id,
               now) != 0)
        return -1;
    *found = db_changes(st) > 0;
    return 0;
}

static const char sql_silence_list[] =
    "SELECT id, rule, source, key, created_at, until, reason, removed_at, "
    "removed_at IS NULL AND created_at <= ?1 AND ?1 < until AS active "
    "FROM silences WHERE ?2 <> 0 OR (removed_at IS NULL AND created_at <= ?1 AND ?1 < until) "
    "ORDER BY id";

static const char *column(db_stmt_t *q, int i)
{
    return (const char *)db_column_text(q, i);
}

typedef struct lister {
    store_silence_fn fn;
    void *ud;
    buf_t json;
    int out_of_memory;
} lister_t;

static int silence_row(db_stmt_t *q, void *ud)
{
    lister_t *l = ud;
    store_silence_t s = {.id = db_column_int64(q, 0), .rule = column(q, 1),
                         .source = column(q, 2), .key = column(q, 3),
                         .created_at = column(q, 4), .until = column(q, 5),
                         .reason = column(q, 6), .removed_at = column(q, 7),
                         .active = db_column_int(q, 8)};
    buf_reset(&l->json);
    if (store_silence_json(&s, &l->json) != 0)
        return l->out_of_memory = 1;
    s.json = buf_str(&l->json);
    return l->fn(l->ud, &s);
}

int store_silence_list(store_t *st, const char *now, int all, store_silence_fn fn, void *ud,
                       err_t *e)
{
    db_stmt_t *q = db_query(st, Q_SILENCE_LIST, sql_silence_list, e, "ti", now, all != 0);
    if (!q)
        return -1;
    lister_t l = {.fn = fn, .ud = ud};
    int rc = db_each_row(st, q, silence_row, &l, e, "listing silences");
    if (rc == 0 && l.out_of_memory)
        rc = err_set(e, "listing silences: out of memory");
    buf_free(&l.json);
    return rc;
}

static const char sql_flag_silence[] = "UPDATE flags SET silence_id = ?2 WHERE id = ?1";

int store_flag_silence(store_t *st, long long flag_id, long long silence_id, err_t *e)
{
    return db_run(st, Q_FLAG_SILENCE, sql_flag_silence, e, "recording a flag's silence", "II",
                  flag_id, silence_id);
}

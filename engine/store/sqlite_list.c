/* sqlite_list.c — the SQLite store's rows for the listings (`vane events,
 * flags, sources, runs, outbox`): plain values in the order listing.h
 * gives, turned into JSON and table columns by listing.c. Filters are bound
 * by name and are no-ops when NULL; a limit keeps the newest rows (the
 * highest ids), still handed back in id order. */
#include "store/sqlite_int.h"

static const char *const list_sql[] = {
    [STORE_LIST_EVENTS] =
        "SELECT " EVENT_COLUMNS " "
        "FROM events WHERE superseded_by IS NULL AND (:since IS NULL OR observed_at >= :since) "
        "AND (:source IS NULL OR source = :source) AND (:key IS NULL OR key = :key) "
        "AND (:change IS NULL OR change = :change)",
    [STORE_LIST_FLAGS] =
        "SELECT id, run_id, rule, severity, message, source, key, change, event_id, "
        "observed_at, created_at, silence_id, "
        "(SELECT reason FROM silences s WHERE s.id = silence_id) "
        "FROM flags WHERE (:since IS NULL OR created_at >= :since) "
        "AND (:source IS NULL OR source = :source) AND (:rule IS NULL OR rule = :rule) "
        "AND (:key IS NULL OR key = :key)",
    [STORE_LIST_SOURCES] =
        "SELECT id, url, last_attempt, last_success, last_status, last_error, failures, items, "
        "next_due, baselined FROM sources WHERE (:source IS NULL OR id = :source)",
    [STORE_LIST_RUNS] =
        "SELECT id, started_at, finished_at, status, exit_code, sources, fetched, unchanged, "
        "failed, events, flags, errors, warnings, COALESCE(json_array_length(warnings), 0), "
        "COALESCE(json_array_length(errors), 0) "
        "FROM runs WHERE (:since IS NULL OR started_at >= :since)",
    [STORE_LIST_OUTBOX] =
        "SELECT o.id, o.flag_id, o.channel, o.status, o.attempts, o.last_error, "
        "o.next_attempt, o.sent_at, f.rule, f.source, f.message "
        "FROM outbox o JOIN flags f ON f.id = o.flag_id "
        "WHERE (:all IS NOT NULL OR o.status <> 'sent') AND (:channel IS NULL OR o.channel = :channel) "
        "AND (:since IS NULL OR f.created_at >= :since) AND (:source IS NULL OR f.source = :source) "
        "AND (:rule IS NULL OR f.rule = :rule)",
};

/* Each listing's query in id order, the newest :limit rows (-1: all). */
#define IN_ORDER "SELECT * FROM (%s ORDER BY 1 DESC LIMIT :limit) ORDER BY 1"

#define MAX_VALUES 16

static void bind_named(sqlite3_stmt *s, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i > 0)
        db_bind_text(s, i, v);
}

static void bind_filter(sqlite3_stmt *s, const store_filter_t *f)
{
    bind_named(s, ":since", f ? f->since : NULL);
    bind_named(s, ":source", f ? f->source : NULL);
    bind_named(s, ":rule", f ? f->rule : NULL);
    bind_named(s, ":channel", f ? f->channel : NULL);
    bind_named(s, ":key", f ? f->key : NULL);
    bind_named(s, ":change", f ? f->change : NULL);
    bind_named(s, ":all", f && f->all ? "1" : NULL);
    int i = sqlite3_bind_parameter_index(s, ":limit");
    if (i > 0)
        sqlite3_bind_int64(s, i, f && f->limit > 0 ? f->limit : -1);
}

typedef struct lister {
    int n;
    store_values_fn fn;
    void *ud;
} lister_t;

static int list_row(sqlite3_stmt *s, void *ud)
{
    lister_t *l = ud;
    store_value_t v[MAX_VALUES];
    for (int i = 0; i < l->n; i++)
        v[i] = db_value(s, i);
    return l->fn(l->ud, v);
}

int store_list_rows(store_t *st, store_list_kind_t kind, const store_filter_t *f,
                    store_values_fn fn, void *ud, err_t *e)
{
    sqlite3_stmt *s;
    char *sql = sqlite3_mprintf(IN_ORDER, list_sql[kind]);
    if (!sql)
        return err_set(e, "listing: out of memory");
    int prepared = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    sqlite3_free(sql);
    if (prepared != SQLITE_OK)
        return db_error(st, e, "preparing a listing");
    bind_filter(s, f);
    lister_t l = {sqlite3_column_count(s), fn, ud};
    if (l.n > MAX_VALUES)
        l.n = MAX_VALUES;
    int rc = db_each_row(st, s, list_row, &l, e, "listing");
    sqlite3_finalize(s);
    return rc;
}

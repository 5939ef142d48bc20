/* sql_reads.c — the SQL of the history reads, from the filters that
 * are set (see sql_reads.h).
 *
 * How each filter is served (docs/design.md, "History reads"):
 *   - an equality (source, key, change, rule, channel) is a term the
 *     planner can seek an index with; the indexes end with the row's id,
 *     so walking one newest first gives the rows in the order asked and
 *     stops at the limit;
 *   - a key without a source: events are indexed by (source, key), so the
 *     sources are enumerated from events(source) one seek each (a loose
 *     index scan), then (source, key) sought for each;
 *   - a time bound: `id >= (smallest id at or after it)`, that id read from
 *     the index on the time column (INDEXED BY: SQLite would otherwise
 *     find it by walking the table in id order), and the time test itself
 *     written `+col`, so that it is checked on each row but never chosen
 *     as the index to walk (that would sort the whole span);
 *   - change has three values: it picks the index only when no source or
 *     key is given (`+change` otherwise), so that a source's events are
 *     walked, not every source's new ones;
 *   - a read of the newest few rows with a time bound may first try the
 *     rows with the highest ids alone (`id > :floor`, the newest-first
 *     probe of sql_history.c): when they hold as many matching rows as
 *     asked, those are the answer, and the span's index entries are never
 *     read.
 * Every statement is checked by tests/test_query_plans.c. */
#include "store/sql_reads.h"

#include "store/db.h"

/* A WHERE clause built one condition at a time. */
typedef struct where {
    buf_t *out;
    int n;
    int rc;
    int newest;   /* a time bound is `id > :floor` (a probe of the newest rows) */
} where_t;

/* A statement that begins with select, its conditions to come. */
static where_t start(buf_t *out, const char *select, int newest)
{
    return (where_t){.out = out, .rc = buf_puts(out, select), .newest = newest};
}

static void cond(where_t *w, const char *sql)
{
    w->rc |= buf_puts(w->out, w->n++ ? " AND " : " WHERE ");
    w->rc |= buf_puts(w->out, sql);
}

/* The sources that have events, one index seek each. */
#define EVENT_SOURCES                                                                        \
    "source IN (WITH RECURSIVE s(v) AS (SELECT (SELECT min(source) FROM events INDEXED BY " \
    "events_source) UNION ALL SELECT (SELECT min(source) FROM events INDEXED BY "          \
    "events_source WHERE source > v) FROM s WHERE v IS NOT NULL) SELECT v FROM s)"

/* events.observed_at >= :since, as an id bound too (of the source's
 * events when a source is given). */
static void events_since(where_t *w, int by_source)
{
    if (w->newest)
        cond(w, "id > :floor");
    else
        cond(w, by_source ? "id >= (SELECT min(id) FROM events INDEXED BY events_source_observed "
                        "WHERE source = :source AND observed_at >= :since)"
                      : "id >= (SELECT min(id) FROM events INDEXED BY events_observed "
                        "WHERE observed_at >= :since)");
    cond(w, "+observed_at >= :since");
}

/* The events' conditions: always not superseded, then the filters set. */
static void events_where(where_t *w, const char *source, const char *key, const char *change,
                         const char *since)
{
    cond(w, "superseded_by IS NULL");
    if (source)
        cond(w, "source = :source");
    else if (key)
        cond(w, EVENT_SOURCES);
    if (key)
        cond(w, "key = :key");
    if (change) /* by events(change) only when no source narrows the walk more */
        cond(w, source || key ? "+change = :change" : "change = :change");
    if (since)
        events_since(w, source != NULL);
}

/* The newest :limit rows of the inner query, handed back in id order. */
#define NEWEST " ORDER BY 1 DESC LIMIT :limit) AS newest ORDER BY 1"

static int events_list(const store_filter_t *f, int newest, buf_t *out)
{
    where_t w = start(out, "SELECT " EVENT_COLUMNS " FROM (SELECT " EVENT_STORED_COLUMNS " FROM events", newest);
    events_where(&w, f->source, f->key, f->change, f->since);
    return w.rc | buf_puts(out, NEWEST);
}

static int flags_list(const store_filter_t *f, int newest, buf_t *out)
{
    where_t w = start(out,
                      "SELECT * FROM (SELECT id, run_id, rule, severity, message, source, key, "
                      "change, event_id, observed_at, created_at, silence_id, "
                      "title, link, source_name, rule_title, changes, "
                      "(SELECT reason FROM silences s WHERE s.id = silence_id) FROM flags",
                      newest);
    if (f->source)
        cond(&w, "source = :source");
    if (f->rule)
        cond(&w, "rule = :rule");
    if (f->key)
        cond(&w, "key = :key");
    if (f->since) {
        cond(&w, newest ? "id > :floor"
                        : "id >= (SELECT min(id) FROM flags INDEXED BY flags_created "
                          "WHERE created_at >= :since)");
        cond(&w, "+created_at >= :since");
    }
    return w.rc | buf_puts(out, NEWEST);
}

/* Without --all, the unsent rows are read from the index that holds only
 * them. */
static int outbox_list(const store_filter_t *f, buf_t *out)
{
    where_t w = start(out,
                      "SELECT * FROM (SELECT o.id, o.flag_id, o.channel, o.status, o.attempts, "
                      "o.last_error, o.next_attempt, o.sent_at, f.rule, f.source, f.message "
                      "FROM outbox o ",
                      0);
    w.rc |= buf_puts(out, f->all ? "" : "INDEXED BY outbox_unsent ");
    w.rc |= buf_puts(out, "JOIN flags f ON f.id = o.flag_id");
    if (!f->all)
        cond(&w, "o.status <> 'sent'");
    if (f->channel)
        cond(&w, "o.channel = :channel");
    if (f->source)
        cond(&w, "f.source = :source");
    if (f->rule)
        cond(&w, "f.rule = :rule");
    if (f->since) {
        cond(&w, "f.id >= (SELECT min(id) FROM flags INDEXED BY flags_created "
                 "WHERE created_at >= :since)");
        cond(&w, "+f.created_at >= :since");
    }
    return w.rc | buf_puts(out, NEWEST);
}

/* sources and runs: small tables (a row per configured source, per run). */
static int small_list(store_list_kind_t kind, const store_filter_t *f, buf_t *out)
{
    if (kind == STORE_LIST_SOURCES)
        return buf_puts(out, "SELECT * FROM (SELECT id, url, last_attempt, last_success, "
                             "last_status, last_error, failures, items, next_due, baselined "
                             "FROM sources") |
               buf_puts(out, f->source ? " WHERE id = :source" : "") | buf_puts(out, NEWEST);
    return buf_puts(out, "SELECT * FROM (SELECT id, started_at, finished_at, status, exit_code, "
                         "sources, fetched, unchanged, failed, events, flags, errors, warnings, "
                         "COALESCE(json_array_length(warnings), 0), "
                         "COALESCE(json_array_length(errors), 0) FROM runs") |
           buf_puts(out, f->since ? " WHERE started_at >= :since" : "") | buf_puts(out, NEWEST);
}

const char db_sql_last[][32] = {[STORE_LIST_EVENTS] = "SELECT max(id) FROM events",
                                [STORE_LIST_FLAGS] = "SELECT max(id) FROM flags"};

const char db_sql_item[] =
    "SELECT " EVENT_COLUMNS " FROM (SELECT " EVENT_STORED_COLUMNS " FROM events "
    "WHERE source = ?1 AND key = ?2 AND superseded_by IS NULL ORDER BY id DESC LIMIT ?3) AS newest ORDER BY id";

int db_sql_list(store_list_kind_t kind, const store_filter_t *f, int newest, buf_t *out)
{
    static const store_filter_t none = {0};
    f = f ? f : &none;
    switch (kind) {
    case STORE_LIST_EVENTS:
        return events_list(f, newest, out);
    case STORE_LIST_FLAGS:
        return flags_list(f, newest, out);
    case STORE_LIST_OUTBOX:
        return outbox_list(f, out);
    default:
        return small_list(kind, f, out);
    }
}

int db_sql_history(const store_history_query_t *q, int newest, buf_t *out)
{
    where_t w = start(out, "SELECT " EVENT_COLUMNS " FROM (SELECT " EVENT_STORED_COLUMNS " FROM events", newest);
    events_where(&w, q->source, NULL, q->change, q->since);
    if (!q->baseline)
        cond(&w, "baseline = 0");
    return w.rc | buf_puts(out, NEWEST);
}

int db_sql_span(const char *since, const char *until, buf_t *out)
{
    where_t w = start(out, "SELECT min(id), max(id) FROM events INDEXED BY events_observed", 0);
    if (since)
        cond(&w, "observed_at >= :since");
    if (until)
        cond(&w, "observed_at < :until");
    return w.rc;
}

int db_sql_range(const char *since, const char *until, int bounded, buf_t *out)
{
    where_t w = start(out, "SELECT " EVENT_COLUMNS " FROM events", 0);
    cond(&w, "id > :after");
    if (bounded)
        cond(&w, "id <= :last");
    cond(&w, "superseded_by IS NULL");
    if (since)
        cond(&w, "+observed_at >= :since");
    if (until)
        cond(&w, "+observed_at < :until");
    return w.rc | buf_puts(out, " ORDER BY id LIMIT :limit");
}

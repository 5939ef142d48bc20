/* pg_work.c — sharing the work among runs (see store.h): leases on due
 * sources, events locked while the rules evaluate them, a lock per
 * channel's outbox, and the runs that work beside this one.
 *
 * On PostgreSQL:
 *   - a source is claimed by setting leased_until and leased_by (the run's
 *     id) on rows picked with FOR UPDATE SKIP LOCKED, so two runs claiming
 *     at once take different rows; the claim checks again that the source
 *     is due, so a source fetched by one run since another read the
 *     sources is not taken twice; a run releases its leases when it ends,
 *     and a killed run's expire;
 *   - events are read for evaluation with FOR UPDATE SKIP LOCKED inside the
 *     transaction that stores their flags and marks them evaluated: the
 *     rows' locks are the claim, and a killed run's are dropped with its
 *     connection;
 *   - a channel's outbox is delivered under pg_advisory_lock, one run at
 *     a time, in flag order.
 * On SQLite the run lock (run/lock.h) keeps one run at a time: everything
 * is the run's. */
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_shared(const store_t *st)
{
    return db_is_pg(st);
}

/* Append the ids as a PostgreSQL text array literal: {"a","b"}. */
static int put_array(buf_t *out, const char *const *ids, size_t n)
{
    int rc = buf_putc(out, '{');
    for (size_t i = 0; i < n; i++) {
        rc |= buf_puts(out, i ? ",\"" : "\"");
        for (const char *p = ids[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                rc |= buf_putc(out, '\\');
            rc |= buf_putc(out, *p);
        }
        rc |= buf_putc(out, '"');
    }
    return rc | buf_putc(out, '}');
}

/* The runs alive now: each names its connection "vane run N" (below). */
#define LIVE_RUNS                                                                    \
    "SELECT substr(application_name, 10) FROM pg_stat_activity "                    \
    "WHERE datname = current_database() AND application_name LIKE 'vane run %'"

/* A lease holds while it has not run out and its run is alive: a run
 * whose connection is gone (killed, its host down and the connection
 * seen closed) holds nothing, and its sources go to the next run at once.
 * A source is due when its next_due has come; forced (--all, --only), when
 * it was never claimed or last claimed by a run that began before this
 * one and had ended when this one began. */
#define CLAIMABLE                                                                            \
    "(leased_until IS NULL OR leased_until < :now OR leased_by NOT IN (" LIVE_RUNS ")) "     \
    "AND CASE WHEN :forced = 1 THEN leased_by IS NULL OR (CAST(leased_by AS bigint) < :run " \
    "AND NOT CAST(leased_by AS bigint) = ANY(CAST(:beside AS bigint[]))) "                   \
    "ELSE next_due IS NULL OR next_due <= :now END"

/* One claim: the first :limit claimable sources of the list that no other
 * claim has locked are leased to the run (1); the ones another run holds,
 * or that are no longer due, are named too (2), so the run stops asking
 * for them. The lease is tested again on the locked row itself, so a
 * source leased by another run since the list was read is never taken.
 * The list is joined, not tested with `id = ANY(list)`: for a long list
 * the planner scans the table and searches the array for each row (10,000
 * sources: 5.5 s a claim, against 45 ms joined). */
static const char sql_sources_claim[] =
    "WITH listed AS MATERIALIZED (SELECT id, " CLAIMABLE " AS free "
    "FROM unnest(CAST(:ids AS text[])) AS l(id) JOIN sources USING (id)), "
    "picked AS (SELECT id FROM sources WHERE id IN (SELECT id FROM listed WHERE free) "
    "AND " CLAIMABLE " ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED), "
    "taken AS (UPDATE sources SET leased_until = :until, leased_by = CAST(:run AS text) "
    "WHERE id IN (SELECT id FROM picked) RETURNING id) "
    "SELECT id, 1 FROM taken UNION ALL SELECT id, 2 FROM listed WHERE NOT free";

/* The list's ids, in order, for finding each answered id by bisection. */
typedef struct claiming {
    const char *const *ids;
    size_t *order;
    size_t n;
    unsigned char *claimed;
    size_t *taken;
} claiming_t;

static int by_id(const void *a, const void *b, void *ids)
{
    const char *const *s = ids;
    return strcmp(s[*(const size_t *)a], s[*(const size_t *)b]);
}

/* The position in the list of id, or n. */
static size_t find(const claiming_t *c, const char *id)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->ids[c->order[mid]], id);
        if (cmp == 0)
            return c->order[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return c->n;
}

static int mark_claimed(db_stmt_t *s, void *ud)
{
    claiming_t *c = ud;
    const char *id = db_column_text(s, 0);
    size_t i = id ? find(c, id) : c->n;
    if (i < c->n && !c->claimed[i]) {
        c->claimed[i] = (unsigned char)db_column_int(s, 1);
        *c->taken += c->claimed[i] == STORE_CLAIMED;
    }
    return 0;
}

/* Run the claim with its list bound. */
static int claim(store_t *st, const store_claim_t *c, const char *list, size_t limit,
                 claiming_t *cl, err_t *e)
{
    db_stmt_t *s = db_stmt(st, Q_SOURCES_CLAIM, sql_sources_claim, e);
    if (!s)
        return -1;
    db_bind_named(s, ":until", c->until);
    db_bind_named_int64(s, ":run", c->run_id);
    db_bind_named(s, ":ids", list);
    db_bind_named(s, ":now", c->now);
    db_bind_named_int64(s, ":forced", c->forced);
    db_bind_named(s, ":beside", st->beside ? st->beside : "{}");
    db_bind_named_int64(s, ":limit", (long long)limit);
    return db_each_row(st, s, mark_claimed, cl, e, "claiming sources");
}

int store_sources_claim(store_t *st, const store_claim_t *c, const char *const *ids, size_t n,
                        size_t limit, unsigned char *claimed, size_t *taken, err_t *e)
{
    memset(claimed, 0, n);
    *taken = 0;
    if (!db_is_pg(st)) {
        memset(claimed, STORE_CLAIMED, n);
        *taken = n;
        return 0;
    }
    buf_t list = {0};
    size_t *order = malloc((n + 1) * sizeof *order);
    int rc = order && put_array(&list, ids, n) == 0 ? 0 : err_set(e, "claiming sources: out of memory");
    if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        qsort_r(order, n, sizeof *order, by_id, (void *)ids);
        claiming_t cl = {ids, order, n, claimed, taken};
        rc = claim(st, c, buf_str(&list), limit, &cl, e);
    }
    free(order);
    buf_free(&list);
    return rc;
}

static const char sql_sources_release[] =
    "UPDATE sources SET leased_until = NULL WHERE leased_by = CAST(?1 AS text) "
    "AND leased_until IS NOT NULL";

int store_sources_release(store_t *st, long long run_id, err_t *e)
{
    if (!db_is_pg(st))
        return 0;
    return db_run(st, Q_SOURCES_RELEASE, sql_sources_release, e, "releasing the run's sources",
                  "I", run_id);
}

static const char sql_events_done[] =
    "UPDATE events SET evaluated = 1 WHERE id = ANY(CAST(?1 AS bigint[]))";

int store_events_evaluated(store_t *st, const store_event_t *evs, size_t n, err_t *e)
{
    if (n == 0)
        return 0;
    if (!db_is_pg(st))
        return store_events_evaluated_through(st, evs[n - 1].id, e);
    buf_t list = {0};
    int rc = buf_putc(&list, '{');
    for (size_t i = 0; i < n; i++)
        rc |= buf_printf(&list, "%s%lld", i ? "," : "", evs[i].id);
    rc |= buf_putc(&list, '}');
    if (rc == 0)
        rc = db_run(st, Q_EVENTS_DONE, sql_events_done, e, "recording the events evaluated", "t",
                    buf_str(&list));
    else
        rc = err_set(e, "recording the events evaluated: out of memory");
    buf_free(&list);
    return rc;
}

static int ignore_row(db_stmt_t *s, void *ud)
{
    (void)s;
    (void)ud;
    return 0;
}

/* Run a SELECT of one row for what it does, not for what it returns. */
static int select_for_effect(store_t *st, int which, const char *sql, const char *arg, err_t *e,
                             const char *what)
{
    db_stmt_t *s = db_query(st, which, sql, e, "t", arg);
    return s && db_first_row(st, s, ignore_row, NULL, e, what) >= 0 ? 0 : -1;
}

int store_channel_lock(store_t *st, const char *channel, err_t *e)
{
    if (!db_is_pg(st))
        return 0;
    return select_for_effect(st, Q_CHANNEL_LOCK,
                             "SELECT pg_advisory_lock(hashtext('vane outbox ' || ?1))", channel, e,
                             "waiting for the channel's lock");
}

void store_channel_unlock(store_t *st, const char *channel)
{
    if (db_is_pg(st))
        select_for_effect(st, Q_CHANNEL_UNLOCK,
                          "SELECT pg_advisory_unlock(hashtext('vane outbox ' || ?1))", channel,
                          NULL, "releasing the channel's lock");
}

/* ---- runs ------------------------------------------------------------------- */

/* A run is alive while its connection is: each names itself "vane run N"
 * in pg_stat_activity. A 'running' run with no such connection died. */
static const char sql_pg_run_aborted[] =
    "UPDATE runs SET status = 'aborted' WHERE status = 'running' AND NOT EXISTS "
    "(SELECT 1 FROM pg_stat_activity a WHERE a.datname = current_database() "
    "AND a.application_name = 'vane run ' || runs.id)";

static const char sql_pg_run_begin[] = "INSERT INTO runs(started_at) VALUES(?1) RETURNING id";

static const char sql_pg_run_name[] =
    "SELECT set_config('application_name', 'vane run ' || ?1, false)";

static const char sql_pg_runs_beside[] =
    "SELECT '{' || coalesce(string_agg(CAST(id AS text), ','), '') || '}' FROM runs "
    "WHERE status = 'running' AND id <> ?1";

static int read_beside(db_stmt_t *s, void *ud)
{
    store_t *st = ud;
    free(st->beside);
    st->beside = db_column_dup(s, 0);
    return 0;
}

/* The run's row, and its name on its connection, in one transaction: no
 * other run sees the row before the name. */
static int begin_named(store_t *st, const char *started_at, long long *run_id, err_t *e)
{
    char id[32];
    if (db_script(st, "BEGIN") != 0)
        return db_error(st, e, "recording the run");
    int rc = db_run_id(st, Q_RUN_BEGIN, sql_pg_run_begin, e, "recording the run", run_id, "t",
                       started_at) < 0 ? -1 : 0;
    snprintf(id, sizeof id, "%lld", *run_id);
    if (rc == 0)
        rc = select_for_effect(st, Q_RUN_NAME, sql_pg_run_name, id, e, "naming the run");
    if (rc == 0 && db_script(st, "COMMIT") != 0)
        rc = db_error(st, e, "recording the run");
    if (rc != 0)
        db_script(st, "ROLLBACK");
    return rc;
}

int db_pg_run_begin(store_t *st, const char *started_at, long long *run_id, err_t *e)
{
    if (db_run(st, Q_RUN_ABORTED, sql_pg_run_aborted, e, "marking dead runs aborted", "") != 0 ||
        begin_named(st, started_at, run_id, e) != 0)
        return -1;
    db_stmt_t *s = db_query(st, Q_RUNS_BESIDE, sql_pg_runs_beside, e, "I", *run_id);
    return s && db_first_row(st, s, read_beside, st, e, "reading the runs beside") >= 0 ? 0 : -1;
}

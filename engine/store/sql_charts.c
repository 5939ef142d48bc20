/* sql_charts.c — the SQLite store's reads for the web view's
 * advisories, sources and rules pages (charts.h). Each runs once per page,
 * so it is prepared where it is used. The costs: an advisory list reads the
 * source's items and seeks each one's events (events_source_key); a
 * country's versions seek its events; a source's days read its events and
 * the runs of the window; the rules' weeks read the window's flags
 * (flags_created). */
#include "store/charts.h"
#include "store/sql_charts.h"
#include "store/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prepare sql, bind its n_text text parameters ?1, ?2, … to the
 * arguments after n_text, read its rows into *rows, finalize. 0, or -1 with
 * e set. */
static int read_all(store_t *st, const char *sql, const db_rows_t *shape, void **rows, size_t *n,
                    err_t *e, int n_text, ...)
{
    *rows = NULL;
    *n = 0;
    db_stmt_t *s;
    if (db_prepare(st, sql, &s) != 0)
        return db_error(st, e, shape->what);
    va_list ap;
    va_start(ap, n_text);
    for (int i = 0; i < n_text; i++)
        db_bind_text(s, i + 1, va_arg(ap, const char *));
    va_end(ap);
    int rc = db_read_rows(st, s, shape, (size_t)-1, rows, n, e);
    db_finalize(s);
    return rc;
}

/* ---- advisories ---------------------------------------------------------- */

/* An item's newest change is found by id in events_source_key: max(observed_at)
 * would have SQLite walk every event of the source (events_source_observed)
 * for each item. */
#define LETTERS(json, path) \
    "coalesce((SELECT group_concat(value, ' ') FROM json_each(" json ", '" path "')), '')"

const char db_sql_charts_advisories[] =
    "SELECT * FROM (SELECT i.source, i.key, json_extract(i.fields, '$.country') AS country, "
    "json_extract(i.fields, '$.label') AS label, "
    "coalesce(CAST(json_extract(i.fields, '$.level') AS INTEGER), 0) AS level, "
    LETTERS("i.fields", "$.notations") ", "
    "(SELECT e.observed_at FROM events e WHERE e.source = i.source AND e.key = i.key "
    " AND e.baseline = 0 AND e.superseded_by IS NULL ORDER BY e.id DESC LIMIT 1) AS changed "
    "FROM items i WHERE i.source = ?1 AND i.removed_at IS NULL) AS a ORDER BY ";

const char *const db_sql_charts_advisory_order[] = {
    [CHART_BY_COUNTRY] = "a.country COLLATE NOCASE NULLS FIRST, a.key",
    [CHART_BY_LEVEL] = "a.level DESC, a.country COLLATE NOCASE NULLS FIRST, a.key",
    [CHART_BY_CHANGE] = "a.changed IS NULL, a.changed DESC, a.country COLLATE NOCASE NULLS FIRST, a.key",
};

static const db_column_t advisory_cols[] = {
    DB_TEXT(chart_advisory_t, source), DB_TEXT(chart_advisory_t, key),
    DB_TEXT(chart_advisory_t, country), DB_TEXT(chart_advisory_t, label),
    DB_LONG(chart_advisory_t, level), DB_TEXT(chart_advisory_t, notations),
    DB_TEXT(chart_advisory_t, last_change)};

static int advisory_read(db_stmt_t *s, void *row)
{
    chart_advisory_t *a = row;
    db_read_columns(s, a, advisory_cols, DB_COUNT(advisory_cols));
    return a->source && a->key && a->notations ? 0 : -1;
}

void store_advisories_free(chart_advisory_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        chart_advisory_t *a = &rows[i];
        free(a->source), free(a->key), free(a->country), free(a->label);
        free(a->notations), free(a->last_change);
    }
    free(rows);
}

static void advisories_free(void *rows, size_t n) { store_advisories_free(rows, n); }

int store_advisories(store_t *st, const char *source, chart_sort_t sort, chart_advisory_t **rows,
                     size_t *n, err_t *e)
{
    static const db_rows_t shape = {sizeof(chart_advisory_t), 64, advisory_read, advisories_free,
                                    "reading the advisories"};
    if ((unsigned)sort > CHART_BY_CHANGE)
        sort = CHART_BY_COUNTRY;
    char sql[sizeof db_sql_charts_advisories + 96];
    snprintf(sql, sizeof sql, "%s%s", db_sql_charts_advisories, db_sql_charts_advisory_order[sort]);
    void *r;
    int rc = read_all(st, sql, &shape, &r, n, e, 1, source);
    *rows = r;
    return rc;
}

/* ---- one advisory's versions ---------------------------------------------- */

const char db_sql_charts_versions[] =
    "SELECT id, observed_at, change, json_extract(item, '$.country'), "
    "coalesce(CAST(json_extract(item, '$.level') AS INTEGER), 0), json_extract(item, '$.label'), "
    LETTERS("item", "$.notations") ", " LETTERS("item", "$.indicators_added") ", "
    LETTERS("item", "$.indicators_removed") ", "
    "CASE change WHEN 'changed' THEN event_diff(item, prev, diff) END "
    "FROM events WHERE source = ?1 AND key = ?2 AND superseded_by IS NULL ORDER BY id";

static const db_column_t version_cols[] = {
    DB_INT64(chart_version_t, event_id), DB_TEXT(chart_version_t, observed_at),
    DB_TEXT(chart_version_t, change), DB_TEXT(chart_version_t, country),
    DB_LONG(chart_version_t, level),
    DB_TEXT(chart_version_t, label), DB_TEXT(chart_version_t, notations),
    DB_TEXT(chart_version_t, added), DB_TEXT(chart_version_t, removed),
    DB_TEXT(chart_version_t, diff)};

static int version_read(db_stmt_t *s, void *row)
{
    chart_version_t *v = row;
    db_read_columns(s, v, version_cols, DB_COUNT(version_cols));
    return v->observed_at && v->change && v->notations && v->added && v->removed ? 0 : -1;
}

void store_advisory_versions_free(chart_version_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        chart_version_t *v = &rows[i];
        free(v->observed_at), free(v->change), free(v->country), free(v->label), free(v->notations);
        free(v->added), free(v->removed), free(v->diff);
    }
    free(rows);
}

static void versions_free(void *rows, size_t n) { store_advisory_versions_free(rows, n); }

int store_advisory_versions(store_t *st, const char *source, const char *key,
                            chart_version_t **rows, size_t *n, err_t *e)
{
    static const db_rows_t shape = {sizeof(chart_version_t), 16, version_read, versions_free,
                                    "reading an advisory's versions"};
    void *r;
    int rc = read_all(st, db_sql_charts_versions, &shape, &r, n, e, 2, source, key);
    *rows = r;
    return rc;
}

/* ---- sources ------------------------------------------------------------- */

const char db_sql_charts_sources[] =
    "SELECT id, last_attempt, last_success, next_due, last_error, coalesce(last_status, 0), "
    "failures, coalesce(items, -1) FROM sources ORDER BY id";

static const db_column_t source_cols[] = {
    DB_TEXT(chart_source_t, id), DB_TEXT(chart_source_t, last_attempt),
    DB_TEXT(chart_source_t, last_success), DB_TEXT(chart_source_t, next_due),
    DB_TEXT(chart_source_t, last_error), DB_LONG(chart_source_t, last_status),
    DB_LONG(chart_source_t, failures), DB_LONG(chart_source_t, items)};

static int source_read(db_stmt_t *s, void *row)
{
    chart_source_t *c = row;
    db_read_columns(s, c, source_cols, DB_COUNT(source_cols));
    return c->id ? 0 : -1;
}

void store_sources_health_free(chart_source_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        chart_source_t *c = &rows[i];
        free(c->id), free(c->last_attempt), free(c->last_success), free(c->next_due);
        free(c->last_error);
    }
    free(rows);
}

static void sources_free(void *rows, size_t n) { store_sources_health_free(rows, n); }

int store_sources_health(store_t *st, chart_source_t **rows, size_t *n, err_t *e)
{
    static const db_rows_t shape = {sizeof(chart_source_t), 16, source_read, sources_free,
                                    "reading the sources' health"};
    void *r;
    int rc = read_all(st, db_sql_charts_sources, &shape, &r, n, e, 0);
    *rows = r;
    return rc;
}

/* Day numbers from ?2's date; ?1 the source, ?3 the number of days. */
const char db_sql_charts_source_changes[] =
    "SELECT d, count(*) FROM (SELECT CAST(julianday(substr(observed_at, 1, 10)) - "
    "julianday(substr(?2, 1, 10)) AS INTEGER) AS d FROM events WHERE source = ?1 "
    "AND observed_at >= substr(?2, 1, 10) AND baseline = 0 AND superseded_by IS NULL) AS days "
    "WHERE d < ?3 GROUP BY d";
const char db_sql_charts_source_failures[] =
    "SELECT d, count(DISTINCT run) FROM (SELECT CAST(julianday(substr(r.started_at, 1, 10)) - "
    "julianday(substr(?2, 1, 10)) AS INTEGER) AS d, r.id AS run FROM runs r, "
    "json_each(CASE WHEN json_valid(r.errors) THEN r.errors ELSE '[]' END) j "
    "WHERE r.started_at >= substr(?2, 1, 10) "
    "AND substr(j.value, 1, length('source ' || ?1 || ': ')) = 'source ' || ?1 || ': ') AS days "
    "WHERE d < ?3 GROUP BY d";

static int day_counts(store_t *st, const char *sql, const char *source, const char *from,
                      int days, long *out, err_t *e)
{
    memset(out, 0, (size_t)days * sizeof *out);
    db_stmt_t *s;
    if (db_prepare(st, sql, &s) != 0)
        return db_error(st, e, "reading a source's days");
    db_bind_text(s, 1, source);
    db_bind_text(s, 2, from);
    db_bind_int(s, 3, days);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int d = db_column_int(s, 0);
        if (d >= 0 && d < days)
            out[d] = (long)db_column_int64(s, 1);
    }
    db_finalize(s);
    return rc == DB_DONE ? 0 : db_error(st, e, "reading a source's days");
}

int store_source_days(store_t *st, const char *source, const char *from, int days,
                      long *changes, long *failures, err_t *e)
{
    if (days <= 0)
        return 0;
    if (day_counts(st, db_sql_charts_source_changes, source, from, days, changes, e) != 0)
        return -1;
    return day_counts(st, db_sql_charts_source_failures, source, from, days, failures, e);
}

/* ---- rules' weeks --------------------------------------------------------- */

/* Without INDEXED BY, SQLite walks flags_rule whole to group by rule. */
const char db_sql_charts_rules_weeks[] =
    "SELECT rule, (CAST(strftime('%s', created_at) AS BIGINT) - "
    "CAST(strftime('%s', ?1) AS BIGINT)) / 604800 AS w, count(*) "
    "FROM flags INDEXED BY flags_created WHERE created_at >= ?1 GROUP BY rule, w ORDER BY rule, w";

static const db_column_t week_cols[] = {
    DB_TEXT(chart_rule_week_t, rule), DB_INT(chart_rule_week_t, week),
    DB_LONG(chart_rule_week_t, flags)};

static int week_read(db_stmt_t *s, void *row)
{
    chart_rule_week_t *w = row;
    db_read_columns(s, w, week_cols, DB_COUNT(week_cols));
    return w->rule ? 0 : -1;
}

void store_rules_weeks_free(chart_rule_week_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i].rule);
    free(rows);
}

static void weeks_free(void *rows, size_t n) { store_rules_weeks_free(rows, n); }

int store_rules_weeks(store_t *st, const char *from, chart_rule_week_t **rows, size_t *n,
                      err_t *e)
{
    static const db_rows_t shape = {sizeof(chart_rule_week_t), 32, week_read, weeks_free,
                                    "reading the rules' weeks"};
    void *r;
    int rc = read_all(st, db_sql_charts_rules_weeks, &shape, &r, n, e, 1, from);
    *rows = r;
    return rc;
}

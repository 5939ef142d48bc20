/* charts.h — the store's reads for the web view's advisories, sources
 * and rules pages (sql_charts.c): every country's current advisory,
 * one country's versions, each source's health and its changes and
 * failures per day, and each rule's flags per week. Read only; every
 * string is a copy, freed with the matching _free. */
#ifndef VANE_CHARTS_H
#define VANE_CHARTS_H

#include <stddef.h>

#include "store/store.h"
#include "util/err.h"

/* An item of a travel-advisories source as it is now. */
typedef struct chart_advisory {
    char *source, *key;
    char *country, *label;      /* NULL when the item has none */
    long level;                 /* 0 when the item has none */
    char *notations;            /* the indicator letters, "D O" ("" for none) */
    char *last_change;          /* the observed_at of its newest event (first_seen without one) */
} chart_advisory_t;

/* How store_advisories orders the rows. */
typedef enum chart_sort {
    CHART_BY_COUNTRY,           /* country, then key */
    CHART_BY_LEVEL,             /* highest level first, then country */
    CHART_BY_CHANGE             /* newest change first, then country */
} chart_sort_t;

/* The items of `source` not removed. 0, or -1 with e set. */
int store_advisories(store_t *st, const char *source, chart_sort_t sort, chart_advisory_t **rows,
                     size_t *n, err_t *e);
void store_advisories_free(chart_advisory_t *rows, size_t n);

/* One version of an advisory: one of its events (superseded ones left out). */
typedef struct chart_version {
    long long event_id;
    char *observed_at, *change;
    char *country;              /* NULL when the item has none */
    long level;                 /* 0: none */
    char *label;
    char *notations;            /* "D O" */
    char *added, *removed;      /* indicators_added / _removed, "D" ("" for none) */
    char *diff;                 /* the event's diff (JSON), NULL for new and removed */
} chart_version_t;

/* The versions of source/key, oldest first. 0, or -1 with e set. */
int store_advisory_versions(store_t *st, const char *source, const char *key,
                            chart_version_t **rows, size_t *n, err_t *e);
void store_advisory_versions_free(chart_version_t *rows, size_t n);

/* A source's health as the last runs left it. */
typedef struct chart_source {
    char *id;
    char *last_attempt, *last_success, *next_due, *last_error;   /* NULL: none */
    long last_status, failures, items;      /* items -1: never extracted */
} chart_source_t;

/* Every source the database has, by id. 0, or -1 with e set. */
int store_sources_health(store_t *st, chart_source_t **rows, size_t *n, err_t *e);
void store_sources_health_free(chart_source_t *rows, size_t n);

/* Per day for `days` days from the day of `from` (an ISO time; day i is
 * [from's date + i days, + 1 day) in UTC): the source's changes (events
 * stored, baseline and superseded ones left out) into changes[i], and the
 * runs whose errors name the source ("source ID: …") into failures[i]. 0,
 * or -1 with e set. */
int store_source_days(store_t *st, const char *source, const char *from, int days,
                      long *changes, long *failures, err_t *e);

/* A rule's flags in one week. */
typedef struct chart_rule_week {
    char *rule;
    int week;                   /* 0 the week that starts at `from`, 1 the next, … */
    long flags;
} chart_rule_week_t;

/* Each rule's flags created in each week from `from` on (ISO time, weeks
 * of 7 days counted from it), by rule and week. 0, or -1 with e set. */
int store_rules_weeks(store_t *st, const char *from, chart_rule_week_t **rows, size_t *n,
                      err_t *e);
void store_rules_weeks_free(chart_rule_week_t *rows, size_t n);

#endif

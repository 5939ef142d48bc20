/* metrics_reads.h — the store's reads behind vane's Prometheus metrics
 * (sql_metrics.c; the text is built by metrics/metrics.c): counts
 * grouped on indexed columns, the last finished run, each source's health,
 * the database's size. Each is cheap with a hundred thousand flags. Every
 * function returns 0, or -1 with e set; none prints. */
#ifndef VANE_METRICS_READS_H
#define VANE_METRICS_READS_H

#include "store/store.h"
#include "util/err.h"

/* A count of rows under one or two labels (b NULL when there is one). The
 * strings live until fn returns; fn returns non-zero to stop. */
typedef int (*store_count_fn)(void *ud, const char *a, const char *b, long long n);

/* Runs by status (running, ok, failed, aborted): a = status. */
int store_metrics_runs(store_t *st, store_count_fn fn, void *ud, err_t *e);
/* Flags by rule and severity: a = rule, b = severity; by rule, then severity. */
int store_metrics_flags(store_t *st, store_count_fn fn, void *ud, err_t *e);
/* Outbox rows not sent, by channel and status: a = channel, b = "pending"
 * or "dead"; by channel. */
int store_metrics_outbox(store_t *st, store_count_fn fn, void *ud, err_t *e);

/* The last run that finished: times in seconds since the epoch. */
typedef struct store_last_run {
    long long id;
    long long started, finished;
    int exit_code;
    char status[16];              /* ok | failed */
} store_last_run_t;

/* 1 found (*out filled), 0 when no run has finished yet, -1 with e set. */
int store_metrics_last_run(store_t *st, store_last_run_t *out, err_t *e);

/* One source's health as stored (the strings live until fn returns). */
typedef struct store_source_health {
    const char *id;
    int attempted;                /* it has been fetched at least once */
    int up;                       /* its last attempt succeeded */
    long long last_success;       /* seconds since the epoch; 0: never */
    long failures;                /* failed attempts in a row */
    long items;                   /* items its last extraction gave; -1: none yet */
} store_source_health_t;

typedef int (*store_source_health_fn)(void *ud, const store_source_health_t *s);

/* Every source the database knows, by id. */
int store_metrics_sources(store_t *st, store_source_health_fn fn, void *ud, err_t *e);

/* The size of the database on disk: its file and its write-ahead log. */
int store_database_bytes(store_t *st, long long *bytes, err_t *e);

#endif

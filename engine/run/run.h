/* run.h — one monitoring run, the eight steps of docs/design.md:
 * lock, load, fetch the due sources, extract, diff and store, evaluate the
 * rules, deliver, record the run. run.c reads top to bottom in that order. */
#ifndef VANE_RUN_H
#define VANE_RUN_H

#include <stddef.h>
#include <stdio.h>

#include "config/config.h"
#include "util/exitcode.h"

typedef struct run_opts {
    int all;                      /* ignore schedules: fetch every source */
    const char *const *only;      /* --source IDs */
    size_t n_only;
    int dry_run;                  /* write nothing to the database */
    int no_alerts;                /* record flags, deliver nothing */
    int json;                     /* flags as JSON lines */
    int verbose, quiet;
    double wait;                  /* seconds to wait for the lock */
    FILE *out, *err;              /* flags, and errors/summary */
    /* The configuration's cross-reference check (cli/references.h): the
     * problems it added to errs, *complete set when every reference could
     * be checked; and the fingerprint of what it reads. A run checks
     * before it starts, unless the database says the check passed on the
     * same fingerprint; problems refuse the run (VANE_EXIT_USAGE). NULL:
     * no check. */
    size_t (*check_references)(const config_t *cfg, errlist_t *errs, int *complete);
    void (*references_fingerprint)(const config_t *cfg, const char *rules, char out[65]);
} run_opts_t;

/* Run once against the database at db_path. Returns an exit status (util/exitcode.h). */
int run_main(const config_t *cfg, const char *db_path, const run_opts_t *o);

/* `vane deliver`: step 7 alone, under the same lock: deliver what is due in
 * the outbox (the stdout channel prints to o->out). Returns an exit status. */
int run_deliver(const config_t *cfg, const char *db_path, const run_opts_t *o);

#endif

/* checks.h — the rules' per-run checks as flags: episodes and re-alerts.
 *
 * Each run, every rule's check(ctx) returns the keys whose condition holds
 * now ("no press release in 3 days"). A key the rule did not return last
 * time starts an episode and is flagged at once; while the rule keeps
 * returning it, it is flagged again once its `realert` window (default
 * 24h) has passed since its last flag; a run that leaves it out ends the
 * episode, and a later return is a new episode, flagged at once. The store
 * keeps the state per rule and key (store_check_*). A flag's dedup key holds
 * the rule, the key and the time it was raised (the window's start), so a
 * rerun at the same time raises nothing twice. Check flags go through
 * alert_route like every flag: channels and silences apply. */
#ifndef VANE_CHECKS_H
#define VANE_CHECKS_H

#include "config/config.h"
#include "util/err.h"
#include "rules/rules.h"
#include "store/store.h"

typedef struct checks_opts {
    store_t *st;
    const config_t *cfg;
    long long run_id;
    const char *now;      /* the run's time, ISO-8601 UTC */
    int no_alerts;        /* record flags but route none (--no-alerts) */
} checks_opts_t;

/* Run every rule's check and record the flags due, inside the caller's
 * transaction. *flags counts new flags. Check errors go to errs (return
 * 1); -1 on a store error (e set). */
int checks_run(rules_t *rules, const checks_opts_t *o, errlist_t *errs, long *flags, err_t *e);

/* Were the rule files with this fingerprint (rules_fingerprint) seen to
 * have no check? Then a run that needs the rules for nothing else need not
 * load them. */
int checks_known_none(store_t *st, const char *fingerprint, int *none, err_t *e);
/* Remember what the loaded rules with this fingerprint have. */
int checks_remember(store_t *st, const char *fingerprint, int has_checks, err_t *e);

/* What a returned key calls for, given its state: CHECK_NEW_EPISODE (no
 * state, or its episode ended), CHECK_REALERT (ongoing, and realert
 * seconds have passed since last_flagged) or CHECK_QUIET. */
enum { CHECK_QUIET, CHECK_NEW_EPISODE, CHECK_REALERT };
int checks_decide(int has_state, int active, const char *last_flagged, const char *now,
                  long long realert);

#endif

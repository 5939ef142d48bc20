/* replay.h — `vane replay`: what a rule would have flagged on the stored
 * history, without changing anything.
 *
 * Every stored event observed in [since, until) is given to the one rule,
 * oldest first, exactly as a run would (baseline events only to a rule with
 * baseline = true); each flag it would raise is printed as a run prints
 * flags, with the event it came from. Nothing is written: no flags, no
 * outbox rows, no evaluated marks. Use it to try a new or edited rule on
 * months of history before letting it alert anyone. */
#ifndef VANE_REPLAY_H
#define VANE_REPLAY_H

#include <stdio.h>

#include "config/config.h"

typedef struct replay_opts {
    const char *rule;              /* the rule's id */
    const char *since, *until;     /* ISO-8601 or NULL */
    int json, verbose;
    FILE *out, *err;
} replay_opts_t;

/* Returns an exit status (util/exitcode.h): VANE_EXIT_OK, VANE_EXIT_FAILED
 * when the rule erred, VANE_EXIT_USAGE when there is no such rule. */
int replay_main(const config_t *cfg, const char *db_path, const replay_opts_t *o);

#endif

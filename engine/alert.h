/* alert.h — routing flags to channels and delivering the outbox.
 *
 * Every new flag gets one outbox row per channel that routes it, in the same
 * transaction as the flag. Delivery reads the pending rows of each channel,
 * hands each to its channel and marks it sent only after the channel took
 * it, so a run killed half-way delivers the rest next time (at least once).
 * The built-in channel "stdout" prints to the run's standard output; the
 * configured kinds are `stdout` and `jsonl` (one JSON object per line
 * appended to a file). */
#ifndef VANE_ALERT_H
#define VANE_ALERT_H

#include <stdio.h>

#include "config.h"
#include "err.h"
#include "store.h"

#define ALERT_STDOUT "stdout"

/* Queue the flag for the built-in stdout channel and every configured
 * channel whose min_severity, rules and sources let it through. */
int alert_route(store_t *st, const config_t *cfg, const store_flag_t *f, err_t *e);

typedef struct alert_out {
    FILE *out;     /* where the stdout channel prints */
    int json;      /* print JSON lines instead of text */
} alert_out_t;

/* Deliver what is pending. Failures go to errs and leave rows pending.
 * *delivered counts rows sent. Returns 0 when every channel worked, 1 if
 * some failed, -1 on a store error (e set). */
int alert_deliver(store_t *st, const config_t *cfg, const alert_out_t *o,
                  errlist_t *errs, long *delivered, err_t *e);

/* The line a person reads for a flag: "[high] rule source: message". */
void alert_format_text(FILE *out, const char *severity, const char *rule,
                       const char *source, const char *message);

#endif

/* alert.h — routing flags to channels and delivering the outbox.
 *
 * Every new flag gets one outbox row per channel that routes it, in the same
 * transaction as the flag. Delivery reads the pending rows of each channel,
 * hands each to its channel and marks it sent only after the channel took
 * it, so a run killed half-way delivers the rest next time (at least once).
 * The built-in channel "stdout" prints to the run's standard output (the
 * stdout kind); every channel's kind is in channel/kind.h.
 *
 * Retries: a failed attempt keeps the row pending with its attempt count,
 * the error and the time of the next attempt, retry_after × 2^(attempts-1)
 * later (at most a day); after max_attempts failures the row is dead: it is
 * shown by `vane outbox`, counted in the run's report and exit status, and
 * tried again only when revived. A channel's rows go out in flag order: the
 * first row that fails (or is not due yet) holds back the rows after it. A
 * channel with `digest = true` sends all its due rows as one message.
 *
 * A channel's `match` (alert/template.h) is asked at queue time, after its
 * min_severity and lists; its `format` makes each flag's text (or a JSON
 * body) at delivery. A failing function is an error of the delivery (exit
 * status 1) but never loses the alert: the flag is queued, or sent in the
 * kind's own format. During a channel's quiet hours (alert/quiet.h) its
 * rows wait, pending and untried, until a delivery after the window. */
#ifndef VANE_ALERT_H
#define VANE_ALERT_H

#include <stdio.h>

#include "config/config.h"
#include "util/err.h"
#include "store/store.h"

#define ALERT_STDOUT "stdout"

/* A new flag covered by an active silence is marked with it and queued
 * nowhere. Otherwise, when queue is set, the flag is queued for the
 * built-in stdout channel and every configured channel whose routing lets
 * it through (queue is 0 for `vane run --no-alerts`). */
int alert_route(store_t *st, const config_t *cfg, const store_flag_t *f, int queue, err_t *e);

typedef struct alert_out {
    FILE *out;     /* where the stdout channel prints */
    int json;      /* print JSON lines instead of text */
    errlist_t *notes; /* where "channel ID: quiet until HH:MM ZONE" is said, or NULL */
} alert_out_t;

typedef struct alert_report {
    long delivered;   /* rows a channel accepted */
    long failed;      /* rows whose attempt failed and that stay pending */
    long dead;        /* rows that became dead in this delivery */
    long waiting;     /* pending rows not tried (not due, behind a failure, quiet hours) */
    long quiet;       /* channels in their quiet hours */
    long template_errors; /* format or match calls that failed (the alerts still went out) */
} alert_report_t;

/* Deliver what is due. Failures go to errs (with the errors of match
 * since the last delivery). Returns 0 when nothing failed, 1 if some
 * channel failed (or a row died, or a format or match failed), -1 on a
 * store error (e set). */
int alert_deliver(store_t *st, const config_t *cfg, const alert_out_t *o,
                  errlist_t *errs, alert_report_t *rep, err_t *e);

/* The line a person reads for a flag: "[high] rule source: message". */
void alert_format_text(FILE *out, const char *severity, const char *rule,
                       const char *source, const char *message);

#endif

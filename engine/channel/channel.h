/* channel.h — handing one message to one channel: the transports.
 *
 * A message is one flag, or for a channel with `digest = true` all the
 * flags of a run that the channel routes. channel_send returns 0 only when
 * the channel accepted the message — the file has the whole line, the
 * webhook answered 2xx, the SMTP server answered 250 to the end of data,
 * the command exited 0 — and -1 with e set otherwise (never printing). The
 * outbox (alert.c) decides about retries.
 *
 * Kinds (kind.h, one file each): stdout (the run's output: text or JSON
 * lines), file (JSON lines, each written whole), webhook (POST of JSON;
 * format "slack" posts the slack kind's body; extra headers;
 * X-Vane-Signature: sha256=HEX, an HMAC-SHA256 of the body with the
 * channel's secret), email (SMTP / SMTPS via libcurl, STARTTLS, a
 * plain-text and an HTML part, RFC 2047 subject), exec (argv, no shell,
 * the message as JSON on stdin, under the channel's timeout), atom (an
 * Atom 1.0 file replaced atomically), and the web services' own formats:
 * slack, teams, discord (chat webhooks) and telegram, matrix, ntfy,
 * pushover (push services), each through http.h. */
#ifndef VANE_CHANNEL_H
#define VANE_CHANNEL_H

#include <stddef.h>
#include <stdio.h>

#include "config/config.h"
#include "util/err.h"

typedef struct channel_flag {
    long long id;            /* the flag's id: the same on every retry, for receivers to drop repeats */
    const char *json;        /* the flag as a JSON object (README, "Output"), context included */
    const char *severity, *rule, *source, *key, *message, *created_at;
    /* The flag's context (README, "What a flag carries"); each NULL when
     * the flag has none (a check's flag has no event, an old flag no
     * context). */
    const char *title;       /* the item's title */
    const char *link;        /* the item's link (an http(s) URL) */
    const char *source_name; /* the source's name (its id when it has none) */
    const char *rule_title;  /* the rule's title */
    const char *change;      /* new | changed | removed */
    const char *observed_at;
    const char *changes;     /* JSON array of what changed (channel/changes.h) */
    const char *page;        /* the flag's page in the web view (serve { url }), or NULL */
    /* What the channel's template (`format = function(flag)`) made of this
     * flag, when it returned text; NULL: the kind's own format. */
    const char *text;
} channel_flag_t;

typedef struct channel_msg {
    const channel_flag_t *flags;
    size_t n;                /* 1, or any number for a digest */
    int digest;
    /* The channel's template returned a table for this one-flag message:
     * its JSON, which a kind that posts JSON sends as the body as it is
     * (NULL otherwise; never set for a digest). */
    const char *body_json;
} channel_msg_t;

/* Where the run prints: what the stdout kind writes to. */
typedef struct channel_out {
    FILE *out;               /* NULL: standard output */
    int json;                /* JSON lines instead of text */
} channel_out_t;

/* Deliver m through c's kind; o may be NULL (standard output, text). */
int channel_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o, err_t *e);

/* The line a person reads for a flag: "[high] rule source: message", its
 * texts escaped by util/termtext.h so it stays one harmless line. */
void channel_format_text(FILE *out, const char *severity, const char *rule, const char *source,
                         const char *message);

#endif

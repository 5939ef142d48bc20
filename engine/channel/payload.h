/* payload.h — what the transports send: JSON bodies, the Slack text and
 * whole email messages, built from a channel_msg_t (one flag, or a digest).
 *
 *   JSON, one flag    the flag object itself, as `vane flags --json` prints it
 *                     (it carries "id", the flag's stable id)
 *   JSON, digest      {"digest":true,"count":N,"flags":[flag, …]} (flags in
 *                     the order given: oldest first)
 *   Slack             the Block Kit body of the slack kind (render_chat.h),
 *                     a digest cut at Slack's 50 blocks ("… and N more
 *                     flags")
 *   email             an RFC 5322 message with CRLF line ends: Date,
 *                     Message-ID, From, To, Subject (RFC 2047 when not
 *                     ASCII), X-Vane-Flag-Ids, MIME-Version and a
 *                     multipart/alternative body with a text/plain and a
 *                     text/html part, both UTF-8 in base64, so every line
 *                     stays short whatever the flags hold. Each flag comes
 *                     with its context: the item's title and link, the
 *                     rule's and source's names, when it was observed, its
 *                     id, and what changed ("  field: old → new" lines; in
 *                     HTML a table, changes_html.h). A template's text
 *                     (flag.text) replaces the flag's message line.
 * Everything sent is valid UTF-8: JSON strings are written by
 * json_put_string and both email parts and the headers are repaired, each
 * ill-formed subpart of a flag's text becoming one U+FFFD.
 * Every function appends to out and returns 0, or -1 when memory ran out. */
#ifndef VANE_PAYLOAD_H
#define VANE_PAYLOAD_H

#include "channel/channel.h"
#include "util/buf.h"
#include "util/clock.h"

/* The JSON body of the message (webhook with format "json", exec). */
int payload_json(const channel_msg_t *m, buf_t *out);

/* What a kind that posts JSON sends (exec): the template's table
 * (m->body_json) as it is when the channel's template made one, else
 * payload_json. */
int payload_body(const channel_msg_t *m, buf_t *out);

/* The slack kind's Block Kit body, for webhooks with format "slack". */
int payload_slack(const channel_msg_t *m, buf_t *out);

/* The flag ids as "12,13,14" (X-Vane-Flag-Ids): at most PAYLOAD_MAX_IDS,
 * then ",+N more" (the body carries every flag). */
#define PAYLOAD_MAX_IDS 100
int payload_flag_ids(const channel_msg_t *m, buf_t *out);

/* The subject as text, before encoding: "<prefix> [severity] source:
 * message" cut to about 150 characters for one flag, "<prefix> N new flags
 * (H high, M medium)" for a digest. */
int payload_subject(const char *prefix, const channel_msg_t *m, buf_t *out);

/* Text for a header value: as is when it is printable ASCII, otherwise
 * RFC 2047 encoded words =?UTF-8?B?…?= of at most 75 characters each, on
 * folded lines ("\r\n "). Control characters become spaces and
 * ill-formed UTF-8 U+FFFD. */
int payload_header_text(const char *text, buf_t *out);

/* The address inside "Name <addr>" (or the whole string), for SMTP's
 * envelope. */
int payload_address(const char *mailbox, buf_t *out);

/* One flag as an HTML fragment, everything escaped: its message (or the
 * template's text) in a <p>, the item's title linked to its link, the rule,
 * source, observed time and flag id, and what changed as a table
 * (channel/changes_html.h). The Atom feed's content. */
int payload_flag_html(const channel_flag_t *f, buf_t *out);

/* Who an email is from and for. */
typedef struct payload_mail {
    const char *from;            /* "vane <vane@example.org>" or an address */
    char *const *to;             /* NULL-terminated */
    const char *subject_prefix;  /* "[vane]" */
} payload_mail_t;

/* The whole email message from and to h, dated now. The Message-ID
 * depends only on the flags, so a retry sends the same one. */
int payload_email(const payload_mail_t *h, const channel_msg_t *m, vtime_t now, buf_t *out);

#endif

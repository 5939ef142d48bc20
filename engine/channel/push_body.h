/* push_body.h — what the push kinds send: the request bodies and headers
 * of Telegram, Matrix, ntfy and Pushover for a message (one flag or a
 * digest part), built from render_push.h's text. The kinds (kind_NAME.c)
 * add the URL, the token and the sending; nothing here does I/O.
 *
 * Each body function appends to out and sets *size to what the service's
 * limit is about (PUSH_*_LIMIT): when a one-flag message would pass it, the
 * flag is rendered again with PUSH_SHORT (and ntfy's text cut), so a lone
 * flag always fits. 0, or -1 when memory ran out. */
#ifndef VANE_PUSH_BODY_H
#define VANE_PUSH_BODY_H

#include <stddef.h>

#include "channel/channel.h"
#include "util/buf.h"

#define PUSH_TELEGRAM_LIMIT 4096  /* characters of a message's text after its entities */
#define PUSH_MATRIX_LIMIT 60000   /* bytes of an event's body (the server takes 65536) */
#define PUSH_NTFY_LIMIT 4096      /* bytes of a message (longer becomes an attachment) */
#define PUSH_PUSHOVER_LIMIT 1024  /* characters of a message */

/* {"chat_id":…,"text":…,"parse_mode":"HTML","link_preview_options":{"is_disabled":true}}:
 * chat_id as a number when it is one, else a string; *size: the text's
 * length as Telegram counts it. */
int push_telegram_body(const channel_msg_t *m, const char *chat_id, buf_t *out, size_t *size);

/* {"msgtype":"m.text","body":…,"format":"org.matrix.custom.html","formatted_body":…};
 * *size: its bytes. */
int push_matrix_body(const channel_msg_t *m, buf_t *out, size_t *size);

/* The transaction id of m: "vane-<flag id>", for a digest "vane-<first
 * flag id>-<number of flags>" — the same on every retry. */
int push_matrix_txn(const channel_msg_t *m, buf_t *out);

/* The plain text ntfy publishes; *size: its bytes. */
int push_ntfy_body(const channel_msg_t *m, buf_t *out, size_t *size);

/* ntfy's headers for m, "Name: value" lines into lines[0..], NULL after
 * the last in v: Title, Priority, Tags, Click (one flag with a link) and,
 * when token is not NULL, Authorization: Bearer. Free the lines with
 * buf_free. */
#define PUSH_NTFY_HEADERS 5
int push_ntfy_headers(const channel_msg_t *m, const char *token,
                      buf_t lines[PUSH_NTFY_HEADERS], char *v[PUSH_NTFY_HEADERS + 1]);

/* {"token":…,"user":…,"message":…,"html":1,"title":…,"priority":N
 *  [,"url":…[,"url_title":…]]}; *size: the message's characters. */
int push_pushover_body(const channel_msg_t *m, const char *token, const char *user, buf_t *out,
                       size_t *size);

#endif

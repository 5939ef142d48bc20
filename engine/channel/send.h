/* send.h — the transports behind channel_send (channel.c), one file each.
 * Private to the channel module. Each returns 0 when the channel accepted
 * m, or -1 with e set to "channel ID: …"; none prints, none reveals the
 * channel's secret or password. */
#ifndef VANE_SEND_H
#define VANE_SEND_H

#include "channel/channel.h"

#define SEND_DEFAULT_TIMEOUT 30   /* seconds, when a channel has none */

int send_file(const channel_cfg_t *c, const channel_msg_t *m, err_t *e);
int send_webhook(const channel_cfg_t *c, const channel_msg_t *m, err_t *e);
int send_email(const channel_cfg_t *c, const channel_msg_t *m, err_t *e);
int send_exec(const channel_cfg_t *c, const channel_msg_t *m, err_t *e);

/* The channel's timeout in seconds (SEND_DEFAULT_TIMEOUT when unset). */
long send_timeout(const channel_cfg_t *c);

/* Up to max bytes of s (len bytes) for an error message: control
 * characters as spaces, cut between UTF-8 characters, "…" when cut. */
void send_snippet(const char *s, size_t len, size_t max, char *out, size_t outsize);

#endif

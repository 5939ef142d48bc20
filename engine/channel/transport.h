/* transport.h — small helpers the kinds' transports share. */
#ifndef VANE_TRANSPORT_H
#define VANE_TRANSPORT_H

#include <stddef.h>

#include "config/config.h"

#define TRANSPORT_DEFAULT_TIMEOUT 30   /* seconds, when a channel has none */

/* The channel's timeout in seconds (TRANSPORT_DEFAULT_TIMEOUT when unset). */
long transport_timeout(const channel_cfg_t *c);

/* Up to max bytes of s (len bytes) for an error message: control
 * characters as spaces, cut between UTF-8 characters, "…" when cut. */
void transport_snippet(const char *s, size_t len, size_t max, char *out, size_t outsize);

/* Does s (which may be NULL) start with prefix? */
int transport_starts_with(const char *s, const char *prefix);

#endif

/* transport.h — small helpers the kinds' transports share. */
#ifndef VANE_TRANSPORT_H
#define VANE_TRANSPORT_H

#include <curl/curl.h>
#include <stddef.h>

#include "config/config.h"

#define TRANSPORT_DEFAULT_TIMEOUT 30   /* seconds, when a channel has none */
#define TRANSPORT_CONNECT_TIMEOUT 10   /* seconds at most of it for connecting */

/* The channel's timeout in seconds (TRANSPORT_DEFAULT_TIMEOUT when unset). */
long transport_timeout(const channel_cfg_t *c);

/* Set what every libcurl transfer of a channel has on h: url, spoken only
 * over the protocols listed ("http,https"), no signals, the whole transfer
 * bounded by the channel's timeout and connecting by at most
 * TRANSPORT_CONNECT_TIMEOUT of it, and curl's message kept in errbuf
 * (CURL_ERROR_SIZE bytes, which must outlive the transfer). Returns 0, or
 * -1 when this libcurl refuses one of them. */
int transport_curl_setup(CURL *h, const channel_cfg_t *c, const char *url, const char *protocols,
                         char *errbuf);

/* Why a transfer ended with res: curl's message in errbuf, or else the
 * generic one for res. */
const char *transport_curl_error(CURLcode res, const char *errbuf);

/* Up to max bytes of s (len bytes) for an error message: control
 * characters as spaces, cut between UTF-8 characters, "…" when cut. */
void transport_snippet(const char *s, size_t len, size_t max, char *out, size_t outsize);

/* Does s (which may be NULL) start with prefix? */
int transport_starts_with(const char *s, const char *prefix);

#endif

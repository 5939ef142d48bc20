/* decl_request.h — what a source sends (vane.lua's headers, cookies,
 * method and body, user and password, proxy and TLS keys), read into the
 * source's fetch_http_t (fetch/fetch.h). */
#ifndef VANE_DECL_REQUEST_H
#define VANE_DECL_REQUEST_H

#include "config/config.h"
#include "config/decl.h"

/* The keys decl_request reads, NULL-terminated (source_keys adds them). */
extern const char *const decl_request_keys[];

/* Read the request keys of the declaration into s->http (s->url already
 * read). Values are never quoted in a problem: any of them may be a
 * secret read with env "…". */
void decl_request(decl_t *d, source_cfg_t *s);

/* Free what decl_request allocated in h. */
void decl_request_free(fetch_http_t *h);

/* Append "k=v&k2=v2" to out, application/x-www-form-urlencoded (space as
 * '+', every byte but A-Z a-z 0-9 - . _ * as %XX). Returns 0 or -1. */
int form_encode_pair(buf_t *out, const char *key, const char *value, int first);

#endif

/* redact.h — the form of a source's URL that may be stored and shown.
 *
 * A URL in vane.lua may carry a secret: a token in its query (often read
 * with `env "…"`), a user and password before its host. The fetcher gets
 * the URL as written; the database, `vane sources`, run output and every
 * error message get this form instead: scheme, host, port and path as they
 * are, the user:password as "…", each query value as "…" (names kept, so
 * two sources stay told apart), a fragment as "#…". */
#ifndef VANE_REDACT_H
#define VANE_REDACT_H

#include "util/buf.h"

/* Append the shown form of url to out. A text that is not a URL at all
 * (url_split refuses it) is shown as "…" after its scheme, if it has one.
 * Returns 0, or -1 when out of memory. */
int redact_url(const char *url, buf_t *out);

/* The same as a malloc'ed string (the caller frees it), NULL when out of
 * memory. */
char *redact_url_dup(const char *url);

#endif

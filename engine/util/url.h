/* url.h — URLs as RFC 3986 reads them: split into their parts, a reference
 * resolved against a base, and the canonical form that item keys use, so
 * that a site moving from http to https (or adding tracking parameters to
 * its links) keeps its items' identity.
 *
 * Bad-input policy: text that is not UTF-8 or has control bytes (below
 * 0x20, 0x7F, NUL), a port
 * that is not a number up to 65535 or an IPv6 host without its "]" is
 * refused with a message; anything else is split as RFC 3986's generic
 * syntax (Appendix B) splits it. Bytes that a URL may not hold (spaces,
 * non-ASCII, `"<>\^`{|}`) are kept by url_split and url_resolve and
 * percent-encoded by url_canonical. */
#ifndef VANE_URL_H
#define VANE_URL_H

#include <stddef.h>

#include "util/buf.h"

/* One component: where it starts in the text and how long it is, and
 * whether it is there at all ("http://h/?" has an empty query; "http://h/"
 * none). */
typedef struct url_span {
    const char *p;
    size_t len;
    int present;
} url_span_t;

typedef struct url {
    url_span_t scheme, user, host, port, path, query, fragment;
    int has_authority; /* "//" after the scheme (or at the start) */
    long port_num;     /* the port as a number, or -1 when there is none */
} url_t;

/* Split s (n bytes) into its components, which point into s. Returns 0,
 * or -1 with *why set to a static message. */
int url_split(const char *s, size_t n, url_t *u, const char **why);

/* Append to out the target of reference ref resolved against base (RFC
 * 3986 §5.2: strict, so a ref with a scheme is absolute). base must have
 * a scheme. Returns 0, or -1 with *why set. */
int url_resolve(const char *base, const char *ref, buf_t *out, const char **why);

/* Append the canonical form of the absolute URL s to out (see the README,
 * `vane.url.canonical`): scheme lower-cased with http read as https,
 * host lower-cased without a trailing dot, default port, fragment and
 * tracking parameters dropped (the ports 80 and 443 of http and https
 * are both default), other parameters kept in their order,
 * percent-encoding normalised, dot segments removed, no trailing slash
 * after a path segment. Returns 0, or -1 with *why set (a relative
 * reference, an http(s) URL without a host, what url_split refuses). */
int url_canonical(const char *s, buf_t *out, const char **why);

/* s percent-encoded for a path segment or a query value: every byte but
 * the unreserved A-Z a-z 0-9 - . _ ~ as %XX (upper case). s may be NULL.
 * 0, or -1 when memory ran out. */
int url_encode_component(buf_t *out, const char *s);

/* The query parameters url_canonical drops, by name (compared without
 * regard to case); a name ending in "*" is a prefix. NULL-terminated. */
extern const char *const url_tracking_params[];

#endif

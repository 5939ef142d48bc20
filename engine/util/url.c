/* url.c — splitting, resolving and canonical forms of URLs (see url.h).
 *
 * Splitting follows RFC 3986 Appendix B: the scheme runs to the first ":"
 * if no "/?#" comes before it, the authority follows "//" up to "/?#",
 * the path runs to "?#", the query to "#". Resolution is §5.2.2 with
 * §5.2.3's merge and §5.2.4's remove_dot_segments. The canonical form
 * applies §6.2.2's syntax-based normalisation, then the scheme-based
 * steps a key wants (§6.2.3: default port, empty path) and a few that go
 * beyond the RFC on purpose (http read as https, tracking parameters and
 * the fragment dropped, no trailing slash). */
#include "util/url.h"

#include <string.h>
#include <strings.h>

#include "util/utf8.h"

#define MAX_PORT 65535

const char *const url_tracking_params[] = {
    "utm_*",  "fbclid",   "gclid",  "dclid",   "gbraid",  "wbraid",      "msclkid",
    "yclid",  "twclid",   "ttclid", "li_fat_id", "mc_cid", "mc_eid",     "_ga",
    "_gl",    "igshid",   "mkt_tok", "_hsenc",  "_hsmi",   "__hstc",     "__hssc",
    "__hsfp", "oly_anon_id", "oly_enc_id", "vero_id", "rb_clickid", "wickedid", NULL,
};

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_unreserved(unsigned char c)
{
    return is_alpha((char)c) || is_digit((char)c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static url_span_t span(const char *p, size_t len)
{
    return (url_span_t){p, len, 1};
}

/* The length of the scheme at s (before its ":"), or 0 when s does not
 * start with one. */
static size_t scheme_len(const char *s, size_t n)
{
    if (n == 0 || !is_alpha(s[0]))
        return 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (c == ':')
            return i;
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

static size_t until_any(const char *s, size_t n, const char *stops)
{
    size_t i = 0;
    while (i < n && !strchr(stops, s[i]))
        i++;
    return i;
}

static int port_of(const url_span_t *p, long *out, const char **why)
{
    long v = 0;
    *out = -1;
    if (!p->present || p->len == 0)
        return 0;
    for (size_t i = 0; i < p->len; i++) {
        if (!is_digit(p->p[i]) || (v = v * 10 + (p->p[i] - '0')) > MAX_PORT) {
            *why = "the port is not a number from 0 to 65535";
            return -1;
        }
    }
    *out = v;
    return 0;
}

/* "user@host:port" into its parts. */
static int split_authority(const char *a, size_t n, url_t *u, const char **why)
{
    const char *at = NULL;
    for (size_t i = 0; i < n; i++)
        if (a[i] == '@')
            at = a + i;
    if (at) {
        u->user = span(a, (size_t)(at - a));
        n -= (size_t)(at + 1 - a);
        a = at + 1;
    }
    size_t host = 0;
    if (n > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        if (!close) {
            *why = "an IPv6 host without its ']'";
            return -1;
        }
        host = (size_t)(close - a) + 1;
        if (host < n && a[host] != ':') {
            *why = "text after an IPv6 host's ']'";
            return -1;
        }
    } else {
        host = until_any(a, n, ":");
    }
    u->host = span(a, host);
    if (host < n)
        u->port = span(a + host + 1, n - host - 1);
    return port_of(&u->port, &u->port_num, why);
}

int url_split(const char *s, size_t n, url_t *u, const char **why)
{
    memset(u, 0, sizeof *u);
    u->port_num = -1;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            *why = "a control character in the URL";
            return -1;
        }
    }
    if (utf8_valid(s, n, UTF8_NUL_BAD, NULL) != n) {
        *why = "the URL is not UTF-8";
        return -1;
    }
    size_t k = scheme_len(s, n);
    if (k) {
        u->scheme = span(s, k);
        s += k + 1;
        n -= k + 1;
    }
    if (n >= 2 && s[0] == '/' && s[1] == '/') {
        size_t a = until_any(s + 2, n - 2, "/?#");
        u->has_authority = 1;
        if (split_authority(s + 2, a, u, why) != 0)
            return -1;
        s += 2 + a;
        n -= 2 + a;
    }
    size_t p = until_any(s, n, "?#");
    u->path = span(s, p);
    s += p;
    n -= p;
    if (n > 0 && *s == '?') {
        size_t q = until_any(s + 1, n - 1, "#");
        u->query = span(s + 1, q);
        s += 1 + q;
        n -= 1 + q;
    }
    if (n > 0 && *s == '#')
        u->fragment = span(s + 1, n - 1);
    return 0;
}

/* ---- resolution (RFC 3986 §5.2) ------------------------------------------ */

/* Drop the last segment of out and its "/" (§5.2.4, step 2C). */
static void drop_last_segment(buf_t *out, size_t start)
{
    size_t i = out->len;
    while (i > start && out->p[i - 1] != '/')
        i--;
    out->len = i > start ? i - 1 : start;
    if (out->p)
        out->p[out->len] = '\0';
}

static int starts(const char *p, size_t n, const char *with)
{
    size_t k = strlen(with);
    return n >= k && memcmp(p, with, k) == 0;
}

static int equals(const char *p, size_t n, const char *to)
{
    return n == strlen(to) && memcmp(p, to, n) == 0;
}

/* §5.2.4 remove_dot_segments of p (n bytes), appended to out. */
static int remove_dots(const char *p, size_t n, buf_t *out)
{
    size_t start = out->len;
    int rc = 0;
    while (n > 0 && rc == 0) {
        size_t skip = starts(p, n, "../") ? 3 : starts(p, n, "./") || starts(p, n, "/./") ? 2 : 0;
        if (skip) {
            p += skip;
            n -= skip;
        } else if (equals(p, n, "/.")) {
            return buf_putc(out, '/');
        } else if (starts(p, n, "/../") || equals(p, n, "/..")) {
            drop_last_segment(out, start);
            if (n == 3)
                return buf_putc(out, '/');
            p += 3;
            n -= 3;
        } else if (equals(p, n, ".") || equals(p, n, "..")) {
            n = 0;
        } else {
            size_t seg = 1 + until_any(p + 1, n - 1, "/");
            if (*p != '/')
                seg = until_any(p, n, "/");
            rc = buf_append(out, p, seg);
            p += seg;
            n -= seg;
        }
    }
    return rc;
}

static int put_span(buf_t *out, const char *before, const url_span_t *s)
{
    return buf_puts(out, before) | buf_append(out, s->p, s->len);
}

static int put_authority(buf_t *out, const url_t *u)
{
    int rc = buf_puts(out, "//");
    if (u->user.present)
        rc |= buf_append(out, u->user.p, u->user.len) | buf_putc(out, '@');
    rc |= buf_append(out, u->host.p, u->host.len);
    if (u->port.present)
        rc |= put_span(out, ":", &u->port);
    return rc;
}

/* §5.2.3: the reference's path merged with the base's. */
static int merge_paths(const url_t *b, const url_t *r, buf_t *out)
{
    buf_t merged = {0};
    int rc = 0;
    if (b->has_authority && b->path.len == 0) {
        rc = buf_putc(&merged, '/');
    } else {
        size_t keep = b->path.len;
        while (keep > 0 && b->path.p[keep - 1] != '/')
            keep--;
        rc = buf_append(&merged, b->path.p, keep);
    }
    rc |= buf_append(&merged, r->path.p, r->path.len);
    if (rc == 0)
        rc = remove_dots(merged.p ? merged.p : "", merged.len, out);
    buf_free(&merged);
    return rc;
}

/* The path and query of the target when the reference has no authority. */
static int target_path_query(const url_t *b, const url_t *r, buf_t *out)
{
    if (r->path.len == 0) {
        int rc = buf_append(out, b->path.p, b->path.len);
        const url_span_t *q = r->query.present ? &r->query : &b->query;
        return q->present ? rc | put_span(out, "?", q) : rc;
    }
    int rc = r->path.p[0] == '/' ? remove_dots(r->path.p, r->path.len, out) : merge_paths(b, r, out);
    return r->query.present ? rc | put_span(out, "?", &r->query) : rc;
}

/* Put "/." at out[at]: a path that starts with "//" where no authority
 * was written would read as one (the WHATWG URL standard does this). */
static int insert_dot(buf_t *out, size_t at)
{
    if (buf_reserve(out, 2) != 0)
        return -1;
    memmove(out->p + at + 2, out->p + at, out->len - at + 1);
    memcpy(out->p + at, "/.", 2);
    out->len += 2;
    return 0;
}

/* §5.2.2 for a base and a reference already split. */
static int put_target(const url_t *b, const url_t *r, buf_t *out)
{
    const url_t *a = r->scheme.present ? r : b; /* whose scheme */
    int rc = buf_append(out, a->scheme.p, a->scheme.len) | buf_putc(out, ':');
    const url_t *auth = r->scheme.present || r->has_authority ? r : b;
    if (auth->has_authority)
        rc |= put_authority(out, auth);
    size_t path = out->len;
    if (auth == r) {
        rc |= remove_dots(r->path.p, r->path.len, out);
        if (r->query.present)
            rc |= put_span(out, "?", &r->query);
    } else {
        rc |= target_path_query(b, r, out);
    }
    if (rc == 0 && !auth->has_authority && strncmp(out->p + path, "//", 2) == 0)
        rc = insert_dot(out, path);
    if (r->fragment.present)
        rc |= put_span(out, "#", &r->fragment);
    return rc;
}

int url_resolve(const char *base, const char *ref, buf_t *out, const char **why)
{
    url_t b, r;
    if (url_split(base, strlen(base), &b, why) != 0 || url_split(ref, strlen(ref), &r, why) != 0)
        return -1;
    if (!b.scheme.present) {
        *why = "the base is not an absolute URL";
        return -1;
    }
    if (put_target(&b, &r, out) != 0) {
        *why = "out of memory";
        return -1;
    }
    return 0;
}

/* ---- the canonical form ---------------------------------------------------- */

/* Append p (n bytes) with its percent-encoding normalised: an escape of
 * an unreserved character decoded, other escapes in upper case, bytes a
 * URL may not hold encoded; a "%" that starts no escape is kept. */
static int put_normalised(buf_t *out, const char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)p[i];
        int hi = c == '%' && i + 2 < n ? hex_value(p[i + 1]) : -1;
        int lo = hi >= 0 ? hex_value(p[i + 2]) : -1;
        if (c == '%' && hi >= 0 && lo >= 0) {
            unsigned char v = (unsigned char)(hi * 16 + lo);
            char esc[3] = {'%', hex[hi], hex[lo]};
            rc = is_unreserved(v) ? buf_putc(out, (char)v) : buf_append(out, esc, 3);
            i += 2;
        } else if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c)) {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = buf_append(out, esc, 3);
        } else {
            rc = buf_putc(out, (char)c);
        }
    }
    return rc;
}

static int is_tracking(const char *name, size_t n)
{
    for (const char *const *t = url_tracking_params; *t; t++) {
        size_t k = strlen(*t);
        if ((*t)[k - 1] == '*' ? n >= k - 1 && strncasecmp(name, *t, k - 1) == 0
                               : n == k && strncasecmp(name, *t, k) == 0)
            return 1;
    }
    return 0;
}

/* The query without empty and tracking parameters (named as they read
 * once normalised: "utm%5Fsource" is "utm_source"), "?" first if any is
 * left. */
static int put_query(buf_t *out, const url_span_t *q)
{
    int rc = 0, first = 1;
    buf_t param = {0};
    for (size_t i = 0; q->present && i <= q->len && rc == 0;) {
        size_t len = until_any(q->p + i, q->len - i, "&");
        buf_reset(&param);
        rc = put_normalised(&param, q->p + i, len);
        size_t name = until_any(buf_str(&param), param.len, "=");
        if (rc == 0 && len > 0 && !is_tracking(buf_str(&param), name)) {
            rc = buf_putc(out, first ? '?' : '&') | buf_append(out, param.p, param.len);
            first = 0;
        }
        i += len + 1;
    }
    buf_free(&param);
    return rc;
}

/* The path normalised, dot segments removed, "/" when empty, no trailing
 * "/" (nor "//") after a segment. */
static int put_path(buf_t *out, const url_t *u)
{
    buf_t norm = {0};
    size_t start = out->len;
    int rc = put_normalised(&norm, u->path.p, u->path.len);
    if (rc == 0)
        rc = remove_dots(norm.p ? norm.p : "", norm.len, out);
    buf_free(&norm);
    if (rc == 0 && out->len == start && u->has_authority)
        rc = buf_putc(out, '/');
    while (rc == 0 && out->len > start + 1 && out->p[out->len - 1] == '/')
        out->p[--out->len] = '\0';
    return rc;
}

static int is_web(const url_span_t *scheme)
{
    return (scheme->len == 4 && strncasecmp(scheme->p, "http", 4) == 0) ||
           (scheme->len == 5 && strncasecmp(scheme->p, "https", 5) == 0);
}

/* The host lower-cased (ASCII letters; other bytes as put_normalised
 * writes them), without trailing dots. */
static int put_host(buf_t *out, const url_span_t *h)
{
    size_t n = h->len, start = out->len;
    while (n > 1 && h->p[n - 1] == '.')
        n--;
    int rc = put_normalised(out, h->p, n);
    for (size_t i = start; rc == 0 && i < out->len; i++) {
        if (out->p[i] == '%')
            i += 2; /* an escape's hex digits stay upper case */
        else if (out->p[i] >= 'A' && out->p[i] <= 'Z')
            out->p[i] = (char)(out->p[i] | 0x20);
    }
    return rc;
}

/* The scheme ("https:" for http too) and the authority, normalised. */
static int put_canonical_start(buf_t *out, const url_t *u, int web)
{
    int rc = 0;
    if (web) {
        rc = buf_puts(out, "https:");
    } else {
        for (size_t i = 0; i < u->scheme.len && rc == 0; i++)
            rc = buf_putc(out, (char)(u->scheme.p[i] | 0x20));
        rc |= buf_putc(out, ':');
    }
    if (!u->has_authority)
        return rc;
    rc |= buf_puts(out, "//");
    if (u->user.present)
        rc |= put_normalised(out, u->user.p, u->user.len) | buf_putc(out, '@');
    rc |= put_host(out, &u->host);
    /* http and https are one scheme here: either default port goes */
    if (u->port_num >= 0 && !(web && (u->port_num == 80 || u->port_num == 443)))
        rc |= buf_printf(out, ":%ld", u->port_num);
    return rc;
}

int url_canonical(const char *s, buf_t *out, const char **why)
{
    url_t u;
    if (url_split(s, strlen(s), &u, why) != 0)
        return -1;
    if (!u.scheme.present) {
        *why = "not an absolute URL";
        return -1;
    }
    int web = is_web(&u.scheme);
    if (web && u.host.len == 0) {
        *why = "no host";
        return -1;
    }
    int rc = put_canonical_start(out, &u, web);
    size_t path = out->len;
    rc |= put_path(out, &u);
    if (rc == 0 && !u.has_authority && strncmp(out->p + path, "//", 2) == 0)
        rc = insert_dot(out, path);
    rc |= put_query(out, &u.query);
    if (rc != 0)
        *why = "out of memory";
    return rc ? -1 : 0;
}

int url_encode_component(buf_t *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (is_unreserved(*p)) {
            rc |= buf_putc(out, (char)*p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc |= buf_append(out, e, 3);
        }
    }
    return rc ? -1 : 0;
}

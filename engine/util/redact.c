/* redact.c — a URL with its secrets replaced by "…" (redact.h). */
#include "util/redact.h"

#include <string.h>

#include "util/url.h"

#define HIDDEN "\xE2\x80\xA6" /* … */

static int put_span(buf_t *out, const url_span_t *s)
{
    return buf_append(out, s->p, s->len);
}

/* Each parameter's name kept and its value hidden; a parameter without
 * "=" may itself be the secret, so it is hidden whole. */
static int put_query(buf_t *out, const url_span_t *q)
{
    int rc = buf_putc(out, '?');
    const char *p = q->p, *end = q->p + q->len;
    while (p < end && rc == 0) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *value = eq ? eq + 1 : p;
        if (eq)
            rc = buf_append(out, p, (size_t)(value - p));
        if (rc == 0 && stop > value)
            rc = buf_puts(out, HIDDEN);
        if (rc == 0 && amp)
            rc = buf_putc(out, '&');
        p = amp ? amp + 1 : end;
    }
    return rc;
}

static int put_unreadable(const char *url, buf_t *out)
{
    const char *colon = strstr(url, "://");
    size_t scheme = colon && strcspn(url, "/?#@") > (size_t)(colon - url) ? (size_t)(colon - url) + 3 : 0;
    return buf_append(out, url, scheme) | buf_puts(out, HIDDEN);
}

int redact_url(const char *url, buf_t *out)
{
    url_t u;
    const char *why;
    if (url_split(url, strlen(url), &u, &why) != 0)
        return put_unreadable(url, out);
    int rc = 0;
    if (u.scheme.present)
        rc |= put_span(out, &u.scheme) | buf_putc(out, ':');
    if (u.has_authority)
        rc |= buf_puts(out, "//");
    if (u.user.present)
        rc |= buf_puts(out, HIDDEN "@");
    rc |= put_span(out, &u.host);
    if (u.port.present)
        rc |= buf_putc(out, ':') | put_span(out, &u.port);
    rc |= put_span(out, &u.path);
    if (u.query.present)
        rc |= put_query(out, &u.query);
    if (u.fragment.present)
        rc |= buf_puts(out, "#" HIDDEN);
    return rc ? -1 : 0;
}

char *redact_url_dup(const char *url)
{
    buf_t b = {0};
    if (redact_url(url, &b) != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

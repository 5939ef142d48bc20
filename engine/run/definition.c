/* definition.c — a source's definition as a fingerprint (see definition.h). */
#include "run/definition.h"

#include <stdio.h>
#include <string.h>

#include "util/sha256.h"

#define PART_HEX 16   /* hex digits kept of each part's hash: enough to tell edits apart */

/* "NAME=HASH;" of the len bytes at data. */
static int put_part(buf_t *out, const char *name, const void *data, size_t len)
{
    char hex[65];
    sha256_hex(data, len, hex);
    return buf_printf(out, "%s=%.*s;", name, PART_HEX, hex) < 0 ? -1 : 0;
}

/* Each name followed by a NUL, so that {"ab"} and {"a", "b"} differ. */
static void hash_list(char *const *names, size_t n, char out[65])
{
    sha256_t c;
    unsigned char d[32];
    sha256_init(&c);
    for (size_t i = 0; i < n; i++)
        sha256_update(&c, names[i], strlen(names[i]) + 1);
    sha256_final(&c, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* What the source sends that changes what the site answers — method,
 * body, header lines (cookies included), user, password and auth — as one
 * hash; proxy and TLS options reach the same site and are left out. 0
 * when it sends a plain GET (no "request=" part: fingerprints taken before
 * these keys stay the same). */
static int hash_request(const fetch_http_t *h, unsigned char d[32])
{
    static const unsigned char sep = 0;
    sha256_t c;
    if (!h->method && !h->body && !h->headers && !h->user)
        return 0;
    sha256_init(&c);
    sha256_update(&c, h->method ? h->method : "GET", strlen(h->method ? h->method : "GET") + 1);
    sha256_update(&c, h->body ? "B" : "-", 1);
    sha256_update(&c, h->body ? h->body : "", h->body ? h->body_len : 0);
    sha256_update(&c, &sep, 1);
    if (h->content_type)
        sha256_update(&c, h->content_type, strlen(h->content_type));
    sha256_update(&c, &sep, 1);
    for (char **p = h->headers; p && *p; p++)
        sha256_update(&c, *p, strlen(*p) + 1);
    sha256_update(&c, &sep, 1);
    if (h->user) {
        sha256_update(&c, h->digest ? "digest" : "basic", strlen(h->digest ? "digest" : "basic") + 1);
        sha256_update(&c, h->user, strlen(h->user) + 1);
        sha256_update(&c, h->password ? h->password : "", h->password ? strlen(h->password) : 0);
    }
    sha256_final(&c, d);
    return 1;
}

int definition_fingerprint(const source_cfg_t *s, const char *script, size_t len, buf_t *out)
{
    char ignore[65], cap[32];
    sha256_t c;
    unsigned char d[32];
    sha256_init(&c);
    sha256_update(&c, s->script, strlen(s->script) + 1);
    sha256_update(&c, script ? script : "", script ? len : 0);
    sha256_final(&c, d);
    hash_list(s->ignore, s->n_ignore, ignore);
    snprintf(cap, sizeof cap, "%lld", s->max_item_bytes);
    int rc = put_part(out, "url", s->url, strlen(s->url));
    if (rc == 0)
        rc = put_part(out, "script", d, sizeof d);
    if (rc == 0)
        rc = put_part(out, "options", s->options_json, strlen(s->options_json));
    if (rc == 0)
        rc = put_part(out, "ignore", ignore, strlen(ignore));
    if (rc == 0)
        rc = put_part(out, "max_item_bytes", cap, strlen(cap));
    if (rc == 0 && hash_request(&s->http, d))
        rc = put_part(out, "request", d, sizeof d);
    return rc;
}

/* The value of part "NAME=" in fingerprint fp, as a pointer and a length. */
static const char *part_value(const char *fp, const char *name, size_t *len)
{
    size_t n = strlen(name);
    for (const char *p = fp; p && *p; p = strchr(p, ';'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && p[n] == '=') {
            *len = strcspn(p + n + 1, ";");
            return p + n + 1;
        }
    }
    *len = 0;
    return NULL;
}

int definition_changes(const char *stored, const char *current, buf_t *out)
{
    static const char *const parts[] = {"url",            "script",  "options", "ignore",
                                        "max_item_bytes", "request"};
    int changed = 0;
    if (!stored)
        return 0;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t la, lb;
        const char *a = part_value(stored, parts[i], &la);
        const char *b = part_value(current, parts[i], &lb);
        if ((!a && !b) || (a && b && la == lb && memcmp(a, b, la) == 0))
            continue;
        buf_printf(out, "%s%s", changed++ ? ", " : "", parts[i]);
    }
    return changed;
}

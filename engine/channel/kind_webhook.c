/* kind_webhook.c — the webhook kind: one HTTP POST of JSON per message.
 *
 * The body is payload_json (or payload_slack for format "slack"), sent with
 * Content-Type: application/json, User-Agent: vane/VERSION, X-Vane-Flag-Ids
 * and, when the channel has a secret, X-Vane-Signature: sha256=HEX — the
 * HMAC-SHA256 of the exact body bytes under the secret, so a receiver can
 * tell vane's posts from anyone else's. The channel's own headers follow
 * (a Content-Type or User-Agent of theirs replaces ours).
 *
 * Accepted means a 2xx answer. Redirects are not followed (a moved hook is
 * an error to fix, not something to chase with a signed body), only http
 * and https are spoken, and the whole attempt is bounded by the channel's
 * timeout. Errors give the status and the start of the answer, or curl's
 * message; never the URL (hook URLs are often secrets themselves) nor the
 * secret. */
#include "channel/kind.h"

#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/payload.h"
#include "channel/http.h"
#include "channel/transport.h"
#include "util/buf.h"
#include "util/hmac.h"

typedef struct webhook {
    char *url;
    char *format;         /* "json" (default) | "slack" */
    char **headers;       /* NULL-terminated "Name: value" lines */
    char *secret;         /* HMAC-SHA256 key for X-Vane-Signature, or NULL */
} webhook_t;

/* The headers vane adds to the channel's own: the flag ids and, with a
 * secret, the signature of the exact body bytes. NULL when memory ran out. */
static char **request_headers(const webhook_t *w, const channel_msg_t *m, const buf_t *body)
{
    size_t n = 0;
    while (w->headers && w->headers[n])
        n++;
    char **v = calloc(n + 3, sizeof *v);
    buf_t line = {0};
    int rc = v ? 0 : -1;
    rc |= buf_puts(&line, "X-Vane-Flag-Ids: ") | payload_flag_ids(m, &line);
    if (rc == 0)
        v[0] = buf_steal(&line);
    if (rc == 0 && w->secret) {
        char hex[65];
        hmac_sha256_hex(w->secret, strlen(w->secret), body->p, body->len, hex);
        rc |= buf_printf(&line, "X-Vane-Signature: sha256=%s", hex);
        v[1] = buf_steal(&line);
    }
    size_t at = w->secret ? 2 : 1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        v[at + i] = w->headers[i];   /* borrowed: only v[0] and v[1] are freed */
    buf_free(&line);
    if (rc != 0 || !v[0] || (w->secret && !v[1])) {
        if (v) {
            free(v[0]);
            free(v[1]);
        }
        free(v);
        return NULL;
    }
    return v;
}

static int webhook_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                        err_t *e)
{
    (void)o;
    const webhook_t *w = c->data;
    if (!w || !w->url)
        return err_set(e, "channel %s: no url", c->id);
    buf_t body = {0};
    int slack = w->format && strcmp(w->format, "slack") == 0;
    int built = m->body_json ? buf_puts(&body, m->body_json)
                : slack      ? payload_slack(m, &body)
                             : payload_json(m, &body);
    char **hdrs = built == 0 ? request_headers(w, m, &body) : NULL;
    int rc;
    if (!hdrs) {
        rc = err_set(e, "channel %s: out of memory", c->id);
    } else {
        http_req_t req = {.service = "webhook", .url = w->url, .headers = hdrs,
                          .body = body.p, .len = body.len};
        rc = http_send(c, &req, NULL, e);
        free(hdrs[0]);
        if (w->secret)
            free(hdrs[1]);
        free(hdrs);
    }
    buf_free(&body);
    return rc;
}

/* ---- the declaration ------------------------------------------------------------ */

static const char *const webhook_keys[] = {"url", "format", "headers", "secret", NULL};

/* The entry on top of the stack (key below it) as a "Name: value" line
 * (empty when it is neither ["Name"] = "value" nor "Name: value"). */
static void header_line(lua_State *L, buf_t *line)
{
    int kt = lua_type(L, -2), vt = lua_type(L, -1);
    if (kt == LUA_TSTRING && vt == LUA_TSTRING)
        buf_printf(line, "%s: %s", lua_tostring(L, -2), lua_tostring(L, -1));
    else if (kt == LUA_TNUMBER && vt == LUA_TSTRING && strchr(lua_tostring(L, -1), ':'))
        buf_puts(line, lua_tostring(L, -1));
}

/* Append line to v (n used, room for cap and the NULL). Returns -1 when
 * memory ran out (v is left as it was). */
static int add_line(char ***v, size_t *n, size_t *cap, buf_t *line)
{
    if (*n == *cap) {
        char **more = realloc(*v, (2 * *cap + 1) * sizeof **v);
        if (!more)
            return -1;
        *v = more;
        *cap *= 2;
    }
    (*v)[(*n)++] = buf_steal(line);
    (*v)[*n] = NULL;
    return 0;
}

/* The lines of the table on top of the stack, bad ones reported. */
static char **header_lines(decl_t *d, const char *name)
{
    size_t n = 0, cap = 8;
    char **v = calloc(cap + 1, sizeof *v);
    if (!v)
        return NULL;
    lua_pushnil(d->L);
    while (lua_next(d->L, -2)) {
        buf_t line = {0};
        header_line(d->L, &line);
        lua_pop(d->L, 1);
        const char *text = buf_str(&line);
        if (!*text || strpbrk(text, "\r\n")) {
            decl_problem(d, "%s: bad header in '%s' (use [\"Name\"] = \"value\")", d->what, name);
            buf_free(&line);
        } else if (add_line(&v, &n, &cap, &line) != 0) {
            buf_free(&line);
            lua_pop(d->L, 1);
            break;
        }
    }
    return v;
}

/* HTTP headers as { ["Name"] = "value" } or { "Name: value", … }; stored as
 * "Name: value" lines. */
static char **read_headers(decl_t *d, const char *name)
{
    if (lua_getfield(d->L, d->idx, name) != LUA_TTABLE) {
        if (!lua_isnil(d->L, -1))
            decl_problem(d, "%s: '%s' must be a table of header = value", d->what, name);
        lua_pop(d->L, 1);
        return NULL;
    }
    char **v = header_lines(d, name);
    lua_pop(d->L, 1);
    return v;
}

static void *webhook_parse(decl_t *d)
{
    webhook_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->url = decl_string(d, "url", NULL);
    w->format = decl_string(d, "format", "json");
    w->headers = read_headers(d, "headers");
    w->secret = decl_string(d, "secret", NULL);
    return w;
}

static void webhook_check(decl_t *d, const void *data)
{
    const webhook_t *w = data;
    if (!w || (!transport_starts_with(w->url, "http://") && !transport_starts_with(w->url, "https://")))
        decl_problem(d, "%s: a webhook channel needs an http:// or https:// url", d->what);
    if (w && w->format && strcmp(w->format, "json") != 0 && strcmp(w->format, "slack") != 0)
        decl_problem(d, "%s: unknown format '%s' (json, slack)", d->what, w->format);
}

static void webhook_free(void *data)
{
    webhook_t *w = data;
    if (!w)
        return;
    DECL_FREE(w->url, w->format, w->secret);
    decl_free_strings(w->headers);
    free(w);
}

const channel_kind_t channel_kind_webhook = {CHANNEL_KIND_FIELDS(webhook), .json_body = 1};

/* kind_pushover.c — the pushover kind: a notification through Pushover's
 * message API.
 *
 *   POST {api}/1/messages.json         Content-Type: application/json
 *   {"token": …, "user": …, "message": HTML, "html": 1, "title": …,
 *    "priority": N, "url": link, "url_title": source}
 *
 * token (the application's) and user (the user or group key) are secrets
 * (`env "…"`). The message is render_push.h's block in Pushover's HTML
 * subset, without the title and link, which title (≤ 250 characters) and
 * url (≤ 512, else left out) carry. Priority: critical and high 1, medium
 * 0, low -1, info -2 (never 2, which needs retry and expire). A message
 * may hold 1024 characters: a digest ("vane: N new flags", the highest
 * severity's priority) goes in parts within that, counting the HTML's
 * characters, and a flag too long alone is sent shortened. A template's
 * table is sent as the body as it is. */
#include "channel/kind.h"

#include <stdlib.h>
#include <string.h>

#include "channel/http.h"
#include "channel/push_body.h"
#include "channel/split.h"
#include "channel/transport.h"
#include "util/buf.h"

#define PUSHOVER_API "https://api.pushover.net"

typedef struct pushover {
    char *token, *user;
    char *api;
} pushover_t;

static int render(const channel_msg_t *part, void *ud, buf_t *out, size_t *size)
{
    const channel_cfg_t *c = ud;
    const pushover_t *p = c->data;
    return push_pushover_body(part, p->token, p->user, out, size);
}

static int post(const channel_msg_t *part, const buf_t *body, void *ud, err_t *e)
{
    (void)part;
    const channel_cfg_t *c = ud;
    const pushover_t *p = c->data;
    buf_t url = {0};
    int rc;
    if (buf_printf(&url, "%s/1/messages.json", p->api) != 0) {
        rc = err_set(e, "channel %s: out of memory", c->id);
    } else {
        http_req_t req = {.service = "pushover", .url = url.p, .body = body->p, .len = body->len};
        rc = http_send(c, &req, NULL, e);
    }
    buf_free(&url);
    return rc;
}

static int pushover_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                         err_t *e)
{
    (void)o;
    const pushover_t *p = c->data;
    if (!p || !p->token || !p->user || !p->api)
        return err_set(e, "channel %s: needs token and user", c->id);
    if (!m->body_json)
        return split_send(m, PUSH_PUSHOVER_LIMIT, render, post, (void *)c, e);
    buf_t body = {0};
    int rc = buf_puts(&body, m->body_json) != 0 ? err_set(e, "channel %s: out of memory", c->id)
                                                : post(m, &body, (void *)c, e);
    buf_free(&body);
    return rc;
}

/* ---- the declaration ------------------------------------------------------------ */

static const char *const pushover_keys[] = {"token", "user", "api", NULL};

static void *pushover_parse(decl_t *d)
{
    pushover_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->token = decl_string(d, "token", NULL);
    p->user = decl_string(d, "user", NULL);
    p->api = decl_string(d, "api", PUSHOVER_API);
    size_t n = p->api ? strlen(p->api) : 0;
    while (n > 0 && p->api[n - 1] == '/')
        p->api[--n] = '\0';
    return p;
}

static void pushover_check(decl_t *d, const void *data)
{
    static const pushover_t none = {0};
    const pushover_t *p = data ? data : &none;
    if (!p->token || !*p->token)
        decl_problem(d, "%s: a pushover channel needs token = env \"NAME\" (the application's "
                        "token; the variable is unset or empty)", d->what);
    if (!p->user || !*p->user)
        decl_problem(d, "%s: a pushover channel needs user = env \"NAME\" (the user or group "
                        "key; the variable is unset or empty)", d->what);
    if (!transport_starts_with(p->api, "http://") && !transport_starts_with(p->api, "https://"))
        decl_problem(d, "%s: api must be an http:// or https:// URL", d->what);
}

static void pushover_free(void *data)
{
    pushover_t *p = data;
    if (!p)
        return;
    DECL_FREE(p->token, p->user, p->api);
    free(p);
}

const channel_kind_t channel_kind_pushover = {CHANNEL_KIND_FIELDS(pushover), .json_body = 1};

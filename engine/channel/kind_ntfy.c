/* kind_ntfy.c — the ntfy kind: a notification published to a topic of
 * an ntfy server.
 *
 *   POST {server}/{topic}              Content-Type: text/plain; charset=utf-8
 *   Title: the item's title (or the rule's), RFC 2047 encoded words
 *          (=?UTF-8?B?…?=) when it is not ASCII, which ntfy decodes
 *   Priority: 5 critical, 4 high, 3 medium, 2 low, 1 info
 *   Tags: the severity and the rule id
 *   Click: the item's link
 *   Authorization: Bearer {token}      when the channel has a token
 *
 * The body is render_push.h's block in plain text (without the title and
 * link, which Title and Click carry); a digest is titled "vane: N new
 * flags", takes the highest severity's priority and goes in parts of at
 * most 4096 bytes (ntfy's message limit; longer ones become attachments).
 * A template's text replaces the body; a template's table is not used
 * (ntfy is not sent JSON). The token is a secret (`token = env "…"`). */
#include "channel/kind.h"

#include <stdlib.h>
#include <string.h>

#include "channel/http.h"
#include "channel/push_body.h"
#include "channel/split.h"
#include "channel/transport.h"
#include "util/buf.h"

#define NTFY_SERVER "https://ntfy.sh"

typedef struct ntfy {
    char *server;
    char *topic;
    char *token;          /* NULL: none */
} ntfy_t;

static int render(const channel_msg_t *part, void *ud, buf_t *out, size_t *size)
{
    (void)ud;
    return push_ntfy_body(part, out, size);
}

static int post(const channel_msg_t *part, const buf_t *body, void *ud, err_t *e)
{
    const channel_cfg_t *c = ud;
    const ntfy_t *n = c->data;
    buf_t url = {0}, lines[PUSH_NTFY_HEADERS] = {{0}};
    char *v[PUSH_NTFY_HEADERS + 1];
    int rc;
    if (buf_printf(&url, "%s/%s", n->server, n->topic) != 0 ||
        push_ntfy_headers(part, n->token, lines, v) != 0) {
        rc = err_set(e, "channel %s: out of memory", c->id);
    } else {
        http_req_t req = {.service = "ntfy", .url = url.p,
                          .content_type = "text/plain; charset=utf-8", .headers = v,
                          .body = body->p, .len = body->len};
        rc = http_send(c, &req, NULL, e);
    }
    buf_free(&url);
    for (int i = 0; i < PUSH_NTFY_HEADERS; i++)
        buf_free(&lines[i]);
    return rc;
}

static int ntfy_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                     err_t *e)
{
    (void)o;
    const ntfy_t *n = c->data;
    if (!n || !n->server || !n->topic)
        return err_set(e, "channel %s: needs a topic", c->id);
    return split_send(m, PUSH_NTFY_LIMIT, render, post, (void *)c, e);
}

/* ---- the declaration ------------------------------------------------------------ */

static const char *const ntfy_keys[] = {"server", "topic", "token", NULL};

static void *ntfy_parse(decl_t *d)
{
    ntfy_t *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->server = decl_string(d, "server", NTFY_SERVER);
    n->topic = decl_string(d, "topic", NULL);
    n->token = decl_string(d, "token", NULL);
    size_t len = n->server ? strlen(n->server) : 0;
    while (len > 0 && n->server[len - 1] == '/')
        n->server[--len] = '\0';
    return n;
}

static void ntfy_check(decl_t *d, const void *data)
{
    static const ntfy_t none = {0};
    const ntfy_t *n = data ? data : &none;
    if (!transport_starts_with(n->server, "http://") && !transport_starts_with(n->server, "https://"))
        decl_problem(d, "%s: server must be an http:// or https:// URL", d->what);
    size_t len = n->topic ? strlen(n->topic) : 0;
    if (len == 0 || len > 64 ||
        strspn(n->topic, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != len)
        decl_problem(d, "%s: an ntfy channel needs topic = \"name\" (1 to 64 letters, digits, "
                        "- or _)", d->what);
    if (n->token && (!*n->token || strpbrk(n->token, "\r\n")))
        decl_problem(d, "%s: the ntfy token is empty or has a line break (it is not shown)",
                     d->what);
}

static void ntfy_free(void *data)
{
    ntfy_t *n = data;
    if (!n)
        return;
    DECL_FREE(n->server, n->topic, n->token);
    free(n);
}

const channel_kind_t channel_kind_ntfy = {CHANNEL_KIND_FIELDS(ntfy)};

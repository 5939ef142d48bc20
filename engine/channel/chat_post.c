/* chat_post.c — posting the chat kinds' messages (see chat_post.h). */
#include "channel/chat_post.h"

#include <stdlib.h>
#include <string.h>

#include "channel/http.h"
#include "channel/split.h"
#include "channel/transport.h"

const char *const chat_hook_keys[] = {"url", NULL};

void *chat_hook_parse(decl_t *d)
{
    chat_hook_t *h = calloc(1, sizeof *h);
    if (h)
        h->url = decl_string(d, "url", NULL);
    return h;
}

void chat_hook_check(decl_t *d, const void *data, const char *kind)
{
    const chat_hook_t *h = data;
    if (!h || !h->url)
        decl_problem(d, "%s: a %s channel needs its webhook's url (url = env \"NAME\"; "
                        "is the variable set?)", d->what, kind);
    else if (!transport_starts_with(h->url, "http://") && !transport_starts_with(h->url, "https://"))
        decl_problem(d, "%s: a %s channel's url must be an http:// or https:// URL", d->what, kind);
}

void chat_hook_free(void *data)
{
    chat_hook_t *h = data;
    if (!h)
        return;
    free(h->url);
    free(h);
}

typedef struct post_ctx {
    const channel_cfg_t *c;
    const chat_service_t *s;
} post_ctx_t;

static int render_part(const channel_msg_t *part, void *ud, buf_t *out, size_t *size)
{
    const post_ctx_t *p = ud;
    return p->s->render(part, out, size);
}

static int send_body(const char *body, size_t len, const post_ctx_t *p, err_t *e)
{
    const chat_hook_t *h = p->c->data;
    http_req_t req = {.service = p->s->name, .url = h->url, .body = body, .len = len};
    return http_send(p->c, &req, NULL, e);
}

static int send_part(const channel_msg_t *part, const buf_t *body, void *ud, err_t *e)
{
    (void)part;
    return send_body(buf_str(body), body->len, ud, e);
}

int chat_post(const channel_cfg_t *c, const channel_msg_t *m, const chat_service_t *s, err_t *e)
{
    const chat_hook_t *h = c->data;
    if (!h || !h->url)
        return err_set(e, "channel %s: no url", c->id);
    post_ctx_t p = {c, s};
    if (m->body_json)
        return send_body(m->body_json, strlen(m->body_json), &p, e);
    if (split_send(m, s->limit, render_part, send_part, &p, e) == 0)
        return 0;
    if (e && strncmp(e->msg, "channel ", 8) != 0)
        err_prefix(e, "channel %s: ", c->id);
    return -1;
}

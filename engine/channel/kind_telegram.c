/* kind_telegram.c — the telegram kind: a message to a chat through a
 * bot, with the Bot API's sendMessage.
 *
 *   POST {api}/bot{token}/sendMessage
 *   {"chat_id": …, "text": …, "parse_mode": "HTML",
 *    "link_preview_options": {"is_disabled": true}}
 *
 * The text is render_push.h's block in Telegram's HTML subset (b, a, s, u;
 * only &lt; &gt; &amp; &quot;). A message may hold 4096 characters after
 * its entities are parsed: a digest goes in parts within that (split.h),
 * and a flag too long alone is sent shortened (push_body.h). A template's table is sent
 * as the body as it is. The token is a secret (`token = env "…"`): it is
 * in the URL's path, which http_send never shows. */
#include "channel/kind.h"

#include <lua.h>
#include <stdlib.h>
#include <string.h>

#include "channel/http.h"
#include "channel/push_body.h"
#include "channel/split.h"
#include "channel/transport.h"
#include "util/buf.h"

#define TELEGRAM_API "https://api.telegram.org"

typedef struct telegram {
    char *token;
    char *chat_id;    /* "-1001234", "@channel" */
    char *api;
} telegram_t;

typedef struct tg_send {
    const channel_cfg_t *c;
    const char *url;
} tg_send_t;

static int render(const channel_msg_t *part, void *ud, buf_t *out, size_t *size)
{
    const tg_send_t *s = ud;
    const telegram_t *t = s->c->data;
    return push_telegram_body(part, t->chat_id, out, size);
}

static int post(const channel_msg_t *part, const buf_t *body, void *ud, err_t *e)
{
    (void)part;
    const tg_send_t *s = ud;
    http_req_t req = {.service = "telegram", .url = s->url, .body = body->p, .len = body->len};
    return http_send(s->c, &req, NULL, e);
}

static int telegram_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                         err_t *e)
{
    (void)o;
    const telegram_t *t = c->data;
    if (!t || !t->token || !t->chat_id)
        return err_set(e, "channel %s: needs token and chat_id", c->id);
    buf_t url = {0};
    if (buf_printf(&url, "%s/bot%s/sendMessage", t->api, t->token) != 0)
        return err_set(e, "channel %s: out of memory", c->id);
    tg_send_t s = {c, url.p};
    int rc;
    if (m->body_json) {
        buf_t body = {0};
        rc = buf_puts(&body, m->body_json) != 0 ? err_set(e, "channel %s: out of memory", c->id)
                                                : post(m, &body, &s, e);
        buf_free(&body);
    } else {
        rc = split_send(m, PUSH_TELEGRAM_LIMIT, render, post, &s, e);
    }
    buf_free(&url);
    return rc;
}

/* ---- the declaration ------------------------------------------------------------ */

static const char *const telegram_keys[] = {"token", "chat_id", "api", NULL};

/* chat_id: a number (-1001234567890) or a string ("@channelname"). */
static char *read_chat_id(decl_t *d)
{
    if (lua_getfield(d->L, d->idx, "chat_id") == LUA_TNUMBER && lua_isinteger(d->L, -1)) {
        buf_t b = {0};
        buf_printf(&b, "%lld", (long long)lua_tointeger(d->L, -1));
        lua_pop(d->L, 1);
        return buf_steal(&b);
    }
    lua_pop(d->L, 1);
    return decl_string(d, "chat_id", NULL);
}

static void *telegram_parse(decl_t *d)
{
    telegram_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->token = decl_string(d, "token", NULL);
    t->chat_id = read_chat_id(d);
    t->api = decl_string(d, "api", TELEGRAM_API);
    size_t n = t->api ? strlen(t->api) : 0;
    while (n > 0 && t->api[n - 1] == '/')
        t->api[--n] = '\0';
    return t;
}

static void telegram_check(decl_t *d, const void *data)
{
    static const telegram_t none = {0};
    const telegram_t *t = data ? data : &none;
    if (!t->token || !*t->token)
        decl_problem(d, "%s: a telegram channel needs token = env \"NAME\" (the bot's token; "
                        "the variable is unset or empty)", d->what);
    else if (strspn(t->token, "0123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")
             != strlen(t->token))
        decl_problem(d, "%s: the telegram token has characters a bot token never has "
                        "(it is not shown)", d->what);
    if (!t->chat_id || !*t->chat_id)
        decl_problem(d, "%s: a telegram channel needs chat_id (a number, or \"@channel\")", d->what);
    if (!transport_starts_with(t->api, "http://") && !transport_starts_with(t->api, "https://"))
        decl_problem(d, "%s: api must be an http:// or https:// URL", d->what);
}

static void telegram_free(void *data)
{
    telegram_t *t = data;
    if (!t)
        return;
    DECL_FREE(t->token, t->chat_id, t->api);
    free(t);
}

const channel_kind_t channel_kind_telegram = {CHANNEL_KIND_FIELDS(telegram), .json_body = 1};

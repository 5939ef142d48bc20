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
#include "channel/render_push.h"
#include "channel/split.h"
#include "channel/transport.h"
#include "config/severity.h"
#include "util/buf.h"

#define NTFY_SERVER "https://ntfy.sh"
#define NTFY_LIMIT 4096       /* bytes of a message */
#define NTFY_TITLE_MAX 200    /* characters of a title */

typedef struct ntfy {
    char *server;
    char *topic;
    char *token;          /* NULL: none */
} ntfy_t;

/* Tags: the severity and the rule id, each kept to letters, digits and - _ . : */
static int put_tag(buf_t *out, const char *s)
{
    int rc = 0;
    for (; s && *s; s++)
        if (strchr("-_.:", *s) || (*s >= '0' && *s <= '9') || ((*s | 32) >= 'a' && (*s | 32) <= 'z'))
            rc |= buf_putc(out, *s);
    return rc;
}

/* The request's header lines for part, in lines (freed by the caller). */
static int headers_for(const ntfy_t *n, const channel_msg_t *part, buf_t lines[5], char *v[6])
{
    static const int priority[] = {1, 2, 3, 4, 5};   /* info … critical */
    buf_t title = {0};
    int top = push_top_severity(part), k = 0;
    int rc = push_title(part, NTFY_TITLE_MAX, &title);
    rc |= buf_puts(&lines[k], "Title: ") | push_header_text(buf_str(&title), &lines[k]);
    k++;
    rc |= buf_printf(&lines[k++], "Priority: %d", priority[top]);
    rc |= buf_puts(&lines[k], "Tags: ");
    if (part->digest && part->n != 1) {
        rc |= buf_printf(&lines[k], "%s,digest", severity_name(top));
    } else {
        rc |= put_tag(&lines[k], part->flags[0].severity) | buf_putc(&lines[k], ',');
        rc |= put_tag(&lines[k], part->flags[0].rule);
    }
    k++;
    if ((!part->digest || part->n == 1) && push_is_link(part->flags[0].link))
        rc |= buf_printf(&lines[k++], "Click: %s", part->flags[0].link);
    if (n->token)
        rc |= buf_printf(&lines[k++], "Authorization: Bearer %s", n->token);
    for (int i = 0; i < k; i++)
        v[i] = lines[i].p;
    v[k] = NULL;
    buf_free(&title);
    return rc;
}

static int render(const channel_msg_t *part, void *ud, buf_t *out, size_t *size)
{
    (void)ud;
    int rc = push_render(part, &push_style_plain, PUSH_NO_HEAD, out);
    if (rc == 0 && out->len > NTFY_LIMIT && part->n == 1) {
        buf_reset(out);
        rc = push_render(part, &push_style_plain, PUSH_NO_HEAD | PUSH_SHORT, out);
        push_cut_bytes(out, NTFY_LIMIT);
    }
    *size = out->len;
    return rc;
}

static int post(const channel_msg_t *part, const buf_t *body, void *ud, err_t *e)
{
    const channel_cfg_t *c = ud;
    const ntfy_t *n = c->data;
    buf_t url = {0}, lines[5] = {{0}};
    char *v[6];
    int rc;
    if (buf_printf(&url, "%s/%s", n->server, n->topic) != 0 ||
        headers_for(n, part, lines, v) != 0) {
        rc = err_set(e, "channel %s: out of memory", c->id);
    } else {
        http_req_t req = {.service = "ntfy", .url = url.p,
                          .content_type = "text/plain; charset=utf-8", .headers = v,
                          .body = body->p, .len = body->len};
        rc = http_send(c, &req, NULL, e);
    }
    buf_free(&url);
    for (int i = 0; i < 5; i++)
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
    return split_send(m, NTFY_LIMIT, render, post, (void *)c, e);
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

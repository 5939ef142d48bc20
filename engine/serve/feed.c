/* feed.c — GET /flags.atom: an Atom 1.0 feed of the newest flags (50, or
 * limit up to 500) with the flags page's filters, written by the atom
 * kind's writer (channel/atom.h). Each entry links to the item
 * (rel="alternate") and to the flag's page (rel="related"); with serve {
 * url } the feed's and entries' ids and links are under that address. */
#include "serve/api.h"

#include <stdlib.h>
#include <string.h>

#include "channel/atom.h"
#include "serve/html.h"
#include "util/url.h"

#define FEED_ID_DEFAULT ATOM_ID_PREFIX "serve"

typedef struct feed_ctx {
    const atom_feed_t *feed;
    const char *base;           /* the public address, or NULL */
    atom_entries_t list;
    int rc;
} feed_ctx_t;

/* <link rel="related"> to the flag's page, before the entry's end. */
static int add_related(atom_entry_t *en, const char *base, long long id)
{
    const char *end = en->xml ? strstr(en->xml, "</entry>") : NULL;
    if (!end)
        return 0;
    buf_t b = {0}, href = {0};
    int rc = buf_printf(&href, "%s/flags/%lld", base ? base : "", id);
    rc |= buf_append(&b, en->xml, (size_t)(end - en->xml));
    rc |= buf_puts(&b, "  <link rel=\"related\" type=\"text/html\" href=\"");
    rc |= atom_put_text(&b, buf_str(&href), href.len, 1, 1);
    rc |= buf_puts(&b, "\"/>\n  ") | buf_puts(&b, end);
    buf_free(&href);
    if (rc) {
        buf_free(&b);
        return -1;
    }
    free(en->xml);
    en->xml = buf_steal(&b);
    return 0;
}

static int on_flag(void *ud, const char *json, const store_flag_row_t *r)
{
    feed_ctx_t *c = ud;
    channel_flag_t f = {.id = r->id, .json = json, .severity = r->severity, .rule = r->rule,
                        .source = r->source, .key = r->key, .message = r->message,
                        .created_at = r->created_at, .title = r->title, .link = r->link,
                        .source_name = r->source_name, .rule_title = r->rule_title,
                        .change = r->change, .observed_at = r->observed_at,
                        .changes = r->changes};
    size_t had = c->list.n;
    c->rc = atom_add_flag(c->feed, &f, clock_now(), &c->list);
    if (c->rc == 0 && c->list.n > had)
        c->rc = add_related(&c->list.v[c->list.n - 1], c->base, r->id);
    return c->rc;
}

/* The feed's own address: base, the path and the filters given. */
static int self_link(const serve_req_t *r, const char *base, buf_t *out)
{
    static const char *const names[] = {"rule", "source", "severity", "since", "until", "q",
                                         "limit", NULL};
    int rc = buf_puts(out, base) | buf_puts(out, "/flags.atom");
    char sep = '?';
    for (size_t i = 0; names[i]; i++) {
        const char *v = serve_query(r, names[i]);
        if (!v || !*v)
            continue;
        rc |= buf_putc(out, sep) | buf_puts(out, names[i]) | buf_putc(out, '=') | url_encode_component(out, v);
        sep = '&';
    }
    return rc;
}

int feed_flags(const serve_req_t *r, serve_resp_t *out)
{
    api_flags_asked_t a;
    const char *why;
    if (api_flag_query(r, 50, &a, &why) != 0)
        return serve_error_page(out, 400, why);
    char *base = api_base_url(r);
    buf_t id = {0}, self = {0};
    int rc = buf_puts(&id, base ? base : FEED_ID_DEFAULT);
    if (base)
        rc |= self_link(r, base, &self);
    atom_feed_t feed = {.id = buf_str(&id), .title = "vane flags",
                        .self = base ? buf_str(&self) : NULL};
    feed_ctx_t c = {.feed = &feed, .base = base};
    err_t e;
    if (rc == 0 && store_flags_find(r->ctx->st, &a.q, on_flag, &c, &e) == 0 && c.rc == 0 &&
        atom_write(&feed, &c.list, (size_t)a.q.limit, &out->body) == 0)
        out->content_type = "application/atom+xml; charset=utf-8";
    else
        rc = -1;
    atom_entries_free(&c.list);
    buf_free(&id);
    buf_free(&self);
    free(base);
    return rc;
}

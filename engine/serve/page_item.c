/* page_item.c — GET /items/{source}/{key} (or /items/{source}?key=KEY for
 * a key with a "/"): one item's history, every
 * version newest first with what changed (word diffs for long texts), the
 * fields of new and removed versions, and the flags raised on each. */
#include "serve/page_flags.h"

#include <stdio.h>
#include <string.h>

#include "serve/html.h"
#include "serve/view_diff.h"

/* The flags raised on event ev_id (flags are sorted by event, newest
 * first, as the versions are). */
static int flags_of(buf_t *b, long long ev_id, const store_event_flag_t *fl, size_t n)
{
    int rc = 0, any = 0;
    for (size_t i = 0; i < n; i++) {
        if (fl[i].event_id != ev_id)
            continue;
        if (!any++)
            rc |= buf_puts(b, "<ul class=\"raised\">");
        rc |= buf_puts(b, "<li>") | html_severity(b, fl[i].severity) |
              buf_printf(b, " <a href=\"/flags/%lld\">", fl[i].id) | html_text(b, fl[i].message) |
              buf_puts(b, "</a> <span class=\"muted\">") | html_text(b, fl[i].rule) |
              buf_puts(b, "</span></li>");
    }
    return rc | (any ? buf_puts(b, "</ul>\n") : 0);
}

static int version(buf_t *b, const store_event_t *ev, const store_event_flag_t *fl, size_t n_fl)
{
    int rc = buf_printf(b, "<section class=\"version\" id=\"event-%lld\"><h2>", ev->id) |
             html_text(b, ev->change) | buf_puts(b, " ") | html_time(b, ev->observed_at) |
             buf_printf(b, " <span class=\"muted\">event %lld%s</span></h2>\n", ev->id,
                        ev->baseline ? ", baseline" : "");
    if (strcmp(ev->change, "changed") == 0)
        rc |= view_changes_of(b, NULL, ev->diff);
    else
        rc |= view_fields(b, strcmp(ev->change, "removed") == 0 ? ev->prev : ev->item);
    return rc | flags_of(b, ev->id, fl, n_fl) | buf_puts(b, "</section>\n");
}

/* What the page reads. */
typedef struct history {
    store_item_now_t now;
    int known;
    store_event_t *evs;
    size_t n;
    store_event_flag_t *fl;
    size_t n_fl;
} history_t;

static void history_free(history_t *h)
{
    store_item_now_free(&h->now);
    store_events_free(h->evs, h->n);
    store_event_flags_free(h->fl, h->n_fl);
}

static int history_read(store_t *st, const char *source, const char *key, history_t *h)
{
    err_t e = {{0}};
    *h = (history_t){0};
    if ((h->known = store_item_get(st, source, key, &h->now, &e)) < 0 ||
        store_item_versions(st, source, key, &h->evs, &h->n, &e) < 0 ||
        store_item_flags(st, source, key, &h->fl, &h->n_fl, &e) < 0) {
        history_free(h);
        return -1;
    }
    return 0;
}

static int now_part(buf_t *b, const history_t *h)
{
    if (!h->known)
        return 0;
    int rc = buf_puts(b, "<dl class=\"facts\"><dt>First seen</dt><dd>") |
             html_time(b, h->now.first_seen) | buf_puts(b, "</dd><dt>Last seen</dt><dd>") |
             html_time(b, h->now.last_seen) | buf_puts(b, "</dd>");
    if (h->now.removed_at)
        rc |= buf_puts(b, "<dt>Removed</dt><dd>") | html_time(b, h->now.removed_at) |
              buf_puts(b, "</dd>");
    rc |= buf_puts(b, "</dl>\n<h2>Now</h2>\n") | view_fields(b, h->now.fields);
    return rc;
}

int page_item(const serve_req_t *r, serve_resp_t *out)
{
    const char *source = r->n_args ? r->args[0] : NULL;
    const char *key = r->n_args >= 2 ? r->args[1] : serve_query(r, "key");
    if (!source || !key || !*key)
        return serve_error_page(out, 404, "There is no such item.");
    history_t h;
    if (history_read(r->ctx->st, source, key, &h) < 0)
        return -1;
    if (!h.known && !h.n) {
        history_free(&h);
        return serve_error_page(out, 404, "There is no such item.");
    }
    buf_t *b = &out->body;
    buf_t title = {0};
    int rc = buf_puts(&title, source) | buf_puts(&title, " / ") | buf_puts(&title, key);
    rc |= html_page_begin(b, r, buf_str(&title), "/flags") | buf_puts(b, "<h1>") |
          html_text(b, buf_str(&title)) | buf_puts(b, "</h1>\n");
    rc |= now_part(b, &h) | buf_printf(b, "<h2>History</h2>\n<p class=\"muted\">%zu version%s, "
                                          "newest first.</p>\n", h.n, h.n == 1 ? "" : "s");
    for (size_t i = 0; i < h.n; i++)
        rc |= version(b, &h.evs[i], h.fl, h.n_fl);
    rc |= html_page_end(b);
    buf_free(&title);
    history_free(&h);
    return rc ? -1 : 0;
}

/* page_flags.c — GET /flags: the flags, newest first, filtered by rule,
 * source, least severity, time span and text, fifty a page paged by id;
 * and the table of routes of the pages of flags and items. */
#include "serve/page_flags.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/severity.h"
#include "serve/html.h"
#include "serve/view_diff.h"
#include "store/web.h"
#include "util/clock.h"
#include "util/url.h"

#define PAGE_SIZE 50

const serve_route_t serve_routes_flags[] = {
    {"GET", "/flags", page_flags},
    {"GET", "/flags/{}", page_flag},
    {"POST", "/flags/{}/verdict", page_flag_verdict},
    {"GET", "/items/{}/{}", page_item},
    {"GET", "/items/{}", page_item},   /* ?key=KEY: a key with a "/" */
    {NULL, NULL, NULL},
};

long long page_flag_id(const char *s)
{
    if (!s || *s < '0' || *s > '9')
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    return errno || *end || v <= 0 ? 0 : v;
}

/* The filters as asked (the query's values, for the form and the pager). */
typedef struct asked {
    const char *rule, *source, *severity, *since, *until, *q;
} asked_t;

/* The filter from the query; notes what was not understood into warn. */
static int filter_of(const serve_req_t *r, asked_t *a, store_web_filter_t *f, char since[32],
                     char until[32], buf_t *warn)
{
    int rc = 0;
    *a = (asked_t){serve_query_given(r, "rule"), serve_query_given(r, "source"), serve_query_given(r, "severity"),
                   serve_query_given(r, "since"), serve_query_given(r, "until"), serve_query_given(r, "q")};
    *f = (store_web_filter_t){.rule = a->rule, .source = a->source, .q = a->q,
                              .limit = PAGE_SIZE};
    if (a->severity) {
        f->min_severity = severity_rank(a->severity);
        if (f->min_severity < 0)
            rc |= buf_puts(warn, "severity: not one of " SEVERITY_NAMES ". ");
    }
    if (a->since && serve_time_bound(a->since, 0, since) == 0)
        f->since = since;
    else if (a->since)
        rc |= buf_puts(warn, "since: not a date (YYYY-MM-DD). ");
    if (a->until && serve_time_bound(a->until, 1, until) == 0)
        f->until = until;
    else if (a->until)
        rc |= buf_puts(warn, "until: not a date (YYYY-MM-DD). ");
    f->before = page_flag_id(serve_query(r, "before"));
    f->after = page_flag_id(serve_query(r, "after"));
    return rc;
}

static int text_input(buf_t *b, const char *label, const char *name, const char *type,
                      const char *value)
{
    return buf_printf(b, "<label>%s<input type=\"%s\" name=\"%s\" value=\"", label, type, name) |
           html_text(b, value) | buf_puts(b, "\"></label>");
}

static int filter_form(buf_t *b, const asked_t *a)
{
    int rc = buf_puts(b, "<form class=\"filters\" method=\"get\" action=\"/flags\">");
    rc |= text_input(b, "Rule", "rule", "text", a->rule);
    rc |= text_input(b, "Source", "source", "text", a->source);
    rc |= buf_puts(b, "<label>Severity at least<select name=\"severity\"><option value=\"\">any</option>");
    for (int i = 1; i <= 4; i++) {
        const char *s = severity_name(i);
        rc |= buf_printf(b, "<option value=\"%s\"%s>%s</option>", s,
                         a->severity && strcmp(a->severity, s) == 0 ? " selected" : "", s);
    }
    rc |= buf_puts(b, "</select></label>");
    rc |= text_input(b, "Since", "since", "date", a->since);
    rc |= text_input(b, "Until", "until", "date", a->until);
    rc |= text_input(b, "Text", "q", "search", a->q);
    return rc | buf_puts(b, "<button type=\"submit\">Filter</button></form>\n");
}

/* "sent", "2 pending", "1 sent, 1 dead", "silenced", or "—" (no channel). */
static int delivery(buf_t *b, const store_web_flag_t *f)
{
    if (f->silence_id)
        return buf_puts(b, "silenced");
    if (!f->sent && !f->pending && !f->dead)
        return buf_puts(b, "<span class=\"muted\">\xe2\x80\x94</span>");
    if (!f->pending && !f->dead)
        return buf_puts(b, "<span class=\"ok\">sent</span>");
    int rc = 0;
    const char *sep = "";
    if (f->sent) {
        rc |= buf_printf(b, "%ld sent", f->sent);
        sep = ", ";
    }
    if (f->pending) {
        rc |= buf_printf(b, "%s%ld pending", sep, f->pending);
        sep = ", ";
    }
    if (f->dead)
        rc |= buf_printf(b, "%s<span class=\"bad\">%ld dead</span>", sep, f->dead);
    return rc;
}

static int row(buf_t *b, const store_web_flag_t *f)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", f->id);
    int rc = buf_puts(b, "<tr><td>") | html_severity(b, f->severity);
    rc |= buf_puts(b, "</td><td><a href=\"/rules#") | url_encode_component(b, f->rule) | buf_puts(b, "\">") |
          html_text(b, f->rule) | buf_puts(b, "</a></td>");
    rc |= buf_printf(b, "<td><a href=\"/flags/%s\">", id) | html_text(b, f->message) |
          buf_puts(b, "</a></td><td>") | html_text(b, f->source_name ? f->source_name : f->source);
    rc |= buf_puts(b, "</td><td>") | view_item_title(b, f->title, NULL, f->link);
    rc |= buf_puts(b, "</td><td>") | html_time(b, f->created_at) | buf_puts(b, "</td><td>") |
          delivery(b, f) | buf_puts(b, "</td><td>") | html_text(b, f->verdict);
    return rc | buf_puts(b, "</td></tr>\n");
}

static int pager(buf_t *b, const asked_t *a, const store_web_page_t *p)
{
    if (!p->n || (!p->newer && !p->older))
        return 0;
    char newest[24], oldest[24];
    snprintf(newest, sizeof newest, "%lld", p->rows[0].id);
    snprintf(oldest, sizeof oldest, "%lld", p->rows[p->n - 1].id);
    int rc = buf_puts(b, "<nav class=\"pager\">");
    if (p->newer)
        rc |= buf_puts(b, "<a rel=\"prev\" href=\"") |
              html_href(b, "/flags", "rule", a->rule, "source", a->source, "severity", a->severity,
                        "since", a->since, "until", a->until, "q", a->q, "after", newest, (const char *)NULL) |
              buf_puts(b, "\">Newer</a>");
    if (p->older)
        rc |= buf_puts(b, "<a rel=\"next\" href=\"") |
              html_href(b, "/flags", "rule", a->rule, "source", a->source, "severity", a->severity,
                        "since", a->since, "until", a->until, "q", a->q, "before", oldest, (const char *)NULL) |
              buf_puts(b, "\">Older</a>");
    return rc | buf_puts(b, "</nav>\n");
}

int page_flags(const serve_req_t *r, serve_resp_t *out)
{
    asked_t a;
    store_web_filter_t f;
    char since[32], until[32];
    buf_t warn = {0};
    if (filter_of(r, &a, &f, since, until, &warn) < 0) {
        buf_free(&warn);
        return -1;
    }
    store_web_page_t p;
    err_t e = {{0}};
    if (store_web_flags(r->ctx->st, &f, &p, &e) < 0) {
        buf_free(&warn);
        return -1;
    }
    buf_t *b = &out->body;
    int rc = html_page_begin(b, r, "Flags", "/flags") | buf_puts(b, "<h1>Flags</h1>\n") |
             filter_form(b, &a);
    if (warn.len)
        rc |= buf_puts(b, "<p class=\"bad\">") | html_text(b, buf_str(&warn)) | buf_puts(b, "</p>\n");
    if (!p.n) {
        rc |= buf_puts(b, "<p class=\"empty\">No flags match these filters.</p>\n");
    } else {
        rc |= buf_puts(b, "<table class=\"flags\"><thead><tr><th>Severity</th><th>Rule</th>"
                          "<th>Message</th><th>Source</th><th>Item</th><th>When</th>"
                          "<th>Delivery</th><th>Verdict</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < p.n; i++)
            rc |= row(b, &p.rows[i]);
        rc |= buf_puts(b, "</tbody></table>\n");
    }
    rc |= pager(b, &a, &p) | html_page_end(b);
    store_web_page_free(&p);
    buf_free(&warn);
    return rc ? -1 : 0;
}

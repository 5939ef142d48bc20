/* page_rules.c — GET /rules: each loaded rule (id, title, file), its flags
 * per week for the last 12 weeks as SVG bars, the verdicts on its flags
 * (useful, noise, unjudged) and its precision, useful / (useful + noise),
 * "—" before any verdict. Rules that raised flags but are no longer loaded
 * follow, marked so. */
#include "serve/pages_charts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "serve/html.h"
#include "serve/svg.h"
#include "store/charts.h"
#include "util/clock.h"

#define WEEKS 12
#define DAY 86400LL

typedef struct rules_page {
    buf_t *b;
    const store_rule_verdicts_t *v;
    size_t nv;
    const chart_rule_week_t *w;
    size_t nw;
    long long from;             /* the first week's start */
} rules_page_t;

static int weeks_chart(const rules_page_t *p, const char *id)
{
    svg_bar_t bars[WEEKS];
    char labels[WEEKS][8];
    for (int i = 0; i < WEEKS; i++) {
        char iso[32];
        clock_format_iso((vtime_t)(p->from + i * 7 * DAY), iso);
        snprintf(labels[i], sizeof labels[i], "%.5s", iso + 5);   /* the week's first day */
        bars[i] = (svg_bar_t){labels[i], 0, 0};
    }
    for (size_t i = 0; i < p->nw; i++)
        if (strcmp(p->w[i].rule, id) == 0 && p->w[i].week >= 0 && p->w[i].week < WEEKS)
            bars[p->w[i].week].v = (double)p->w[i].flags;
    buf_t title = {0};
    int rc = buf_printf(&title, "%s: flags per week, last %d weeks", id, WEEKS);
    rc |= svg_bars(p->b, buf_str(&title), NULL, bars, WEEKS);
    buf_free(&title);
    return rc ? -1 : 0;
}

static int rule_row(const rules_page_t *p, const rules_row_t *row)
{
    buf_t *b = p->b;
    const char *id = row->id, *title = row->title, *file = row->file;
    long flags = row->flags, useful = row->useful, noise = row->noise;
    int rc = buf_puts(b, "<tr data-rule=\"");
    rc |= html_text(b, id);
    rc |= buf_puts(b, "\"><td><a href=\"");
    rc |= html_href(b, "/flags", "rule", id, (const char *)NULL);
    rc |= buf_puts(b, "\">");
    rc |= html_text(b, id);
    rc |= buf_puts(b, "</a><br>");
    if (title)
        rc |= html_text(b, title);
    rc |= buf_puts(b, "<br><span class=\"muted\">");
    rc |= file ? html_text(b, file) : buf_puts(b, "no longer loaded");
    rc |= buf_printf(b, "</span></td><td class=\"num\">%ld</td><td class=\"num\">%ld</td>"
                        "<td class=\"num\">%ld</td><td class=\"num\">%ld</td>"
                        "<td class=\"num precision\">", flags, useful, noise,
                     flags - useful - noise);
    if (useful + noise > 0)
        rc |= buf_printf(b, "%.2f", (double)useful / (double)(useful + noise));
    else
        rc |= buf_puts(b, "\xe2\x80\x94");
    rc |= buf_puts(b, "</td><td class=\"chart\">");
    rc |= weeks_chart(p, id);
    return rc | buf_puts(b, "</td></tr>\n");
}

static int rule_rows(const rules_page_t *p, const rules_t *rules)
{
    size_t n;
    rules_row_t *rows = rules_rows(rules, p->v, p->nv, &n);
    if (!rows)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = rule_row(p, &rows[i]);
    free(rows);
    return rc;
}

int page_rules(const serve_req_t *r, serve_resp_t *out)
{
    rules_page_t p = {.b = &out->body,
                      .from = ((long long)clock_now() / DAY + 1 - WEEKS * 7) * DAY};
    char from[32];
    clock_format_iso((vtime_t)p.from, from);
    store_rule_verdicts_t *v;
    chart_rule_week_t *w;
    err_t e;
    if (store_rules_verdicts(r->ctx->st, &v, &p.nv, &e) != 0)
        return -1;
    if (store_rules_weeks(r->ctx->st, from, &w, &p.nw, &e) != 0) {
        store_rules_verdicts_free(v, p.nv);
        return -1;
    }
    p.v = v;
    p.w = w;
    buf_t *b = p.b;
    int rc = html_page_begin(b, r, "Rules", "/rules");
    rc |= buf_puts(b, "<h1>Rules</h1>\n");
    if (!r->ctx->rules && p.nv == 0) {
        rc |= buf_puts(b, "<p class=\"muted\">No rules loaded and no flags yet.</p>\n");
    } else {
        rc |= buf_printf(b, "<table class=\"rules\"><thead><tr><th>Rule</th>"
                            "<th class=\"num\">Flags</th><th class=\"num\">Useful</th>"
                            "<th class=\"num\">Noise</th><th class=\"num\">Unjudged</th>"
                            "<th class=\"num\">Precision</th><th>Flags per week, last %d weeks"
                            "</th></tr></thead><tbody>\n", WEEKS);
        rc |= rule_rows(&p, r->ctx->rules);
        rc |= buf_puts(b, "</tbody></table>\n<p class=\"muted\">Precision is useful / (useful + "
                          "noise) over the judged flags; mark a flag on its page or with "
                          "<code>vane flags mark ID useful|noise</code>.</p>\n");
    }
    rc |= html_page_end(b);
    store_rules_verdicts_free(v, p.nv);
    store_rules_weeks_free(w, p.nw);
    return rc ? -1 : 0;
}

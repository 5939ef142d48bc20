/* page_sources.c — GET /sources: each source's health (last success,
 * failures in a row, items, next due, last error) with a chart of its last
 * 14 days: the changes stored each day (events, the baseline left out) and
 * the runs that failed on it (runs whose errors name it). */
#include "serve/pages_charts.h"

#include <stdio.h>
#include <string.h>

#include "serve/html.h"
#include "serve/svg.h"
#include "store/charts.h"
#include "util/clock.h"

#define DAYS 14
#define DAY 86400LL

static const char *name_of(const config_t *cfg, const char *id)
{
    for (size_t i = 0; cfg && i < cfg->n_sources; i++)
        if (strcmp(cfg->sources[i].id, id) == 0)
            return cfg->sources[i].name;
    return NULL;
}

static int days_chart(const serve_req_t *r, buf_t *b, const chart_source_t *s)
{
    long long first = ((long long)clock_now() / DAY - (DAYS - 1)) * DAY;
    char from[32];
    clock_format_iso((vtime_t)first, from);
    long changes[DAYS], failures[DAYS];
    err_t e;
    if (store_source_days(r->ctx->st, s->id, from, DAYS, changes, failures, &e) != 0)
        return -1;
    svg_bar_t bars[DAYS];
    char labels[DAYS][8];
    for (int i = 0; i < DAYS; i++) {
        char iso[32];
        clock_format_iso((vtime_t)(first + i * DAY), iso);
        snprintf(labels[i], sizeof labels[i], "%.5s", iso + 5);   /* "11-27" */
        bars[i] = (svg_bar_t){labels[i], (double)changes[i], (double)failures[i]};
    }
    static const char *const series[2] = {"changes", "failed runs"};
    buf_t title = {0};
    int rc = buf_printf(&title, "%s: changes and failed runs per day, last %d days", s->id, DAYS);
    rc |= svg_bars(b, buf_str(&title), series, bars, DAYS);
    buf_free(&title);
    return rc ? -1 : 0;
}

static int source_row(const serve_req_t *r, buf_t *b, const chart_source_t *s)
{
    const char *name = name_of(r->ctx->cfg, s->id);
    int rc = buf_puts(b, "<tr data-source=\"");
    rc |= html_text(b, s->id);
    rc |= buf_puts(b, "\"><td><strong>");
    rc |= html_text(b, name ? name : s->id);
    rc |= buf_puts(b, "</strong>");
    if (name) {
        rc |= buf_puts(b, "<br><span class=\"muted\">");
        rc |= html_text(b, s->id);
        rc |= buf_puts(b, "</span>");
    }
    rc |= buf_puts(b, "</td><td>");
    rc |= html_time(b, s->last_success);
    rc |= buf_printf(b, "</td><td class=\"num%s\">%ld</td><td class=\"num\">",
                     s->failures ? " bad" : "", s->failures);
    if (s->items >= 0)
        rc |= buf_printf(b, "%ld", s->items);
    else
        rc |= buf_puts(b, "\xe2\x80\x94");
    rc |= buf_puts(b, "</td><td>");
    rc |= html_time(b, s->next_due);
    rc |= buf_puts(b, "</td><td class=\"error\">");
    if (s->last_error)
        rc |= html_text(b, s->last_error);
    rc |= buf_puts(b, "</td><td class=\"chart\">");
    rc |= days_chart(r, b, s);
    return rc | buf_puts(b, "</td></tr>\n");
}

int page_sources(const serve_req_t *r, serve_resp_t *out)
{
    chart_source_t *rows;
    size_t n;
    err_t e;
    if (store_sources_health(r->ctx->st, &rows, &n, &e) != 0)
        return -1;
    buf_t *b = &out->body;
    int rc = html_page_begin(b, r, "Sources", "/sources");
    rc |= buf_puts(b, "<h1>Sources</h1>\n");
    if (n == 0) {
        rc |= buf_puts(b, "<p class=\"muted\">No source has been fetched yet (run vane run).</p>\n");
    } else {
        rc |= buf_printf(b, "<table class=\"sources\"><thead><tr><th>Source</th>"
                            "<th>Last success</th><th class=\"num\">Failures in a row</th>"
                            "<th class=\"num\">Items</th><th>Next due</th><th>Last error</th>"
                            "<th>Last %d days: changes, failed runs</th></tr></thead><tbody>\n",
                         DAYS);
        for (size_t i = 0; i < n && rc == 0; i++)
            rc |= source_row(r, b, &rows[i]);
        rc |= buf_puts(b, "</tbody></table>\n");
    }
    rc |= html_page_end(b);
    store_sources_health_free(rows, n);
    return rc ? -1 : 0;
}

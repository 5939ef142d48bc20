/* page_advisories.c — GET /advisories: every country's current level and
 * indicators from the sources whose script is travel_advisories, sortable
 * by country, level or last change (?sort=); and GET
 * /advisories/{source}/{key}: one country's level over time (an SVG step
 * chart), its indicators over time (a lane per letter), and the change
 * notes of each version with the summary's word diff. */
#include "serve/pages_charts.h"

#include <stdlib.h>
#include <string.h>

#include "alert/context.h"
#include "channel/changes.h"
#include "serve/html.h"
#include "serve/svg.h"
#include "store/charts.h"
#include "util/clock.h"
#include "util/url.h"

#define ADVISORY_SCRIPT "travel_advisories"

static const struct {
    const char *name, *heading;
    chart_sort_t sort;
} sorts[] = {
    {"country", "Country", CHART_BY_COUNTRY},
    {"level", "Level", CHART_BY_LEVEL},
    {"changed", "Last change", CHART_BY_CHANGE},
};
#define N_SORTS (sizeof sorts / sizeof *sorts)

static size_t sort_of(const serve_req_t *r)
{
    const char *s = serve_query(r, "sort");
    for (size_t i = 0; s && i < N_SORTS; i++)
        if (strcmp(s, sorts[i].name) == 0)
            return i;
    return 0;
}

static const char *source_name(const source_cfg_t *s)
{
    return s->name ? s->name : s->id;
}

/* <span class="lvl lvl-3">3 · Reconsider Travel</span>, or "—". */
static int level_cell(buf_t *b, long level, const char *label)
{
    if (level < 1 || level > 4)
        return buf_puts(b, "\xe2\x80\x94");
    int rc = buf_printf(b, "<span class=\"lvl lvl-%ld\" data-level=\"%ld\">%ld", level, level,
                        level);
    if (label && *label) {
        rc |= buf_puts(b, " \xc2\xb7 ");
        rc |= html_text(b, label);
    }
    return rc | buf_puts(b, "</span>");
}

static int heading_link(buf_t *b, size_t i, size_t current)
{
    int rc = buf_puts(b, "<th><a href=\"");
    rc |= html_href(b, "/advisories", "sort", sorts[i].name, (const char *)NULL);
    rc |= buf_printf(b, "\"%s>%s</a></th>", i == current ? " class=\"here\"" : "",
                     sorts[i].heading);
    return rc;
}

static int advisory_row(buf_t *b, const chart_advisory_t *a)
{
    int rc = buf_puts(b, "<tr data-key=\"");
    rc |= html_text(b, a->key);
    rc |= buf_puts(b, "\"><td><a href=\"/advisories/");
    rc |= url_encode_component(b, a->source);
    rc |= buf_putc(b, '/');
    rc |= url_encode_component(b, a->key);
    rc |= buf_puts(b, "\">");
    rc |= html_text(b, a->country ? a->country : a->key);
    rc |= buf_puts(b, "</a></td><td>");
    rc |= level_cell(b, a->level, a->label);
    rc |= buf_puts(b, "</td><td>");
    rc |= html_time(b, a->last_change);
    rc |= buf_puts(b, "</td><td>");
    rc |= html_text(b, a->key);
    rc |= buf_puts(b, "</td><td class=\"letters\">");
    rc |= *a->notations ? html_text(b, a->notations) : buf_puts(b, "\xe2\x80\x94");
    return rc | buf_puts(b, "</td></tr>\n");
}

static int advisory_table(const serve_req_t *r, buf_t *b, const source_cfg_t *src, size_t sort)
{
    chart_advisory_t *rows;
    size_t n;
    err_t e;
    if (store_advisories(r->ctx->st, src->id, sorts[sort].sort, &rows, &n, &e) != 0)
        return -1;
    int rc = buf_puts(b, "<h2>");
    rc |= html_text(b, source_name(src));
    rc |= buf_printf(b, " <span class=\"muted\">(%zu countries)</span></h2>\n", n);
    if (n == 0) {
        rc |= buf_puts(b, "<p class=\"muted\">No advisories stored yet (run vane run).</p>\n");
    } else {
        rc |= buf_puts(b, "<table class=\"advisories\"><thead><tr>");
        rc |= heading_link(b, 0, sort) | heading_link(b, 1, sort) | heading_link(b, 2, sort);
        rc |= buf_puts(b, "<th>Code</th><th>Indicators</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < n; i++)
            rc |= advisory_row(b, &rows[i]);
        rc |= buf_puts(b, "</tbody></table>\n");
    }
    store_advisories_free(rows, n);
    return rc ? -1 : 0;
}

int page_advisories(const serve_req_t *r, serve_resp_t *out)
{
    buf_t *b = &out->body;
    size_t sort = sort_of(r);
    int rc = html_page_begin(b, r, "Advisories", "/advisories");
    rc |= buf_puts(b, "<h1>Advisories</h1>\n");
    size_t shown = 0;
    const config_t *cfg = r->ctx->cfg;
    for (size_t i = 0; cfg && i < cfg->n_sources && rc == 0; i++) {
        const source_cfg_t *s = &cfg->sources[i];
        if (!s->script || strcmp(s->script, ADVISORY_SCRIPT) != 0)
            continue;
        rc |= advisory_table(r, b, s, sort);
        shown++;
    }
    if (shown == 0)
        rc |= buf_puts(b, "<p class=\"muted\">No source of vane.lua uses the script "
                          ADVISORY_SCRIPT ".</p>\n");
    rc |= html_page_end(b);
    return rc ? -1 : 0;
}

/* ---- one country ---------------------------------------------------------- */

/* The configured advisory source with this id, or NULL. */
static const source_cfg_t *advisory_source(const config_t *cfg, const char *id)
{
    for (size_t i = 0; cfg && i < cfg->n_sources; i++)
        if (strcmp(cfg->sources[i].id, id) == 0)
            return &cfg->sources[i];
    return NULL;
}

/* The end of the time axis: now, or the last version when that is later. */
static long long axis_end(const chart_version_t *v, size_t n)
{
    long long now = (long long)clock_now(), last = pages_epoch(v[n - 1].observed_at, now);
    return last > now ? last : now;
}

static int level_chart(buf_t *b, const chart_version_t *v, size_t n, const char *country)
{
    svg_point_t *p = calloc(n, sizeof *p);
    if (!p)
        return -1;
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].level >= 1 && v[i].level <= 4 && strcmp(v[i].change, "removed") != 0)
            p[np++] = (svg_point_t){pages_epoch(v[i].observed_at, 0), (double)v[i].level,
                                    v[i].label};
    buf_t title = {0};
    int rc = buf_printf(&title, "%s: advisory level over time", country);
    svg_axes_t a = {.title = buf_str(&title), .t0 = pages_epoch(v[0].observed_at, 0),
                    .t1 = axis_end(v, n), .y0 = 1, .y1 = 4, .y_integers = 1};
    rc |= svg_steps(b, &a, p, np);
    buf_free(&title);
    free(p);
    return rc ? -1 : 0;
}

/* Does the space-separated list `letters` hold the letter? */
static int holds(const char *letters, const char *letter)
{
    size_t len = strlen(letter);
    for (const char *p = letters; *p;) {
        size_t n = strcspn(p, " ");
        if (n == len && strncmp(p, letter, n) == 0)
            return 1;
        p += n;
        p += strspn(p, " ");
    }
    return 0;
}

/* Every letter any version held, in order, into a list of malloc'd words. */
static int letters_of(const chart_version_t *v, size_t n, char ***out, size_t *nl)
{
    *out = NULL;
    *nl = 0;
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        for (const char *p = v[i].notations; *p;) {
            size_t len = strcspn(p, " ");
            char *w = strndup(p, len);
            if (!w)
                return -1;
            size_t k = 0;
            while (k < *nl && strcmp((*out)[k], w) < 0)
                k++;
            if (k < *nl && strcmp((*out)[k], w) == 0) {
                free(w);
            } else {
                if (*nl == cap) {
                    cap = cap ? 2 * cap : 8;
                    char **more = realloc(*out, cap * sizeof *more);
                    if (!more) {
                        free(w);
                        return -1;
                    }
                    *out = more;
                }
                memmove(*out + k + 1, *out + k, (*nl - k) * sizeof **out);
                (*out)[k] = w;
                (*nl)++;
            }
            p += len;
            p += strspn(p, " ");
        }
    }
    return 0;
}

static void letters_free(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

/* A lane per letter: a span over each run of versions that held it. */
static int indicator_chart(buf_t *b, const chart_version_t *v, size_t n, const char *country)
{
    char **letters;
    size_t nl;
    svg_lane_t *lanes = NULL;
    svg_span_t *spans = NULL;
    int rc = letters_of(v, n, &letters, &nl);
    if (rc == 0 && nl > 0) {
        lanes = calloc(nl, sizeof *lanes);
        spans = calloc(nl * n, sizeof *spans);
        rc = lanes && spans ? 0 : -1;
    }
    long long end = axis_end(v, n), start = pages_epoch(v[0].observed_at, end);
    for (size_t k = 0; rc == 0 && k < nl; k++) {
        svg_span_t *sp = spans + k * n;
        size_t ns = 0;
        for (size_t i = 0; i < n; i++) {
            if (!holds(v[i].notations, letters[k]) || strcmp(v[i].change, "removed") == 0)
                continue;
            long long from = pages_epoch(v[i].observed_at, end);
            long long to = i + 1 < n ? pages_epoch(v[i + 1].observed_at, end) : end;
            if (ns > 0 && sp[ns - 1].to == from)
                sp[ns - 1].to = to;
            else
                sp[ns++] = (svg_span_t){from, to};
        }
        lanes[k] = (svg_lane_t){letters[k], sp, ns};
    }
    buf_t title = {0};
    rc |= buf_printf(&title, "%s: risk indicators over time", country);
    svg_axes_t a = {.title = buf_str(&title), .t0 = start, .t1 = end};
    if (rc == 0)
        rc = svg_lanes(b, &a, lanes, nl);
    buf_free(&title);
    free(lanes);
    free(spans);
    letters_free(letters, nl);
    return rc ? -1 : 0;
}

/* The letters of `now` not in `before`, "+" or "−" before each. */
static int letter_changes(buf_t *b, const char *before, const char *now, const char *sign,
                          const char *cls)
{
    int rc = 0;
    for (const char *p = now; *p;) {
        size_t len = strcspn(p, " ");
        char w[32];
        if (len < sizeof w) {
            memcpy(w, p, len);
            w[len] = '\0';
            if (!holds(before, w)) {
                rc |= buf_printf(b, "<span class=\"%s\">%s", cls, sign);
                rc |= html_text(b, w);
                rc |= buf_puts(b, "</span> ");
            }
        }
        p += len;
        p += strspn(p, " ");
    }
    return rc;
}

/* The summary's change: its word diff as <del>/<ins>, or old and new. */
static int summary_diff(buf_t *b, const char *diff)
{
    if (!diff)
        return 0;
    buf_t json = {0};
    flag_changes_t ch = {0};
    int rc = flag_context_changes(diff, &json) != 0 || flag_changes_read(buf_str(&json), &ch) != 0;
    for (size_t i = 0; !rc && i < ch.n; i++) {
        const flag_change_t *c = &ch.v[i];
        if (strcmp(c->field, "summary") != 0)
            continue;
        rc |= buf_puts(b, "<p class=\"summary-diff\">");
        if (c->n_segs) {
            for (size_t k = 0; k < c->n_segs; k++) {
                const char *tag = c->segs[k].op == '-' ? "del" : c->segs[k].op == '+' ? "ins" : NULL;
                if (tag)
                    rc |= buf_printf(b, "<%s>", tag);
                rc |= html_text(b, c->segs[k].text);
                if (tag)
                    rc |= buf_printf(b, "</%s>", tag);
            }
        } else {
            if (c->old_text) {
                rc |= buf_puts(b, "<del>");
                rc |= html_text(b, c->old_text);
                rc |= buf_puts(b, "</del> ");
            }
            if (c->new_text) {
                rc |= buf_puts(b, "<ins>");
                rc |= html_text(b, c->new_text);
                rc |= buf_puts(b, "</ins>");
            }
        }
        rc |= buf_puts(b, "</p>");
    }
    flag_changes_free(&ch);
    buf_free(&json);
    return rc ? -1 : 0;
}

static int change_notes(buf_t *b, const chart_version_t *v, size_t n)
{
    int rc = buf_puts(b, "<h2>Changes</h2>\n<table class=\"versions\"><thead><tr><th>When</th>"
                         "<th>Change</th><th>Level</th><th>Indicators</th><th>What changed</th>"
                         "</tr></thead><tbody>\n");
    for (size_t j = n; j-- > 0;) {
        const chart_version_t *c = &v[j];
        rc |= buf_printf(b, "<tr data-event=\"%lld\"><td>", c->event_id);
        rc |= html_time(b, c->observed_at);
        rc |= buf_puts(b, "</td><td>");
        rc |= html_text(b, c->change);
        rc |= buf_puts(b, "</td><td>");
        if (j > 0 && v[j - 1].level != c->level && v[j - 1].level)
            rc |= buf_printf(b, "<span class=\"muted\">%ld \xe2\x86\x92</span> ", v[j - 1].level);
        rc |= level_cell(b, c->level, c->label);
        rc |= buf_puts(b, "</td><td class=\"letters\">");
        rc |= html_text(b, c->notations);
        rc |= buf_puts(b, " ");
        if (j > 0 && strcmp(v[j - 1].notations, c->notations) != 0) {
            rc |= letter_changes(b, v[j - 1].notations, c->notations, "+", "added");
            rc |= letter_changes(b, c->notations, v[j - 1].notations, "\xe2\x88\x92", "removed");
        } else if (j > 0) {   /* what the change note says, when the letters listed did not move */
            rc |= letter_changes(b, "", c->added, "+", "added");
            rc |= letter_changes(b, "", c->removed, "\xe2\x88\x92", "removed");
        }
        rc |= buf_puts(b, "</td><td>");
        rc |= summary_diff(b, c->diff);
        rc |= buf_puts(b, "</td></tr>\n");
    }
    return rc | buf_puts(b, "</tbody></table>\n");
}

int page_advisory(const serve_req_t *r, serve_resp_t *out)
{
    const char *source = r->args[0], *key = r->args[1];
    const source_cfg_t *src = advisory_source(r->ctx->cfg, source);
    chart_version_t *v;
    size_t n;
    err_t e;
    if (store_advisory_versions(r->ctx->st, source, key, &v, &n, &e) != 0)
        return -1;
    if (n == 0) {
        store_advisory_versions_free(v, n);
        return serve_error_page(out, 404, "No such advisory: this source has no item with "
                                          "that key.");
    }
    const char *country = v[n - 1].country ? v[n - 1].country : key;
    buf_t *b = &out->body;
    int rc = html_page_begin(b, r, country, "/advisories");
    rc |= buf_puts(b, "<p class=\"muted\"><a href=\"/advisories\">Advisories</a> \xe2\x80\xba ");
    rc |= html_text(b, src ? source_name(src) : source);
    rc |= buf_puts(b, "</p>\n<h1>");
    rc |= html_text(b, country);
    rc |= buf_puts(b, " ");
    rc |= level_cell(b, v[n - 1].level, v[n - 1].label);
    rc |= buf_printf(b, "</h1>\n<h2>Level over time <span class=\"muted\">(%zu versions)</span>"
                        "</h2>\n", n);
    rc |= level_chart(b, v, n, country);
    rc |= buf_puts(b, "\n<h2>Risk indicators over time</h2>\n");
    rc |= indicator_chart(b, v, n, country);
    rc |= buf_puts(b, "\n");
    rc |= change_notes(b, v, n);
    rc |= html_page_end(b);
    store_advisory_versions_free(v, n);
    return rc ? -1 : 0;
}

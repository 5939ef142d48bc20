/* api.c — `vane serve`'s JSON API, read only: GET /api/flags (the flags
 * page's filters, a page at a time, each flag as `vane flags --json`
 * prints it), /api/items/{source}/{key} (the item now and its versions as
 * `vane history --json` gives them; /api/items/{source}?key=KEY for a key
 * with a "/"), /api/sources (as `vane sources
 * --json`); and the table of this part's routes (api.h). Errors are JSON
 * too: {"error": "…"} with 400 or 404. */
#include "serve/api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/story.h"
#include "config/severity.h"
#include "util/clock.h"
#include "util/json.h"

#define API_MAX_LIMIT 500

/* ---- shared with feed.c --------------------------------------------------------- */

/* A whole number in [min, max] from s. */
static int number(const char *s, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int api_flag_query(const serve_req_t *r, long def_limit, api_flags_asked_t *a, const char **why)
{
    store_web_filter_t *q = &a->q;
    *q = (store_web_filter_t){.rule = serve_query_given(r, "rule"),
                              .source = serve_query_given(r, "source"),
                              .q = serve_query_given(r, "q"), .limit = (size_t)def_limit};
    const char *v;
    long long n;
    if ((v = serve_query_given(r, "severity"))) {
        q->min_severity = severity_rank(v);
        if (q->min_severity < 0)
            return *why = "severity must be one of " SEVERITY_NAMES, 1;
    }
    if ((v = serve_query_given(r, "since"))) {
        if (serve_time_bound(v, 0, a->since) != 0)
            return *why = "since must be a date or an ISO 8601 time (2024-11-27T23:30:00Z)", 1;
        q->since = a->since;
    }
    if ((v = serve_query_given(r, "until"))) {
        if (serve_time_bound(v, 1, a->until) != 0)
            return *why = "until must be a date or an ISO 8601 time (2024-11-27T23:30:00Z)", 1;
        q->until = a->until;
    }
    if ((v = serve_query_given(r, "limit"))) {
        if (number(v, 1, API_MAX_LIMIT, &n) != 0)
            return *why = "limit must be a number from 1 to 500", 1;
        q->limit = (size_t)n;
    }
    if ((v = serve_query_given(r, "before"))) {
        if (number(v, 1, (long long)9e18, &n) != 0)
            return *why = "before must be a flag id", 1;
        q->before = n;
    }
    return 0;
}

char *api_base_url(const serve_req_t *r)
{
    const char *url = r->ctx->url;
    if (!url || !*url)
        return NULL;
    size_t len = strlen(url);
    while (len > 1 && url[len - 1] == '/')
        len--;
    return strndup(url, len);
}

/* ---- JSON answers ---------------------------------------------------------------- */

static int json_error(serve_resp_t *out, int status, const char *message)
{
    out->status = status;
    serve_json(out);
    buf_reset(&out->body);
    int rc = buf_puts(&out->body, "{\"error\":") |
             json_put_string(&out->body, message, strlen(message)) | buf_puts(&out->body, "}\n");
    return rc ? -1 : 0;
}

/* ---- /api/flags ------------------------------------------------------------------ */

typedef struct flags_page {
    buf_t *b;
    long n, limit;
    long long last;     /* the id of the last flag written */
    int more;           /* a flag past the limit was found */
    int rc;
} flags_page_t;

static int on_flag(void *ud, const char *json, const store_flag_row_t *f)
{
    flags_page_t *p = ud;
    if (p->n == p->limit) {
        p->more = 1;
        return 1;
    }
    p->rc |= buf_puts(p->b, p->n++ ? "," : "") | buf_puts(p->b, json);
    p->last = f->id;
    return p->rc;
}

static int api_flags(const serve_req_t *r, serve_resp_t *out)
{
    api_flags_asked_t a;
    const char *why;
    if (api_flag_query(r, 50, &a, &why) != 0)
        return json_error(out, 400, why);
    flags_page_t p = {.b = &out->body, .limit = a.q.limit};
    a.q.limit++;   /* one more, to know whether there is a next page */
    err_t e;
    serve_json(out);
    p.rc = buf_puts(&out->body, "{\"flags\":[");
    if (store_flags_find(r->ctx->st, &a.q, on_flag, &p, &e) != 0 || p.rc)
        return -1;
    if (p.more)
        p.rc = buf_printf(&out->body, "],\"next\":%lld}\n", p.last);
    else
        p.rc = buf_puts(&out->body, "],\"next\":null}\n");
    return p.rc ? -1 : 0;
}

/* ---- /api/items/{source}/{key} ---------------------------------------------------- */

static void item_now(story_json_t *j, const store_item_now_t *it, int found)
{
    story_json_key(j, "item");
    if (!found) {
        j->rc |= buf_puts(j->b, "null");
        return;
    }
    story_json_t o;
    story_json_begin(&o, j->b);
    story_json_raw(&o, "fields", it->fields, "null");
    story_json_str(&o, "first_seen", it->first_seen);
    story_json_str(&o, "last_seen", it->last_seen);
    story_json_str(&o, "removed_at", it->removed_at);
    story_json_str(&o, "absent_since", it->absent_since);
    j->rc |= story_json_end(&o);
}

/* The flags of one event, as `vane history --json` lists them. */
static int event_flags(buf_t *b, const store_event_flag_t *fl, size_t n, size_t *f,
                       long long event_id)
{
    int rc = buf_putc(b, '[');
    for (size_t k = 0; *f < n && fl[*f].event_id == event_id; (*f)++, k++) {
        story_json_t j;
        rc |= buf_puts(b, k ? "," : "");
        story_json_begin(&j, b);
        story_json_int(&j, "id", fl[*f].id);
        story_json_str(&j, "rule", fl[*f].rule);
        story_json_str(&j, "severity", fl[*f].severity);
        story_json_str(&j, "message", fl[*f].message);
        rc |= story_json_end(&j);
    }
    return rc | buf_putc(b, ']');
}

static int versions(buf_t *b, const store_event_t *evs, size_t n, const store_event_flag_t *fl,
                    size_t n_fl)
{
    int rc = buf_putc(b, '[');
    size_t f = 0;
    for (size_t i = 0; i < n; i++) {
        story_json_t j;
        rc |= buf_puts(b, i ? "," : "");
        story_json_begin(&j, b);
        story_json_event_members(&j, &evs[i]);
        story_json_key(&j, "flags");
        rc |= j.rc | event_flags(b, fl, n_fl, &f, evs[i].id) | buf_putc(b, '}');
    }
    return rc | buf_putc(b, ']');
}

static int api_item(const serve_req_t *r, serve_resp_t *out)
{
    const char *source = r->args[0], *key = r->n_args > 1 ? r->args[1] : serve_query(r, "key");
    if (!key || !*key)
        return json_error(out, 400, "no item key: /api/items/SOURCE/KEY or /api/items/SOURCE?key=KEY");
    store_t *st = r->ctx->st;
    store_item_now_t it = {0};
    store_event_t *evs = NULL;
    store_event_flag_t *fl = NULL;
    size_t n = 0, n_fl = 0;
    err_t e;
    int found = store_item_get(st, source, key, &it, &e), rc = 0;
    if (found < 0 || store_item_versions(st, source, key, &evs, &n, &e) != 0 ||
        store_item_flags(st, source, key, &fl, &n_fl, &e) != 0) {
        rc = -1;
    } else if (!found && n == 0) {
        rc = json_error(out, 404, "no such item");
    } else {
        serve_json(out);
        story_json_t j;
        story_json_begin(&j, &out->body);
        story_json_str(&j, "source", source);
        story_json_str(&j, "key", key);
        item_now(&j, &it, found);
        story_json_key(&j, "versions");
        rc = (j.rc | versions(&out->body, evs, n, fl, n_fl) | buf_puts(&out->body, "}\n")) ? -1 : 0;
    }
    if (found > 0)
        store_item_now_free(&it);
    store_events_free(evs, n);
    store_event_flags_free(fl, n_fl);
    return rc;
}

/* ---- /api/sources ---------------------------------------------------------------- */

typedef struct sources_list {
    buf_t *b;
    size_t n;
    int rc;
} sources_list_t;

static int on_source(void *ud, const char *json, int ncols, const char *const *names,
                     const char *const *cols)
{
    (void)ncols, (void)names, (void)cols;
    sources_list_t *l = ud;
    l->rc |= buf_puts(l->b, l->n++ ? "," : "") | buf_puts(l->b, json);
    return l->rc;
}

static int api_sources(const serve_req_t *r, serve_resp_t *out)
{
    sources_list_t l = {.b = &out->body};
    err_t e;
    serve_json(out);
    l.rc = buf_puts(&out->body, "{\"sources\":[");
    if (store_list(r->ctx->st, STORE_LIST_SOURCES, NULL, on_source, &l, &e) != 0 || l.rc)
        return -1;
    return buf_puts(&out->body, "]}\n") ? -1 : 0;
}

/* An /api/… path that is none of the above. */
static int api_unknown(const serve_req_t *r, serve_resp_t *out)
{
    (void)r;
    return json_error(out, 404, "no such API; see /api/flags, /api/items/SOURCE/KEY, /api/sources");
}

const serve_route_t serve_routes_api[] = {
    {"GET", "/api/flags", api_flags},
    {"GET", "/api/items/{}/{}", api_item},
    {"GET", "/api/sources", api_sources},
    {"GET", "/api/{}", api_unknown},
    {"GET", "/api/items/{}", api_item},    /* ?key=KEY: a key with a "/" */
    {"GET", "/flags.atom", feed_flags},
    {"GET", "/metrics", metrics_page},
    {NULL, NULL, NULL},
};

/* follow.c — detail pages: choosing them, fetching them as one batch,
 * completing items with the script's detail function (see follow.h).
 *
 * Items travel as canonical JSON; the few edits made here (a stored
 * field carried over, the fields a detail set) are merge walks over the
 * members of two or three objects, which are sorted by key. */
#include "run/follow.h"

#include <stdlib.h>
#include <string.h>

#include "fetch/charset.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/utf8.h"

typedef struct page {
    struct follow *plan;
    size_t item;            /* index into the plan's items */
    char *url;
    const char *pending;    /* the stored fields of an item never completed, else NULL */
    char *settle;           /* those fields with the detail's edits, once read */
} page_t;

struct follow {
    const source_cfg_t *src;
    diff_item_t *items;
    size_t n;
    char **stored;          /* per item: its stored fields (not removed), or NULL */
    unsigned char *named;   /* per item: it names a page */
    unsigned char *done;    /* per item: completed this run */
    page_t *pages;
    size_t n_pages;
    size_t wanted;          /* pages to read, n_pages of them this run */
};

/* ---- members of canonical JSON objects --------------------------------------- */

static int name_is(const json_member_t *m, const char *name)
{
    return m && strlen(name) == m->keylen && memcmp(m->key, name, m->keylen) == 0;
}

/* The member `name` of an object: 1 and *m, or 0 when absent. */
static int member(const char *obj, const char *name, json_member_t *m)
{
    const char *c = obj;
    while (json_object_next(&c, m) > 0)
        if (name_is(m, name))
            return 1;
    return 0;
}

static int same(const json_member_t *a, const json_member_t *b)
{
    if (!a || !b)
        return a == b;
    return json_member_same_value(a, b);
}

/* One escape of a JSON string as json.c writes them (\" \\ \n \t \r
 * \uXXXX); returns the characters read after the backslash, 0 if bad. */
static size_t put_escape(const char *p, size_t left, buf_t *out)
{
    static const char pairs[] = "\"\"\\\\//n\nt\tr\rb\bf\f";
    for (const char *q = pairs; *q; q += 2)
        if (left >= 1 && *p == q[0])
            return buf_putc(out, q[1]) == 0;
    unsigned long cp = 0;
    if (left < 5 || *p != 'u')
        return 0;
    for (int i = 1; i <= 4; i++) {
        const char *hex = "0123456789abcdef0123456789ABCDEF", *h = strchr(hex, p[i]);
        if (!h || !p[i])
            return 0;
        cp = cp * 16 + (unsigned long)((h - hex) % 16);
    }
    char enc[4];
    size_t n = utf8_put(cp, enc);
    return n && buf_append(out, enc, n) == 0 ? 5 : 0;
}

/* The text of the JSON string literal m's value, in out; -1 if it is not
 * a string. */
static int string_value(const json_member_t *m, buf_t *out)
{
    const char *v = m->val;
    size_t len = m->vallen;
    if (len < 2 || v[0] != '"' || v[len - 1] != '"')
        return -1;
    for (size_t i = 1; i + 1 < len; i++) {
        if (v[i] != '\\') {
            if (buf_putc(out, v[i]) != 0)
                return -1;
            continue;
        }
        size_t used = put_escape(v + i + 1, len - i - 2, out);
        if (used == 0)
            return -1;
        i += used;
    }
    return buf_str(out) ? 0 : -1;
}

/* Which of the members of one key (m[k] from object k, NULL where absent)
 * goes into the result, or NULL for none. */
typedef const json_member_t *(*pick_fn)(const json_member_t *const m[3]);

typedef struct walk {
    const char *cur[3];
    json_member_t m[3];
    int live[3];
} walk_t;

static int walk_step(walk_t *w, int k)
{
    int rc = json_object_next(&w->cur[k], &w->m[k]);
    w->live[k] = rc > 0;
    return rc < 0 ? -1 : 0;
}

/* The walk's objects that are at the smallest key, in at[] (NULL for the
 * others); returns 0 when every object is finished. */
static int walk_members(const walk_t *w, const json_member_t *at[3])
{
    int lo = -1;
    for (int k = 0; k < 3; k++)
        if (w->live[k] && (lo < 0 || json_member_key_cmp(&w->m[k], &w->m[lo]) < 0))
            lo = k;
    for (int k = 0; k < 3; k++)
        at[k] = lo >= 0 && w->live[k] && json_member_key_cmp(&w->m[k], &w->m[lo]) == 0 ? &w->m[k] : NULL;
    return lo >= 0;
}

/* The object of the members `pick` chooses, over the keys of three objects
 * (NULL: {}) in key order, appended to out. Returns 0, or -1 on malformed
 * JSON or when memory ran out. */
static int walk3(buf_t *out, const char *const objs[3], pick_fn pick)
{
    walk_t w;
    const json_member_t *at[3];
    int count = 0, rc = buf_putc(out, '{');
    for (int k = 0; k < 3; k++) {
        w.cur[k] = objs[k] ? objs[k] : "{}";
        rc |= walk_step(&w, k);
    }
    while (rc == 0 && walk_members(&w, at)) {
        const json_member_t *p = pick(at);
        if (p)
            rc |= buf_puts(out, count++ ? ",\"" : "\"") | buf_append(out, p->key, p->keylen) |
                  buf_puts(out, "\":") | buf_append(out, p->val, p->vallen);
        for (int k = 0; k < 3; k++)
            if (at[k])
                rc |= walk_step(&w, k);
    }
    return rc ? -1 : buf_putc(out, '}');
}

/* {list, stored}: the list's fields, the stored ones the list does not
 * give, and the stored follow (the page last read, if any). */
static const json_member_t *pick_carried(const json_member_t *const m[3])
{
    return m[0] && !name_is(m[0], "follow") ? m[0] : m[1];
}

/* {stored, list, completed}: the stored fields with the detail's edits
 * (what it added, changed or dropped compared with the list's item). */
static const json_member_t *pick_settled(const json_member_t *const m[3])
{
    return same(m[1], m[2]) ? m[0] : m[2];
}

/* ---- planning ------------------------------------------------------------------ */

static const store_item_t *find_stored(const store_item_t *old, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(old[mid].key, key);
        if (c == 0)
            return &old[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static size_t count_named(const diff_item_t *items, size_t n)
{
    size_t named = 0;
    json_member_t m;
    for (size_t i = 0; i < n; i++)
        named += member(items[i].fields, "follow", &m);
    return named;
}

/* Item i: does it name a page, and is the page to be read (1) or not (0)? */
static int plan_item(follow_t *p, size_t i, const store_item_t *old, size_t n_old, buf_t *url,
                     errlist_t *warns)
{
    const diff_item_t *it = &p->items[i];
    json_member_t f, sf;
    buf_reset(url);
    if (!member(it->fields, "follow", &f))
        return 0;
    if (string_value(&f, url) != 0 || url->len == 0) {
        errlist_add(warns, "source %s: item '%s': follow must be the URL of a page (a string); "
                    "the item is kept as the list gives it", p->src->id, it->key);
        return 0;
    }
    p->named[i] = 1;
    const store_item_t *s = find_stored(old, n_old, it->key);
    if (s && !s->removed)
        p->stored[i] = strdup(s->fields);
    int read_before = p->stored[i] && member(p->stored[i], "follow", &sf);
    return !(read_before && same(&f, &sf));
}

static void add_page(follow_t *p, size_t i, buf_t *url)
{
    json_member_t sf;
    page_t *g = &p->pages[p->n_pages++];
    g->plan = p;
    g->item = i;
    g->url = buf_steal(url);
    g->pending = p->stored[i] && !member(p->stored[i], "follow", &sf) ? p->stored[i] : NULL;
}

static follow_t *plan_new(const source_cfg_t *src, diff_item_t *items, size_t n, size_t named)
{
    follow_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    *p = (follow_t){.src = src, .items = items, .n = n, .stored = calloc(n, sizeof(char *)),
                    .named = calloc(n, 1), .done = calloc(n, 1),
                    .pages = calloc(named, sizeof(page_t))};
    if (!p->stored || !p->named || !p->done || !p->pages) {
        follow_free(p);
        return NULL;
    }
    return p;
}

int follow_plan(follow_t **out, store_t *st, extract_t *x, const source_cfg_t *src,
                diff_item_t *items, size_t n, errlist_t *warns, err_t *e)
{
    *out = NULL;
    size_t named = count_named(items, n);
    if (named == 0)
        return 0;
    if (!extract_has_detail(x, src->script)) {
        errlist_add(warns, "source %s: %zu items name a page to follow, but scripts/%s.lua has no "
                    "detail function; the pages are not read", src->id, named, src->script);
        return 0;
    }
    store_item_t *old = NULL;
    size_t n_old = 0, wanted = 0;
    if (store_items_load(st, src->id, &old, &n_old, e) != 0)
        return -1;
    follow_t *p = plan_new(src, items, n, named);
    buf_t url = {0};
    for (size_t i = 0; p && i < n; i++)
        if (plan_item(p, i, old, n_old, &url, warns) && wanted++ < (size_t)src->max_follow)
            add_page(p, i, &url);
    buf_free(&url);
    store_items_free(old, n_old);
    if (!p)
        return err_set(e, "out of memory");
    p->wanted = wanted;
    if (wanted > p->n_pages)
        errlist_add(warns, "source %s: %zu pages to read, %zu read this run (max_follow); "
                    "the other %zu items keep what they had until a later run", src->id, wanted,
                    p->n_pages, wanted - p->n_pages);
    *out = p;
    return 0;
}

/* ---- the round ------------------------------------------------------------------- */

typedef struct round {
    extract_t *x;
    errlist_t *warns;
} round_t;

/* The page as UTF-8 and detail() on it: *out the completed fields. */
static int complete(round_t *r, const page_t *g, const fetch_res_t *res, char **out, err_t *e)
{
    const source_cfg_t *src = g->plan->src;
    const diff_item_t *it = &g->plan->items[g->item];
    const char *url = res->effective_url ? res->effective_url : g->url;
    char ctype[256], charset[64];
    buf_t text = {0};
    charset_report_t rep;
    charset_detect(res->body.p ? res->body.p : "", res->body.len,
                   charset_header(buf_str(&res->headers), ctype, sizeof ctype), charset,
                   sizeof charset, NULL);
    if (charset_to_utf8(res->body.p ? res->body.p : "", res->body.len, charset, &text, &rep, e) != 0) {
        buf_free(&text);
        return -1;
    }
    if (rep.warning[0])
        errlist_add(r->warns, "source %s: page %s: %s", src->id, url, rep.warning);
    if (rep.replaced)
        errlist_add(r->warns, "source %s: page %s: invalid %s bytes on line %d (%zu replaced with U+FFFD)",
                    src->id, url, charset, rep.first_line, rep.replaced);
    extract_doc_t doc = {src->id, url, res->status, text.p, text.len, buf_str(&res->headers),
                         src->options_json, charset, src->max_item_bytes};
    int rc = extract_detail(r->x, src->script, &doc, it->key, it->fields, out, r->warns, e);
    buf_free(&text);
    return rc;
}

static void on_page(void *ud, const fetch_req_t *req, fetch_res_t *res)
{
    round_t *r = ud;
    page_t *g = req->ud;
    follow_t *p = g->plan;
    diff_item_t *it = &p->items[g->item];
    char *done = NULL;
    err_t e = {{0}};
    if (res->error[0])
        err_set(&e, "%s", res->error);
    else
        complete(r, g, res, &done, &e);
    if (!done) {
        errlist_add(r->warns, "source %s: page %s: %.*s; item '%s' keeps what it had and is tried "
                    "again next run", p->src->id, g->url, (int)strcspn(e.msg, "\n"), e.msg, it->key);
        return;
    }
    if (g->pending) {
        const char *objs[3] = {g->pending, it->fields, done};
        buf_t b = {0};
        if (walk3(&b, objs, pick_settled) == 0)
            g->settle = buf_steal(&b);
        buf_free(&b);
    }
    free(it->fields);
    it->fields = done;
    p->done[g->item] = 1;
}

/* Every item that names a page and was not completed: the list's fields
 * with what was stored before (see follow.h). */
static void carry_stored(follow_t *p)
{
    buf_t b = {0};
    for (size_t i = 0; i < p->n; i++) {
        if (!p->named[i] || p->done[i])
            continue;
        const char *objs[3] = {p->items[i].fields, p->stored[i], NULL};
        buf_reset(&b);
        if (walk3(&b, objs, pick_carried) == 0) {
            free(p->items[i].fields);
            p->items[i].fields = strdup(buf_str(&b));
        }
    }
    buf_free(&b);
}

int follow_round(follow_t *const *plans, size_t n, extract_t *x, const fetch_opts_t *fo,
                 errlist_t *warns, err_t *e)
{
    size_t total = 0, k = 0;
    for (size_t i = 0; i < n; i++)
        total += plans[i]->n_pages;
    fetch_req_t *reqs = calloc(total + 1, sizeof *reqs);
    for (size_t i = 0; reqs && i < n; i++)
        for (size_t j = 0; j < plans[i]->n_pages; j++)
            reqs[k++] = (fetch_req_t){.url = plans[i]->pages[j].url,
                                      .http = &plans[i]->src->http,
                                      .page_of = plans[i]->src->url,
                                      .timeout = (long)plans[i]->src->timeout,
                                      .max_bytes = plans[i]->src->max_bytes,
                                      .ud = &plans[i]->pages[j]};
    round_t r = {x, warns};
    int rc = reqs ? fetch_all(reqs, k, fo, on_page, &r, e) : err_set(e, "out of memory");
    free(reqs);
    for (size_t i = 0; i < n; i++)
        carry_stored(plans[i]);
    return rc;
}

int follow_settle(const follow_t *p, store_t *st, const char *now, err_t *e)
{
    for (size_t i = 0; p && i < p->n_pages; i++) {
        const page_t *g = &p->pages[i];
        if (g->settle && store_item_put(st, p->src->id, p->items[g->item].key, g->settle, now, e) != 0)
            return -1;
    }
    return 0;
}

int follow_finish(const follow_t *p, store_t *st, err_t *e)
{
    size_t completed = 0;
    for (size_t i = 0; p && i < p->n; i++)
        completed += p->done[i];
    if (!p || completed == p->wanted)
        return 0;
    return store_source_refetch(st, p->src->id, e);
}

void follow_free(follow_t *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->stored && i < p->n; i++)
        free(p->stored[i]);
    for (size_t i = 0; i < p->n_pages; i++) {
        free(p->pages[i].url);
        free(p->pages[i].settle);
    }
    free(p->stored);
    free(p->named);
    free(p->done);
    free(p->pages);
    free(p);
}

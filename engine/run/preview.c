/* preview.c — a source's items without a run (see preview.h). */
#include "run/preview.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract/extract.h"
#include "fetch/charset.h"
#include "fetch/fetch.h"
#include "util/buf.h"

/* What the fetcher's callback keeps of the one response. */
typedef struct got {
    buf_t body, headers;
    long status;
    char url[2048];
    char error[512];
} got_t;

static void on_fetched(void *ud, const fetch_req_t *req, fetch_res_t *res)
{
    got_t *g = ud;
    g->status = res->status;
    snprintf(g->url, sizeof g->url, "%s", res->effective_url ? res->effective_url : req->url);
    snprintf(g->error, sizeof g->error, "%s", res->error);
    g->body = res->body; /* taken: res is freed after the callback */
    g->headers = res->headers;
    res->body = (buf_t){0};
    res->headers = (buf_t){0};
}

/* The page: fetched without validators, or read from file. */
static int get_page(const config_t *cfg, const source_cfg_t *s, const char *file, got_t *g,
                    err_t *e)
{
    if (file) {
        snprintf(g->url, sizeof g->url, "%s", s->url); /* links resolve as on the source */
        if (buf_read_file(&g->body, file) != 0)
            return err_set(e, "%s: %s", file, strerror(errno));
        return 0;
    }
    fetch_req_t req = {.url = s->url, .http = &s->http, .timeout = (long)s->timeout, .max_bytes = s->max_bytes};
    if (fetch_all(&req, 1, &cfg->fetch, on_fetched, g, e) != 0)
        return -1;
    return g->error[0] ? err_set(e, "source %s: %s", s->id, g->error) : 0;
}

/* The body as UTF-8 in text, its charset's label in label, as a run
 * decodes it (run.c). */
static int decode(const source_cfg_t *s, const got_t *g, buf_t *text, char *label, size_t n,
                  preview_t *p, err_t *e)
{
    char ctype[256];
    const char *body = g->body.p ? g->body.p : "";
    charset_detect(body, g->body.len, charset_header(buf_str(&g->headers), ctype, sizeof ctype),
                   label, n, NULL);
    charset_report_t rep;
    if (charset_to_utf8(body, g->body.len, label, text, &rep, e) != 0)
        return -1;
    if (rep.warning[0])
        errlist_add(&p->warnings, "source %s: %s", s->id, rep.warning);
    if (rep.replaced)
        errlist_add(&p->warnings, "source %s: invalid %s bytes on line %d (%zu replaced with "
                    "U+FFFD)", s->id, label, rep.first_line, rep.replaced);
    return 0;
}

static int run_script(const config_t *cfg, const source_cfg_t *s, const got_t *g, preview_t *p,
                      err_t *e)
{
    buf_t text = {0};
    char label[64];
    if (decode(s, g, &text, label, sizeof label, p, e) != 0) {
        buf_free(&text);
        return -1;
    }
    extract_t *x = extract_new(cfg, e);
    int rc = x ? 0 : -1;
    err_t se;
    if (rc == 0 && extract_prepare(x, s->script, &se) != 0)
        rc = err_set(e, "source %s: %s", s->id, se.msg);
    extract_doc_t doc = {s->id, g->url, g->status, text.p, text.len, buf_str(&g->headers),
                         s->options_json, label, s->max_item_bytes};
    if (rc == 0 && extract_items(x, s->script, &doc, &p->items, &p->n, &p->warnings, &se) != 0)
        rc = err_set(e, "source %s: %s", s->id, se.msg);
    extract_free(x);
    buf_free(&text);
    return rc;
}

int preview_source(const config_t *cfg, const source_cfg_t *s, const char *file, preview_t *p,
                   err_t *e)
{
    got_t g = {0};
    memset(p, 0, sizeof *p);
    int rc = get_page(cfg, s, file, &g, e);
    p->status = g.status;
    snprintf(p->url, sizeof p->url, "%s", file ? file : g.url);
    if (rc == 0)
        rc = run_script(cfg, s, &g, p, e);
    buf_free(&g.body);
    buf_free(&g.headers);
    return rc;
}

void preview_free(preview_t *p)
{
    extract_items_free(p->items, p->n);
    errlist_free(&p->warnings);
    memset(p, 0, sizeof *p);
}

/* reextract.c — documents kept by runs, and `vane reextract` over them
 * (reextract.h). */
#include "run/reextract.h"

#include <stdlib.h>
#include <string.h>

#include "diff/diff.h"
#include "extract/extract.h"
#include "fetch/charset.h"
#include "run/lock.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/exitcode.h"
#include "util/redact.h"

int reextract_keep(store_t *st, const config_t *cfg, const source_cfg_t *s, long long run_id,
                   const char *now, const fetch_res_t *res, err_t *e)
{
    long long keep = config_keep_documents(cfg, s);
    vtime_t t;
    if (clock_parse_iso(now, &t) != 0)
        return 0;
    if (keep <= 0) /* none kept now: bodies kept before go too */
        return store_documents_expire(st, s->id, "9999", e);
    if (!res->body.p && res->body.len > 0)
        return 0; /* a source with detail pages: its body was let go before they were read */
    char *url = res->effective_url ? redact_url_dup(res->effective_url) : NULL;
    store_body_t b = {res->body.p, res->body.len, buf_str(&res->headers),
                      url ? url : s->url_shown};
    int rc = store_document_keep(st, s->id, run_id, &b, e);
    free(url);
    char before[32];
    clock_format_iso(t - (vtime_t)keep, before);
    return rc == 0 ? store_documents_expire(st, s->id, before, e) : -1;
}

typedef struct rebuild {
    const source_cfg_t *src;
    store_t *st;
    extract_t *x;
    long long run_id;
    long documents, events, items, failed;
    errlist_t warns;
    FILE *err;
} rebuild_t;

/* The body as the script's doc.body: UTF-8, from the charset the headers
 * or the body name (as a run decodes it). */
static int decode(const store_document_t *d, buf_t *text, char *charset, size_t n, err_t *e)
{
    char ctype[256];
    charset_detect(d->body.body, d->body.len, charset_header(d->body.headers ? d->body.headers : "",
                                                             ctype, sizeof ctype),
                   charset, n, NULL);
    charset_report_t rep;
    return charset_to_utf8(d->body.body, d->body.len, charset, text, &rep, e);
}

/* One kept document through the extract and diff steps. A document the
 * script fails on is reported and skipped: the next one is diffed against
 * the last that worked, as a run would. */
static int rebuild_one(void *ud, const store_document_t *d, err_t *e)
{
    rebuild_t *b = ud;
    buf_t text = {0};
    char charset[64];
    err_t xe;
    diff_item_t *items = NULL;
    size_t n = 0;
    int rc = decode(d, &text, charset, sizeof charset, &xe);
    if (rc == 0) {
        extract_doc_t doc = {b->src->id, d->body.url ? d->body.url : b->src->url_shown, d->status,
                             text.p ? text.p : "", text.len, d->body.headers ? d->body.headers : "",
                             b->src->options_json, charset, b->src->max_item_bytes};
        rc = extract_items(b->x, b->src->script, &doc, &items, &n, &b->warns, &xe);
    }
    buf_free(&text);
    b->documents++;
    if (rc != 0) {
        fprintf(b->err, "vane: source %s: document fetched %s: %s\n", b->src->id, d->fetched_at,
                xe.msg);
        b->failed++;
        return 0;
    }
    diff_target_t t = {b->st, b->src->id, b->run_id, b->documents - b->failed == 1, d->fetched_at,
                       {(const char *const *)b->src->ignore, b->src->n_ignore, b->src->removals},
                       0};
    diff_result_t dr = {0};
    rc = n > 0 ? diff_store(&t, items, n, &dr, e) : 0;
    extract_items_free(items, n);
    b->events += dr.events;
    b->items = (long)n;
    return rc < 0 ? -1 : 0;
}

static int rebuild(rebuild_t *b, const reextract_opts_t *o, long *superseded, err_t *e)
{
    char started[32];
    clock_format_iso(clock_now(), started);
    if (store_begin(b->st, e) != 0)
        return -1;
    int rc = store_run_begin(b->st, started, &b->run_id, e);
    if (rc == 0)
        rc = store_reextract_begin(b->st, b->src->id, o->since, b->run_id, superseded, e);
    if (rc == 0)
        rc = store_documents_each(b->st, b->src->id, o->since, rebuild_one, b, e);
    if (rc == 0)
        rc = store_reextract_finish(b->st, b->src->id, b->run_id, o->flags, e);
    char finished[32];
    clock_format_iso(clock_now(), finished);
    store_run_t rec = {b->run_id, started, finished, b->failed ? 1 : 0, 1, b->documents, 0,
                       b->failed, b->events, 0, "[]", "[]"};
    if (rc == 0)
        rc = store_run_finish(b->st, &rec, e);
    if (rc == 0)
        rc = store_commit(b->st, e);
    if (rc != 0)
        store_rollback(b->st);
    return rc;
}

static void report(const rebuild_t *b, const reextract_opts_t *o, long superseded)
{
    if (o->json) {
        fprintf(o->out,
                "{\"source\":\"%s\",\"run_id\":%lld,\"documents\":%ld,\"failed\":%ld,"
                "\"items\":%ld,\"events\":%ld,\"superseded\":%ld,\"flags\":%s}\n",
                b->src->id, b->run_id, b->documents, b->failed, b->items, b->events, superseded,
                o->flags ? "true" : "false");
        return;
    }
    fprintf(o->out,
            "%s: %ld document%s read again (%ld failed): %ld items, %ld events rebuilt as run %lld; "
            "%ld earlier events marked superseded%s\n",
            b->src->id, b->documents, b->documents == 1 ? "" : "s", b->failed, b->items, b->events,
            b->run_id, superseded,
            o->flags ? "; the next run's rules will see the rebuilt events" : "");
    if (b->documents == 0)
        fprintf(o->out, "%s: no kept documents%s (see keep_documents)\n", b->src->id,
                o->since ? " since then" : "");
}

int reextract_main(const config_t *cfg, const char *db_path, const reextract_opts_t *o)
{
    err_t e;
    int fd = -1;
    int held = lock_acquire(db_path, o->wait, &fd, &e);
    if (held == LOCK_HELD) {
        fprintf(o->err, "vane: a run holds the lock on %s; try again later or use --wait\n", db_path);
        return VANE_EXIT_LOCKED;
    }
    if (held != 0) {
        fprintf(o->err, "vane: %s\n", e.msg);
        return VANE_EXIT_FAILED;
    }
    rebuild_t b = {.src = config_source(cfg, o->source), .err = o->err};
    long superseded = 0;
    b.st = store_open(db_path, &e);
    b.x = b.st ? extract_new(cfg, &e) : NULL;
    int rc = b.x && extract_prepare(b.x, b.src->script, &e) == 0 ? 0 : -1;
    if (rc == 0 && extract_has_detail(b.x, b.src->script))
        rc = err_set(&e, "source %s: its script reads detail pages, which are not kept; "
                         "vane reextract would lose their fields", b.src->id);
    if (rc == 0)
        rc = rebuild(&b, o, &superseded, &e);
    if (rc != 0)
        fprintf(o->err, "vane: %s\n", e.msg);
    else
        report(&b, o, superseded);
    for (size_t i = 0; i < b.warns.len; i++)
        fprintf(o->err, "vane: warning: %s\n", b.warns.msgs[i]);
    errlist_free(&b.warns);
    extract_free(b.x);
    store_close(b.st);
    lock_release(fd);
    return rc != 0 ? VANE_EXIT_FAILED : b.failed ? VANE_EXIT_FAILED : VANE_EXIT_OK;
}

/* sql_documents.c — the SQLite store's kept documents: fetched bodies
 * compressed with zstd beside their metadata row, their expiry, reading
 * them back in order for `vane reextract`, and `vane prune`.
 *
 * Statements here run once per source and run (or once per command), so
 * they are prepared where they are used rather than cached. */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define ZSTD_LEVEL 6              /* most of level 19's gain on HTML, at a fraction of its time */
#define MAX_BODY (256LL << 20)    /* a frame claiming more is refused, not allocated */

static db_stmt_t *prepare(store_t *st, const char *sql, err_t *e)
{
    db_stmt_t *s = NULL;
    if (db_prepare(st, sql, &s) != 0) {
        db_error(st, e, "preparing a statement");
        return NULL;
    }
    return s;
}

/* Step s (no rows expected), finalize it; *changes gets the rows changed. */
static int finish(store_t *st, db_stmt_t *s, long *changes, err_t *e, const char *what)
{
    int rc = db_step(s);
    db_finalize(s);
    if (rc != DB_DONE)
        return db_error(st, e, what);
    if (changes)
        *changes = (long)db_changes(st);
    return 0;
}

static const char sql_keep[] =
    "UPDATE documents SET body = ?3, headers = ?4, url = ?5 "
    "WHERE id = (SELECT max(id) FROM documents WHERE source = ?1 AND run_id IS NOT DISTINCT FROM ?2)";

int store_document_keep(store_t *st, const char *source, long long run_id, const store_body_t *b,
                        err_t *e)
{
    size_t cap = ZSTD_compressBound(b->len);
    void *z = malloc(cap ? cap : 1);
    if (!z)
        return err_set(e, "out of memory keeping a document of %zu bytes", b->len);
    size_t zlen = ZSTD_compress(z, cap, b->body ? b->body : "", b->len, ZSTD_LEVEL);
    if (ZSTD_isError(zlen)) {
        free(z);
        return err_set(e, "compressing a document: %s", ZSTD_getErrorName(zlen));
    }
    db_stmt_t *s = prepare(st, sql_keep, e);
    if (!s) {
        free(z);
        return -1;
    }
    db_bind_text(s, 1, source);
    if (run_id)
        db_bind_int64(s, 2, run_id);
    db_bind_blob(s, 3, z, zlen);
    free(z);
    db_bind_text(s, 4, b->headers);
    db_bind_text(s, 5, b->url);
    return finish(st, s, NULL, e, "keeping a document");
}

static const char sql_expire[] =
    "UPDATE documents SET body = NULL, headers = NULL "
    "WHERE source = ?1 AND fetched_at < ?2 AND body IS NOT NULL";

int store_documents_expire(store_t *st, const char *source, const char *before, err_t *e)
{
    db_stmt_t *s = prepare(st, sql_expire, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, source);
    db_bind_text(s, 2, before);
    return finish(st, s, NULL, e, "forgetting old documents");
}

/* The body of a kept document, decompressed into out (malloc'ed). */
static int inflate_body(const void *z, size_t zlen, char **out, size_t *len, err_t *e)
{
    unsigned long long n = ZSTD_getFrameContentSize(z, zlen);
    if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN || n > (unsigned long long)MAX_BODY)
        return err_set(e, "a kept document is not a zstd frame vane wrote");
    *out = malloc((size_t)n + 1);
    if (!*out)
        return err_set(e, "out of memory reading a kept document");
    size_t got = ZSTD_decompress(*out, (size_t)n, z, zlen);
    if (ZSTD_isError(got) || got != n) {
        free(*out);
        *out = NULL;
        return err_set(e, "a kept document does not decompress: %s",
                       ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short");
    }
    (*out)[n] = '\0';
    *len = (size_t)n;
    return 0;
}

static const char sql_each[] =
    "SELECT id, fetched_at, status, body, headers, url FROM documents "
    "WHERE source = ?1 AND body IS NOT NULL AND (?2 IS NULL OR fetched_at >= ?2) ORDER BY id";

static const char *column_text(db_stmt_t *s, int i)
{
    return db_column_text(s, i);
}

/* One row of sql_each to fn; 1 stops (fn's non-zero), -1 an error in e. */
static int each_row(db_stmt_t *s, store_document_fn fn, void *ud, err_t *e)
{
    store_document_t d = {db_column_int64(s, 0), column_text(s, 1),
                          (long)db_column_int64(s, 2), {NULL, 0, column_text(s, 4),
                                                             column_text(s, 5)}};
    char *body = NULL;
    if (inflate_body(db_column_blob(s, 3), (size_t)db_column_bytes(s, 3), &body,
                     &d.body.len, e) != 0)
        return -1;
    d.body.body = body;
    int rc = fn(ud, &d, e);
    free(body);
    return rc < 0 ? -1 : rc > 0;
}

int store_documents_each(store_t *st, const char *source, const char *since, store_document_fn fn,
                         void *ud, err_t *e)
{
    db_stmt_t *s = prepare(st, sql_each, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, source);
    db_bind_text(s, 2, since);
    int rc, out = 0;
    while (out == 0 && (rc = db_step(s)) == DB_ROW)
        out = each_row(s, fn, ud, e);
    if (out == 0 && rc != DB_DONE)
        out = db_error(st, e, "reading kept documents");
    db_finalize(s);
    return out < 0 ? -1 : 0;
}

/* ---- vane prune ------------------------------------------------------------ */

/* What is older than the cut and nothing needs: events not waiting for the
 * rules (at or under the evaluation watermark, or marked evaluated by
 * `vane reextract`) and not pointed to by a flag (an item's current state
 * lives in items, so its history may go), never the newest event (so a new
 * event's id cannot fall under the watermark); documents; outbox rows
 * already sent. Each as the rows it removes, the bytes of their contents
 * first. */
#define OLD_EVENTS "FROM events WHERE observed_at < ?1 " \
    "AND (id <= (SELECT through FROM evaluation WHERE id = 1) OR evaluated = 1) " \
    "AND id < (SELECT max(id) FROM events) " \
    "AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.event_id = events.id)"
#define OLD_DOCUMENTS "FROM documents WHERE fetched_at < ?1"
#define OLD_OUTBOX "FROM outbox WHERE status = 'sent' AND sent_at < ?1"

static const struct {
    const char *bytes, *remove;
} prune_sql[] = {
    {"SELECT COALESCE(sum(length(key) + COALESCE(length(item), 0) + COALESCE(length(prev), 0) "
     "+ COALESCE(length(diff), 0)), 0) " OLD_EVENTS, "DELETE " OLD_EVENTS},
    {"SELECT COALESCE(sum(COALESCE(length(body), 0) + COALESCE(length(headers), 0)), 0) "
     OLD_DOCUMENTS, "DELETE " OLD_DOCUMENTS},
    {"SELECT COALESCE(sum(length(channel) + COALESCE(length(last_error), 0)), 0) " OLD_OUTBOX,
     "DELETE " OLD_OUTBOX},
};

static int prune_one(store_t *st, size_t i, const char *before, long *rows, long long *bytes,
                     err_t *e)
{
    db_stmt_t *s = prepare(st, prune_sql[i].bytes, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, before);
    int rc = db_step(s);
    *bytes += rc == DB_ROW ? db_column_int64(s, 0) : 0;
    db_finalize(s);
    if (rc != DB_ROW)
        return db_error(st, e, "measuring what to prune");
    if (!(s = prepare(st, prune_sql[i].remove, e)))
        return -1;
    db_bind_text(s, 1, before);
    return finish(st, s, rows, e, "pruning");
}

int store_prune(store_t *st, const char *before, store_pruned_t *out, err_t *e)
{
    memset(out, 0, sizeof *out);
    long *rows[] = {&out->events, &out->documents, &out->outbox};
    for (size_t i = 0; i < sizeof prune_sql / sizeof *prune_sql; i++)
        if (prune_one(st, i, before, rows[i], &out->bytes, e) != 0)
            return -1;
    return 0;
}

/* ---- vane reextract ---------------------------------------------------------- */

static int run_on_source(store_t *st, const char *sql, const char *source, const char *since,
                         long long run_id, long *changes, err_t *e)
{
    db_stmt_t *s = prepare(st, sql, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, source);
    db_bind_text(s, 2, since);
    db_bind_int64(s, 3, run_id);
    return finish(st, s, changes, e, "re-extracting");
}

int store_reextract_begin(store_t *st, const char *source, const char *since, long long run_id,
                          long *superseded, err_t *e)
{
    if (run_on_source(st, "DELETE FROM items WHERE source = ?1 AND ?2 IS NOT DISTINCT FROM ?2 AND ?3 = ?3", source,
                      since, run_id, NULL, e) != 0)
        return -1;
    return run_on_source(st,
                         "UPDATE events SET superseded_by = ?3 WHERE source = ?1 "
                         "AND superseded_by IS NULL AND (?2 IS NULL OR observed_at >= ?2)",
                         source, since, run_id, superseded, e);
}

int store_reextract_finish(store_t *st, const char *source, long long run_id, int for_rules,
                           err_t *e)
{
    return run_on_source(st,
                         for_rules ? "UPDATE events SET rederived = 1 WHERE source = ?1 "
                                     "AND ?2 IS NOT DISTINCT FROM ?2 AND run_id = ?3"
                                   : "UPDATE events SET rederived = 1, evaluated = 1 "
                                     "WHERE source = ?1 AND ?2 IS NOT DISTINCT FROM ?2 AND run_id = ?3",
                         source, NULL, run_id, NULL, e);
}

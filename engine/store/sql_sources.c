/* sql_sources.c — the SQLite store's sources (state and health),
 * documents and items (their current state). */
#include "store/db.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char sql_source_upsert[] =
    "INSERT INTO sources(id, url) VALUES(?1, ?2) "
    "ON CONFLICT(id) DO UPDATE SET url = excluded.url, etag = NULL, last_modified = NULL, "
    "body_hash = NULL WHERE sources.url IS DISTINCT FROM excluded.url";

static const char sql_source_get[] =
    "SELECT baselined, etag, last_modified, body_hash, last_attempt, last_success, "
    "next_due, failures, coalesce(items, -1), failing_flagged, empty_flagged, reshaped_flagged, "
    "definition "
    "FROM sources WHERE id = ?1";

/* The columns of sql_source_get, in order. */
static const db_column_t source_columns[] = {
    DB_INT(source_state_t, baselined), DB_TEXT(source_state_t, etag),
    DB_TEXT(source_state_t, last_modified), DB_TEXT(source_state_t, body_hash),
    DB_TEXT(source_state_t, last_attempt), DB_TEXT(source_state_t, last_success),
    DB_TEXT(source_state_t, next_due), DB_INT(source_state_t, failures),
    DB_LONG(source_state_t, items), DB_INT(source_state_t, failing_flagged),
    DB_INT(source_state_t, empty_flagged), DB_INT(source_state_t, reshaped_flagged),
    DB_TEXT(source_state_t, definition),
};

static int source_row(db_stmt_t *s, void *ud)
{
    db_read_columns(s, ud, source_columns, DB_COUNT(source_columns));
    return 1;
}

int store_source_get(store_t *st, const char *id, const char *url, source_state_t *out, err_t *e)
{
    memset(out, 0, sizeof *out);
    if (db_run(st, Q_SOURCE_UPSERT, sql_source_upsert, e, "recording a source", "tt", id,
               url) != 0)
        return -1;
    db_stmt_t *s = db_query(st, Q_SOURCE_GET, sql_source_get, e, "t", id);
    int rc = s ? db_first_row(st, s, source_row, out, e, "reading a source") : -1;
    if (rc == 0) /* no row, though the upsert above made one */
        rc = db_error(st, e, "reading a source");
    return rc < 0 ? -1 : 0;
}

/* The columns of sql_source_get, then the id and the url. */
static const char sql_sources_all[] =
    "SELECT baselined, etag, last_modified, body_hash, last_attempt, last_success, "
    "next_due, failures, coalesce(items, -1), failing_flagged, empty_flagged, reshaped_flagged, "
    "definition, id, url FROM sources";

/* A wanted source's id and its index in the caller's arrays. */
typedef struct wanted_id {
    const char *id;
    size_t i;
} wanted_id_t;

/* What store_sources_read matches the rows against. */
typedef struct wanted {
    const char *const *ids;
    size_t next;         /* the configured source the next row likely is */
    wanted_id_t *sorted; /* sorted on the first row that is not */
    int is_sorted;
    size_t n;
    const char *const *urls;
    store_source_want_fn want;
    void *ud;
    source_state_t *out;
    unsigned char *known;
} wanted_t;

#define NEXT_DUE_COLUMN 6 /* in source_columns */

static int by_id(const void *a, const void *b)
{
    return strcmp(((const wanted_id_t *)a)->id, ((const wanted_id_t *)b)->id);
}

/* The index of the configured source id, or n. Rows come in the order
 * they were inserted, which is mostly the configuration's: the source
 * after the last one found is tried first, and the ids are sorted for a
 * binary search only when that fails. */
static size_t find_id(wanted_t *w, const char *id)
{
    if (w->next < w->n && strcmp(w->ids[w->next], id) == 0)
        return w->next++;
    if (!w->is_sorted) {
        for (size_t i = 0; i < w->n; i++)
            w->sorted[i] = (wanted_id_t){w->ids[i], i};
        qsort(w->sorted, w->n, sizeof *w->sorted, by_id);
        w->is_sorted = 1;
    }
    wanted_id_t key = {id, 0};
    const wanted_id_t *hit = bsearch(&key, w->sorted, w->n, sizeof key, by_id);
    if (!hit)
        return w->n;
    w->next = hit->i + 1;
    return hit->i;
}

static int wanted_row(db_stmt_t *s, void *ud)
{
    wanted_t *w = ud;
    const char *id = (const char *)db_column_text(s, DB_COUNT(source_columns));
    const char *url = (const char *)db_column_text(s, DB_COUNT(source_columns) + 1);
    size_t i = id ? find_id(w, id) : w->n;
    if (i == w->n || !url || strcmp(url, w->urls[i]) != 0)
        return 0; /* not configured, or its url changed: store_source_get's */
    w->known[i] = 1;
    const char *next_due = (const char *)db_column_text(s, NEXT_DUE_COLUMN);
    if (!w->want || w->want(w->ud, i, next_due))
        db_read_columns(s, &w->out[i], source_columns, DB_COUNT(source_columns));
    return 0;
}

int store_sources_read(store_t *st, const char *const *ids, const char *const *urls, size_t n,
                       store_source_want_fn want, void *ud, source_state_t *out,
                       unsigned char *known, err_t *e)
{
    wanted_t w = {ids, 0, calloc(n + 1, sizeof(wanted_id_t)), 0, n, urls, want, ud, out, known};
    if (!w.sorted)
        return err_set(e, "out of memory");
    memset(out, 0, n * sizeof *out);
    memset(known, 0, n);
    db_stmt_t *s = db_stmt(st, Q_SOURCES_ALL, sql_sources_all, e);
    int rc = s ? db_each_row(st, s, wanted_row, &w, e, "reading the sources") : -1;
    free(w.sorted);
    return rc;
}

static const char sql_source_record[] =
    "UPDATE sources SET last_attempt = ?2, last_status = ?3, last_error = ?4, "
    "failures = CASE WHEN ?5 <> 0 THEN 0 ELSE failures + 1 END, "
    "last_success = CASE WHEN ?5 <> 0 THEN ?2 ELSE last_success END, "
    "etag = CASE WHEN ?5 <> 0 AND ?6 IS NOT NULL THEN ?6 ELSE etag END, "
    "last_modified = CASE WHEN ?5 <> 0 AND ?7 IS NOT NULL THEN ?7 ELSE last_modified END, "
    "body_hash = CASE WHEN ?5 <> 0 AND ?8 IS NOT NULL THEN ?8 ELSE body_hash END, "
    "items = CASE WHEN ?9 >= 0 THEN ?9 ELSE items END, "
    "baselined = MAX(baselined, ?10), next_due = ?11, "
    "failing_flagged = CASE WHEN ?5 <> 0 THEN 0 ELSE failing_flagged END, "
    "empty_flagged = CASE WHEN ?9 > 0 THEN 0 ELSE empty_flagged END, "
    "definition = coalesce(?12, definition) WHERE id = ?1";

int store_source_record(store_t *st, const char *id, const source_outcome_t *o, err_t *e)
{
    return db_run(st, Q_SOURCE_RECORD, sql_source_record, e, "recording a source's health",
                  "ttdtitttlitt", id, o->attempted_at, (long long)o->status, o->error, o->ok,
                  o->etag, o->last_modified, o->body_hash, o->items, o->baselined, o->next_due,
                  o->definition);
}

/* The health markers store_source_mark sets, each with its statement. */
static const struct {
    const char *name;
    int which;
    const char *sql;
} markers[] = {
    {"failing_flagged", Q_SOURCE_FAILING, "UPDATE sources SET failing_flagged = ?2 WHERE id = ?1"},
    {"empty_flagged", Q_SOURCE_EMPTY, "UPDATE sources SET empty_flagged = ?2 WHERE id = ?1"},
    {"reshaped_flagged", Q_SOURCE_RESHAPED,
     "UPDATE sources SET reshaped_flagged = ?2 WHERE id = ?1"},
};

int store_source_mark(store_t *st, const char *id, const char *which, int value, err_t *e)
{
    for (size_t i = 0; i < DB_COUNT(markers); i++)
        if (strcmp(which, markers[i].name) == 0)
            return db_run(st, markers[i].which, markers[i].sql, e, "marking a source's health",
                          "ti", id, value);
    return err_set(e, "no health marker '%s'", which);
}

static const char sql_source_refetch[] =
    "UPDATE sources SET etag = NULL, last_modified = NULL, body_hash = NULL WHERE id = ?1";

int store_source_refetch(store_t *st, const char *id, err_t *e)
{
    return db_run(st, Q_SOURCE_REFETCH, sql_source_refetch, e, "marking a source to be read again",
                  "t", id);
}

static const char sql_document_add[] =
    "INSERT INTO documents(run_id, source, fetched_at, status, hash, etag, last_modified, bytes) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

int store_document_add(store_t *st, long long run_id, const char *source, const char *fetched_at,
                       long status, const char *hash, const char *etag,
                       const char *last_modified, long long bytes, err_t *e)
{
    return db_run(st, Q_DOCUMENT_ADD, sql_document_add, e, "recording a document", "dttltttI",
                  run_id, source, fetched_at, status, hash, etag, last_modified, bytes);
}

static const char sql_items_load[] =
    "SELECT key, fields, removed_at IS NOT NULL, absent_since IS NOT NULL FROM items "
    "WHERE source = ?1 ORDER BY key";

static const db_column_t item_columns[] = {
    DB_TEXT(store_item_t, key), DB_TEXT(store_item_t, fields), DB_INT(store_item_t, removed),
    DB_INT(store_item_t, absent),
};

static int read_item(db_stmt_t *s, void *row)
{
    db_read_columns(s, row, item_columns, DB_COUNT(item_columns));
    return 0;
}

static void free_items(void *rows, size_t n)
{
    store_items_free(rows, n);
}

static const db_rows_t item_rows = {sizeof(store_item_t), 64, read_item, free_items,
                                    "loading items"};

int store_items_load(store_t *st, const char *source, store_item_t **items, size_t *n, err_t *e)
{
    db_stmt_t *s = db_query(st, Q_ITEMS_LOAD, sql_items_load, e, "t", source);
    void *rows;
    if (!s || db_read_rows(st, s, &item_rows, SIZE_MAX, &rows, n, e) != 0)
        return -1;
    *items = rows;
    return 0;
}

static const char sql_item_put[] =
    "INSERT INTO items(source, key, fields, first_seen, last_seen) VALUES(?1, ?2, ?3, ?4, ?4) "
    "ON CONFLICT(source, key) DO UPDATE SET fields = excluded.fields, "
    "last_seen = excluded.last_seen, removed_at = NULL, absent_since = NULL";

int store_item_put(store_t *st, const char *source, const char *key, const char *fields,
                   const char *now, err_t *e)
{
    return db_run(st, Q_ITEM_PUT, sql_item_put, e, "storing an item", "tttt", source, key, fields,
                  now);
}

static const char sql_item_removed[] =
    "UPDATE items SET removed_at = ?3 WHERE source = ?1 AND key = ?2";

int store_item_mark_removed(store_t *st, const char *source, const char *key, const char *now,
                            err_t *e)
{
    return db_run(st, Q_ITEM_REMOVED, sql_item_removed, e, "marking an item removed", "ttt",
                  source, key, now);
}

static const char sql_item_absent[] =
    "UPDATE items SET absent_since = ?3 WHERE source = ?1 AND key = ?2";

int store_item_mark_absent(store_t *st, const char *source, const char *key, const char *now,
                           err_t *e)
{
    return db_run(st, Q_ITEM_ABSENT, sql_item_absent, e, "marking an item absent", "ttt", source,
                  key, now);
}

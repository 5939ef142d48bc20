/* sqlite_sources.c — the SQLite store's sources (state and health),
 * documents and items (their current state). */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

static const char sql_source_upsert[] =
    "INSERT INTO sources(id, url) VALUES(?1, ?2) "
    "ON CONFLICT(id) DO UPDATE SET url = excluded.url WHERE url IS NOT excluded.url";

static const char sql_source_get[] =
    "SELECT baselined, etag, last_modified, body_hash, last_attempt, last_success, "
    "next_due, failures, coalesce(items, -1), failing_flagged, empty_flagged "
    "FROM sources WHERE id = ?1";

static const char sql_source_record[] =
    "UPDATE sources SET last_attempt = ?2, last_status = ?3, last_error = ?4, "
    "failures = CASE WHEN ?5 THEN 0 ELSE failures + 1 END, "
    "last_success = CASE WHEN ?5 THEN ?2 ELSE last_success END, "
    "etag = CASE WHEN ?5 AND ?6 IS NOT NULL THEN ?6 ELSE etag END, "
    "last_modified = CASE WHEN ?5 AND ?7 IS NOT NULL THEN ?7 ELSE last_modified END, "
    "body_hash = CASE WHEN ?5 AND ?8 IS NOT NULL THEN ?8 ELSE body_hash END, "
    "items = CASE WHEN ?9 >= 0 THEN ?9 ELSE items END, "
    "baselined = MAX(baselined, ?10), next_due = ?11, "
    "failing_flagged = CASE WHEN ?5 THEN 0 ELSE failing_flagged END, "
    "empty_flagged = CASE WHEN ?9 > 0 THEN 0 ELSE empty_flagged END WHERE id = ?1";

static const char sql_source_failing[] =
    "UPDATE sources SET failing_flagged = ?2 WHERE id = ?1";

static const char sql_source_empty[] =
    "UPDATE sources SET empty_flagged = ?2 WHERE id = ?1";

static const char sql_document_add[] =
    "INSERT INTO documents(run_id, source, fetched_at, status, hash, etag, last_modified, bytes) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

static const char sql_items_load[] =
    "SELECT key, fields, removed_at IS NOT NULL FROM items WHERE source = ?1 ORDER BY key";

static const char sql_item_put[] =
    "INSERT INTO items(source, key, fields, first_seen, last_seen) VALUES(?1, ?2, ?3, ?4, ?4) "
    "ON CONFLICT(source, key) DO UPDATE SET fields = excluded.fields, "
    "last_seen = excluded.last_seen, removed_at = NULL";

static const char sql_item_removed[] =
    "UPDATE items SET removed_at = ?3 WHERE source = ?1 AND key = ?2";

int store_source_get(store_t *st, const char *id, const char *url, source_state_t *out, err_t *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = db_stmt(st, Q_SOURCE_UPSERT, sql_source_upsert, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, url);
    if (db_exec(st, s, e, "recording a source") != 0)
        return -1;
    if (!(s = db_stmt(st, Q_SOURCE_GET, sql_source_get, e)))
        return -1;
    db_bind_text(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->baselined = sqlite3_column_int(s, 0);
        out->etag = db_column_dup(s, 1);
        out->last_modified = db_column_dup(s, 2);
        out->body_hash = db_column_dup(s, 3);
        out->last_attempt = db_column_dup(s, 4);
        out->last_success = db_column_dup(s, 5);
        out->next_due = db_column_dup(s, 6);
        out->failures = sqlite3_column_int(s, 7);
        out->items = (long)sqlite3_column_int64(s, 8);
        out->failing_flagged = sqlite3_column_int(s, 9);
        out->empty_flagged = sqlite3_column_int(s, 10);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : db_error(st, e, "reading a source");
}

int store_source_record(store_t *st, const char *id, const source_outcome_t *o, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_SOURCE_RECORD, sql_source_record, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, o->attempted_at);
    if (o->status)
        sqlite3_bind_int64(s, 3, o->status);
    db_bind_text(s, 4, o->error);
    sqlite3_bind_int(s, 5, o->ok);
    db_bind_text(s, 6, o->etag);
    db_bind_text(s, 7, o->last_modified);
    db_bind_text(s, 8, o->body_hash);
    sqlite3_bind_int64(s, 9, o->items);
    sqlite3_bind_int(s, 10, o->baselined);
    db_bind_text(s, 11, o->next_due);
    return db_exec(st, s, e, "recording a source's health");
}

int store_source_mark(store_t *st, const char *id, const char *which, int value, err_t *e)
{
    int failing = strcmp(which, "failing_flagged") == 0;
    sqlite3_stmt *s = failing ? db_stmt(st, Q_SOURCE_FAILING, sql_source_failing, e)
                              : db_stmt(st, Q_SOURCE_EMPTY, sql_source_empty, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, id);
    sqlite3_bind_int(s, 2, value);
    return db_exec(st, s, e, "marking a source's health");
}

int store_document_add(store_t *st, long long run_id, const char *source, const char *fetched_at,
                       long status, const char *hash, const char *etag,
                       const char *last_modified, long long bytes, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_DOCUMENT_ADD, sql_document_add, e);
    if (!s)
        return -1;
    db_bind_id(s, 1, run_id);
    db_bind_text(s, 2, source);
    db_bind_text(s, 3, fetched_at);
    sqlite3_bind_int64(s, 4, status);
    db_bind_text(s, 5, hash);
    db_bind_text(s, 6, etag);
    db_bind_text(s, 7, last_modified);
    sqlite3_bind_int64(s, 8, bytes);
    return db_exec(st, s, e, "recording a document");
}

int store_items_load(store_t *st, const char *source, store_item_t **items, size_t *n, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_ITEMS_LOAD, sql_items_load, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, source);
    size_t len = 0, cap = 0;
    store_item_t *arr = NULL;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 64;
            store_item_t *more = realloc(arr, cap * sizeof *arr);
            if (!more)
                break;
            arr = more;
        }
        arr[len].key = db_column_dup(s, 0);
        arr[len].fields = db_column_dup(s, 1);
        arr[len].removed = sqlite3_column_int(s, 2);
        len++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        store_items_free(arr, len);
        return db_error(st, e, "loading items");
    }
    *items = arr;
    *n = len;
    return 0;
}

int store_item_put(store_t *st, const char *source, const char *key, const char *fields,
                   const char *now, err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_ITEM_PUT, sql_item_put, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, source);
    db_bind_text(s, 2, key);
    db_bind_text(s, 3, fields);
    db_bind_text(s, 4, now);
    return db_exec(st, s, e, "storing an item");
}

int store_item_mark_removed(store_t *st, const char *source, const char *key, const char *now,
                            err_t *e)
{
    sqlite3_stmt *s = db_stmt(st, Q_ITEM_REMOVED, sql_item_removed, e);
    if (!s)
        return -1;
    db_bind_text(s, 1, source);
    db_bind_text(s, 2, key);
    db_bind_text(s, 3, now);
    return db_exec(st, s, e, "marking an item removed");
}

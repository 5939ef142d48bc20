/* store.c — the SQLite store (see store.h).
 *
 * All SQL that changes data lives in the statement table below, prepared
 * once by store_open. The schema itself is data: db/NNN_*.sql, embedded in
 * the binary and applied by migrate(). */
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/embedded.h"

enum {
    S_BEGIN, S_COMMIT, S_ROLLBACK,
    S_SOURCE_UPSERT, S_SOURCE_GET, S_SOURCE_RECORD, S_SOURCE_FAILING, S_SOURCE_EMPTY,
    S_DOCUMENT_ADD,
    S_ITEMS_LOAD, S_ITEM_PUT, S_ITEM_REMOVED,
    S_EVENT_ADD, S_EVENTS_PENDING, S_EVENTS_RANGE, S_EVENT_EVALUATED,
    S_FLAG_ADD, S_OUTBOX_ADD, S_OUTBOX_PENDING, S_OUTBOX_SENT, S_OUTBOX_FAILED, S_OUTBOX_REVIVE,
    S_RUN_BEGIN, S_RUN_FINISH,
    S_COUNT
};

static const char *const statement_sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SOURCE_UPSERT] =
        "INSERT INTO sources(id, url) VALUES(?1, ?2) "
        "ON CONFLICT(id) DO UPDATE SET url = excluded.url WHERE url IS NOT excluded.url",
    [S_SOURCE_GET] =
        "SELECT baselined, etag, last_modified, body_hash, last_attempt, last_success, "
        "next_due, failures, coalesce(items, -1), failing_flagged, empty_flagged "
        "FROM sources WHERE id = ?1",
    [S_SOURCE_RECORD] =
        "UPDATE sources SET last_attempt = ?2, last_status = ?3, last_error = ?4, "
        "failures = CASE WHEN ?5 THEN 0 ELSE failures + 1 END, "
        "last_success = CASE WHEN ?5 THEN ?2 ELSE last_success END, "
        "etag = CASE WHEN ?5 AND ?6 IS NOT NULL THEN ?6 ELSE etag END, "
        "last_modified = CASE WHEN ?5 AND ?7 IS NOT NULL THEN ?7 ELSE last_modified END, "
        "body_hash = CASE WHEN ?5 AND ?8 IS NOT NULL THEN ?8 ELSE body_hash END, "
        "items = CASE WHEN ?9 >= 0 THEN ?9 ELSE items END, "
        "baselined = MAX(baselined, ?10), next_due = ?11, "
        "failing_flagged = CASE WHEN ?5 THEN 0 ELSE failing_flagged END, "
        "empty_flagged = CASE WHEN ?9 > 0 THEN 0 ELSE empty_flagged END WHERE id = ?1",
    [S_SOURCE_FAILING] = "UPDATE sources SET failing_flagged = ?2 WHERE id = ?1",
    [S_SOURCE_EMPTY] = "UPDATE sources SET empty_flagged = ?2 WHERE id = ?1",
    [S_DOCUMENT_ADD] =
        "INSERT INTO documents(run_id, source, fetched_at, status, hash, etag, last_modified, bytes) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_ITEMS_LOAD] =
        "SELECT key, fields, removed_at IS NOT NULL FROM items WHERE source = ?1 ORDER BY key",
    [S_ITEM_PUT] =
        "INSERT INTO items(source, key, fields, first_seen, last_seen) VALUES(?1, ?2, ?3, ?4, ?4) "
        "ON CONFLICT(source, key) DO UPDATE SET fields = excluded.fields, "
        "last_seen = excluded.last_seen, removed_at = NULL",
    [S_ITEM_REMOVED] =
        "UPDATE items SET removed_at = ?3 WHERE source = ?1 AND key = ?2",
    [S_EVENT_ADD] =
        "INSERT INTO events(run_id, source, key, change, baseline, item, prev, diff, observed_at) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_EVENTS_PENDING] =
        "SELECT id, run_id, source, key, change, baseline, item, prev, diff, observed_at "
        "FROM events WHERE evaluated = 0 ORDER BY id LIMIT ?1",
    [S_EVENTS_RANGE] =
        "SELECT id, run_id, source, key, change, baseline, item, prev, diff, observed_at "
        "FROM events WHERE id > ?1 AND (?2 IS NULL OR observed_at >= ?2) "
        "AND (?3 IS NULL OR observed_at < ?3) ORDER BY id LIMIT ?4",
    [S_EVENT_EVALUATED] = "UPDATE events SET evaluated = 1 WHERE id = ?1",
    [S_FLAG_ADD] =
        "INSERT INTO flags(run_id, rule, severity, message, source, key, change, event_id, "
        "observed_at, created_at, dedup) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
        "ON CONFLICT(dedup) DO NOTHING",
    [S_OUTBOX_ADD] =
        "INSERT INTO outbox(flag_id, channel) VALUES(?1, ?2) ON CONFLICT DO NOTHING",
    [S_OUTBOX_PENDING] =
        "SELECT o.id, f.id, json_object('id', f.id, 'rule', f.rule, 'severity', f.severity, "
        "'message', f.message, 'source', f.source, 'key', f.key, 'change', f.change, "
        "'event_id', f.event_id, 'observed_at', f.observed_at, 'created_at', f.created_at, "
        "'run_id', f.run_id), f.severity, f.rule, f.source, f.message, f.key, f.created_at, "
        "o.attempts, o.next_attempt "
        "FROM outbox o JOIN flags f ON f.id = o.flag_id "
        "WHERE o.channel = ?1 AND o.status = 'pending' ORDER BY f.id",
    [S_OUTBOX_SENT] =
        "UPDATE outbox SET status = 'sent', sent_at = ?2, attempts = attempts + 1, last_error = NULL, "
        "next_attempt = NULL WHERE id = ?1",
    [S_OUTBOX_FAILED] =
        "UPDATE outbox SET attempts = ?2, last_error = ?3, next_attempt = ?4, "
        "status = CASE WHEN ?5 THEN 'dead' ELSE 'pending' END WHERE id = ?1",
    [S_OUTBOX_REVIVE] =
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = NULL "
        "WHERE status = 'dead' AND (?1 IS NULL OR channel = ?1)",
    [S_RUN_BEGIN] = "INSERT INTO runs(started_at) VALUES(?1)",
    [S_RUN_FINISH] =
        "UPDATE runs SET finished_at = ?2, status = CASE WHEN ?3 = 0 THEN 'ok' ELSE 'failed' END, "
        "exit_code = ?3, sources = ?4, fetched = ?5, unchanged = ?6, failed = ?7, events = ?8, "
        "flags = ?9, errors = ?10 WHERE id = ?1",
};

struct store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmt[S_COUNT];
};

static int db_error(store_t *st, err_t *e, const char *what)
{
    return err_set(e, "database %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

/* ---- migrations ------------------------------------------------------------ */

static int migration_number(const char *name)
{
    const char *base = name + strlen("db/");
    return atoi(base);
}

static int is_migration(const char *name)
{
    size_t n = strlen(name);
    return strncmp(name, "db/", 3) == 0 && n > 7 && strcmp(name + n - 4, ".sql") == 0 &&
           migration_number(name) > 0;
}

int store_latest_version(void)
{
    int latest = 0;
    for (const embedded_file_t *f = embedded_files; f->name; f++)
        if (is_migration(f->name) && migration_number(f->name) > latest)
            latest = migration_number(f->name);
    return latest;
}

static int user_version(store_t *st)
{
    sqlite3_stmt *s;
    int v = -1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

int store_version(store_t *st)
{
    return user_version(st);
}

static int foreign_keys_ok(store_t *st)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
        return 0;
    int ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_finalize(s);
    return ok;
}

/* Foreign keys are off while a migration runs, so it may rebuild a table
 * that others refer to (SQLite's documented way); the result is checked
 * before the commit. */
static int apply_migration(store_t *st, const embedded_file_t *f, err_t *e)
{
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", migration_number(f->name));
    if (sqlite3_exec(st->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_error(st, e, "starting a migration");
    int rc = sqlite3_exec(st->db, f->data, NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_exec(st->db, pragma, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
    if (rc != 0)
        err_set(e, "database %s: migration %s failed: %s", st->path, f->name, sqlite3_errmsg(st->db));
    else if (!foreign_keys_ok(st))
        rc = err_set(e, "database %s: migration %s broke a foreign key", st->path, f->name);
    if (rc == 0 && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_error(st, e, "committing a migration");
    if (rc != 0)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    return rc;
}

/* Embedded names sort as given to embed.sh, so migrations come in order;
 * we still pick them by number to be safe. */
static int migrate(store_t *st, err_t *e)
{
    int have = user_version(st), latest = store_latest_version();
    if (have < 0)
        return db_error(st, e, "reading the schema version");
    if (have > latest)
        return err_set(e, "database %s has schema version %d, newer than this vane knows (%d); "
                          "use a newer vane", st->path, have, latest);
    for (int v = have + 1; v <= latest; v++) {
        for (const embedded_file_t *f = embedded_files; f->name; f++) {
            if (is_migration(f->name) && migration_number(f->name) == v &&
                apply_migration(st, f, e) != 0)
                return -1;
        }
    }
    return 0;
}

/* ---- open / close ------------------------------------------------------------ */

store_t *store_open(const char *path, err_t *e)
{
    store_t *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        err_set(e, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        db_error(st, e, "cannot open");
        store_close(st);
        return NULL;
    }
    sqlite3_busy_timeout(st->db, 10000);
    if (sqlite3_exec(st->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                             "PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;", NULL, NULL, NULL) != SQLITE_OK) {
        db_error(st, e, "setting it up");
        store_close(st);
        return NULL;
    }
    if (migrate(st, e) != 0) {
        store_close(st);
        return NULL;
    }
    for (int i = 0; i < S_COUNT; i++) {
        if (sqlite3_prepare_v3(st->db, statement_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &st->stmt[i], NULL) != SQLITE_OK) {
            db_error(st, e, "preparing a statement");
            store_close(st);
            return NULL;
        }
    }
    return st;
}

void store_close(store_t *st)
{
    if (!st)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

struct sqlite3 *store_db(store_t *st)
{
    return st->db;
}

/* ---- statement helpers -------------------------------------------------------- */

static sqlite3_stmt *stmt(store_t *st, int which)
{
    sqlite3_stmt *s = st->stmt[which];
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Step a statement that returns no rows. */
static int exec_stmt(store_t *st, sqlite3_stmt *s, err_t *e, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_error(st, e, what);
    return 0;
}

/* Row ids are never 0, so 0 stands for "none" (SQL NULL). */
static void bind_id(sqlite3_stmt *s, int i, long long v)
{
    if (v)
        sqlite3_bind_int64(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

static char *column_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? strdup((const char *)t) : NULL;
}

int store_begin(store_t *st, err_t *e)
{
    return exec_stmt(st, stmt(st, S_BEGIN), e, "beginning a transaction");
}

int store_commit(store_t *st, err_t *e)
{
    return exec_stmt(st, stmt(st, S_COMMIT), e, "committing");
}

void store_rollback(store_t *st)
{
    if (!sqlite3_get_autocommit(st->db))
        exec_stmt(st, stmt(st, S_ROLLBACK), NULL, "rolling back");
}

/* ---- sources -------------------------------------------------------------------- */

int store_source_get(store_t *st, const char *id, const char *url, source_state_t *out, err_t *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = stmt(st, S_SOURCE_UPSERT);
    bind_text(s, 1, id);
    bind_text(s, 2, url);
    if (exec_stmt(st, s, e, "recording a source") != 0)
        return -1;
    s = stmt(st, S_SOURCE_GET);
    bind_text(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->baselined = sqlite3_column_int(s, 0);
        out->etag = column_dup(s, 1);
        out->last_modified = column_dup(s, 2);
        out->body_hash = column_dup(s, 3);
        out->last_attempt = column_dup(s, 4);
        out->last_success = column_dup(s, 5);
        out->next_due = column_dup(s, 6);
        out->failures = sqlite3_column_int(s, 7);
        out->items = (long)sqlite3_column_int64(s, 8);
        out->failing_flagged = sqlite3_column_int(s, 9);
        out->empty_flagged = sqlite3_column_int(s, 10);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : db_error(st, e, "reading a source");
}

void source_state_free(source_state_t *s)
{
    free(s->etag);
    free(s->last_modified);
    free(s->body_hash);
    free(s->last_attempt);
    free(s->last_success);
    free(s->next_due);
    memset(s, 0, sizeof *s);
}

int store_source_record(store_t *st, const char *id, const source_outcome_t *o, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_SOURCE_RECORD);
    bind_text(s, 1, id);
    bind_text(s, 2, o->attempted_at);
    if (o->status)
        sqlite3_bind_int64(s, 3, o->status);
    bind_text(s, 4, o->error);
    sqlite3_bind_int(s, 5, o->ok);
    bind_text(s, 6, o->etag);
    bind_text(s, 7, o->last_modified);
    bind_text(s, 8, o->body_hash);
    sqlite3_bind_int64(s, 9, o->items);
    sqlite3_bind_int(s, 10, o->baselined);
    bind_text(s, 11, o->next_due);
    return exec_stmt(st, s, e, "recording a source's health");
}

int store_source_mark(store_t *st, const char *id, const char *which, int value, err_t *e)
{
    int which_stmt = strcmp(which, "failing_flagged") == 0 ? S_SOURCE_FAILING : S_SOURCE_EMPTY;
    sqlite3_stmt *s = stmt(st, which_stmt);
    bind_text(s, 1, id);
    sqlite3_bind_int(s, 2, value);
    return exec_stmt(st, s, e, "marking a source's health");
}

int store_document_add(store_t *st, long long run_id, const char *source, const char *fetched_at,
                       long status, const char *hash, const char *etag,
                       const char *last_modified, long long bytes, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_DOCUMENT_ADD);
    bind_id(s, 1, run_id);
    bind_text(s, 2, source);
    bind_text(s, 3, fetched_at);
    sqlite3_bind_int64(s, 4, status);
    bind_text(s, 5, hash);
    bind_text(s, 6, etag);
    bind_text(s, 7, last_modified);
    sqlite3_bind_int64(s, 8, bytes);
    return exec_stmt(st, s, e, "recording a document");
}

/* ---- items and events ----------------------------------------------------------- */

int store_items_load(store_t *st, const char *source, store_item_t **items, size_t *n, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_ITEMS_LOAD);
    bind_text(s, 1, source);
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
        arr[len].key = column_dup(s, 0);
        arr[len].fields = column_dup(s, 1);
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

void store_items_free(store_item_t *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].key);
        free(items[i].fields);
    }
    free(items);
}

int store_item_put(store_t *st, const char *source, const char *key, const char *fields,
                   const char *now, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_ITEM_PUT);
    bind_text(s, 1, source);
    bind_text(s, 2, key);
    bind_text(s, 3, fields);
    bind_text(s, 4, now);
    return exec_stmt(st, s, e, "storing an item");
}

int store_item_mark_removed(store_t *st, const char *source, const char *key, const char *now,
                            err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_ITEM_REMOVED);
    bind_text(s, 1, source);
    bind_text(s, 2, key);
    bind_text(s, 3, now);
    return exec_stmt(st, s, e, "marking an item removed");
}

int store_event_add(store_t *st, store_event_t *ev, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_EVENT_ADD);
    bind_id(s, 1, ev->run_id);
    bind_text(s, 2, ev->source);
    bind_text(s, 3, ev->key);
    bind_text(s, 4, ev->change);
    sqlite3_bind_int(s, 5, ev->baseline);
    bind_text(s, 6, ev->item);
    bind_text(s, 7, ev->prev);
    bind_text(s, 8, ev->diff);
    bind_text(s, 9, ev->observed_at);
    if (exec_stmt(st, s, e, "storing an event") != 0)
        return -1;
    ev->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

/* Up to max events from the prepared statement s (bound, reset here). */
static int read_events(store_t *st, sqlite3_stmt *s, size_t max, store_event_t **evs, size_t *n,
                       err_t *e)
{
    store_event_t *arr = calloc(max ? max : 1, sizeof *arr);
    size_t len = 0;
    int rc = SQLITE_NOMEM;
    while (arr && len < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_event_t *ev = &arr[len++];
        ev->id = sqlite3_column_int64(s, 0);
        ev->run_id = sqlite3_column_int64(s, 1);
        ev->source = column_dup(s, 2);
        ev->key = column_dup(s, 3);
        ev->change = column_dup(s, 4);
        ev->baseline = sqlite3_column_int(s, 5);
        ev->item = column_dup(s, 6);
        ev->prev = column_dup(s, 7);
        ev->diff = column_dup(s, 8);
        ev->observed_at = column_dup(s, 9);
    }
    if (len == max && arr)
        rc = SQLITE_DONE;
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        store_events_free(arr, len);
        return db_error(st, e, "reading events");
    }
    *evs = arr;
    *n = len;
    return 0;
}

int store_events_pending(store_t *st, size_t max, store_event_t **evs, size_t *n, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_EVENTS_PENDING);
    sqlite3_bind_int64(s, 1, (sqlite3_int64)max);
    return read_events(st, s, max, evs, n, e);
}

int store_events_range(store_t *st, long long after_id, const char *since, const char *until,
                       size_t max, store_event_t **evs, size_t *n, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_EVENTS_RANGE);
    sqlite3_bind_int64(s, 1, after_id);
    bind_text(s, 2, since);
    bind_text(s, 3, until);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)max);
    return read_events(st, s, max, evs, n, e);
}

void store_events_free(store_event_t *evs, size_t n)
{
    for (size_t i = 0; evs && i < n; i++) {
        free(evs[i].source);
        free(evs[i].key);
        free(evs[i].change);
        free(evs[i].item);
        free(evs[i].prev);
        free(evs[i].diff);
        free(evs[i].observed_at);
    }
    free(evs);
}

int store_event_mark_evaluated(store_t *st, long long event_id, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_EVENT_EVALUATED);
    sqlite3_bind_int64(s, 1, event_id);
    return exec_stmt(st, s, e, "marking an event evaluated");
}

/* ---- flags and the outbox --------------------------------------------------------- */

int store_flag_add(store_t *st, store_flag_t *f, int *inserted, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_FLAG_ADD);
    bind_id(s, 1, f->run_id);
    bind_text(s, 2, f->rule);
    bind_text(s, 3, f->severity);
    bind_text(s, 4, f->message);
    bind_text(s, 5, f->source);
    bind_text(s, 6, f->key);
    bind_text(s, 7, f->change);
    bind_id(s, 8, f->event_id);
    bind_text(s, 9, f->observed_at);
    bind_text(s, 10, f->created_at);
    bind_text(s, 11, f->dedup);
    if (exec_stmt(st, s, e, "recording a flag") != 0)
        return -1;
    *inserted = sqlite3_changes(st->db) > 0;
    if (*inserted)
        f->id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_outbox_add(store_t *st, long long flag_id, const char *channel, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_OUTBOX_ADD);
    sqlite3_bind_int64(s, 1, flag_id);
    bind_text(s, 2, channel);
    return exec_stmt(st, s, e, "queueing an alert");
}

int store_outbox_pending(store_t *st, const char *channel, store_outbox_row_t **rows, size_t *n,
                         err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_OUTBOX_PENDING);
    bind_text(s, 1, channel);
    size_t len = 0, cap = 0;
    store_outbox_row_t *arr = NULL;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            store_outbox_row_t *more = realloc(arr, cap * sizeof *arr);
            if (!more)
                break;
            arr = more;
        }
        store_outbox_row_t *r = &arr[len++];
        r->id = sqlite3_column_int64(s, 0);
        r->flag_id = sqlite3_column_int64(s, 1);
        r->flag_json = column_dup(s, 2);
        r->severity = column_dup(s, 3);
        r->rule = column_dup(s, 4);
        r->source = column_dup(s, 5);
        r->message = column_dup(s, 6);
        r->key = column_dup(s, 7);
        r->created_at = column_dup(s, 8);
        r->attempts = sqlite3_column_int(s, 9);
        r->next_attempt = column_dup(s, 10);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        store_outbox_free(arr, len);
        return db_error(st, e, "reading the outbox");
    }
    *rows = arr;
    *n = len;
    return 0;
}

void store_outbox_free(store_outbox_row_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].flag_json);
        free(rows[i].severity);
        free(rows[i].rule);
        free(rows[i].source);
        free(rows[i].message);
        free(rows[i].key);
        free(rows[i].created_at);
        free(rows[i].next_attempt);
    }
    free(rows);
}

int store_outbox_sent(store_t *st, long long outbox_id, const char *now, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_OUTBOX_SENT);
    sqlite3_bind_int64(s, 1, outbox_id);
    bind_text(s, 2, now);
    return exec_stmt(st, s, e, "marking an alert sent");
}

int store_outbox_failed(store_t *st, long long outbox_id, int attempts, const char *error,
                        const char *next_attempt, int dead, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_OUTBOX_FAILED);
    sqlite3_bind_int64(s, 1, outbox_id);
    sqlite3_bind_int(s, 2, attempts);
    bind_text(s, 3, error);
    bind_text(s, 4, dead ? NULL : next_attempt);
    sqlite3_bind_int(s, 5, dead);
    return exec_stmt(st, s, e, "recording a failed delivery");
}

int store_outbox_revive(store_t *st, const char *channel, long *n, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_OUTBOX_REVIVE);
    bind_text(s, 1, channel);
    if (exec_stmt(st, s, e, "reviving dead alerts") != 0)
        return -1;
    *n = (long)sqlite3_changes(st->db);
    return 0;
}

/* ---- runs ----------------------------------------------------------------------------- */

int store_run_begin(store_t *st, const char *started_at, long long *run_id, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_RUN_BEGIN);
    bind_text(s, 1, started_at);
    if (exec_stmt(st, s, e, "recording the run") != 0)
        return -1;
    *run_id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_run_finish(store_t *st, const store_run_t *r, err_t *e)
{
    sqlite3_stmt *s = stmt(st, S_RUN_FINISH);
    sqlite3_bind_int64(s, 1, r->id);
    bind_text(s, 2, r->finished_at);
    sqlite3_bind_int(s, 3, r->exit_code);
    sqlite3_bind_int64(s, 4, r->sources);
    sqlite3_bind_int64(s, 5, r->fetched);
    sqlite3_bind_int64(s, 6, r->unchanged);
    sqlite3_bind_int64(s, 7, r->failed);
    sqlite3_bind_int64(s, 8, r->events);
    sqlite3_bind_int64(s, 9, r->flags);
    bind_text(s, 10, r->errors_json);
    return exec_stmt(st, s, e, "finishing the run");
}

/* ---- reading history ----------------------------------------------------------------- */

/* Column 0 is the row as JSON; the others are shown to people. Filters are
 * bound by name and are no-ops when NULL. */
static const char *const list_sql[] = {
    [STORE_LIST_EVENTS] =
        "SELECT json_object('id', id, 'run_id', run_id, 'source', source, 'key', key, "
        "'change', change, 'baseline', json(CASE baseline WHEN 1 THEN 'true' ELSE 'false' END), "
        "'item', json(item), 'prev', json(prev), 'diff', json(diff), 'observed_at', observed_at), "
        "id, observed_at AS observed, source, change || CASE baseline WHEN 1 THEN ' (baseline)' ELSE '' END AS change, key "
        "FROM events WHERE (:since IS NULL OR observed_at >= :since) "
        "AND (:source IS NULL OR source = :source) ORDER BY id",
    [STORE_LIST_FLAGS] =
        "SELECT json_object('id', id, 'run_id', run_id, 'rule', rule, 'severity', severity, "
        "'message', message, 'source', source, 'key', key, 'change', change, 'event_id', event_id, "
        "'observed_at', observed_at, 'created_at', created_at, 'silence_id', silence_id), "
        "id, created_at AS raised, severity, rule, source, message || coalesce(' [silenced: ' || "
        "silence_id || ' (' || (SELECT reason FROM silences s WHERE s.id = silence_id) || ')]', '') AS message "
        "FROM flags WHERE (:since IS NULL OR created_at >= :since) "
        "AND (:source IS NULL OR source = :source) AND (:rule IS NULL OR rule = :rule) ORDER BY id",
    [STORE_LIST_SOURCES] =
        "SELECT json_object('id', id, 'url', url, 'last_attempt', last_attempt, "
        "'last_success', last_success, 'last_status', last_status, 'last_error', last_error, "
        "'failures', failures, 'items', items, 'next_due', next_due, "
        "'baselined', json(CASE baselined WHEN 1 THEN 'true' ELSE 'false' END)), "
        "id, CASE WHEN last_attempt IS NULL THEN 'never' WHEN failures > 0 THEN 'failing' ELSE 'ok' END AS health, "
        "last_success, last_status AS http, failures, items, next_due, last_error "
        "FROM sources WHERE (:source IS NULL OR id = :source) ORDER BY id",
    [STORE_LIST_RUNS] =
        "SELECT json_object('id', id, 'started_at', started_at, 'finished_at', finished_at, "
        "'status', status, 'exit_code', exit_code, 'sources', sources, 'fetched', fetched, "
        "'unchanged', unchanged, 'failed', failed, 'events', events, 'flags', flags, "
        "'errors', json(coalesce(errors, '[]'))), "
        "id, started_at, status, sources, fetched, failed, events, flags "
        "FROM runs WHERE (:since IS NULL OR started_at >= :since) ORDER BY id",
    [STORE_LIST_OUTBOX] =
        "SELECT json_object('id', o.id, 'flag_id', o.flag_id, 'channel', o.channel, "
        "'status', o.status, 'attempts', o.attempts, 'last_error', o.last_error, "
        "'next_attempt', o.next_attempt, 'sent_at', o.sent_at, 'rule', f.rule, "
        "'source', f.source, 'message', f.message), "
        "o.id, o.channel, o.status, o.attempts, o.next_attempt, f.rule, "
        "substr(coalesce(o.last_error, f.message), 1, 80) AS detail "
        "FROM outbox o JOIN flags f ON f.id = o.flag_id "
        "WHERE (:all IS NOT NULL OR o.status <> 'sent') AND (:channel IS NULL OR o.channel = :channel) "
        "AND (:since IS NULL OR f.created_at >= :since) AND (:source IS NULL OR f.source = :source) "
        "AND (:rule IS NULL OR f.rule = :rule) ORDER BY o.id",
};

static void bind_named(sqlite3_stmt *s, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i > 0)
        bind_text(s, i, v);
}

int store_list(store_t *st, store_list_kind_t kind, const store_filter_t *f, store_row_fn fn,
               void *ud, err_t *e)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, list_sql[kind], -1, &s, NULL) != SQLITE_OK)
        return db_error(st, e, "preparing a listing");
    bind_named(s, ":since", f ? f->since : NULL);
    bind_named(s, ":source", f ? f->source : NULL);
    bind_named(s, ":rule", f ? f->rule : NULL);
    bind_named(s, ":channel", f ? f->channel : NULL);
    bind_named(s, ":all", f && f->all ? "1" : NULL);
    int ncols = sqlite3_column_count(s) - 1, rc;
    const char *names[16], *cols[16];
    if (ncols > 16)
        ncols = 16;
    for (int i = 0; i < ncols; i++)
        names[i] = sqlite3_column_name(s, i + 1);
    long count = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        for (int i = 0; i < ncols; i++)
            cols[i] = (const char *)sqlite3_column_text(s, i + 1);
        if (fn(ud, (const char *)sqlite3_column_text(s, 0), ncols, names, cols))
            break;
        if (f && f->limit && ++count >= f->limit)
            break;
    }
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    if (!ok)
        db_error(st, e, "listing");
    sqlite3_finalize(s);
    return ok ? 0 : -1;
}

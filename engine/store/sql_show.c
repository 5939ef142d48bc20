/* sql_show.c — the SQLite store's reads for `vane show` (one flag with
 * its event, item, silence and deliveries) and `vane history` (every
 * version of one item with the flags raised on each). Each statement is
 * prepared for the call (a command makes each read once) and seeks a
 * primary key or an index (sql_show.h). */
#include "store/sql_show.h"

#include <stdint.h>
#include <stdlib.h>

#include "store/db.h"

const char db_sql_show_flag[] =
    "SELECT id, run_id, event_id, silence_id, rule, severity, message, source, key, change, "
    "observed_at, created_at, title, link, source_name, rule_title, changes "
    "FROM flags WHERE id = ?1";
const char db_sql_show_item[] =
    "SELECT fields, first_seen, last_seen, removed_at, absent_since FROM items "
    "WHERE source = ?1 AND key = ?2";
const char db_sql_show_silence[] =
    "SELECT id, rule, source, key, created_at, until, reason, removed_at FROM silences "
    "WHERE id = ?1";
const char db_sql_show_deliveries[] =
    "SELECT id, channel, status, attempts, last_error, next_attempt, sent_at FROM outbox "
    "WHERE flag_id = ?1 ORDER BY channel";
const char db_sql_show_versions[] =
    "SELECT " EVENT_COLUMNS " FROM events "
    "WHERE source = ?1 AND key = ?2 AND superseded_by IS NULL ORDER BY id DESC";
const char db_sql_show_item_flags[] =
    "SELECT f.event_id, f.id, f.rule, f.severity, f.message FROM events e "
    "JOIN flags f ON f.event_id = e.id "
    "WHERE e.source = ?1 AND e.key = ?2 AND e.superseded_by IS NULL ORDER BY e.id DESC, f.id";
const char db_sql_show_source[] = "SELECT 1 FROM sources WHERE id = ?1";

const char *const db_sql_show_all[] = {
    db_sql_show_flag, db_sql_show_item, db_sql_show_silence, db_sql_show_deliveries,
    db_sql_show_versions, db_sql_show_item_flags, db_sql_show_source, NULL};

/* sql prepared for this call with the arguments after fmt bound (db_bind);
 * NULL with e set. */
static db_stmt_t *prepare(store_t *st, const char *sql, err_t *e, const char *fmt, ...)
{
    db_stmt_t *s;
    if (db_prepare(st, sql, &s) != 0) {
        db_error(st, e, "preparing a read");
        return NULL;
    }
    va_list ap;
    va_start(ap, fmt);
    for (int i = 1; fmt[i - 1]; i++) {
        if (fmt[i - 1] == 't')
            db_bind_text(s, i, va_arg(ap, const char *));
        else
            db_bind_int64(s, i, va_arg(ap, long long));
    }
    va_end(ap);
    return s;
}

/* The first row of the bound s read into row by cols; s finalized. 1, 0
 * (no row) or -1 with e set. */
typedef struct one_row {
    void *row;
    const db_column_t *cols;
    size_t n;
} one_row_t;

static int read_one(db_stmt_t *s, void *ud)
{
    one_row_t *o = ud;
    db_read_columns(s, o->row, o->cols, o->n);
    return 0;
}

static int first_row(store_t *st, db_stmt_t *s, void *row, const db_column_t *cols, size_t n,
                     const char *what, err_t *e)
{
    if (!s)
        return -1;
    one_row_t o = {row, cols, n};
    int rc = db_first_row(st, s, read_one, &o, e, what);
    db_finalize(s);
    return rc;
}

/* Every row of the bound s into a new array by shape; s finalized. */
static int all_rows(store_t *st, db_stmt_t *s, const db_rows_t *shape, void **rows, size_t *n,
                    err_t *e)
{
    *rows = NULL;
    *n = 0;
    if (!s)
        return -1;
    int rc = db_read_rows(st, s, shape, SIZE_MAX, rows, n, e);
    db_finalize(s);
    return rc;
}

/* ---- the flag ---------------------------------------------------------------- */

#define F(m) DB_TEXT(store_flag_row_t, m)
static const db_column_t flag_columns[] = {
    DB_INT64(store_flag_row_t, id), DB_INT64(store_flag_row_t, run_id),
    DB_INT64(store_flag_row_t, event_id), DB_INT64(store_flag_row_t, silence_id),
    F(rule), F(severity), F(message), F(source), F(key), F(change), F(observed_at),
    F(created_at), F(title), F(link), F(source_name), F(rule_title), F(changes),
};
#undef F

int store_flag_get(store_t *st, long long id, store_flag_row_t *out, err_t *e)
{
    *out = (store_flag_row_t){0};
    return first_row(st, prepare(st, db_sql_show_flag, e, "I", id), out, flag_columns,
                     DB_COUNT(flag_columns), "reading a flag", e);
}

void store_flag_row_free(store_flag_row_t *f)
{
    char *strings[] = {f->rule, f->severity, f->message, f->source, f->key, f->change,
                       f->observed_at, f->created_at, f->title, f->link, f->source_name,
                       f->rule_title, f->changes};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
        free(strings[i]);
    *f = (store_flag_row_t){0};
}

/* ---- the item now -------------------------------------------------------------- */

static const db_column_t item_columns[] = {
    DB_TEXT(store_item_now_t, fields), DB_TEXT(store_item_now_t, first_seen),
    DB_TEXT(store_item_now_t, last_seen), DB_TEXT(store_item_now_t, removed_at),
    DB_TEXT(store_item_now_t, absent_since),
};

int store_item_get(store_t *st, const char *source, const char *key, store_item_now_t *out,
                   err_t *e)
{
    *out = (store_item_now_t){0};
    return first_row(st, prepare(st, db_sql_show_item, e, "tt", source, key), out, item_columns,
                     DB_COUNT(item_columns), "reading an item", e);
}

void store_item_now_free(store_item_now_t *it)
{
    free(it->fields);
    free(it->first_seen);
    free(it->last_seen);
    free(it->removed_at);
    free(it->absent_since);
    *it = (store_item_now_t){0};
}

/* ---- the silence ---------------------------------------------------------------- */

#define S(m) DB_TEXT(store_silence_row_t, m)
static const db_column_t silence_columns[] = {
    DB_INT64(store_silence_row_t, id), S(rule), S(source), S(key), S(created_at), S(until),
    S(reason), S(removed_at),
};
#undef S

int store_silence_get(store_t *st, long long id, store_silence_row_t *out, err_t *e)
{
    *out = (store_silence_row_t){0};
    return first_row(st, prepare(st, db_sql_show_silence, e, "I", id), out, silence_columns,
                     DB_COUNT(silence_columns), "reading a silence", e);
}

void store_silence_row_free(store_silence_row_t *s)
{
    free(s->rule);
    free(s->source);
    free(s->key);
    free(s->created_at);
    free(s->until);
    free(s->reason);
    free(s->removed_at);
    *s = (store_silence_row_t){0};
}

/* ---- the deliveries -------------------------------------------------------------- */

static const db_column_t delivery_columns[] = {
    DB_INT64(store_delivery_t, id), DB_TEXT(store_delivery_t, channel),
    DB_TEXT(store_delivery_t, status), DB_INT(store_delivery_t, attempts),
    DB_TEXT(store_delivery_t, last_error), DB_TEXT(store_delivery_t, next_attempt),
    DB_TEXT(store_delivery_t, sent_at),
};

static int read_delivery(db_stmt_t *s, void *row)
{
    db_read_columns(s, row, delivery_columns, DB_COUNT(delivery_columns));
    return 0;
}

void store_deliveries_free(store_delivery_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].channel);
        free(rows[i].status);
        free(rows[i].last_error);
        free(rows[i].next_attempt);
        free(rows[i].sent_at);
    }
    free(rows);
}

static void free_deliveries(void *rows, size_t n)
{
    store_deliveries_free(rows, n);
}

static const db_rows_t delivery_rows = {sizeof(store_delivery_t), 4, read_delivery,
                                        free_deliveries, "reading a flag's deliveries"};

int store_deliveries_get(store_t *st, long long flag_id, store_delivery_t **rows, size_t *n,
                         err_t *e)
{
    void *out;
    int rc = all_rows(st, prepare(st, db_sql_show_deliveries, e, "I", flag_id), &delivery_rows,
                      &out, n, e);
    *rows = out;
    return rc;
}

/* ---- an item's versions and their flags ------------------------------------------ */

int store_item_versions(store_t *st, const char *source, const char *key, store_event_t **evs,
                        size_t *n, err_t *e)
{
    *evs = NULL;
    *n = 0;
    db_stmt_t *s = prepare(st, db_sql_show_versions, e, "tt", source, key);
    if (!s)
        return -1;
    int rc = db_read_events(st, s, SIZE_MAX, evs, n, e);
    db_finalize(s);
    return rc;
}

static const db_column_t event_flag_columns[] = {
    DB_INT64(store_event_flag_t, event_id), DB_INT64(store_event_flag_t, id),
    DB_TEXT(store_event_flag_t, rule), DB_TEXT(store_event_flag_t, severity),
    DB_TEXT(store_event_flag_t, message),
};

static int read_event_flag(db_stmt_t *s, void *row)
{
    db_read_columns(s, row, event_flag_columns, DB_COUNT(event_flag_columns));
    return 0;
}

void store_event_flags_free(store_event_flag_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].rule);
        free(rows[i].severity);
        free(rows[i].message);
    }
    free(rows);
}

static void free_event_flags(void *rows, size_t n)
{
    store_event_flags_free(rows, n);
}

static const db_rows_t event_flag_rows = {sizeof(store_event_flag_t), 8, read_event_flag,
                                          free_event_flags, "reading an item's flags"};

int store_item_flags(store_t *st, const char *source, const char *key, store_event_flag_t **rows,
                     size_t *n, err_t *e)
{
    void *out;
    int rc = all_rows(st, prepare(st, db_sql_show_item_flags, e, "tt", source, key),
                      &event_flag_rows, &out, n, e);
    *rows = out;
    return rc;
}

static int read_known(db_stmt_t *s, void *ud)
{
    (void)s;
    *(int *)ud = 1;
    return 0;
}

int store_source_known(store_t *st, const char *source, int *known, err_t *e)
{
    *known = 0;
    db_stmt_t *s = prepare(st, db_sql_show_source, e, "t", source);
    if (!s)
        return -1;
    int rc = db_first_row(st, s, read_known, known, e, "reading a source");
    db_finalize(s);
    return rc < 0 ? -1 : 0;
}

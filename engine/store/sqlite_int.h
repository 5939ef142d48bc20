/* sqlite_int.h — what the SQLite implementation of the store shares among
 * its files (sqlite_*.c): the connection, the statement cache and the
 * helpers that prepare, bind, step and report. Nothing outside
 * engine/store/ includes it.
 *
 * Every statement is prepared on first use with SQLITE_PREPARE_PERSISTENT
 * and kept for the life of the connection in st->stmt[Q_*]; db_stmt hands
 * it back reset, with its bindings cleared. Each file keeps its SQL next to
 * the functions that run it. */
#ifndef VANE_SQLITE_INT_H
#define VANE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/listing.h"
#include "store/store.h"

/* One slot per cached statement. */
enum {
    Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
    Q_SOURCE_UPSERT, Q_SOURCE_GET, Q_SOURCE_RECORD, Q_SOURCE_FAILING, Q_SOURCE_EMPTY,
    Q_DOCUMENT_ADD, Q_ITEMS_LOAD, Q_ITEM_PUT, Q_ITEM_REMOVED,
    Q_EVENT_ADD, Q_EVENTS_PENDING, Q_EVENTS_RANGE, Q_EVENT_EVALUATED,
    Q_FLAG_ADD, Q_OUTBOX_ADD, Q_OUTBOX_PENDING, Q_OUTBOX_SENT, Q_OUTBOX_FAILED,
    Q_OUTBOX_REVIVE, Q_RUN_BEGIN, Q_RUN_FINISH,
    Q_SILENCE_ADD, Q_SILENCE_REMOVE, Q_SILENCE_LIST, Q_FLAG_SILENCE,
    Q_CHECK_GET, Q_CHECK_FLAGGED, Q_CHECK_ACTIVE, Q_CHECK_END,
    Q_CHECK_RULES_GET, Q_CHECK_RULES_PUT,
    Q_HISTORY_ITEM, Q_HISTORY_EVENTS,
    Q_COUNT
};

struct store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmt[Q_COUNT];
};

/* Set e to "database PATH: WHAT: SQLite's message" and return -1. */
int db_error(store_t *st, err_t *e, const char *what);

/* The cached statement `which` (prepared from sql on first use), reset and
 * unbound; NULL with e set when it cannot be prepared. */
sqlite3_stmt *db_stmt(store_t *st, int which, const char *sql, err_t *e);

/* Step s, which returns no rows, and reset it. */
int db_exec(store_t *st, sqlite3_stmt *s, err_t *e, const char *what);

/* Step s, calling fn with each row until it returns non-zero; then reset
 * s. */
typedef int (*db_row_fn)(sqlite3_stmt *s, void *ud);
int db_each_row(store_t *st, sqlite3_stmt *s, db_row_fn fn, void *ud, err_t *e, const char *what);

/* Bind text, or NULL for a NULL pointer (the text must outlive the step). */
void db_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Bind a row id; 0 stands for "none" (SQL NULL): row ids are never 0. */
void db_bind_id(sqlite3_stmt *s, int i, long long v);
/* A copy of column i's text to free(), or NULL for SQL NULL. */
char *db_column_dup(sqlite3_stmt *s, int i);

/* Column i as a listing value (listing.h): its type, and its text as
 * SQLite writes it; valid until the statement moves on. */
store_value_t db_value(sqlite3_stmt *s, int i);

/* Read up to max event rows (the columns of store_event_t, in its order)
 * from the bound statement s, then reset it. */
int db_read_events(store_t *st, sqlite3_stmt *s, size_t max, store_event_t **evs, size_t *n,
                   err_t *e);

/* Apply the embedded migrations the database has not seen (sqlite_migrate.c). */
int db_migrate(store_t *st, err_t *e);

#endif

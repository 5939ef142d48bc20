/* db.h — what the store's files share: the connection, the statement
 * cache, the driver that runs SQL on one database library, and the helpers
 * that prepare, bind, step and report. Nothing outside engine/store/
 * includes it.
 *
 * The store's SQL is written once (sql_*.c) and runs on both backends
 * through a driver (db_driver_t): SQLite (sqlite_store.c) and PostgreSQL
 * (pg_store.c, which rewrites parameters and a few SQLite-only words, the
 * rest being provided by db/postgresql's schema). Statements are prepared
 * on first use and kept for the life of the connection in st->stmt[Q_*];
 * db_stmt hands one back reset, with its bindings cleared. Each file keeps
 * its SQL next to the functions that run it. */
#ifndef VANE_DB_H
#define VANE_DB_H

#include <sqlite3.h>
#include <stddef.h>

#include "store/listing.h"
#include "store/store.h"

/* What db_step returns. */
enum { DB_ROW = 100, DB_DONE = 101, DB_FAIL = 1 };
/* What db_column_type returns. */
enum { DB_INTEGER = 1, DB_FLOAT = 2, DB_TEXT = 3, DB_BLOB = 4, DB_NULL = 5 };

typedef struct db_driver db_driver_t;

/* A prepared statement; each driver's own begins with this. */
typedef struct db_stmt {
    const db_driver_t *drv;
} db_stmt_t;

/* One database library's way of running SQL. Column accessors speak of the
 * current row (after db_step gave DB_ROW); texts are valid until the
 * statement moves on. Bound texts and blobs are copied or must outlive the
 * step (as each driver says); a NULL text binds SQL NULL. */
struct db_driver {
    const char *name;         /* "sqlite", "postgresql" */
    int (*prepare)(store_t *st, const char *sql, db_stmt_t **out);
    void (*finalize)(db_stmt_t *s);
    int (*step)(db_stmt_t *s);
    void (*reset)(db_stmt_t *s);            /* and clear its bindings */
    int (*param_count)(db_stmt_t *s);
    int (*param_index)(db_stmt_t *s, const char *name);   /* 0: none */
    void (*bind_text)(db_stmt_t *s, int i, const char *v);
    void (*bind_int64)(db_stmt_t *s, int i, long long v);
    void (*bind_null)(db_stmt_t *s, int i);
    void (*bind_blob)(db_stmt_t *s, int i, const void *p, size_t n);
    int (*column_count)(db_stmt_t *s);
    int (*column_type)(db_stmt_t *s, int i);
    long long (*column_int64)(db_stmt_t *s, int i);
    const char *(*column_text)(db_stmt_t *s, int i);
    const void *(*column_blob)(db_stmt_t *s, int i, size_t *n);
    int (*readonly)(db_stmt_t *s);
    long long (*changes)(store_t *st);       /* rows the last statement changed */
    const char *(*errmsg)(store_t *st);
    int (*script)(store_t *st, const char *sql);  /* several statements, no rows */
    int (*in_transaction)(store_t *st);
    void (*close)(store_t *st);
};

#define EVENT_COLUMNS "id, run_id, source, key, change, baseline, item, " \
    "event_prev(item, prev, diff), event_diff(item, prev, diff), observed_at"
/* The same columns as stored, for a subquery whose rows EVENT_COLUMNS then
 * reads (so only the rows handed back are unpacked). */
#define EVENT_STORED_COLUMNS "id, run_id, source, key, change, baseline, item, prev, diff, observed_at"

/* One slot per cached statement. */
enum {
    Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
    Q_SOURCE_UPSERT, Q_SOURCE_GET, Q_SOURCE_RECORD, Q_SOURCE_FAILING, Q_SOURCE_EMPTY,
    Q_SOURCE_RESHAPED, Q_SOURCE_REFETCH,
    Q_SOURCES_ALL,
    Q_DOCUMENT_ADD, Q_ITEMS_LOAD, Q_ITEM_PUT, Q_ITEM_REMOVED, Q_ITEM_ABSENT,
    Q_EVENT_ADD, Q_EVENTS_PENDING, Q_EVENTS_EVALUATED, Q_EVENTS_EVALUATED_ALL, Q_EVENTS_FIRST,
    Q_FLAG_ADD, Q_OUTBOX_ADD, Q_OUTBOX_PENDING, Q_OUTBOX_SENT, Q_OUTBOX_FAILED,
    Q_OUTBOX_REVIVE, Q_RUN_BEGIN, Q_RUN_FINISH,
    Q_RUN_ABORTED,
    Q_RUN_SILENCED,
    Q_SILENCE_ADD, Q_SILENCE_REMOVE, Q_SILENCE_LIST, Q_FLAG_SILENCE,
    Q_CHECK_GET, Q_CHECK_FLAGGED, Q_CHECK_ACTIVE, Q_CHECK_END,
    Q_CHECK_RULES_GET, Q_CHECK_RULES_PUT,
    Q_CONFIG_CHECKED_GET, Q_CONFIG_CHECKED_PUT,
    Q_HISTORY_ITEM,
    Q_RETRY_PUT, Q_RETRY_DONE, Q_RETRY_LIST, Q_EVENT_GET,
    Q_SOURCES_CLAIM, Q_SOURCES_RELEASE, Q_EVENTS_CLAIM, Q_EVENTS_DONE, Q_CHANNEL_LOCK,
    Q_CHANNEL_UNLOCK, Q_RUNS_BESIDE, Q_RUN_NAME,
    Q_COUNT
};

typedef struct pg_conn pg_conn_t;

struct store {
    const db_driver_t *drv;
    char *path;               /* how errors name it: a file, or a URL without its password */
    db_stmt_t *stmt[Q_COUNT];
    sqlite3 *db;              /* SQLite's connection, or NULL */
    pg_conn_t *pg;            /* PostgreSQL's (pg_store.c), or NULL */
    char *beside;             /* PostgreSQL: the runs running when this one began,
                                 as an array literal (pg_work.c) */
};

/* 1 when the store is PostgreSQL (statements that differ between the two
 * ask this: leases, BEGIN IMMEDIATE). */
int db_is_pg(const store_t *st);

/* The driver's calls, for the store's files. */
int db_prepare(store_t *st, const char *sql, db_stmt_t **out);
void db_finalize(db_stmt_t *s);
int db_step(db_stmt_t *s);
void db_reset(db_stmt_t *s);
void db_bind_int64(db_stmt_t *s, int i, long long v);
void db_bind_int(db_stmt_t *s, int i, int v);
void db_bind_null(db_stmt_t *s, int i);
void db_bind_blob(db_stmt_t *s, int i, const void *p, size_t n);
int db_column_count(db_stmt_t *s);
int db_column_type(db_stmt_t *s, int i);
long long db_column_int64(db_stmt_t *s, int i);
int db_column_int(db_stmt_t *s, int i);
const char *db_column_text(db_stmt_t *s, int i);
const void *db_column_blob(db_stmt_t *s, int i);
size_t db_column_bytes(db_stmt_t *s, int i);
int db_stmt_readonly(db_stmt_t *s);
long long db_changes(store_t *st);
/* Run a script of several statements that return no rows; 0 or -1 (then
 * db_error tells why). */
int db_script(store_t *st, const char *sql);

/* The store on a SQLite file (sqlite_store.c) or a PostgreSQL URL
 * (pg_store.c); store_open picks by the name's scheme. */
store_t *db_sqlite_open(const char *path, err_t *e);
store_t *db_pg_open(const char *url, err_t *e);
/* "libpq 15.18", for store_backend. */
const char *db_pg_library(void);
/* A new store_t for driver drv, named name (copied); NULL when out of
 * memory. */
store_t *db_store_new(const db_driver_t *drv, const char *name);

/* Set e to "database PATH: WHAT: the driver's message" and return -1. */
int db_error(store_t *st, err_t *e, const char *what);

/* The cached statement `which` (prepared from sql on first use), reset and
 * unbound; NULL with e set when it cannot be prepared. */
db_stmt_t *db_stmt(store_t *st, int which, const char *sql, err_t *e);

/* Step s, which returns no rows, and reset it. */
int db_exec(store_t *st, db_stmt_t *s, err_t *e, const char *what);

/* Bind the arguments after fmt to s's parameters ?1, ?2, … in order, one
 * letter of fmt each, the argument of exactly the C type given (cast
 * others: the compiler cannot check a variadic list):
 *   t  const char *  text, or SQL NULL for a NULL pointer; the text must
 *                    outlive the step
 *   i  int
 *   l  long
 *   I  long long
 *   d  long long     a number where 0 stands for "none" (SQL NULL): row ids,
 *                    which are never 0, and the like
 * fmt has a letter for every parameter of the statement. */
void db_bind(db_stmt_t *s, const char *fmt, ...);

/* The cached statement `which` (db_stmt) with the arguments after fmt bound
 * (db_bind), ready to step; NULL with e set when it cannot be prepared. */
db_stmt_t *db_query(store_t *st, int which, const char *sql, err_t *e, const char *fmt, ...);

/* A statement that returns no rows, in one call: db_query, then db_exec.
 * 0, or -1 with e set to "database PATH: WHAT: …". db_changes speaks of it
 * afterwards. */
int db_run(store_t *st, int which, const char *sql, err_t *e, const char *what,
           const char *fmt, ...);

/* An INSERT … RETURNING id, in one call: 1 with *id set when it returned a
 * row, 0 when it did not (ON CONFLICT DO NOTHING), -1 with e set. */
int db_run_id(store_t *st, int which, const char *sql, err_t *e, const char *what,
              long long *id, const char *fmt, ...);

/* Step s, calling fn with each row until it returns non-zero; then reset
 * s. */
typedef int (*db_row_fn)(db_stmt_t *s, void *ud);
int db_each_row(store_t *st, db_stmt_t *s, db_row_fn fn, void *ud, err_t *e, const char *what);

/* Step s once, calling fn with the row if there is one; then reset s. 1
 * when there was a row, 0 when there was none, -1 with e set on error. */
int db_first_row(store_t *st, db_stmt_t *s, db_row_fn fn, void *ud, err_t *e,
                 const char *what);

/* Where one column of a row goes in a struct: the member's kind, a letter
 * as for db_bind (t a char *, given a copy to free() or NULL for SQL
 * NULL; i int; l long; I long long), and its offset. Write them with
 * DB_TEXT, DB_INT, DB_LONG and DB_INT64, which do not compile when the
 * member is not of that type. */
typedef struct db_column {
    char kind;
    size_t offset;
} db_column_t;

#define DB_MEMBER(T, m, C) (offsetof(T, m) + 0 * sizeof((C *){&(T){0}.m}))
#define DB_TEXT(T, m) {'t', DB_MEMBER(T, m, char *)}
#define DB_INT(T, m) {'i', DB_MEMBER(T, m, int)}
#define DB_LONG(T, m) {'l', DB_MEMBER(T, m, long)}
#define DB_INT64(T, m) {'I', DB_MEMBER(T, m, long long)}
#define DB_COUNT(a) (sizeof(a) / sizeof *(a))

/* Read columns 0 to n-1 of s's current row into the members of row that
 * cols[0] to cols[n-1] name. */
void db_read_columns(db_stmt_t *s, void *row, const db_column_t *cols, size_t n);

/* How to read rows of one shape into an array of structs: the size of one,
 * how many to allocate first, how to read one row into its struct (0, or
 * -1 when memory ran out: the struct is freed with the others), how to
 * free an array of n of them, and what reading them is (for errors). */
typedef struct db_rows {
    size_t size;
    size_t first;
    int (*read)(db_stmt_t *s, void *row);
    void (*free)(void *rows, size_t n);
    const char *what;
} db_rows_t;

/* Read up to max rows of the bound statement s into a new array (*rows,
 * *n: NULL and 0 when there are none), then reset s. 0, or -1 with e set
 * and nothing handed back. */
int db_read_rows(store_t *st, db_stmt_t *s, const db_rows_t *shape, size_t max, void **rows,
                 size_t *n, err_t *e);

/* Bind text, or NULL for a NULL pointer (the text must outlive the step). */
void db_bind_text(db_stmt_t *s, int i, const char *v);
/* Bind the parameter called name (":source"), if s has one, to text (the
 * text must outlive the step; NULL: SQL NULL) or to a number. */
void db_bind_named(db_stmt_t *s, const char *name, const char *v);
void db_bind_named_int64(db_stmt_t *s, const char *name, long long v);
/* A copy of column i's text to free(), or NULL for SQL NULL. */
char *db_column_dup(db_stmt_t *s, int i);

/* Column i as a listing value (listing.h): its type, and its text as
 * SQLite writes it; valid until the statement moves on. */
store_value_t db_value(db_stmt_t *s, int i);

/* Read up to max event rows (the columns of store_event_t, in its order)
 * from the bound statement s, then reset it. */
int db_read_events(store_t *st, db_stmt_t *s, size_t max, store_event_t **evs, size_t *n,
                   err_t *e);

/* Register the SQL functions that pack and unpack events on the
 * connection (sql_events.c): event_prev, event_diff (reading) and
 * event_pack_prev, event_pack_diff (db/010's conversion). */
int db_register_event_functions(store_t *st, err_t *e);

/* The newest-first probe of a read of the newest `limit` rows with a time
 * bound (sql_history.c): probe_sql is the read with its bound written
 * `id > :floor` (sql_reads.h), last_sql reads the table's highest id,
 * and bind binds the read's other parameters. :floor leaves the few
 * highest ids; 1 with *floor set when the probe returns all `limit` rows
 * there (then they are the read's rows: any other match is older), 0 when
 * the read needs its id bound, -1 with e set. */
typedef void (*db_binder_fn)(db_stmt_t *s, const void *ud);
int db_probe_newest(store_t *st, const char *last_sql, const char *probe_sql, long long limit,
                    db_binder_fn bind, const void *ud, long long *floor, err_t *e);

/* Apply the embedded migrations the database has not seen (sqlite_migrate.c,
 * pg_migrate.c). */
int db_migrate(store_t *st, err_t *e);
int db_pg_migrate(store_t *st, err_t *e);
/* The version a PostgreSQL store's schema is at (pg_migrate.c), -1 if
 * unknown. */
int db_pg_version(store_t *st);
/* store_run_begin on PostgreSQL (pg_work.c): runs beside this one stay
 * running; the ones whose connection is gone are marked aborted. */
int db_pg_run_begin(store_t *st, const char *started_at, long long *run_id, err_t *e);

/* Each backend's migrations are embedded from their own folder. */
#define SQLITE_MIGRATIONS "db/sqlite"
#define PG_MIGRATIONS "db/postgresql"
struct embedded_file;
/* The newest migration number in folder, and migration v of it (NULL if
 * none). */
int db_latest_migration(const char *folder);
const struct embedded_file *db_find_migration(const char *folder, int v);
/* Apply folder's migrations after version have, in order, each with apply
 * (which records v as the version); a database past the newest is
 * refused, a have below 0 is an error reading it (migrate.c). */
typedef int (*db_apply_fn)(store_t *st, const struct embedded_file *f, int v, err_t *e);
int db_migrate_from(store_t *st, const char *folder, int have, db_apply_fn apply, err_t *e);

/* The web view's filter of flags (store/web.h) as SQL conditions on
 * `flags f`, each started by " WHERE " or " AND " as *n counts them
 * (sql_web.c), and its bindings. */
struct store_web_filter;
int db_flag_filter_where(const struct store_web_filter *f, buf_t *out, int *n);
void db_flag_filter_bind(db_stmt_t *s, const struct store_web_filter *f);

#endif

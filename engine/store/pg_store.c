/* pg_store.c — the PostgreSQL driver of the store (db.h), over libpq.
 *
 * The store's SQL is written once, in the dialect both databases read;
 * this driver rewrites what only SQLite reads (pg_sql.c: parameters,
 * INDEXED BY, a unary +, BEGIN IMMEDIATE), and db/postgresql's schema
 * supplies the functions SQLite has built in. A statement runs when it is
 * first stepped: its whole result is fetched and stepped through here.
 * Integers are sent as int8, texts as text, blobs as binary bytea. A
 * statement run a second time is prepared on the server, once, and
 * executed by name from then on.
 *
 * The connection is opened from the URL as written; everything the store
 * shows (errors, `vane --version`) names the URL without its password. */
#include "store/db.h"

#include "store/pq_lazy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_sql.h"
#include "util/buf.h"
#include "util/utf8.h"

/* PostgreSQL's type oids (catalog/pg_type.h, stable across versions). */
enum {
    OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23,
    OID_TEXT = 25, OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_NUMERIC = 1700
};

struct pg_conn {
    PGconn *conn;
    char *error;             /* the last failure's message */
    long long changes;
    unsigned long names;     /* server-side statements prepared so far */
    int lost;                /* a statement failed because the server went away */
};

/* One parameter's binding. */
typedef struct pg_param {
    char *value;             /* NULL: SQL NULL */
    int length;
    int format;              /* 1: binary (a blob) */
    Oid type;
} pg_param_t;

typedef struct pg_stmt {
    db_stmt_t base;
    store_t *st;
    pg_sql_t sql;            /* the statement in PostgreSQL's dialect */
    pg_param_t *params;
    char name[32];           /* its server-side name once prepared, else "" */
    Oid *prepared;           /* the parameter types it was prepared with */
    int runs;
    PGresult *res;
    int row, rows;
    unsigned char *blob;     /* the current bytea column, unescaped */
    size_t blob_len;
    char small[2];           /* a boolean column as SQLite would give it */
} pg_stmt_t;

static const db_driver_t pg_driver;

static pg_stmt_t *pgs(db_stmt_t *s)
{
    return (pg_stmt_t *)s;
}

/* Keep msg (trimmed of its trailing newline) as the connection's last
 * error. */
static void set_error(pg_conn_t *pg, const char *msg)
{
    free(pg->error);
    pg->error = strdup(msg && *msg ? msg : "unknown error");
    size_t n = pg->error ? strlen(pg->error) : 0;
    while (n > 0 && (pg->error[n - 1] == '\n' || pg->error[n - 1] == ' '))
        pg->error[--n] = '\0';
}

static void clear_result(pg_stmt_t *p)
{
    pq.PQclear(p->res);
    p->res = NULL;
    p->row = p->rows = 0;
    pq.PQfreemem(p->blob);
    p->blob = NULL;
}

static void clear_params(pg_stmt_t *p)
{
    for (int i = 0; i < p->sql.nparams; i++) {
        free(p->params[i].value);
        p->params[i] = (pg_param_t){0};
    }
}

static int pg_prepare(store_t *st, const char *sql, db_stmt_t **out)
{
    pg_stmt_t *p = calloc(1, sizeof *p);
    if (!p || pg_sql_translate(sql, &p->sql) != 0) {
        free(p);
        set_error(st->pg, "out of memory, or a statement vane cannot read");
        return -1;
    }
    p->params = calloc((size_t)p->sql.nparams + 1, sizeof *p->params);
    p->prepared = calloc((size_t)p->sql.nparams + 1, sizeof *p->prepared);
    if (!p->params || !p->prepared) {
        pg_sql_free(&p->sql);
        free(p->params);
        free(p->prepared);
        free(p);
        set_error(st->pg, "out of memory");
        return -1;
    }
    p->base.drv = &pg_driver;
    p->st = st;
    *out = &p->base;
    return 0;
}

static void pg_finalize(db_stmt_t *s)
{
    pg_stmt_t *p = pgs(s);
    clear_result(p);
    clear_params(p);
    if (p->name[0] && p->st->pg->conn && pq.PQstatus(p->st->pg->conn) == CONNECTION_OK) {
        char sql[64];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", p->name);
        pq.PQclear(pq.PQexec(p->st->pg->conn, sql));
    }
    pg_sql_free(&p->sql);
    free(p->params);
    free(p->prepared);
    free(p);
}

/* 1 when the statement was prepared on the server with the types bound
 * now. */
static int prepared_as_bound(const pg_stmt_t *p)
{
    if (!p->name[0])
        return 0;
    for (int i = 0; i < p->sql.nparams; i++)
        if (p->prepared[i] != p->params[i].type)
            return 0;
    return 1;
}

/* Prepare the statement on the server under a new name, with the types
 * bound now (a statement run more than once). 0, or -1. */
static int prepare_on_server(pg_stmt_t *p, const Oid *types)
{
    pg_conn_t *pg = p->st->pg;
    if (p->name[0]) {
        char sql[64];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", p->name);
        pq.PQclear(pq.PQexec(pg->conn, sql));
        p->name[0] = '\0';
    }
    char name[32];
    snprintf(name, sizeof name, "vane_%lu", ++pg->names);
    PGresult *r = pq.PQprepare(pg->conn, name, p->sql.text, p->sql.nparams, types);
    int ok = pq.PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        set_error(pg, pq.PQresultErrorMessage(r));
    pq.PQclear(r);
    if (!ok)
        return -1;
    memcpy(p->name, name, sizeof name);
    memcpy(p->prepared, types, (size_t)p->sql.nparams * sizeof *types);
    return 0;
}

/* Run the statement with its bindings; its result in p->res. */
static PGresult *execute(pg_stmt_t *p)
{
    int n = p->sql.nparams;
    const char **values = calloc((size_t)n + 1, sizeof *values);
    int *lengths = calloc((size_t)n + 1, sizeof *lengths);
    int *formats = calloc((size_t)n + 1, sizeof *formats);
    Oid *types = calloc((size_t)n + 1, sizeof *types);
    PGresult *r = NULL;
    if (values && lengths && formats && types) {
        for (int i = 0; i < n; i++) {
            values[i] = p->params[i].value;
            lengths[i] = p->params[i].length;
            formats[i] = p->params[i].format;
            types[i] = p->params[i].type;
        }
        PGconn *c = p->st->pg->conn;
        if (++p->runs == 1)
            r = pq.PQexecParams(c, p->sql.text, n, types, values, lengths, formats, 0);
        else if (prepared_as_bound(p) || prepare_on_server(p, types) == 0)
            r = pq.PQexecPrepared(c, p->name, n, values, lengths, formats, 0);
    }
    free(values);
    free(lengths);
    free(formats);
    free(types);
    return r;
}

/* 1 when a failure was the connection's: no result, or one libpq made
 * itself (the server's errors carry a SQLSTATE; "server closed the
 * connection unexpectedly" does not), or the server shutting down or the
 * connection failing (SQLSTATE class 08, 57P01-57P03). */
static int connection_lost(pg_conn_t *pg, PGresult *r)
{
    if (pq.PQstatus(pg->conn) != CONNECTION_OK || !r)
        return 1;
    const char *state = pq.PQresultErrorField(r, PG_DIAG_SQLSTATE);
    return !state || strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
           strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

/* Rows a command changed, as SQLite counts them: not a SELECT's. */
static void count_changes(pg_conn_t *pg, PGresult *r)
{
    const char *status = pq.PQcmdStatus(r);
    if (strncmp(status, "SELECT", 6) == 0)
        return;
    const char *n = pq.PQcmdTuples(r);
    pg->changes = *n ? atoll(n) : 0;
}

static int pg_step(db_stmt_t *s)
{
    pg_stmt_t *p = pgs(s);
    pg_conn_t *pg = p->st->pg;
    pq.PQfreemem(p->blob);
    p->blob = NULL;
    if (p->res)
        return ++p->row < p->rows ? DB_ROW : DB_DONE;
    PGresult *r = execute(p);
    ExecStatusType status = r ? pq.PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        pg->lost |= connection_lost(pg, r);
        if (r)
            set_error(pg, pq.PQresultErrorMessage(r));
        else if (!pg->error || pq.PQstatus(pg->conn) != CONNECTION_OK)
            set_error(pg, pq.PQerrorMessage(pg->conn));
        pq.PQclear(r);
        return DB_FAIL;
    }
    count_changes(pg, r);
    p->res = r;
    p->rows = pq.PQntuples(r);
    p->row = 0;
    return p->rows > 0 ? DB_ROW : DB_DONE;
}

static void pg_reset(db_stmt_t *s)
{
    clear_result(pgs(s));
    clear_params(pgs(s));
}

static int pg_param_count(db_stmt_t *s)
{
    return pgs(s)->sql.nparams;
}

static int pg_param_index(db_stmt_t *s, const char *name)
{
    return pg_sql_param_index(&pgs(s)->sql, name);
}

/* Bind parameter i (1-based) to a copy of the n bytes at v (NULL: SQL
 * NULL) of type t. */
static void bind(db_stmt_t *s, int i, const char *v, size_t n, Oid t, int format)
{
    pg_stmt_t *p = pgs(s);
    if (i < 1 || i > p->sql.nparams)
        return;
    pg_param_t *b = &p->params[i - 1];
    free(b->value);
    *b = (pg_param_t){.type = t, .format = format};
    if (!v)
        return;
    b->value = malloc(n + 1);
    if (!b->value)
        return; /* sent as NULL: the statement's constraints speak */
    memcpy(b->value, v, n);
    b->value[n] = '\0';
    b->length = (int)n;
}

/* PostgreSQL refuses text that is not UTF-8, where SQLite keeps any
 * bytes: each ill-formed part becomes U+FFFD, as everything vane shows
 * already makes it. */
static void pg_bind_text(db_stmt_t *s, int i, const char *v)
{
    size_t n = v ? strlen(v) : 0;
    if (!v || utf8_valid(v, n, UTF8_NUL_OK, NULL) == n) {
        bind(s, i, v, n, OID_TEXT, 0);
        return;
    }
    buf_t fixed = {0};
    if (utf8_repair(v, n, UTF8_NUL_OK, &fixed, NULL) >= 0)
        bind(s, i, buf_str(&fixed), fixed.len, OID_TEXT, 0);
    else
        bind(s, i, NULL, 0, OID_TEXT, 0);
    buf_free(&fixed);
}

static void pg_bind_int64(db_stmt_t *s, int i, long long v)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%lld", v);
    bind(s, i, text, (size_t)n, OID_INT8, 0);
}

static void pg_bind_null(db_stmt_t *s, int i)
{
    bind(s, i, NULL, 0, 0, 0);
}

static void pg_bind_blob(db_stmt_t *s, int i, const void *v, size_t n)
{
    bind(s, i, v ? v : "", n, OID_BYTEA, 1);
}

static int pg_column_count(db_stmt_t *s)
{
    pg_stmt_t *p = pgs(s);
    return p->res ? pq.PQnfields(p->res) : 0;
}

static int pg_column_type(db_stmt_t *s, int i)
{
    pg_stmt_t *p = pgs(s);
    if (!p->res || p->row >= p->rows || pq.PQgetisnull(p->res, p->row, i))
        return DB_NULL;
    switch (pq.PQftype(p->res, i)) {
    case OID_BOOL: case OID_INT2: case OID_INT4: case OID_INT8: return DB_INTEGER;
    case OID_FLOAT4: case OID_FLOAT8: case OID_NUMERIC: return DB_FLOAT;
    case OID_BYTEA: return DB_BLOB;
    default: return DB_TEXT;
    }
}

/* Column i's text as PostgreSQL sent it, NULL for SQL NULL. */
static const char *raw(pg_stmt_t *p, int i)
{
    if (!p->res || p->row >= p->rows || i >= pq.PQnfields(p->res) || pq.PQgetisnull(p->res, p->row, i))
        return NULL;
    return pq.PQgetvalue(p->res, p->row, i);
}

static long long pg_column_int64(db_stmt_t *s, int i)
{
    const char *v = raw(pgs(s), i);
    if (!v)
        return 0;
    if (pq.PQftype(pgs(s)->res, i) == OID_BOOL)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

/* SQLite's text of a column: a boolean is 1 or 0. */
static const char *pg_column_text(db_stmt_t *s, int i)
{
    pg_stmt_t *p = pgs(s);
    const char *v = raw(p, i);
    if (v && pq.PQftype(p->res, i) == OID_BOOL) {
        p->small[0] = v[0] == 't' ? '1' : '0';
        p->small[1] = '\0';
        return p->small;
    }
    return v;
}

static const void *pg_column_blob(db_stmt_t *s, int i, size_t *n)
{
    pg_stmt_t *p = pgs(s);
    const char *v = raw(p, i);
    *n = 0;
    if (!v)
        return NULL;
    if (pq.PQftype(p->res, i) != OID_BYTEA) {
        *n = strlen(v);
        return v;
    }
    if (!p->blob)
        p->blob = pq.PQunescapeBytea((const unsigned char *)v, &p->blob_len);
    *n = p->blob ? p->blob_len : 0;
    return p->blob;
}

static int pg_readonly(db_stmt_t *s)
{
    return pgs(s)->sql.readonly;
}

static long long pg_changes(store_t *st)
{
    return st->pg->changes;
}

static const char *pg_errmsg(store_t *st)
{
    if (st->pg->error)
        return st->pg->error;
    return st->pg->conn ? pq.PQerrorMessage(st->pg->conn) : "not connected";
}

static int pg_script(store_t *st, const char *sql)
{
    PGresult *r = pq.PQexec(st->pg->conn, sql);
    ExecStatusType status = pq.PQresultStatus(r);
    int ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok)
        set_error(st->pg, r ? pq.PQresultErrorMessage(r) : pq.PQerrorMessage(st->pg->conn));
    pq.PQclear(r);
    return ok ? 0 : -1;
}

static int pg_in_transaction(store_t *st)
{
    PGTransactionStatusType t = pq.PQtransactionStatus(st->pg->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

static void pg_close(store_t *st)
{
    if (!st->pg)
        return;
    pq.PQfinish(st->pg->conn);
    free(st->pg->error);
    free(st->pg);
    st->pg = NULL;
}

static const db_driver_t pg_driver = {
    "postgresql", pg_prepare, pg_finalize, pg_step, pg_reset, pg_param_count, pg_param_index,
    pg_bind_text, pg_bind_int64, pg_bind_null, pg_bind_blob, pg_column_count, pg_column_type,
    pg_column_int64, pg_column_text, pg_column_blob, pg_readonly, pg_changes, pg_errmsg,
    pg_script, pg_in_transaction, pg_close,
};

/* NOTICEs (IF NOT EXISTS and the like) are the server's chatter, not the
 * user's business: libpq would print them on stderr. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The session's settings: UTC, and a name in pg_stat_activity. */
static int set_up(store_t *st, err_t *e)
{
    pq.PQsetNoticeProcessor(st->pg->conn, quiet, NULL);
    if (db_script(st, "SET TIME ZONE 'UTC'; SET application_name = 'vane'") != 0)
        return db_error(st, e, "setting it up");
    return 0;
}

store_t *db_pg_open(const char *url, err_t *e)
{
    if (pq_load(e) != 0)
        return NULL;
    char *shown = pg_url_shown(url);
    store_t *st = shown ? db_store_new(&pg_driver, shown) : NULL;
    free(shown);
    if (st)
        st->pg = calloc(1, sizeof *st->pg);
    if (!st || !st->pg) {
        store_close(st);
        err_set(e, "out of memory");
        return NULL;
    }
    st->pg->conn = pq.PQconnectdb(url);
    if (!st->pg->conn || pq.PQstatus(st->pg->conn) != CONNECTION_OK) {
        set_error(st->pg, st->pg->conn ? pq.PQerrorMessage(st->pg->conn) : "out of memory");
        db_error(st, e, "cannot connect");
        store_close(st);
        return NULL;
    }
    if (set_up(st, e) != 0 || db_pg_migrate(st, e) != 0) {
        store_close(st);
        return NULL;
    }
    return st;
}

/* The statements prepared on the server died with its connection: each
 * is prepared again when next run. */
static void forget_prepared(store_t *st)
{
    for (int i = 0; i < Q_COUNT; i++) {
        pg_stmt_t *p = st->stmt[i] ? pgs(st->stmt[i]) : NULL;
        if (p) {
            clear_result(p);
            p->name[0] = '\0';
            p->runs = 0;
        }
    }
}

int store_revive(store_t *st, err_t *e)
{
    if (!st->pg || (!st->pg->lost && pq.PQstatus(st->pg->conn) == CONNECTION_OK))
        return 0;
    st->pg->lost = 0;
    pq.PQreset(st->pg->conn);
    if (pq.PQstatus(st->pg->conn) != CONNECTION_OK) {
        set_error(st->pg, pq.PQerrorMessage(st->pg->conn));
        return db_error(st, e, "cannot connect again");
    }
    forget_prepared(st);
    return set_up(st, e) == 0 ? 1 : -1;
}

/* libpq's version for `vane --version`, "libpq 15.18" (opening it). */
const char *db_pg_library(void)
{
    static char name[64];
    err_t e;
    if (pq_load(&e) != 0)
        return "libpq not found";
    int v = pq.PQlibVersion();
    snprintf(name, sizeof name, "libpq %d.%d", v / 10000, v % 10000);
    return name;
}

/* copy.c — store_copy (store.h): every table of one store copied into
 * another, empty one, over db.h, so that either side may be SQLite or
 * PostgreSQL (`vane migrate-store`).
 *
 * The tables are those of the final schema, in an order that satisfies
 * their foreign keys; their columns are read from each side's catalog, so
 * a column added later is copied without a change here. Values are read
 * by their type and bound the same way (on PostgreSQL as text cast to the
 * target column's type, which reads SQLite's integers into any numeric or
 * boolean column); ids are kept. Events are read with event_prev and
 * event_diff, so a prev and diff SQLite stores packed arrive whole. The
 * target is written in one transaction, checked to be empty first, and
 * its row counts compared with the source's before the commit; on
 * PostgreSQL the id sequences are then moved past the copied ids. The
 * source is read in one transaction too, so the copy is of one moment, a
 * page at a time; rows are written many to an INSERT. */
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows read from the source per statement (a PostgreSQL result is held
 * whole in memory: documents carry their bodies). */
#define PAGE 500

/* One table: its name, the columns that order its rows, and how it is
 * paged: by its integer id (`id > last`), or by OFFSET. */
typedef struct copy_table {
    const char *name;
    const char *order;
    int by_id;
    int singleton;    /* one row every new store has (the watermark): replaced */
} copy_table_t;

static const copy_table_t tables[] = {
    {"sources", "id", 0, 0},
    {"runs", "id", 1, 0},
    {"documents", "id", 1, 0},
    {"items", "source, key", 0, 0},
    {"silences", "id", 1, 0},
    {"events", "id", 1, 0},
    {"flags", "id", 1, 0},
    {"outbox", "id", 1, 0},
    {"verdicts", "flag_id", 0, 0},
    {"rule_retries", "rule, event_id", 0, 0},
    {"check_state", "rule, key", 0, 0},
    {"check_rules", "id", 1, 0},
    {"config_checked", "id", 1, 0},
    {"evaluation", "id", 1, 1},
};

#define N_TABLES (sizeof tables / sizeof *tables)
_Static_assert(N_TABLES <= STORE_COPY_TABLES, "the report holds every table");

/* Tables a store has that are not its data: the schema's version. */
static const char *const not_copied[] = {"vane_schema"};

/* Columns that hold only a moment's claim (PostgreSQL's lease of a source
 * to one run): left behind when the target has none. */
static const char *const claims[] = {"leased_until", "leased_by"};

/* A table's columns on one side: names and, on PostgreSQL, types. */
typedef struct columns {
    char **name;
    char **type;
    size_t n;
} columns_t;

/* The columns copied: the source's that the target has too. */
typedef struct plan {
    const copy_table_t *t;
    columns_t cols;          /* name: the source's; type: the target's */
} plan_t;

static void columns_free(columns_t *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->name[i]);
        free(c->type[i]);
    }
    free(c->name);
    free(c->type);
    *c = (columns_t){0};
}

/* Add a column (copies of name and type, type may be NULL). 0 or -1. */
static int columns_add(columns_t *c, const char *name, const char *type)
{
    char **names = realloc(c->name, (c->n + 1) * sizeof *names);
    if (names)
        c->name = names;
    char **types = realloc(c->type, (c->n + 1) * sizeof *types);
    if (types)
        c->type = types;
    if (!names || !types)
        return -1;
    c->name[c->n] = strdup(name);
    c->type[c->n] = type ? strdup(type) : NULL;
    c->n++;
    return c->name[c->n - 1] && (!type || c->type[c->n - 1]) ? 0 : -1;
}

/* The index of column name in c, or -1. */
static int columns_find(const columns_t *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0)
            return (int)i;
    return -1;
}

/* A column read into a columns_t; out of memory stops the read, leaving
 * failed set. */
typedef struct reading_columns {
    columns_t *cols;
    int failed;
} reading_columns_t;

static int read_column(db_stmt_t *s, void *ud)
{
    reading_columns_t *r = ud;
    r->failed = columns_add(r->cols, db_column_text(s, 0), db_column_text(s, 1)) != 0;
    return r->failed;
}

/* The columns of table on st, in their order; none when there is no such
 * table. */
static int table_columns(store_t *st, const char *table, columns_t *out, err_t *e)
{
    static const char lite_sql[] = "SELECT name, type FROM pragma_table_info(?) ORDER BY cid";
    static const char pg_sql[] =
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped ORDER BY attnum";
    db_stmt_t *s;
    *out = (columns_t){0};
    if (db_prepare(st, db_is_pg(st) ? pg_sql : lite_sql, &s) != 0)
        return db_error(st, e, "reading a table's columns");
    db_bind_text(s, 1, table);
    reading_columns_t r = {out, 0};
    int rc = db_each_row(st, s, read_column, &r, e, "reading a table's columns");
    db_finalize(s);
    if (rc == 0 && r.failed)
        rc = err_set(e, "out of memory");
    if (rc != 0)
        columns_free(out);
    return rc;
}

/* One statement's single integer (a count): 0, or -1 with e set. */
static int read_count(store_t *st, const char *sql, long long *n, err_t *e)
{
    db_stmt_t *s;
    if (db_prepare(st, sql, &s) != 0)
        return db_error(st, e, "counting rows");
    int rc = db_step(s);
    *n = rc == DB_ROW ? db_column_int64(s, 0) : 0;
    db_finalize(s);
    return rc == DB_ROW || rc == DB_DONE ? 0 : db_error(st, e, "counting rows");
}

/* *any: 1 when the table has a row (where cond holds, cond NULL: any). */
static int has_rows(store_t *st, const char *table, const char *cond, int *any, err_t *e)
{
    char sql[256];
    long long n;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT 1 FROM \"%s\"%s%s LIMIT 1) AS t",
             table, cond ? " WHERE " : "", cond ? cond : "");
    if (read_count(st, sql, &n, e) != 0)
        return -1;
    *any = n > 0;
    return 0;
}

static int count_rows(store_t *st, const char *table, long long *n, err_t *e)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", table);
    return read_count(st, sql, n, e);
}

/* 1 when name is a table the copy knows or leaves out on purpose. */
static int known_table(const char *name)
{
    for (size_t i = 0; i < N_TABLES; i++)
        if (strcmp(tables[i].name, name) == 0)
            return 1;
    for (size_t i = 0; i < sizeof not_copied / sizeof *not_copied; i++)
        if (strcmp(not_copied[i], name) == 0)
            return 1;
    return 0;
}

static int check_known(db_stmt_t *s, void *ud)
{
    const char *name = db_column_text(s, 0);
    if (name && !known_table(name))
        return err_set(ud, "table %s is not one migrate-store knows how to copy "
                           "(a newer vane's?)", name);
    return 0;
}

/* Refuse a source with a table the copy would leave behind. */
static int source_tables_known(store_t *from, err_t *e)
{
    static const char lite_sql[] =
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
    static const char pg_sql[] =
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'";
    db_stmt_t *s;
    if (db_prepare(from, db_is_pg(from) ? pg_sql : lite_sql, &s) != 0)
        return db_error(from, e, "listing its tables");
    err_t why = {{0}};
    int rc = db_each_row(from, s, check_known, &why, e, "listing its tables");
    db_finalize(s);
    if (rc == 0 && why.msg[0])
        rc = err_set(e, "database %s: %s", store_name(from), why.msg);
    return rc;
}

static int is_claim(const char *column)
{
    for (size_t i = 0; i < sizeof claims / sizeof *claims; i++)
        if (strcmp(claims[i], column) == 0)
            return 1;
    return 0;
}

/* The plan of one table: the source's columns the target has, each with
 * the target's type; a source column the target lacks is left out when
 * it holds nothing or only a claim, else the copy fails naming it. */
static int plan_table(store_t *from, store_t *to, const copy_table_t *t, plan_t *p, err_t *e)
{
    columns_t src, dst;
    *p = (plan_t){.t = t};
    if (table_columns(from, t->name, &src, e) != 0)
        return -1;
    if (table_columns(to, t->name, &dst, e) != 0) {
        columns_free(&src);
        return -1;
    }
    int rc = 0;
    if (src.n == 0 || dst.n == 0)
        rc = err_set(e, "database %s has no table %s", store_name(src.n ? to : from), t->name);
    for (size_t i = 0; rc == 0 && i < src.n; i++) {
        int j = columns_find(&dst, src.name[i]);
        if (j >= 0) {
            rc = columns_add(&p->cols, src.name[i], dst.type[j]) ? err_set(e, "out of memory") : 0;
            continue;
        }
        if (is_claim(src.name[i]))
            continue;
        char cond[128];
        int any = 0;
        snprintf(cond, sizeof cond, "\"%s\" IS NOT NULL", src.name[i]);
        rc = has_rows(from, t->name, cond, &any, e);
        if (rc == 0 && any)
            rc = err_set(e, "table %s: column %s has data in %s but %s has no such column",
                         t->name, src.name[i], store_name(from), store_name(to));
    }
    columns_free(&src);
    columns_free(&dst);
    if (rc != 0)
        columns_free(&p->cols);
    return rc;
}

/* What the source's SELECT reads for column c: events' prev and diff whole. */
static int put_source_column(buf_t *b, const plan_t *p, size_t c)
{
    const char *name = p->cols.name[c];
    if (strcmp(p->t->name, "events") == 0 &&
        (strcmp(name, "prev") == 0 || strcmp(name, "diff") == 0))
        return buf_printf(b, "event_%s(item, prev, diff)", name);
    return buf_printf(b, "\"%s\"", name);
}

/* SELECT of one page of the source's rows: after id ?1, or at offset ?1. */
static int select_sql(const plan_t *p, buf_t *b)
{
    int rc = buf_puts(b, "SELECT ");
    for (size_t c = 0; rc == 0 && c < p->cols.n; c++)
        rc = (c ? buf_puts(b, ", ") : 0) || put_source_column(b, p, c);
    if (rc == 0 && p->t->by_id)
        rc = buf_printf(b, " FROM \"%s\" WHERE id > ? ORDER BY id LIMIT %d", p->t->name, PAGE);
    else if (rc == 0)
        rc = buf_printf(b, " FROM \"%s\" ORDER BY %s LIMIT %d OFFSET ?", p->t->name,
                        p->t->order, PAGE);
    return rc;
}

/* INSERT of n rows into the target; on PostgreSQL each value is cast to
 * its column's type, and ids given override the identity. */
static int insert_sql(const plan_t *p, int pg, size_t n, buf_t *b)
{
    int rc = buf_printf(b, "INSERT INTO \"%s\" (", p->t->name);
    for (size_t c = 0; rc == 0 && c < p->cols.n; c++)
        rc = buf_printf(b, "%s\"%s\"", c ? ", " : "", p->cols.name[c]);
    rc = rc || buf_puts(b, pg ? ") OVERRIDING SYSTEM VALUE VALUES " : ") VALUES ");
    for (size_t r = 0, i = 1; rc == 0 && r < n; r++) {
        rc = buf_puts(b, r ? ", (" : "(");
        for (size_t c = 0; rc == 0 && c < p->cols.n; c++, i++) {
            if (pg)
                rc = buf_printf(b, "%sCAST(?%zu AS %s)", c ? ", " : "", i, p->cols.type[c]);
            else
                rc = buf_printf(b, "%s?%zu", c ? ", " : "", i);
        }
        rc = rc || buf_puts(b, ")");
    }
    return rc;
}

/* One value of a source row, copied: the source moves on before the batch
 * it belongs to is written. */
typedef struct value {
    int type;            /* DB_INTEGER, DB_TEXT (a float too, as text), DB_BLOB or DB_NULL */
    long long i;
    char *p;             /* a text, or a blob of n bytes; malloc'ed */
    size_t n;
} value_t;

/* Copy column c of the source's current row into v. 0, or -1 when out of
 * memory. */
static int value_read(value_t *v, db_stmt_t *src, int c)
{
    *v = (value_t){.type = db_column_type(src, c)};
    if (v->type == DB_INTEGER) {
        v->i = db_column_int64(src, c);
    } else if (v->type == DB_BLOB) {
        v->n = db_column_bytes(src, c);
        v->p = malloc(v->n + 1);
        if (v->p && v->n)
            memcpy(v->p, db_column_blob(src, c), v->n);
    } else if (v->type != DB_NULL) {
        v->type = DB_TEXT;
        const char *t = db_column_text(src, c);
        v->p = strdup(t ? t : "");
    }
    return v->type == DB_INTEGER || v->type == DB_NULL || v->p ? 0 : -1;
}

/* Bind v to parameter i of the insert, by its type; PostgreSQL takes every
 * value but a blob as text (the insert casts it). v must outlive the step. */
static void value_bind(const value_t *v, db_stmt_t *ins, int i, int pg, char *number, size_t size)
{
    switch (v->type) {
    case DB_NULL:
        db_bind_text(ins, i, NULL);
        break;
    case DB_INTEGER:
        if (!pg) {
            db_bind_int64(ins, i, v->i);
            break;
        }
        snprintf(number, size, "%lld", v->i);
        db_bind_text(ins, i, number);   /* PostgreSQL's driver copies it */
        break;
    case DB_BLOB:
        db_bind_blob(ins, i, v->p, v->n);
        break;
    default:
        db_bind_text(ins, i, v->p);
        break;
    }
}

/* Rows inserted per statement: as many as keep the parameters under 900
 * (a round trip to PostgreSQL per row would be most of the copy's time),
 * at most 100. */
static size_t batch_rows(size_t columns)
{
    size_t n = columns ? 900 / columns : 1;
    return n < 1 ? 1 : n > 100 ? 100 : n;
}

/* Where a copy of one table stands: the rows read and not yet written are
 * in values (pending of them, batch at most). */
typedef struct copying {
    store_t *to;
    const plan_t *p;
    db_stmt_t *ins;      /* the insert of a whole batch */
    size_t batch, pending;
    value_t *values;     /* batch rows of p->cols.n values */
    long long after;     /* the last id read (paging by id) */
    long long read;      /* rows read */
    long long rows;      /* rows written */
    int failed;          /* a row could not be read or written (e says why) */
    err_t *e;
} copying_t;

static void free_pending(copying_t *c)
{
    for (size_t i = 0; i < c->pending * c->p->cols.n; i++) {
        free(c->values[i].p);
        c->values[i].p = NULL;
    }
    c->pending = 0;
}

/* Write the pending rows with ins (an insert of exactly that many). */
static int write_pending(copying_t *c, db_stmt_t *ins)
{
    int pg = db_is_pg(c->to);
    size_t n = c->pending * c->p->cols.n;
    char (*numbers)[24] = calloc(n ? n : 1, sizeof *numbers);
    if (!numbers) {
        free_pending(c);
        return err_set(c->e, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        value_bind(&c->values[i], ins, (int)i + 1, pg, numbers[i], sizeof numbers[i]);
    int rc = db_step(ins);
    db_reset(ins);
    free(numbers);
    c->rows += (long long)c->pending;
    free_pending(c);
    return rc == DB_DONE ? 0 : db_error(c->to, c->e, "writing rows");
}

/* The rows still pending, with an insert made for their number. */
static int write_rest(copying_t *c)
{
    if (c->pending == 0)
        return 0;
    buf_t sql = {0};
    db_stmt_t *ins = NULL;
    int rc = insert_sql(c->p, db_is_pg(c->to), c->pending, &sql) ? err_set(c->e, "out of memory") : 0;
    if (rc == 0 && db_prepare(c->to, buf_str(&sql), &ins) != 0)
        rc = db_error(c->to, c->e, "writing a table");
    if (rc == 0)
        rc = write_pending(c, ins);
    else
        free_pending(c);
    db_finalize(ins);
    buf_free(&sql);
    return rc;
}

static int copy_row(db_stmt_t *src, void *ud)
{
    copying_t *c = ud;
    value_t *row = c->values + c->pending * c->p->cols.n;
    c->pending++;
    for (size_t i = 0; i < c->p->cols.n; i++)
        if (value_read(&row[i], src, (int)i) != 0) {
            c->failed = 1;
            return err_set(c->e, "out of memory");
        }
    if (c->p->t->by_id)
        c->after = db_column_int64(src, columns_find(&c->p->cols, "id"));
    c->read++;
    if (c->pending == c->batch && write_pending(c, c->ins) != 0)
        c->failed = 1;
    return c->failed;
}

/* Copy the rows of one page; *n: how many were read. */
static int copy_page(store_t *from, db_stmt_t *sel, copying_t *c, long long *n)
{
    long long before = c->read;
    db_bind_int64(sel, 1, c->p->t->by_id ? c->after : c->read);
    int rc = db_each_row(from, sel, copy_row, c, c->e, "reading a table");
    *n = c->read - before;
    return rc != 0 || c->failed ? -1 : 0;
}

/* Copy every row of the planned table; *rows: how many. */
static int copy_table(store_t *from, store_t *to, const plan_t *p, long long *rows, err_t *e)
{
    buf_t sel_sql = {0}, ins_sql = {0};
    db_stmt_t *sel = NULL;
    copying_t c = {.to = to, .p = p, .batch = batch_rows(p->cols.n), .e = e};
    c.values = calloc(c.batch * p->cols.n + 1, sizeof *c.values);
    int rc = !c.values || select_sql(p, &sel_sql) || insert_sql(p, db_is_pg(to), c.batch, &ins_sql)
                 ? err_set(e, "out of memory") : 0;
    if (rc == 0 && db_prepare(from, buf_str(&sel_sql), &sel) != 0)
        rc = db_error(from, e, "reading a table");
    if (rc == 0 && db_prepare(to, buf_str(&ins_sql), &c.ins) != 0)
        rc = db_error(to, e, "writing a table");
    for (long long n = PAGE; rc == 0 && n == PAGE;)
        rc = copy_page(from, sel, &c, &n);
    if (rc == 0)
        rc = write_rest(&c);
    if (rc != 0)
        err_prefix(e, "copying table %s: ", p->t->name);
    free_pending(&c);
    free(c.values);
    db_finalize(sel);
    db_finalize(c.ins);
    buf_free(&sel_sql);
    buf_free(&ins_sql);
    *rows = c.rows;
    return rc;
}

/* Refuse a target with a row in any table the copy writes (the watermark
 * every new store has aside). */
static int target_empty(store_t *to, err_t *e)
{
    for (size_t i = 0; i < N_TABLES; i++) {
        int any = 0;
        if (tables[i].singleton)
            continue;
        if (has_rows(to, tables[i].name, NULL, &any, e) != 0)
            return -1;
        if (any)
            return err_set(e, "database %s is not empty: table %s has rows "
                              "(migrate-store copies into an empty store only)",
                           store_name(to), tables[i].name);
    }
    return 0;
}

/* The counts of every table on both sides, into the report; a difference
 * fails naming the table. */
static int verify_counts(store_t *from, store_t *to, store_copy_report_t *out, err_t *e)
{
    for (size_t i = 0; i < N_TABLES; i++) {
        long long a, b;
        if (count_rows(from, tables[i].name, &a, e) != 0 || count_rows(to, tables[i].name, &b, e) != 0)
            return -1;
        if (a != b)
            return err_set(e, "table %s: %s has %lld rows but %s has %lld after the copy",
                           tables[i].name, store_name(from), a, store_name(to), b);
        out->table[i] = (store_copy_table_t){tables[i].name, b};
    }
    out->n = N_TABLES;
    return 0;
}

/* On PostgreSQL, each identity id's sequence moved to the largest id
 * copied, so the next row gets the one after. */
static int advance_sequences(store_t *to, const plan_t *plans, err_t *e)
{
    if (!db_is_pg(to))
        return 0;
    for (size_t i = 0; i < N_TABLES; i++) {
        char sql[256];
        if (columns_find(&plans[i].cols, "id") < 0 || !plans[i].t->by_id)
            continue;
        snprintf(sql, sizeof sql,
                 "SELECT setval(pg_get_serial_sequence('%s', 'id'), max(id)) FROM \"%s\"",
                 tables[i].name, tables[i].name);
        if (db_script(to, sql) != 0)
            return db_error(to, e, "moving an id sequence");
    }
    return 0;
}

/* Copy every table in order (the singleton's row replaced). */
static int copy_all(store_t *from, store_t *to, const plan_t *plans, err_t *e)
{
    for (size_t i = 0; i < N_TABLES; i++) {
        long long rows;
        char sql[128];
        snprintf(sql, sizeof sql, "DELETE FROM \"%s\"", tables[i].name);
        if (tables[i].singleton && db_script(to, sql) != 0)
            return db_error(to, e, "clearing a table");
        if (copy_table(from, to, &plans[i], &rows, e) != 0)
            return -1;
    }
    return 0;
}

/* Plan, check and copy, with both transactions open. */
static int copy_in_transactions(store_t *from, store_t *to, plan_t *plans,
                                store_copy_report_t *out, err_t *e)
{
    if (source_tables_known(from, e) != 0 || target_empty(to, e) != 0)
        return -1;
    for (size_t i = 0; i < N_TABLES; i++)
        if (plan_table(from, to, &tables[i], &plans[i], e) != 0)
            return -1;
    return copy_all(from, to, plans, e) || verify_counts(from, to, out, e) ||
           advance_sequences(to, plans, e) ? -1 : 0;
}

/* A read of one moment: SQLite's snapshot starts with the first read. */
static int begin_reading(store_t *from, err_t *e)
{
    const char *sql = db_is_pg(from) ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN";
    return db_script(from, sql) != 0 ? db_error(from, e, "beginning to read") : 0;
}

int store_copy(store_t *from, store_t *to, store_copy_report_t *out, err_t *e)
{
    plan_t plans[N_TABLES] = {{0}};
    *out = (store_copy_report_t){0};
    if (begin_reading(from, e) != 0)
        return -1;
    int rc = store_begin(to, e);
    if (rc == 0)
        rc = copy_in_transactions(from, to, plans, out, e);
    if (rc == 0)
        rc = store_commit(to, e);
    if (rc != 0) {
        store_rollback(to);
        *out = (store_copy_report_t){0};
    }
    db_script(from, "ROLLBACK");
    for (size_t i = 0; i < N_TABLES; i++)
        columns_free(&plans[i].cols);
    return rc;
}

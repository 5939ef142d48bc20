/* dbpeek.h — a test's look into a database file through a connection of
 * its own (the store keeps its own connection to itself): one value of the
 * first row of a query with at most one parameter. Committed rows only.
 * Everything here is static inline; include after cmocka.h. */
#ifndef VANE_DBPEEK_H
#define VANE_DBPEEK_H

#include <sqlite3.h>
#include <stdio.h>

/* Step sql (with ?1 = arg when it has a parameter) to its first row and
 * hand column 0 to read; the statement is finalized after. */
static inline void dbpeek(const char *path, const char *sql, long long arg,
                          void (*read)(sqlite3_stmt *q, void *out), void *out)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    if (sqlite3_bind_parameter_count(q) > 0)
        sqlite3_bind_int64(q, 1, arg);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    read(q, out);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static inline void dbpeek_read_int(sqlite3_stmt *q, void *out)
{
    *(long long *)out = sqlite3_column_int64(q, 0);
}

static inline void dbpeek_read_text(sqlite3_stmt *q, void *out)
{
    const unsigned char *t = sqlite3_column_text(q, 0);
    snprintf(out, 256, "%s", t ? (const char *)t : "(null)");
}

static inline long long dbpeek_int(const char *path, const char *sql, long long arg)
{
    long long n = 0;
    dbpeek(path, sql, arg, dbpeek_read_int, &n);
    return n;
}

/* The text (at most 255 bytes), or "(null)". */
static inline const char *dbpeek_text(const char *path, const char *sql, char out[256])
{
    dbpeek(path, sql, 0, dbpeek_read_text, out);
    return out;
}

#endif

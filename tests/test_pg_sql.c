/* test_pg_sql.c — store/pg_sql.c: the store's SQL in the form PostgreSQL
 * reads (parameters numbered, SQLite's index hints dropped, quoted text
 * left alone), and a database URL shown without its password. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "store/pg_sql.h"

#define H "\xE2\x80\xA6"

static void translates(const char *sql, const char *want, int nparams)
{
    pg_sql_t s;
    assert_int_equal(pg_sql_translate(sql, &s), 0);
    assert_string_equal(s.text, want);
    assert_int_equal(s.nparams, nparams);
    pg_sql_free(&s);
}

static void numbered_and_bare_parameters(void **state)
{
    (void)state;
    translates("SELECT a FROM t WHERE b = ?1 AND c = ?2", "SELECT a FROM t WHERE b = $1 AND c = $2", 2);
    translates("UPDATE t SET a = ?2 WHERE id = ?1", "UPDATE t SET a = $2 WHERE id = $1", 2);
    /* SQLite's rule: a bare ? takes the number after the largest so far */
    translates("VALUES(?, ?, ?5, ?)", "VALUES($1, $2, $5, $6)", 6);
    translates("SELECT 1", "SELECT 1", 0);
}

static void named_parameters_keep_their_number(void **state)
{
    (void)state;
    pg_sql_t s;
    assert_int_equal(pg_sql_translate("SELECT x FROM t WHERE s = :source AND t >= :since "
                                      "AND (s = :source OR k = @key)", &s), 0);
    assert_string_equal(s.text, "SELECT x FROM t WHERE s = $1 AND t >= $2 AND (s = $1 OR k = $3)");
    assert_int_equal(s.nparams, 3);
    assert_int_equal(pg_sql_param_index(&s, ":source"), 1);
    assert_int_equal(pg_sql_param_index(&s, ":since"), 2);
    assert_int_equal(pg_sql_param_index(&s, "@key"), 3);
    assert_int_equal(pg_sql_param_index(&s, ":absent"), 0);
    pg_sql_free(&s);
}

static void quoted_text_and_casts_are_left_alone(void **state)
{
    (void)state;
    translates("SELECT json_extract(f, '$.a?b:c'), \"odd?name\" FROM t WHERE x = ?1",
               "SELECT json_extract(f, '$.a?b:c'), \"odd?name\" FROM t WHERE x = $1", 1);
    translates("SELECT 'it''s ?' || ?1", "SELECT 'it''s ?' || $1", 1);
    translates("SELECT CAST(?1 AS text[]), x::bigint FROM t", "SELECT CAST($1 AS text[]), x::bigint FROM t", 1);
    translates("SELECT 1 -- a comment with ? and :name\n, ?1", "SELECT 1 -- a comment with ? and :name\n, $1", 1);
}

static void sqlite_index_hints_are_dropped(void **state)
{
    (void)state;
    translates("SELECT min(id) FROM events INDEXED BY events_observed WHERE observed_at >= ?1",
               "SELECT min(id) FROM events  WHERE observed_at >= $1", 1);
    /* a unary plus keeps SQLite from using an index; a binary plus stays */
    translates("SELECT a FROM t WHERE +observed_at >= ?1 AND (+change = 'new')",
               "SELECT a FROM t WHERE observed_at >= $1 AND (change = 'new')", 1);
    translates("SELECT a + b, x+1, (c) + d FROM t", "SELECT a + b, x+1, (c) + d FROM t", 0);
    /* a word that only contains the hint's letters is a name */
    translates("SELECT reindexed_by FROM t", "SELECT reindexed_by FROM t", 0);
    translates("BEGIN IMMEDIATE", "BEGIN", 0);
}

static void readonly_is_told(void **state)
{
    (void)state;
    pg_sql_t s;
    assert_int_equal(pg_sql_translate("  WITH x AS (SELECT 1) SELECT * FROM x", &s), 0);
    assert_int_equal(s.readonly, 1);
    pg_sql_free(&s);
    assert_int_equal(pg_sql_translate("UPDATE t SET a = 1", &s), 0);
    assert_int_equal(s.readonly, 0);
    pg_sql_free(&s);
}

static void shown(const char *url, const char *want)
{
    char *got = pg_url_shown(url);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void urls_are_shown_without_a_password(void **state)
{
    (void)state;
    shown("postgresql://vane@db.example.org/vane?sslmode=require",
          "postgresql://vane@db.example.org/vane?sslmode=require");
    shown("postgresql://vane:s3cret@db.example.org:5433/vane",
          "postgresql://vane:" H "@db.example.org:5433/vane");
    shown("postgres://u:p@h/d?password=also&sslmode=verify-full",
          "postgres://u:" H "@h/d?password=" H "&sslmode=verify-full");
    shown("postgresql:///vane?host=/run/postgresql&user=vane",
          "postgresql:///vane?host=/run/postgresql&user=vane");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbered_and_bare_parameters),
        cmocka_unit_test(named_parameters_keep_their_number),
        cmocka_unit_test(quoted_text_and_casts_are_left_alone),
        cmocka_unit_test(sqlite_index_hints_are_dropped),
        cmocka_unit_test(readonly_is_told),
        cmocka_unit_test(urls_are_shown_without_a_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

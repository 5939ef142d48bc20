/* test_backup.c — store_backup: a copy of a real database file that opens
 * as the same database, an existing target kept unless forced, and a
 * missing database an error naming it, with nothing left behind. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store.h"
#include "dbtest.h"

/* Files in dir. */
static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *de; (de = readdir(d));)
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

static void put_item(store_t *st)
{
    err_t e = {{0}};
    source_state_t ss;
    assert_int_equal(store_source_get(st, "s", "http://x/", &ss, &e), 0);
    source_state_free(&ss);
    assert_int_equal(store_item_put(st, "s", "k", "{\"a\":1}", "2024-01-01T00:00:00Z", &e), 0);
}

static void the_copy_opens_as_the_same_database(void **state)
{
    fixture_t *f = *state;
    put_item(f->st);
    char to[160];
    snprintf(to, sizeof to, "%s/copy.db", f->dir);
    err_t e = {{0}};
    assert_int_equal(store_backup(f->path, to, 0, &e), 0);
    struct stat sb;
    assert_int_equal(stat(to, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    store_t *copy = store_open(to, &e);
    assert_non_null(copy);
    assert_int_equal(store_version(copy), store_latest_version());
    store_item_t *items;
    size_t n;
    assert_int_equal(store_items_load(copy, "s", &items, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(items[0].fields, "{\"a\":1}");
    store_items_free(items, n);
    store_close(copy);
}

static void an_existing_target_is_kept_unless_forced(void **state)
{
    fixture_t *f = *state;
    char to[160];
    snprintf(to, sizeof to, "%s/copy.db", f->dir);
    FILE *out = fopen(to, "w");
    assert_non_null(out);
    fputs("keep", out);
    fclose(out);
    int before = count_files(f->dir);
    err_t e = {{0}};
    assert_int_equal(store_backup(f->path, to, 0, &e), 1);
    struct stat sb;
    assert_int_equal(stat(to, &sb), 0);
    assert_int_equal(sb.st_size, 4);
    assert_int_equal(count_files(f->dir), before);
    assert_int_equal(store_backup(f->path, to, 1, &e), 0);
    assert_int_equal(stat(to, &sb), 0);
    assert_true(sb.st_size > 4);
    assert_int_equal(count_files(f->dir), before);
}

static void a_missing_database_is_an_error_naming_it(void **state)
{
    fixture_t *f = *state;
    char from[160], to[160];
    snprintf(from, sizeof from, "%s/none.db", f->dir);
    snprintf(to, sizeof to, "%s/copy.db", f->dir);
    int before = count_files(f->dir);
    err_t e = {{0}};
    assert_int_equal(store_backup(from, to, 0, &e), -1);
    assert_non_null(strstr(e.msg, "none.db"));
    assert_int_equal(count_files(f->dir), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_copy_opens_as_the_same_database, dbtest_setup,
                                        dbtest_teardown),
        cmocka_unit_test_setup_teardown(an_existing_target_is_kept_unless_forced, dbtest_setup,
                                        dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_missing_database_is_an_error_naming_it, dbtest_setup,
                                        dbtest_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

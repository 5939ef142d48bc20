/* dbtest.h — the cmocka group state the store-level unit tests share: a
 * fresh SQLite file in its own temporary folder, opened with store_open
 * (all migrations applied), removed with its folder afterwards. Included by
 * one test program at a time; everything here is static inline. */
#ifndef VANE_DBTEST_H
#define VANE_DBTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

typedef struct fixture {
    char dir[64];
    char path[128];
    store_t *st;
} fixture_t;

static inline int dbtest_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/vane-test-db-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/vane.db", f->dir);
    err_t e = {{0}};
    f->st = store_open(f->path, &e);
    assert_non_null(f->st);
    *state = f;
    return 0;
}

static inline int dbtest_teardown(void **state)
{
    fixture_t *f = *state;
    store_close(f->st);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

#endif

/* test_reshape.c — when one fetch reshapes a source (diff/reshape.c), and
 * how diff_store stores a reshape as a re-baseline (on a real SQLite file). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff.h"
#include "diff/reshape.h"
#include "dbtest.h"

static void the_decision_needs_ten_gone_half_the_list_and_as_many_arrived(void **state)
{
    (void)state;
    /* listed, left, arrived */
    assert_true(reshape_is(20, 20, 20));       /* every key replaced */
    assert_true(reshape_is(20, 10, 10));       /* exactly half gone, as many arrived */
    assert_true(reshape_is(20, 10, 5));        /* half as many arrived is about as many */
    assert_true(reshape_is(211, 211, 420));    /* a redesign that lists more */
    assert_false(reshape_is(9, 9, 9));         /* 9 items: too few to tell */
    assert_false(reshape_is(100, 9, 9));
    assert_false(reshape_is(21, 10, 10));      /* less than half gone */
    assert_false(reshape_is(20, 10, 4));       /* fewer than half as many arrived */
    assert_false(reshape_is(20, 0, 20));       /* arrivals without departures */
    assert_false(reshape_is(20, 20, 0));       /* a feed cut short: removals */
    assert_false(reshape_is(0, 0, 0));
}

/* Items k000.. as stored (sorted), every `removed_every`-th removed. */
static store_item_t *stored(const char *prefix, size_t n, size_t removed_every)
{
    store_item_t *o = calloc(n, sizeof *o);
    for (size_t i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "%s%03zu", prefix, i);
        o[i].key = strdup(key);
        o[i].fields = strdup("{}");
        o[i].removed = removed_every && i % removed_every == 0;
    }
    return o;
}

static diff_item_t *listed(const char *prefix, size_t from, size_t n)
{
    diff_item_t *c = calloc(n ? n : 1, sizeof *c);
    for (size_t i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "%s%03zu", prefix, from + i);
        c[i].key = strdup(key);
        c[i].fields = strdup("{}");
    }
    return c;
}

static void free_listed(diff_item_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].key);
        free(c[i].fields);
    }
    free(c);
}

static void counting_follows_keys_and_skips_what_was_already_gone(void **state)
{
    (void)state;
    store_item_t *old = stored("old/", 12, 4); /* 000, 004, 008 removed: 9 listed */
    old[1].absent = 1;                          /* 001 missing from the last list: 8 listed */
    diff_item_t *cur = listed("old/", 8, 2);    /* 008 (back after removal), 009 */
    reshape_t r;
    reshape_count(old, 12, cur, 2, &r);
    assert_int_equal(r.listed, 8);
    assert_int_equal(r.left, 7);                /* 002 003 005 006 007 010 011 */
    assert_int_equal(r.arrived, 1);             /* 008 comes back as `new` */
    assert_int_equal(r.n_left_ex, 3);
    assert_string_equal(r.left_ex[0], "old/002");
    assert_string_equal(r.left_ex[2], "old/005");
    assert_int_equal(r.n_arrived_ex, 1);
    assert_string_equal(r.arrived_ex[0], "old/008");
    store_items_free(old, 12);
    free_listed(cur, 2);
}

static void long_keys_are_shortened_in_the_middle_without_cutting_a_character(void **state)
{
    (void)state;
    char out[RESHAPE_LABEL];
    reshape_label("short", out);
    assert_string_equal(out, "short");
    char key[200];
    memset(key, 'a', 29);
    strcpy(key + 29, "\xc3\xa9\xc3\xa9\xc3\xa9"); /* é at 29-30 straddles the head's end */
    memset(key + 35, 'z', 100);
    key[135] = '\0';
    reshape_label(key, out);
    assert_true(strlen(out) < RESHAPE_LABEL);
    assert_non_null(strstr(out, "\xe2\x80\xa6"));
    assert_int_equal(out[strlen(out) - 1], 'z');
    for (const char *p = out; *p; p++) /* no lone continuation byte before the ellipsis */
        if (((unsigned char)*p & 0xC0) == 0x80)
            assert_true(((unsigned char)p[-1] & 0x80) != 0);
    assert_int_equal(strncmp(out, key, 29), 0);
    assert_int_equal((unsigned char)out[29], 0xE2); /* the é was left out whole */
}

/* ---- diff_store on a real database ---------------------------------------- */

#define NOW1 "2024-01-01T00:00:00Z"
#define NOW2 "2024-01-02T00:00:00Z"
#define NOW3 "2024-01-03T00:00:00Z"

static diff_result_t fetch_list(store_t *st, int baseline, int removals, diff_item_t *cur,
                                size_t n, const char *now)
{
    diff_target_t t = {st, "s", 0, baseline, now, {NULL, 0, removals}, 1}; /* 0: no run row */
    diff_result_t res;
    err_t e = {{0}};
    assert_int_equal(store_begin(st, &e), 0);
    assert_int_equal(diff_store(&t, cur, n, &res, &e), 0);
    assert_int_equal(store_commit(st, &e), 0);
    return res;
}

/* Events of one kind since `since`: how many, and how many marked baseline. */
static void count_events(store_t *st, const char *since, const char *change, size_t *n,
                         size_t *baseline)
{
    store_history_query_t q = {"s", since, change, 1, 10000};
    store_event_t *evs;
    err_t e = {{0}};
    assert_int_equal(store_history_events(st, &q, &evs, n, &e), 0);
    *baseline = 0;
    for (size_t i = 0; i < *n; i++)
        *baseline += evs[i].baseline;
    store_events_free(evs, *n);
}

static void setup_source(store_t *st)
{
    source_state_t ss;
    err_t e = {{0}};
    assert_int_equal(store_source_get(st, "s", "http://x/", &ss, &e), 0);
    source_state_free(&ss);
}

static void a_reshape_stores_its_new_and_removed_events_as_baseline(void **state)
{
    fixture_t *f = *state;
    setup_source(f->st);
    diff_item_t *a = listed("http://x/", 0, 12);
    fetch_list(f->st, 1, 1, a, 12, NOW1);
    diff_item_t *b = listed("https://x/", 0, 12);
    free(b[0].fields);
    b[0].fields = strdup("{\"level\":2}");
    diff_result_t res = fetch_list(f->st, 0, 1, b, 12, NOW2);
    assert_true(res.reshaped);
    assert_true(res.rebaselined);
    assert_int_equal(res.reshape.left, 12);
    assert_int_equal(res.reshape.arrived, 12);
    assert_int_equal(res.events, 24);
    size_t n, base;
    count_events(f->st, NOW2, "new", &n, &base);
    assert_int_equal(n, 12);
    assert_int_equal(base, 12);
    count_events(f->st, NOW2, "removed", &n, &base);
    assert_int_equal(n, 12);
    assert_int_equal(base, 12);

    /* the same list again: nothing left, nothing arrived, no events */
    diff_item_t *c = listed("https://x/", 0, 12);
    free(c[0].fields);
    c[0].fields = strdup("{\"level\":3}");
    res = fetch_list(f->st, 0, 1, c, 12, NOW3);
    assert_false(res.reshaped);
    assert_int_equal(res.events, 1);
    count_events(f->st, NOW3, "changed", &n, &base);
    assert_int_equal(n, 1);
    assert_int_equal(base, 0);
    free_listed(a, 12);
    free_listed(b, 12);
    free_listed(c, 12);
}

static void without_removals_a_reshape_marks_the_old_items_absent(void **state)
{
    fixture_t *f = *state;
    setup_source(f->st);
    diff_item_t *a = listed("old/", 0, 10);
    fetch_list(f->st, 1, 0, a, 10, NOW1);
    diff_item_t *b = listed("new/", 0, 10);
    diff_result_t res = fetch_list(f->st, 0, 0, b, 10, NOW2);
    assert_true(res.reshaped);
    assert_int_equal(res.events, 10); /* the new ones, as baseline; no `removed` */
    size_t n, base;
    count_events(f->st, NOW2, "new", &n, &base);
    assert_int_equal(base, 10);
    count_events(f->st, NOW2, "removed", &n, &base);
    assert_int_equal(n, 0);

    /* the next fetch neither reshapes again nor reports the old keys */
    diff_item_t *c = listed("new/", 0, 10);
    res = fetch_list(f->st, 0, 0, c, 10, NOW3);
    assert_false(res.reshaped);
    assert_int_equal(res.reshape.listed, 10);
    assert_int_equal(res.events, 0);
    free_listed(a, 10);
    free_listed(b, 10);
    free_listed(c, 10);
}

static void a_feed_cut_in_half_is_removals_not_a_reshape(void **state)
{
    fixture_t *f = *state;
    setup_source(f->st);
    diff_item_t *a = listed("k", 0, 20);
    fetch_list(f->st, 1, 1, a, 20, NOW1);
    diff_item_t *b = listed("k", 0, 10);
    diff_result_t res = fetch_list(f->st, 0, 1, b, 10, NOW2);
    assert_false(res.reshaped);
    assert_int_equal(res.reshape.left, 10);
    size_t n, base;
    count_events(f->st, NOW2, "removed", &n, &base);
    assert_int_equal(n, 10);
    assert_int_equal(base, 0);
    free_listed(a, 20);
    free_listed(b, 10);
}

static void in_an_episode_a_second_reshape_is_stored_as_news(void **state)
{
    fixture_t *f = *state;
    setup_source(f->st);
    diff_item_t *a = listed("a", 0, 10);
    fetch_list(f->st, 1, 1, a, 10, NOW1);
    diff_item_t *b = listed("b", 0, 10);
    diff_target_t t = {f->st, "s", 0, 0, NOW2, {NULL, 0, 1}, 0}; /* may not re-baseline */
    diff_result_t res;
    err_t e = {{0}};
    assert_int_equal(diff_store(&t, b, 10, &res, &e), 0);
    assert_true(res.reshaped);
    assert_false(res.rebaselined);
    size_t n, base;
    count_events(f->st, NOW2, "new", &n, &base);
    assert_int_equal(n, 10);
    assert_int_equal(base, 0);
    free_listed(a, 10);
    free_listed(b, 10);
}

static void reshape_message_gives_counts_and_examples(void **state)
{
    (void)state;
    reshape_t r = {.listed = 211, .left = 211, .arrived = 211, .n_left_ex = 2, .n_arrived_ex = 1};
    strcpy(r.left_ex[0], "a");
    strcpy(r.left_ex[1], "b");
    strcpy(r.arrived_ex[0], "CH");
    buf_t b = {0};
    assert_int_equal(reshape_message(&r, "adv", &b), 0);
    assert_string_equal(buf_str(&b), "source adv was reshaped: 211 of its 211 items left and 211 "
                                     "arrived (left: a, b; arrived: CH); stored as a new "
                                     "baseline, not as news");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_decision_needs_ten_gone_half_the_list_and_as_many_arrived),
        cmocka_unit_test(counting_follows_keys_and_skips_what_was_already_gone),
        cmocka_unit_test(long_keys_are_shortened_in_the_middle_without_cutting_a_character),
        cmocka_unit_test(reshape_message_gives_counts_and_examples),
        cmocka_unit_test_setup_teardown(a_reshape_stores_its_new_and_removed_events_as_baseline, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(without_removals_a_reshape_marks_the_old_items_absent, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(a_feed_cut_in_half_is_removals_not_a_reshape, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(in_an_episode_a_second_reshape_is_stored_as_news, dbtest_setup, dbtest_teardown),
    };
    return cmocka_run_group_tests_name("reshape", tests, NULL, NULL);
}

/* test_split.c — a digest sent in parts within a limit (split.c): the parts
 * come in order and each fits, together they carry every flag once, a flag
 * too big alone goes alone, the first failed send stops the rest and is
 * returned, and a one-flag message is sent as it is. The renderer here
 * gives each flag a size (its weight) and writes the ids it was given. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/split.h"

#define MAX_FLAGS 200
#define MAX_PARTS 200

typedef struct rec {
    size_t weight[MAX_FLAGS];  /* by flag id */
    size_t overhead;           /* added to every rendering (a header) */
    char *parts[MAX_PARTS];    /* the bodies sent, in order */
    size_t sizes[MAX_PARTS];
    int digest[MAX_PARTS];
    size_t n_parts;
    size_t renders;
    int fail_at;               /* the send (1-based) that fails; 0: none */
    int oom_at;                /* the render (1-based) that runs out of memory; 0: none */
} rec_t;

static size_t size_of(const channel_msg_t *part, const rec_t *r)
{
    size_t size = r->overhead;
    for (size_t i = 0; i < part->n; i++)
        size += r->weight[part->flags[i].id];
    return size;
}

static int render(const channel_msg_t *part, void *ud, buf_t *out, size_t *size)
{
    rec_t *r = ud;
    r->renders++;
    if (r->oom_at && (int)r->renders == r->oom_at)
        return -1;
    for (size_t i = 0; i < part->n; i++)
        buf_printf(out, "%s%lld", i ? "," : "", part->flags[i].id);
    *size = size_of(part, r);
    return 0;
}

static int send_part(const channel_msg_t *part, const buf_t *body, void *ud, err_t *e)
{
    rec_t *r = ud;
    assert_true(r->n_parts < MAX_PARTS);
    if (r->fail_at && (int)r->n_parts + 1 == r->fail_at) {
        r->n_parts++;
        return err_set(e, "channel c: refused part %zu", r->n_parts);
    }
    r->parts[r->n_parts] = strdup(buf_str(body));
    r->sizes[r->n_parts] = size_of(part, r);
    r->digest[r->n_parts] = part->digest;
    r->n_parts++;
    return 0;
}

static void rec_free(rec_t *r)
{
    for (size_t i = 0; i < r->n_parts; i++)
        free(r->parts[i]);
}

/* n flags with ids 1..n */
static channel_flag_t *flags(size_t n)
{
    channel_flag_t *f = calloc(n, sizeof *f);
    for (size_t i = 0; i < n; i++)
        f[i].id = (long long)i + 1;
    return f;
}

/* Every id 1..n appears once, in order, across the parts sent. */
static void assert_each_flag_once_in_order(const rec_t *r, size_t n)
{
    long long want = 1;
    for (size_t p = 0; p < r->n_parts; p++) {
        if (!r->parts[p])
            continue;
        char *copy = strdup(r->parts[p]), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
            assert_int_equal(atoll(t), want++);
        free(copy);
    }
    assert_int_equal(want, (long long)n + 1);
}

static void parts_are_in_order_each_within_the_limit(void **state)
{
    (void)state;
    static rec_t r;
    memset(&r, 0, sizeof r);
    r.overhead = 5;
    size_t n = 100;
    for (size_t i = 1; i <= n; i++)
        r.weight[i] = 1 + (i * 7) % 13;   /* 1..13, uneven */
    channel_flag_t *f = flags(n);
    channel_msg_t m = {.flags = f, .n = n, .digest = 1};
    err_t e = {{0}};
    assert_int_equal(split_send(&m, 60, render, send_part, &r, &e), 0);
    assert_true(r.n_parts > 1);
    for (size_t p = 0; p < r.n_parts; p++) {
        assert_true(r.sizes[p] <= 60);
        assert_true(r.digest[p]);
    }
    /* each part is as long as it could be: the next flag would not fit */
    size_t first = 0;
    for (size_t p = 0; p + 1 < r.n_parts; p++) {
        size_t k = 1;
        for (const char *c = r.parts[p]; *c; c++)
            k += *c == ',';
        first += k;
        assert_true(r.sizes[p] + r.weight[first + 1] > 60);
    }
    assert_each_flag_once_in_order(&r, n);
    rec_free(&r);
    free(f);
}

static void a_digest_that_fits_goes_in_one_part(void **state)
{
    (void)state;
    static rec_t r;
    memset(&r, 0, sizeof r);
    channel_flag_t *f = flags(10);
    for (size_t i = 1; i <= 10; i++)
        r.weight[i] = 3;
    channel_msg_t m = {.flags = f, .n = 10, .digest = 1};
    err_t e = {{0}};
    assert_int_equal(split_send(&m, 30, render, send_part, &r, &e), 0);
    assert_int_equal(r.n_parts, 1);
    assert_string_equal(r.parts[0], "1,2,3,4,5,6,7,8,9,10");
    rec_free(&r);
    free(f);
}

static void a_flag_too_big_alone_goes_alone(void **state)
{
    (void)state;
    static rec_t r;
    memset(&r, 0, sizeof r);
    channel_flag_t *f = flags(6);
    size_t w[] = {0, 4, 4, 100, 4, 200, 4};
    memcpy(r.weight, w, sizeof w);
    channel_msg_t m = {.flags = f, .n = 6, .digest = 1};
    err_t e = {{0}};
    assert_int_equal(split_send(&m, 10, render, send_part, &r, &e), 0);
    assert_int_equal(r.n_parts, 5);
    assert_string_equal(r.parts[0], "1,2");
    assert_string_equal(r.parts[1], "3");
    assert_string_equal(r.parts[2], "4");
    assert_string_equal(r.parts[3], "5");
    assert_string_equal(r.parts[4], "6");
    rec_free(&r);
    free(f);
}

static void the_first_failed_send_stops_the_rest_and_is_returned(void **state)
{
    (void)state;
    static rec_t r;
    memset(&r, 0, sizeof r);
    channel_flag_t *f = flags(12);
    for (size_t i = 1; i <= 12; i++)
        r.weight[i] = 5;
    r.fail_at = 2;
    channel_msg_t m = {.flags = f, .n = 12, .digest = 1};
    err_t e = {{0}};
    assert_int_equal(split_send(&m, 20, render, send_part, &r, &e), -1);
    assert_string_equal(e.msg, "channel c: refused part 2");
    assert_int_equal(r.n_parts, 2);   /* the third part was never tried */
    assert_string_equal(r.parts[0], "1,2,3,4");
    rec_free(&r);
    free(f);
}

static void a_render_out_of_memory_fails_the_send(void **state)
{
    (void)state;
    static rec_t r;
    memset(&r, 0, sizeof r);
    channel_flag_t *f = flags(8);
    for (size_t i = 1; i <= 8; i++)
        r.weight[i] = 5;
    r.oom_at = 3;
    channel_msg_t m = {.flags = f, .n = 8, .digest = 1};
    err_t e = {{0}};
    assert_int_equal(split_send(&m, 12, render, send_part, &r, &e), -1);
    assert_non_null(strstr(e.msg, "out of memory"));
    rec_free(&r);
    free(f);
}

static void a_one_flag_message_is_sent_as_it_is(void **state)
{
    (void)state;
    static rec_t r;
    memset(&r, 0, sizeof r);
    channel_flag_t *f = flags(1);
    r.weight[1] = 500;   /* over the limit: still sent, its renderer shortens it */
    channel_msg_t m = {.flags = f, .n = 1, .digest = 0};
    err_t e = {{0}};
    assert_int_equal(split_send(&m, 10, render, send_part, &r, &e), 0);
    assert_int_equal(r.n_parts, 1);
    assert_int_equal(r.renders, 1);
    assert_false(r.digest[0]);
    assert_string_equal(r.parts[0], "1");
    rec_free(&r);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parts_are_in_order_each_within_the_limit),
        cmocka_unit_test(a_digest_that_fits_goes_in_one_part),
        cmocka_unit_test(a_flag_too_big_alone_goes_alone),
        cmocka_unit_test(the_first_failed_send_stops_the_rest_and_is_returned),
        cmocka_unit_test(a_render_out_of_memory_fails_the_send),
        cmocka_unit_test(a_one_flag_message_is_sent_as_it_is),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* split.c — a digest in parts that fit the service's limit (see split.h).
 *
 * The longest run that fits is found by doubling then halving the number
 * of flags tried, so a digest of n flags renders O(log n) times per part. */
#include "channel/split.h"

/* Does the run of k flags from i fit? -1 when memory ran out. */
static int fits(const channel_msg_t *m, size_t i, size_t k, size_t limit, split_render_fn render,
                void *ud, buf_t *scratch)
{
    channel_msg_t part = {.flags = m->flags + i, .n = k, .digest = 1};
    size_t size = 0;
    buf_reset(scratch);
    if (render(&part, ud, scratch, &size) != 0)
        return -1;
    return size <= limit;
}

/* The most flags from i whose rendering fits (at least 1). 0 when memory ran out. */
static size_t longest_run(const channel_msg_t *m, size_t i, size_t limit, split_render_fn render,
                          void *ud, buf_t *scratch)
{
    size_t left = m->n - i, good = 1, bad = left + 1;
    int f = fits(m, i, left, limit, render, ud, scratch);
    if (f != 0)
        return f < 0 ? 0 : left;
    for (size_t k = 2; k < left; k *= 2) { /* grow until it does not fit */
        f = fits(m, i, k, limit, render, ud, scratch);
        if (f < 0)
            return 0;
        if (!f) {
            bad = k;
            break;
        }
        good = k;
    }
    if (bad > left)
        bad = left;
    while (bad - good > 1) {
        size_t mid = good + (bad - good) / 2;
        f = fits(m, i, mid, limit, render, ud, scratch);
        if (f < 0)
            return 0;
        *(f ? &good : &bad) = mid;
    }
    return good;
}

int split_send(const channel_msg_t *m, size_t limit, split_render_fn render, split_send_fn send,
               void *ud, err_t *e)
{
    buf_t body = {0};
    int rc = 0;
    if (!m->digest || m->n <= 1) {
        size_t size = 0;
        rc = render(m, ud, &body, &size) != 0 ? err_set(e, "out of memory")
                                              : send(m, &body, ud, e);
        buf_free(&body);
        return rc;
    }
    for (size_t i = 0; rc == 0 && i < m->n;) {
        size_t k = longest_run(m, i, limit, render, ud, &body);
        if (k == 0) {
            rc = err_set(e, "out of memory");
            break;
        }
        channel_msg_t part = {.flags = m->flags + i, .n = k, .digest = 1};
        size_t size = 0;
        buf_reset(&body);
        rc = render(&part, ud, &body, &size) != 0 ? err_set(e, "out of memory")
                                                 : send(&part, &body, ud, e);
        i += k;
    }
    buf_free(&body);
    return rc;
}

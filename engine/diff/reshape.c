/* reshape.c — counting a fetch's departures and arrivals, and deciding
 * whether they are a reshape (see reshape.h). */
#include "diff/reshape.h"

#include <string.h>

#include "diff/diff.h"

static const char ellipsis[] = "\xe2\x80\xa6"; /* … */

static int continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

void reshape_label(const char *key, char out[RESHAPE_LABEL])
{
    size_t n = strlen(key);
    if (n < RESHAPE_LABEL) {
        memcpy(out, key, n + 1);
        return;
    }
    size_t room = RESHAPE_LABEL - 1 - (sizeof ellipsis - 1);
    size_t head = room / 2, tail = n - (room - head);
    while (head > 0 && continuation(key[head]))
        head--;
    while (tail < n && continuation(key[tail]))
        tail++;
    memcpy(out, key, head);
    memcpy(out + head, ellipsis, sizeof ellipsis - 1);
    memcpy(out + head + sizeof ellipsis - 1, key + tail, n - tail + 1);
}

static void example(char ex[][RESHAPE_LABEL], size_t *n, const char *key)
{
    if (*n < RESHAPE_EXAMPLES)
        reshape_label(key, ex[(*n)++]);
}

/* A stored item missing from this list: it left if it was in the last. */
static void count_missing(reshape_t *r, const store_item_t *o)
{
    if (o->removed || o->absent)
        return;
    r->listed++;
    r->left++;
    example(r->left_ex, &r->n_left_ex, o->key);
}

static void count_arrived(reshape_t *r, const char *key)
{
    r->arrived++;
    example(r->arrived_ex, &r->n_arrived_ex, key);
}

void reshape_count(const store_item_t *old, size_t n_old, const struct diff_item *cur,
                   size_t n_cur, reshape_t *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0, j = 0;
    while (i < n_old || j < n_cur) {
        int c = i == n_old ? 1 : j == n_cur ? -1 : strcmp(old[i].key, cur[j].key);
        if (c < 0) {
            count_missing(out, &old[i++]);
        } else if (c > 0) {
            count_arrived(out, cur[j++].key);
        } else {
            const store_item_t *o = &old[i++];
            if (o->removed) /* back after a removal: a `new` event */
                count_arrived(out, cur[j].key);
            else if (!o->absent)
                out->listed++;
            j++;
        }
    }
}

int reshape_is(size_t listed, size_t left, size_t arrived)
{
    return left >= RESHAPE_MIN_LEFT && 2 * left >= listed && 2 * arrived >= left;
}

static int put_examples(buf_t *out, const char *what, const char ex[][RESHAPE_LABEL], size_t n)
{
    int rc = buf_puts(out, what);
    for (size_t i = 0; i < n; i++)
        rc |= buf_printf(out, "%s%s", i ? ", " : "", ex[i]);
    return rc;
}

int reshape_message(const reshape_t *r, const char *source, buf_t *out)
{
    int rc = buf_printf(out, "source %s was reshaped: %zu of its %zu items left and %zu arrived",
                        source, r->left, r->listed, r->arrived);
    rc |= put_examples(out, " (left: ", r->left_ex, r->n_left_ex);
    rc |= put_examples(out, "; arrived: ", r->arrived_ex, r->n_arrived_ex);
    rc |= buf_puts(out, "); stored as a new baseline, not as news");
    return rc ? -1 : 0;
}

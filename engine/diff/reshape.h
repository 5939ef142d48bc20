/* reshape.h — is one fetch a source's reshape, not news?
 *
 * A site that moves its pages, or a script that starts keying its items
 * another way, makes every item of a source vanish under its old key and
 * arrive under a new one: hundreds of `removed` and `new` events that are
 * one development, not hundreds. A fetch is a reshape when
 *
 *   - at least RESHAPE_MIN_LEFT items of the last list are missing from
 *     this one, and at least half of the last list;
 *   - and about as many arrived: new keys at least half as many as those
 *     that left (more is still a reshape: a redesign that lists more).
 *
 * "The last list" is the stored items that were in the source's previous
 * fetch: neither removed nor absent (see diff.h). A list that shrinks
 * without replacements (a feed cut short) is removals, not a reshape; an
 * empty list is `source-empty`'s. The counts come from keys alone, so
 * they cost one merge walk of two sorted lists. */
#ifndef VANE_RESHAPE_H
#define VANE_RESHAPE_H

#include <stddef.h>

#include "store/store.h"
#include "util/buf.h"

struct diff_item;

#define RESHAPE_MIN_LEFT 10
#define RESHAPE_EXAMPLES 3
#define RESHAPE_LABEL 64   /* an example's bytes at most, with its NUL */

typedef struct reshape {
    size_t listed;    /* stored items that were in the last list */
    size_t left;      /* of those, the ones missing from this list */
    size_t arrived;   /* keys of this list not stored, or stored as removed */
    size_t n_left_ex, n_arrived_ex;
    char left_ex[RESHAPE_EXAMPLES][RESHAPE_LABEL];     /* keys, shortened */
    char arrived_ex[RESHAPE_EXAMPLES][RESHAPE_LABEL];
} reshape_t;

/* Count what left and what arrived, with the first few keys of each (in key
 * order). `old` sorted by key as store_items_load returns it, `cur` sorted
 * by key (diff_sort). */
void reshape_count(const store_item_t *old, size_t n_old, const struct diff_item *cur,
                   size_t n_cur, reshape_t *out);

/* The decision above: 1 when listed, left and arrived make a reshape. */
int reshape_is(size_t listed, size_t left, size_t arrived);

/* key shortened to fit RESHAPE_LABEL: kept whole when it fits, else its
 * head and tail around "…", never cutting a UTF-8 character. */
void reshape_label(const char *key, char out[RESHAPE_LABEL]);

/* The source-reshaped flag's message, appended to out: "source ID was
 * reshaped: 211 of its 211 items left and 211 arrived (left: a, b, c;
 * arrived: …); stored as a new baseline, not as news". */
int reshape_message(const reshape_t *r, const char *source, buf_t *out);

#endif

/* diff.h — compare a source's new items with its stored state, by key.
 *
 * Items are (key, canonical JSON object of fields). An item is `new` when
 * its key is unknown (or was removed before), `changed` when a field other
 * than `published`, `updated`, `follow` (the detail page an item was read
 * from) or the source's `ignore` list differs (the diff says which, with old
 * and new values), and `removed` when a stored
 * key is missing from the new list — reported only with `removals` on, since
 * feeds roll old items off; without `removals` it is `absent`: marked so
 * (it was not in the last list), no event, and compared as before when it
 * comes back. A change limited to ignored fields is `quiet`: the new state
 * is stored but no event is made (an absent item back unchanged is quiet
 * too). A fetch that reshapes the source (reshape.h) is stored as a
 * re-baseline: its new and removed events are marked baseline, which rules
 * do not see; its changed items are events as usual. */
#ifndef VANE_DIFF_H
#define VANE_DIFF_H

#include <stddef.h>

#include "util/err.h"
#include "util/buf.h"
#include "store/store.h"
#include "diff/reshape.h"

typedef struct diff_item {
    char *key;
    char *fields;  /* canonical JSON object */
} diff_item_t;

typedef enum diff_change {
    DIFF_NEW, DIFF_CHANGED, DIFF_REMOVED, DIFF_QUIET, DIFF_ABSENT
} diff_change_t;

const char *diff_change_name(diff_change_t c);

typedef struct diff_opts {
    const char *const *ignore;  /* field names left out of the comparison */
    size_t n_ignore;
    int removals;
} diff_opts_t;

/* Called once per difference, in key order. `fields` is the new state
 * (NULL for removed), `prev` the stored one (NULL for new), `diff` the
 * field diff as JSON (changed only, else NULL). Return non-zero to stop. */
typedef int (*diff_emit_fn)(void *ud, diff_change_t change, const char *key,
                            const char *fields, const char *prev,
                            const char *diff);

/* Sort items by key (bytewise), unless they already are. */
void diff_sort(diff_item_t *cur, size_t n);

/* `old` must be sorted by key (as store_items_load returns it); `cur` is
 * sorted here (diff_sort) and must hold each key once. Returns 0, -1 with e set on
 * malformed JSON or when emit stopped the walk (e then holds its reason if
 * emit set it). */
int diff_items(const store_item_t *old, size_t n_old, diff_item_t *cur,
               size_t n_cur, const diff_opts_t *opts, diff_emit_fn emit,
               void *ud, err_t *e);

/* Where and how diff_store records a source's changes. */
typedef struct diff_target {
    store_t *st;
    const char *source;
    long long run_id;
    int baseline;          /* the source's first successful fetch */
    const char *now;       /* observed_at of the events */
    diff_opts_t opts;
    int may_rebaseline;    /* a reshape is stored as a re-baseline (0: as usual) */
} diff_target_t;

/* What diff_store did. */
typedef struct diff_result {
    long events;           /* events written */
    int reshaped;          /* the fetch reshaped the source (reshape.h) */
    int rebaselined;       /* ... and its new and removed events were baseline */
    reshape_t reshape;     /* the counts and examples, when reshaped */
} diff_result_t;

/* Diff a source's new items against its stored state and write the result
 * into the open transaction: each item's new state, and one event per
 * new, changed or removed item (a removed item's event carries its last
 * fields as both item and prev); an absent item is marked absent. The
 * first fetch (t->baseline) marks every event baseline; a later one that
 * reshapes the source does so for its new and removed events when
 * t->may_rebaseline. Returns 0 with *res filled, or -1 with e set. */
int diff_store(const diff_target_t *t, diff_item_t *items, size_t n, diff_result_t *res,
               err_t *e);

/* The field diff of two canonical JSON objects, appended to out as
 * {"field":{"old":..,"new":..}} (a side that is missing is null). Sets
 * *changed to the number of differing fields that are not ignored and
 * *quiet to the number of differing ignored ones. */
int diff_fields(const char *old_fields, const char *new_fields,
                const diff_opts_t *opts, buf_t *out, int *changed, int *quiet,
                err_t *e);

#endif

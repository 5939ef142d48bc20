/* follow.h — detail pages: completing a list's items from the pages they
 * link to, in the same run.
 *
 * A source script's item may name a page, `follow = URL`. After the list is
 * extracted, follow_plan compares the items with the stored ones and picks
 * the pages to fetch: an item that is new, whose `follow` differs from the
 * page it was last completed from, or that was never completed; at most the
 * source's max_follow, in list order. follow_round fetches the pages of all
 * sources at once (one batch: the caps in all and per host hold across
 * them) and calls the script's detail(doc, item, options) on each.
 *
 * What an item looks like for the diff afterwards:
 *  - completed now: the detail's fields, with `follow` = the page;
 *  - otherwise (not wanted, past max_follow, or its page or detail failed):
 *    the list's fields, plus the stored fields the list does not give (the
 *    detail's, from an earlier run), with the stored `follow` — so a failed
 *    page reads as no change and is tried again next run. A new item whose
 *    page was not read is stored as the list gave it, without `follow`.
 * An item completed for the first time (it has a stored state without
 * `follow`) is first stored, by follow_settle inside the source's
 * transaction, with the fields its detail set: completing an item announces
 * nothing; a change of the list's own fields is still a change. The diff
 * never counts `follow` itself (diff.h). */
#ifndef VANE_FOLLOW_H
#define VANE_FOLLOW_H

#include <stddef.h>

#include "config/config.h"
#include "diff/diff.h"
#include "extract/extract.h"
#include "fetch/fetch.h"
#include "store/store.h"
#include "util/err.h"

typedef struct follow follow_t;

/* Plan the pages of one source's freshly extracted items. items stay the
 * caller's and are rewritten in place by follow_round (their fields). Sets
 * *out to NULL when no item names a page (or the script has no detail
 * function: then a warning), else to a plan. Warnings name the source.
 * Returns 0, or -1 with e set (the stored items could not be read). */
int follow_plan(follow_t **out, store_t *st, extract_t *x, const source_cfg_t *src,
                diff_item_t *items, size_t n, errlist_t *warns, err_t *e);

/* Fetch every plan's pages as one batch, complete the items, and give every
 * item of the plans its fields for the diff (see above). A page that fails
 * is a warning naming the source and the page. Returns 0, or -1 with e set
 * when fetching could not start (every item then keeps its stored detail). */
int follow_round(follow_t *const *plans, size_t n, extract_t *x, const fetch_opts_t *fo,
                 errlist_t *warns, err_t *e);

/* Inside the source's store transaction, before its diff: store the items
 * completed for the first time with their detail fields. Returns 0, or -1
 * with e set. */
int follow_settle(const follow_t *p, store_t *st, const char *now, err_t *e);

/* Inside the same transaction, after the source's health is recorded: when
 * pages are left to read (past max_follow, or failed), the source's next
 * fetch is read in full even if its list did not change, so that they are
 * read then. Returns 0, or -1 with e set. */
int follow_finish(const follow_t *p, store_t *st, err_t *e);

void follow_free(follow_t *p);

#endif

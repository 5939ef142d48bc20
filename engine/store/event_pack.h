/* event_pack.h — a `changed` event's prev and diff in compact form, and
 * reading them back exactly.
 *
 * A changed event's prev repeats most of its item, and its diff repeats
 * values both hold. Stored packed, prev is a delta and diff the changed
 * fields' names:
 *   delta  {"f":[old],"g":[]}  the before-value of every field whose value
 *          differs from item's, wrapped in an array; [] when the field was
 *          absent before (JSON null is a value, so absence needs its own
 *          mark)
 *   names  ["f","g"]  the names of the fields the whole diff has, in order
 * Unpacking merges item and delta into prev, and writes the diff as
 * diff/diff.c does: {"f":{"old":O,"new":N}} with null for a missing side.
 * Values are copied as text, never re-encoded. A removed event, whose item
 * is its prev and which has no diff, packs the same way: delta {} and
 * names [] (a changed event always has a name), read back as prev = item
 * and no diff. */
#ifndef VANE_EVENT_PACK_H
#define VANE_EVENT_PACK_H

#include "util/buf.h"

/* Pack prev and diff (NULL: none) of an event with this item into delta
 * and names (appended). 1 when packed, and unpacking gives prev and diff
 * back byte for byte (checked here); 0 when the event must be stored whole
 * (malformed JSON, an unusual layout, or out of memory). */
int event_pack(const char *item, const char *prev, const char *diff, buf_t *delta, buf_t *names);

/* Is this stored diff column a packed list of names (else a whole diff,
 * or NULL)? */
int event_is_packed(const char *diff);

/* prev from item and delta, appended to out. 0, or -1 on malformed JSON or
 * out of memory. */
int event_unpack_prev(const char *item, const char *delta, buf_t *out);

/* Do packed names stand for a diff (else the event has none: removed)? */
int event_has_diff(const char *names);

/* The whole diff from item, delta and names, appended to out. 0, or -1. */
int event_unpack_diff(const char *item, const char *delta, const char *names, buf_t *out);

#endif

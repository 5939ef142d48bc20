/* context.h — what a flag carries beside its message, taken from its
 * event when it is raised: the item's title and link, and what changed
 * (channel/changes.h gives the shape of "changes"). */
#ifndef VANE_CONTEXT_H
#define VANE_CONTEXT_H

#include "store/store.h"
#include "util/json.h"

typedef struct flag_context {
    char *title;     /* the item's "title" field, or NULL */
    char *link;      /* its "link" field, or its key, when an http(s) URL; else NULL */
    char *changes;   /* JSON array; "[]" for new and removed events */
} flag_context_t;

/* The context of a flag raised on ev (for a removed item, its last
 * fields). 0, or -1 when memory ran out. */
int flag_context_of_event(const store_event_t *ev, flag_context_t *out);

/* The JSON array of changes for a `changed` event's diff
 * ({"field":{"old":…,"new":…}}, null for an absent side), appended to out:
 * long texts shortened around a word-level diff. 0, or -1 when memory ran
 * out or the diff is not a JSON object. */
int flag_context_changes(const char *diff, buf_t *out);

/* The "old" and "new" members of one field of an event's diff
 * ({"old":…,"new":…}); a member not there is left zeroed. */
void flag_context_sides(const json_member_t *field, json_member_t *old, json_member_t *new);
/* Was that side absent (not there, or null)? */
int flag_context_absent(const json_member_t *m);

/* Is s an http:// or https:// URL? */
int flag_context_is_link(const char *s);

void flag_context_free(flag_context_t *c);

#endif

/* changes.h — reading what changed in a flag, for the formats that show it.
 *
 * A flag's "changes" (README, "What a flag carries") is a JSON array, one
 * object per changed field, in the field names' order:
 *
 *   {"field":"level","old":"Level 3: …","new":"Level 2: …"}
 *   {"field":"summary","old":"…cut…","new":"…cut…",
 *    "diff":[["=","… words before "],["-","removed words"],["+","added words"],["="," after …"]]}
 *
 * "old" or "new" is missing when the field was absent on that side. A
 * value that is not a string is its JSON text. A long text (more than
 * CHANGES_LONG characters on either side) is shortened around what
 * changed, "…" marking each cut, and carries "diff": its word-level
 * difference, runs of unchanged words longer than a few words shortened
 * to their ends. new and removed events, and flags without an event,
 * have an empty array. */
#ifndef VANE_CHANGES_H
#define VANE_CHANGES_H

#include <stddef.h>

#include "util/buf.h"

#define CHANGES_LONG 200   /* characters above which a text is shortened and diffed */

typedef struct flag_seg {
    char op;                 /* '=' kept, '-' removed, '+' added */
    char *text;
} flag_seg_t;

typedef struct flag_change {
    char *field;
    char *old_text, *new_text; /* NULL: absent on that side */
    flag_seg_t *segs;          /* the word diff of a long text, else NULL */
    size_t n_segs;
} flag_change_t;

typedef struct flag_changes {
    flag_change_t *v;
    size_t n;
} flag_changes_t;

/* Read a flag's changes (json may be NULL: none). 0, or -1 on malformed
 * text or when memory ran out (out is then empty). */
int flag_changes_read(const char *json, flag_changes_t *out);
void flag_changes_free(flag_changes_t *c);

/* One line for people: "level: Level 3 → Level 2; summary: … [-old-]{+new+} …",
 * each value cut to about max_chars characters, control characters as spaces. */
int flag_changes_line(const flag_changes_t *c, size_t max_chars, buf_t *out);

/* What changed in one field as text: its diff as "[-removed-]{+added+}"
 * with the kept words around, or "OLD → NEW" when it has no diff. */
int flag_change_text(const flag_change_t *ch, buf_t *out);

#endif

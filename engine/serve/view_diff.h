/* view_diff.h — the parts the pages of flags and items share: what
 * changed as a table (before/after, word diffs as <del>/<ins>), an item's
 * fields as a table, an item's title linked to its link, the link to an
 * item's history. Every value escaped (html.h). */
#ifndef VANE_VIEW_DIFF_H
#define VANE_VIEW_DIFF_H

#include "channel/changes.h"
#include "util/buf.h"

/* <table class="changes">: one row per field, its value before and
 * after; a long text's word diff with removed words in <del> (before) and
 * added words in <ins> (after). Nothing for no changes. */
int view_changes(buf_t *out, const flag_changes_t *c);

/* The changes of a flag (its recorded JSON array), or when it has none,
 * those of its event's diff ({"field":{"old":…,"new":…}}; either may be
 * NULL), as view_changes writes them. */
int view_changes_of(buf_t *out, const char *changes_json, const char *event_diff);

/* <table class="fields">: each member of a JSON object, its name and its
 * value (a string's text, other values as JSON). "—" for NULL. */
int view_fields(buf_t *out, const char *fields_json);

/* The item's title (or key when it has no title), linked to link when it
 * is an http(s) URL (rel="noopener noreferrer"). */
int view_item_title(buf_t *out, const char *title, const char *key, const char *link);

/* The escaped address of an item's history page: /items/SOURCE/KEY, each
 * segment percent-encoded; /items/SOURCE?key=KEY for a key with a "/" (a
 * URL) or a key "." or "..", which the server's decoded path cannot carry
 * as one segment. */
int view_item_href(buf_t *out, const char *source, const char *key);

#endif

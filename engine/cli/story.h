/* story.h — what `vane show` (cmd_show.c) and `vane history`
 * (cmd_history.c) share: opening the database the way the listings find
 * it, writing an item's fields and an event's changes for people (every
 * value escaped by util/termtext.h, one value a line), and a small JSON
 * object writer (every string through json_put_string). */
#ifndef VANE_CLI_STORY_H
#define VANE_CLI_STORY_H

#include "cli/command.h"
#include "store/store.h"
#include "util/buf.h"

/* The database: --db, $VANE_DB, else vane.lua's (read only for that).
 * Returns 0 with *st open, or an exit status (the problem said). */
int story_open(const cli_args_t *a, store_t **st);

/* s (NULL: "-") escaped for a terminal. */
int story_text(buf_t *out, const char *s);

/* A JSON value for people: a string's text, anything else its JSON text;
 * escaped for a terminal. */
int story_value(buf_t *out, const char *json, size_t len);

/* One line "INDENTname: value" per member of the JSON object fields (NULL
 * or not an object: nothing). */
int story_fields(buf_t *out, const char *indent, const char *fields);

/* What an event's diff ({"f":{"old":O,"new":N}}) says, field by field:
 * with arrows, one line "INDENTf: O → N" when both are short (STORY_SHORT
 * bytes of JSON at most); else "INDENTf:" then "INDENT  - O" and
 * "INDENT  + N" (a side the field lacked is left out). */
#define STORY_SHORT 60
int story_diff(buf_t *out, const char *indent, const char *diff, int arrows);

/* A JSON object written member by member; rc collects failures. */
typedef struct story_json {
    buf_t *b;
    int n, rc;
} story_json_t;

void story_json_begin(story_json_t *j, buf_t *b);
/* The member's name, its value to follow (written by the caller). */
void story_json_key(story_json_t *j, const char *name);
/* A string (NULL: null), a number, an id (0: null), stored JSON (NULL: none). */
void story_json_str(story_json_t *j, const char *name, const char *s);
void story_json_int(story_json_t *j, const char *name, long long v);
void story_json_id(story_json_t *j, const char *name, long long v);
void story_json_raw(story_json_t *j, const char *name, const char *json, const char *none);
int story_json_end(story_json_t *j);

/* The event's members (as `vane events --json` prints them) into j, left
 * open for more. */
void story_json_event_members(story_json_t *j, const store_event_t *ev);

#endif

/* extract.h — running source scripts: document in, items out.
 *
 * A source script (scripts/NAME.lua) returns a function(doc, options) that
 * returns a list of items, each a table with a `key` and fields, or a table
 * { list = that function, detail = function(doc, item, options) } whose
 * detail completes an item from the page its `follow` names (run/follow.h). Scripts are
 * The table may also declare what the script takes and gives, read by
 * `vane check` without running it on a document: options = { name =
 * "what it is", … } and fields = { "title", … } (the fields of its items
 * beside key). Scripts are
 * looked up in scripts/ beside the configuration, then among the scripts
 * built into vane. Every call — a source's list, one detail page — runs in a
 * fresh Lua state of its own under the configured limits, so a script that
 * fills its memory or loops fails only that source. What it returns is read
 * inside the protection (extract/collect.h). Items come out as (key,
 * canonical JSON of the other fields) ready for the diff; an item whose
 * encoding would pass max_item_bytes is left out with a warning. */
#ifndef VANE_EXTRACT_H
#define VANE_EXTRACT_H

#include <stddef.h>

#include "config/config.h"
#include "diff/diff.h"
#include "util/err.h"

typedef struct extract extract_t;

extract_t *extract_new(const config_t *cfg, err_t *e);
void extract_free(extract_t *x);

/* Read and check the script `name` once (it compiles, runs and returns a
 * function or a { list, detail } table). Returns 0, or -1 with e set to
 * "scripts/NAME.lua:LINE: message" (or "no script NAME"). */
int extract_prepare(extract_t *x, const char *name, err_t *e);

struct xref_script;
/* What the prepared script `name` declares (its options and fields, see
 * config/xref.h); out->declared is 0 for a script in the old form (a bare
 * function), or one not prepared. The pointers live as long as x. */
void extract_declared(extract_t *x, const char *name, struct xref_script *out);

typedef struct extract_doc {
    const char *source;        /* source id */
    const char *url;
    long status;
    const char *body;
    size_t len;
    const char *headers;       /* "name: value\n" lines */
    const char *options_json;  /* the source's options */
    const char *charset;       /* the label body was decoded from (it is UTF-8 now), or NULL */
    long long max_item_bytes;  /* the source's cap per encoded item; 0: the settings' (1 MB) */
} extract_doc_t;

/* Run `script` on a document. On success *items holds *n items with
 * distinct keys (free with extract_items_free) and warnings may have been
 * added (duplicate keys). Returns 0, or -1 with e set. */
int extract_items(extract_t *x, const char *script, const extract_doc_t *doc,
                  diff_item_t **items, size_t *n, errlist_t *warnings, err_t *e);
void extract_items_free(diff_item_t *items, size_t n);

/* The text the script `name` runs (the monitor's own or the shipped one),
 * owned by x. Returns 0, or -1 when it cannot be used (extract_prepare). */
int extract_script_text(extract_t *x, const char *name, const char **text, size_t *len);

/* Whether the script (prepared or loadable) has a detail function. */
int extract_has_detail(extract_t *x, const char *script);

/* Complete one item from its detail page `doc`: call the script's
 * detail(doc, item, options) with item = the fields (canonical JSON) and
 * the key. detail fills the item in or returns the completed one; its key
 * and `follow` stay as they were. On success *out is the completed fields'
 * canonical JSON (malloc'ed) and warnings may have been added, prefixed
 * "source ID: page URL". Returns 0, or -1 with e set (the script's error,
 * a result that is not a table, a field that cannot be stored). */
int extract_detail(extract_t *x, const char *script, const extract_doc_t *doc, const char *key,
                   const char *fields, char **out, errlist_t *warnings, err_t *e);

/* Whether the items of the last successful extract_items are the whole
 * list: 0 when the script set `removals = false` on the list it returned
 * (one page of a search, whose missing items have not been withdrawn), so
 * no removals are reported for it whatever the source says; else 1. */
int extract_complete(const extract_t *x);

#endif

/* collect.h — reading what a source script returned, inside the protection.
 *
 * The items a script's list function returns, and the item its detail
 * function completes, are read by C functions run with sandbox_run: under
 * the call's instruction budget and the state's memory ceiling, with raw
 * access only. The value is checked to be plain data first
 * (sandbox_check_plain: no metatable, cycle, non-finite number or odd key),
 * so no metamethod of the script ever runs host-side. Each item is then
 * sized against max_item_bytes before it is encoded: an item over the cap
 * (shared sub-tables expand every time they are reached) is left out with a
 * warning and never encoded in full. Keys are written exactly (see
 * collect_key). */
#ifndef VANE_COLLECT_H
#define VANE_COLLECT_H

#include <stddef.h>

#include <lua.h>

#include "diff/diff.h"
#include "util/buf.h"
#include "util/err.h"

/* Tables nested deeper than this in what a script returns are refused. */
#define COLLECT_MAX_DEPTH 32

typedef struct collect {
    /* in */
    const char *source;       /* source id, for warnings */
    const char *chunk;        /* "scripts/NAME.lua" */
    size_t max_item_bytes;    /* encoded size cap per item */
    errlist_t *warnings;      /* may be NULL */
    /* out (owned here until taken; collect_free) */
    diff_item_t *items;
    size_t n;
    int complete;             /* the list did not say removals = false */
    char *fields;             /* collect_detail: the completed item's JSON */
    int checking;             /* a failure happened while checking the value */
    buf_t buf;                /* scratch, freed by collect_free even after an error */
} collect_t;

/* For sandbox_run(sb, collect_list, c, 1, 0, …) with the returned list on
 * top: fills c->items (distinct keys, duplicates warned about, the first
 * kept) and c->complete, or raises an error naming the item. */
int collect_list(lua_State *L);

/* For sandbox_run(sb, collect_detail, c, 2, 0, …) with the completed item
 * and the follow it must keep on top: fills c->fields (canonical JSON
 * without the key), or raises an error. */
int collect_detail(lua_State *L);

void collect_free(collect_t *c);

/* Push the text of the key value at idx: a non-empty string as it is, an
 * integer in full, an integral float in full with ".0" (as Lua writes small
 * ones), another number in the shortest form that reads back exactly.
 * Returns 1, or 0 with nothing pushed when the value cannot be a key. */
int collect_key(lua_State *L, int idx);

#endif

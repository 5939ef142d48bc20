/* vanelib.h — the `vane` module that source scripts and rules see.
 *
 * Every part is a row of one table, vanelib_parts[] in vanelib.c (like Lua's
 * linit.c): its name, how it is opened — a C opener in its own binding file,
 * or a Lua file shipped in engine/lib/lua/ that returns the part — and who
 * sees it, scripts and rules or rules only. vanelib_install opens the rows of
 * one audience in table order:
 *   vane.json     decode, encode, null of lua-cjson, bounded     vanelib.c
 *   vane.warn     a script's own warning                         vanelib.c
 *   vane.feed     RSS/RDF/Atom with libxml2                      lib_feed.c
 *   vane.html     HTML documents, XPath and CSS selectors        lib_html.c
 *   vane.xml      XML documents, with vane.html's methods        lib_xml.c
 *   vane.regex    PCRE2 with a match limit                       lib_regex.c
 *   vane.time     dates in many formats, durations               lib_time.c
 *   vane.hash     digests                                        lib_hash.c
 *   vane.url      parse, resolve, the canonical form of keys     lib_url.c
 *   vane.advisory, vane.items, vane.phrase, vane.text            lua/NAME.lua
 *   vane.text.to_text, .squish, .decode_entities (util/htmltext.c) lib_text.c
 *   vane.phrase.stem, .t2s (libstemmer, OpenCC)                   lib_lang.c
 * and for rules only:
 *   vane.phrases, vane.watches   data of this load (vanelib_provide)
 *   vane.history, vane.events    the stored history              lib_history.c
 *
 * Adding a part (say vane.geo): write its binding file, lib_geo.c, ending
 * with a luaL_Reg table and one opener `int vane_open_geo(lua_State *L)`
 * (declared below), and add one row to vanelib_parts[]. A shipped Lua part
 * is the file engine/lib/lua/geo.lua and one row. A row named "PART.FIELD"
 * (after PART's row) adds one C function to a part, e.g. to a Lua part.
 *
 * Warnings: a C part (or a script, through vane.warn) reports a problem that
 * does not stop it — an unparseable date, a replaced byte — with
 * vanelib_warn; the caller collects them after the call with
 * vanelib_take_warnings. */
#ifndef VANE_VANELIB_H
#define VANE_VANELIB_H

#include <stddef.h>

#include <lua.h>

#include "util/err.h"
#include "sandbox/sandbox.h"

/* Who sees a part: a row's audience is a set of these. */
#define VANE_FOR_SCRIPTS 1u
#define VANE_FOR_RULES 2u

typedef struct vanelib_part {
    const char *name;      /* vane.NAME, or "PART.FIELD": a field of a part above */
    lua_CFunction open;    /* the C opener, called with the name; or NULL */
    const char *lua;       /* or the shipped Lua file that returns the part */
    unsigned audience;     /* VANE_FOR_SCRIPTS | VANE_FOR_RULES, or VANE_FOR_RULES */
} vanelib_part_t;

/* Every part, in the order they are installed; ends with a NULL name. */
extern const vanelib_part_t vanelib_parts[];

/* One name a table part exports, and why: the allow-list the module is
 * closed to (a part's other fields are dropped at install). */
typedef struct vanelib_export {
    const char *part;      /* a row's name without a dot */
    const char *name;      /* the exported field, or "*": a data part kept whole */
    const char *why;
} vanelib_export_t;

/* Every export; ends with a NULL part. */
extern const vanelib_export_t vanelib_exports[];

/* Make the global `vane` the module of the parts whose audience includes
 * `audience`. Parts are opened on first use: the first read of vane.NAME
 * opens row NAME and its "NAME.FIELD" rows, inside the reading chunk's call
 * (its budget and ceiling pay for it; a shipped Lua part that fails to
 * load is that read's error). A state that never reads vane.advisory never
 * builds it, which is what makes a state per rule file affordable. Data
 * left with vanelib_provide waits in the state until its part is opened.
 * Returns 0 (e is kept for callers that check). */
int vanelib_install(sandbox_t *sb, unsigned audience, err_t *e);

/* Open every part of the audience now, in table order (pairs(vane) then
 * sees them all). Outside a call only. Returns 0, or -1 with e set. */
int vanelib_open_all(sandbox_t *sb, unsigned audience, err_t *e);

/* Per-load data: a part whose value comes from this load rather than from
 * the library (the rules' vane.phrases and vane.watches) has the row's
 * opener open_provided. Before vanelib_install, the loader pops into the
 * state, under the part's name, either the value or a function returning
 * it, called when the part's turn comes (so a phrases.lua runs with the
 * parts above it in place). A part left without data opens as an empty
 * table. */
void vanelib_provide(lua_State *L, const char *name);

/* Pop the value on top of the stack and make it vane[name] ("PART.FIELD":
 * a field of vane.PART), read-only to chunks like the rest of the module
 * (tables come back as proxies). Returns 0, or -1 (value popped) when
 * vanelib_install has not run in this state or PART is not a table. */
int vanelib_set(lua_State *L, const char *name);

/* The C openers, one per part, each in its part's binding file (lstrlib.c
 * style: a luaL_Reg table, then the opener). Each pushes one value (the
 * part) and returns 1, or pushes nothing and returns 0 when the part is
 * absent. */
int vane_open_feed(lua_State *L);
int vane_open_html(lua_State *L);
int vane_open_xml(lua_State *L);
int vane_open_regex(lua_State *L);
int vane_open_time(lua_State *L);
int vane_open_hash(lua_State *L);
int vane_open_url(lua_State *L);
int vane_open_text_to_text(lua_State *L);
int vane_open_text_squish(lua_State *L);
int vane_open_text_decode_entities(lua_State *L);
int vane_open_phrase_stem(lua_State *L);
int vane_open_phrase_t2s(lua_State *L);
int vane_open_history(lua_State *L);
int vane_open_events(lua_State *L);

/* The arguments of a document reader, (body [, url [, opts]]) with opts
 * also accepted second: the body, its length, the URL (or NULL) and
 * opts.recover. A body that is not a string raises "NAME: the body must be
 * a string, not TYPE". The stack is left with opts at index 3. */
typedef struct vanelib_doc_args {
    const char *body;
    size_t len;
    const char *url;
    int recover;
} vanelib_doc_args_t;
void vanelib_doc_args(lua_State *L, const char *name, vanelib_doc_args_t *a);

/* An estimate of the bytes the plain value at idx takes as JSON, walking
 * shared tables every time they are reached (as an encoder does) with raw
 * access, each value charged to the budget; the walk stops soon after the
 * sum passes limit (the result is then > limit). Strings count their
 * bytes, other values a few. Tables nested deeper than
 * VANELIB_SIZE_MAX_DEPTH (a cycle, if the value was not checked plain)
 * give SIZE_MAX. */
#define VANELIB_SIZE_MAX_DEPTH 256
size_t vanelib_plain_size(lua_State *L, int idx, size_t limit);

/* Record a warning for whoever called into Lua (at most 100 per call are
 * kept; the rest are counted). */
void vanelib_warn(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Move the warnings recorded so far into l, each as "PREFIX: message", and
 * forget them. l may be NULL (the warnings are dropped). */
void vanelib_take_warnings(lua_State *L, errlist_t *l, const char *prefix);

#endif

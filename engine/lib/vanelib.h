/* vanelib.h — the `vane` module that source scripts and rules see.
 *
 * Parts written in C (each in its own file, opened by vanelib_install):
 *   vane.feed   lib_feed.c   RSS/RDF/Atom with libxml2
 *   vane.html   lib_html.c   HTML documents, XPath and CSS selectors
 *   vane.xml    lib_xml.c    XML documents, with vane.html's methods
 *   vane.regex  lib_regex.c  PCRE2 with a match limit
 *   vane.time   lib_time.c   dates in many formats, durations
 *   vane.hash   lib_hash.c   digests
 *   vane._text  lib_text.c   HTML to text (util/htmltext.c), internal: the
 *                            Lua part vane.text (text.lua) calls it
 *   vane.json   lua-cjson (safe variant), with a depth limit
 * and the Lua parts shipped in engine/lib/lua/ (each file returns a value that
 * becomes vane.<file name>, e.g. vane.text).
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

/* Build the module in the sandbox and make it the global `vane`. Returns 0,
 * or -1 with e set (a shipped Lua part failed to load). */
int vanelib_install(sandbox_t *sb, err_t *e);

/* Pop the value on top of the stack and make it vane[name], read-only to
 * chunks like the rest of the module (tables come back as proxies), e.g.
 * the rules' vane.phrases. Returns 0, or -1 (value popped) when
 * vanelib_install has not run in this state. */
int vanelib_set(lua_State *L, const char *name);

/* Each opener pushes one value (the part) and returns 1, or pushes nothing
 * and returns 0 when the part is absent. */
int vane_open_feed(lua_State *L);
int vane_open_html(lua_State *L);
int vane_open_xml(lua_State *L);
int vane_open_regex(lua_State *L);
int vane_open_time(lua_State *L);
int vane_open_hash(lua_State *L);
int vane_open_text(lua_State *L); /* vane._text: the C half of vane.text */

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

/* Record a warning for whoever called into Lua (at most 100 per call are
 * kept; the rest are counted). */
void vanelib_warn(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Move the warnings recorded so far into l, each as "PREFIX: message", and
 * forget them. l may be NULL (the warnings are dropped). */
void vanelib_take_warnings(lua_State *L, errlist_t *l, const char *prefix);

#endif

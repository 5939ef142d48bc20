/* luatest.h — what the cmocka programs that drive the `vane` module through
 * Lua share: a sandbox with the module as the group's state, and running a
 * snippet (after a prelude of helpers) with globals `body` and `url`.
 * Included by one test program at a time; everything here is static inline. */
#ifndef VANE_LUATEST_H
#define VANE_LUATEST_H

#include <stdio.h>
#include <stdlib.h>

#include "util/buf.h"
#include "sandbox/sandbox.h"
#include "lib/vanelib.h"

/* cmocka group set-up: *state is a sandbox with the vane module. */
static inline int luatest_setup(void **state)
{
    err_t e = { "" };
    sandbox_t *sb = sandbox_new(NULL, &e);
    if (!sb || vanelib_install(sb, VANE_FOR_SCRIPTS, &e) != 0) {
        fprintf(stderr, "setup: %s\n", e.msg);
        sandbox_free(sb);
        return -1;
    }
    *state = sb;
    return 0;
}

static inline int luatest_teardown(void **state)
{
    sandbox_free(*state);
    return 0;
}

/* Run prelude + src as chunk "t.lua" with the globals body (len bytes,
 * when body is not NULL) and url (when not NULL); warnings from earlier
 * snippets are dropped first. Returns the sandbox_call status, e filled on
 * error; a snippet that does not compile fails the test. */
static inline int luatest_run(sandbox_t *sb, const char *prelude, const char *body, size_t len,
                       const char *url, const char *src, err_t *e)
{
    lua_State *L = sandbox_lua(sb);
    sandbox_push_env(sb);
    if (body) {
        lua_pushlstring(L, body, len);
        lua_setfield(L, -2, "body");
    }
    if (url) {
        lua_pushstring(L, url);
        lua_setfield(L, -2, "url");
    }
    buf_t code = { 0 };
    buf_puts(&code, prelude ? prelude : "");
    buf_puts(&code, src);
    int rc = sandbox_load(sb, "t.lua", code.p, code.len, lua_gettop(L), e);
    buf_free(&code);
    lua_remove(L, -2);
    if (rc != 0)
        fail_msg("%s\n-> does not load: %s", src, e->msg);
    vanelib_take_warnings(L, NULL, "");
    return sandbox_call(sb, 0, 0, "t.lua", e);
}

/* Run prelude + src as chunk "t.lua" and leave its one result on the
 * stack. Returns the load or call status, e filled on error (nothing is
 * left on the stack then). */
static inline int luatest_value(sandbox_t *sb, const char *prelude, const char *src, err_t *e)
{
    lua_State *L = sandbox_lua(sb);
    buf_t code = { 0 };
    buf_puts(&code, prelude ? prelude : "");
    buf_puts(&code, src);
    sandbox_push_env(sb);
    int rc = sandbox_load(sb, "t.lua", code.p, code.len, -1, e);
    buf_free(&code);
    if (rc != 0) {
        lua_pop(L, 1);
        return -1;
    }
    lua_remove(L, -2);
    return sandbox_call(sb, 0, 1, "t.lua", e);
}

/* The warnings the last snippet recorded, one per line, appended to out. */
static inline void luatest_warnings(sandbox_t *sb, buf_t *out)
{
    errlist_t l = { 0 };
    vanelib_take_warnings(sandbox_lua(sb), &l, "x");
    for (size_t i = 0; i < l.len; i++) {
        buf_puts(out, l.msgs[i]);
        buf_putc(out, '\n');
    }
    errlist_free(&l);
}

/* The file at path (relative to the project top) as a string to free(). */
static inline char *luatest_read(const char *path, size_t *len)
{
    char *body = buf_read_all(path, len);
    if (!body)
        fail_msg("cannot read %s (run from the project top)", path);
    return body;
}

#endif

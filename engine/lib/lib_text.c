/* lib_text.c — the C side of vane.text: util/htmltext.c for scripts.
 *
 *   to_text(html)          plain text of an HTML fragment
 *   squish(s)              white space collapsed and trimmed
 *   decode_entities(s)     character references decoded
 * A value that is not a string is returned as it is.
 *
 * Each is a row "text.NAME" of vanelib_parts[] (vanelib.c), set into the
 * Lua part vane.text (engine/lib/lua/text.lua) after it loads, so the Lua
 * and C readers of HTML are one (the feed reader calls htmltext_* directly). */
#include <lauxlib.h>

#include "lib/vanelib.h"
#include "util/htmltext.h"

#define BUF_META "vane.text.buf"

static int buf_gc(lua_State *L)
{
    buf_free(luaL_checkudata(L, 1, BUF_META));
    return 0;
}

/* Run fn over argument 1 into a buffer that a Lua error cannot leak and
 * push the result. */
static int apply(lua_State *L, int (*fn)(const char *, size_t, buf_t *))
{
    lua_settop(L, 1);
    if (lua_type(L, 1) != LUA_TSTRING)
        return 1;
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    buf_t *b = lua_newuserdatauv(L, sizeof *b, 0);
    *b = (buf_t){0};
    if (luaL_newmetatable(L, BUF_META)) {
        lua_pushcfunction(L, buf_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    if (fn(s, len, b) != 0)
        return luaL_error(L, "not enough memory");
    lua_pushlstring(L, buf_str(b), b->len);
    buf_free(b);
    return 1;
}

static int l_to_text(lua_State *L)
{
    return apply(L, htmltext_to_text);
}

static int l_squish(lua_State *L)
{
    return apply(L, htmltext_squish);
}

static int l_decode_entities(lua_State *L)
{
    return apply(L, htmltext_decode);
}

/* One opener per function: each is a row "text.NAME" of vanelib_parts[],
 * added to the Lua part vane.text. */
int vane_open_text_to_text(lua_State *L)
{
    lua_pushcfunction(L, l_to_text);
    return 1;
}

int vane_open_text_squish(lua_State *L)
{
    lua_pushcfunction(L, l_squish);
    return 1;
}

int vane_open_text_decode_entities(lua_State *L)
{
    lua_pushcfunction(L, l_decode_entities);
    return 1;
}

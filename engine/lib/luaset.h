/* luaset.h — one field of a Lua table set in one call, for the C code that
 * builds tables for scripts and rules (documents, events, watch lists,
 * feed items). t is the table's index, absolute or relative to the top
 * before the call; a NULL string sets nil (leaves the field out). */
#ifndef VANE_LUASET_H
#define VANE_LUASET_H

#include <stddef.h>

#include <lua.h>

static inline void luaset_string(lua_State *L, int t, const char *key, const char *v)
{
    t = lua_absindex(L, t);
    lua_pushstring(L, v);
    lua_setfield(L, t, key);
}

static inline void luaset_lstring(lua_State *L, int t, const char *key, const char *v, size_t n)
{
    t = lua_absindex(L, t);
    lua_pushlstring(L, v, n);
    lua_setfield(L, t, key);
}

static inline void luaset_integer(lua_State *L, int t, const char *key, lua_Integer v)
{
    t = lua_absindex(L, t);
    lua_pushinteger(L, v);
    lua_setfield(L, t, key);
}

static inline void luaset_boolean(lua_State *L, int t, const char *key, int v)
{
    t = lua_absindex(L, t);
    lua_pushboolean(L, v);
    lua_setfield(L, t, key);
}

#endif

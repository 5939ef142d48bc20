/* vanelib.c — builds the `vane` module for scripts and rules (see vanelib.h). */
#include "vanelib.h"

#include <lauxlib.h>
#include <lua-cjson.h>
#include <string.h>

#include "embedded.h"

extern int luaopen_cjson_safe(lua_State *L);

#define LUA_PREFIX "engine/lua/"

/* Run one shipped Lua part and store what it returns as vane[name]. */
static int load_part(sandbox_t *sb, int vane, const embedded_file_t *f, err_t *e)
{
    lua_State *L = sandbox_lua(sb);
    const char *base = f->name + strlen(LUA_PREFIX);
    size_t n = strlen(base) - strlen(".lua");
    sandbox_push_env(sb);
    int rc = sandbox_load(sb, f->name, f->data, f->len, lua_gettop(L), e);
    lua_remove(L, -2); /* the env stays reachable as the function's upvalue */
    if (rc == 0)
        rc = sandbox_call(sb, 0, 1, f->name, e);
    if (rc != 0)
        return -1;
    lua_pushlstring(L, base, n);
    lua_insert(L, -2);
    lua_rawset(L, vane);
    return 0;
}

int vanelib_install(sandbox_t *sb, err_t *e)
{
    lua_State *L = sandbox_lua(sb);
    lua_newtable(L);
    int vane = lua_gettop(L);
    lua_pushcfunction(L, luaopen_cjson_safe);
    lua_call(L, 0, 1);
    lua_setfield(L, vane, "json");
    for (const embedded_file_t *f = embedded_files; f->name; f++) {
        size_t len = strlen(f->name);
        if (strncmp(f->name, LUA_PREFIX, strlen(LUA_PREFIX)) != 0 || len < 5 ||
            strcmp(f->name + len - 4, ".lua") != 0)
            continue;
        if (load_part(sb, vane, f, e) != 0) {
            lua_settop(L, vane - 1);
            return -1;
        }
    }
    sandbox_set_global(sb, "vane");
    return 0;
}

/* vanelib.c — builds the `vane` module for scripts and rules (see vanelib.h). */
#include "lib/vanelib.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/embedded.h"

extern int luaopen_cjson_safe(lua_State *L);

#define LUA_PREFIX "engine/lib/lua/"
#define MAX_WARNINGS 100
#define JSON_MAX_DEPTH 200

static const char key_warnings = 'w'; /* registry: list of warning strings, n = count */
static const char key_vane = 'v';     /* registry: the module table itself (not its proxy) */

static const struct {
    const char *name;
    int (*open)(lua_State *L);
} c_parts[] = {
    {"feed", vane_open_feed},   {"html", vane_open_html}, {"xml", vane_open_xml},
    {"regex", vane_open_regex}, {"time", vane_open_time}, {"hash", vane_open_hash},
    {"_text", vane_open_text},
    {NULL, NULL},
};

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

static void push_warnings(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_warnings) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_warnings);
}

void vanelib_warn(lua_State *L, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    push_warnings(L);
    lua_getfield(L, -1, "n");
    lua_Integer n = lua_tointeger(L, -1) + 1;
    lua_pop(L, 1);
    lua_pushinteger(L, n);
    lua_setfield(L, -2, "n");
    if (n <= MAX_WARNINGS) {
        lua_pushstring(L, msg);
        lua_rawseti(L, -2, n);
    }
    lua_pop(L, 1);
}

void vanelib_take_warnings(lua_State *L, errlist_t *l, const char *prefix)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_warnings) != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    lua_getfield(L, -1, "n");
    lua_Integer n = lua_tointeger(L, -1);
    lua_pop(L, 1);
    for (lua_Integer i = 1; l && i <= n && i <= MAX_WARNINGS; i++) {
        lua_rawgeti(L, -1, i);
        errlist_add(l, "%s: %s", prefix, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    if (l && n > MAX_WARNINGS)
        errlist_add(l, "%s: %lld more warnings", prefix, (long long)(n - MAX_WARNINGS));
    lua_pop(L, 1);
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_warnings);
}

void vanelib_doc_args(lua_State *L, const char *name, vanelib_doc_args_t *a)
{
    if (lua_type(L, 1) != LUA_TSTRING) { /* a plain message: the host adds the source */
        lua_pushfstring(L, "%s: the body must be a string, not %s", name, luaL_typename(L, 1));
        lua_error(L);
    }
    a->body = lua_tolstring(L, 1, &a->len);
    if (lua_istable(L, 2)) { /* (body, opts) */
        lua_settop(L, 2);
        lua_pushnil(L);
        lua_insert(L, 2);
    }
    lua_settop(L, 3);
    a->url = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    a->recover = 0;
    if (lua_istable(L, 3)) {
        lua_getfield(L, 3, "recover");
        a->recover = lua_toboolean(L, -1);
        lua_pop(L, 1);
    }
}

/* vane.warn(message): a script's own warning, reported with its source. */
static int l_warn(lua_State *L)
{
    vanelib_warn(L, "%s", luaL_checkstring(L, 1));
    return 0;
}

/* vane.json.decode with a clear message for deep documents: cjson.safe
 * says "found too many nested data structures (201) at character 201". */
static int l_json_decode(lua_State *L)
{
    luaL_checkstring(L, 1);
    lua_settop(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 1, 2);
    if (lua_isnil(L, 1) && lua_isstring(L, 2) &&
        strstr(lua_tostring(L, 2), "too many nested data structures")) {
        const char *at = strstr(lua_tostring(L, 2), " at character");
        lua_pushfstring(L, "JSON nested too deep (more than %d levels)%s", JSON_MAX_DEPTH,
                        at ? at : "");
        lua_replace(L, 2);
    }
    return 2;
}

/* vane.json: cjson.safe with a depth limit and the clearer decode. */
static void open_json(lua_State *L, int vane)
{
    lua_pushcfunction(L, luaopen_cjson_safe);
    lua_call(L, 0, 1);
    int json = lua_gettop(L);
    lua_getfield(L, json, "decode_max_depth");
    lua_pushinteger(L, JSON_MAX_DEPTH);
    lua_call(L, 1, 0);
    lua_getfield(L, json, "encode_max_depth");
    lua_pushinteger(L, JSON_MAX_DEPTH);
    lua_call(L, 1, 0);
    lua_getfield(L, json, "decode");
    lua_pushcclosure(L, l_json_decode, 1);
    lua_setfield(L, json, "decode");
    lua_setfield(L, vane, "json");
}

int vanelib_install(sandbox_t *sb, err_t *e)
{
    lua_State *L = sandbox_lua(sb);
    lua_newtable(L);
    int vane = lua_gettop(L);
    open_json(L, vane);
    lua_pushcfunction(L, l_warn);
    lua_setfield(L, vane, "warn");
    for (int i = 0; c_parts[i].name; i++)
        if (c_parts[i].open(L) == 1)
            lua_setfield(L, vane, c_parts[i].name);
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
    lua_pushvalue(L, vane);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_vane);
    sandbox_set_global(sb, "vane");
    return 0;
}

int vanelib_set(lua_State *L, const char *name)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_vane) != LUA_TTABLE) {
        lua_pop(L, 2);
        return -1;
    }
    lua_insert(L, -2);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
    return 0;
}

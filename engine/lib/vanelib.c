/* vanelib.c — builds the `vane` module for scripts and rules from one table
 * of parts, and what every part shares: warnings, the document readers'
 * arguments, per-load data (see vanelib.h). */
#include "lib/vanelib.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/embedded.h"

extern int luaopen_cjson_safe(lua_State *L);

#define LUA_PART(name) "engine/lib/lua/" name ".lua"
#define MAX_WARNINGS 100
#define JSON_MAX_DEPTH 200

static const char key_warnings = 'w'; /* registry: list of warning strings, n = count */
static const char key_vane = 'v';     /* registry: the module table itself (not its proxy) */
static const char key_provided = 'p'; /* registry: part name -> value, or function making it */

static int open_json(lua_State *L);
static int open_warn(lua_State *L);
static int open_provided(lua_State *L);

#define BOTH (VANE_FOR_SCRIPTS | VANE_FOR_RULES)

const vanelib_part_t vanelib_parts[] = {
    {"json", open_json, NULL, BOTH},
    {"warn", open_warn, NULL, BOTH},
    {"feed", vane_open_feed, NULL, BOTH},
    {"html", vane_open_html, NULL, BOTH},
    {"xml", vane_open_xml, NULL, BOTH},
    {"regex", vane_open_regex, NULL, BOTH},
    {"time", vane_open_time, NULL, BOTH},
    {"hash", vane_open_hash, NULL, BOTH},
    {"url", vane_open_url, NULL, BOTH},
    {"advisory", NULL, LUA_PART("advisory"), BOTH},
    {"advisory.COUNTRIES", NULL, LUA_PART("advisory_countries"), BOTH},
    {"advisory.WORDING", NULL, LUA_PART("advisory_wording"), BOTH},
    {"items", NULL, LUA_PART("items"), BOTH},
    {"phrase", NULL, LUA_PART("phrase"), BOTH},
    {"phrase.stem", vane_open_phrase_stem, NULL, BOTH},
    {"phrase.t2s", vane_open_phrase_t2s, NULL, BOTH},
    {"text", NULL, LUA_PART("text"), BOTH},
    {"text.to_text", vane_open_text_to_text, NULL, BOTH},
    {"text.squish", vane_open_text_squish, NULL, BOTH},
    {"text.decode_entities", vane_open_text_decode_entities, NULL, BOTH},
    {"phrases", open_provided, NULL, VANE_FOR_RULES},
    {"watches", open_provided, NULL, VANE_FOR_RULES},
    {"history", vane_open_history, NULL, VANE_FOR_RULES},
    {"events", vane_open_events, NULL, VANE_FOR_RULES},
    {NULL, NULL, NULL, 0},
};

/* Run one shipped Lua part and push what it returns. */
static int load_part(sandbox_t *sb, const char *file, err_t *e)
{
    lua_State *L = sandbox_lua(sb);
    const embedded_file_t *f = embedded_find(file);
    if (!f)
        return err_set(e, "%s: not built into this vane", file);
    sandbox_push_env(sb);
    int rc = sandbox_load(sb, f->name, f->data, f->len, lua_gettop(L), e);
    lua_remove(L, rc == 0 ? -2 : -1); /* the env (a failed load pushes nothing) */
    if (rc == 0)
        rc = sandbox_call(sb, 0, 1, f->name, e);
    return rc;
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

static int open_warn(lua_State *L)
{
    lua_pushcfunction(L, l_warn);
    return 1;
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
static int open_json(lua_State *L)
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
    return 1;
}

void vanelib_provide(lua_State *L, const char *name)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_provided) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &key_provided);
    }
    lua_insert(L, -2);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
}

/* The part's data left by vanelib_provide (see vanelib.h). */
static int open_provided(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_provided) == LUA_TTABLE) {
        lua_getfield(L, -1, name);
        lua_pushnil(L); /* used once: the part keeps it from now on */
        lua_setfield(L, -3, name);
    } else {
        lua_pushnil(L);
    }
    if (lua_isfunction(L, -1))
        lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
    }
    return 1;
}

/* Open one row's part and make it vane[name]; a part whose opener pushes
 * nothing stays absent. Returns 0, or -1 with e set. */
static int open_part(sandbox_t *sb, const vanelib_part_t *p, err_t *e)
{
    lua_State *L = sandbox_lua(sb);
    int top = lua_gettop(L);
    if (p->lua) {
        if (load_part(sb, p->lua, e) != 0)
            return -1;
    } else {
        lua_pushcfunction(L, p->open);
        lua_pushstring(L, p->name); /* openers get their name, as in luaL_requiref */
        lua_call(L, 1, 1);
    }
    if (lua_isnil(L, -1))
        lua_pop(L, 1);
    else
        vanelib_set(L, p->name);
    lua_settop(L, top);
    return 0;
}

/* Open the row named exactly `name` and the "NAME.FIELD" rows after it
 * for this audience. Returns 1 when there was such a row, 0 when not, or
 * -1 with e set. */
static int open_named(sandbox_t *sb, const char *name, unsigned audience, err_t *e)
{
    size_t n = strlen(name);
    int found = 0;
    for (const vanelib_part_t *p = vanelib_parts; p->name; p++) {
        if (!(p->audience & audience))
            continue;
        if (strcmp(p->name, name) == 0 ||
            (found && strncmp(p->name, name, n) == 0 && p->name[n] == '.')) {
            if (open_part(sb, p, e) != 0)
                return -1;
            found = 1;
        }
    }
    return found;
}

/* __index of the module: a part is opened the first time a chunk reads
 * vane.NAME, inside that chunk's call (under its budget and ceiling), and
 * kept. A state that never reads vane.advisory never pays for it, so a
 * state per rule file costs little more than the rule. */
static int lazy_index(lua_State *L)
{
    sandbox_t *sb = lua_touserdata(L, lua_upvalueindex(1));
    unsigned audience = (unsigned)lua_tointeger(L, lua_upvalueindex(2));
    const char *name = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    if (!name || strchr(name, '.'))
        return 0;
    err_t e;
    int found = open_named(sb, name, audience, &e);
    if (found < 0)
        return luaL_error(L, "vane.%s: %s", name, e.msg);
    lua_settop(L, 2);
    lua_rawget(L, 1);
    return 1;
}

int vanelib_install(sandbox_t *sb, unsigned audience, err_t *e)
{
    (void)e;
    lua_State *L = sandbox_lua(sb);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_vane);
    lua_createtable(L, 0, 1);
    lua_pushlightuserdata(L, sb);
    lua_pushinteger(L, (lua_Integer)audience);
    lua_pushcclosure(L, lazy_index, 2);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    sandbox_set_global(sb, "vane");
    return 0;
}

int vanelib_open_all(sandbox_t *sb, unsigned audience, err_t *e)
{
    int rc = 0;
    for (const vanelib_part_t *p = vanelib_parts; rc == 0 && p->name; p++)
        if ((p->audience & audience) && !strchr(p->name, '.'))
            rc = open_named(sb, p->name, audience, e) < 0 ? -1 : 0;
    return rc;
}

/* Push the table that vane[name] goes into and leave the field's name in
 * *field: the module, or for "PART.FIELD" vane.PART. Pushes nothing and
 * returns -1 when there is no such table. */
static int push_target(lua_State *L, const char *name, const char **field)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_vane) != LUA_TTABLE) {
        lua_pop(L, 1);
        return -1;
    }
    const char *dot = strchr(name, '.');
    *field = dot ? dot + 1 : name;
    if (!dot)
        return 0;
    lua_pushlstring(L, name, (size_t)(dot - name));
    int type = lua_rawget(L, -2);
    lua_remove(L, -2);
    if (type == LUA_TTABLE)
        return 0;
    lua_pop(L, 1);
    return -1;
}

int vanelib_set(lua_State *L, const char *name)
{
    const char *field;
    if (push_target(L, name, &field) != 0) {
        lua_pop(L, 1);
        return -1;
    }
    lua_insert(L, -2);
    lua_setfield(L, -2, field);
    lua_pop(L, 1);
    return 0;
}

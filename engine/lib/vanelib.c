/* vanelib.c — builds the `vane` module for scripts and rules from one table
 * of parts, and what every part shares: warnings, the document readers'
 * arguments, per-load data (see vanelib.h). */
#include "lib/vanelib.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/embedded.h"

extern int luaopen_cjson_safe(lua_State *L);

#define LUA_PART(name) "engine/lib/lua/" name ".lua"
#define MAX_WARNINGS 100
#define JSON_MAX_DEPTH 200
#define JSON_MAX_ENCODED (64 << 20)

static const char key_warnings = 'w'; /* registry: list of warning strings, n = count */
static const char key_vane = 'v';     /* registry: the module table itself (not its proxy) */
static const char key_provided = 'p'; /* registry: part name -> value, or function making it */

static int open_json(lua_State *L);
static int open_warn(lua_State *L);
static int open_provided(lua_State *L);

#define BOTH (VANE_FOR_SCRIPTS | VANE_FOR_RULES)

/* The names each table part exports, with why a chunk needs each: the
 * module is closed, so whatever an opener or a Lua part leaves beside
 * these (lua-cjson's settings, a helper) is not reachable from a chunk. A
 * part not listed here is a function (vane.feed, vane.warn, …); a "*" row
 * keeps a data part as it is (its names are the monitor's own). The README's
 * library table documents the same names (tests/test_vanelib.c compares). */
const vanelib_export_t vanelib_exports[] = {
    {"json", "decode", "JSON text to Lua values (big integers as their digits)"},
    {"json", "encode", "Lua values to JSON text, plain data only, bounded"},
    {"json", "null", "the JSON null inside decoded arrays and objects"},
    {"hash", "sha256", "hex SHA-256 of strings, for keys and fingerprints"},
    {"hash", "short", "the first 16 hex digits of sha256, for short keys"},
    {"items", "from_json", "records of a JSON document as items (json_api)"},
    {"items", "get", "the value at a dotted path"},
    {"items", "merge", "a ready configuration's options over its defaults"},
    {"items", "OPTIONS", "the options from_json takes, for scripts to declare (data)"},
    {"phrase", "find", "the first entry of a phrase list in a text"},
    {"phrase", "find_all", "every entry of a phrase list in a text"},
    {"phrase", "find_near", "an entry governed by a cue"},
    {"phrase", "key", "the form phrases are matched in"},
    {"phrase", "news_title", "the title a news rule decides on"},
    {"phrase", "normalize", "the form plain phrases are compared in"},
    {"phrase", "stem", "Snowball English stems"},
    {"phrase", "t2s", "Traditional Chinese read as Simplified"},
    {"phrase", "tidy", "quotes and spacing tidied for messages"},
    {"regex", "compile", "a PCRE2 pattern compiled once"},
    {"regex", "find", "string.find with PCRE2"},
    {"regex", "gmatch", "string.gmatch with PCRE2"},
    {"regex", "gsub", "string.gsub with PCRE2"},
    {"regex", "match", "string.match with PCRE2"},
    {"regex", "match_named", "named groups of a match"},
    {"regex", "split", "a string split at a pattern"},
    {"regex", "test", "whether a pattern matches"},
    {"text", "decode_entities", "HTML entities decoded"},
    {"text", "normalize", "curly quotes and dashes made ASCII"},
    {"text", "squish", "runs of spaces made one"},
    {"text", "strip_tags", "markup removed"},
    {"text", "to_text", "text out of HTML"},
    {"time", "duration", "seconds of \"7d\", \"1h30m\""},
    {"time", "epoch", "seconds since 1970 of a date"},
    {"time", "format", "a date written out"},
    {"time", "now", "the run's clock (--now)"},
    {"time", "parse", "dates in many formats to UTC ISO-8601"},
    {"url", "canonical", "the form keys use"},
    {"url", "key", "canonical for http(s) URLs, else as is"},
    {"url", "parse", "the parts of a URL"},
    {"url", "resolve", "a reference against a base"},
    {"url", "tracking_params", "the query parameters canonical drops (data)"},
    {"advisory", "COUNTRIES", "the shipped country table (data)"},
    {"advisory", "MEANINGS", "what each risk indicator letter means (data)"},
    {"advisory", "WORDING", "the shipped change-note wording (data)"},
    {"advisory", "change_note", "indicators a change note added and removed"},
    {"advisory", "context", "a source's country table and wording"},
    {"advisory", "country", "the country a title's head names"},
    {"advisory", "item", "one advisory item keyed by country"},
    {"advisory", "normal_name", "a country name in matching form"},
    {"advisory", "notations", "the indicator letters of markup"},
    {"advisory", "title", "country, level and label of a title"},
    {"advisory", "unique", "one item per key"},
    {"phrases", "*", "rules: the monitor's phrase lists (data)"},
    {"watches", "*", "rules: the monitor's watch lists (data)"},
    {NULL, NULL, NULL},
};

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

/* See vanelib_plain_size: acc plus the estimate of the value at idx. */
static size_t plain_size(lua_State *L, int idx, size_t acc, size_t limit, int depth)
{
    sandbox_charge(L, 1);
    if (depth > VANELIB_SIZE_MAX_DEPTH)
        return SIZE_MAX;
    if (lua_type(L, idx) == LUA_TSTRING)
        return acc + lua_rawlen(L, idx) + 2;
    if (lua_type(L, idx) != LUA_TTABLE)
        return acc + 8;
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 3, "value size");
    acc += 2;
    lua_pushnil(L);
    while (acc <= limit && lua_next(L, idx)) {
        if (lua_type(L, -2) == LUA_TSTRING)
            acc += lua_rawlen(L, -2) + 4;
        acc = plain_size(L, -1, acc + 1, limit, depth + 1);
        lua_pop(L, 1);
    }
    if (acc > limit)
        lua_pop(L, 1); /* the key of a walk stopped early */
    return acc;
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

size_t vanelib_plain_size(lua_State *L, int idx, size_t limit)
{
    return plain_size(L, idx, 0, limit, 0);
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

/* vane.warn(message): a script's own warning, reported with its source
 * and the file:line that called vane.warn ("scripts/x.lua:12: …"). */
static int l_warn(lua_State *L)
{
    const char *msg = luaL_checkstring(L, 1);
    luaL_where(L, 1);
    vanelib_warn(L, "%s%s", lua_tostring(L, -1), msg);
    lua_pop(L, 1);
    return 0;
}

static int open_warn(lua_State *L)
{
    lua_pushcfunction(L, l_warn);
    return 1;
}

/* Length of the number token at p (digits, sign, '.', exponent) and
 * whether it is an integer literal a double cannot hold exactly
 * (|n| > 2^53). */
static size_t number_token(const char *p, const char *end, int *big)
{
    const char *q = p, *digits;
    int is_int = 1;
    if (q < end && *q == '-')
        q++;
    digits = q;
    while (q < end && strchr("0123456789.eE+-", *q)) {
        if (*q == '.' || *q == 'e' || *q == 'E')
            is_int = 0;
        q++;
    }
    size_t nd = is_int ? (size_t)(q - digits) : 0;
    *big = nd > 16 || (nd == 16 && memcmp(digits, "9007199254740992", 16) > 0);
    return (size_t)(q - p);
}

/* The JSON text with every integer literal beyond 2^53 quoted, so lua-cjson
 * gives it as a string of its digits rather than a rounded float (ids of
 * 10^17 stay distinct keys). Pushes the text to decode. */
static void quote_big_integers(lua_State *L, const char *s, size_t len)
{
    const char *p = s, *end = s + len, *copied = s;
    int in_string = 0, changed = 0;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    while (p < end) {
        char c = *p;
        if (in_string) {
            p += c == '\\' && p + 1 < end ? 2 : 1;
            in_string = c != '"';
            continue;
        }
        if (c != '-' && (c < '0' || c > '9')) {
            in_string = c == '"';
            p++;
            continue;
        }
        int big;
        size_t n = number_token(p, end, &big);
        if (big) {
            luaL_addlstring(&b, copied, (size_t)(p - copied));
            luaL_addchar(&b, '"');
            luaL_addlstring(&b, p, n);
            luaL_addchar(&b, '"');
            copied = p + n;
            changed = 1;
        }
        p += n;
    }
    if (!changed) {
        luaL_pushresult(&b);
        lua_pop(L, 1);
        lua_pushlstring(L, s, len);
        return;
    }
    luaL_addlstring(&b, copied, (size_t)(end - copied));
    luaL_pushresult(&b);
}

/* vane.json.decode: integers beyond 2^53 as strings of their digits, its
 * work charged, and a clear message for deep documents (cjson.safe says
 * "found too many nested data structures (201) at character 201"). */
static int l_json_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    sandbox_charge(L, (lua_Integer)(len / 16));
    quote_big_integers(L, s, len);
    lua_replace(L, 1);
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

/* Raise again an error caught by a nested lua_pcall: a memory error as a
 * memory error (an allocation the ceiling refuses), so the sandbox reports
 * its kind; any other with "vane.json.encode: " and the caller's position. */
static int rethrow(lua_State *L, int status)
{
    if (status == LUA_ERRMEM)
        lua_newuserdatauv(L, (size_t)-1 / 4, 0);
    if (status == LUA_ERRRUN && lua_type(L, -1) == LUA_TSTRING) {
        luaL_where(L, 1);
        lua_pushfstring(L, "%svane.json.encode: %s", lua_tostring(L, -1), lua_tostring(L, -2));
    }
    return lua_error(L);
}

static int check_plain(lua_State *L)
{
    sandbox_check_plain(L, 1, JSON_MAX_DEPTH, 0);
    if (vanelib_plain_size(L, 1, JSON_MAX_ENCODED) > JSON_MAX_ENCODED)
        luaL_error(L, "the value would take more than %d MB as JSON (shared tables are "
                      "written out each time they are reached)", JSON_MAX_ENCODED >> 20);
    return 0;
}

/* vane.json.encode(v): plain data only (no metatable, cycle, function,
 * non-finite number), at most JSON_MAX_ENCODED bytes, its work charged.
 * lua-cjson writes into a buffer of its own outside the state's ceiling:
 * the size is bounded before it starts. */
static int l_json_encode(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_settop(L, 1);
    lua_pushcfunction(L, check_plain);
    lua_pushvalue(L, 1);
    int status = lua_pcall(L, 1, 0, 0);
    if (status != LUA_OK)
        return rethrow(L, status);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 1, 2);
    if (lua_type(L, 1) == LUA_TSTRING)
        sandbox_charge(L, (lua_Integer)(lua_rawlen(L, 1) / 16));
    return 2;
}

/* vane.json: decode, encode and null of lua-cjson (safe variant), each
 * function holding its own copy, so no setting of the module is reachable. */
static int open_json(lua_State *L)
{
    lua_pushcfunction(L, luaopen_cjson_safe);
    lua_call(L, 0, 1);
    int cjson = lua_gettop(L);
    lua_getfield(L, cjson, "decode_max_depth");
    lua_pushinteger(L, JSON_MAX_DEPTH);
    lua_call(L, 1, 0);
    lua_getfield(L, cjson, "encode_max_depth");
    lua_pushinteger(L, JSON_MAX_DEPTH);
    lua_call(L, 1, 0);
    lua_createtable(L, 0, 3);
    lua_getfield(L, cjson, "decode");
    lua_pushcclosure(L, l_json_decode, 1);
    lua_setfield(L, -2, "decode");
    lua_getfield(L, cjson, "encode");
    lua_pushcclosure(L, l_json_encode, 1);
    lua_setfield(L, -2, "encode");
    lua_getfield(L, cjson, "null");
    lua_setfield(L, -2, "null");
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

/* Replace the table part vane[part] by a table of its exported names only. */
static void close_part(lua_State *L, int module, const char *part)
{
    lua_pushstring(L, part);
    if (lua_rawget(L, module) != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    int real = lua_gettop(L);
    lua_newtable(L);
    for (const vanelib_export_t *x = vanelib_exports; x->part; x++) {
        if (strcmp(x->part, part) != 0)
            continue;
        if (strcmp(x->name, "*") == 0) { /* data: kept as it is */
            lua_settop(L, real - 1);
            return;
        }
        lua_pushstring(L, x->name);
        lua_pushvalue(L, -1);
        if (lua_rawget(L, real) == LUA_TNIL)
            lua_pop(L, 2); /* a part that may be absent (OpenCC) */
        else
            lua_rawset(L, -3);
    }
    lua_pushstring(L, part);
    lua_insert(L, -2);
    lua_rawset(L, module);
    lua_settop(L, real - 1);
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
    if (found) { /* closed to its exports once its fields are in */
        lua_State *L = sandbox_lua(sb);
        lua_rawgetp(L, LUA_REGISTRYINDEX, &key_vane);
        close_part(L, lua_gettop(L), name);
        lua_pop(L, 1);
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

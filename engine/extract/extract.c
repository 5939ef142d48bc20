/* extract.c — loading and running source scripts (see extract.h). */
#include "extract/extract.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/embedded.h"
#include "util/json.h"
#include "lib/vanelib.h"
#include "lib/luaset.h"

struct extract {
    sandbox_t *sb;
    char *dir;      /* the configuration's folder */
    int scripts;    /* registry ref: name -> function */
    int complete;   /* the last list was the whole list (extract_complete) */
};

extract_t *extract_new(const config_t *cfg, err_t *e)
{
    extract_t *x = calloc(1, sizeof *x);
    if (!x) {
        err_set(e, "out of memory");
        return NULL;
    }
    x->sb = sandbox_new(&cfg->limits, e);
    if (!x->sb || vanelib_install(x->sb, VANE_FOR_SCRIPTS, e) != 0) {
        extract_free(x);
        return NULL;
    }
    sandbox_set_now(x->sb, clock_is_fixed() ? clock_now() : 0);
    x->dir = strdup(cfg->dir);
    lua_State *L = sandbox_lua(x->sb);
    lua_newtable(L);
    x->scripts = luaL_ref(L, LUA_REGISTRYINDEX);
    return x;
}

void extract_free(extract_t *x)
{
    if (!x)
        return;
    sandbox_free(x->sb);
    free(x->dir);
    free(x);
}

static int valid_name(const char *name)
{
    if (!*name)
        return 0;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return 0;
    return 1;
}

/* Compile and run the script's chunk; leaves what it returns: a function
 * (the list reader), or a table { list = function, detail = function }. */
static int load_script(extract_t *x, const char *src, size_t len, const char *chunk, err_t *e)
{
    lua_State *L = sandbox_lua(x->sb);
    sandbox_push_env(x->sb);
    int rc = sandbox_load(x->sb, chunk, src, len, lua_gettop(L), e);
    lua_remove(L, -2);
    if (rc == 0)
        rc = sandbox_call(x->sb, 0, 1, chunk, e);
    if (rc != 0)
        return -1;
    if (lua_isfunction(L, -1))
        return 0;
    int list = lua_istable(L, -1) ? lua_getfield(L, -1, "list") : LUA_TNONE;
    int detail = list != LUA_TNONE ? lua_getfield(L, -2, "detail") : LUA_TNONE;
    if (list != LUA_TNONE)
        lua_pop(L, 2);
    if (list == LUA_TFUNCTION && (detail == LUA_TFUNCTION || detail == LUA_TNIL))
        return 0;
    const char *what = list == LUA_TNONE ? luaL_typename(L, -1)
                       : list != LUA_TFUNCTION ? "table whose 'list' is not a function"
                                                : "table whose 'detail' is not a function";
    lua_pop(L, 1);
    return err_set(e, "%s: the script must return a function(doc, options) or a table "
                      "{ list = function(doc, options), detail = function(doc, item, options) }, "
                      "not a %s", chunk, what);
}

/* Push the script's part `part` ("list" or "detail"), or nil. The script
 * must have been prepared. */
static void push_part(extract_t *x, const char *script, const char *part)
{
    lua_State *L = sandbox_lua(x->sb);
    lua_rawgeti(L, LUA_REGISTRYINDEX, x->scripts);
    int t = lua_getfield(L, -1, script);
    lua_remove(L, -2);
    if (t == LUA_TFUNCTION && strcmp(part, "list") == 0)
        return;
    if (t == LUA_TTABLE) {
        lua_getfield(L, -1, part);
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    lua_pushnil(L);
}

int extract_has_detail(extract_t *x, const char *script)
{
    err_t e;
    if (extract_prepare(x, script, &e) != 0)
        return 0;
    push_part(x, script, "detail");
    lua_State *L = sandbox_lua(x->sb);
    int has = lua_isfunction(L, -1);
    lua_pop(L, 1);
    return has;
}

int extract_prepare(extract_t *x, const char *name, err_t *e)
{
    lua_State *L = sandbox_lua(x->sb);
    lua_rawgeti(L, LUA_REGISTRYINDEX, x->scripts);
    if (lua_getfield(L, -1, name) != LUA_TNIL) {
        lua_pop(L, 2);
        return 0;
    }
    lua_pop(L, 1);
    if (!valid_name(name)) {
        lua_pop(L, 1);
        return err_set(e, "bad script name '%s' (letters, digits, - and _)", name);
    }
    char chunk[300], path[4096];
    snprintf(chunk, sizeof chunk, "scripts/%s.lua", name);
    snprintf(path, sizeof path, "%s/%s", x->dir, chunk);
    size_t len;
    char *src = buf_read_all(path, &len);
    int rc;
    if (src) {
        rc = load_script(x, src, len, chunk, e);
        free(src);
    } else {
        const embedded_file_t *f = embedded_find(chunk);
        rc = f ? load_script(x, f->data, f->len, chunk, e)
               : err_set(e, "no script '%s': neither %s nor a shipped script of that name", name, path);
    }
    if (rc == 0)
        lua_setfield(L, -2, name);
    lua_pop(L, 1);
    return rc;
}

/* doc = { body, url, status, source, charset, headers = { name = value } } */
static void push_doc(lua_State *L, const extract_doc_t *d)
{
    lua_createtable(L, 0, 7);
    luaset_lstring(L, -1, "body", d->body ? d->body : "", d->len);
    luaset_string(L, -1, "url", d->url);
    luaset_integer(L, -1, "status", d->status);
    luaset_string(L, -1, "source", d->source);
    luaset_string(L, -1, "charset", d->charset ? d->charset : "utf-8");
    lua_newtable(L);
    for (const char *p = d->headers; p && *p;) {
        const char *nl = strchr(p, '\n'), *colon = strchr(p, ':');
        if (!nl)
            nl = p + strlen(p);
        if (colon && colon < nl) {
            luaL_Buffer b;
            luaL_buffinit(L, &b);
            for (const char *c = p; c < colon; c++)
                luaL_addchar(&b, (char)tolower((unsigned char)*c));
            luaL_pushresult(&b);
            const char *v = colon + 1;
            while (v < nl && (*v == ' ' || *v == '\t'))
                v++;
            lua_pushlstring(L, v, (size_t)(nl - v));
            lua_rawset(L, -3);
        }
        p = *nl ? nl + 1 : nl;
    }
    lua_setfield(L, -2, "headers");
}

/* The key of the item at idx as a string, or NULL. */
static const char *item_key(lua_State *L, int idx)
{
    int t = lua_getfield(L, idx, "key");
    if (t == LUA_TNUMBER)
        lua_tostring(L, -1);
    else if (t != LUA_TSTRING) {
        lua_pop(L, 1);
        return NULL;
    }
    const char *k = lua_tostring(L, -1);
    return *k ? k : NULL; /* stays on the stack */
}

/* Turn the list at `list` into items; duplicates are warned about and the
 * first is kept. */
static int collect_items(lua_State *L, int list, const extract_doc_t *d, diff_item_t **out,
                         size_t *n_out, errlist_t *warnings, err_t *e)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, list);
    diff_item_t *items = calloc((size_t)n + 1, sizeof *items);
    size_t len = 0;
    lua_newtable(L);
    int seen = lua_gettop(L);
    buf_t b = {0};
    int rc = items ? 0 : err_set(e, "out of memory");
    for (lua_Integer i = 1; rc == 0 && i <= n; i++) {
        if (lua_rawgeti(L, list, i) != LUA_TTABLE) {
            rc = err_set(e, "item %lld is a %s, not a table", (long long)i, luaL_typename(L, -1));
            break;
        }
        int item = lua_gettop(L);
        const char *key = item_key(L, item);
        if (!key) {
            rc = err_set(e, "item %lld has no key (a non-empty string or number)", (long long)i);
            break;
        }
        if (lua_getfield(L, seen, key) != LUA_TNIL) {
            if (warnings)
                errlist_add(warnings, "source %s: item key '%s' appears more than once; the first is kept",
                            d->source, key);
            lua_settop(L, seen);
            continue;
        }
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
        lua_setfield(L, seen, key);
        lua_pushnil(L);
        lua_setfield(L, item, "key"); /* the key is not a field */
        buf_reset(&b);
        if (json_encode_object(L, item, &b, e) != 0) {
            err_prefix(e, "item '%s': ", key);
            rc = -1;
            break;
        }
        items[len].key = strdup(key);
        items[len].fields = strdup(buf_str(&b));
        len++;
        lua_pushvalue(L, item + 1);
        lua_setfield(L, item, "key");
        lua_settop(L, seen);
    }
    buf_free(&b);
    lua_settop(L, seen - 1);
    if (rc != 0) {
        extract_items_free(items, len);
        return -1;
    }
    *out = items;
    *n_out = len;
    return 0;
}

/* What every call of a script's function starts with: a body to read and
 * the script loaded. The sandbox's state, or NULL with e set. */
static lua_State *begin_call(extract_t *x, const char *script, const extract_doc_t *doc, err_t *e)
{
    if (doc->len == 0) {
        err_set(e, "empty body");
        return NULL;
    }
    return extract_prepare(x, script, e) == 0 ? sandbox_lua(x->sb) : NULL;
}

int extract_items(extract_t *x, const char *script, const extract_doc_t *doc, diff_item_t **items,
                  size_t *n, errlist_t *warnings, err_t *e)
{
    *items = NULL;
    *n = 0;
    lua_State *L = begin_call(x, script, doc, e);
    if (!L)
        return -1;
    int top = lua_gettop(L);
    push_part(x, script, "list");
    push_doc(L, doc);
    if (json_decode_lua(L, doc->options_json ? doc->options_json : "{}",
                        doc->options_json ? strlen(doc->options_json) : 2, e) != 0) {
        lua_settop(L, top);
        return -1;
    }
    char chunk[300];
    snprintf(chunk, sizeof chunk, "scripts/%s.lua", script);
    char prefix[300];
    snprintf(prefix, sizeof prefix, "source %s", doc->source);
    vanelib_take_warnings(L, NULL, prefix); /* none left over from elsewhere */
    int called = sandbox_call(x->sb, 2, 1, chunk, e);
    vanelib_take_warnings(L, warnings, prefix);
    if (called != 0) {
        lua_settop(L, top);
        return -1;
    }
    int rc, list = lua_gettop(L);
    if (!lua_istable(L, -1))
        rc = err_set(e, "%s returned a %s, not a list of items", chunk, luaL_typename(L, -1));
    else
        rc = collect_items(L, list, doc, items, n, warnings, e);
    if (rc == 0) {
        lua_getfield(L, list, "removals");
        x->complete = !(lua_isboolean(L, -1) && !lua_toboolean(L, -1));
        lua_pop(L, 1);
    }
    if (rc != 0 && lua_istable(L, -1))
        err_prefix(e, "%s: ", chunk);
    lua_settop(L, top);
    lua_gc(L, LUA_GCSTEP, 0);
    return rc;
}

/* The item table for detail(): the fields decoded, with the key. */
static int push_item(lua_State *L, const char *key, const char *fields, err_t *e)
{
    if (json_decode_lua(L, fields, strlen(fields), e) != 0)
        return -1;
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        return err_set(e, "item '%s': stored fields are not an object", key);
    }
    luaset_string(L, -1, "key", key);
    return 0;
}

/* The completed item at idx as canonical JSON in out, without its key and
 * with the follow at follow_idx (detail may not move an item's page). */
static int encode_completed(lua_State *L, int idx, int follow_idx, buf_t *out, err_t *e)
{
    lua_pushnil(L);
    lua_setfield(L, idx, "key");
    lua_pushvalue(L, follow_idx);
    lua_setfield(L, idx, "follow");
    return json_encode_object(L, idx, out, e);
}

int extract_detail(extract_t *x, const char *script, const extract_doc_t *doc, const char *key,
                   const char *fields, char **out, errlist_t *warnings, err_t *e)
{
    *out = NULL;
    lua_State *L = begin_call(x, script, doc, e);
    if (!L)
        return -1;
    int top = lua_gettop(L);
    char chunk[300], prefix[1200];
    snprintf(chunk, sizeof chunk, "scripts/%s.lua", script);
    snprintf(prefix, sizeof prefix, "source %s: page %s", doc->source, doc->url);
    push_part(x, script, "detail");
    push_doc(L, doc);
    int rc = push_item(L, key, fields, e);
    if (rc == 0) {
        /* kept below the call: the page the item named, and the item itself
         * (what detail filled in when it returns nothing) */
        lua_getfield(L, -1, "follow");
        lua_insert(L, top + 1);
        lua_pushvalue(L, -1);
        lua_insert(L, top + 2);
        const char *opts = doc->options_json ? doc->options_json : "{}";
        rc = json_decode_lua(L, opts, strlen(opts), e);
    }
    if (rc == 0) {
        vanelib_take_warnings(L, NULL, prefix);
        rc = sandbox_call(x->sb, 3, 1, chunk, e);
        vanelib_take_warnings(L, warnings, prefix);
    }
    if (rc == 0 && lua_isnil(L, -1))
        lua_pop(L, 1);
    else if (rc == 0 && !lua_istable(L, -1))
        rc = err_set(e, "%s: detail returned a %s, not the item", chunk, luaL_typename(L, -1));
    buf_t b = {0};
    if (rc == 0 && encode_completed(L, lua_gettop(L), top + 1, &b, e) != 0)
        rc = err_prefix(e, "%s: item '%s': ", chunk, key);
    if (rc == 0)
        *out = buf_steal(&b);
    buf_free(&b);
    lua_settop(L, top);
    lua_gc(L, LUA_GCSTEP, 0);
    return rc;
}

int extract_complete(const extract_t *x)
{
    return x->complete;
}

void extract_items_free(diff_item_t *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++) {
        free(items[i].key);
        free(items[i].fields);
    }
    free(items);
}

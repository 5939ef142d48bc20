/* collect.c — reading a script's items inside the protection (see collect.h). */
#include "extract/collect.h"

#include <lauxlib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/vanelib.h"
#include "sandbox/sandbox.h"
#include "util/buf.h"
#include "util/json.h"

#define MAX_SIZE_WARNINGS 10

/* Raise "chunk: message": what the host refused in a returned value. */
static int refuse(lua_State *L, const collect_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lua_pushfstring(L, "%s: ", c->chunk);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    lua_concat(L, 2);
    return lua_error(L);
}

int collect_key(lua_State *L, int idx)
{
    char tmp[64];
    switch (lua_type(L, idx)) {
    case LUA_TSTRING:
        if (lua_rawlen(L, idx) == 0)
            return 0;
        lua_pushvalue(L, idx);
        return 1;
    case LUA_TNUMBER:
        break;
    default:
        return 0;
    }
    if (lua_isinteger(L, idx)) {
        snprintf(tmp, sizeof tmp, "%lld", (long long)lua_tointeger(L, idx));
    } else {
        double d = lua_tonumber(L, idx);
        if (!isfinite(d))
            return 0;
        if (d == floor(d) && fabs(d) < 9.2e18)
            snprintf(tmp, sizeof tmp, "%.0f.0", d);
        else {
            snprintf(tmp, sizeof tmp, "%.14g", d);
            if (strtod(tmp, NULL) != d)
                snprintf(tmp, sizeof tmp, "%.17g", d);
        }
    }
    lua_pushstring(L, tmp);
    return 1;
}

/* The title of the item at idx for messages, or "". */
static const char *title_of(lua_State *L, int idx)
{
    lua_pushliteral(L, "title");
    const char *t = lua_rawget(L, idx) == LUA_TSTRING ? lua_tostring(L, -1) : "";
    lua_pop(L, 1); /* the item still holds the string */
    return t;
}

/* Warn about an item over the cap; after a few, only count them. */
static void warn_size(collect_t *c, lua_State *L, int item, const char *key, size_t *over)
{
    if (c->warnings && ++*over <= MAX_SIZE_WARNINGS)
        errlist_add(c->warnings, "source %s: %s: item '%s' ('%.80s') takes more than "
                    "max_item_bytes (%zu bytes) encoded; it is left out", c->source, c->chunk, key,
                    title_of(L, item), c->max_item_bytes);
}

/* The item at idx (without its key) as canonical JSON in b; 0, or 1 when it
 * is over the cap (then never encoded in full when the estimate already
 * passes it). Raises on a bad value. */
static int encode_item(lua_State *L, collect_t *c, int idx, buf_t *b)
{
    if (vanelib_plain_size(L, idx, c->max_item_bytes) > c->max_item_bytes)
        return 1;
    err_t e = {{0}};
    buf_reset(b);
    if (json_encode_object(L, idx, b, &e) != 0)
        return refuse(L, c, "%s", e.msg);
    sandbox_charge(L, (lua_Integer)(b->len / 64));
    return b->len > c->max_item_bytes;
}

/* Whether the key (on top) was seen; if so warn naming both items. The
 * key stays on top. `seen` maps key -> index of the item kept. */
static int seen_before(lua_State *L, collect_t *c, int list, int seen, lua_Integer i, int item)
{
    lua_pushvalue(L, -1);
    if (lua_rawget(L, seen) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushinteger(L, i);
        lua_rawset(L, seen);
        return 0;
    }
    lua_Integer first = lua_tointeger(L, -1);
    lua_pop(L, 1);
    lua_rawgeti(L, list, first);
    if (c->warnings)
        errlist_add(c->warnings, "source %s: %s: items %lld ('%.80s') and %lld ('%.80s') have the same "
                    "key '%s'; the first is kept, the second left out", c->source, c->chunk,
                    (long long)first, title_of(L, lua_gettop(L)), (long long)i, title_of(L, item),
                    lua_tostring(L, -2));
    lua_pop(L, 1);
    return 1;
}

/* Item i of the list: checked, keyed, sized and encoded into c->items. */
static void take_item(lua_State *L, collect_t *c, int list, int seen, lua_Integer i, buf_t *b,
                      size_t *over)
{
    if (lua_rawgeti(L, list, i) != LUA_TTABLE)
        refuse(L, c, "item %I is a %s, not a table", i, luaL_typename(L, -1));
    int item = lua_gettop(L);
    lua_pushliteral(L, "key");
    lua_rawget(L, item);
    if (!collect_key(L, -1))
        refuse(L, c, "item %I has no key (a non-empty string or number)", i);
    lua_remove(L, -2);
    const char *key = lua_tostring(L, -1);
    if (seen_before(L, c, list, seen, i, item))
        return;
    lua_pushliteral(L, "key");
    lua_pushnil(L);
    lua_rawset(L, item); /* the key is not a field */
    int big = encode_item(L, c, item, b);
    lua_pushliteral(L, "key");
    lua_pushvalue(L, item + 1);
    lua_rawset(L, item);
    if (big) {
        warn_size(c, L, item, key, over);
        return;
    }
    char *k = strdup(key), *f = strdup(buf_str(b));
    if (!k || !f) {
        free(k);
        free(f);
        luaL_error(L, "out of memory");
    }
    c->items[c->n].key = k;
    c->items[c->n].fields = f;
    c->n++;
}

/* The body of collect_list once the list is known to be plain. */
static void take_items(lua_State *L, collect_t *c, int list)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, list);
    c->items = calloc((size_t)n + 1, sizeof *c->items);
    if (!c->items)
        luaL_error(L, "out of memory");
    lua_newtable(L);
    int seen = lua_gettop(L);
    size_t over = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        take_item(L, c, list, seen, i, &c->buf, &over);
        lua_settop(L, seen);
    }
    if (over > MAX_SIZE_WARNINGS && c->warnings)
        errlist_add(c->warnings, "source %s: %s: %zu more items over max_item_bytes left out",
                    c->source, c->chunk, over - MAX_SIZE_WARNINGS);
}

int collect_list(lua_State *L)
{
    collect_t *c = lua_touserdata(L, 1);
    int list = 2;
    if (!lua_istable(L, list))
        refuse(L, c, "returned a %s, not a list of items", luaL_typename(L, list));
    c->checking = 1;
    sandbox_check_plain(L, list, COLLECT_MAX_DEPTH, 0);
    c->checking = 0;
    lua_pushliteral(L, "removals");
    lua_rawget(L, list);
    c->complete = !(lua_isboolean(L, -1) && !lua_toboolean(L, -1));
    lua_pop(L, 1);
    take_items(L, c, list);
    return 0;
}

int collect_detail(lua_State *L)
{
    collect_t *c = lua_touserdata(L, 1);
    int item = 2, follow = 3;
    if (!lua_istable(L, item))
        refuse(L, c, "detail returned a %s, not the item", luaL_typename(L, item));
    c->checking = 1;
    sandbox_check_plain(L, item, COLLECT_MAX_DEPTH, 0);
    c->checking = 0;
    lua_pushliteral(L, "key");
    lua_rawget(L, item);
    const char *key = lua_isstring(L, -1) ? lua_tostring(L, -1) : "?";
    lua_pushliteral(L, "key");
    lua_pushnil(L);
    lua_rawset(L, item);
    lua_pushliteral(L, "follow"); /* detail may not move an item's page */
    lua_pushvalue(L, follow);
    lua_rawset(L, item);
    if (encode_item(L, c, item, &c->buf))
        refuse(L, c, "item '%s' takes more than max_item_bytes (%I bytes) encoded once completed",
               key, (lua_Integer)c->max_item_bytes);
    c->fields = buf_steal(&c->buf);
    if (!c->fields)
        luaL_error(L, "out of memory");
    return 0;
}

void collect_free(collect_t *c)
{
    for (size_t i = 0; c->items && i < c->n; i++) {
        free(c->items[i].key);
        free(c->items[i].fields);
    }
    free(c->items);
    free(c->fields);
    buf_free(&c->buf);
    c->items = NULL;
    c->fields = NULL;
    c->n = 0;
}

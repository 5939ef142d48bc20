/* lib_history.c — vane.history and vane.events over the store (see
 * history.h).
 *
 * The store reads the rows (store_history_item, store_history_events);
 * this file checks the arguments and turns the rows into Lua tables, item,
 * prev and diff decoded from their canonical JSON. The rows being pushed
 * are kept in a userdata in the registry, given to both functions as an
 * upvalue, so that an error raised while pushing leaks nothing: the next
 * call, history_reset or the userdata's __gc frees them. */
#include "lib/history.h"

#include <lauxlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/json.h"
#include "config/units.h"
#include "lib/vanelib.h"
#include "lib/luaset.h"

typedef struct history {
    store_t *st;
    store_event_t *evs;   /* the rows being pushed */
    size_t n;
} history_t;

static const char key_history = 'h'; /* registry: the history_t userdata */

static void drop_rows(history_t *h)
{
    store_events_free(h->evs, h->n);
    h->evs = NULL;
    h->n = 0;
}

static int history_gc(lua_State *L)
{
    drop_rows(lua_touserdata(L, 1));
    return 0;
}

static history_t *registered(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_history);
    history_t *h = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return h;
}

/* The history of this call, with no rows left from an earlier one; raises
 * when there is no database. */
static history_t *ready(lua_State *L, const char *fn)
{
    history_t *h = lua_touserdata(L, lua_upvalueindex(1));
    if (!h->st)
        luaL_error(L, "%s: no database here (history is read during `vane run`)", fn);
    drop_rows(h);
    return h;
}

static void set_text(lua_State *L, const char *v, const char *name)
{
    if (!v)
        return;
    lua_pushstring(L, v);
    lua_setfield(L, -2, name);
}

static void set_json(lua_State *L, const store_event_t *ev, const char *v, const char *name)
{
    err_t e = {{0}};
    if (!v)
        return;
    if (json_decode_lua(L, v, strlen(v), &e) != 0)
        luaL_error(L, "event %lld: field %s: %s", ev->id, name, e.msg);
    lua_setfield(L, -2, name);
}

static void push_event(lua_State *L, const store_event_t *ev)
{
    lua_createtable(L, 0, 10);
    luaset_integer(L, -1, "id", ev->id);
    if (ev->run_id) {
        luaset_integer(L, -1, "run_id", ev->run_id);
    }
    set_text(L, ev->source, "source");
    set_text(L, ev->key, "key");
    set_text(L, ev->change, "change");
    luaset_boolean(L, -1, "baseline", ev->baseline);
    set_json(L, ev, ev->item, "item");
    set_json(L, ev, ev->prev, "prev");
    set_json(L, ev, ev->diff, "diff");
    set_text(L, ev->observed_at, "observed_at");
}

/* Push the rows the store read (rc 0) as a list of event tables, or raise
 * the store's error. */
static int push_rows(lua_State *L, history_t *h, int rc, const err_t *e, const char *fn)
{
    if (rc != 0)
        return luaL_error(L, "%s: %s", fn, e->msg);
    lua_newtable(L);
    for (size_t i = 0; i < h->n; i++) {
        push_event(L, &h->evs[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    drop_rows(h);
    return 1;
}

/* vane.history(source, key) */
static int l_history(lua_State *L)
{
    const char *source = luaL_checkstring(L, 1);
    const char *key = luaL_checkstring(L, 2);
    history_t *h = ready(L, "vane.history");
    err_t e = {{0}};
    int rc = store_history_item(h->st, source, key, HISTORY_MAX_EVENTS, &h->evs, &h->n, &e);
    return push_rows(L, h, rc, &e, "vane.history");
}

/* `since` as an ISO time: a time itself, or a duration back from now. */
static void since_arg(lua_State *L, const char *v, char out[32])
{
    vtime_t t;
    long long d;
    if (clock_parse_iso(v, &t) == 0)
        clock_format_iso(t, out);
    else if (units_duration(v, &d) == 0)
        clock_format_iso(clock_now() - d, out);
    else
        luaL_error(L, "vane.events: since must be an ISO-8601 time or a duration such as \"3d\", "
                      "not '%s'", v);
}

static const char *opt_string(lua_State *L, const char *name)
{
    int t = lua_getfield(L, 1, name);
    if (t != LUA_TNIL && t != LUA_TSTRING)
        luaL_error(L, "vane.events: %s must be a string, not a %s", name, lua_typename(L, t));
    const char *v = lua_tostring(L, -1);
    lua_pop(L, 1); /* the option table keeps the string alive */
    return v;
}

static void check_option_names(lua_State *L)
{
    static const char *const known[] = {"source", "since", "change", "baseline", "limit", NULL};
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        int ok = 0;
        for (int i = 0; k && known[i]; i++)
            ok |= strcmp(k, known[i]) == 0;
        if (!ok)
            luaL_error(L, "vane.events: unknown option '%s' (source, since, change, baseline, limit)",
                       k ? k : luaL_typename(L, -1));
    }
}

/* vane.events{ source =, since =, change =, baseline =, limit = } */
static int l_events(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    check_option_names(L);
    const char *source = opt_string(L, "source");
    const char *since = opt_string(L, "since");
    const char *change = opt_string(L, "change");
    if (change && strcmp(change, "new") != 0 && strcmp(change, "changed") != 0 &&
        strcmp(change, "removed") != 0)
        luaL_error(L, "vane.events: change must be \"new\", \"changed\" or \"removed\", not '%s'",
                   change);
    lua_getfield(L, 1, "baseline");
    int baseline = lua_isnil(L, -1) || lua_toboolean(L, -1);
    lua_getfield(L, 1, "limit");
    lua_Integer limit = HISTORY_MAX_EVENTS;
    if (!lua_isnil(L, -1)) {
        int ok;
        limit = lua_tointegerx(L, -1, &ok);
        if (!ok || limit < 1)
            luaL_error(L, "vane.events: limit must be a whole number of at least 1");
        if (limit > HISTORY_MAX_EVENTS)
            limit = HISTORY_MAX_EVENTS;
    }
    lua_pop(L, 2);
    char since_iso[32];
    if (since)
        since_arg(L, since, since_iso);
    history_t *h = ready(L, "vane.events");
    store_history_query_t q = {.source = source, .since = since ? since_iso : NULL,
                               .change = change, .baseline = baseline, .limit = (size_t)limit};
    err_t e = {{0}};
    int rc = store_history_events(h->st, &q, &h->evs, &h->n, &e);
    return push_rows(L, h, rc, &e, "vane.events");
}

/* The state's history_t, made on first use: both parts share it. */
static void push_history(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &key_history) == LUA_TUSERDATA)
        return;
    lua_pop(L, 1);
    history_t *h = lua_newuserdatauv(L, sizeof *h, 0);
    memset(h, 0, sizeof *h);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, history_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_history);
}

int vane_open_history(lua_State *L)
{
    push_history(L);
    lua_pushcclosure(L, l_history, 1);
    return 1;
}

int vane_open_events(lua_State *L)
{
    push_history(L);
    lua_pushcclosure(L, l_events, 1);
    return 1;
}

void history_attach(lua_State *L, store_t *st)
{
    history_t *h = registered(L);
    if (!h && !st)
        return;
    if (!h) { /* the parts open on first use: they will find it made */
        push_history(L);
        h = lua_touserdata(L, -1);
        lua_pop(L, 1);
    }
    drop_rows(h);
    h->st = st;
}

void history_reset(lua_State *L)
{
    history_t *h = registered(L);
    if (h)
        drop_rows(h);
}

/* lib_history.c — vane.history and vane.events over the store (see
 * history.h).
 *
 * The statements live in a userdata kept in the registry and given to both
 * functions as an upvalue; its __gc finalizes them, so closing the Lua
 * state releases them. Rows are turned into Lua tables as they are read;
 * item, prev and diff are decoded from their canonical JSON. */
#include "lib/history.h"

#include <lauxlib.h>
#include <sqlite3.h>
#include <string.h>

#include "util/clock.h"
#include "util/json.h"
#include "config/units.h"
#include "lib/vanelib.h"

#define COLUMNS "id, run_id, source, key, change, baseline, item, prev, diff, observed_at"

/* The newest `limit` rows, handed back oldest first. */
static const char sql_item[] =
    "SELECT " COLUMNS " FROM (SELECT " COLUMNS " FROM events "
    "WHERE source = ?1 AND key = ?2 ORDER BY id DESC LIMIT ?3) ORDER BY id";

static const char sql_events[] =
    "SELECT " COLUMNS " FROM (SELECT " COLUMNS " FROM events "
    "WHERE (?1 IS NULL OR source = ?1) AND (?2 IS NULL OR observed_at >= ?2) "
    "AND (?3 IS NULL OR change = ?3) AND (?4 OR baseline = 0) ORDER BY id DESC LIMIT ?5) "
    "ORDER BY id";

enum { Q_ITEM, Q_EVENTS, Q_COUNT };

typedef struct history {
    sqlite3 *db;
    sqlite3_stmt *q[Q_COUNT];
} history_t;

static const char key_history = 'h'; /* registry: the history_t userdata */

static void finalize_all(history_t *h)
{
    for (int i = 0; i < Q_COUNT; i++) {
        sqlite3_finalize(h->q[i]);
        h->q[i] = NULL;
    }
}

static int history_gc(lua_State *L)
{
    finalize_all(lua_touserdata(L, 1));
    return 0;
}

static history_t *registered(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_history);
    history_t *h = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return h;
}

/* The statement, prepared on first use; raises when there is no database. */
static sqlite3_stmt *statement(lua_State *L, history_t *h, int which, const char *fn)
{
    static const char *const sql[Q_COUNT] = {[Q_ITEM] = sql_item, [Q_EVENTS] = sql_events};
    if (!h->db)
        luaL_error(L, "%s: no database here (history is read during `vane run`)", fn);
    if (!h->q[which]) {
        if (sqlite3_prepare_v3(h->db, sql[which], -1, SQLITE_PREPARE_PERSISTENT, &h->q[which],
                               NULL) != SQLITE_OK)
            luaL_error(L, "%s: %s", fn, sqlite3_errmsg(h->db));
        if (!sqlite3_stmt_readonly(h->q[which])) {
            sqlite3_finalize(h->q[which]);
            h->q[which] = NULL;
            luaL_error(L, "%s: refused a statement that could write", fn);
        }
    }
    sqlite3_reset(h->q[which]);
    sqlite3_clear_bindings(h->q[which]);
    return h->q[which];
}

static void set_text(lua_State *L, sqlite3_stmt *q, int col, const char *name)
{
    const char *v = (const char *)sqlite3_column_text(q, col);
    if (!v)
        return;
    lua_pushstring(L, v);
    lua_setfield(L, -2, name);
}

static void set_json(lua_State *L, sqlite3_stmt *q, int col, const char *name)
{
    const char *v = (const char *)sqlite3_column_text(q, col);
    err_t e = {{0}};
    if (!v)
        return;
    if (json_decode_lua(L, v, (size_t)sqlite3_column_bytes(q, col), &e) != 0)
        luaL_error(L, "event %lld: field %s: %s", (long long)sqlite3_column_int64(q, 0), name, e.msg);
    lua_setfield(L, -2, name);
}

/* Step q to the end, pushing a list of event tables. */
static int push_rows(lua_State *L, sqlite3_stmt *q, const char *fn)
{
    lua_newtable(L);
    lua_Integer n = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        lua_createtable(L, 0, 10);
        lua_pushinteger(L, sqlite3_column_int64(q, 0));
        lua_setfield(L, -2, "id");
        if (sqlite3_column_type(q, 1) != SQLITE_NULL) {
            lua_pushinteger(L, sqlite3_column_int64(q, 1));
            lua_setfield(L, -2, "run_id");
        }
        set_text(L, q, 2, "source");
        set_text(L, q, 3, "key");
        set_text(L, q, 4, "change");
        lua_pushboolean(L, sqlite3_column_int(q, 5));
        lua_setfield(L, -2, "baseline");
        set_json(L, q, 6, "item");
        set_json(L, q, 7, "prev");
        set_json(L, q, 8, "diff");
        set_text(L, q, 9, "observed_at");
        lua_rawseti(L, -2, ++n);
    }
    if (rc != SQLITE_DONE) {
        sqlite3 *db = sqlite3_db_handle(q);
        sqlite3_reset(q);
        return luaL_error(L, "%s: %s", fn, sqlite3_errmsg(db));
    }
    sqlite3_reset(q);
    return 1;
}

static void bind_opt_text(sqlite3_stmt *q, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, i);
}

/* vane.history(source, key) */
static int l_history(lua_State *L)
{
    const char *source = luaL_checkstring(L, 1);
    const char *key = luaL_checkstring(L, 2);
    history_t *h = lua_touserdata(L, lua_upvalueindex(1));
    sqlite3_stmt *q = statement(L, h, Q_ITEM, "vane.history");
    bind_opt_text(q, 1, source);
    bind_opt_text(q, 2, key);
    sqlite3_bind_int(q, 3, HISTORY_MAX_EVENTS);
    return push_rows(L, q, "vane.history");
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
    history_t *h = lua_touserdata(L, lua_upvalueindex(1));
    sqlite3_stmt *q = statement(L, h, Q_EVENTS, "vane.events");
    bind_opt_text(q, 1, source);
    bind_opt_text(q, 2, since ? since_iso : NULL);
    bind_opt_text(q, 3, change);
    sqlite3_bind_int(q, 4, baseline);
    sqlite3_bind_int64(q, 5, limit);
    return push_rows(L, q, "vane.events");
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
    if (!h)
        return;
    finalize_all(h);
    h->db = st ? store_db(st) : NULL;
}

void history_reset(lua_State *L)
{
    history_t *h = registered(L);
    for (int i = 0; h && i < Q_COUNT; i++)
        if (h->q[i])
            sqlite3_reset(h->q[i]);
}

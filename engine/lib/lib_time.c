/* lib_time.c — vane.time: dates in many formats, durations, the run's clock.
 *
 *   vane.time.parse(s [, opts]) "YYYY-MM-DDTHH:MM:SSZ" (UTC), or nil and
 *                               a message
 *   vane.time.epoch(s [, opts]) seconds since the epoch, or nil and a message
 *       opts.order = "mdy" | "dmy"   how to read 03/04/2024 (else refused)
 *       opts.zone = "+08:00" | "America/New_York"   for text without a zone
 *   vane.time.format(t [, fmt]) t in UTC as fmt says (default ISO 8601);
 *                               t is seconds or a date string; nil if not
 *   vane.time.duration(s)       seconds in "30s", "7d", "1h30m", or nil
 *   vane.time.now()             the run's now in seconds (fixed by --now)
 *
 * Dates are read by datetime_parse_opts (datetime.h lists the forms). Bad
 * text gives nil and a message, never an error: scripts meet bad dates in
 * documents and must be able to go on. Bad options (an order that is not
 * mdy or dmy, a zone the system does not know) are the script's mistake
 * and raise an error naming them. */
#include <lauxlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/datetime.h"
#include "config/units.h"
#include "lib/vanelib.h"

#define ISO_FORMAT "%Y-%m-%dT%H:%M:%SZ"
#define MAX_FORMATTED 256

/* The time at idx: an integer (or a float with an integral value) or a
 * parseable date string. Returns 0, or -1. */
static int time_arg(lua_State *L, int idx, long long *t)
{
    if (lua_type(L, idx) == LUA_TNUMBER) {
        int ok;
        lua_Integer i = lua_tointegerx(L, idx, &ok);
        if (!ok)
            return -1;
        *t = (long long)i;
        return 0;
    }
    if (lua_type(L, idx) == LUA_TSTRING)
        return datetime_parse(lua_tostring(L, idx), t);
    return -1;
}

/* opts at index 2 (a table, or nothing) into o; raises on a bad one. */
static void date_opts(lua_State *L, datetime_opts_t *o)
{
    o->order = DATETIME_ANY;
    o->zone = NULL;
    if (lua_isnoneornil(L, 2))
        return;
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_getfield(L, 2, "order");
    const char *order = lua_tostring(L, -1);
    if (order && strcmp(order, "mdy") == 0)
        o->order = DATETIME_MDY;
    else if (order && strcmp(order, "dmy") == 0)
        o->order = DATETIME_DMY;
    else if (!lua_isnil(L, -1))
        luaL_error(L, "vane.time: order must be \"mdy\" or \"dmy\", not %s", luaL_tolstring(L, -1, NULL));
    lua_getfield(L, 2, "zone");
    if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "vane.time: zone must be a string");
    o->zone = lua_tostring(L, -1); /* stays on the stack */
}

/* The date string at index 1 (with the options at 2) as a time. Returns 0,
 * or pushes nil and a message and returns 2. */
static int date_arg(lua_State *L, long long *t)
{
    datetime_opts_t o;
    date_opts(L, &o);
    int rc = datetime_parse_opts(lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : NULL, &o, t);
    if (rc == DATETIME_BAD_ZONE)
        return luaL_error(L, "vane.time: unknown time zone '%s' (neither an offset like "
                             "\"+08:00\" nor a zone of the system's tz database)", o.zone);
    if (rc == 0)
        return 0;
    lua_pushnil(L);
    if (rc == DATETIME_AMBIGUOUS)
        lua_pushliteral(L, "ambiguous date: day and month could be either way; "
                           "give order = \"mdy\" or \"dmy\"");
    else if (lua_type(L, 1) == LUA_TSTRING)
        lua_pushliteral(L, "not a date in a form vane knows");
    else
        lua_pushfstring(L, "not a date: a %s", luaL_typename(L, 1));
    return 2;
}

/* Push t formatted with fmt when ok (and it formats), else nil. */
static int push_formatted(lua_State *L, int ok, long long t, const char *fmt)
{
    char out[MAX_FORMATTED];
    if (!ok || datetime_format(t, fmt, out, sizeof out) != 0)
        lua_pushnil(L);
    else
        lua_pushstring(L, out);
    return 1;
}

static int l_parse(lua_State *L)
{
    long long t = 0;
    if (date_arg(L, &t) != 0)
        return 2;
    return push_formatted(L, 1, t, ISO_FORMAT);
}

static int l_epoch(lua_State *L)
{
    long long t = 0;
    if (date_arg(L, &t) != 0)
        return 2;
    lua_pushinteger(L, (lua_Integer)t);
    return 1;
}

static int l_format(lua_State *L)
{
    long long t = 0;
    const char *fmt = luaL_optstring(L, 2, ISO_FORMAT);
    int ok = time_arg(L, 1, &t) == 0;
    return push_formatted(L, ok, t, fmt);
}

static int l_duration(lua_State *L)
{
    long long s;
    if (lua_type(L, 1) != LUA_TSTRING || units_duration(lua_tostring(L, 1), &s) != 0)
        lua_pushnil(L);
    else
        lua_pushinteger(L, (lua_Integer)s);
    return 1;
}

static int l_now(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)clock_now());
    return 1;
}

static const luaL_Reg time_funcs[] = {
    {"parse", l_parse},       {"epoch", l_epoch}, {"format", l_format},
    {"duration", l_duration}, {"now", l_now},     {NULL, NULL},
};

int vane_open_time(lua_State *L)
{
    luaL_newlib(L, time_funcs);
    return 1;
}

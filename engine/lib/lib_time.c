/* lib_time.c — vane.time: dates in many formats, durations, the run's clock.
 *
 *   vane.time.parse(s)          "YYYY-MM-DDTHH:MM:SSZ" (UTC), or nil
 *   vane.time.epoch(s)          seconds since the epoch, or nil
 *   vane.time.format(t [, fmt]) t in UTC as fmt says (default ISO 8601);
 *                               t is seconds or a date string; nil if not
 *   vane.time.duration(s)       seconds in "30s", "7d", "1h30m", or nil
 *   vane.time.now()             the run's now in seconds (fixed by --now)
 *
 * Dates are read by datetime_parse (datetime.h lists the forms). Bad text
 * gives nil, never an error: scripts meet bad dates in documents and must
 * be able to go on. */
#include <lauxlib.h>

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

/* The date string at index 1 as a time, or -1. */
static int date_arg(lua_State *L, long long *t)
{
    return lua_type(L, 1) == LUA_TSTRING ? datetime_parse(lua_tostring(L, 1), t) : -1;
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
    int ok = date_arg(L, &t) == 0;
    return push_formatted(L, ok, t, ISO_FORMAT);
}

static int l_epoch(lua_State *L)
{
    long long t = 0;
    if (date_arg(L, &t) != 0)
        lua_pushnil(L);
    else
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

/* strlib.c — charging wrappers around lstrlib's functions (see strlib.h).
 * The real function is the wrapper's first upvalue and the way its cost is
 * measured the second; lstrlib's functions use no upvalues of their own,
 * so calling them from the wrapper's frame is the same as calling them. */
#include "sandbox/strlib.h"

#include <lauxlib.h>

#include "sandbox/sandbox.h"

enum cost {
    COST_INPUT,     /* one pass over argument 1: upper, lower, reverse */
    COST_REP,       /* the result, after: the memory ceiling bounds it */
    COST_SUB,       /* the piece copied */
    COST_BYTE,      /* values pushed */
    COST_CHAR,      /* arguments read */
    COST_FORMAT,    /* the format, then what it wrote */
    COST_PACK,      /* the format and the data */
};

static lua_Integer units_per(double bytes, double per_unit)
{
    double u = bytes / per_unit;
    return u >= (double)LUA_MAXINTEGER ? LUA_MAXINTEGER : (lua_Integer)u;
}

static lua_Integer units(double bytes)
{
    return units_per(bytes, STRLIB_BYTES_PER_UNIT);
}

static lua_Integer copy_units(double bytes)
{
    return units_per(bytes, STRLIB_COPY_BYTES_PER_UNIT);
}

static size_t len_at(lua_State *L, int idx)
{
    size_t len = 0;
    if (lua_type(L, idx) == LUA_TSTRING || lua_type(L, idx) == LUA_TNUMBER)
        lua_tolstring(L, idx, &len);
    return len;
}

static lua_Integer int_at(lua_State *L, int idx, lua_Integer def)
{
    int isnum;
    lua_Integer v = lua_tointegerx(L, idx, &isnum);
    return isnum ? v : def;
}

/* Positions i..j of a string of len bytes, as lstrlib normalises them:
 * how many there are (0 when the range is empty). */
static double range(lua_Integer i, lua_Integer j, size_t len)
{
    double n = (double)len;
    double a = i > 0 ? (double)i : i == 0 || -(double)i > n ? 1 : n + (double)i + 1;
    double b = j > (lua_Integer)len ? n : j >= 0 ? (double)j : -(double)j > n ? 0 : n + (double)j + 1;
    return b >= a ? b - a + 1 : 0;
}

static lua_Integer cost_before(lua_State *L, enum cost kind)
{
    size_t len = len_at(L, 1);
    switch (kind) {
    case COST_INPUT:
        return units((double)len);
    case COST_REP:
        return 0;
    case COST_SUB:
        return copy_units(range(int_at(L, 2, 1), int_at(L, 3, -1), len));
    case COST_BYTE: {
        lua_Integer i = int_at(L, 2, 1);
        return (lua_Integer)range(i, int_at(L, 3, i), len);
    }
    case COST_CHAR:
        return lua_gettop(L);
    case COST_FORMAT:
        return units((double)len);
    case COST_PACK:
        return units((double)len) + copy_units((double)len_at(L, 2));
    }
    return 0;
}

static int charged(lua_State *L)
{
    enum cost kind = (enum cost)lua_tointeger(L, lua_upvalueindex(2));
    sandbox_charge(L, cost_before(L, kind));
    int n = lua_tocfunction(L, lua_upvalueindex(1))(L);
    if (kind == COST_FORMAT || kind == COST_REP)
        sandbox_charge(L, copy_units((double)len_at(L, -1)));
    return n;
}

void strlib_register(lua_State *L, int idx)
{
    static const struct {
        const char *name;
        enum cost kind;
    } wrapped[] = {
        {"upper", COST_INPUT}, {"lower", COST_INPUT}, {"reverse", COST_INPUT},
        {"rep", COST_REP},     {"sub", COST_SUB},     {"byte", COST_BYTE},
        {"char", COST_CHAR},   {"format", COST_FORMAT}, {"pack", COST_PACK},
        {"unpack", COST_PACK}, {"packsize", COST_PACK},
    };
    idx = lua_absindex(L, idx);
    for (size_t i = 0; i < sizeof wrapped / sizeof wrapped[0]; i++) {
        lua_getfield(L, idx, wrapped[i].name);
        lua_pushinteger(L, wrapped[i].kind);
        lua_pushcclosure(L, charged, 2);
        lua_setfield(L, idx, wrapped[i].name);
    }
}

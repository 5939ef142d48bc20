/* decl.c — the readers of a declaration table's fields (see decl.h). */
#include "config/decl.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/units.h"

void decl_problem(decl_t *d, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    errlist_add(d->errs, "%s:%d: %s", d->chunk, d->line, msg);
    d->bad = 1;
}

void decl_check_keys_with(decl_t *d, int (*known)(const char *key, const void *ud), const void *ud)
{
    lua_pushnil(d->L);
    while (lua_next(d->L, d->idx)) {
        lua_pop(d->L, 1);
        if (lua_type(d->L, -1) != LUA_TSTRING)
            decl_problem(d, "%s: unexpected positional value", d->what);
        else if (!known(lua_tostring(d->L, -1), ud))
            decl_problem(d, "%s: unknown key '%s'", d->what, lua_tostring(d->L, -1));
    }
}

int decl_listed(const char *const *list, const char *name)
{
    for (const char *const *p = list; *p; p++)
        if (strcmp(name, *p) == 0)
            return 1;
    return 0;
}

static int in_list(const char *key, const void *list)
{
    return decl_listed(list, key);
}

void decl_check_keys(decl_t *d, const char *const *known)
{
    decl_check_keys_with(d, in_list, known);
}

/* Pushes the field; returns its Lua type. */
static int field(decl_t *d, const char *name)
{
    return lua_getfield(d->L, d->idx, name);
}

char *decl_string(decl_t *d, const char *name, const char *def)
{
    int t = field(d, name);
    char *v = NULL;
    if (t == LUA_TSTRING)
        v = strdup(lua_tostring(d->L, -1));
    else if (t == LUA_TNIL)
        v = def ? strdup(def) : NULL;
    else
        decl_problem(d, "%s: '%s' must be a string, not a %s", d->what, name, luaL_typename(d->L, -1));
    lua_pop(d->L, 1);
    return v;
}

char *decl_path(decl_t *d, const char *name)
{
    char *given = decl_string(d, name, NULL);
    char *path = given ? config_resolve(d->dir, given) : NULL;
    free(given);
    return path;
}

/* A quantity with units: what a duration and a size have in common. */
typedef struct quantity {
    const char *kind;                               /* "duration", "size" */
    int (*parse)(const char *text, long long *out); /* units.h */
    const char *unit;                               /* "seconds", "bytes" */
    long long max;                                  /* the largest value taken */
    const char *range;                              /* the range, as people write it */
    const char *examples;                           /* shown after a bad value */
} quantity_t;

/* The number on top of the stack as a whole count of q's unit within
 * 1..q->max, or -1: a fraction (0.5 would be 0, the cap off), a NaN, an
 * infinity or a value past the range (1e30 would overflow) is refused. */
static long long whole_in_range(lua_State *L, const quantity_t *q)
{
    if (lua_isinteger(L, -1)) {
        lua_Integer i = lua_tointeger(L, -1);
        return i >= 1 && i <= q->max ? (long long)i : -1;
    }
    lua_Number n = lua_tonumber(L, -1);
    if (!(n >= 1 && n <= (lua_Number)q->max) || n != (lua_Number)(long long)n)
        return -1;
    return (long long)n;
}

static void bad_quantity(decl_t *d, const char *name, const quantity_t *q)
{
    lua_State *L = d->L;
    lua_Number n = lua_tonumber(L, -1);
    const char *given = lua_type(L, -1) == LUA_TSTRING ? NULL
                        : n != n                       ? lua_pushliteral(L, "NaN")
                                                       : luaL_tolstring(L, -1, NULL);
    decl_problem(d, "%s: bad %s %s = %s%s%s: use a whole number of %s or text like %s, from %s",
                 d->what, q->kind, name, given ? "" : "\"", given ? given : lua_tostring(L, -1),
                 given ? "" : "\"", q->unit, q->examples, q->range);
    if (given)
        lua_pop(L, 1);
}

static long long decl_quantity(decl_t *d, const char *name, long long def, const quantity_t *q)
{
    int t = field(d, name);
    long long v = def, got = -1;
    if (t == LUA_TNUMBER)
        got = whole_in_range(d->L, q);
    else if (t == LUA_TSTRING && (q->parse(lua_tostring(d->L, -1), &got) != 0 || got < 1 || got > q->max))
        got = -1;
    if (got > 0)
        v = got;
    else if (t == LUA_TNUMBER || t == LUA_TSTRING)
        bad_quantity(d, name, q);
    else if (t != LUA_TNIL)
        decl_problem(d, "%s: bad %s for '%s': a %s, not a %s (use e.g. %s)", d->what, q->kind, name,
                     q->kind, luaL_typename(d->L, -1), q->examples);
    lua_pop(d->L, 1);
    return v;
}

long long decl_duration(decl_t *d, const char *name, long long def)
{
    static const quantity_t duration = {"duration", units_duration, "seconds", DECL_DURATION_MAX,
                                        "1s to 3650d", "\"30s\", \"5m\", \"1h\", \"7d\""};
    return decl_quantity(d, name, def, &duration);
}

long long decl_size(decl_t *d, const char *name, long long def)
{
    static const quantity_t size = {"size", units_size, "bytes", DECL_SIZE_MAX, "1 byte to 1TB",
                                    "\"512KB\", \"5MB\", \"1GiB\""};
    return decl_quantity(d, name, def, &size);
}

long long decl_duration_or_false(decl_t *d, const char *name, long long def)
{
    int t = field(d, name);
    int is_false = t == LUA_TBOOLEAN && !lua_toboolean(d->L, -1);
    lua_pop(d->L, 1);
    if (is_false)
        return 0;
    if (t == LUA_TBOOLEAN) {
        decl_problem(d, "%s: '%s' must be a duration (\"90d\") or false", d->what, name);
        return def;
    }
    return decl_duration(d, name, def);
}

int decl_bool(decl_t *d, const char *name, int def)
{
    int t = field(d, name), v = def;
    if (t == LUA_TBOOLEAN)
        v = lua_toboolean(d->L, -1);
    else if (t != LUA_TNIL)
        decl_problem(d, "%s: '%s' must be true or false", d->what, name);
    lua_pop(d->L, 1);
    return v;
}

long decl_count(decl_t *d, const char *name, long min, long max, long def)
{
    int t = field(d, name);
    long v = def;
    if (t == LUA_TNUMBER && lua_isinteger(d->L, -1) && lua_tointeger(d->L, -1) >= min &&
        lua_tointeger(d->L, -1) <= max)
        v = (long)lua_tointeger(d->L, -1);
    else if (t == LUA_TNUMBER && lua_tonumber(d->L, -1) != lua_tonumber(d->L, -1))
        decl_problem(d, "%s: '%s' = NaN: must be a whole number from %ld to %ld", d->what, name,
                     min, max);
    else if (t != LUA_TNIL) {
        decl_problem(d, "%s: '%s' = %s: must be a whole number from %ld to %ld", d->what, name,
                     luaL_tolstring(d->L, -1, NULL), min, max);
        lua_pop(d->L, 1);
    }
    lua_pop(d->L, 1);
    return v;
}

/* The strings of the list on top of the stack; one problem per other value. */
static char **list_of_strings(decl_t *d, const char *name, size_t *len)
{
    lua_Integer count = (lua_Integer)lua_rawlen(d->L, -1);
    char **v = calloc((size_t)count + 1, sizeof *v);
    for (lua_Integer i = 1; v && i <= count; i++) {
        if (lua_rawgeti(d->L, -1, i) == LUA_TSTRING)
            v[(*len)++] = strdup(lua_tostring(d->L, -1));
        else
            decl_problem(d, "%s: '%s' must be a list of strings", d->what, name);
        lua_pop(d->L, 1);
    }
    return v;
}

char **decl_strings(decl_t *d, const char *name, size_t *n)
{
    int t = field(d, name);
    char **v = NULL;
    size_t len = 0;
    if (t == LUA_TSTRING) {
        v = calloc(2, sizeof *v);
        v[len++] = strdup(lua_tostring(d->L, -1));
    } else if (t == LUA_TTABLE) {
        v = list_of_strings(d, name, &len);
    } else if (t != LUA_TNIL) {
        decl_problem(d, "%s: '%s' must be a list of strings", d->what, name);
    }
    lua_pop(d->L, 1);
    if (n)
        *n = len;
    return v;
}

void decl_free_strings(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

void decl_free_each(char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
}

int decl_valid_id(const char *id)
{
    if (!id || !*id)
        return 0;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
            return 0;
    return 1;
}

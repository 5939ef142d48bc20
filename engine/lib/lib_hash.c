/* lib_hash.c — vane.hash: digests for item keys and change checks.
 *
 *   vane.hash.sha256(s)   lowercase hex SHA-256 of s
 *   vane.hash.short(s)    its first 16 hex digits (a compact key)
 * Any number of arguments is hashed as their concatenation with a 0x1f
 * separator, so hash(a, b) differs from hash(a .. b). */
#include <lauxlib.h>
#include <string.h>

#include "util/sha256.h"
#include "lib/vanelib.h"

static void digest_args(lua_State *L, int first, char hex[65])
{
    sha256_t c;
    unsigned char d[32];
    int n = lua_gettop(L);
    luaL_checkstring(L, first);
    sha256_init(&c);
    for (int i = first; i <= n; i++) {
        size_t len;
        const char *s = luaL_checklstring(L, i, &len);
        if (i > first)
            sha256_update(&c, "\x1f", 1);
        sha256_update(&c, s, len);
    }
    sha256_final(&c, d);
    for (int i = 0; i < 32; i++) {
        static const char digits[] = "0123456789abcdef";
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

static int l_sha256(lua_State *L)
{
    char hex[65];
    digest_args(L, 1, hex);
    lua_pushstring(L, hex);
    return 1;
}

static int l_short(lua_State *L)
{
    char hex[65];
    digest_args(L, 1, hex);
    lua_pushlstring(L, hex, 16);
    return 1;
}

static const luaL_Reg hash_funcs[] = {
    {"sha256", l_sha256}, {"short", l_short}, {NULL, NULL},
};

int vane_open_hash(lua_State *L)
{
    luaL_newlib(L, hash_funcs);
    return 1;
}

/* lib_url.c — vane.url: URLs for scripts and rules (util/url.c does the work).
 *
 *   vane.url.parse(s)            { scheme, user, host, port, path, query,
 *                                fragment } (absent parts nil, port a
 *                                number), or nil and a message
 *   vane.url.resolve(base, ref)  ref resolved against base (RFC 3986 §5),
 *                                or nil and a message
 *   vane.url.canonical(s)        the form item keys use (README), or nil
 *                                and a message
 *   vane.url.key(s)              canonical(s) for an http(s) URL, else s
 *                                as it is: what the shipped scripts key by
 *   vane.url.tracking_params     the parameter names canonical drops
 *
 * Text is trimmed of surrounding white space first, as browsers trim an
 * href. A wrong argument type is an error; a bad URL is nil and a
 * message, which a script may turn into a warning. */
#include <lauxlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/url.h"
#include "lib/vanelib.h"

#define NUL_BYTE "a control character in the URL"

/* The string argument at idx without surrounding white space, in b; NULL
 * when it holds a NUL byte (which a C string would cut off unseen). */
static const char *trimmed_arg(lua_State *L, int idx, buf_t *b)
{
    size_t n;
    const char *s = luaL_checklstring(L, idx, &n);
    if (memchr(s, '\0', n))
        return NULL;
    while (n > 0 && strchr(" \t\r\n\f", *s)) {
        s++;
        n--;
    }
    while (n > 0 && strchr(" \t\r\n\f", s[n - 1]))
        n--;
    if (buf_append(b, s, n) != 0)
        luaL_error(L, "out of memory");
    return buf_str(b);
}

static void set_span(lua_State *L, const char *name, const url_span_t *s)
{
    if (!s->present)
        return;
    lua_pushlstring(L, s->p, s->len);
    lua_setfield(L, -2, name);
}

static int fail(lua_State *L, const char *why)
{
    lua_pushnil(L);
    lua_pushstring(L, why);
    return 2;
}

static int l_parse(lua_State *L)
{
    buf_t b = {0};
    const char *s = trimmed_arg(L, 1, &b);
    url_t u;
    const char *why = s ? NULL : NUL_BYTE;
    if (!s || *s == '\0' || url_split(s, strlen(s), &u, &why) != 0) {
        buf_free(&b);
        return fail(L, why ? why : "empty URL");
    }
    lua_createtable(L, 0, 7);
    if (u.scheme.present) {
        luaL_Buffer lb;
        luaL_buffinit(L, &lb);
        for (size_t i = 0; i < u.scheme.len; i++)
            luaL_addchar(&lb, (char)(u.scheme.p[i] | 0x20));
        luaL_pushresult(&lb);
        lua_setfield(L, -2, "scheme");
    }
    set_span(L, "user", &u.user);
    set_span(L, "host", &u.host);
    if (u.port_num >= 0) {
        lua_pushinteger(L, u.port_num);
        lua_setfield(L, -2, "port");
    }
    set_span(L, "path", &u.path);
    set_span(L, "query", &u.query);
    set_span(L, "fragment", &u.fragment);
    buf_free(&b);
    return 1;
}

/* Push out's text when rc is 0, else nil and why; out is freed. */
static int push_result(lua_State *L, int rc, buf_t *out, const char *why)
{
    if (rc != 0)
        fail(L, why);
    else
        lua_pushlstring(L, buf_str(out), out->len);
    buf_free(out);
    return rc != 0 ? 2 : 1;
}

static int l_resolve(lua_State *L)
{
    buf_t base = {0}, ref = {0}, out = {0};
    const char *why = NULL;
    luaL_checkstring(L, 1);
    luaL_checkstring(L, 2);
    const char *b = trimmed_arg(L, 1, &base);
    const char *r = trimmed_arg(L, 2, &ref);
    int rc = b && r ? url_resolve(b, r, &out, &why) : -1;
    if (!b || !r)
        why = NUL_BYTE;
    buf_free(&base);
    buf_free(&ref);
    return push_result(L, rc, &out, why);
}

static int l_canonical(lua_State *L)
{
    buf_t in = {0}, out = {0};
    const char *why = NULL;
    const char *s = trimmed_arg(L, 1, &in);
    int rc = s ? url_canonical(s, &out, &why) : -1;
    if (!s)
        why = NUL_BYTE;
    buf_free(&in);
    return push_result(L, rc, &out, why);
}

static int is_web_url(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

static int l_key(lua_State *L)
{
    if (lua_type(L, 1) != LUA_TSTRING) {
        lua_settop(L, 1);
        return 1;
    }
    buf_t in = {0}, out = {0};
    const char *why = NULL;
    const char *s = trimmed_arg(L, 1, &in);
    if (s && is_web_url(s) && url_canonical(s, &out, &why) == 0)
        lua_pushlstring(L, buf_str(&out), out.len);
    else
        lua_settop(L, 1);
    buf_free(&in);
    buf_free(&out);
    return 1;
}

static const luaL_Reg url_funcs[] = {
    {"parse", l_parse}, {"resolve", l_resolve}, {"canonical", l_canonical},
    {"key", l_key},     {NULL, NULL},
};

int vane_open_url(lua_State *L)
{
    luaL_newlib(L, url_funcs);
    lua_newtable(L);
    for (int i = 0; url_tracking_params[i]; i++) {
        lua_pushstring(L, url_tracking_params[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "tracking_params");
    return 1;
}

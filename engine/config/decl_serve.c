/* decl_serve.c — `serve { … }` in vane.lua: where `vane serve` listens,
 * its public address, and who may use it (a bearer token, users with
 * crypt(3) password hashes). Checked here; used by serve/server.c. */
#include <stdlib.h>
#include <string.h>

#include "config/keys.h"
#include "config/loader.h"

/* The hash formats libcrypt verifies that vane accepts (crypt(5)). */
static int known_hash(const char *h)
{
    static const char *const prefixes[] = {"$2b$", "$2y$", "$2a$", "$y$", "$gy$", "$7$",
                                           "$6$", "$5$", NULL};
    for (size_t i = 0; prefixes[i]; i++)
        if (strncmp(h, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

/* "ADDR:PORT" or "[V6]:PORT", PORT 1-65535 (the address is checked by
 * the server when it binds). */
static int plausible_listen(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    return colon[1] != '\0' && *end == '\0' && port >= 1 && port <= 65535;
}

static void add_user(serve_cfg_t *s, const char *name, const char *hash)
{
    char **n = realloc(s->user_names, (s->n_users + 1) * sizeof *n);
    if (n)
        s->user_names = n;
    char **h = realloc(s->user_hashes, (s->n_users + 1) * sizeof *h);
    if (h)
        s->user_hashes = h;
    if (!n || !h)
        return;
    s->user_names[s->n_users] = strdup(name);
    s->user_hashes[s->n_users] = strdup(hash);
    s->n_users++;
}

/* users = { name = "$2b$…", … } */
static void read_users(decl_t *d, serve_cfg_t *s)
{
    lua_State *L = d->L;
    int t = lua_getfield(L, d->idx, "users");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (t != LUA_TTABLE) {
        decl_problem(d, "serve: users must be a table { name = \"$2b$…\" }");
        lua_pop(L, 1);
        return;
    }
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        const char *hash = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        if (!name || !decl_valid_id(name))
            decl_problem(d, "serve: users: a user's name must be letters, digits, - _ . :");
        else if (!hash || !known_hash(hash))
            decl_problem(d, "serve: users: '%s' needs a password hash made by mkpasswd or "
                            "htpasswd -B ($2b$, $y$, $6$ …), not a password", name);
        else
            add_user(s, name, hash);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

const char *const decl_serve_keys[] = {"listen", "url", "token", "users", NULL};

int decl_serve(lua_State *L)
{
    decl_t d;
    if (loader_begin(L, &d, "serve") != 0)
        return 0;
    serve_cfg_t *s = &loader_of(L)->cfg->serve;
    if (s->line) {
        decl_problem(&d, "serve: declared twice (first at line %d)", s->line);
        return 0;
    }
    decl_check_keys(&d, decl_serve_keys);
    s->line = d.line;
    s->listen = decl_string(&d, "listen", NULL);
    s->url = decl_string(&d, "url", NULL);
    s->token = decl_string(&d, "token", NULL);
    if (s->listen && !plausible_listen(s->listen))
        decl_problem(&d, "serve: listen must be \"ADDR:PORT\" (127.0.0.1:8080, [::1]:8080)");
    if (s->url && strncmp(s->url, "http://", 7) != 0 && strncmp(s->url, "https://", 8) != 0)
        decl_problem(&d, "serve: url must start with http:// or https:// (the public address)");
    if (lua_getfield(L, d.idx, "token") != LUA_TNIL && (!s->token || strlen(s->token) < 16))
        decl_problem(&d, "serve: token must be a string of 16 characters or more "
                         "(token = env \"VANE_SERVE_TOKEN\"; is the variable set?)");
    lua_pop(L, 1);
    read_users(&d, s);
    return 0;
}

void decl_serve_free(serve_cfg_t *s)
{
    DECL_FREE(s->listen, s->url, s->token);
    decl_free_each(s->user_names, s->n_users);
    decl_free_each(s->user_hashes, s->n_users);
    free(s->user_names);
    free(s->user_hashes);
    memset(s, 0, sizeof *s);
}

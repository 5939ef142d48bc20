/* rules_lists.c — the phrase lists and watch lists rules read.
 *
 * Besides rule files, a rules folder may hold phrases.lua: not a rule but
 * data, a table of named phrase lists that every rule reads as
 * vane.phrases. The copy shipped in the binary is loaded first and each
 * folder's phrases.lua, in folder order, replaces the lists it names, so an
 * analyst's file need only hold the lists it changes. The configuration's
 * watch lists become vane.watches.
 *
 * The phrase files run once per load, in a state of their own, and the
 * lists they make are kept as C strings; each rule file's state gets its
 * own copy of them the first time it reads vane.phrases (the part is opened
 * by the `vane` library, vanelib.c, from the function left here with
 * vanelib_provide), so a thousand rule files do not run phrases.lua a
 * thousand times, and no rule can change another's lists. */
#include "rules/rules_int.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/embedded.h"
#include "lib/vanelib.h"
#include "lib/luaset.h"

#define PHRASES_SHIPPED "rules/" RULES_PHRASES_FILE

/* Check that the table at t is { name = { "phrase", … }, … } and copy its
 * lists into the merged table at merged. A bad list is reported and left
 * out; the good ones are still taken. */
static void merge_phrases(lua_State *L, int t, int merged, const char *chunk, const char *src,
                          errlist_t *errs)
{
    lua_pushnil(L);
    while (lua_next(L, t)) {
        const char *name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        const char *bad = NULL;
        if (!name)
            bad = "every list needs a name: name = { \"phrase\", … }";
        else if (!lua_istable(L, -1))
            bad = "must be a list of strings";
        for (lua_Integer i = 1; !bad && i <= (lua_Integer)lua_rawlen(L, -1); i++) {
            if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
                bad = "must be a list of strings";
            lua_pop(L, 1);
        }
        if (bad && name)
            errlist_add(errs, "%s:%d: phrase list '%s' %s", chunk, rules_line_of_name(src, name), name, bad);
        else if (bad)
            errlist_add(errs, "%s: %s", chunk, bad);
        if (!bad) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, merged);
        } else {
            lua_pop(L, 1);
        }
    }
}

/* Run one phrases file and merge what it returns into the table at merged. */
static void load_phrases(sandbox_t *sb, const char *chunk, const char *src, size_t len, int merged,
                         errlist_t *errs)
{
    lua_State *L = sandbox_lua(sb);
    err_t e;
    sandbox_push_env(sb);
    int rc = sandbox_load(sb, chunk, src, len, lua_gettop(L), &e);
    lua_remove(L, rc == 0 ? -2 : -1); /* the env (a failed load pushes nothing) */
    if (rc == 0)
        rc = sandbox_call(sb, 0, 1, chunk, &e);
    if (rc != 0) {
        errlist_add(errs, "%s", e.msg);
        return;
    }
    if (lua_istable(L, -1) && !lua_getmetatable(L, -1))
        merge_phrases(L, lua_gettop(L), merged, chunk, src, errs);
    else if (lua_istable(L, -1))
        errlist_add(errs, "%s: phrases.lua must return a plain table, not one with a metatable",
                    chunk);
    else
        errlist_add(errs, "%s: phrases.lua must return a table of named lists, not a %s", chunk,
                    luaL_typename(L, -1));
    lua_settop(L, merged);
}

typedef struct phrase_list {
    char *name;
    char **phrases;
    size_t n;
} phrase_list_t;

struct rules_phrases {
    phrase_list_t *lists;
    size_t n;
};

void rules_phrases_free(rules_phrases_t *ph)
{
    if (!ph)
        return;
    for (size_t i = 0; i < ph->n; i++) {
        for (size_t k = 0; k < ph->lists[i].n; k++)
            free(ph->lists[i].phrases[k]);
        free(ph->lists[i].phrases);
        free(ph->lists[i].name);
    }
    free(ph->lists);
    free(ph);
}

/* Copy the list at -1 (strings, checked by merge_phrases) named name. */
static int keep_list(rules_phrases_t *ph, lua_State *L, const char *name)
{
    phrase_list_t *more = realloc(ph->lists, (ph->n + 1) * sizeof *more);
    if (!more)
        return -1;
    ph->lists = more;
    phrase_list_t *pl = &ph->lists[ph->n++];
    size_t n = lua_rawlen(L, -1);
    *pl = (phrase_list_t){strdup(name), calloc(n + 1, sizeof(char *)), 0};
    if (!pl->name || !pl->phrases)
        return -1;
    for (size_t k = 1; k <= n; k++) {
        lua_rawgeti(L, -1, (lua_Integer)k);
        pl->phrases[pl->n] = strdup(lua_tostring(L, -1));
        lua_pop(L, 1);
        if (!pl->phrases[pl->n++])
            return -1;
    }
    return 0;
}

/* The merged table at merged as C lists. */
static int keep_lists(rules_phrases_t *ph, lua_State *L, int merged)
{
    lua_pushnil(L);
    while (lua_next(L, merged)) {
        if (keep_list(ph, L, lua_tostring(L, -2)) != 0)
            return -1;
        lua_pop(L, 1);
    }
    return 0;
}

/* The shipped lists, then each folder's phrases.lua. */
static void run_phrase_files(sandbox_t *sb, const config_t *cfg, int merged, errlist_t *errs)
{
    const embedded_file_t *shipped = embedded_find(PHRASES_SHIPPED);
    if (shipped)
        load_phrases(sb, shipped->name, shipped->data, shipped->len, merged, errs);
    for (size_t d = 0; d < cfg->n_rule_dirs; d++) {
        buf_t path = {0}, chunk = {0};
        const char *base = strrchr(cfg->rule_dirs[d], '/');
        buf_printf(&path, "%s/%s", cfg->rule_dirs[d], RULES_PHRASES_FILE);
        buf_printf(&chunk, "%s/%s", base ? base + 1 : cfg->rule_dirs[d], RULES_PHRASES_FILE);
        size_t len;
        char *src = buf_read_all(buf_str(&path), &len);
        if (src)
            load_phrases(sb, buf_str(&chunk), src, len, merged, errs);
        free(src);
        buf_free(&path);
        buf_free(&chunk);
    }
}

rules_phrases_t *rules_phrases_load(const config_t *cfg, errlist_t *errs, err_t *e)
{
    rules_phrases_t *ph = calloc(1, sizeof *ph);
    sandbox_t *sb = ph ? rules_new_state(cfg, NULL, NULL, e) : NULL;
    if (!sb) {
        if (!ph)
            err_set(e, "out of memory");
        rules_phrases_free(ph);
        return NULL;
    }
    lua_State *L = sandbox_lua(sb);
    lua_newtable(L);
    int merged = lua_gettop(L);
    run_phrase_files(sb, cfg, merged, errs);
    int rc = keep_lists(ph, L, merged);
    sandbox_free(sb);
    if (rc != 0) {
        rules_phrases_free(ph);
        err_set(e, "out of memory");
        return NULL;
    }
    return ph;
}

/* __index of a state's vane.phrases: list k copied from this load's data
 * the first time the state reads it, and kept. */
static int phrase_list(lua_State *L)
{
    const rules_phrases_t *ph = lua_touserdata(L, lua_upvalueindex(1));
    const char *name = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    for (size_t i = 0; name && ph && i < ph->n; i++) {
        const phrase_list_t *pl = &ph->lists[i];
        if (strcmp(pl->name, name) != 0)
            continue;
        lua_createtable(L, (int)pl->n, 0);
        for (size_t k = 0; k < pl->n; k++) {
            lua_pushstring(L, pl->phrases[k]);
            lua_rawseti(L, -2, (lua_Integer)k + 1);
        }
        lua_pushvalue(L, 2);
        lua_pushvalue(L, -2);
        lua_rawset(L, 1);
        return 1;
    }
    return 0;
}

/* vane.phrases for one state: this load's lists, each copied into the
 * state when it is first read (a rule reads two or three of the dozens).
 * Called by the library when a chunk first reads vane.phrases. */
static int make_phrases(lua_State *L)
{
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, phrase_list, 1);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    return 1;
}

/* Push a NULL-terminated list of strings as a Lua array (nil for NULL). */
static void push_strings(lua_State *L, char *const *v)
{
    if (!v) {
        lua_pushnil(L);
        return;
    }
    lua_newtable(L);
    for (lua_Integer i = 0; v[i]; i++) {
        lua_pushstring(L, v[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

/* vane.watches: the configuration's watch { … } declarations, in order. */
static int make_watches(lua_State *L)
{
    const config_t *cfg = lua_touserdata(L, lua_upvalueindex(1));
    lua_createtable(L, (int)cfg->n_watches, 0);
    for (size_t i = 0; i < cfg->n_watches; i++) {
        const watch_cfg_t *w = &cfg->watches[i];
        lua_createtable(L, 0, 6);
        luaset_string(L, -1, "id", w->id);
        push_strings(L, w->terms);
        lua_setfield(L, -2, "terms");
        push_strings(L, w->sources);
        lua_setfield(L, -2, "sources");
        push_strings(L, w->fields);
        lua_setfield(L, -2, "fields");
        luaset_string(L, -1, "severity", severity_name(w->severity));
        lua_createtable(L, 2, 0);
        int n = 0;
        if (w->on_new) {
            lua_pushliteral(L, "new");
            lua_rawseti(L, -2, ++n);
        }
        if (w->on_changed) {
            lua_pushliteral(L, "changed");
            lua_rawseti(L, -2, ++n);
        }
        lua_setfield(L, -2, "changes");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

void rules_provide_lists(sandbox_t *sb, const rules_phrases_t *ph, const config_t *cfg)
{
    lua_State *L = sandbox_lua(sb);
    lua_pushlightuserdata(L, (void *)ph);
    lua_pushcclosure(L, make_phrases, 1);
    vanelib_provide(L, "phrases");
    lua_pushlightuserdata(L, (void *)cfg);
    lua_pushcclosure(L, make_watches, 1);
    vanelib_provide(L, "watches");
}

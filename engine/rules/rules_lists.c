/* rules_lists.c — the phrase lists and watch lists rules read.
 *
 * Besides rule files, a rules folder may hold phrases.lua: not a rule but
 * data, a table of named phrase lists that every rule reads as
 * vane.phrases. The copy shipped in the binary is loaded first and each
 * folder's phrases.lua, in folder order, replaces the lists it names, so an
 * analyst's file need only hold the lists it changes. The configuration's
 * watch lists become vane.watches.
 *
 * This file only makes the data: both parts are opened by the `vane`
 * library's install (vanelib.c), which takes the data left here with
 * vanelib_provide. */
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
    if (lua_istable(L, -1))
        merge_phrases(L, lua_gettop(L), merged, chunk, src, errs);
    else
        errlist_add(errs, "%s: phrases.lua must return a table of named lists, not a %s", chunk,
                    luaL_typename(L, -1));
    lua_pop(L, 1);
}

/* vane.phrases: the shipped lists, then each folder's phrases.lua. Called
 * by the install when the part's turn comes, with the rules_lists_t as
 * upvalue; returns the merged table. */
static int make_phrases(lua_State *L)
{
    const rules_lists_t *ls = lua_touserdata(L, lua_upvalueindex(1));
    const config_t *cfg = ls->cfg;
    lua_newtable(L);
    int merged = lua_gettop(L);
    const embedded_file_t *shipped = embedded_find(PHRASES_SHIPPED);
    if (shipped)
        load_phrases(ls->sb, shipped->name, shipped->data, shipped->len, merged, ls->errs);
    for (size_t d = 0; d < cfg->n_rule_dirs; d++) {
        buf_t path = {0}, chunk = {0};
        const char *base = strrchr(cfg->rule_dirs[d], '/');
        buf_printf(&path, "%s/%s", cfg->rule_dirs[d], RULES_PHRASES_FILE);
        buf_printf(&chunk, "%s/%s", base ? base + 1 : cfg->rule_dirs[d], RULES_PHRASES_FILE);
        size_t len;
        char *src = buf_read_all(buf_str(&path), &len);
        if (src)
            load_phrases(ls->sb, buf_str(&chunk), src, len, merged, ls->errs);
        free(src);
        buf_free(&path);
        buf_free(&chunk);
    }
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
static void push_watches(lua_State *L, const config_t *cfg)
{
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
}

void rules_provide_lists(const rules_lists_t *ls)
{
    lua_State *L = sandbox_lua(ls->sb);
    lua_pushlightuserdata(L, (void *)ls);
    lua_pushcclosure(L, make_phrases, 1);
    vanelib_provide(L, "phrases");
    push_watches(L, ls->cfg);
    vanelib_provide(L, "watches");
}

/* config.c — loading vane.lua (see config.h): the sandbox it runs in, the
 * helpers `database`, `rules` and `env`, and what the declaration helpers
 * share (loader.h). The declarations themselves are read by decl_source.c,
 * decl_channel.c, decl_watch.c and decl_settings.c.
 *
 * A helper never raises for a bad declaration: it records the problem with
 * the caller's line and goes on, so `vane check` can list every problem at
 * once. */
#include "config/config.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config/loader.h"
#include "util/buf.h"

char *config_resolve(const char *dir, const char *path)
{
    if (path[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0 || strstr(path, "://"))
        return strdup(path);
    buf_t b = {0};
    buf_printf(&b, "%s/%s", dir, path);
    return buf_steal(&b);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* ---- what the declaration helpers share ------------------------------------- */

int loader_caller_line(lua_State *L)
{
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
        return ar.currentline;
    return 0;
}

loader_t *loader_of(lua_State *L)
{
    loader_t **handle = lua_touserdata(L, lua_upvalueindex(1));
    if (!handle || !*handle)
        luaL_error(L, "vane.lua's helpers work only while vane.lua is loaded");
    return *handle;
}

int loader_begin(lua_State *L, decl_t *d, const char *kind)
{
    loader_t *ld = loader_of(L);
    *d = (decl_t){.L = L, .idx = 1, .line = loader_caller_line(L), .what = kind,
                  .chunk = ld->chunk, .dir = ld->cfg->dir, .errs = ld->errs};
    if (lua_type(L, 1) != LUA_TTABLE) {
        decl_problem(d, "%s needs a table: %s { id = \"…\", … }", kind, kind);
        return -1;
    }
    return 0;
}

/* The line kind:id was declared on before, or 0 (and this one remembered). */
static int declared_before(loader_t *ld, const char *kind, const char *id, int line)
{
    lua_State *L = ld->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ld->seen);
    lua_pushfstring(L, "%s:%s", kind, id);
    lua_pushvalue(L, -1);
    int first = lua_rawget(L, -3) == LUA_TNUMBER ? (int)lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
    if (first) {
        lua_pop(L, 2);
        return first;
    }
    lua_pushinteger(L, line);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    return 0;
}

/* Report a duplicate when kind:id was declared before (rejected
 * declarations count too, so a duplicate is reported even when the first
 * one had another mistake); remember this declaration's line otherwise. */
static void check_unique(decl_t *d, const char *kind, const char *id)
{
    int first = id ? declared_before(loader_of(d->L), kind, id, d->line) : 0;
    if (first)
        decl_problem(d, "duplicate %s id '%s' (first declared on line %d)", kind, id, first);
}

int loader_open(lua_State *L, decl_t *d, const loader_form_t *f, char **id, int *line)
{
    if (loader_begin(L, d, f->kind) != 0)
        return -1;
    *line = d->line;
    *id = decl_string(d, "id", NULL);
    snprintf(d->name, sizeof d->name, "%s '%s'", f->kind, *id ? *id : "?");
    d->what = d->name;
    if (f->keys)
        decl_check_keys(d, f->keys);
    else
        decl_check_keys_with(d, f->known, NULL);
    if (!decl_valid_id(*id))
        decl_problem(d, "%s: %s id%s", f->kind, *id ? "bad" : "missing", f->id_rule);
    return 0;
}

int loader_close(decl_t *d, const loader_form_t *f, const char *id)
{
    check_unique(d, f->kind, id);
    if (f->builtin_id && id && strcmp(id, f->builtin_id) == 0)
        decl_problem(d, "%s id '%s' is the built-in one; choose another id", f->kind, id);
    return !d->bad;
}

/* arr (*n elements of size bytes used, *cap allocated) with a copy of
 * elem added at its end: the same array, or a larger one (the first
 * allocation holds `first` elements). */
static void *append(void *arr, size_t *n, size_t *cap, size_t first, const void *elem, size_t size)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : first;
        arr = realloc(arr, *cap * size);
    }
    memcpy((char *)arr + *n * size, elem, size);
    (*n)++;
    return arr;
}

void loader_keep_source(loader_t *ld, const source_cfg_t *s)
{
    config_t *cfg = ld->cfg;
    cfg->sources = append(cfg->sources, &cfg->n_sources, &ld->cap_sources, 16, s, sizeof *s);
}

void loader_keep_channel(loader_t *ld, const channel_cfg_t *c)
{
    config_t *cfg = ld->cfg;
    cfg->channels = append(cfg->channels, &cfg->n_channels, &ld->cap_channels, 4, c, sizeof *c);
}

void loader_keep_watch(loader_t *ld, const watch_cfg_t *w)
{
    config_t *cfg = ld->cfg;
    cfg->watches = append(cfg->watches, &cfg->n_watches, &ld->cap_watches, 4, w, sizeof *w);
}

/* ---- database, rules, env ------------------------------------------------------ */

static int l_database(lua_State *L)
{
    loader_t *ld = loader_of(L);
    if (lua_type(L, 1) != LUA_TSTRING) {
        errlist_add(ld->errs, "%s:%d: database needs a file name: database \"vane.db\"", ld->chunk,
                    loader_caller_line(L));
        return 0;
    }
    free(ld->cfg->database);
    ld->cfg->database = config_resolve(ld->cfg->dir, lua_tostring(L, 1));
    return 0;
}

/* The folder names of the list at index 1, resolved. */
static void rule_folders(loader_t *ld, lua_State *L, int line)
{
    config_t *cfg = ld->cfg;
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, 1, i) != LUA_TSTRING) {
            errlist_add(ld->errs, "%s:%d: rules: entry %lld is not a folder name", ld->chunk, line,
                        (long long)i);
        } else {
            cfg->rule_dirs = realloc(cfg->rule_dirs, (cfg->n_rule_dirs + 1) * sizeof *cfg->rule_dirs);
            cfg->rule_dirs[cfg->n_rule_dirs++] = config_resolve(cfg->dir, lua_tostring(L, -1));
        }
        lua_pop(L, 1);
    }
}

static int l_rules(lua_State *L)
{
    loader_t *ld = loader_of(L);
    int line = loader_caller_line(L);
    if (lua_type(L, 1) == LUA_TSTRING) {
        lua_createtable(L, 1, 0);
        lua_pushvalue(L, 1);
        lua_rawseti(L, -2, 1);
        lua_replace(L, 1);
    }
    if (lua_type(L, 1) != LUA_TTABLE) {
        errlist_add(ld->errs, "%s:%d: rules needs a list of folders: rules { \"rules\" }", ld->chunk,
                    line);
        return 0;
    }
    ld->have_rules = 1;
    rule_folders(ld, L, line);
    return 0;
}

static int l_env(lua_State *L)
{
    const char *v = getenv(luaL_checkstring(L, 1));
    if (v)
        lua_pushstring(L, v);
    else
        lua_pushnil(L);
    return 1;
}

/* ---- loading ------------------------------------------------------------------ */

/* The helpers reach the loader through a userdata the state owns: once
 * the loading is over it says so (loader_of), so a helper a kept function
 * calls later never reaches the loader, gone by then. */
static void set_helper(lua_State *L, int env, loader_t *ld, const char *name, lua_CFunction fn)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, ld->seen);
    lua_getfield(L, -1, "loader handle");
    lua_remove(L, -2);
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, env, name);
}

/* The handle set_helper gives every helper, kept in ld->seen's table. */
static void new_handle(loader_t *ld)
{
    lua_State *L = ld->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ld->seen);
    ld->handle = lua_newuserdatauv(L, sizeof *ld->handle, 0);
    *ld->handle = ld;
    lua_setfield(L, -2, "loader handle");
    lua_pop(L, 1);
}

/* Keep the sandbox in cfg when a channel has a function to call later,
 * under the settings' limits; free it otherwise. */
static void keep_or_free(loader_t *ld, sandbox_t *sb)
{
    *ld->handle = NULL;
    luaL_unref(ld->L, LUA_REGISTRYINDEX, ld->seen);
    lua_settop(ld->L, 0);
    if (!ld->keep_sandbox) {
        sandbox_free(sb);
        return;
    }
    sandbox_set_limits(sb, &ld->cfg->limits);
    ld->cfg->sandbox = sb;
    ld->cfg->pending_errs = calloc(1, sizeof *ld->cfg->pending_errs);
}

static int run_file(loader_t *ld, const char *src, size_t len)
{
    err_t e;
    sandbox_t *sb = sandbox_new(NULL, &e);
    if (!sb) {
        errlist_add(ld->errs, "%s: %s", ld->chunk, e.msg);
        return -1;
    }
    lua_State *L = sandbox_lua(sb);
    ld->L = L;
    lua_newtable(L);
    ld->seen = luaL_ref(L, LUA_REGISTRYINDEX);
    new_handle(ld);
    sandbox_push_env(sb);
    int env = lua_gettop(L);
    set_helper(L, env, ld, "source", decl_source);
    set_helper(L, env, ld, "channel", decl_channel);
    set_helper(L, env, ld, "database", l_database);
    set_helper(L, env, ld, "rules", l_rules);
    set_helper(L, env, ld, "settings", decl_settings);
    set_helper(L, env, ld, "watch", decl_watch);
    set_helper(L, env, ld, "serve", decl_serve);
    set_helper(L, env, ld, "env", l_env);
    int rc = sandbox_load(sb, ld->chunk, src, len, env, &e);
    if (rc == 0)
        rc = sandbox_call(sb, 0, 0, ld->chunk, &e);
    if (rc != 0)
        errlist_add(ld->errs, "%s", e.msg);
    keep_or_free(ld, sb);
    return rc;
}

/* What holds only once the whole file is read: defaults, file:// URLs. */
static void finish(loader_t *ld)
{
    config_t *cfg = ld->cfg;
    if (!cfg->database)
        cfg->database = config_resolve(cfg->dir, "vane.db");
    for (size_t i = 0; !cfg->fetch.allow_file && i < cfg->n_sources; i++)
        if (strncasecmp(cfg->sources[i].url, "file://", 7) == 0)
            errlist_add(ld->errs, "%s:%d: source '%s': file:// URLs need settings { allow_file = true }",
                        ld->chunk, cfg->sources[i].line, cfg->sources[i].id);
    if (!ld->have_rules) {
        char *dir = config_resolve(cfg->dir, "rules");
        struct stat sb;
        if (stat(dir, &sb) != 0) {
            cfg->shipped_rules = 1;
            free(dir);
            return;
        }
        cfg->rule_dirs = malloc(sizeof *cfg->rule_dirs);
        cfg->rule_dirs[0] = dir;
        cfg->n_rule_dirs = 1;
    }
}

int config_load(const char *path, config_t *cfg, errlist_t *errs)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->path = strdup(path);
    cfg->dir = dir_of(path);
    loader_t ld = {.cfg = cfg, .errs = errs, .chunk = path};
    cfg->fetch.retries = 2;
    cfg->failing_after = 3;
    cfg->max_flags = 100;
    cfg->keep_documents = 90LL * 24 * 3600;
    size_t before = errs->len, len = 0;
    char *src = buf_read_all(path, &len);
    if (!src) {
        errlist_add(errs, "%s: cannot read the configuration: %m", path);
        config_free(cfg);
        return -1;
    }
    run_file(&ld, src, len);
    free(src);
    finish(&ld);
    /* the helpers add to errs through ld, which cppcheck cannot follow */
    // cppcheck-suppress knownConditionTrueFalse
    if (errs->len > before) {
        config_free(cfg);
        return -1;
    }
    return 0;
}

void config_free(config_t *cfg)
{
    DECL_FREE((char *)cfg->fetch.user_agent, cfg->path, cfg->dir, cfg->database);
    for (size_t i = 0; i < cfg->n_rule_dirs; i++)
        free(cfg->rule_dirs[i]);
    free(cfg->rule_dirs);
    for (size_t i = 0; i < cfg->n_sources; i++)
        decl_source_free(&cfg->sources[i]);
    free(cfg->sources);
    for (size_t i = 0; i < cfg->n_channels; i++)
        decl_channel_free(&cfg->channels[i]);
    free(cfg->channels);
    for (size_t i = 0; i < cfg->n_watches; i++)
        decl_watch_free(&cfg->watches[i]);
    free(cfg->watches);
    decl_serve_free(&cfg->serve);
    free(cfg->metrics_file);
    if (cfg->pending_errs)
        errlist_free(cfg->pending_errs);
    free(cfg->pending_errs);
    sandbox_free(cfg->sandbox);
    memset(cfg, 0, sizeof *cfg);
}

const source_cfg_t *config_source(const config_t *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->n_sources; i++)
        if (strcmp(cfg->sources[i].id, id) == 0)
            return &cfg->sources[i];
    return NULL;
}

const char *config_source_name(const config_t *cfg, const char *id)
{
    const source_cfg_t *s = id ? config_source(cfg, id) : NULL;
    return s && s->name ? s->name : id;
}

long long config_keep_documents(const config_t *cfg, const source_cfg_t *s)
{
    return s->keep_documents >= 0 ? s->keep_documents : cfg->keep_documents;
}

/* rules.c — loading rules, evaluating them on events, and their inline tests
 * (see rules.h).
 *
 * Besides rule files, a rules folder may hold phrases.lua: not a rule but
 * data, a table of named phrase lists that every rule reads as
 * vane.phrases. The copy shipped in the binary is loaded first and each
 * folder's phrases.lua, in folder order, replaces the lists it names, so an
 * analyst's file need only hold the lists it changes. The configuration's
 * watch lists become vane.watches. */
#include "rules/rules.h"

#include <dirent.h>
#include <stdarg.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/embedded.h"
#include "lib/history.h"
#include "util/json.h"
#include "util/sha256.h"
#include "config/units.h"
#include "lib/vanelib.h"

typedef struct rule {
    char *id, *chunk, *source_text;
    char *severity;
    int baseline;
    int ref;            /* the rule table in the registry */
    char **sources;     /* NULL = all */
    size_t n_sources;
    int disabled;       /* exhausted its limits this run */
    int has_when, has_check;
    long long realert;  /* seconds between flags of a check's ongoing condition */
} rule_t;

#define PHRASES_FILE "phrases.lua"
#define PHRASES_SHIPPED "rules/" PHRASES_FILE

struct rules {
    sandbox_t *sb;
    rule_t *list;
    size_t n;
};

static int isalnum_or_us(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.lua files of a folder, sorted. NULL-terminated; NULL if unreadable. */
static char **lua_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t n = 0, cap = 16;
    char **names = calloc(cap, sizeof *names);
    if (!names) {
        closedir(d);
        return NULL;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 5 || de->d_name[0] == '.' || strcmp(de->d_name + len - 4, ".lua") != 0 ||
            strcmp(de->d_name, PHRASES_FILE) == 0)
            continue;
        if (n + 1 >= cap) {
            char **more = realloc(names, (cap *= 2) * sizeof *names);
            if (!more)
                break;
            names = more;
        }
        names[n++] = strdup(de->d_name);
        names[n] = NULL;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    return names;
}

int rules_fingerprint(const config_t *cfg, char out[65])
{
    sha256_t c;
    unsigned char d[32];
    sha256_init(&c);
    for (size_t i = 0; i < cfg->n_rule_dirs; i++) {
        char **files = lua_files(cfg->rule_dirs[i]);
        sha256_update(&c, cfg->rule_dirs[i], strlen(cfg->rule_dirs[i]) + 1);
        for (size_t k = 0; files && files[k]; k++) {
            buf_t path = {0};
            struct stat sb;
            buf_printf(&path, "%s/%s", cfg->rule_dirs[i], files[k]);
            if (stat(buf_str(&path), &sb) == 0)
                buf_printf(&path, "\x1f%lld\x1f%lld.%09ld\x1f%llu", (long long)sb.st_size,
                           (long long)sb.st_mtim.tv_sec, (long)sb.st_mtim.tv_nsec,
                           (unsigned long long)sb.st_ino);
            sha256_update(&c, buf_str(&path), path.len + 1);
            buf_free(&path);
            free(files[k]);
        }
        free(files);
    }
    sha256_final(&c, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    return 0;
}

static void rule_free(rule_t *r)
{
    free(r->id);
    free(r->chunk);
    free(r->source_text);
    free(r->severity);
    for (size_t i = 0; i < r->n_sources; i++)
        free(r->sources[i]);
    free(r->sources);
}

static char *string_field(lua_State *L, int t, const char *name)
{
    char *v = NULL;
    if (lua_getfield(L, t, name) == LUA_TSTRING)
        v = strdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    return v;
}

static int line_of_name(const char *src, const char *name);

/* realert = "24h" | seconds | false; default RULES_REALERT_DEFAULT. */
static int validate_realert(lua_State *L, int t, rule_t *r, err_t *e)
{
    int type = lua_getfield(L, t, "realert");
    long long seconds = RULES_REALERT_DEFAULT;
    int ok = 1;
    if (type == LUA_TBOOLEAN && !lua_toboolean(L, -1))
        seconds = RULES_REALERT_NEVER;
    else if (type == LUA_TSTRING)
        ok = units_duration(lua_tostring(L, -1), &seconds) == 0;
    else if (type == LUA_TNUMBER)
        ok = lua_isinteger(L, -1) && (seconds = lua_tointeger(L, -1)) >= 0;
    else
        ok = type == LUA_TNIL;
    if (!ok)
        err_set(e, "%s:%d: rule %s: realert must be a duration such as \"24h\" (or false: once "
                   "per episode), not %s%s%s", r->chunk, line_of_name(r->source_text, "realert"),
                r->id, type == LUA_TSTRING ? "'" : "a ",
                type == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1),
                type == LUA_TSTRING ? "'" : "");
    lua_pop(L, 1);
    r->realert = seconds;
    return ok ? 0 : -1;
}

/* when(ev), check(ctx), or both. */
static int validate_functions(lua_State *L, int t, rule_t *r, err_t *e)
{
    int wt = lua_getfield(L, t, "when");
    int ct = lua_getfield(L, t, "check");
    lua_pop(L, 2);
    if (ct != LUA_TNIL && ct != LUA_TFUNCTION)
        return err_set(e, "%s: rule %s: 'check' must be a function(ctx)", r->chunk, r->id);
    if (wt != LUA_TFUNCTION && !(wt == LUA_TNIL && ct == LUA_TFUNCTION))
        return err_set(e, "%s: rule %s: 'when' must be a function(ev)", r->chunk, r->id);
    r->has_when = wt == LUA_TFUNCTION;
    r->has_check = ct == LUA_TFUNCTION;
    return validate_realert(L, t, r, e);
}

/* Check the table a rule file returned and fill r. */
static int validate_rule(lua_State *L, int t, rule_t *r, err_t *e)
{
    if (!lua_istable(L, t))
        return err_set(e, "%s: a rule file must return a table, not a %s", r->chunk, luaL_typename(L, t));
    r->id = string_field(L, t, "id");
    if (!r->id || !*r->id)
        return err_set(e, "%s: the rule has no id", r->chunk);
    r->severity = string_field(L, t, "severity");
    if (!r->severity)
        r->severity = strdup("medium");
    if (severity_rank(r->severity) < 0)
        return err_set(e, "%s: rule %s: unknown severity '%s' (info, low, medium, high, critical)",
                       r->chunk, r->id, r->severity);
    if (validate_functions(L, t, r, e) != 0)
        return -1;
    int mt = lua_getfield(L, t, "message");
    lua_pop(L, 1);
    if (mt != LUA_TNIL && mt != LUA_TFUNCTION && mt != LUA_TSTRING)
        return err_set(e, "%s: rule %s: 'message' must be a function or a string", r->chunk, r->id);
    lua_getfield(L, t, "baseline");
    r->baseline = lua_toboolean(L, -1);
    lua_pop(L, 1);
    int st = lua_getfield(L, t, "sources");
    if (st == LUA_TTABLE) {
        size_t n = lua_rawlen(L, -1);
        r->sources = calloc(n + 1, sizeof *r->sources);
        for (size_t i = 1; i <= n; i++) {
            if (lua_rawgeti(L, -1, (lua_Integer)i) == LUA_TSTRING)
                r->sources[r->n_sources++] = strdup(lua_tostring(L, -1));
            lua_pop(L, 1);
        }
    } else if (st != LUA_TNIL) {
        lua_pop(L, 1);
        return err_set(e, "%s: rule %s: 'sources' must be a list of source ids", r->chunk, r->id);
    }
    lua_pop(L, 1);
    return 0;
}

static int load_rule(rules_t *rs, const char *dir, const char *file, err_t *e)
{
    lua_State *L = sandbox_lua(rs->sb);
    rule_t r = {0};
    char path[4096];
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    buf_t chunk = {0};
    buf_printf(&chunk, "%s/%s", base, file);
    r.chunk = buf_steal(&chunk);
    size_t len;
    r.source_text = buf_read_all(path, &len);
    int rc;
    if (!r.source_text) {
        rc = err_set(e, "%s: cannot read %s", r.chunk, path);
    } else {
        sandbox_push_env(rs->sb);
        rc = sandbox_load(rs->sb, r.chunk, r.source_text, len, lua_gettop(L), e);
        lua_remove(L, rc == 0 ? -2 : -1); /* the env (a failed load pushes nothing) */
        if (rc == 0)
            rc = sandbox_call(rs->sb, 0, 1, r.chunk, e);
        if (rc == 0) {
            rc = validate_rule(L, lua_gettop(L), &r, e);
            for (size_t i = 0; rc == 0 && i < rs->n; i++)
                if (strcmp(rs->list[i].id, r.id) == 0)
                    rc = err_set(e, "%s: rule id '%s' is already used by %s", r.chunk, r.id,
                                 rs->list[i].chunk);
            if (rc == 0)
                r.ref = luaL_ref(L, LUA_REGISTRYINDEX);
            else
                lua_pop(L, 1);
        }
    }
    if (rc != 0) {
        rule_free(&r);
        return -1;
    }
    rule_t *more = realloc(rs->list, (rs->n + 1) * sizeof *rs->list);
    if (!more) {
        rule_free(&r);
        return err_set(e, "out of memory");
    }
    rs->list = more;
    rs->list[rs->n++] = r;
    return 0;
}

/* ---- phrase lists and watch lists ------------------------------------------ */

/* Line of `name =` in a phrases file, for messages about that list (a
 * table keeps no line numbers); 1 when it cannot be found. */
static int line_of_name(const char *src, const char *name)
{
    size_t n = strlen(name);
    int line = 1;
    for (const char *p = src; *p; p++) {
        if (*p == '\n')
            line++;
        else if (strncmp(p, name, n) == 0 && (p == src || !isalnum_or_us(p[-1])) &&
                 !isalnum_or_us(p[n])) {
            const char *q = p + n;
            while (*q == ' ' || *q == '\t' || *q == ']' || *q == '"' || *q == '\'')
                q++;
            if (*q == '=' && q[1] != '=')
                return line;
        }
    }
    return 1;
}

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
            errlist_add(errs, "%s:%d: phrase list '%s' %s", chunk, line_of_name(src, name), name, bad);
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
static void load_phrases(rules_t *rs, const char *chunk, const char *src, size_t len, int merged,
                         errlist_t *errs)
{
    lua_State *L = sandbox_lua(rs->sb);
    err_t e;
    sandbox_push_env(rs->sb);
    int rc = sandbox_load(rs->sb, chunk, src, len, lua_gettop(L), &e);
    lua_remove(L, rc == 0 ? -2 : -1); /* the env (a failed load pushes nothing) */
    if (rc == 0)
        rc = sandbox_call(rs->sb, 0, 1, chunk, &e);
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

/* vane.phrases: the shipped lists, then each folder's phrases.lua. */
static void install_phrases(rules_t *rs, const config_t *cfg, errlist_t *errs)
{
    lua_State *L = sandbox_lua(rs->sb);
    lua_newtable(L);
    int merged = lua_gettop(L);
    const embedded_file_t *shipped = embedded_find(PHRASES_SHIPPED);
    if (shipped)
        load_phrases(rs, shipped->name, shipped->data, shipped->len, merged, errs);
    for (size_t d = 0; d < cfg->n_rule_dirs; d++) {
        buf_t path = {0}, chunk = {0};
        const char *base = strrchr(cfg->rule_dirs[d], '/');
        buf_printf(&path, "%s/%s", cfg->rule_dirs[d], PHRASES_FILE);
        buf_printf(&chunk, "%s/%s", base ? base + 1 : cfg->rule_dirs[d], PHRASES_FILE);
        size_t len;
        char *src = buf_read_all(buf_str(&path), &len);
        if (src)
            load_phrases(rs, buf_str(&chunk), src, len, merged, errs);
        free(src);
        buf_free(&path);
        buf_free(&chunk);
    }
    vanelib_set(L, "phrases");
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
static void install_watches(lua_State *L, const config_t *cfg)
{
    lua_createtable(L, (int)cfg->n_watches, 0);
    for (size_t i = 0; i < cfg->n_watches; i++) {
        const watch_cfg_t *w = &cfg->watches[i];
        lua_createtable(L, 0, 6);
        lua_pushstring(L, w->id);
        lua_setfield(L, -2, "id");
        push_strings(L, w->terms);
        lua_setfield(L, -2, "terms");
        push_strings(L, w->sources);
        lua_setfield(L, -2, "sources");
        push_strings(L, w->fields);
        lua_setfield(L, -2, "fields");
        lua_pushstring(L, severity_name(w->severity));
        lua_setfield(L, -2, "severity");
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
    vanelib_set(L, "watches");
}

void rules_attach_store(rules_t *rs, store_t *st)
{
    history_attach(sandbox_lua(rs->sb), st);
}

rules_t *rules_load(const config_t *cfg, errlist_t *errs, err_t *e)
{
    rules_t *rs = calloc(1, sizeof *rs);
    if (!rs) {
        err_set(e, "out of memory");
        return NULL;
    }
    rs->sb = sandbox_new(&cfg->limits, e);
    if (!rs->sb || vanelib_install(rs->sb, e) != 0) {
        rules_free(rs);
        return NULL;
    }
    sandbox_set_now(rs->sb, clock_is_fixed() ? clock_now() : 0);
    install_phrases(rs, cfg, errs);
    install_watches(sandbox_lua(rs->sb), cfg);
    history_install(sandbox_lua(rs->sb));
    for (size_t d = 0; d < cfg->n_rule_dirs; d++) {
        char **files = lua_files(cfg->rule_dirs[d]);
        if (!files) {
            errlist_add(errs, "%s: cannot read the rules folder", cfg->rule_dirs[d]);
            continue;
        }
        for (size_t i = 0; files[i]; i++) {
            err_t le;
            if (load_rule(rs, cfg->rule_dirs[d], files[i], &le) != 0)
                errlist_add(errs, "%s", le.msg);
            free(files[i]);
        }
        free(files);
    }
    return rs;
}

void rules_free(rules_t *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++)
        rule_free(&rs->list[i]);
    free(rs->list);
    sandbox_free(rs->sb);
    free(rs);
}

size_t rules_count(const rules_t *rs)
{
    return rs->n;
}

int rules_only(rules_t *rs, const char *id)
{
    int found = 0;
    for (size_t i = 0; i < rs->n; i++) {
        int match = strcmp(rs->list[i].id, id) == 0;
        found |= match;
        rs->list[i].disabled = !match;
    }
    return found ? 0 : -1;
}

/* ---- evaluation ----------------------------------------------------------- */

/* __index of an event: item, prev and diff are decoded from their JSON on
 * first use and kept in the event, so rules that look only at ev.change or
 * ev.source cost no decoding at all. The JSON texts are the closure's
 * upvalues (copies: the event may outlive the C strings). */
static int event_index(lua_State *L)
{
    static const char *const names[] = {"item", "prev", "diff"};
    const char *k = lua_tostring(L, 2);
    for (int i = 0; k && i < 3; i++) {
        if (strcmp(k, names[i]) != 0 || lua_type(L, lua_upvalueindex(i + 1)) != LUA_TSTRING)
            continue;
        size_t len;
        const char *json = lua_tolstring(L, lua_upvalueindex(i + 1), &len);
        err_t e = {{0}};
        if (json_decode_lua(L, json, len, &e) != 0)
            return luaL_error(L, "event field %s: %s", k, e.msg);
        lua_pushvalue(L, 2);
        lua_pushvalue(L, -2);
        lua_rawset(L, 1);
        return 1;
    }
    return 0;
}

static void push_json_or_nil(lua_State *L, const char *json)
{
    if (json)
        lua_pushstring(L, json);
    else
        lua_pushnil(L);
}

/* The event as rules see it, built once and read by every rule. */
static int push_event(lua_State *L, const store_event_t *ev, err_t *e)
{
    (void)e;
    lua_createtable(L, 0, 10);
    int t = lua_gettop(L);
    lua_pushinteger(L, ev->id);
    lua_setfield(L, t, "id");
    lua_pushstring(L, ev->source);
    lua_setfield(L, t, "source");
    lua_pushstring(L, ev->key);
    lua_setfield(L, t, "key");
    lua_pushstring(L, ev->change);
    lua_setfield(L, t, "change");
    lua_pushboolean(L, ev->baseline);
    lua_setfield(L, t, "baseline");
    lua_pushstring(L, ev->observed_at);
    lua_setfield(L, t, "observed_at");
    lua_createtable(L, 0, 1);
    push_json_or_nil(L, ev->item);
    push_json_or_nil(L, ev->prev);
    push_json_or_nil(L, ev->diff);
    lua_pushcclosure(L, event_index, 3);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, t);
    return 0;
}

static int applies(const rule_t *r, const store_event_t *ev)
{
    if (r->disabled || !r->has_when || (ev->baseline && !r->baseline))
        return 0;
    if (!r->sources)
        return 1;
    for (size_t i = 0; i < r->n_sources; i++)
        if (strcmp(r->sources[i], ev->source) == 0)
            return 1;
    return 0;
}

static int exhausted(const char *msg)
{
    return strstr(msg, "instruction budget") || strstr(msg, "not enough memory");
}

/* Call rule[name](ev) leaving nresults; the rule table and ev are at the
 * given indexes. */
static int call_field(rules_t *rs, rule_t *r, int rule, int ev, const char *name, int nres, err_t *e)
{
    lua_State *L = sandbox_lua(rs->sb);
    lua_getfield(L, rule, name);
    lua_pushvalue(L, ev);
    if (sandbox_call(rs->sb, 1, nres, r->chunk, e) != 0) {
        history_reset(L); /* an error may have cut a read short */
        if (exhausted(e->msg))
            r->disabled = 1;
        return -1;
    }
    return 0;
}

/* Is the value at idx one flag written as { message = "…", severity = "…" }? */
static int is_flag_entry(lua_State *L, int idx)
{
    if (!lua_istable(L, idx))
        return 0;
    int t = lua_getfield(L, idx, "message");
    lua_pop(L, 1);
    return t == LUA_TSTRING;
}

/* Push the rule's messages for the event as a list whose entries are
 * strings or { message =, severity = } tables. */
static int messages(rules_t *rs, rule_t *r, int rule, int ev, err_t *e)
{
    lua_State *L = sandbox_lua(rs->sb);
    int mt = lua_getfield(L, rule, "message");
    lua_pop(L, 1);
    if (mt == LUA_TFUNCTION) {
        if (call_field(rs, r, rule, ev, "message", 1, e) != 0)
            return -1;
    } else if (mt == LUA_TSTRING) {
        lua_getfield(L, rule, "message");
    } else {
        lua_getfield(L, rule, "title");
        if (!lua_isstring(L, -1)) {
            lua_pop(L, 1);
            lua_pushstring(L, r->id);
        }
    }
    if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER || is_flag_entry(L, -1)) {
        lua_createtable(L, 1, 0);
        lua_insert(L, -2);
        lua_rawseti(L, -2, 1);
    } else if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
    } else if (!lua_istable(L, -1)) {
        err_set(e, "%s: rule %s: message returned a %s, not a string or a list of strings",
                r->chunk, r->id, luaL_typename(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    return 0;
}

/* when(ev) then message(ev): pushes the list of messages (empty: no flag). */
static int evaluate(rules_t *rs, rule_t *r, int ev, err_t *e)
{
    lua_State *L = sandbox_lua(rs->sb);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref);
    int rule = lua_gettop(L);
    int rc = call_field(rs, r, rule, ev, "when", 1, e);
    if (rc == 0) {
        int hit = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (hit)
            rc = messages(rs, r, rule, ev, e);
        else
            lua_pushnil(L); /* no flag: cheaper than an empty list */
    }
    if (rc == 0)
        lua_remove(L, rule);
    else
        lua_settop(L, rule - 1);
    return rc;
}

/* Push entry k of a message list and return its text and, in *severity,
 * its severity: the rule's, or the entry's own when it is a table with a
 * `severity` (NULL if that is not a severity name). The pointers stay
 * valid until the entry is popped. */
static const char *push_flag(lua_State *L, int list, lua_Integer k, const rule_t *r,
                             const char **severity)
{
    const char *msg = NULL;
    *severity = r->severity;
    int t = lua_rawgeti(L, list, k);
    if (t == LUA_TSTRING || t == LUA_TNUMBER) {
        msg = lua_tostring(L, -1);
    } else if (t == LUA_TTABLE) {
        int entry = lua_gettop(L);
        if (lua_getfield(L, entry, "message") == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        lua_pop(L, 1);
        int st = lua_getfield(L, entry, "severity");
        if (st == LUA_TSTRING)
            *severity = severity_rank(lua_tostring(L, -1)) >= 0 ? lua_tostring(L, -1) : NULL;
        else if (st != LUA_TNIL)
            *severity = NULL;
        lua_pop(L, 1);
    }
    return msg;
}

int rules_eval(rules_t *rs, const store_event_t *ev, rules_flag_fn fn, void *ud, errlist_t *errs,
               err_t *e)
{
    lua_State *L = sandbox_lua(rs->sb);
    int top = lua_gettop(L), status = 0;
    if (push_event(L, ev, e) != 0)
        return -1;
    int evi = lua_gettop(L);
    for (size_t i = 0; i < rs->n; i++) {
        rule_t *r = &rs->list[i];
        if (!applies(r, ev))
            continue;
        err_t re;
        if (evaluate(rs, r, evi, &re) != 0) {
            errlist_add(errs, "%s", re.msg);
            status = 1;
            continue;
        }
        int list = lua_gettop(L);
        size_t n = lua_istable(L, list) ? lua_rawlen(L, list) : 0;
        for (size_t k = 1; k <= n; k++) {
            const char *severity;
            const char *msg = push_flag(L, list, (lua_Integer)k, r, &severity);
            if (!severity) {
                errlist_add(errs, "%s: rule %s: a flag's severity must be one of info, low, "
                            "medium, high, critical", r->chunk, r->id);
                status = 1;
            } else if (msg && *msg) {
                fn(ud, r->id, severity, msg);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    lua_settop(L, top);
    return status;
}

/* ---- per-run checks ---------------------------------------------------------- */

int rules_has_checks(const rules_t *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        if (rs->list[i].has_check)
            return 1;
    return 0;
}

/* Push t[name] without metamethods: a rule's tables may carry any. */
static int raw_field(lua_State *L, int t, const char *name)
{
    lua_pushstring(L, name);
    return lua_rawget(L, t);
}

/* A string field of a check's flag, anchored in the table at `anchor` so
 * it outlives the pop; a whole number is taken as its decimal text. NULL
 * when absent; *bad set when present but not a string. */
static const char *flag_text(lua_State *L, int entry, const char *name, int anchor, int *bad)
{
    const char *v = NULL;
    int t = raw_field(L, entry, name);
    if (t == LUA_TSTRING) {
        v = lua_tostring(L, -1);
    } else if (t == LUA_TNUMBER && lua_isinteger(L, -1)) {
        lua_pushfstring(L, "%I", (LUAI_UACINT)lua_tointeger(L, -1));
        lua_replace(L, -2);
        v = lua_tostring(L, -1);
    } else if (t != LUA_TNIL) {
        *bad = 1;
    }
    lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
    return v;
}

/* Read entry k of the list a check returned. Returns 0, or -1 with e set. */
static int read_check_flag(lua_State *L, const rule_t *r, int list, lua_Integer k, int anchor,
                           rules_check_flag_t *f, err_t *e)
{
    int bad = 0;
    if (lua_rawgeti(L, list, k) != LUA_TTABLE) {
        lua_pop(L, 1);
        return err_set(e, "%s: rule %s: check's flag %lld must be a table { key =, message = }",
                       r->chunk, r->id, (long long)k);
    }
    int entry = lua_gettop(L);
    f->key = flag_text(L, entry, "key", anchor, &bad);
    f->message = flag_text(L, entry, "message", anchor, &bad);
    f->severity = flag_text(L, entry, "severity", anchor, &bad);
    f->source = flag_text(L, entry, "source", anchor, &bad);
    lua_pop(L, 1);
    if (bad || !f->key || !*f->key || !f->message || !*f->message)
        return err_set(e, "%s: rule %s: check's flag %lld needs a key and a message (strings)",
                       r->chunk, r->id, (long long)k);
    if (!f->severity)
        f->severity = r->severity;
    else if (severity_rank(f->severity) < 0)
        return err_set(e, "%s: rule %s: check's flag %lld: severity must be one of info, low, "
                          "medium, high, critical", r->chunk, r->id, (long long)k);
    return 0;
}

/* The list a check returned (at top) as flags. All or nothing: a check
 * that returns one malformed entry is reported, so that its other keys'
 * episodes are not ended by mistake. */
static int read_check_flags(lua_State *L, const rule_t *r, rules_check_flag_t **out, size_t *n,
                            err_t *e)
{
    int list = lua_gettop(L);
    *out = NULL;
    *n = 0;
    if (lua_isnil(L, list))
        return 0;
    if (!lua_istable(L, list))
        return err_set(e, "%s: rule %s: check returned a %s, not a list of flags", r->chunk, r->id,
                       luaL_typename(L, list));
    size_t len = lua_rawlen(L, list);
    lua_newtable(L); /* anchor, left on the stack for the caller */
    if (len == 0)
        return 0;
    rules_check_flag_t *flags = calloc(len, sizeof *flags);
    if (!flags)
        return err_set(e, "out of memory");
    for (size_t k = 0; k < len; k++) {
        if (read_check_flag(L, r, list, (lua_Integer)k + 1, list + 1, &flags[k], e) != 0) {
            free(flags);
            return -1;
        }
    }
    *out = flags;
    *n = len;
    return 0;
}

static void push_check_ctx(lua_State *L, const char *now, long long run_id)
{
    lua_createtable(L, 0, 2);
    lua_pushstring(L, now);
    lua_setfield(L, -2, "now");
    lua_pushinteger(L, (lua_Integer)run_id);
    lua_setfield(L, -2, "run_id");
}

/* Call one rule's check and hand the result to fn. Returns 0, 1 when the
 * check failed (reported in errs), -1 when fn failed. */
static int check_one(rules_t *rs, rule_t *r, const char *now, long long run_id, rules_check_fn fn,
                     void *ud, errlist_t *errs, err_t *e)
{
    lua_State *L = sandbox_lua(rs->sb);
    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref);
    push_check_ctx(L, now, run_id);
    err_t ce;
    rules_check_flag_t *flags = NULL;
    size_t n = 0;
    int rc = call_field(rs, r, top + 1, top + 2, "check", 1, &ce);
    history_reset(L);
    if (rc == 0)
        rc = read_check_flags(L, r, &flags, &n, &ce);
    if (rc != 0) {
        errlist_add(errs, "%s", ce.msg);
        rc = 1;
    } else {
        rules_check_result_t res = {r->id, r->realert, flags, n};
        rc = fn(ud, &res, e);
    }
    free(flags);
    lua_settop(L, top);
    return rc;
}

int rules_check(rules_t *rs, const char *now, long long run_id, rules_check_fn fn, void *ud,
                errlist_t *errs, err_t *e)
{
    int status = 0;
    for (size_t i = 0; i < rs->n; i++) {
        rule_t *r = &rs->list[i];
        if (!r->has_check || r->disabled)
            continue;
        int rc = check_one(rs, r, now, run_id, fn, ud, errs, e);
        if (rc < 0)
            return -1;
        status |= rc;
    }
    return status;
}

/* ---- inline tests ------------------------------------------------------------- */

/* Line of the n-th test case in the rule's source (counting `event =` after
 * `tests`), or the line of `tests`, or 1. Tables carry no line numbers, so
 * the source text is the only witness. */
static int test_line(const char *src, long n)
{
    const char *tests = strstr(src, "tests");
    if (!tests)
        return 1;
    int line = 1;
    for (const char *p = src; p < tests; p++)
        line += *p == '\n';
    int found = line;
    long seen = 0;
    for (const char *p = tests; *p; p++) {
        if (*p == '\n')
            line++;
        if (strncmp(p, "event", 5) == 0 && !isalnum_or_us(p[-1])) {
            const char *q = p + 5;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == '=' && q[1] != '=' && ++seen == n)
                return line;
        }
    }
    return found;
}

static void report(rules_test_fn fail, void *ud, const rule_t *r, long n, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void report(rules_test_fn fail, void *ud, const rule_t *r, long n, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    buf_t b = {0};
    buf_printf(&b, "%s:%d: rule %s, test %ld: %s", r->chunk, test_line(r->source_text, n), r->id, n, what);
    fail(ud, buf_str(&b));
    buf_free(&b);
}

/* The list of strings at idx, joined for a message. */
static void describe_list(lua_State *L, int idx, buf_t *out)
{
    size_t n = lua_rawlen(L, idx);
    if (n == 0)
        buf_puts(out, "no flag");
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, (lua_Integer)i);
        buf_printf(out, "%s\"%s\"", i > 1 ? ", " : "", lua_tostring(L, -1));
        lua_pop(L, 1);
    }
}

/* Does the list at got equal the expectation at expect? */
static int expectation_met(lua_State *L, int got, int expect, buf_t *why)
{
    size_t n = lua_rawlen(L, got);
    lua_getfield(L, expect, "flag");
    int want_flag = lua_isnil(L, -1) ? 1 : lua_toboolean(L, -1);
    lua_pop(L, 1);
    int ok = 1;
    if (!want_flag) {
        ok = n == 0;
        if (!ok)
            buf_puts(why, "expected no flag, got ");
    } else if (lua_getfield(L, expect, "messages") == LUA_TTABLE) {
        size_t m = lua_rawlen(L, -1);
        ok = m == n;
        for (size_t i = 1; ok && i <= n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i);
            lua_rawgeti(L, got, (lua_Integer)i);
            ok = lua_rawequal(L, -1, -2);
            lua_pop(L, 2);
        }
        if (!ok) {
            buf_puts(why, "expected ");
            describe_list(L, lua_gettop(L), why);
            buf_puts(why, ", got ");
        }
    } else if (lua_getfield(L, expect, "message") == LUA_TSTRING) {
        lua_rawgeti(L, got, 1);
        ok = n == 1 && lua_rawequal(L, -1, -2);
        lua_pop(L, 1);
        if (!ok)
            buf_printf(why, "expected \"%s\", got ", lua_tostring(L, -1));
    } else {
        ok = n > 0;
        if (!ok)
            buf_puts(why, "expected a flag, got ");
    }
    if (!ok)
        describe_list(L, got, why);
    return ok;
}

/* Push the messages of the flag list at idx as a list of strings, for
 * comparing with the expectation. When the expectation names a severity,
 * a flag of another severity is described in why (and the list pushed is
 * then empty, so the expectation fails). Returns the new list's index. */
static int flatten_flags(lua_State *L, const rule_t *r, int idx, int expect, buf_t *why)
{
    lua_getfield(L, expect, "severity");
    const char *want = lua_tostring(L, -1);
    int wrong = 0;
    lua_newtable(L);
    int out = lua_gettop(L);
    for (lua_Integer k = 1; k <= (lua_Integer)lua_rawlen(L, idx); k++) {
        const char *severity;
        const char *msg = push_flag(L, idx, k, r, &severity);
        if (want && !wrong && (!severity || strcmp(severity, want) != 0)) {
            buf_printf(why, "severity %s instead of %s; ", severity ? severity : "(invalid)", want);
            wrong = 1;
        }
        lua_pushstring(L, msg ? msg : "");
        lua_rawseti(L, out, k);
        lua_pop(L, 1);
    }
    if (wrong) {
        lua_newtable(L);
        lua_replace(L, out);
    }
    return out;
}

static void run_case(rules_t *rs, rule_t *r, long n, int tcase, rules_test_fn fail, void *ud,
                     long *passed, long *failed)
{
    lua_State *L = sandbox_lua(rs->sb);
    int top = lua_gettop(L);
    if (lua_getfield(L, tcase, "event") != LUA_TTABLE ||
        lua_getfield(L, tcase, "expect") != LUA_TTABLE) {
        report(fail, ud, r, n, "a test needs event = { ... } and expect = { ... }");
        (*failed)++;
        lua_settop(L, top);
        return;
    }
    int ev = top + 1, expect = top + 2;
    err_t e;
    r->disabled = 0;
    if (!r->has_when) {
        report(fail, ud, r, n, "the rule has no when(ev) to test with an event");
        (*failed)++;
        lua_settop(L, top);
        return;
    }
    if (evaluate(rs, r, ev, &e) != 0) {
        char *nl = strchr(e.msg, '\n');
        if (nl)
            *nl = '\0';
        report(fail, ud, r, n, "error: %s", e.msg);
        (*failed)++;
    } else {
        buf_t why = {0};
        if (lua_isnil(L, -1)) { /* evaluate's "no flag" */
            lua_pop(L, 1);
            lua_newtable(L);
        }
        if (expectation_met(L, flatten_flags(L, r, lua_gettop(L), expect, &why), expect, &why)) {
            (*passed)++;
        } else {
            report(fail, ud, r, n, "%s", buf_str(&why));
            (*failed)++;
        }
        buf_free(&why);
    }
    lua_settop(L, top);
}

static int selected(const rule_t *r, const char *const *only, size_t n_only)
{
    if (n_only == 0)
        return 1;
    for (size_t i = 0; i < n_only; i++)
        if (strcmp(only[i], r->id) == 0)
            return 1;
    return 0;
}

int rules_test(rules_t *rs, const char *const *only, size_t n_only, rules_test_fn fail, void *ud,
               long *passed, long *failed)
{
    lua_State *L = sandbox_lua(rs->sb);
    *passed = *failed = 0;
    for (size_t i = 0; i < rs->n; i++) {
        rule_t *r = &rs->list[i];
        if (!selected(r, only, n_only))
            continue;
        lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref);
        if (lua_getfield(L, -1, "tests") == LUA_TTABLE) {
            int tests = lua_gettop(L);
            long n = (long)lua_rawlen(L, tests);
            for (long k = 1; k <= n; k++) {
                lua_rawgeti(L, tests, k);
                run_case(rs, r, k, lua_gettop(L), fail, ud, passed, failed);
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 2);
        r->disabled = 0;
    }
    return 0;
}

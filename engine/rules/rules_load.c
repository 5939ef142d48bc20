/* rules_load.c — loading rules: finding the rule files of the configured
 * folders, running each and validating the table it returns, and the
 * fingerprint of the files (see rules.h). The phrase and watch lists that
 * rules read are made by rules_lists.c. */
#include "rules/rules_int.h"

#include <dirent.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/embedded.h"
#include "lib/history.h"
#include "util/sha256.h"
#include "config/units.h"
#include "config/xref.h"
#include "lib/vanelib.h"

int rules_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* For messages about a field of a rule or a phrase list (see rules_int.h). */
int rules_line_of_name(const char *src, const char *name)
{
    size_t n = strlen(name);
    int line = 1;
    for (const char *p = src; *p; p++) {
        if (*p == '\n')
            line++;
        else if (strncmp(p, name, n) == 0 && (p == src || !rules_name_char(p[-1])) &&
                 !rules_name_char(p[n])) {
            const char *q = p + n;
            while (*q == ' ' || *q == '\t' || *q == ']' || *q == '"' || *q == '\'')
                q++;
            if (*q == '=' && q[1] != '=')
                return line;
        }
    }
    return 1;
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
            strcmp(de->d_name, RULES_PHRASES_FILE) == 0)
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

/* The shipped rules in use (all of them, or keyword-watch for the
 * watches) are part of the rules too: their text, which changes with the
 * binary (in memory already, so cheap to hash). */
static void shipped_fingerprint(const config_t *cfg, sha256_t *c)
{
    if (!cfg->shipped_rules && !cfg->n_watches)
        return;
    sha256_update(c, cfg->shipped_rules ? "shipped" : "watches", 8);
    for (const embedded_file_t *f = embedded_files; f->name; f++)
        if (strncmp(f->name, "rules/", 6) == 0)
            sha256_update(c, f->data, f->len);
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
    shipped_fingerprint(cfg, &c);
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
    free(r->title);
    free(r->message_text);
    for (size_t i = 0; i < r->n_sources; i++)
        free(r->sources[i]);
    free(r->sources);
    sandbox_free(r->sb);
}

/* ---- reading the rule's table: inside the protection ----------------------
 *
 * These run in a sandbox_run of the rule's own state: only raw reads, and
 * every error names the file (and the field's line when it has one). */

typedef struct rule_read {
    rule_t *r;
} rule_read_t;

static int raw_field(lua_State *L, int t, const char *name)
{
    lua_pushstring(L, name);
    return lua_rawget(L, t);
}

static int read_error(lua_State *L, const rule_t *r, const char *field, const char *fmt,
                      const char *what)
{
    return luaL_error(L, "%s:%d: rule %s: %s%s", r->chunk,
                      field ? rules_line_of_name(r->source_text, field) : 1,
                      r->id ? r->id : "?", fmt, what);
}

/* A copy of the string field `name` (NULL when absent); anything but a
 * string is an error. */
static char *string_field(lua_State *L, rule_t *r, int t, const char *name)
{
    int type = raw_field(L, t, name);
    char *v = NULL;
    if (type == LUA_TSTRING && !(v = strdup(lua_tostring(L, -1))))
        luaL_error(L, "%s: out of memory", r->chunk);
    else if (type != LUA_TSTRING && type != LUA_TNIL)
        read_error(L, r, name, "", lua_pushfstring(L, "'%s' must be a string, not a %s", name,
                                                   luaL_typename(L, -1)));
    lua_pop(L, 1);
    return v;
}

/* realert = "24h" | seconds | false; default RULES_REALERT_DEFAULT. */
static void read_realert(lua_State *L, rule_t *r, int t)
{
    int type = raw_field(L, t, "realert");
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
        read_error(L, r, "realert", "realert must be a duration such as \"24h\" (or false: once "
                   "per episode), not ", type == LUA_TSTRING
                       ? lua_pushfstring(L, "'%s'", lua_tostring(L, -1))
                       : lua_pushfstring(L, "a %s", luaL_typename(L, -1)));
    lua_pop(L, 1);
    r->realert = seconds;
}

/* A function field kept as a registry reference; LUA_NOREF when absent. */
static int function_field(lua_State *L, rule_t *r, int t, const char *name, const char *must)
{
    int type = raw_field(L, t, name);
    if (type == LUA_TNIL) {
        lua_pop(L, 1);
        return LUA_NOREF;
    }
    if (type != LUA_TFUNCTION)
        read_error(L, r, name, must, "");
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

/* message = function(ev) | "text"; the title or the id otherwise. */
static void read_message(lua_State *L, rule_t *r, int t)
{
    int type = raw_field(L, t, "message");
    if (type == LUA_TFUNCTION) {
        r->message = luaL_ref(L, LUA_REGISTRYINDEX);
        return;
    }
    if (type == LUA_TSTRING)
        r->message_text = strdup(lua_tostring(L, -1));
    else if (type != LUA_TNIL)
        read_error(L, r, "message", "'message' must be a function or a string", "");
    lua_pop(L, 1);
}

static void read_sources(lua_State *L, rule_t *r, int t)
{
    int type = raw_field(L, t, "sources");
    if (type == LUA_TTABLE) {
        int list = lua_gettop(L);
        sandbox_check_plain(L, list, 1, 0);
        size_t n = lua_rawlen(L, list);
        r->sources = calloc(n + 1, sizeof *r->sources);
        if (!r->sources)
            luaL_error(L, "%s: out of memory", r->chunk);
        for (size_t i = 1; i <= n; i++) {
            if (lua_rawgeti(L, list, (lua_Integer)i) == LUA_TSTRING)
                r->sources[r->n_sources++] = strdup(lua_tostring(L, -1));
            lua_pop(L, 1);
        }
    } else if (type != LUA_TNIL) {
        read_error(L, r, "sources", "'sources' must be a list of source ids", "");
    }
    lua_pop(L, 1);
}

static void read_max_flags(lua_State *L, rule_t *r, int t)
{
    int type = raw_field(L, t, "max_flags");
    if (type == LUA_TNUMBER && lua_isinteger(L, -1) && lua_tointeger(L, -1) > 0 &&
        lua_tointeger(L, -1) <= 2000000000)
        r->max_flags = (long)lua_tointeger(L, -1);
    else if (type != LUA_TNIL)
        read_error(L, r, "max_flags", "max_flags must be a whole number of flags, at least 1", "");
    lua_pop(L, 1);
}

static void read_functions(lua_State *L, rule_t *r, int t)
{
    r->when = function_field(L, r, t, "when", "'when' must be a function(ev)");
    r->check = function_field(L, r, t, "check", "'check' must be a function(ctx)");
    if (r->when == LUA_NOREF && r->check == LUA_NOREF)
        read_error(L, r, NULL, "'when' must be a function(ev)", "");
    r->has_when = r->when != LUA_NOREF;
    r->has_check = r->check != LUA_NOREF;
    int type = raw_field(L, t, "tests");
    if (type == LUA_TTABLE)
        r->tests = luaL_ref(L, LUA_REGISTRYINDEX);
    else if (type != LUA_TNIL)
        read_error(L, r, "tests", "'tests' must be a list of test cases", "");
    else
        lua_pop(L, 1);
}

/* sandbox_run: the rule file's returned table at 2; fills the rule. */
static int read_rule(lua_State *L)
{
    rule_t *r = ((rule_read_t *)lua_touserdata(L, 1))->r;
    if (!lua_istable(L, 2))
        return luaL_error(L, "%s: a rule file must return a table, not a %s", r->chunk,
                          luaL_typename(L, 2));
    if (lua_getmetatable(L, 2))
        return luaL_error(L, "%s: a rule file must return a plain table, not a table with a "
                          "metatable", r->chunk);
    r->id = string_field(L, r, 2, "id");
    if (!r->id || !*r->id)
        return luaL_error(L, "%s: the rule has no id", r->chunk);
    r->severity = string_field(L, r, 2, "severity");
    if (!r->severity && !(r->severity = strdup("medium")))
        return luaL_error(L, "%s: out of memory", r->chunk);
    if (!rules_severity(r->severity))
        read_error(L, r, "severity", "unknown severity ",
                   lua_pushfstring(L, "'%s' (info, low, medium, high, critical)", r->severity));
    r->title = string_field(L, r, 2, "title");
    read_functions(L, r, 2);
    read_realert(L, r, 2);
    read_message(L, r, 2);
    read_sources(L, r, 2);
    read_max_flags(L, r, 2);
    int type = raw_field(L, 2, "baseline");
    r->baseline = type == LUA_TBOOLEAN && lua_toboolean(L, -1);
    return 0;
}

static void fingerprint_text(const char *text, size_t len, char out[65])
{
    sha256_t c;
    unsigned char d[32];
    sha256_init(&c);
    sha256_update(&c, text, len);
    sha256_final(&c, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Run the rule file in its new state and read what it returned. */
static int run_rule_file(rules_t *rs, rule_t *r, size_t len, err_t *e)
{
    r->sb = rules_new_state(rs->cfg, rs->phrases, rs->st, e);
    if (!r->sb)
        return -1;
    lua_State *L = sandbox_lua(r->sb);
    sandbox_push_env(r->sb);
    int rc = sandbox_load(r->sb, r->chunk, r->source_text, len, lua_gettop(L), e);
    lua_remove(L, rc == 0 ? -2 : -1); /* the env (a failed load pushes nothing) */
    if (rc == 0)
        rc = sandbox_call(r->sb, 0, 1, r->chunk, e);
    rule_read_t rd = {r};
    if (rc == 0 && sandbox_run(r->sb, read_rule, &rd, 1, 0, r->chunk, e) != 0) {
        size_t n = strlen(r->chunk);
        if (strncmp(e->msg, r->chunk, n) != 0 || e->msg[n] != ':') {
            err_t named;
            err_set(&named, "%s: the table it returned: %s", r->chunk, e->msg);
            *e = named;
        }
        rc = -1;
    }
    return rc;
}

/* Run the rule whose text is r->source_text (len bytes, r->chunk set) and
 * add it to rs. Returns 0, or -1 with e set (r freed either way when it
 * is not kept). */
static int add_rule(rules_t *rs, rule_t *r, size_t len, err_t *e)
{
    fingerprint_text(r->source_text, len, r->fingerprint);
    int rc = run_rule_file(rs, r, len, e);
    for (size_t i = 0; rc == 0 && i < rs->n; i++)
        if (strcmp(rs->list[i].id, r->id) == 0)
            rc = err_set(e, "%s: rule id '%s' is already used by %s", r->chunk, r->id,
                         rs->list[i].chunk);
    rule_t *more = rc == 0 ? realloc(rs->list, (rs->n + 1) * sizeof *rs->list) : NULL;
    if (rc == 0 && !more)
        rc = err_set(e, "out of memory");
    if (rc != 0) {
        rule_free(r);
        return -1;
    }
    rs->list = more;
    rs->list[rs->n++] = *r;
    return 0;
}

#define RULE_INIT {.when = LUA_NOREF, .message = LUA_NOREF, .check = LUA_NOREF, .tests = LUA_NOREF}

static int load_rule(rules_t *rs, const char *dir, const char *file, err_t *e)
{
    rule_t r = RULE_INIT;
    char path[4096];
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    buf_t chunk = {0};
    buf_printf(&chunk, "%s/%s", base, file);
    r.chunk = buf_steal(&chunk);
    size_t len;
    r.source_text = buf_read_all(path, &len);
    if (!r.source_text) {
        err_set(e, "%s: cannot read %s", r.chunk, path);
        rule_free(&r);
        return -1;
    }
    return add_rule(rs, &r, len, e);
}

/* Load a rule built into vane (f: "rules/NAME.lua"). */
static int load_shipped_rule(rules_t *rs, const embedded_file_t *f, err_t *e)
{
    rule_t r = RULE_INIT;
    r.chunk = strdup(f->name);
    r.source_text = malloc(f->len + 1);
    if (!r.chunk || !r.source_text) {
        rule_free(&r);
        return err_set(e, "out of memory");
    }
    memcpy(r.source_text, f->data, f->len);
    r.source_text[f->len] = '\0';
    return add_rule(rs, &r, f->len, e);
}

/* Whether f is one of the shipped rule files (not their phrase lists). */
static int is_shipped_rule(const embedded_file_t *f)
{
    size_t n = strlen(f->name);
    return strncmp(f->name, "rules/", 6) == 0 && n > 10 && strcmp(f->name + n - 4, ".lua") == 0 &&
           strcmp(f->name + 6, RULES_PHRASES_FILE) != 0;
}

static int has_rule(const rules_t *rs, const char *id)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->list[i].id, id) == 0)
            return 1;
    return 0;
}

/* The shipped rules, when the configuration has no rules folder; and the
 * keyword-watch rule whenever a watch is declared and no folder has a rule
 * of that id, so a watch works without copying the rule file. */
static void load_shipped(rules_t *rs, const config_t *cfg, errlist_t *errs)
{
    const embedded_file_t *kw = embedded_find(RULES_KEYWORD_WATCH_FILE);
    for (const embedded_file_t *f = embedded_files; cfg->shipped_rules && f->name; f++) {
        err_t le;
        if (is_shipped_rule(f) && load_shipped_rule(rs, f, &le) != 0) {
            errlist_add(errs, "%s", le.msg);
            rs->load_errors++;
        }
    }
    err_t le;
    if (cfg->n_watches && kw && !has_rule(rs, RULES_KEYWORD_WATCH_ID) &&
        load_shipped_rule(rs, kw, &le) != 0) {
        errlist_add(errs, "%s", le.msg);
        rs->load_errors++;
    }
}

void rules_attach_store(rules_t *rs, store_t *st)
{
    rs->st = st;
    for (size_t i = 0; i < rs->n; i++)
        history_attach(sandbox_lua(rs->list[i].sb), st);
}

/* A rules state: the configured limits and the `vane` library for rules,
 * its phrase and watch lists provided from this load's data. */
sandbox_t *rules_new_state(const config_t *cfg, const rules_phrases_t *ph, store_t *st, err_t *e)
{
    sandbox_t *sb = sandbox_new(&cfg->limits, e);
    if (!sb)
        return NULL;
    sandbox_set_now(sb, clock_is_fixed() ? clock_now() : 0);
    lua_gc(sandbox_lua(sb), LUA_GCGEN, 0, 0);
    rules_provide_lists(sb, ph, cfg);
    if (vanelib_install(sb, VANE_FOR_RULES, e) != 0) {
        sandbox_free(sb);
        return NULL;
    }
    history_attach(sandbox_lua(sb), st);
    return sb;
}

/* Load the rule files of one folder, in name order. */
static void load_folder(rules_t *rs, const char *dir, errlist_t *errs)
{
    char **files = lua_files(dir);
    if (!files) {
        errlist_add(errs, "%s: cannot read the rules folder", dir);
        rs->load_errors++;
        return;
    }
    for (size_t i = 0; files[i]; i++) {
        err_t le;
        if (load_rule(rs, dir, files[i], &le) != 0) {
            errlist_add(errs, "%s", le.msg);
            rs->load_errors++;
        }
        free(files[i]);
    }
    free(files);
}

rules_t *rules_load(const config_t *cfg, errlist_t *errs, err_t *e)
{
    rules_t *rs = calloc(1, sizeof *rs);
    if (!rs) {
        err_set(e, "out of memory");
        return NULL;
    }
    rs->cfg = cfg;
    rs->phrases = rules_phrases_load(cfg, errs, e);
    if (!rs->phrases) {
        rules_free(rs);
        return NULL;
    }
    for (size_t d = 0; d < cfg->n_rule_dirs; d++)
        load_folder(rs, cfg->rule_dirs[d], errs);
    load_shipped(rs, cfg, errs);
    return rs;
}

void rules_xref(const rules_t *rs, size_t i, xref_rule_t *out)
{
    const rule_t *r = &rs->list[i];
    *out = (xref_rule_t){.id = r->id, .chunk = r->chunk, .sources = r->sources,
                         .n_sources = r->n_sources,
                         .sources_line = rules_line_of_name(r->source_text, "sources")};
}

size_t rules_load_errors(const rules_t *rs)
{
    return rs->load_errors;
}

void rules_free(rules_t *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++)
        rule_free(&rs->list[i]);
    free(rs->list);
    rules_phrases_free(rs->phrases);
    free(rs);
}

const char *rules_file_fingerprint(const rules_t *rs, const char *id)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->list[i].id, id) == 0)
            return rs->list[i].fingerprint;
    return NULL;
}

void rules_on_failure(rules_t *rs, rules_fail_fn fn, void *ud)
{
    rs->on_fail = fn;
    rs->fail_ud = ud;
}

void rules_limit_flags(rules_t *rs)
{
    rs->limit_flags = 1;
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
        rs->list[i].excluded = !match;
    }
    return found ? 0 : -1;
}

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
#include "lib/history.h"
#include "util/sha256.h"
#include "config/units.h"
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
                   "per episode), not %s%s%s", r->chunk, rules_line_of_name(r->source_text, "realert"),
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

void rules_attach_store(rules_t *rs, store_t *st)
{
    history_attach(sandbox_lua(rs->sb), st);
}

/* The rules' sandbox with the `vane` library for rules: this load's phrase
 * and watch lists are handed to the install, which opens them. */
static sandbox_t *new_sandbox(const config_t *cfg, errlist_t *errs, err_t *e)
{
    sandbox_t *sb = sandbox_new(&cfg->limits, e);
    if (!sb)
        return NULL;
    sandbox_set_now(sb, clock_is_fixed() ? clock_now() : 0);
    rules_lists_t lists = {sb, cfg, errs};
    rules_provide_lists(&lists);
    if (vanelib_install(sb, VANE_FOR_RULES, e) != 0) {
        sandbox_free(sb);
        return NULL;
    }
    return sb;
}

/* Load the rule files of one folder, in name order. */
static void load_folder(rules_t *rs, const char *dir, errlist_t *errs)
{
    char **files = lua_files(dir);
    if (!files) {
        errlist_add(errs, "%s: cannot read the rules folder", dir);
        return;
    }
    for (size_t i = 0; files[i]; i++) {
        err_t le;
        if (load_rule(rs, dir, files[i], &le) != 0)
            errlist_add(errs, "%s", le.msg);
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
    rs->sb = new_sandbox(cfg, errs, e);
    if (!rs->sb) {
        rules_free(rs);
        return NULL;
    }
    for (size_t d = 0; d < cfg->n_rule_dirs; d++)
        load_folder(rs, cfg->rule_dirs[d], errs);
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

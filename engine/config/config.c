/* config.c — loading and validating vane.lua (see config.h).
 *
 * The file runs in a sandbox whose environment holds the declaration
 * helpers. A helper never raises for a bad declaration: it records the
 * problem with the caller's line and goes on, so `vane check` can list every
 * problem at once. */
#include "config/config.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/json.h"
#include "config/units.h"

#define DEFAULT_EVERY 3600
#define DEFAULT_TIMEOUT 30
#define DEFAULT_MAX_BYTES (5LL * 1000 * 1000)

typedef struct loader {
    config_t *cfg;
    errlist_t *errs;
    const char *chunk;     /* the file name used in messages */
    int have_rules;
    size_t cap_sources, cap_channels, cap_watches;
    lua_State *L;
    int seen;              /* registry ref: "source:ID" -> line, even for rejected ones */
} loader_t;

char *config_resolve(const char *dir, const char *path)
{
    if (path[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0)
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

/* The line in vane.lua that called the helper now running. */
static int caller_line(lua_State *L)
{
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
        return ar.currentline;
    return 0;
}

static loader_t *loader_of(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

#define PROBLEM(ld, line, ...)                                                     \
    do {                                                                           \
        char msg_[1024];                                                           \
        snprintf(msg_, sizeof msg_, __VA_ARGS__);                                  \
        errlist_add((ld)->errs, "%s:%d: %s", (ld)->chunk, (line), msg_);           \
    } while (0)

/* ---- reading fields of a declaration table --------------------------------- */

typedef struct decl {
    lua_State *L;
    loader_t *ld;
    int idx, line;
    const char *what;       /* "source 'x'" */
    int bad;
} decl_t;

static void check_keys(decl_t *d, const char *const *known)
{
    lua_pushnil(d->L);
    while (lua_next(d->L, d->idx)) {
        lua_pop(d->L, 1);
        int ok = 0;
        if (lua_type(d->L, -1) == LUA_TSTRING) {
            const char *k = lua_tostring(d->L, -1);
            for (const char *const *p = known; *p; p++)
                ok |= strcmp(k, *p) == 0;
            if (!ok)
                PROBLEM(d->ld, d->line, "%s: unknown key '%s'", d->what, k);
        } else {
            PROBLEM(d->ld, d->line, "%s: unexpected positional value", d->what);
        }
        d->bad |= !ok;
    }
}

/* Pushes the field; returns its Lua type. */
static int field(decl_t *d, const char *name)
{
    return lua_getfield(d->L, d->idx, name);
}

static char *opt_string(decl_t *d, const char *name, const char *def)
{
    int t = field(d, name);
    char *v = NULL;
    if (t == LUA_TSTRING)
        v = strdup(lua_tostring(d->L, -1));
    else if (t == LUA_TNIL)
        v = def ? strdup(def) : NULL;
    else {
        PROBLEM(d->ld, d->line, "%s: '%s' must be a string, not a %s", d->what, name,
                luaL_typename(d->L, -1));
        d->bad = 1;
    }
    lua_pop(d->L, 1);
    return v;
}

static long long opt_duration(decl_t *d, const char *name, long long def)
{
    int t = field(d, name);
    long long v = def;
    if (t == LUA_TNUMBER && lua_tonumber(d->L, -1) > 0) {
        v = (long long)lua_tonumber(d->L, -1);
    } else if (t == LUA_TSTRING) {
        if (units_duration(lua_tostring(d->L, -1), &v) != 0 || v <= 0) {
            PROBLEM(d->ld, d->line, "%s: bad duration %s = \"%s\" (use e.g. \"30s\", \"5m\", \"1h\", \"7d\")",
                    d->what, name, lua_tostring(d->L, -1));
            d->bad = 1;
        }
    } else if (t != LUA_TNIL) {
        PROBLEM(d->ld, d->line, "%s: bad duration for '%s'", d->what, name);
        d->bad = 1;
    }
    lua_pop(d->L, 1);
    return v;
}

static long long opt_size(decl_t *d, const char *name, long long def)
{
    int t = field(d, name);
    long long v = def;
    if (t == LUA_TNUMBER && lua_tonumber(d->L, -1) > 0) {
        v = (long long)lua_tonumber(d->L, -1);
    } else if (t == LUA_TSTRING) {
        if (units_size(lua_tostring(d->L, -1), &v) != 0 || v <= 0) {
            PROBLEM(d->ld, d->line, "%s: bad size %s = \"%s\" (use e.g. \"512KB\", \"5MB\", \"1GiB\")",
                    d->what, name, lua_tostring(d->L, -1));
            d->bad = 1;
        }
    } else if (t != LUA_TNIL) {
        PROBLEM(d->ld, d->line, "%s: bad size for '%s'", d->what, name);
        d->bad = 1;
    }
    lua_pop(d->L, 1);
    return v;
}

static int opt_bool(decl_t *d, const char *name, int def)
{
    int t = field(d, name), v = def;
    if (t == LUA_TBOOLEAN)
        v = lua_toboolean(d->L, -1);
    else if (t != LUA_TNIL) {
        PROBLEM(d->ld, d->line, "%s: '%s' must be true or false", d->what, name);
        d->bad = 1;
    }
    lua_pop(d->L, 1);
    return v;
}

/* A list of strings; NULL-terminated array, *n set; NULL when absent. */
static char **opt_strings(decl_t *d, const char *name, size_t *n)
{
    int t = field(d, name);
    char **v = NULL;
    size_t len = 0;
    if (t == LUA_TSTRING) {
        v = calloc(2, sizeof *v);
        v[len++] = strdup(lua_tostring(d->L, -1));
    } else if (t == LUA_TTABLE) {
        lua_Integer count = (lua_Integer)lua_rawlen(d->L, -1);
        v = calloc((size_t)count + 1, sizeof *v);
        for (lua_Integer i = 1; v && i <= count; i++) {
            if (lua_rawgeti(d->L, -1, i) == LUA_TSTRING)
                v[len++] = strdup(lua_tostring(d->L, -1));
            else {
                PROBLEM(d->ld, d->line, "%s: '%s' must be a list of strings", d->what, name);
                d->bad = 1;
            }
            lua_pop(d->L, 1);
        }
    } else if (t != LUA_TNIL) {
        PROBLEM(d->ld, d->line, "%s: '%s' must be a list of strings", d->what, name);
        d->bad = 1;
    }
    lua_pop(d->L, 1);
    if (n)
        *n = len;
    return v;
}

static void free_strings(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static int valid_id(const char *id)
{
    if (!id || !*id)
        return 0;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
            return 0;
    return 1;
}

/* Remember that kind:id was declared on line; return the earlier line if
 * it was declared before, else 0. Rejected declarations count too, so a
 * duplicate is reported even when the first one had another mistake. */
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

/* ---- declaration helpers --------------------------------------------------- */

static int begin_decl(lua_State *L, decl_t *d, const char *kind)
{
    d->L = L;
    d->ld = loader_of(L);
    d->line = caller_line(L);
    d->idx = 1;
    d->bad = 0;
    d->what = kind;
    if (lua_type(L, 1) != LUA_TTABLE) {
        PROBLEM(d->ld, d->line, "%s needs a table: %s { id = \"…\", … }", kind, kind);
        return -1;
    }
    return 0;
}

static void source_free(source_cfg_t *s)
{
    free(s->id);
    free(s->url);
    free(s->script);
    for (size_t i = 0; i < s->n_ignore; i++)
        free(s->ignore[i]);
    free(s->ignore);
    free(s->options_json);
}

static char *options_json(decl_t *d)
{
    buf_t b = {0};
    err_t e = {{0}};
    int t = field(d, "options");
    if (t == LUA_TNIL) {
        buf_puts(&b, "{}");
    } else if (t != LUA_TTABLE || json_encode_object(d->L, -1, &b, &e) != 0) {
        PROBLEM(d->ld, d->line, "%s: 'options' must be a table of plain values%s%.900s", d->what,
                t == LUA_TTABLE ? ": " : "", t == LUA_TTABLE ? e.msg : "");
        d->bad = 1;
        buf_reset(&b);
        buf_puts(&b, "{}");
    }
    lua_pop(d->L, 1);
    return buf_steal(&b);
}

static void check_url(decl_t *d, const char *url)
{
    if (!url) {
        PROBLEM(d->ld, d->line, "%s: missing url", d->what);
        d->bad = 1;
    } else if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0 &&
               strncasecmp(url, "file://", 7) != 0) {
        PROBLEM(d->ld, d->line, "%s: url must start with http:// or https:// (got \"%s\")", d->what, url);
        d->bad = 1;
    }
}

static int l_source(lua_State *L)
{
    static const char *const known[] = {"id", "url", "script", "every", "timeout", "max_bytes",
                                        "removals", "ignore", "options", NULL};
    decl_t d;
    if (begin_decl(L, &d, "source") != 0)
        return 0;
    source_cfg_t s = {0};
    char what[160];
    s.id = opt_string(&d, "id", NULL);
    snprintf(what, sizeof what, "source '%s'", s.id ? s.id : "?");
    d.what = what;
    check_keys(&d, known);
    if (!valid_id(s.id)) {
        PROBLEM(d.ld, d.line, "source: %s id (letters, digits and - _ . : only)", s.id ? "bad" : "missing");
        d.bad = 1;
    }
    s.url = opt_string(&d, "url", NULL);
    check_url(&d, s.url);
    s.script = opt_string(&d, "script", NULL);
    if (!s.script) {
        PROBLEM(d.ld, d.line, "%s: missing script (the name of a scripts/NAME.lua)", what);
        d.bad = 1;
    }
    s.every = opt_duration(&d, "every", DEFAULT_EVERY);
    s.timeout = opt_duration(&d, "timeout", DEFAULT_TIMEOUT);
    s.max_bytes = opt_size(&d, "max_bytes", DEFAULT_MAX_BYTES);
    s.removals = opt_bool(&d, "removals", 0);
    s.ignore = opt_strings(&d, "ignore", &s.n_ignore);
    s.options_json = options_json(&d);
    s.line = d.line;
    config_t *cfg = d.ld->cfg;
    int first = s.id ? declared_before(d.ld, "source", s.id, d.line) : 0;
    if (first) {
        PROBLEM(d.ld, d.line, "duplicate source id '%s' (first declared on line %d)", s.id, first);
        d.bad = 1;
    }
    if (d.bad) {
        source_free(&s);
        return 0;
    }
    if (cfg->n_sources == d.ld->cap_sources) {
        d.ld->cap_sources = d.ld->cap_sources ? d.ld->cap_sources * 2 : 16;
        cfg->sources = realloc(cfg->sources, d.ld->cap_sources * sizeof *cfg->sources);
    }
    cfg->sources[cfg->n_sources++] = s;
    return 0;
}

static void channel_free(channel_cfg_t *c)
{
    char *strings[] = {c->id,   c->kind, c->path, c->url,  c->format,         c->secret, c->smtp,
                       c->user, c->password, c->from, c->subject_prefix};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        free(strings[i]);
    char **lists[] = {c->rules, c->sources, c->exclude_rules, c->exclude_sources,
                      c->headers, c->to, c->command};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        free_strings(lists[i]);
}

/* HTTP headers as { ["Name"] = "value" } or { "Name: value", … }; stored as
 * "Name: value" lines. */
static char **opt_headers(decl_t *d, const char *name)
{
    if (field(d, name) != LUA_TTABLE) {
        int absent = lua_isnil(d->L, -1);
        lua_pop(d->L, 1);
        if (!absent) {
            PROBLEM(d->ld, d->line, "%s: '%s' must be a table of header = value", d->what, name);
            d->bad = 1;
        }
        return NULL;
    }
    size_t n = 0, cap = 8;
    char **v = calloc(cap + 1, sizeof *v);
    if (!v) {
        lua_pop(d->L, 1);
        return NULL;
    }
    lua_pushnil(d->L);
    while (lua_next(d->L, -2)) {
        buf_t line = {0};
        int kt = lua_type(d->L, -2), vt = lua_type(d->L, -1);
        if (kt == LUA_TSTRING && vt == LUA_TSTRING)
            buf_printf(&line, "%s: %s", lua_tostring(d->L, -2), lua_tostring(d->L, -1));
        else if (kt == LUA_TNUMBER && vt == LUA_TSTRING && strchr(lua_tostring(d->L, -1), ':'))
            buf_puts(&line, lua_tostring(d->L, -1));
        lua_pop(d->L, 1);
        const char *text = buf_str(&line);
        if (!*text || strpbrk(text, "\r\n")) {
            PROBLEM(d->ld, d->line, "%s: bad header in '%s' (use [\"Name\"] = \"value\")", d->what, name);
            d->bad = 1;
            buf_free(&line);
            continue;
        }
        if (n == cap) {
            char **more = realloc(v, (2 * cap + 1) * sizeof *v);
            if (!more) {
                buf_free(&line);
                lua_pop(d->L, 1);
                break;
            }
            v = more;
            cap *= 2;
        }
        v[n++] = buf_steal(&line);
        v[n] = NULL;
    }
    lua_pop(d->L, 1);
    return v;
}

#define COUNT_MAX 2000000000L /* fits an int */

/* A whole number in [min, max], or def when absent. */
static long opt_count(decl_t *d, const char *name, long min, long max, long def)
{
    int t = field(d, name);
    long v = def;
    if (t == LUA_TNUMBER && lua_isinteger(d->L, -1) && lua_tointeger(d->L, -1) >= min &&
        lua_tointeger(d->L, -1) <= max)
        v = (long)lua_tointeger(d->L, -1);
    else if (t != LUA_TNIL) {
        PROBLEM(d->ld, d->line, "%s: '%s' must be a whole number from %ld to %ld", d->what, name, min, max);
        d->bad = 1;
    }
    lua_pop(d->L, 1);
    return v;
}

static int starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* What each kind needs. */
static void check_channel_kind(decl_t *d, channel_cfg_t *c)
{
    const char *k = c->kind;
    if (strcmp(k, "file") == 0 && !c->path) {
        PROBLEM(d->ld, d->line, "%s: a file channel needs a path", d->what);
        d->bad = 1;
    } else if (strcmp(k, "webhook") == 0) {
        if (!starts_with(c->url, "http://") && !starts_with(c->url, "https://")) {
            PROBLEM(d->ld, d->line, "%s: a webhook channel needs an http:// or https:// url", d->what);
            d->bad = 1;
        }
        if (strcmp(c->format, "json") != 0 && strcmp(c->format, "slack") != 0) {
            PROBLEM(d->ld, d->line, "%s: unknown format '%s' (json, slack)", d->what, c->format);
            d->bad = 1;
        }
    } else if (strcmp(k, "email") == 0) {
        if (!starts_with(c->smtp, "smtp://") && !starts_with(c->smtp, "smtps://")) {
            PROBLEM(d->ld, d->line, "%s: an email channel needs smtp = \"smtp://host:port\" or \"smtps://…\"",
                    d->what);
            d->bad = 1;
        }
        if (!c->from || !strchr(c->from, '@')) {
            PROBLEM(d->ld, d->line, "%s: an email channel needs a from address", d->what);
            d->bad = 1;
        }
        if (!c->to || !c->to[0]) {
            PROBLEM(d->ld, d->line, "%s: an email channel needs to = { address, … }", d->what);
            d->bad = 1;
        }
    } else if (strcmp(k, "exec") == 0 && (!c->command || !c->command[0] || !*c->command[0])) {
        PROBLEM(d->ld, d->line, "%s: an exec channel needs command = { \"program\", args… }", d->what);
        d->bad = 1;
    }
}

static void parse_channel_kind_fields(decl_t *d, channel_cfg_t *c)
{
    char *path = opt_string(d, "path", NULL);
    if (path) {
        c->path = config_resolve(d->ld->cfg->dir, path);
        free(path);
    }
    c->url = opt_string(d, "url", NULL);
    c->format = opt_string(d, "format", "json");
    c->headers = opt_headers(d, "headers");
    c->secret = opt_string(d, "secret", NULL);
    c->smtp = opt_string(d, "smtp", NULL);
    c->starttls = opt_bool(d, "starttls", 1);
    c->user = opt_string(d, "user", NULL);
    c->password = opt_string(d, "password", NULL);
    c->from = opt_string(d, "from", NULL);
    c->to = opt_strings(d, "to", NULL);
    c->subject_prefix = opt_string(d, "subject_prefix", "[vane]");
    c->command = opt_strings(d, "command", NULL);
}

static int l_channel(lua_State *L)
{
    static const char *const known[] = {
        "id",       "kind",          "min_severity", "rules",       "sources", "exclude_rules",
        "exclude_sources", "digest", "max_attempts", "retry_after", "timeout", "path",
        "url",      "format",        "headers",      "secret",      "smtp",    "starttls",
        "user",     "password",      "from",         "to",          "subject_prefix", "command",
        NULL};
    static const char *const kinds[] = {"stdout", "file", "jsonl", "webhook", "email", "exec", NULL};
    decl_t d;
    if (begin_decl(L, &d, "channel") != 0)
        return 0;
    channel_cfg_t c = {0};
    char what[160];
    c.id = opt_string(&d, "id", NULL);
    snprintf(what, sizeof what, "channel '%s'", c.id ? c.id : "?");
    d.what = what;
    check_keys(&d, known);
    if (!valid_id(c.id)) {
        PROBLEM(d.ld, d.line, "channel: %s id", c.id ? "bad" : "missing");
        d.bad = 1;
    }
    c.kind = opt_string(&d, "kind", "stdout");
    int known_kind = 0;
    for (size_t i = 0; c.kind && kinds[i]; i++)
        known_kind |= strcmp(c.kind, kinds[i]) == 0;
    if (c.kind && !known_kind) {
        PROBLEM(d.ld, d.line, "%s: unknown kind '%s' (stdout, file, webhook, email, exec)", what, c.kind);
        d.bad = 1;
    } else if (c.kind && strcmp(c.kind, "jsonl") == 0) {
        free(c.kind);
        c.kind = strdup("file");
    }
    char *sev = opt_string(&d, "min_severity", "info");
    c.min_severity = severity_rank(sev);
    if (c.min_severity < 0) {
        PROBLEM(d.ld, d.line, "%s: unknown min_severity '%s' (" SEVERITY_NAMES ")", what, sev);
        d.bad = 1;
    }
    free(sev);
    c.rules = opt_strings(&d, "rules", NULL);
    c.sources = opt_strings(&d, "sources", NULL);
    c.exclude_rules = opt_strings(&d, "exclude_rules", NULL);
    c.exclude_sources = opt_strings(&d, "exclude_sources", NULL);
    c.digest = opt_bool(&d, "digest", 0);
    c.max_attempts = (int)opt_count(&d, "max_attempts", 1, 1000000, 10);
    c.retry_after = opt_duration(&d, "retry_after", 60);
    c.timeout = opt_duration(&d, "timeout", 30);
    parse_channel_kind_fields(&d, &c);
    if (c.kind && known_kind)
        check_channel_kind(&d, &c);
    c.line = d.line;
    config_t *cfg = d.ld->cfg;
    int first = c.id ? declared_before(d.ld, "channel", c.id, d.line) : 0;
    if (first) {
        PROBLEM(d.ld, d.line, "duplicate channel id '%s' (first declared on line %d)", c.id, first);
        d.bad = 1;
    }
    if (c.id && strcmp(c.id, "stdout") == 0) {
        PROBLEM(d.ld, d.line, "channel id 'stdout' is the built-in one; choose another id");
        d.bad = 1;
    }
    if (d.bad) {
        channel_free(&c);
        return 0;
    }
    if (cfg->n_channels == d.ld->cap_channels) {
        d.ld->cap_channels = d.ld->cap_channels ? d.ld->cap_channels * 2 : 4;
        cfg->channels = realloc(cfg->channels, d.ld->cap_channels * sizeof *cfg->channels);
    }
    cfg->channels[cfg->n_channels++] = c;
    return 0;
}

static void watch_free(watch_cfg_t *w)
{
    free(w->id);
    free_strings(w->terms);
    free_strings(w->sources);
    free_strings(w->fields);
}

/* terms: a non-empty list of non-empty strings. */
static void check_terms(decl_t *d, const watch_cfg_t *w)
{
    if (!w->terms || w->n_terms == 0) {
        PROBLEM(d->ld, d->line, "%s: 'terms' must be a non-empty list of words or phrases", d->what);
        d->bad = 1;
        return;
    }
    for (size_t i = 0; i < w->n_terms; i++) {
        const char *t = w->terms[i];
        if (!t[strspn(t, " \t")] || strcmp(t, "re:") == 0) {
            PROBLEM(d->ld, d->line, "%s: term %zu is empty", d->what, i + 1);
            d->bad = 1;
        }
    }
}

/* changes: a list of "new" and "changed" (default { "new" }). */
static void watch_changes(decl_t *d, watch_cfg_t *w)
{
    size_t n = 0;
    char **changes = opt_strings(d, "changes", &n);
    w->on_new = !changes;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(changes[i], "new") == 0)
            w->on_new = 1;
        else if (strcmp(changes[i], "changed") == 0)
            w->on_changed = 1;
        else {
            PROBLEM(d->ld, d->line, "%s: unknown change '%s' in 'changes' (new, changed)", d->what,
                    changes[i]);
            d->bad = 1;
        }
    }
    if (changes && n == 0) {
        PROBLEM(d->ld, d->line, "%s: 'changes' must name \"new\", \"changed\" or both", d->what);
        d->bad = 1;
    }
    free_strings(changes);
}

static void watch_fields(decl_t *d, watch_cfg_t *w)
{
    size_t n = 0;
    w->fields = opt_strings(d, "fields", &n);
    if (w->fields && n == 0) {
        PROBLEM(d->ld, d->line, "%s: 'fields' must name at least one item field", d->what);
        d->bad = 1;
    }
    if (!w->fields) {
        w->fields = calloc(3, sizeof *w->fields);
        w->fields[0] = strdup("title");
        w->fields[1] = strdup("summary");
    }
}

static void add_watch(loader_t *ld, const watch_cfg_t *w)
{
    config_t *cfg = ld->cfg;
    if (cfg->n_watches == ld->cap_watches) {
        ld->cap_watches = ld->cap_watches ? ld->cap_watches * 2 : 4;
        cfg->watches = realloc(cfg->watches, ld->cap_watches * sizeof *cfg->watches);
    }
    cfg->watches[cfg->n_watches++] = *w;
}

static int l_watch(lua_State *L)
{
    static const char *const known[] = {"id", "terms", "sources", "fields", "severity", "changes", NULL};
    decl_t d;
    if (begin_decl(L, &d, "watch") != 0)
        return 0;
    watch_cfg_t w = {0};
    char what[160];
    w.id = opt_string(&d, "id", NULL);
    snprintf(what, sizeof what, "watch '%s'", w.id ? w.id : "?");
    d.what = what;
    check_keys(&d, known);
    if (!valid_id(w.id)) {
        PROBLEM(d.ld, d.line, "watch: %s id (letters, digits and - _ . : only)", w.id ? "bad" : "missing");
        d.bad = 1;
    }
    w.terms = opt_strings(&d, "terms", &w.n_terms);
    check_terms(&d, &w);
    w.sources = opt_strings(&d, "sources", NULL);
    watch_fields(&d, &w);
    char *sev = opt_string(&d, "severity", "medium");
    w.severity = severity_rank(sev);
    if (sev && w.severity < 0) {
        PROBLEM(d.ld, d.line, "%s: unknown severity '%s' (" SEVERITY_NAMES ")", what, sev);
        d.bad = 1;
    }
    free(sev);
    watch_changes(&d, &w);
    w.line = d.line;
    int first = w.id ? declared_before(d.ld, "watch", w.id, d.line) : 0;
    if (first) {
        PROBLEM(d.ld, d.line, "duplicate watch id '%s' (first declared on line %d)", w.id, first);
        d.bad = 1;
    }
    if (d.bad)
        watch_free(&w);
    else
        add_watch(d.ld, &w);
    return 0;
}

static int l_database(lua_State *L)
{
    loader_t *ld = loader_of(L);
    if (lua_type(L, 1) != LUA_TSTRING) {
        PROBLEM(ld, caller_line(L), "database needs a file name: database \"vane.db\"");
        return 0;
    }
    free(ld->cfg->database);
    ld->cfg->database = config_resolve(ld->cfg->dir, lua_tostring(L, 1));
    return 0;
}

static int l_rules(lua_State *L)
{
    loader_t *ld = loader_of(L);
    config_t *cfg = ld->cfg;
    int line = caller_line(L);
    if (lua_type(L, 1) == LUA_TSTRING) {
        lua_createtable(L, 1, 0);
        lua_pushvalue(L, 1);
        lua_rawseti(L, -2, 1);
        lua_replace(L, 1);
    }
    if (lua_type(L, 1) != LUA_TTABLE) {
        PROBLEM(ld, line, "rules needs a list of folders: rules { \"rules\" }");
        return 0;
    }
    ld->have_rules = 1;
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, 1, i) != LUA_TSTRING) {
            PROBLEM(ld, line, "rules: entry %lld is not a folder name", (long long)i);
        } else {
            cfg->rule_dirs = realloc(cfg->rule_dirs, (cfg->n_rule_dirs + 1) * sizeof *cfg->rule_dirs);
            cfg->rule_dirs[cfg->n_rule_dirs++] = config_resolve(cfg->dir, lua_tostring(L, -1));
        }
        lua_pop(L, 1);
    }
    return 0;
}

static int l_settings(lua_State *L)
{
    static const char *const known[] = {"instructions", "memory", "pattern_steps", "max_parallel",
                                        "per_host", "retries", "user_agent", "connect_timeout",
                                        "max_retry_wait", "allow_file", "failing_after", NULL};
    decl_t d;
    if (begin_decl(L, &d, "settings") != 0)
        return 0;
    d.what = "settings";
    check_keys(&d, known);
    config_t *cfg = d.ld->cfg;
    sandbox_limits_t *lim = &cfg->limits;
    lim->instructions = opt_count(&d, "instructions", 1000, COUNT_MAX, lim->instructions);
    lim->pattern_steps = opt_count(&d, "pattern_steps", 1000, COUNT_MAX, lim->pattern_steps);
    long long mem = opt_size(&d, "memory", 0);
    if (mem > 0 && mem < (1 << 20))
        PROBLEM(d.ld, d.line, "settings: memory must be at least 1MB");
    else if (mem > 0)
        lim->memory = (size_t)mem;
    fetch_opts_t *fo = &cfg->fetch;
    fo->max_parallel = opt_count(&d, "max_parallel", 1, COUNT_MAX, fo->max_parallel);
    fo->per_host = opt_count(&d, "per_host", 1, COUNT_MAX, fo->per_host);
    fo->retries = opt_count(&d, "retries", 0, COUNT_MAX, fo->retries);
    fo->connect_timeout = (long)opt_duration(&d, "connect_timeout", fo->connect_timeout);
    fo->max_retry_wait = (long)opt_duration(&d, "max_retry_wait", fo->max_retry_wait);
    fo->allow_file = opt_bool(&d, "allow_file", fo->allow_file);
    cfg->failing_after = (int)opt_count(&d, "failing_after", 1, COUNT_MAX, cfg->failing_after);
    char *ua = opt_string(&d, "user_agent", NULL);
    if (ua) {
        free((char *)fo->user_agent);
        fo->user_agent = ua;
    }
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

static void set_helper(lua_State *L, int env, loader_t *ld, const char *name, lua_CFunction fn)
{
    lua_pushlightuserdata(L, ld);
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, env, name);
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
    sandbox_push_env(sb);
    int env = lua_gettop(L);
    set_helper(L, env, ld, "source", l_source);
    set_helper(L, env, ld, "channel", l_channel);
    set_helper(L, env, ld, "database", l_database);
    set_helper(L, env, ld, "rules", l_rules);
    set_helper(L, env, ld, "settings", l_settings);
    set_helper(L, env, ld, "watch", l_watch);
    set_helper(L, env, ld, "env", l_env);
    int rc = sandbox_load(sb, ld->chunk, src, len, env, &e);
    if (rc == 0)
        rc = sandbox_call(sb, 0, 0, ld->chunk, &e);
    if (rc != 0)
        errlist_add(ld->errs, "%s", e.msg);
    sandbox_free(sb);
    return rc;
}

int config_load(const char *path, config_t *cfg, errlist_t *errs)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->path = strdup(path);
    cfg->dir = dir_of(path);
    loader_t ld = {.cfg = cfg, .errs = errs, .chunk = path};
    cfg->fetch.retries = 2;
    cfg->failing_after = 3;
    size_t before = errs->len, len = 0;
    char *src = buf_read_all(path, &len);
    if (!src) {
        errlist_add(errs, "%s: cannot read the configuration: %m", path);
        config_free(cfg);
        return -1;
    }
    run_file(&ld, src, len);
    free(src);
    if (!cfg->database)
        cfg->database = config_resolve(cfg->dir, "vane.db");
    for (size_t i = 0; !cfg->fetch.allow_file && i < cfg->n_sources; i++)
        if (strncasecmp(cfg->sources[i].url, "file://", 7) == 0)
            errlist_add(errs, "%s:%d: source '%s': file:// URLs need settings { allow_file = true }",
                        path, cfg->sources[i].line, cfg->sources[i].id);
    if (!ld.have_rules) {
        cfg->rule_dirs = malloc(sizeof *cfg->rule_dirs);
        cfg->rule_dirs[0] = config_resolve(cfg->dir, "rules");
        cfg->n_rule_dirs = 1;
    }
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
    free((char *)cfg->fetch.user_agent);
    free(cfg->path);
    free(cfg->dir);
    free(cfg->database);
    for (size_t i = 0; i < cfg->n_rule_dirs; i++)
        free(cfg->rule_dirs[i]);
    free(cfg->rule_dirs);
    for (size_t i = 0; i < cfg->n_sources; i++)
        source_free(&cfg->sources[i]);
    free(cfg->sources);
    for (size_t i = 0; i < cfg->n_channels; i++)
        channel_free(&cfg->channels[i]);
    free(cfg->channels);
    for (size_t i = 0; i < cfg->n_watches; i++)
        watch_free(&cfg->watches[i]);
    free(cfg->watches);
    memset(cfg, 0, sizeof *cfg);
}

const source_cfg_t *config_source(const config_t *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->n_sources; i++)
        if (strcmp(cfg->sources[i].id, id) == 0)
            return &cfg->sources[i];
    return NULL;
}

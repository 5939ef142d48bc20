/* decl_channel.c — `channel { … }` in vane.lua: the fields every channel
 * has (id, kind, routing, delivery); the kind's own keys are read and
 * checked by its kind (channel/kind.h), found by name in channel_kinds[]. */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "alert/quiet.h"
#include "channel/kind.h"
#include "config/keys.h"
#include "config/loader.h"

/* `format` is the template when it is a function, else a kind's key (a
 * webhook's format = "slack"). */
const char *const decl_channel_keys[] = {
    "id", "kind", "min_severity", "rules", "sources", "exclude_rules", "exclude_sources",
    "digest", "max_attempts", "retry_after", "timeout", "match", "quiet", NULL};

void decl_channel_free(channel_cfg_t *c)
{
    free(c->id);
    char **lists[] = {c->rules, c->sources, c->exclude_rules, c->exclude_sources};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        decl_free_strings(lists[i]);
    if (c->kind)
        c->kind->free(c->data);
    quiet_free(c->quiet);
}

/* A key of every channel or of some kind (a key of another kind than the
 * declaration's is reported once the kind is known: foreign_keys). */
static int channel_key(const char *key, const void *ud)
{
    (void)ud;
    return decl_listed(decl_channel_keys, key) || channel_kind_key(key);
}

/* kind = "…" (default stdout); NULL when it is not a kind (reported). */
static const channel_kind_t *channel_kind(decl_t *d)
{
    char *name = decl_string(d, "kind", "stdout");
    const channel_kind_t *kind = channel_kind_find(name);
    if (name && !kind)
        decl_problem(d, "%s: unknown kind '%s' (%s)", d->what, name, channel_kind_names());
    free(name);
    return kind;
}

/* A key of another kind on this one (`headers` on a file channel) would be
 * ignored while the analyst meant something by it: it is reported. */
static void foreign_keys(decl_t *d, const channel_kind_t *kind)
{
    lua_pushnil(d->L);
    while (lua_next(d->L, d->idx)) {
        lua_pop(d->L, 1);
        if (lua_type(d->L, -1) != LUA_TSTRING)
            continue;
        const char *key = lua_tostring(d->L, -1);
        if (!decl_listed(decl_channel_keys, key) && !decl_listed(kind->keys, key) && channel_kind_key(key))
            decl_problem(d, "%s: '%s' is not a key of %s channels", d->what, key, kind->name);
    }
}

static void routing(decl_t *d, channel_cfg_t *c)
{
    char *sev = decl_string(d, "min_severity", "info");
    c->min_severity = severity_rank(sev);
    if (c->min_severity < 0)
        decl_problem(d, "%s: unknown min_severity '%s' (" SEVERITY_NAMES ")", d->what, sev);
    free(sev);
    c->rules = decl_strings(d, "rules", NULL);
    c->sources = decl_strings(d, "sources", NULL);
    c->exclude_rules = decl_strings(d, "exclude_rules", NULL);
    c->exclude_sources = decl_strings(d, "exclude_sources", NULL);
    c->digest = decl_bool(d, "digest", 0);
}

/* A function at key `name`: kept in the registry (*ref) with the line it
 * was defined on, and taken out of the table so the kind does not read it
 * (a webhook's own `format` is a string). Anything but a function is left
 * for the kind when kind_key (format), else reported. */
static void function_field(decl_t *d, const char *name, int kind_key, int *ref, int *line)
{
    lua_State *L = d->L;
    int t = lua_getfield(L, d->idx, name);
    if (t == LUA_TFUNCTION) {
        lua_Debug ar;
        lua_pushvalue(L, -1);
        *line = lua_getinfo(L, ">S", &ar) ? ar.linedefined : d->line;
        *ref = luaL_ref(L, LUA_REGISTRYINDEX);
        loader_of(L)->keep_sandbox = 1;
        lua_pushnil(L);
        lua_setfield(L, d->idx, name);
        return;
    }
    if (t != LUA_TNIL && !kind_key)
        decl_problem(d, "%s: '%s' must be a function(flag), not a %s", d->what, name,
                     luaL_typename(L, -1));
    lua_pop(L, 1);
}

/* One window of quiet = { … } at the top of the stack, added to q. */
static void quiet_window(decl_t *d, quiet_t *q)
{
    quiet_window_t w;
    const char *s = lua_type(d->L, -1) == LUA_TSTRING ? lua_tostring(d->L, -1) : NULL;
    if (!s || quiet_window_parse(s, &w) != 0) {
        decl_problem(d, "%s: quiet: '%s' is not a window \"HH:MM-HH:MM\" (e.g. \"22:00-07:00\")",
                     d->what, s ? s : luaL_typename(d->L, -1));
        return;
    }
    quiet_window_t *grown = realloc(q->w, (q->n + 1) * sizeof *grown);
    if (!grown)
        return;
    q->w = grown;
    q->w[q->n++] = w;
}

/* quiet = "22:00-07:00" or { "22:00-07:00", …, tz = "Zone/Name" }. */
static quiet_t *quiet_hours(decl_t *d)
{
    lua_State *L = d->L;
    int t = lua_getfield(L, d->idx, "quiet");
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return NULL;
    }
    quiet_t *q = calloc(1, sizeof *q);
    if (t == LUA_TSTRING) {
        quiet_window(d, q);
    } else if (t == LUA_TTABLE) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, i);
            quiet_window(d, q);
            lua_pop(L, 1);
        }
        if (lua_getfield(L, -1, "tz") == LUA_TSTRING)
            q->tz = strdup(lua_tostring(L, -1));
        else if (!lua_isnil(L, -1))
            decl_problem(d, "%s: quiet: tz must be a zone name like \"Europe/Paris\"", d->what);
        lua_pop(L, 1);
        if (n == 0)
            decl_problem(d, "%s: quiet needs a window: quiet = { \"22:00-07:00\", tz = \"UTC\" }",
                         d->what);
    } else {
        decl_problem(d, "%s: quiet must be a window or a list of them, not a %s", d->what,
                     luaL_typename(L, -1));
    }
    lua_pop(L, 1);
    if (!q->tz)
        q->tz = strdup("UTC");
    else if (!quiet_zone_known(q->tz))
        decl_problem(d, "%s: quiet: unknown time zone '%s' (a tz database name, e.g. "
                        "\"Asia/Shanghai\")", d->what, q->tz);
    return q;
}

static void delivery(decl_t *d, channel_cfg_t *c)
{
    c->max_attempts = (int)decl_count(d, "max_attempts", 1, 1000000, 10);
    c->retry_after = decl_duration(d, "retry_after", 60);
    c->timeout = decl_duration(d, "timeout", 30);
}

/* "stdout" is taken by the built-in channel. */
static const loader_form_t channel_form = {
    .kind = "channel", .known = channel_key, .id_rule = "", .builtin_id = "stdout"};

int decl_channel(lua_State *L)
{
    decl_t d;
    channel_cfg_t c = {0};
    if (loader_open(L, &d, &channel_form, &c.id, &c.line) != 0)
        return 0;
    c.kind = channel_kind(&d);
    routing(&d, &c);
    delivery(&d, &c);
    function_field(&d, "format", 1, &c.format_ref, &c.format_line);
    function_field(&d, "match", 0, &c.match_ref, &c.match_line);
    c.quiet = quiet_hours(&d);
    if (c.kind) {
        foreign_keys(&d, c.kind);
        c.data = c.kind->parse(&d);
        c.kind->check(&d, c.data);
    }
    if (loader_close(&d, &channel_form, c.id))
        loader_keep_channel(loader_of(L), &c);
    else
        decl_channel_free(&c);
    return 0;
}

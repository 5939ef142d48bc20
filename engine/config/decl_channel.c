/* decl_channel.c — `channel { … }` in vane.lua: the fields every channel
 * has (id, kind, routing, delivery); the kind's own keys are read and
 * checked by its kind (channel/kind.h), found by name in channel_kinds[]. */
#include <stdlib.h>

#include "channel/kind.h"
#include "config/loader.h"

static const char *const common_keys[] = {
    "id", "kind", "min_severity", "rules", "sources", "exclude_rules", "exclude_sources",
    "digest", "max_attempts", "retry_after", "timeout", NULL};

void decl_channel_free(channel_cfg_t *c)
{
    free(c->id);
    char **lists[] = {c->rules, c->sources, c->exclude_rules, c->exclude_sources};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        decl_free_strings(lists[i]);
    if (c->kind)
        c->kind->free(c->data);
}

/* A key of every channel or of some kind (a key of another kind than the
 * declaration's is reported once the kind is known: foreign_keys). */
static int channel_key(const char *key, const void *ud)
{
    (void)ud;
    return decl_listed(common_keys, key) || channel_kind_key(key);
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
        if (!decl_listed(common_keys, key) && !decl_listed(kind->keys, key) && channel_kind_key(key))
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

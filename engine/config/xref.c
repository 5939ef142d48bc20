/* xref.c — checking the references between the parts of a configuration
 * (see xref.h). */
#include "config/xref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/suggest.h"

const char *const xref_builtin_rules[] = {"source-failing", "source-empty", "source-reshaped",
                                          NULL};
#define N_BUILTIN 3

/* The names one reference may take, and where messages point. */
typedef struct names {
    const char **v;
    size_t n;
    const char *kind;           /* "rule", "source", "field" */
    int list_them;              /* name them all when none is close (a script's options) */
} names_t;

typedef struct ctx {
    const config_t *cfg;
    errlist_t *errs;
    size_t added;
    names_t rules, sources;
    int all_rules;          /* every rule file loaded: rule ids can be checked */
} ctx_t;

static int known(const names_t *k, const char *name)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->v[i] && strcmp(k->v[i], name) == 0)
            return 1;
    return 0;
}

/* " (it takes: a, b, c)", or " (it takes none)". */
static void put_names(buf_t *b, const names_t *k)
{
    buf_puts(b, k->n ? " (it takes: " : " (it takes none)");
    for (size_t i = 0; i < k->n; i++)
        buf_printf(b, "%s%s", i ? ", " : "", k->v[i]);
    if (k->n)
        buf_puts(b, ")");
}

/* One problem for each entry of list (NULL-terminated or n long) that is
 * not among k: "FILE:LINE: WHAT: KEY: no KIND 'X' (did you mean 'Y'?)". */
static void check_list(ctx_t *c, const char *file, int line, const char *what, const char *key,
                       char *const *list, size_t n, const names_t *k)
{
    for (size_t i = 0; list && (n ? i < n : list[i] != NULL); i++) {
        if (known(k, list[i]))
            continue;
        const char *close = suggest_closest(list[i], k->v, k->n);
        buf_t hint = {0};
        if (close)
            buf_printf(&hint, " (did you mean '%s'?)", close);
        else if (k->list_them)
            put_names(&hint, k);
        errlist_add(c->errs, "%s:%d: %s: %s: no %s '%s'%s", file, line, what, key, k->kind,
                    list[i], hint.len ? buf_str(&hint) : "");
        buf_free(&hint);
        c->added++;
    }
}

static void check_channels(ctx_t *c)
{
    for (size_t i = 0; i < c->cfg->n_channels; i++) {
        const channel_cfg_t *ch = &c->cfg->channels[i];
        char what[300];
        snprintf(what, sizeof what, "channel '%s'", ch->id);
        if (c->all_rules) {
            check_list(c, c->cfg->path, ch->line, what, "rules", ch->rules, 0, &c->rules);
            check_list(c, c->cfg->path, ch->line, what, "exclude_rules", ch->exclude_rules, 0,
                       &c->rules);
        }
        check_list(c, c->cfg->path, ch->line, what, "sources", ch->sources, 0, &c->sources);
        check_list(c, c->cfg->path, ch->line, what, "exclude_sources", ch->exclude_sources, 0,
                   &c->sources);
    }
}

static void check_rules(ctx_t *c, const xref_rule_t *rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char what[300];
        snprintf(what, sizeof what, "rule '%s'", rules[i].id);
        check_list(c, rules[i].chunk, rules[i].sources_line, what, "sources", rules[i].sources,
                   rules[i].n_sources, &c->sources);
    }
}

static int in_list(char *const *list, const char *name)
{
    for (size_t i = 0; list && list[i]; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

static const xref_script_t *script_of(const xref_script_t *scripts, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (scripts[i].declared && strcmp(scripts[i].name, name) == 0)
            return &scripts[i];
    return NULL;
}

/* A watch's fields: each must be carried by the items of at least one of
 * the sources it reads (every source when it names none) whose script
 * declares its fields; not checked when none of them declares. */
static void check_watch_fields(ctx_t *c, const watch_cfg_t *w, const char *what,
                               const xref_script_t *scripts, size_t n_scripts)
{
    names_t fields = {calloc(1, sizeof(char *)), 0, "field", 0};
    size_t cap = 1;
    for (size_t i = 0; fields.v && i < c->cfg->n_sources; i++) {
        const source_cfg_t *s = &c->cfg->sources[i];
        const xref_script_t *sc = script_of(scripts, n_scripts, s->script);
        if (!sc || (w->sources && !in_list(w->sources, s->id)))
            continue;
        for (size_t k = 0; k < sc->n_fields; k++) {
            if (strcmp(sc->fields[k], XREF_ANY_FIELD) == 0) {
                free(fields.v);
                return;     /* its options name more fields: any may come */
            }
            if (fields.n == cap) {
                const char **more = realloc(fields.v, (cap *= 2) * sizeof *more);
                if (!more)
                    break;
                fields.v = more;
            }
            fields.v[fields.n++] = sc->fields[k];
        }
    }
    if (fields.v && fields.n)
        check_list(c, c->cfg->path, w->line, what, "fields", w->fields, 0, &fields);
    free(fields.v);
}

static void check_watches(ctx_t *c, const xref_script_t *scripts, size_t n_scripts)
{
    for (size_t i = 0; i < c->cfg->n_watches; i++) {
        const watch_cfg_t *w = &c->cfg->watches[i];
        char what[300];
        snprintf(what, sizeof what, "watch '%s'", w->id);
        check_list(c, c->cfg->path, w->line, what, "sources", w->sources, 0, &c->sources);
        check_watch_fields(c, w, what, scripts, n_scripts);
    }
}

/* The options a source gives its script: each must be one the script
 * declares taking. */
static void check_options(ctx_t *c, const xref_script_t *scripts, size_t n_scripts)
{
    for (size_t i = 0; i < c->cfg->n_sources; i++) {
        const source_cfg_t *s = &c->cfg->sources[i];
        const xref_script_t *sc = script_of(scripts, n_scripts, s->script);
        if (!sc)
            continue;
        char what[600];
        snprintf(what, sizeof what, "source '%s'", s->id);
        names_t opts = {(const char **)sc->options, sc->n_options, "option", 1};
        char kind[300];
        snprintf(kind, sizeof kind, "option of script '%s' named", s->script);
        opts.kind = kind;
        check_list(c, c->cfg->path, s->line, what, "options", s->option_keys, 0, &opts);
    }
}

/* Every source id, then every rule id with the built-in ones. */
static int collect_names(ctx_t *c, const xref_rule_t *rules, size_t n_rules)
{
    c->sources = (names_t){calloc(c->cfg->n_sources + 1, sizeof(char *)), c->cfg->n_sources,
                           "source", 0};
    c->rules = (names_t){calloc(n_rules + N_BUILTIN + 1, sizeof(char *)), n_rules + N_BUILTIN,
                         "rule", 0};
    if (!c->sources.v || !c->rules.v)
        return -1;
    for (size_t i = 0; i < c->cfg->n_sources; i++)
        c->sources.v[i] = c->cfg->sources[i].id;
    for (size_t i = 0; i < n_rules; i++)
        c->rules.v[i] = rules[i].id;
    for (size_t i = 0; i < N_BUILTIN; i++)
        c->rules.v[n_rules + i] = xref_builtin_rules[i];
    return 0;
}

size_t xref_check(const config_t *cfg, const xref_known_t *k, errlist_t *errs)
{
    ctx_t c = {.cfg = cfg, .errs = errs, .all_rules = k->all_rules};
    if (collect_names(&c, k->rules, k->n_rules) == 0) {
        check_channels(&c);
        check_rules(&c, k->rules, k->n_rules);
        check_watches(&c, k->scripts, k->n_scripts);
        check_options(&c, k->scripts, k->n_scripts);
    } else {
        errlist_add(errs, "out of memory");
        c.added++;
    }
    free(c.sources.v);
    free(c.rules.v);
    return c.added;
}

/* A name, or the mark of none: each ends with a byte no name holds. */
static void digest_name(sha256_t *c, const char *s)
{
    if (s)
        sha256_update(c, s, strlen(s) + 1);
    else
        sha256_update(c, "\x1e", 1);
}

/* A list of names, NULL-terminated (or n long), or the mark of none. */
static void digest_list(sha256_t *c, char *const *list, size_t n)
{
    digest_name(c, list ? "[" : NULL);
    for (size_t i = 0; list && (n ? i < n : list[i] != NULL); i++)
        digest_name(c, list[i]);
    sha256_update(c, "]", 1);
}

void xref_digest(const config_t *cfg, sha256_t *c)
{
    for (size_t i = 0; i < cfg->n_sources; i++) {
        const source_cfg_t *s = &cfg->sources[i];
        digest_name(c, "source");
        digest_name(c, s->id);
        digest_name(c, s->script);
        digest_list(c, s->option_keys, 0);
    }
    for (size_t i = 0; i < cfg->n_channels; i++) {
        const channel_cfg_t *ch = &cfg->channels[i];
        digest_name(c, "channel");
        digest_name(c, ch->id);
        digest_list(c, ch->rules, 0);
        digest_list(c, ch->exclude_rules, 0);
        digest_list(c, ch->sources, 0);
        digest_list(c, ch->exclude_sources, 0);
    }
    for (size_t i = 0; i < cfg->n_watches; i++) {
        const watch_cfg_t *w = &cfg->watches[i];
        digest_name(c, "watch");
        digest_name(c, w->id);
        digest_list(c, w->sources, 0);
        digest_list(c, w->fields, 0);
    }
}

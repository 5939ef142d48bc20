/* names.c — --source and --rule checked against vane.lua and the loaded
 * rules, with a "did you mean" (see names.h). */
#include "cli/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/suggest.h"

/* Say that id is not among names[0..n), with the closest if any. */
static void say_unknown(const char *what, const char *id, const char *kind, const char *where,
                        const char *const *names, size_t n)
{
    const char *close = suggest_closest(id, names, n);
    fprintf(stderr, "vane: %s %s: no such %s in %s", what, id, kind, where);
    if (close)
        fprintf(stderr, " (did you mean %s?)", close);
    fputc('\n', stderr);
}

static int listed(const char *id, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], id) == 0)
            return 1;
    return 0;
}

size_t cli_unknown_names(const char *what, const char *const *ids, size_t n, const char *kind,
                         const char *where, const char *const *names, size_t n_names)
{
    size_t unknown = 0;
    for (size_t i = 0; i < n; i++) {
        if (listed(ids[i], names, n_names))
            continue;
        say_unknown(what, ids[i], kind, where, names, n_names);
        unknown++;
    }
    return unknown;
}

size_t cli_unknown_sources(const config_t *cfg, const char *what, const char *const *ids,
                           size_t n)
{
    const char **names = calloc(cfg->n_sources + 1, sizeof *names);
    if (!names)
        return n;
    for (size_t i = 0; i < cfg->n_sources; i++)
        names[i] = cfg->sources[i].id;
    const char *where = cfg->path ? cfg->path : "vane.lua";
    size_t unknown = cli_unknown_names(what, ids, n, "source", where, names, cfg->n_sources);
    free(names);
    return unknown;
}

/* The rules a run raises itself (run/run.c), which a silence may name. */
static const char *const builtin_rules[] = {"source-failing", "source-empty", "source-reshaped"};
#define N_BUILTIN (sizeof builtin_rules / sizeof builtin_rules[0])

size_t cli_unknown_rules(const rules_t *rules, const char *what, const char *const *ids,
                         size_t n, int silence)
{
    size_t count = rules_count(rules);
    const char **names = calloc(count + N_BUILTIN + 1, sizeof *names);
    if (!names)
        return n;
    for (size_t i = 0; i < count; i++)
        names[i] = rules_id(rules, i);
    for (size_t i = 0; silence && i < N_BUILTIN; i++)
        names[count++] = builtin_rules[i];
    size_t unknown = 0;
    for (size_t i = 0; i < n; i++)
        if (!(silence && strcmp(ids[i], "*") == 0))
            unknown += cli_unknown_names(what, &ids[i], 1, "rule", "the rule folders", names, count);
    free(names);
    return unknown;
}

/* decl_watch.c — `watch { … }` in vane.lua: reading and checking one
 * keyword watch (config.h, watch_cfg_t). */
#include <stdlib.h>
#include <string.h>

#include "config/keys.h"
#include "config/loader.h"

void decl_watch_free(watch_cfg_t *w)
{
    free(w->id);
    decl_free_strings(w->terms);
    decl_free_strings(w->sources);
    decl_free_strings(w->fields);
}

/* terms: a non-empty list of non-empty strings. */
static void check_terms(decl_t *d, const watch_cfg_t *w)
{
    if (!w->terms || w->n_terms == 0) {
        decl_problem(d, "%s: 'terms' must be a non-empty list of words or phrases", d->what);
        return;
    }
    for (size_t i = 0; i < w->n_terms; i++) {
        const char *t = w->terms[i];
        if (!t[strspn(t, " \t")] || strcmp(t, "re:") == 0)
            decl_problem(d, "%s: term %zu is empty", d->what, i + 1);
    }
}

/* changes: a list of "new" and "changed" (default { "new" }). */
static void watch_changes(decl_t *d, watch_cfg_t *w)
{
    size_t n = 0;
    char **changes = decl_strings(d, "changes", &n);
    w->on_new = !changes;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(changes[i], "new") == 0)
            w->on_new = 1;
        else if (strcmp(changes[i], "changed") == 0)
            w->on_changed = 1;
        else
            decl_problem(d, "%s: unknown change '%s' in 'changes' (new, changed)", d->what,
                         changes[i]);
    }
    if (changes && n == 0)
        decl_problem(d, "%s: 'changes' must name \"new\", \"changed\" or both", d->what);
    decl_free_strings(changes);
}

static void watch_fields(decl_t *d, watch_cfg_t *w)
{
    size_t n = 0;
    w->fields = decl_strings(d, "fields", &n);
    if (w->fields && n == 0)
        decl_problem(d, "%s: 'fields' must name at least one item field", d->what);
    if (!w->fields) {
        w->fields = calloc(3, sizeof *w->fields);
        w->fields[0] = strdup("title");
        w->fields[1] = strdup("summary");
    }
}

static void watch_severity(decl_t *d, watch_cfg_t *w)
{
    char *sev = decl_string(d, "severity", "medium");
    w->severity = severity_rank(sev);
    if (sev && w->severity < 0)
        decl_problem(d, "%s: unknown severity '%s' (" SEVERITY_NAMES ")", d->what, sev);
    free(sev);
}

const char *const decl_watch_keys[] = {"id", "terms", "sources", "fields", "severity", "changes",
                                         NULL};

static const loader_form_t watch_form = {
    .kind = "watch", .keys = decl_watch_keys, .id_rule = " (letters, digits and - _ . : only)"};

int decl_watch(lua_State *L)
{
    decl_t d;
    watch_cfg_t w = {0};
    if (loader_open(L, &d, &watch_form, &w.id, &w.line) != 0)
        return 0;
    w.terms = decl_strings(&d, "terms", &w.n_terms);
    check_terms(&d, &w);
    w.sources = decl_strings(&d, "sources", NULL);
    watch_fields(&d, &w);
    watch_severity(&d, &w);
    watch_changes(&d, &w);
    if (loader_close(&d, &watch_form, w.id))
        loader_keep_watch(loader_of(L), &w);
    else
        decl_watch_free(&w);
    return 0;
}

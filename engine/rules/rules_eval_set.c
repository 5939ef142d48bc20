/* rules_eval_set.c — the rules over a labelled set of titles (`vane eval`):
 * which rules to score, each row as a new item's event, and what each rule
 * did on it, counted by rules/evalset.c (see rules.h). */
#include "rules/rules_int.h"

#include <stdlib.h>
#include <string.h>

#include "lib/luaset.h"
#include "rules/evalset.h"
#include "util/clock.h"

static const rule_t *find_rule(const rules_t *rs, const char *id)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->list[i].id, id) == 0)
            return &rs->list[i];
    return NULL;
}

static int listed(const char *const *names, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], id) == 0)
            return 1;
    return 0;
}

/* The rules named on the command line, each once; unknown ones are errors. */
static size_t select_named(const rules_t *rs, const char *const *only, size_t n_only,
                           const char **out, errlist_t *errs)
{
    size_t n = 0;
    for (size_t i = 0; i < n_only; i++) {
        const rule_t *r = find_rule(rs, only[i]);
        if (!r)
            errlist_add(errs, "no loaded rule has the id '%s'", only[i]);
        else if (!r->has_when)
            errlist_add(errs, "%s: rule %s has no when(ev): it cannot be evaluated on titles",
                        r->chunk, r->id);
        else if (!listed(out, n, r->id))
            out[n++] = r->id;
    }
    return n;
}

/* Warn once for each label that names no loaded rule (the first row that
 * has it). */
static void warn_unknown_labels(const rules_t *rs, const evalset_t *set, errlist_t *warns)
{
    const char **warned = NULL;
    size_t n_warned = 0;
    for (size_t i = 0; i < set->n; i++) {
        const evalset_row_t *row = &set->rows[i];
        for (size_t k = 0; k < row->n_labels; k++) {
            const char *label = row->labels[k];
            if (find_rule(rs, label) || listed(warned, n_warned, label))
                continue;
            const char **grown = realloc(warned, (n_warned + 1) * sizeof *grown);
            if (!grown)
                break;
            warned = grown;
            warned[n_warned++] = label;
            errlist_add(warns, "%s:%d: label '%s' names no loaded rule", set->name, row->line,
                        label);
        }
    }
    free(warned);
}

/* Every rule with when(ev) that labels some row, in the order loaded. */
static size_t select_labelled(const rules_t *rs, const evalset_t *set, const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const rule_t *r = &rs->list[i];
        for (size_t j = 0; r->has_when && j < set->n; j++)
            if (evalset_has_label(&set->rows[j], r->id)) {
                out[n++] = r->id;
                break;
            }
    }
    return n;
}

int rules_eval_select(const rules_t *rs, const evalset_t *set, const char *const *only,
                      size_t n_only, evalset_score_t *s, errlist_t *errs, errlist_t *warns)
{
    memset(s, 0, sizeof *s);
    const char **names = calloc(rs->n + n_only + 1, sizeof *names);
    if (!names) {
        errlist_add(errs, "out of memory");
        return -1;
    }
    size_t before = errs->len, n;
    warn_unknown_labels(rs, set, warns);
    if (n_only)
        n = select_named(rs, only, n_only, names, errs);
    else
        n = select_labelled(rs, set, names);
    if (n == 0 && errs->len == before)
        errlist_add(errs, "%s: no row is labelled with a loaded rule (name one with --rule)",
                    set->name);
    int rc = errs->len == before && evalset_score_init(s, names, n) == 0 ? 0 : -1;
    if (rc != 0 && errs->len == before)
        errlist_add(errs, "out of memory");
    free(names);
    return rc;
}

typedef struct row_event {
    const evalset_row_t *row;
    const char *now;
} row_event_t;

/* The event of one row, as a run would make it for a new item, observed
 * at `now`. */
static void push_row_event(lua_State *L, const void *data)
{
    const row_event_t *re = data;
    lua_createtable(L, 0, 7);
    luaset_string(L, -1, "observed_at", re->now);
    luaset_string(L, -1, "source", re->row->source);
    luaset_string(L, -1, "key", re->row->id);
    luaset_string(L, -1, "change", "new");
    luaset_boolean(L, -1, "baseline", 0);
    lua_createtable(L, 0, 2);
    luaset_string(L, -1, "title", re->row->title);
    luaset_string(L, -1, "lang", re->row->lang);
    lua_setfield(L, -2, "item");
}

/* Did the rule flag the row's event? -1 with the error's first line in e. */
static int flags_row(rule_t *r, const row_event_t *re, err_t *e)
{
    rules_out_t out = {0};
    r->disabled = 0; /* each row is a run of its own */
    if (rules_evaluate(r, push_row_event, re, &out, e) != 0) {
        char *nl = strchr(e->msg, '\n');
        if (nl)
            *nl = '\0';
        return -1;
    }
    int flagged = out.n > 0;
    rules_out_free(&out);
    return flagged;
}

int rules_eval_set(rules_t *rs, const evalset_t *set, evalset_score_t *s, err_t *e)
{
    int rc = 0;
    char now[32];
    clock_format_iso(clock_now(), now);
    for (size_t row = 0; rc == 0 && row < set->n; row++) {
        row_event_t re = {&set->rows[row], now};
        for (size_t k = 0; rc == 0 && k < s->n_rules; k++) {
            rule_t *r = (rule_t *)find_rule(rs, s->rules[k].rule);
            err_t fe;
            int flagged = r ? flags_row(r, &re, &fe) : -1;
            if (!r)
                err_set(&fe, "rule %s is not loaded", s->rules[k].rule);
            rc = evalset_record(s, set, k, row, flagged > 0, flagged < 0 ? fe.msg : NULL);
        }
    }
    if (rc != 0)
        err_set(e, "out of memory");
    for (size_t i = 0; i < rs->n; i++)
        rs->list[i].disabled = 0;
    return rc;
}

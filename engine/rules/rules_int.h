/* rules_int.h — what the files of engine/rules/ share behind rules.h: the
 * rule and rules structs and the few helpers more than one job needs.
 *
 *   rules_load.c   finding rule files, validating a rule's table, fingerprint
 *   rules_lists.c  phrase lists and watch lists, the data of vane.phrases
 *                  and vane.watches
 *   rules_eval.c   evaluating the rules on an event (when, message)
 *   rules_check.c  the per-run check calls and reading what checks return
 *   rules_test.c   the inline-test runner
 *   rules_eval_set.c  the rules over a labelled set of titles (vane eval)
 *
 * Not for use outside engine/rules/. */
#ifndef VANE_RULES_INT_H
#define VANE_RULES_INT_H

#include <lua.h>

#include "rules/rules.h"
#include "sandbox/sandbox.h"

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

struct rules {
    sandbox_t *sb;
    rule_t *list;
    size_t n;
};

/* A rules folder's phrases.lua is data, not a rule (rules_lists.c). */
#define RULES_PHRASES_FILE "phrases.lua"

/* A character of a Lua name: letter, digit or underscore. */
int rules_name_char(char c);

/* Line of `name =` in a Lua source (a table keeps no line numbers, so the
 * text is the only witness); 1 when it cannot be found. */
int rules_line_of_name(const char *src, const char *name);

/* Call rule[name](ev), the rule table and ev being at the given indexes,
 * leaving nres results. A rule that exhausts its budget or memory is
 * disabled. Returns 0, or -1 with e set (nothing pushed). */
int rules_call_field(rules_t *rs, rule_t *r, int rule, int ev, const char *name, int nres,
                     err_t *e);

/* when(ev) then message(ev) with ev at index ev: pushes the list of
 * messages, or nil for no flag. Returns 0, or -1 with e set. */
int rules_evaluate(rules_t *rs, rule_t *r, int ev, err_t *e);

/* Push entry k of a message list and return its text and, in *severity,
 * its severity: the rule's, or the entry's own when it is a table with a
 * `severity` (NULL if that is not a severity name). The pointers stay
 * valid until the entry is popped. */
const char *rules_push_flag(lua_State *L, int list, lua_Integer k, const rule_t *r,
                            const char **severity);

/* What vane.phrases and vane.watches are made from. */
typedef struct rules_lists {
    sandbox_t *sb;
    const config_t *cfg;    /* the rule folders and the watch declarations */
    errlist_t *errs;        /* problems in phrase files go here */
} rules_lists_t;

/* Leave the data of vane.phrases (the shipped lists, then each folder's
 * phrases.lua, run when the install reaches the part) and vane.watches
 * (the configuration's watch declarations) for vanelib_install to open.
 * ls must stay valid until that install returns. */
void rules_provide_lists(const rules_lists_t *ls);

#endif

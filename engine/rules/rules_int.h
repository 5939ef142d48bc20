/* rules_int.h — what the files of engine/rules/ share behind rules.h: the
 * rule and rules structs and the few helpers more than one job needs.
 *
 *   rules_load.c   finding rule files, a Lua state per file, reading the
 *                  table a rule file returns (inside the protection),
 *                  fingerprints
 *   rules_lists.c  phrase lists and watch lists, the data of vane.phrases
 *                  and vane.watches, made once and copied into each state
 *   rules_eval.c   evaluating the rules on an event (when, message) and
 *                  reading what they return inside the protection
 *   rules_check.c  the per-run check calls and reading what checks return
 *   rules_test.c   the inline-test runner
 *   rules_eval_set.c  the rules over a labelled set of titles (vane eval)
 *
 * Every rule file has its own sandbox: its own globals, memory ceiling and
 * instruction budget. The host keeps registry references to the functions
 * the file returned and never reads the rule's table again; every value a
 * rule hands back is read by a function run with sandbox_run.
 *
 * Not for use outside engine/rules/. */
#ifndef VANE_RULES_INT_H
#define VANE_RULES_INT_H

#include <lua.h>

#include "rules/rules.h"
#include "sandbox/sandbox.h"

/* How deep a message's or a check's returned value may nest. */
#define RULES_MAX_DEPTH 4

typedef struct rule {
    char *id, *chunk, *source_text;
    char *severity, *title;
    char fingerprint[65];   /* sha256 of the file's text */
    sandbox_t *sb;          /* this file's own state */
    int baseline;
    int when, message, check, tests;  /* registry refs, LUA_NOREF when absent */
    char *message_text;     /* message = "…" */
    char **sources;         /* NULL = all */
    size_t n_sources;
    int disabled;           /* exhausted a limit this run */
    int excluded;           /* left out by rules_only */
    int has_when, has_check;
    long long realert;      /* seconds between flags of a check's ongoing condition */
    long max_flags;         /* per run; 0: the setting */
    long flagged, over;     /* flags raised this run, and those past max_flags */
} rule_t;

typedef struct rules_phrases rules_phrases_t;

struct rules {
    const config_t *cfg;
    rules_phrases_t *phrases;
    store_t *st;
    rule_t *list;
    size_t n;
    size_t load_errors;     /* rule files (or folders) that did not load */
    int limit_flags;        /* apply max_flags (a run; not replay) */
    rules_fail_fn on_fail;
    void *fail_ud;
};

/* A rules folder's phrases.lua is data, not a rule (rules_lists.c). */
#define RULES_PHRASES_FILE "phrases.lua"
/* The shipped rule that reads the configuration's watch lists. */
#define RULES_KEYWORD_WATCH_FILE "rules/keyword_watch.lua"
#define RULES_KEYWORD_WATCH_ID "keyword-watch"

/* A character of a Lua name: letter, digit or underscore. */
int rules_name_char(char c);

/* Line of `name =` in a Lua source (a table keeps no line numbers, so the
 * text is the only witness); 1 when it cannot be found. */
int rules_line_of_name(const char *src, const char *name);

/* A new state for rule files: the limits of the configuration and the
 * `vane` library for rules, with vane.phrases and vane.watches provided
 * from ph and cfg. NULL with e set. */
sandbox_t *rules_new_state(const config_t *cfg, const rules_phrases_t *ph, store_t *st, err_t *e);

/* ---- evaluation (rules_eval.c) ----------------------------------------- */

/* One flag of an evaluation, copied out of the state. */
typedef struct rules_out_flag {
    char *message;
    const char *severity;   /* a static severity name */
    char *title, *link;     /* what the rule named, or NULL */
} rules_out_flag_t;

typedef struct rules_out {
    rules_out_flag_t *flags;
    size_t n, cap;
} rules_out_t;

void rules_out_free(rules_out_t *o);

/* Pushes the event a rule is called with (inside the protection). */
typedef void (*rules_push_event_fn)(lua_State *L, const void *data);

/* In a protected call of r's state: push the event, call when(ev), and if
 * it holds message(ev), and copy the flags into out (raw reads of plain
 * data only; anything else raises an error naming r's file). */
void rules_evaluate_in(lua_State *L, const rule_t *r, int ev, rules_out_t *out);

/* Evaluate r on the event pushed by push(data): 0 with out filled, or -1
 * with e set (the kind in sandbox_failure(r->sb)). A rule that exhausts a
 * limit is disabled for the rest of the run. */
int rules_evaluate(rule_t *r, rules_push_event_fn push, const void *data, rules_out_t *out,
                   err_t *e);

/* Make sure an error of r names its file: one raised by the host while
 * reading a returned value carries no position, so it gets r's file and the
 * line of `field =` ("rules/x.lua:7: rule x: message: a table with a
 * metatable at [1]"). */
void rules_name_error(const rule_t *r, const char *field, err_t *e);

/* The severity named s as a static string, or NULL. */
const char *rules_severity(const char *s);

/* What vane.phrases and vane.watches are made from: the phrase lists are
 * read once per load (the shipped ones, then each folder's phrases.lua, in
 * a state of their own) and kept as C data; every rule state gets a copy
 * of them when it first reads vane.phrases. Problems go to errs. NULL only
 * out of memory (e set). */
rules_phrases_t *rules_phrases_load(const config_t *cfg, errlist_t *errs, err_t *e);
void rules_phrases_free(rules_phrases_t *ph);

/* Leave the data of vane.phrases and vane.watches in the state of sb for
 * vanelib_install's parts to open. ph and cfg must outlive the state. */
void rules_provide_lists(sandbox_t *sb, const rules_phrases_t *ph, const config_t *cfg);

#endif

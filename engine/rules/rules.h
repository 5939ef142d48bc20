/* rules.h — loading analysts' rules and evaluating them on events.
 *
 * A rule file (rules/NAME.lua) returns a table: id, title, severity
 * (info|low|medium|high|critical), optional sources = { ids }, optional
 * baseline = true (also see a source's first fetch), when = function(ev)
 * and message = function(ev) returning a string or a list of strings (one
 * flag each), and inline tests. A rule may instead (or also) have
 * check = function(ctx), called once per run, returning flags with their
 * own keys, and realert = "24h" (how often a condition that holds is
 * flagged again; false: once per episode), and max_flags = N (flags per run
 * before one summary flag; default the setting max_flags). Each rule file
 * runs in a Lua state of its own, with its own globals, memory ceiling and
 * instruction budget; every call runs under those limits, everything a rule
 * returns is read inside the protection, and
 * a failing rule is reported and skipped while the others go on. */
#ifndef VANE_RULES_H
#define VANE_RULES_H

#include <stddef.h>

#include "config/config.h"
#include "util/err.h"
#include "store/store.h"

typedef struct rules rules_t;

/* Load every *.lua in the configured rule folders, each in a state of its
 * own; the rules shipped in vane instead when cfg->shipped_rules, and the
 * shipped keyword-watch rule when cfg declares watches and no folder has a
 * rule of that id. A rule that fails to load (or an unreadable folder) is reported in
 * errs (file:line: message), counted by rules_load_errors and left out;
 * NULL only out of memory (e set). cfg must outlive the rules. */
rules_t *rules_load(const config_t *cfg, errlist_t *errs, err_t *e);
struct xref_rule;
/* The i-th loaded rule (i < rules_count) as the references check reads it
 * (config/xref.h); the pointers live as long as r. */
void rules_xref(const rules_t *r, size_t i, struct xref_rule *out);
/* Rule files and folders that did not load. */
size_t rules_load_errors(const rules_t *r);
void rules_free(rules_t *r);
size_t rules_count(const rules_t *r);
/* The id of the i-th loaded rule (i < rules_count), to check a name a
 * person gave (`vane test ID`, `--rule ID`). */
const char *rules_id(const rules_t *r, size_t i);
/* The title of the i-th loaded rule (i < rules_count), or NULL (`vane rules`). */
const char *rules_title(const rules_t *r, size_t i);

/* A rule beside the verdicts on its flags (`vane rules`, the web view's
 * /rules; rules_verdicts.c). The strings are r's and v's. */
typedef struct rules_row {
    const char *id, *title, *file;  /* title and file NULL for a rule no longer loaded */
    long flags, useful, noise;
} rules_row_t;
/* The loaded rules of r (may be NULL) in the order they loaded, each with
 * its counts from v (store_rules_verdicts), then the rules of v that r does
 * not have. NULL when memory ran out; free() the array. */
rules_row_t *rules_rows(const rules_t *r, const store_rule_verdicts_t *v, size_t nv, size_t *n);
/* Evaluate only the rule with this id from now on (`vane replay`).
 * Returns 0, or -1 when no loaded rule has it. */
int rules_only(rules_t *r, const char *id);

/* One flag a rule raised: the rule's id and title, the flag's severity
 * and message, and the item's title and link when the rule named them
 * ({ message = …, title = …, link = … }), else NULL. */
typedef struct rules_flag {
    const char *rule, *rule_title, *severity, *message, *title, *link;
} rules_flag_t;

/* Called for each flag a rule raises on an event. */
typedef int (*rules_flag_fn)(void *ud, const rules_flag_t *f);

/* Called when a rule did not run to completion on an event: kind is
 * "error" (the rule's own error, or a value the host refused), "budget",
 * "time" or "memory"; fingerprint is that of the rule file's text. A
 * non-zero return stops the evaluation (rules_eval returns -1). */
typedef int (*rules_fail_fn)(void *ud, const char *rule, const char *fingerprint,
                             const char *kind, const char *message);
void rules_on_failure(rules_t *r, rules_fail_fn fn, void *ud);

/* Evaluate the rules on one stored event. Rule errors go to errs (and make
 * the return value 1) and to the failure callback; 0 when every rule ran;
 * -1 when a callback failed (e set by it). A rule that exhausts its budget,
 * time or memory is not called again by this rules_t: it fails on every
 * later event with the same kind, without running. */
int rules_eval(rules_t *r, const store_event_t *ev, rules_flag_fn fn, void *ud,
               errlist_t *errs, err_t *e);

/* rules_eval for the one rule with this id (a retry). 2 when no loaded
 * rule has it. */
int rules_eval_rule(rules_t *r, const char *id, const store_event_t *ev, rules_flag_fn fn,
                    void *ud, errlist_t *errs, err_t *e);

/* The sha256 of the text of the rule file with this id; NULL when no
 * loaded rule has it. */
const char *rules_file_fingerprint(const rules_t *r, const char *id);

/* Apply max_flags from now on (a run): past its limit, a rule's flags are
 * counted instead of passed to fn. */
void rules_limit_flags(rules_t *r);

/* One summary flag per rule that went past max_flags this run, through fn
 * with the rule's severity: "RULE raised N more flags this run; see vane
 * replay". Returns the number of such rules, or -1 when fn failed. */
int rules_flag_overflow(rules_t *r, rules_flag_fn fn, void *ud);

/* Run the inline tests of the rules named in `only` (all when n_only is 0).
 * Each failing case is reported through `fail` as "file:line: ...". */
typedef void (*rules_test_fn)(void *ud, const char *line);
int rules_test(rules_t *r, const char *const *only, size_t n_only,
               rules_test_fn fail, void *ud, long *passed, long *failed);

/* ---- a labelled set (`vane eval`, rules/evalset.h) --------------------- */

struct evalset;
struct evalset_score;

/* The rules to score on set: those named in only (n_only > 0), else every
 * loaded rule with a when(ev) that some row of the set is labelled with.
 * A name in only that no loaded rule has, or a rule without when(ev), is
 * an error in errs; a label no loaded rule has is a warning in warns
 * ("FILE:LINE: ..."). Fills *s (evalset_score_init). Returns 0, or -1
 * when there were errors or nothing to score (s left empty). */
int rules_eval_select(const rules_t *r, const struct evalset *set, const char *const *only,
                      size_t n_only, struct evalset_score *s, errlist_t *errs,
                      errlist_t *warns);

/* Evaluate the rules of s on every row of set, each row being the new,
 * non-baseline event of an item { title, lang } with key = the row's id,
 * source = the row's source and observed_at = now (--now); a rule's
 * `sources` restriction is not
 * applied (a labelled set is not tied to the monitor's source ids).
 * Nothing is stored. Returns 0, or -1 out of memory (e set). */
int rules_eval_set(rules_t *r, const struct evalset *set, struct evalset_score *s, err_t *e);

/* Let the rules' vane.history and vane.events read st (NULL: nothing).
 * Free the rules, or attach NULL, before closing the store. */
void rules_attach_store(rules_t *r, store_t *st);

/* ---- per-run checks ----------------------------------------------------- */

#define RULES_REALERT_DEFAULT (24LL * 3600)
#define RULES_REALERT_NEVER (-1LL)      /* realert = false */

/* One flag a check returned. The strings live until the callback returns. */
typedef struct rules_check_flag {
    const char *key, *message, *severity;
    const char *source;                 /* NULL when the check gave none */
    const char *title, *link;           /* the item's, when the check named them */
} rules_check_flag_t;

/* What one rule's check(ctx) returned this run: every key whose condition
 * holds now (a key left out has ended its episode). */
typedef struct rules_check_result {
    const char *rule;
    long long realert;                  /* seconds, or RULES_REALERT_NEVER */
    const char *rule_title;             /* NULL when the rule has none */
    const rules_check_flag_t *flags;
    size_t n;
} rules_check_result_t;

typedef int (*rules_check_fn)(void *ud, const rules_check_result_t *res, err_t *e);

/* A digest of the rule files' names, sizes and times (stat only, no
 * reading; the shipped rules in use by their text, held in memory): equal digests mean the same rules, so a run can remember that
 * they have no check and skip loading them when nothing else needs them. */
int rules_fingerprint(const config_t *cfg, char out[65]);

/* Non-zero when some rule has a check. */
int rules_has_checks(const rules_t *r);

/* Call every rule's check({ now = now, run_id = run_id }) once, and fn with
 * what each returned. A check that errors or returns a malformed list is
 * reported in errs as "file:line: ..." and fn is not called for it (its
 * episodes stay as they were). Returns 0, 1 if some check failed, -1 when
 * fn failed (e set by fn). */
int rules_check(rules_t *r, const char *now, long long run_id, rules_check_fn fn,
                void *ud, errlist_t *errs, err_t *e);

#endif

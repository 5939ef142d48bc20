/* rules.h — loading analysts' rules and evaluating them on events.
 *
 * A rule file (rules/NAME.lua) returns a table: id, title, severity
 * (info|low|medium|high|critical), optional sources = { ids }, optional
 * baseline = true (also see a source's first fetch), when = function(ev)
 * and message = function(ev) returning a string or a list of strings (one
 * flag each), and inline tests. A rule may instead (or also) have
 * check = function(ctx), called once per run, returning flags with their
 * own keys, and realert = "24h" (how often a condition that holds is
 * flagged again; false: once per episode). All rules share one sandbox, each with its
 * own globals; every call runs under the instruction and memory limits, and
 * a failing rule is reported and skipped while the others go on. */
#ifndef VANE_RULES_H
#define VANE_RULES_H

#include <stddef.h>

#include "config/config.h"
#include "util/err.h"
#include "store/store.h"

typedef struct rules rules_t;

/* Load every *.lua in the configured rule folders. A rule that fails to
 * load is reported in errs (file:line: message) and left out; NULL only if
 * no sandbox could be made (e set). */
rules_t *rules_load(const config_t *cfg, errlist_t *errs, err_t *e);
void rules_free(rules_t *r);
size_t rules_count(const rules_t *r);
/* Evaluate only the rule with this id from now on (`vane replay`).
 * Returns 0, or -1 when no loaded rule has it. */
int rules_only(rules_t *r, const char *id);

/* Called for each flag a rule raises on an event. */
typedef int (*rules_flag_fn)(void *ud, const char *rule, const char *severity,
                             const char *message);

/* Evaluate the rules on one stored event. Rule errors go to errs (and make
 * the return value 1); 0 when every rule ran; -1 if the event itself could
 * not be read (e set). A rule that exhausts its budget or memory is not
 * called again by this rules_t. */
int rules_eval(rules_t *r, const store_event_t *ev, rules_flag_fn fn, void *ud,
               errlist_t *errs, err_t *e);

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
} rules_check_flag_t;

/* What one rule's check(ctx) returned this run: every key whose condition
 * holds now (a key left out has ended its episode). */
typedef struct rules_check_result {
    const char *rule;
    long long realert;                  /* seconds, or RULES_REALERT_NEVER */
    const rules_check_flag_t *flags;
    size_t n;
} rules_check_result_t;

typedef int (*rules_check_fn)(void *ud, const rules_check_result_t *res, err_t *e);

/* A digest of the rule files' names, sizes and times (stat only, no
 * reading): equal digests mean the same rules, so a run can remember that
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

/* rules.h — loading analysts' rules and evaluating them on events.
 *
 * A rule file (rules/NAME.lua) returns a table: id, title, severity
 * (info|low|medium|high|critical), optional sources = { ids }, optional
 * baseline = true (also see a source's first fetch), when = function(ev)
 * and message = function(ev) returning a string or a list of strings (one
 * flag each), and inline tests. All rules share one sandbox, each with its
 * own globals; every call runs under the instruction and memory limits, and
 * a failing rule is reported and skipped while the others go on. */
#ifndef VANE_RULES_H
#define VANE_RULES_H

#include <stddef.h>

#include "config.h"
#include "err.h"
#include "store.h"

typedef struct rules rules_t;

/* Load every *.lua in the configured rule folders. A rule that fails to
 * load is reported in errs (file:line: message) and left out; NULL only if
 * no sandbox could be made (e set). */
rules_t *rules_load(const config_t *cfg, errlist_t *errs, err_t *e);
void rules_free(rules_t *r);
size_t rules_count(const rules_t *r);

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

#endif

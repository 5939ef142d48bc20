/* xref.h — the references between the parts of a configuration: the rule
 * and source ids a channel routes, the sources a rule or a watch reads, the
 * fields a watch looks at and the options a source gives its script.
 *
 * vane.lua is checked key by key as it is read (config.h); what one part
 * names in another can only be checked once the rules are loaded and the
 * scripts read. A name that matches nothing would silently route, flag or
 * watch nothing, so each is an error "FILE:LINE: …", with "(did you mean
 * 'X'?)" when a known name is close (util/suggest.h). */
#ifndef VANE_XREF_H
#define VANE_XREF_H

#include <stddef.h>

#include "config/config.h"
#include "util/err.h"
#include "util/sha256.h"

/* A loaded rule, as the check needs it. */
typedef struct xref_rule {
    const char *id;
    const char *chunk;          /* "rules/x.lua", for messages */
    char *const *sources;       /* the ids it reads; NULL: every source */
    size_t n_sources;
    int sources_line;           /* the line of its `sources` in the file */
} xref_rule_t;

/* What a source script declares (its `options` and `fields` tables); a
 * script that declares nothing (the old "return a function" form) is not
 * checked. */
typedef struct xref_script {
    const char *name;
    int declared;
    const char *const *options; /* the option names it takes */
    size_t n_options;
    const char *const *fields;  /* the fields its items carry, beside key;
                                 * XREF_ANY_FIELD among them: others too
                                 * (named by the source's options) */
    size_t n_fields;
} xref_script_t;

#define XREF_ANY_FIELD "*"

/* The flags vane raises itself, which channels may route by rule id. */
extern const char *const xref_builtin_rules[];

/* The references' context: the loaded rules and the scripts' declarations
 * (a source whose script is not among them is not checked for options and
 * fields). When not all rule files loaded (all_rules 0), the rule ids
 * channels name are not checked: the missing rule would be reported
 * twice. */
typedef struct xref_known {
    const xref_rule_t *rules;
    size_t n_rules;
    int all_rules;
    const xref_script_t *scripts;
    size_t n_scripts;
} xref_known_t;

/* Check every reference of cfg against k. Every problem goes to errs;
 * returns the number added. */
size_t xref_check(const config_t *cfg, const xref_known_t *k, errlist_t *errs);

/* Hash into c every name of cfg that xref_check reads (the ids of
 * sources, channels and watches, the names they give, the sources'
 * scripts and option keys), so that a check that passed need not be
 * repeated while they, the rules and the scripts stay the same
 * (cli/references.h). Keep it in step with the checks above. */
void xref_digest(const config_t *cfg, sha256_t *c);

#endif

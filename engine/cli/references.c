/* references.c — gathering what config/xref.c checks the configuration
 * against: the loaded rules' ids and sources, the scripts' declarations
 * (see references.h). */
#include "cli/references.h"

#include <stdlib.h>

#include "config/xref.h"

size_t references_check(const config_t *cfg, const rules_t *rules, extract_t *x, errlist_t *errs)
{
    size_t n_rules = rules ? rules_count(rules) : 0;
    xref_rule_t *rv = calloc(n_rules + 1, sizeof *rv);
    xref_script_t *sv = calloc(cfg->n_sources + 1, sizeof *sv);
    size_t added = 0;
    if (!rv || !sv) {
        errlist_add(errs, "out of memory");
        added = 1;
    } else {
        for (size_t i = 0; i < n_rules; i++)
            rules_xref(rules, i, &rv[i]);
        for (size_t i = 0; x && i < cfg->n_sources; i++)
            extract_declared(x, cfg->sources[i].script, &sv[i]);
        xref_known_t k = {rv, n_rules, rules && rules_load_errors(rules) == 0, sv,
                          x ? cfg->n_sources : 0};
        added = xref_check(cfg, &k, errs);
    }
    free(rv);
    free(sv);
    return added;
}

size_t references_check_config(const config_t *cfg, errlist_t *errs)
{
    errlist_t ignored = {0};
    err_t e;
    extract_t *x = extract_new(cfg, &e);
    for (size_t i = 0; x && i < cfg->n_sources; i++)
        extract_prepare(x, cfg->sources[i].script, &e);
    rules_t *rules = rules_load(cfg, &ignored, &e);
    size_t added = 0;
    if (x && rules && rules_load_errors(rules) == 0)
        added = references_check(cfg, rules, x, errs);
    rules_free(rules);
    extract_free(x);
    errlist_free(&ignored);
    return added;
}

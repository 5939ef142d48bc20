/* references.h — the references between the parts of the configuration
 * checked for a command (`vane check`, and `vane run` before it starts):
 * the loaded rules and the scripts' declarations handed to config/xref.h. */
#ifndef VANE_REFERENCES_H
#define VANE_REFERENCES_H

#include <stddef.h>

#include "config/config.h"
#include "extract/extract.h"
#include "rules/rules.h"
#include "util/err.h"

/* Check cfg's references against rules (NULL: none loaded; rule ids
 * are checked only when every rule file loaded) and the
 * scripts prepared in x (extract_prepare'd for every source; NULL: none).
 * Every problem goes to errs; returns how many were added. */
size_t references_check(const config_t *cfg, const rules_t *rules, extract_t *x, errlist_t *errs);

/* Load the rules and read the scripts only to check the references (a run
 * about to start): problems loading them are left to the run, which
 * reports them its own way. Returns the number of problems added to errs,
 * or 0 when they could not be loaded at all. */
size_t references_check_config(const config_t *cfg, errlist_t *errs);

#endif

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
 * or 0 when they could not be loaded at all. *complete (when not NULL) is
 * 1 when every rule and script loaded, so that every reference was
 * checked. */
size_t references_check_config(const config_t *cfg, errlist_t *errs, int *complete);

/* The fingerprint of everything references_check_config reads: the names
 * in cfg (config/xref.h), the rule files (rules, their rules_fingerprint), the files of
 * the scripts the sources use (path, size, time, inode; a shipped script
 * is part of the program) and the program itself (its version, and its
 * file's size, time and inode where the system tells them). A check that
 * passed need not be repeated while this stays the same. */
void references_fingerprint(const config_t *cfg, const char *rules, char out[65]);

#endif

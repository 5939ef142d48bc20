/* names.h — a command's --source and --rule checked against what exists:
 * the sources of vane.lua, the loaded rules. An unknown name is a usage
 * error that names the option and, when one is close, what was probably
 * meant ("vane: --source advisoreis: no such source in vane.lua (did you
 * mean advisories?)"). */
#ifndef VANE_CLI_NAMES_H
#define VANE_CLI_NAMES_H

#include "config/config.h"
#include "rules/rules.h"

/* Each of ids[0..n) must be one of names[0..n_names) (a kind such as
 * "source", known in where, e.g. "vane.lua"). Prints one line per unknown
 * id on stderr; returns how many. */
size_t cli_unknown_names(const char *what, const char *const *ids, size_t n, const char *kind,
                         const char *where, const char *const *names, size_t n_names);

/* Each id must be a source of cfg; what (e.g. "--source") names where it
 * came from. Prints one line per unknown id on stderr; returns how many. */
size_t cli_unknown_sources(const config_t *cfg, const char *what, const char *const *ids,
                           size_t n);

/* The same for rule ids against the loaded rules; for a silence (non-zero
 * silence), also '*' (every rule) and the rules a run raises itself
 * (source-failing, source-empty, source-reshaped). */
size_t cli_unknown_rules(const rules_t *rules, const char *what, const char *const *ids,
                         size_t n, int silence);

#endif

/* suggest.h — "did you mean …": the known name closest to a mistyped one.
 *
 * Used wherever a name given by a person (a rule id in vane.lua, a source
 * id on the command line, a script option) must be one of a known set. */
#ifndef VANE_SUGGEST_H
#define VANE_SUGGEST_H

#include <stddef.h>

/* The name among names[0..n) closest to word: the one at the smallest
 * edit distance (insertions, deletions, substitutions and swaps of two
 * neighbours each count one; letters compared without case) when that is
 * at most 2 and less than word's length, or else the first name that word
 * starts, or that starts word, when the shorter has 3 characters or more.
 * Returns a pointer into names (not a copy), or NULL when nothing is
 * close. NULL entries in names are skipped. */
const char *suggest_closest(const char *word, const char *const *names, size_t n);

#endif

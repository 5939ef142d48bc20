/* decl.h — reading the fields of one declaration table of vane.lua
 * (`source { … }`, `channel { … }`, `watch { … }`, `settings { … }`).
 *
 * A reader never raises: a field of the wrong type or with a bad value is
 * reported as "FILE:LINE: WHAT: message" into d->errs, d->bad is set, and
 * the default is returned, so one pass finds every problem. The table is at
 * stack index d->idx of d->L; each reader leaves the stack as it found it.
 * Strings and lists returned are malloc'ed and owned by the caller. */
#ifndef VANE_DECL_H
#define VANE_DECL_H

#include <lua.h>
#include <stddef.h>

#include "util/err.h"

#define DECL_COUNT_MAX 2000000000L /* the largest whole number a field takes: fits an int */

typedef struct decl {
    lua_State *L;
    int idx;              /* stack index of the declaration table */
    int line;             /* the line of vane.lua that declared it */
    const char *what;     /* "source 'x'": how messages name the declaration */
    char name[160];       /* where the loader writes that name: what points here then */
    const char *chunk;    /* the configuration file's name, first in every message */
    const char *dir;      /* its folder: relative paths are resolved against it */
    errlist_t *errs;
    int bad;              /* set by every problem reported */
} decl_t;

/* Report "CHUNK:LINE: message" and set d->bad. */
void decl_problem(decl_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Report every key of the table that known(key, ud) refuses ("unknown key
 * 'k'") and every positional value. */
void decl_check_keys_with(decl_t *d, int (*known)(const char *key, const void *ud), const void *ud);

/* The same against a NULL-terminated list of names. */
void decl_check_keys(decl_t *d, const char *const *known);

/* Is name in the NULL-terminated list? */
int decl_listed(const char *const *list, const char *name);

/* A string; a copy of def (or NULL) when absent. */
char *decl_string(decl_t *d, const char *name, const char *def);

/* A file name, resolved against d->dir; NULL when absent. */
char *decl_path(decl_t *d, const char *name);

/* The largest duration and size vane.lua may give: past these a value is
 * a mistake (every = 1e300 would make a source due on every run). */
#define DECL_DURATION_MAX (3650LL * 86400)
#define DECL_SIZE_MAX (1000LL * 1000 * 1000 * 1000)

/* Seconds: a whole number or "1h30m" (units.h), from 1 to
 * DECL_DURATION_MAX; def when absent. A fraction, NaN, infinity or a value
 * out of range is a problem naming the key and the range. */
long long decl_duration(decl_t *d, const char *name, long long def);

/* Bytes: a whole number or "5MB" (units.h), from 1 to DECL_SIZE_MAX;
 * def when absent; checked like decl_duration. */
long long decl_size(decl_t *d, const char *name, long long def);

/* A duration, or false for none (0); def when absent (keep_documents). */
long long decl_duration_or_false(decl_t *d, const char *name, long long def);

/* true or false; def when absent. */
int decl_bool(decl_t *d, const char *name, int def);

/* A whole number in [min, max]; def when absent. */
long decl_count(decl_t *d, const char *name, long min, long max, long def);

/* A string or a list of strings as a NULL-terminated array, *n (when n is
 * not NULL) set to its length; NULL when absent. */
char **decl_strings(decl_t *d, const char *name, size_t *n);

/* Free a NULL-terminated array of strings (NULL is fine). */
void decl_free_strings(char **v);

/* Free each of the n strings of v (any of them may be NULL). */
void decl_free_each(char *const *v, size_t n);

/* Free each of the strings named, as DECL_FREE(s->url, s->script): the
 * fields a declaration's record owns, in one line. */
#define DECL_FREE(...)                                                                             \
    decl_free_each((char *[]){__VA_ARGS__}, sizeof((char *[]){__VA_ARGS__}) / sizeof(char *))

/* An id: letters, digits and - _ . : only, not empty. */
int decl_valid_id(const char *id);

#endif

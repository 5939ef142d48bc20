/* err.h — error values filled by callees and printed by the top (cli/run).
 *
 * An err_t holds one message that names where the problem is ("source x:",
 * "rules/y.lua:12:"). An errlist_t collects many, for `vane check` and the
 * run report. Nothing in engine/ prints an error itself. */
#ifndef VANE_ERR_H
#define VANE_ERR_H

#include <stddef.h>

#define ERR_MAX 2048

typedef struct err {
    char msg[ERR_MAX];
} err_t;

typedef struct errlist {
    char **msgs;
    size_t len, cap;
} errlist_t;

/* Format into e (if e is non-NULL). Always returns -1, so callers can write
 * `return err_set(e, "...")`. */
int err_set(err_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the message already in e with the formatted text. Returns -1. */
int err_prefix(err_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append a copy of the formatted message to the list. */
void errlist_add(errlist_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void errlist_free(errlist_t *l);

#endif

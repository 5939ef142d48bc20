/* silence.h — silences: flags that are recorded but not delivered.
 *
 * `vane silence add` stores a silence for a rule ("*": every rule),
 * optionally narrowed to one source and one item key, from now until a
 * time. A flag raised while a silence that covers it is active is stored
 * with the silence's id (flags.silence_id) and gets no outbox rows, so it
 * is never delivered — not when the silence ends, nor later. Active means
 * created_at <= the flag's time < until, and not removed; times are the
 * run's clock (clock_now(), fixed by --now).
 *
 * The silences are stored by the store (store_silence_*); which one covers
 * a flag is decided here. Every function returns 0, or -1 with e set; none
 * prints. */
#ifndef VANE_SILENCE_H
#define VANE_SILENCE_H

#include "util/err.h"
#include "store/store.h"

#define SILENCE_ANY_RULE "*"

/* A silence as stored: rule ("*": any), source and key (NULL: any), from
 * created_at until `until`, reason, removed_at (NULL while not removed);
 * when listed, active and json too (see store.h). */
typedef store_silence_t silence_t;

/* Store a new silence (id, removed_at, active and json are ignored) and set
 * *id. */
int silence_add(store_t *st, const silence_t *s, long long *id, err_t *e);

/* Mark silence id removed at `now`. *found is 0 when there is no such
 * silence or it was removed before (nothing changes then). */
int silence_remove(store_t *st, long long id, const char *now, int *found, err_t *e);

/* Call fn for each silence active at `now` (all: every silence ever added,
 * expired and removed ones too), by id. The silence's strings live until
 * fn returns. fn returns non-zero to stop. */
typedef int (*silence_fn)(void *ud, const silence_t *s);
int silence_list(store_t *st, const char *now, int all, silence_fn fn, void *ud, err_t *e);

/* The active silence covering flag f at its created_at (the clock's now
 * when it has none), or *silence_id = 0. When several cover it, the one
 * that lasts longest. */
int silence_match(store_t *st, const store_flag_t *f, long long *silence_id, err_t *e);

/* Record on the stored flag that silence_id kept it from delivery. */
int silence_mark(store_t *st, long long flag_id, long long silence_id, err_t *e);

#endif

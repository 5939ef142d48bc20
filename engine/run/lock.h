/* lock.h — the run lock: one `vane run` per database at a time.
 *
 * An flock(2) on "DATABASE.lock", DATABASE being the real path of the
 * database (realpath(3) of the file; before the file exists, of its
 * folder, after following a symlink that points to the file to be), so a
 * run through a symlink or another spelling of the path meets the same
 * lock. The kernel drops it when the process dies, so
 * a killed run never leaves a stale lock behind; the next run, holding
 * the lock, knows no earlier run is alive (store_run_begin marks them
 * aborted). */
#ifndef VANE_LOCK_H
#define VANE_LOCK_H

#include "util/err.h"

#define LOCK_HELD 1

/* Take the lock for `db_path`, waiting up to wait_seconds (0: not at all).
 * A PostgreSQL store has no lock: runs share its work (store.h), so this
 * returns 0 with *fd -1 at once.
 * Returns 0 with *fd set, LOCK_HELD if another process holds it, or -1 with
 * e set. */
int lock_acquire(const char *db_path, double wait_seconds, int *fd, err_t *e);
void lock_release(int fd);

#endif

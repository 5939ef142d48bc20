/* replace.h — replacing a file whole, never in place: the new text goes to
 * a temporary file beside it, is synced, and renamed over the old one, and
 * the folder is synced; a reader opens the old file or the new one, never
 * half of one (the Atom channel's feed, the run's metrics_file). */
#ifndef VANE_REPLACE_H
#define VANE_REPLACE_H

#include <sys/types.h>

#include "util/buf.h"
#include "util/err.h"

/* Replace path by text with the given mode. 0, or -1 with e set to
 * "cannot … PATH: why" (the temporary file removed). */
int replace_file(const char *path, const buf_t *text, mode_t mode, err_t *e);

#endif

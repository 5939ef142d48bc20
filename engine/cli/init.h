/* init.h — `vane init DIR`: a new monitor folder to edit.
 *
 * Writes DIR/vane.lua (a starter configuration: the State Department's
 * travel advisories, commented examples of the other shipped scripts, a
 * watch list and channels), DIR/rules/ with copies of every shipped rule and
 * phrases.lua (so analysts edit their own), and an empty DIR/scripts/ for
 * source scripts of their own. Nothing that exists is overwritten. */
#ifndef VANE_INIT_H
#define VANE_INIT_H

#include "util/err.h"

/* Returns 0 with *written files made, or -1 with e set (the folder already
 * has a vane.lua, or a file could not be written). */
int init_folder(const char *dir, int *written, err_t *e);

#endif

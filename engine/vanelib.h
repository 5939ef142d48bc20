/* vanelib.h — the `vane` module that source scripts and rules see.
 *
 * vane.json (lua-cjson, safe variant: errors come back as nil, message),
 * and the Lua parts shipped in engine/lua/ (each file returns a value that
 * becomes vane.<file name>, e.g. vane.text and vane.feed). */
#ifndef VANE_VANELIB_H
#define VANE_VANELIB_H

#include "err.h"
#include "sandbox.h"

/* Build the module in the sandbox and make it the global `vane`. Returns 0,
 * or -1 with e set (a shipped Lua part failed to load). */
int vanelib_install(sandbox_t *sb, err_t *e);

#endif

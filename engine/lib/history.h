/* history.h — vane.history and vane.events: rules read the stored history
 * (lib_history.c).
 *
 *   vane.history(source, key)   the item's events, oldest first
 *   vane.events{ source =, since =, change =, baseline =, limit = }
 *                               events of every source or one, newest last
 * Each event is a new table { id, run_id, source, key, change, baseline,
 * observed_at, item, prev, diff }: a copy, so changing it changes nothing
 * stored. At most HISTORY_MAX_EVENTS come back per call (the newest). The
 * store reads them with fixed, read-only statements (store_history_item,
 * store_history_events); rules never hand SQL to the store. */
#ifndef VANE_HISTORY_H
#define VANE_HISTORY_H

#include <lua.h>

#include "store/store.h"

#define HISTORY_MAX_EVENTS 10000

/* The parts are opened by vanelib_install for rules (vane_open_history,
 * vane_open_events in vanelib.h). Until a store is attached they raise an
 * error saying there is no database. */

/* Read from st from now on (NULL: from nothing). Detach, or close the
 * state, before closing the store. */
void history_attach(lua_State *L, store_t *st);

/* Free the rows of a call that stopped half way through pushing them (an
 * error raised while building the result), after a call into Lua. */
void history_reset(lua_State *L);

#endif

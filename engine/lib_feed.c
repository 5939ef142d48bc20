/* lib_feed.c — vane.feed (see vanelib.h). Not written yet. */
#include "vanelib.h"

int vane_open_feed(lua_State *L)
{
    (void)L;
    return 0;
}

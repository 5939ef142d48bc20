/* lib_time.c — vane.time (see vanelib.h). Not written yet. */
#include "vanelib.h"

int vane_open_time(lua_State *L)
{
    (void)L;
    return 0;
}

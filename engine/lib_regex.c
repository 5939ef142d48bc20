/* lib_regex.c — vane.regex (see vanelib.h). Not written yet. */
#include "vanelib.h"

int vane_open_regex(lua_State *L)
{
    (void)L;
    return 0;
}

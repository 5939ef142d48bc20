/* lib_html.c — vane.html (see vanelib.h). Not written yet. */
#include "vanelib.h"

int vane_open_html(lua_State *L)
{
    (void)L;
    return 0;
}

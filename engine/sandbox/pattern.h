/* pattern.h — Lua 5.4 string patterns with a step limit.
 *
 * Lua's own matcher runs in C where the instruction-count hook never fires,
 * so a pattern like ("a"):rep(200):find("a-a-a-a-b") can run for many
 * seconds. These are drop-in replacements for string.find, string.match,
 * string.gmatch and string.gsub with the same results and errors as Lua 5.4,
 * except that a call that takes more than a given number of matcher steps
 * raises "pattern too complex (more than N steps)". */
#ifndef VANE_PATTERN_H
#define VANE_PATTERN_H

#include <lua.h>

/* Set find, match, gmatch and gsub in the table at the top of the stack to
 * step-limited versions allowing at most `max_steps` steps per call. */
void pattern_register(lua_State *L, long max_steps);

#endif

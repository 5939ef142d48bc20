/* strlib.h — Lua's string functions charged by the work they do.
 *
 * string.upper on a 20 MB string is one instruction to the count hook but
 * tens of milliseconds of C; in a loop it would run for hours under any
 * instruction budget. These wrappers charge the size of the work (bytes
 * read or written, values pushed) to the call's budget before the real
 * function runs (and, for string.format, the size of what it wrote after). */
#ifndef VANE_STRLIB_H
#define VANE_STRLIB_H

#include <lua.h>

/* Bytes charged as one unit of the budget (about one Lua instruction's
 * time): per-character work (upper, lower, reverse) and plain copying
 * (rep, sub, format, pack, unpack), which is several times cheaper. */
#define STRLIB_BYTES_PER_UNIT 16
#define STRLIB_COPY_BYTES_PER_UNIT 64

/* Replace upper, lower, reverse, rep, sub, byte, char, format, pack,
 * unpack and packsize in the table at idx (the real string table, which is
 * also the string metatable's __index, so ("x"):upper() stays the same
 * function as string.upper) by charging wrappers. */
void strlib_register(lua_State *L, int idx);

#endif

/* sandbox.h — restricted Lua 5.4 states for configuration, source scripts
 * and rules.
 *
 * A sandbox is one lua_State whose globals are an allow-list (docs/design.md,
 * "What each guarantee rests on"): base functions without dofile/loadfile/require/collectgarbage
 * knobs, string (no string.dump), table, math, utf8, os.time/os.date/os.clock
 * only, no io, no debug, text chunks only. Each chunk loaded gets its own
 * environment table, so one rule cannot see or change another's globals; the
 * shared library tables are read-only.
 *
 * Limits are checked on every call: an instruction budget per call (a count
 * hook that, once the budget is spent, fires on every instruction until the
 * call returns, so pcall inside the chunk cannot swallow it) and a memory
 * ceiling for the whole state (a counting allocator). Errors come back in an
 * err_t as "chunk:line: message" followed by a short traceback; nothing is
 * printed. */
#ifndef VANE_SANDBOX_H
#define VANE_SANDBOX_H

#include <stddef.h>
#include <lua.h>

#include "util/err.h"

typedef struct sandbox sandbox_t;

typedef struct sandbox_limits {
    long instructions;    /* per call; 0 means the default */
    size_t memory;        /* bytes for the whole state; 0 means the default */
    long pattern_steps;   /* per string.find/match/gmatch/gsub call; 0 = default */
} sandbox_limits_t;

#define SANDBOX_DEFAULT_INSTRUCTIONS 10000000L
#define SANDBOX_DEFAULT_MEMORY ((size_t)64 << 20)
#define SANDBOX_DEFAULT_PATTERN_STEPS 1000000L

/* A new sandbox with these limits (NULL: defaults). NULL on failure, with e set. */
sandbox_t *sandbox_new(const sandbox_limits_t *limits, err_t *e);
void sandbox_free(sandbox_t *sb);

lua_State *sandbox_lua(sandbox_t *sb);

/* Pop the value on top of the stack and make it a global visible (read
 * only) to every chunk loaded afterwards, e.g. the `vane` module table. */
void sandbox_set_global(sandbox_t *sb, const char *name);

/* Push a new environment table for one chunk: reads fall through to the
 * safe globals, writes stay in this table. */
void sandbox_push_env(sandbox_t *sb);

/* Compile `len` bytes of Lua text named `chunkname` (shown in errors, e.g.
 * "rules/x.lua") with the environment table at stack index `env` as its
 * _ENV, and push the function. Binary chunks are refused. Returns 0, or -1
 * with e = "chunkname:line: message". */
int sandbox_load(sandbox_t *sb, const char *chunkname, const char *src,
                 size_t len, int env, err_t *e);

/* Call the function below `nargs` arguments under the instruction budget
 * and memory ceiling, like lua_pcall(L, nargs, nresults, 0). `what` names
 * the caller's chunk for errors that carry no position (memory errors).
 * Returns 0, or -1 with e set ("file:line: message\n  traceback...") and
 * nothing pushed. */
int sandbox_call(sandbox_t *sb, int nargs, int nresults, const char *what,
                 err_t *e);

/* Bytes currently allocated by the state. */
size_t sandbox_memory(const sandbox_t *sb);

/* Fix what os.time() (with no argument) and os.date() (with no time
 * argument) return, for --now; 0 means the real clock. */
void sandbox_set_now(sandbox_t *sb, long long now);

#endif

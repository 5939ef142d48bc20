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
 * call returns, so pcall inside the chunk cannot swallow it), to which C
 * functions whose work grows with their input charge that work (string
 * functions, patterns, vane.regex, parsers and queries); a wall-clock
 * deadline per call, read from the same hook and from every charge; and a
 * memory ceiling for the whole state (a counting allocator) that also
 * covers what libxml2 and PCRE2 allocate for it (extmem.h). Errors come
 * back in an err_t as "chunk:line: message" followed by a short traceback;
 * nothing is printed. */
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
    long timeout_ms;      /* wall-clock time per call; 0 means the default */
} sandbox_limits_t;

#define SANDBOX_DEFAULT_INSTRUCTIONS 10000000L
#define SANDBOX_DEFAULT_MEMORY ((size_t)64 << 20)
#define SANDBOX_DEFAULT_PATTERN_STEPS 1000000L
#define SANDBOX_DEFAULT_TIMEOUT_MS 2000L

/* A new sandbox with these limits (NULL: defaults). NULL on failure, with e set. */
sandbox_t *sandbox_new(const sandbox_limits_t *limits, err_t *e);
void sandbox_free(sandbox_t *sb);

/* Apply these limits to the calls that follow (a limit of 0 keeps the one
 * sb has): for a state made before the limits were known, as vane.lua's,
 * whose functions (a channel's format) are called later. */
void sandbox_set_limits(sandbox_t *sb, const sandbox_limits_t *limits);

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

/* Why the last sandbox_call or sandbox_run failed: a value, so callers
 * never have to read the message to tell a rule's own error from a limit. */
typedef enum sandbox_failure {
    SANDBOX_OK = 0,
    SANDBOX_FAIL_ERROR,     /* the chunk raised an error, or the host refused what it returned */
    SANDBOX_FAIL_BUDGET,    /* the instruction budget ran out */
    SANDBOX_FAIL_TIME,      /* the wall-clock deadline passed */
    SANDBOX_FAIL_MEMORY,    /* the memory ceiling was reached */
} sandbox_failure_t;

/* The kind of the last failure of sandbox_call/sandbox_run on sb
 * (SANDBOX_OK after a call that succeeded). */
sandbox_failure_t sandbox_failure(const sandbox_t *sb);

/* A short name of a failure kind: "error", "budget", "time", "memory". */
const char *sandbox_failure_name(sandbox_failure_t f);

/* Run the C function fn as a protected call under the same limits as
 * sandbox_call: it is called with ud as a light userdata at index 1 and the
 * nargs values on top of the stack after it, and leaves nresults. Host code
 * that reads what a chunk returned (fields, lengths, conversions) belongs
 * in such a function: a metamethod, an allocation failure or a runaway
 * loop there is then contained like any other error of the chunk. Returns
 * 0, or -1 with e set and nothing pushed. */
int sandbox_run(sandbox_t *sb, lua_CFunction fn, void *ud, int nargs, int nresults,
                const char *what, err_t *e);

/* What sandbox_check_plain accepts beside plain data. */
#define SANDBOX_PLAIN_FUNCTIONS 1u  /* function values (a rule's table) */

/* Raise a Lua error unless the value at idx is plain data: nil, booleans,
 * strings, finite numbers, the JSON null (a NULL light userdata) and tables
 * without a metatable whose keys are strings or positive integers, at most
 * max_depth levels deep (counted along every path), without cycles. A
 * shared sub-table is walked once: the check costs what the distinct
 * tables hold (charged to the budget), not what the value would expand
 * to, so a caller that writes the value out bounds its expanded size
 * itself (max_item_bytes, the JSON encoder's cap). Only raw access is used. The message names the path of the offending
 * part, e.g. "returned a table with a metatable at [2].title". For use
 * inside sandbox_call/sandbox_run only. */
void sandbox_check_plain(lua_State *L, int idx, int max_depth, unsigned flags);

/* Charge n units of work done in C for the running chunk (a C function
 * whose cost grows with its input: string functions, parsers, queries)
 * against the current call's budget; raises the budget error once it is
 * spent. Outside a call nothing is charged. */
void sandbox_charge(lua_State *L, lua_Integer n);

/* What is left of the running call's budget (LUA_MAXINTEGER outside a
 * call or in a state that is not a sandbox's): C code with its own step
 * limit (CSS selectors, XPath) stops there rather than overrun it. */
lua_Integer sandbox_budget_left(lua_State *L);

/* Raise the memory error of the running call (LUA_ERRMEM, so the call
 * fails with SANDBOX_FAIL_MEMORY and "not enough memory"): for C code whose
 * allocation outside Lua was refused by the ceiling. Never returns. */
void sandbox_memory_error(lua_State *L);

/* Whether grow more bytes fit under sb's ceiling now (always, outside a
 * call: the host's own work is not limited). */
int sandbox_mem_fits(const sandbox_t *sb, size_t grow);

/* The sandbox whose call (sandbox_call/sandbox_run) is running, the
 * innermost one if calls nest; NULL when none runs. vane is single-threaded. */
sandbox_t *sandbox_current(void);

/* A deadline spanning several calls, e.g. one script's whole run over a
 * source (parse, items, detail pages): every call that starts within the
 * next ms milliseconds ends at that deadline at the latest, failing with
 * SANDBOX_FAIL_TIME and "run exceeded its time limit (N s)" once it has
 * passed; each call still has its own call_timeout too. 0 removes it. */
void sandbox_set_deadline(sandbox_t *sb, long ms);

/* Bytes currently allocated by the state and by C libraries for it. */
size_t sandbox_memory(const sandbox_t *sb);

/* Fix what os.time() (with no argument) and os.date() (with no time
 * argument) return, for --now; 0 means the real clock. */
void sandbox_set_now(sandbox_t *sb, long long now);

#endif

/* sandbox.c — restricted Lua 5.4 states with an instruction budget and a
 * memory ceiling (see sandbox.h; modelled on Redis's script_lua.c and
 * Mozilla's lua_sandbox).
 *
 * How it hangs together:
 *  - the state allocates through sb_alloc, which counts bytes and refuses
 *    growth past the ceiling while a call or a load runs;
 *  - the libraries are opened privately; chunks see a "safe globals" table
 *    built from an allow-list, through a per-chunk environment whose
 *    metatable is {__index = safe globals} (protected, so the shared table
 *    never reaches a chunk);
 *  - every table a chunk can reach through the globals is a read-only proxy;
 *  - sandbox_call runs under a count hook; once the budget is spent the hook
 *    fires on every instruction and raises again, so pcall cannot swallow it;
 *    (a Lua message handler given to xpcall is skipped then: hooks are off
 *    while it runs);
 *  - C loops the hook cannot see (table.insert/remove/concat/move/sort over
 *    a table whose __len lies, os.date with a huge format) charge their
 *    length against the same budget; patterns have their own step limit
 *    (pattern.c);
 *  - __gc metamethods are refused: a finalizer could run between calls,
 *    where no hook limits it. */
#include "sandbox/sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "sandbox/extmem.h"
#include "sandbox/pattern.h"
#include "sandbox/strlib.h"

#define HOOK_STEP 1000L     /* instructions between hook calls */
#define TRACE_FRAMES 5      /* traceback lines kept under "stack traceback:" */
#define BUDGET_MSG_MAX 256

struct sandbox {
    lua_State *L;
    size_t used;            /* bytes allocated by the state */
    size_t limit;           /* the ceiling */
    int limited;            /* > 0 while a call or load runs: ceiling applies */
    long budget;            /* instructions per call */
    long spent;             /* instructions used by the current call */
    long step;              /* the hook's current count */
    int exhausted;          /* the budget or the time ran out in the current call */
    sandbox_failure_t stop; /* which: SANDBOX_FAIL_BUDGET or SANDBOX_FAIL_TIME */
    int depth;              /* nesting of sandbox_call */
    long pattern_steps;
    long timeout_ms;        /* wall-clock time per outermost call */
    long long deadline;     /* of the current call, CLOCK_MONOTONIC ns; 0: none */
    int deadline_is_run;    /* the run's deadline is the nearer one */
    long long run_deadline; /* set by sandbox_set_deadline, or 0 */
    long run_ms;
    long unclocked;         /* units charged since the clock was last read */
    extmem_account_t *ext;  /* memory allocated outside Lua for this sandbox */
    char mem_where[LUA_IDSIZE + 32]; /* "file:line: " of the last refusal in a call */
    long long now;          /* fixed os.time(), or 0 */
    sandbox_failure_t failure; /* of the last call */
    char budget_msg[BUDGET_MSG_MAX];
};

/* Registry keys (their addresses are the keys). */
static const char key_globals = 'G';  /* the safe globals table */
static const char key_envmt = 'E';    /* metatable of every environment */
static const char key_proxies = 'P';  /* weak cache: real table -> proxy */
static const char key_proxymark = 'M';/* field marking a proxy's metatable */

static sandbox_t *sb_of(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

/* The allocator. Frees and shrinks always succeed (a failed shrink keeps the
 * old, larger block, which is still valid). Growth is refused past the
 * ceiling only while a chunk runs or compiles: outside that, the host pushes
 * values without a protected call, and a refusal there would make Lua panic
 * and abort the process. The ceiling covers the state's own memory and what
 * libxml2 and PCRE2 hold for it (extmem.c). */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/* The sandbox of L, or NULL for a state that is not a sandbox's (the
 * library functions also run in plain states, e.g. in tests). */
static sandbox_t *sandbox_of(lua_State *L)
{
    void *ud;
    return lua_getallocf(L, &ud) == sb_alloc ? ud : NULL;
}

/* Remember where the chunk was when memory was last refused in this call,
 * for the message (a memory error carries no position and runs no message
 * handler). lua_getstack and lua_getinfo("Sl") allocate nothing, so they
 * are safe inside the allocator. */
static void note_refusal(sandbox_t *sb)
{
    if (sb->depth == 0)
        return;
    lua_Debug ar;
    for (int level = 0; lua_getstack(sb->L, level, &ar); level++) {
        if (lua_getinfo(sb->L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(sb->mem_where, sizeof sb->mem_where, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
}

static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sandbox_t *sb = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        sb->used -= old;
        return NULL;
    }
    if (nsize > old && !sandbox_mem_fits(sb, nsize - old)) {
        note_refusal(sb);
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p) {
        if (!ptr || nsize > old)
            return NULL;
        p = ptr;
    }
    sb->used = sb->used - old + nsize;
    return p;
}

int sandbox_mem_fits(const sandbox_t *sb, size_t grow)
{
    if (sb->limited <= 0)
        return 1;
    size_t used = sb->used + extmem_used(sb->ext);
    return used <= sb->limit && grow <= sb->limit - used;
}

static void format_size(char *out, size_t n, size_t bytes)
{
    if (bytes % ((size_t)1 << 20) == 0)
        snprintf(out, n, "%zu MB", bytes >> 20);
    else if (bytes % 1024 == 0)
        snprintf(out, n, "%zu KB", bytes >> 10);
    else
        snprintf(out, n, "%zu bytes", bytes);
}

static void count_hook(lua_State *L, lua_Debug *ar);

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* "2 s" or "1500 ms". */
static void format_ms(char *out, size_t n, long ms)
{
    if (ms % 1000 == 0)
        snprintf(out, n, "%ld s", ms / 1000);
    else
        snprintf(out, n, "%ld ms", ms);
}

/* Stop the call at `where` ("file:line: " or "") because the budget
 * (SANDBOX_FAIL_BUDGET) or the time (SANDBOX_FAIL_TIME) ran out. The first
 * time, the message is kept and the hook switched to fire on every
 * instruction: a pcall in the chunk that catches this error gets one
 * instruction further and is stopped again. */
static int stop_error(lua_State *L, sandbox_t *sb, const char *where, sandbox_failure_t why)
{
    if (!sb->exhausted) {
        sb->exhausted = 1;
        sb->stop = why;
        if (why == SANDBOX_FAIL_TIME) {
            char lim[32];
            format_ms(lim, sizeof lim, sb->deadline_is_run ? sb->run_ms : sb->timeout_ms);
            snprintf(sb->budget_msg, sizeof sb->budget_msg, "%s%s exceeded its time limit (%s)",
                     where, sb->deadline_is_run ? "run" : "call", lim);
        } else {
            snprintf(sb->budget_msg, sizeof sb->budget_msg,
                     "%sinstruction budget exhausted (%ld instructions)", where, sb->budget);
        }
        sb->step = 1;
        lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    }
    lua_pushstring(L, sb->budget_msg);
    return lua_error(L);
}

static int past_deadline(const sandbox_t *sb)
{
    return sb->deadline != 0 && now_ns() >= sb->deadline;
}

/* Called every `step` instructions. The position comes from `ar` because a
 * hook has no frame of its own: luaL_error's level 1 would name the
 * caller of the running function instead. */
static void count_hook(lua_State *L, lua_Debug *ar)
{
    sandbox_t *sb = sb_of(L);
    sandbox_failure_t why = sb->exhausted ? sb->stop : SANDBOX_FAIL_BUDGET;
    if (!sb->exhausted) {
        sb->spent += sb->step;
        if (past_deadline(sb))
            why = SANDBOX_FAIL_TIME;
        else if (sb->spent < sb->budget) {
            long left = sb->budget - sb->spent;
            if (left < sb->step) {
                sb->step = left;
                lua_sethook(L, count_hook, LUA_MASKCOUNT, (int)left);
            }
            return;
        }
    }
    char where[LUA_IDSIZE + 32] = "";
    if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
        snprintf(where, sizeof where, "%s:%d: ", ar->short_src, ar->currentline);
    stop_error(L, sb, where, why);
}

static void push_where(lua_State *L);

/* Charge n units of work done in C (where the hook never fires) to the
 * current call's budget, and read the clock every HOOK_STEP units. Outside
 * sandbox_call nothing is counted. The position is that of the innermost
 * Lua function: the caller may be a C function such as pcall. */
void sandbox_charge(lua_State *L, lua_Integer n)
{
    sandbox_t *sb = sandbox_of(L);
    if (!sb || sb->depth == 0 || n < 0)
        return;
    sandbox_failure_t why = SANDBOX_OK;
    if (sb->exhausted)
        why = sb->stop;
    else if (n > 0 && n >= (lua_Integer)(sb->budget - sb->spent))
        why = SANDBOX_FAIL_BUDGET;   /* work that used up the budget, or more */
    else if ((sb->unclocked += (long)n + 1) >= HOOK_STEP) {
        sb->unclocked = 0;
        if (past_deadline(sb))
            why = SANDBOX_FAIL_TIME;
    }
    if (why != SANDBOX_OK) {
        push_where(L);
        stop_error(L, sb, lua_tostring(L, -1), why);
    }
    sb->spent += (long)n;
}

lua_Integer sandbox_budget_left(lua_State *L)
{
    sandbox_t *sb = sandbox_of(L);
    if (!sb || sb->depth == 0)
        return LUA_MAXINTEGER;
    return sb->exhausted ? 0 : (lua_Integer)(sb->budget - sb->spent);
}

void sandbox_memory_error(lua_State *L)
{
    sandbox_t *sb = sandbox_of(L);
    if (!sb || sb->limited <= 0)
        luaL_error(L, "not enough memory");
    /* A block the allocator always refuses: Lua raises LUA_ERRMEM. */
    lua_newuserdatauv(L, sb->limit + 1, 0);
    luaL_error(L, "not enough memory");
}

/* Number of integers in [lo, hi] (hi >= lo), saturated. */
static lua_Integer span(lua_Integer lo, lua_Integer hi)
{
    lua_Unsigned n = (lua_Unsigned)hi - (lua_Unsigned)lo;
    return n >= (lua_Unsigned)LUA_MAXINTEGER ? LUA_MAXINTEGER : (lua_Integer)n + 1;
}

static void push_proxy(lua_State *L, int real);

static int is_proxy(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx))
        return 0;
    int mark = lua_rawgetp(L, -1, &key_proxymark) != LUA_TNIL;
    lua_pop(L, 2);
    return mark;
}

/* Replace the table on top of the stack by its proxy (other values stay). */
static void protect_top(lua_State *L)
{
    if (lua_type(L, -1) == LUA_TTABLE && !is_proxy(L, -1)) {
        push_proxy(L, -1);
        lua_remove(L, -2);
    }
}

static int ro_index(lua_State *L)
{
    lua_settop(L, 2);
    lua_gettable(L, lua_upvalueindex(1));
    protect_top(L);
    return 1;
}

static int ro_newindex(lua_State *L)
{
    return luaL_error(L, "attempt to modify read-only table");
}

static int ro_len(lua_State *L)
{
    lua_pushinteger(L, luaL_len(L, lua_upvalueindex(1)));
    return 1;
}

static int ro_next(lua_State *L)
{
    lua_settop(L, 2);
    if (!lua_next(L, lua_upvalueindex(1))) {
        lua_pushnil(L);
        return 1;
    }
    protect_top(L);
    return 2;
}

/* pairs(proxy) iterates the real table with a closure over it, never
 * returning the real table itself (the usual `return next, real` would hand
 * the chunk a writable reference as the iterator's state). */
static int ro_pairs(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* Push the read-only proxy of the table at `real`: an empty table whose
 * protected metatable reads through to it. Proxies are cached, so a table
 * always has the same proxy, and tables read through a proxy come back as
 * proxies too. rawset on a proxy is refused by the sandbox's rawset; rawget,
 * next and rawlen see the empty proxy. */
static void push_proxy(lua_State *L, int real)
{
    real = lua_absindex(L, real);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_proxies);
    lua_pushvalue(L, real);
    if (lua_rawget(L, -2) == LUA_TTABLE) {
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    lua_newtable(L);
    lua_createtable(L, 0, 6);
    lua_pushvalue(L, real);
    lua_pushcclosure(L, ro_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, real);
    lua_pushcclosure(L, ro_len, 1);
    lua_setfield(L, -2, "__len");
    lua_pushvalue(L, real);
    lua_pushcclosure(L, ro_next, 1);
    lua_pushcclosure(L, ro_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pushboolean(L, 1);
    lua_rawsetp(L, -2, &key_proxymark);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, real);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
    lua_remove(L, -2);
}

static int call_upvalue_cfunction(lua_State *L)
{
    return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

static void push_env(lua_State *L)
{
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, -2, "_G");
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_envmt);
    lua_setmetatable(L, -2);
}

/* Push the _ENV of the nearest Lua function on the call stack (a function
 * that uses no globals has no _ENV upvalue: look further out). Never the
 * state's real globals; a fresh environment if nothing is found. */
static void push_caller_env(lua_State *L)
{
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "f", &ar);
        if (!lua_iscfunction(L, -1)) {
            const char *name;
            for (int i = 1; (name = lua_getupvalue(L, -1, i)) != NULL; i++) {
                if (strcmp(name, "_ENV") == 0) {
                    lua_remove(L, -2);
                    return;
                }
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 1);
    }
    push_env(L);
}

/* load(chunk [, name [, mode [, env]]]): text only, whatever mode says, and
 * without env the new function shares the caller's environment. */
static int sb_load(lua_State *L)
{
    int has_env = !lua_isnone(L, 4);
    lua_settop(L, 4);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    if (!has_env) {
        push_caller_env(L);
        lua_replace(L, 4);
    }
    return call_upvalue_cfunction(L);
}

/* setmetatable refusing __gc: a finalizer runs whenever the collector
 * decides, possibly between calls where no hook limits it. An object is
 * marked for finalization only if __gc is present when the metatable is
 * set, so checking here (raw, any value) is enough. */
static int sb_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed");
        lua_pop(L, 1);
    }
    return call_upvalue_cfunction(L);
}

/* A hook that raises leaves hooks disabled until the error is caught, and
 * xpcall's message handler runs before that: a Lua handler would loop
 * unhooked. So once the budget is spent the handler is skipped and the
 * budget error passes through unchanged. */
static int xpcall_handler(lua_State *L)
{
    if (sb_of(L)->exhausted)
        return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int sb_xpcall(lua_State *L)
{
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, xpcall_handler, 1);
    lua_replace(L, 2);
    return call_upvalue_cfunction(L);
}

/* rawset would write into a proxy, shadowing the library function for
 * every chunk. */
static int sb_rawset(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TTABLE && is_proxy(L, 1))
        return luaL_error(L, "attempt to modify read-only table");
    return call_upvalue_cfunction(L);
}

static int sb_os_time(lua_State *L)
{
    sandbox_t *sb = sb_of(L);
    if (sb->now != 0 && lua_isnoneornil(L, 1)) {
        lua_pushinteger(L, (lua_Integer)sb->now);
        return 1;
    }
    return call_upvalue_cfunction(L);
}

/* os.date calls strftime once per conversion in C; a format of millions
 * of "%c" would run for seconds unseen by the hook, so its length is
 * charged. */
static int sb_os_date(lua_State *L)
{
    sandbox_t *sb = sb_of(L);
    size_t len = 0;
    if (lua_type(L, 1) == LUA_TSTRING)
        lua_tolstring(L, 1, &len);
    sandbox_charge(L, (lua_Integer)(len / 2));
    if (sb->now != 0 && lua_isnoneornil(L, 2)) {
        lua_settop(L, 2);
        lua_pushinteger(L, (lua_Integer)sb->now);
        lua_replace(L, 2);
    }
    return call_upvalue_cfunction(L);
}

/* Table functions whose C loops the hook cannot see. A table whose __len
 * returns 2^60 and whose __index/__newindex are C functions (getmetatable,
 * rawequal) makes ltablib loop for hours without a single Lua instruction.
 * insert, remove and concat are rewritten here to read the length once (a
 * second __len call could answer differently) and charge the loop to the
 * budget; move charges its range; sort's comparisons go through a charging
 * comparator. Only real tables are accepted (ltablib also takes table-like
 * userdata). */
static int sb_tinsert(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer e = (lua_Integer)((lua_Unsigned)luaL_len(L, 1) + 1u);
    lua_Integer pos;
    switch (lua_gettop(L)) {
    case 2:
        pos = e;
        break;
    case 3:
        pos = luaL_checkinteger(L, 2);
        luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2,
                      "position out of bounds");
        sandbox_charge(L, e - pos);
        for (lua_Integer i = e; i > pos; i--) {
            lua_geti(L, 1, i - 1);
            lua_seti(L, 1, i);
        }
        break;
    default:
        return luaL_error(L, "wrong number of arguments to 'insert'");
    }
    lua_seti(L, 1, pos);
    return 0;
}

static int sb_tremove(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer size = luaL_len(L, 1);
    lua_Integer pos = luaL_optinteger(L, 2, size);
    if (pos != size)
        luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 2,
                      "position out of bounds");
    if (pos < size)
        sandbox_charge(L, size - pos);
    lua_geti(L, 1, pos);
    for (; pos < size; pos++) {
        lua_geti(L, 1, pos + 1);
        lua_seti(L, 1, pos);
    }
    lua_pushnil(L);
    lua_seti(L, 1, pos);
    return 1;
}

static int sb_tconcat(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    size_t lsep;
    const char *sep = luaL_optlstring(L, 2, "", &lsep);
    lua_Integer i = luaL_optinteger(L, 3, 1);
    lua_Integer last = lua_isnoneornil(L, 4) ? luaL_len(L, 1) : luaL_checkinteger(L, 4);
    if (i <= last)
        sandbox_charge(L, span(i, last));
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (; i <= last; i++) {
        lua_geti(L, 1, i);
        if (!lua_isstring(L, -1))
            return luaL_error(L, "invalid value (at index %I) in table for 'concat'",
                              (lua_Integer)i);
        luaL_addvalue(&b);
        if (i == last)
            break;
        luaL_addlstring(&b, sep, lsep);
    }
    luaL_pushresult(&b);
    return 1;
}

/* table.move's range is plain integers (no metamethods), so charging it
 * and then running ltablib's move sees the same numbers. */
static int sb_tmove(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2);
    lua_Integer e = luaL_checkinteger(L, 3);
    luaL_checkinteger(L, 4);
    if (e >= f)
        sandbox_charge(L, span(f, e));
    return call_upvalue_cfunction(L);
}

/* table.pack and table.unpack copy every value in C: charged by count. */
static int sb_tpack(lua_State *L)
{
    sandbox_charge(L, lua_gettop(L));
    return call_upvalue_cfunction(L);
}

static int sb_tunpack(lua_State *L)
{
    lua_Integer i = luaL_optinteger(L, 2, 1);
    lua_Integer e = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);
    if (e >= i)
        sandbox_charge(L, span(i, e));
    return call_upvalue_cfunction(L);
}

static int sort_compare(lua_State *L)
{
    sandbox_charge(L, 1);
    if (lua_isnil(L, lua_upvalueindex(1))) {
        lua_pushboolean(L, lua_compare(L, 1, 2, LUA_OPLT));
        return 1;
    }
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 2, 1);
    return 1;
}

static int sb_tsort(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_settop(L, 2);
    lua_pushcclosure(L, sort_compare, 1);   /* the comparator becomes its upvalue */
    return call_upvalue_cfunction(L);
}

/* Copy t[name] from the table at `from` into the table at `to`. */
static void copy_field(lua_State *L, int from, int to, const char *name)
{
    to = lua_absindex(L, to);
    lua_getfield(L, from, name);
    lua_setfield(L, to, name);
}

/* Set to[name] = closure(fn, upvalue from[name]). */
static void wrap_field(lua_State *L, int from, int to, const char *name,
                       lua_CFunction fn)
{
    to = lua_absindex(L, to);
    lua_getfield(L, from, name);
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, to, name);
}

/* Everything that allocates while building, run under lua_pcall so that a
 * failure is an error value rather than a panic. Argument: the sandbox. */
static int setup(lua_State *L)
{
    sandbox_t *sb = lua_touserdata(L, 1);
    static const char *const base_names[] = {
        "assert", "error", "ipairs", "next", "pairs", "pcall",
        "rawequal", "rawget", "rawlen", "select", "tonumber", "tostring",
        "type", "getmetatable", "_VERSION", NULL
    };
    lua_settop(L, 0);

    lua_newtable(L);                                        /* 1: proxy cache */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_proxies);

    luaL_requiref(L, LUA_GNAME, luaopen_base, 0);          /* 1: real base */
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);   /* 2 */
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 0);    /* 3 */
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 0);    /* 4 */
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 0);    /* 5 */
    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);        /* 6 */
    lua_newtable(L);                                        /* 7: safe globals */
    const int base = 1, str = 2, tab = 3, math = 4, utf8 = 5, os = 6, g = 7;

    for (int i = 0; base_names[i]; i++)
        copy_field(L, base, g, base_names[i]);
    wrap_field(L, base, g, "load", sb_load);
    wrap_field(L, base, g, "setmetatable", sb_setmetatable);
    wrap_field(L, base, g, "rawset", sb_rawset);
    wrap_field(L, base, g, "xpcall", sb_xpcall);

    /* string: the real table loses dump and gets the step-limited
     * matchers; the string metatable's __index stays that real table so
     * ("x"):find is the same function as string.find. */
    lua_pushnil(L);
    lua_setfield(L, str, "dump");
    lua_pushvalue(L, str);
    pattern_register(L, sb->pattern_steps);
    lua_pop(L, 1);
    strlib_register(L, str);
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushvalue(L, str);
    lua_setfield(L, -2, "__index");
    lua_createtable(L, 0, 1);           /* what getmetatable("") shows */
    push_proxy(L, str);
    lua_setfield(L, -2, "__index");
    push_proxy(L, -1);
    lua_remove(L, -2);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    push_proxy(L, str);
    lua_setfield(L, g, "string");

    lua_newtable(L);
    wrap_field(L, tab, -1, "pack", sb_tpack);
    wrap_field(L, tab, -1, "unpack", sb_tunpack);
    lua_pushcfunction(L, sb_tinsert);
    lua_setfield(L, -2, "insert");
    lua_pushcfunction(L, sb_tremove);
    lua_setfield(L, -2, "remove");
    lua_pushcfunction(L, sb_tconcat);
    lua_setfield(L, -2, "concat");
    wrap_field(L, tab, -1, "move", sb_tmove);
    lua_getfield(L, tab, "sort");
    lua_pushcclosure(L, sb_tsort, 1);
    lua_setfield(L, -2, "sort");
    push_proxy(L, -1);
    lua_setfield(L, g, "table");
    lua_pop(L, 1);

    push_proxy(L, math);
    lua_setfield(L, g, "math");
    push_proxy(L, utf8);
    lua_setfield(L, g, "utf8");

    lua_createtable(L, 0, 3);
    wrap_field(L, os, -1, "time", sb_os_time);
    wrap_field(L, os, -1, "date", sb_os_date);
    copy_field(L, os, -1, "clock");
    push_proxy(L, -1);
    lua_setfield(L, g, "os");
    lua_pop(L, 1);

    lua_pushvalue(L, g);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_globals);
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, g);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &key_envmt);

    /* The real globals (dofile, loadfile, print, ...) must not be what a
     * stray lua_load or lua_getglobal falls back to. */
    push_env(L);
    lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    return 0;
}

sandbox_t *sandbox_new(const sandbox_limits_t *limits, err_t *e)
{
    sandbox_t *sb = calloc(1, sizeof *sb);
    if (!sb) {
        err_set(e, "sandbox: out of memory");
        return NULL;
    }
    sb->budget = limits && limits->instructions > 0 ? limits->instructions
                                                     : SANDBOX_DEFAULT_INSTRUCTIONS;
    sb->limit = limits && limits->memory > 0 ? limits->memory : SANDBOX_DEFAULT_MEMORY;
    sb->pattern_steps = limits && limits->pattern_steps > 0 ? limits->pattern_steps
                                                            : SANDBOX_DEFAULT_PATTERN_STEPS;
    sb->timeout_ms = limits && limits->timeout_ms > 0 ? limits->timeout_ms
                                                      : SANDBOX_DEFAULT_TIMEOUT_MS;
    sb->ext = extmem_account_new(sb);
    sb->L = sb->ext ? lua_newstate(sb_alloc, sb) : NULL;
    if (!sb->L) {
        extmem_account_close(sb->ext);
        free(sb);
        err_set(e, "sandbox: out of memory");
        return NULL;
    }
    lua_pushcfunction(sb->L, setup);
    lua_pushlightuserdata(sb->L, sb);
    if (lua_pcall(sb->L, 1, 0, 0) != LUA_OK) {
        const char *msg = lua_tostring(sb->L, -1);
        err_set(e, "sandbox: %s", msg ? msg : "cannot set up");
        lua_close(sb->L);
        extmem_account_close(sb->ext);
        free(sb);
        return NULL;
    }
    return sb;
}

void sandbox_set_limits(sandbox_t *sb, const sandbox_limits_t *limits)
{
    if (limits->instructions > 0)
        sb->budget = limits->instructions;
    if (limits->memory > 0)
        sb->limit = limits->memory;
    if (limits->pattern_steps > 0)
        sb->pattern_steps = limits->pattern_steps;
    if (limits->timeout_ms > 0)
        sb->timeout_ms = limits->timeout_ms;
}

void sandbox_free(sandbox_t *sb)
{
    if (!sb)
        return;
    lua_close(sb->L);
    extmem_account_close(sb->ext);
    free(sb);
}

lua_State *sandbox_lua(sandbox_t *sb)
{
    return sb->L;
}

void sandbox_set_global(sandbox_t *sb, const char *name)
{
    lua_State *L = sb->L;
    protect_top(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &key_globals);
    lua_insert(L, -2);
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
}

void sandbox_push_env(sandbox_t *sb)
{
    push_env(sb->L);
}

int sandbox_load(sandbox_t *sb, const char *chunkname, const char *src,
                 size_t len, int env, err_t *e)
{
    lua_State *L = sb->L;
    env = lua_absindex(L, env);
    size_t n = strlen(chunkname);
    char *name = malloc(n + 2);
    if (!name)
        return err_set(e, "%s: out of memory", chunkname);
    name[0] = '=';
    memcpy(name + 1, chunkname, n + 1);
    sb->limited++;
    int status = luaL_loadbufferx(L, src, len, name, "t");
    sb->limited--;
    free(name);
    if (status == LUA_OK) {
        lua_pushvalue(L, env);
        if (!lua_setupvalue(L, -2, 1))
            lua_pop(L, 1);
        return 0;
    }
    if (status == LUA_ERRMEM) {
        char lim[32];
        format_size(lim, sizeof lim, sb->limit);
        err_set(e, "%s: not enough memory (limit %s)", chunkname, lim);
    } else {
        const char *msg = lua_tostring(L, -1);
        if (!msg)
            msg = "cannot load";
        if (strncmp(msg, chunkname, n) == 0 && msg[n] == ':')
            err_set(e, "%s", msg);
        else
            err_set(e, "%s: %s", chunkname, msg);
    }
    lua_pop(L, 1);
    lua_gc(L, LUA_GCCOLLECT);
    return -1;
}

/* "file:line: " of the innermost Lua frame, for errors that carry none. */
static void push_where(lua_State *L)
{
    lua_Debug ar;
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline > 0) {
            lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
    lua_pushliteral(L, "");
}

/* Length of the first n lines of s (without the n-th newline). */
static size_t first_lines(const char *s, int n)
{
    const char *p = s;
    for (int i = 0; i < n; i++) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            return strlen(s);
        p = nl + 1;
    }
    return (size_t)(p - s) - 1;
}

/* Message handler: the error as a string (a non-string error object
 * becomes "file:line: (error object is a T value)" unless it has a
 * __tostring) followed by the first few traceback lines. No __tostring once
 * the budget is spent: hooks may be off while a handler runs. */
static int msgh(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (!sb_of(L)->exhausted && luaL_callmeta(L, 1, "__tostring")
            && lua_type(L, -1) == LUA_TSTRING) {
            msg = lua_tostring(L, -1);
        } else {
            push_where(L);
            msg = lua_pushfstring(L, "%s(error object is a %s value)",
                                  lua_tostring(L, -1), luaL_typename(L, 1));
        }
    }
    luaL_traceback(L, L, NULL, 1);
    const char *tb = lua_tostring(L, -1);
    size_t keep = first_lines(tb, TRACE_FRAMES + 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, msg);
    luaL_addchar(&b, '\n');
    luaL_addlstring(&b, tb, keep);
    if (tb[keep] != '\0')
        luaL_addstring(&b, "\n\t...");
    luaL_pushresult(&b);
    return 1;
}

/* The sandbox whose call is running, innermost first. vane is
 * single-threaded: one call runs at a time (a call may nest another
 * sandbox's call, e.g. a rule's helper; the outer one is restored after). */
static sandbox_t *current;

sandbox_t *sandbox_current(void)
{
    return current;
}

/* Reset the budget and arm the hook and the deadline for an outermost call. */
static void start_call(sandbox_t *sb)
{
    sb->spent = 0;
    sb->unclocked = 0;
    sb->mem_where[0] = '\0';
    sb->exhausted = 0;
    sb->stop = SANDBOX_FAIL_BUDGET;
    sb->deadline = now_ns() + (long long)sb->timeout_ms * 1000000LL;
    sb->deadline_is_run = sb->run_deadline != 0 && sb->run_deadline < sb->deadline;
    if (sb->deadline_is_run)
        sb->deadline = sb->run_deadline;
    sb->step = sb->budget < HOOK_STEP ? sb->budget : HOOK_STEP;
    if (sb->deadline_is_run && now_ns() >= sb->deadline)
        sb->step = 1;   /* the run's time is already up: stop at the first instruction */
    lua_sethook(sb->L, count_hook, LUA_MASKCOUNT, (int)sb->step);
}

void sandbox_set_deadline(sandbox_t *sb, long ms)
{
    sb->run_ms = ms > 0 ? ms : 0;
    sb->run_deadline = ms > 0 ? now_ns() + (long long)ms * 1000000LL : 0;
}

/* e for a call that ended with status (the error object on top). */
static void failure_message(sandbox_t *sb, int status, const char *what, err_t *e)
{
    lua_State *L = sb->L;
    if (status == LUA_OK) {
        /* `return pcall(loop)` returns straight to C: no instruction was
         * left for the hook to raise again in. */
        err_set(e, "%s", sb->budget_msg);
    } else if (status == LUA_ERRMEM) {
        char lim[32];
        format_size(lim, sizeof lim, sb->limit);
        if (sb->mem_where[0])
            err_set(e, "%snot enough memory (limit %s)", sb->mem_where, lim);
        else
            err_set(e, "%s: not enough memory (limit %s)", what, lim);
    } else if (status == LUA_ERRERR && sb->exhausted) {
        err_set(e, "%s", sb->budget_msg);
    } else if (lua_type(L, -1) == LUA_TSTRING) {
        if (status == LUA_ERRERR)
            err_set(e, "%s: %s", what, lua_tostring(L, -1));
        else
            err_set(e, "%s", lua_tostring(L, -1));
    } else {
        err_set(e, "%s: unknown error", what);
    }
}

int sandbox_call(sandbox_t *sb, int nargs, int nresults, const char *what,
                 err_t *e)
{
    lua_State *L = sb->L;
    int fn = lua_gettop(L) - nargs;
    if (!lua_checkstack(L, 1)) {
        lua_settop(L, fn - 1);
        return err_set(e, "%s: stack overflow", what);
    }
    lua_pushcfunction(L, msgh);
    lua_insert(L, fn);
    if (sb->depth++ == 0)
        start_call(sb);
    sb->limited++;
    sandbox_t *outer_sb = current;
    current = sb;
    extmem_set_current(sb->ext);
    int status = lua_pcall(L, nargs, nresults, fn);
    current = outer_sb;
    extmem_set_current(outer_sb ? outer_sb->ext : NULL);
    sb->limited--;
    int outer = --sb->depth == 0;
    if (outer)
        lua_sethook(L, NULL, 0, 0);

    if (status == LUA_OK && !sb->exhausted) {
        lua_remove(L, fn);
        sb->failure = SANDBOX_OK;
        return 0;
    }
    sb->failure = sb->exhausted ? sb->stop
                  : status == LUA_ERRMEM ? SANDBOX_FAIL_MEMORY : SANDBOX_FAIL_ERROR;
    failure_message(sb, status, what, e);
    lua_settop(L, fn - 1);
    if (outer)
        lua_gc(L, LUA_GCCOLLECT);
    return -1;
}

sandbox_failure_t sandbox_failure(const sandbox_t *sb)
{
    return sb->failure;
}

const char *sandbox_failure_name(sandbox_failure_t f)
{
    switch (f) {
    case SANDBOX_OK: return "ok";
    case SANDBOX_FAIL_ERROR: return "error";
    case SANDBOX_FAIL_BUDGET: return "budget";
    case SANDBOX_FAIL_TIME: return "time";
    case SANDBOX_FAIL_MEMORY: return "memory";
    }
    return "error";
}

int sandbox_run(sandbox_t *sb, lua_CFunction fn, void *ud, int nargs, int nresults,
                const char *what, err_t *e)
{
    lua_State *L = sb->L;
    if (!lua_checkstack(L, 2)) {
        lua_pop(L, nargs);
        sb->failure = SANDBOX_FAIL_MEMORY;
        return err_set(e, "%s: stack overflow", what);
    }
    lua_pushcfunction(L, fn);   /* light C function and light userdata: no allocation */
    lua_pushlightuserdata(L, ud);
    lua_rotate(L, -(nargs + 2), 2);
    return sandbox_call(sb, nargs + 1, nresults, what, e);
}

/* ---- plain data ------------------------------------------------------- */

typedef struct plain_walk {
    int max_depth;
    unsigned flags;
    int path;               /* stack index of the table of path parts */
    int seen;               /* stack index of table -> 0 (being walked) or its height */
} plain_walk_t;

/* Raise "MSG at PATH" with the path parts recorded so far, each written
 * ".name" or "[n]" (only now: a walk that finds nothing formats none). */
static int plain_error(lua_State *L, const plain_walk_t *w, int depth, const char *msg)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, msg);
    if (depth > 0)
        luaL_addstring(&b, " at ");
    for (int i = 1; i <= depth; i++) {
        if (lua_rawgeti(L, w->path, i) == LUA_TSTRING)
            lua_pushfstring(L, ".%s", lua_tostring(L, -1));
        else
            lua_pushfstring(L, "[%I]", (lua_Integer)lua_tointeger(L, -1));
        lua_remove(L, -2);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    return lua_error(L);
}

/* Record the key at idx (a string or a positive integer) as path part
 * `depth`. */
static void plain_key(lua_State *L, const plain_walk_t *w, int idx, int depth)
{
    lua_pushvalue(L, idx);
    lua_rawseti(L, w->path, depth);
}

static int plain_value(lua_State *L, const plain_walk_t *w, int idx, int depth);

/* The table at t is being walked (0) or was walked and found plain, with
 * this many levels of tables (>= 1); -1 when not seen yet. */
static lua_Integer plain_seen(lua_State *L, const plain_walk_t *w, int t)
{
    lua_pushvalue(L, t);
    lua_Integer h = lua_rawget(L, w->seen) == LUA_TNUMBER ? lua_tointeger(L, -1) : -1;
    lua_pop(L, 1);
    return h;
}

static void plain_mark(lua_State *L, const plain_walk_t *w, int t, lua_Integer h)
{
    lua_pushvalue(L, t);
    lua_pushinteger(L, h);
    lua_rawset(L, w->seen);
}

static void plain_too_deep(lua_State *L, const plain_walk_t *w, int depth)
{
    plain_error(L, w, depth, lua_pushfstring(L, "tables nested more than %d deep", w->max_depth));
}

/* Walk the table at t, found at `depth`; return its height. A table met
 * again (a shared sub-table) is not walked again: it is plain, and only
 * its height is checked against the depth it is met at. So the walk costs
 * what the distinct tables hold, never what the value would expand to;
 * callers that write the value out bound its expanded size themselves. */
static int plain_table(lua_State *L, const plain_walk_t *w, int t, int depth)
{
    lua_Integer seen = plain_seen(L, w, t);
    if (seen == 0)
        plain_error(L, w, depth, "a table that contains itself");
    if (seen > 0) {
        if (depth + seen > w->max_depth)
            plain_too_deep(L, w, depth);
        return (int)seen;
    }
    if (lua_getmetatable(L, t))
        plain_error(L, w, depth, "a table with a metatable");
    if (depth >= w->max_depth)
        plain_too_deep(L, w, depth);
    plain_mark(L, w, t, 0);
    luaL_checkstack(L, 4, "plain data");
    int below = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        int k = lua_gettop(L) - 1;
        if (lua_type(L, k) != LUA_TSTRING && !(lua_isinteger(L, k) && lua_tointeger(L, k) > 0))
            plain_error(L, w, depth, lua_pushfstring(L, "a key that is a %s, not a string",
                                                     luaL_typename(L, k)));
        plain_key(L, w, k, depth + 1);
        int h = plain_value(L, w, lua_gettop(L), depth + 1);
        if (h > below)
            below = h;
        lua_pop(L, 1);
    }
    plain_mark(L, w, t, below + 1);
    return below + 1;
}

/* Check the value at idx; its height in tables (0 for other values). */
static int plain_value(lua_State *L, const plain_walk_t *w, int idx, int depth)
{
    sandbox_charge(L, 1);
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
    case LUA_TBOOLEAN:
    case LUA_TSTRING:
        return 0;
    case LUA_TNUMBER:
        if (!lua_isinteger(L, idx)) {
            lua_Number n = lua_tonumber(L, idx);
            if (n != n || n - n != 0)
                plain_error(L, w, depth, "a number that is not finite");
        }
        return 0;
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL)
            return 0;
        break;
    case LUA_TFUNCTION:
        if (w->flags & SANDBOX_PLAIN_FUNCTIONS)
            return 0;
        break;
    case LUA_TTABLE:
        return plain_table(L, w, lua_absindex(L, idx), depth);
    default:
        break;
    }
    plain_error(L, w, depth, lua_pushfstring(L, "a %s value", luaL_typename(L, idx)));
    return 0;
}

void sandbox_check_plain(lua_State *L, int idx, int max_depth, unsigned flags)
{
    idx = lua_absindex(L, idx);
    int top = lua_gettop(L);
    lua_newtable(L);
    lua_newtable(L);
    plain_walk_t w = {max_depth, flags, top + 1, top + 2};
    (void)plain_value(L, &w, idx, 0);
    lua_settop(L, top);
}

size_t sandbox_memory(const sandbox_t *sb)
{
    return sb->used + extmem_used(sb->ext);
}

void sandbox_set_now(sandbox_t *sb, long long now)
{
    sb->now = now;
}

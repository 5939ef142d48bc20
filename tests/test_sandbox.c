/* test_sandbox.c — the sandbox's allow-list, read-only libraries, private
 * environments, instruction budget, memory ceiling and error messages. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "sandbox/sandbox.h"

static sandbox_t *make(long instructions, size_t memory)
{
    sandbox_limits_t lim = { .instructions = instructions, .memory = memory };
    err_t e = { "" };
    sandbox_t *sb = sandbox_new(&lim, &e);
    assert_non_null(sb);
    return sb;
}

/* Load src as `name` in a fresh environment and call it; nres results are
 * left on the stack when it returns 0. */
static int run(sandbox_t *sb, const char *name, const char *src, int nres, err_t *e)
{
    lua_State *L = sandbox_lua(sb);
    sandbox_push_env(sb);
    if (sandbox_load(sb, name, src, strlen(src), -1, e) != 0) {
        lua_pop(L, 1);
        return -1;
    }
    lua_remove(L, -2);
    return sandbox_call(sb, 0, nres, name, e);
}

/* src must return true. */
static void expect_true(sandbox_t *sb, const char *src)
{
    lua_State *L = sandbox_lua(sb);
    err_t e = { "" };
    int top = lua_gettop(L);
    if (run(sb, "t.lua", src, 1, &e) != 0)
        fail_msg("%s\n-> error: %s", src, e.msg);
    if (!lua_toboolean(L, -1))
        fail_msg("%s\n-> returned %s", src, luaL_typename(L, -1));
    lua_pop(L, 1);
    assert_int_equal(lua_gettop(L), top);
}

/* src must fail with a message containing each of the given strings. */
static void expect_error(sandbox_t *sb, const char *name, const char *src, ...)
{
    lua_State *L = sandbox_lua(sb);
    err_t e = { "" };
    int top = lua_gettop(L);
    if (run(sb, name, src, 0, &e) == 0)
        fail_msg("%s\n-> succeeded", src);
    assert_int_equal(lua_gettop(L), top);
    va_list ap;
    va_start(ap, src);
    for (const char *want; (want = va_arg(ap, const char *)) != NULL;)
        if (!strstr(e.msg, want))
            fail_msg("%s\n-> \"%s\" lacks \"%s\"", src, e.msg, want);
    va_end(ap);
}

static void forbidden_names_are_absent(void **state)
{
    (void)state;
    static const char *const names[] = {
        "io", "os.execute", "os.exit", "os.getenv", "os.remove", "os.rename",
        "os.tmpname", "os.setlocale", "require", "dofile", "loadfile", "debug",
        "collectgarbage", "string.dump", "package", "print", "loadstring",
        "(\"\").dump", "warn", NULL
    };
    sandbox_t *sb = make(0, 0);
    char src[128];
    for (int i = 0; names[i]; i++) {
        snprintf(src, sizeof src, "return %s == nil", names[i]);
        expect_true(sb, src);
    }
    sandbox_free(sb);
}

static void allowed_names_are_present(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    expect_true(sb,
        "for _, f in ipairs{assert, error, ipairs, next, pairs, pcall, xpcall,"
        "  rawequal, rawget, rawlen, rawset, select, tonumber, tostring, type,"
        "  getmetatable, setmetatable, load, string.format, string.find,"
        "  string.gsub, table.concat, table.insert, table.remove, table.sort,"
        "  table.move, table.unpack, table.pack, math.floor, math.random,"
        "  math.randomseed, utf8.char, os.time, os.date, os.clock} do"
        "  if type(f) ~= 'function' then return false end "
        "end "
        "return _VERSION == 'Lua 5.4' and math.pi > 3 and _G == _ENV");
    sandbox_free(sb);
}

static int dump_writer(lua_State *L, const void *p, size_t n, void *ud)
{
    (void)L;
    luaL_addlstring(ud, p, n);
    return 0;
}

/* Push a precompiled chunk made by a plain, unsandboxed state. */
static void push_bytecode(lua_State *L)
{
    lua_State *plain = luaL_newstate();
    assert_non_null(plain);
    assert_int_equal(luaL_loadstring(plain, "return 42"), LUA_OK);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    assert_int_equal(lua_dump(plain, dump_writer, &b, 0), 0);
    luaL_pushresult(&b);
    lua_close(plain);
}

static void binary_chunk_is_refused_by_sandbox_load(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    lua_State *L = sandbox_lua(sb);
    push_bytecode(L);
    size_t len;
    const char *bc = lua_tolstring(L, -1, &len);
    assert_int_equal((unsigned char)bc[0], 0x1b);
    sandbox_push_env(sb);
    err_t e = { "" };
    assert_int_equal(sandbox_load(sb, "rules/bin.lua", bc, len, -1, &e), -1);
    assert_non_null(strstr(e.msg, "rules/bin.lua: "));
    assert_non_null(strstr(e.msg, "attempt to load a binary chunk"));
    assert_int_equal(lua_gettop(L), 2);
    lua_pop(L, 2);
    sandbox_free(sb);
}

static void binary_chunk_is_refused_by_load_in_a_chunk(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    lua_State *L = sandbox_lua(sb);
    push_bytecode(L);
    sandbox_set_global(sb, "bytecode");
    expect_true(sb, "local f, msg = load(bytecode) "
                    "return f == nil and msg:find('binary chunk') ~= nil");
    expect_true(sb, "local f, msg = load(bytecode, 'x', 'b') "
                    "return f == nil and msg:find('binary chunk') ~= nil");
    expect_true(sb, "local f = load(bytecode, 'x', 'bt', {}) return f == nil");
    sandbox_free(sb);
}

static void load_of_text_shares_the_callers_env_and_reaches_nothing_else(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    expect_true(sb, "x = 5 return load('return x')() == 5");
    expect_true(sb, "load('y = 7')() return y == 7");
    expect_true(sb, "return load('return io, dofile, loadfile, require, print')() == nil");
    expect_true(sb, "local f = load('return string.upper(\"a\")') return f() == 'A'");
    expect_true(sb, "local e = {} load('z = 1', 'c', 't', e)() return e.z == 1 and z == nil");
    expect_true(sb, "local l = load local function f() return l('return x') end "
                    "x = 3 return f()() == 3");
    expect_true(sb, "local f, msg = load('x = = 1', '=inner') "
                    "return f == nil and msg:find('inner:1:') ~= nil");
    /* Functions load makes have no path to the real globals either. */
    expect_true(sb, "return load('return _G')() == _G");
    sandbox_free(sb);
}

static void endless_loop_is_stopped_by_the_budget(void **state)
{
    (void)state;
    sandbox_t *sb = make(100000, 0);
    expect_error(sb, "rules/loop.lua", "local n = 0\nwhile true do n = n + 1 end",
                 "rules/loop.lua:2: instruction budget exhausted (100000 instructions)",
                 (const char *)NULL);
    sandbox_free(sb);
}

static void pcall_cannot_swallow_the_budget_error(void **state)
{
    (void)state;
    sandbox_t *sb = make(100000, 0);
    const char *tricks[] = {
        "pcall(function() while true do end end) while true do end",
        "local n = 0 while true do "
        "  local ok = pcall(function() while true do end end) n = n + 1 end",
        "while true do xpcall(function() while true do end end,"
        "  function(m) return m end) end",
        "return pcall(function() while true do end end)",
        "return xpcall(function() while true do end end, function() while true do end end)",
        "for i = 1, 100 do pcall(error, setmetatable({}, {__tostring = function()"
        "  while true do end end})) end while true do end",
        "local ok = pcall(function() while true do end end) return ok",
        "while true do xpcall(function() while true do end end,"
        "  function() while true do end end) end",
        "return xpcall(function() error('x') end, function() while true do end end)",
        "error(setmetatable({}, {__tostring = function() while true do end end}))",
        "local t = setmetatable({}, {__close = function() while true do end end}) "
        "do local x <close> = t while true do end end",
        NULL
    };
    for (int i = 0; tricks[i]; i++)
        expect_error(sb, "rules/trick.lua", tricks[i],
                     "instruction budget exhausted (100000 instructions)", (const char *)NULL);
    sandbox_free(sb);
}

static void state_is_usable_after_the_budget_is_spent(void **state)
{
    (void)state;
    sandbox_t *sb = make(100000, 0);
    expect_error(sb, "rules/loop.lua", "while true do end", "budget", (const char *)NULL);
    /* The next call gets the whole budget again and no stray hook. */
    expect_true(sb, "local n = 0 for i = 1, 20000 do n = n + i end return n == 200010000");
    expect_error(sb, "rules/loop.lua", "while true do end", "budget", (const char *)NULL);
    expect_true(sb, "return true");
    expect_true(sb, "return select(2, xpcall(error, function(m) return 'h:' .. m end, 'e'))"
                    " == 'h:e'");
    sandbox_free(sb);
}

static sandbox_t *nested_sb;

/* run_callback(f): what a host binding that calls back into Lua does. */
static int run_callback(lua_State *L)
{
    err_t e = {{0}};
    lua_pushvalue(L, 1);
    if (sandbox_call(nested_sb, 0, 0, "callback", &e) != 0)
        lua_pushstring(L, e.msg);
    else
        lua_pushnil(L);
    return 1;
}

static void nested_call_shares_the_outer_budget(void **state)
{
    (void)state;
    sandbox_t *sb = nested_sb = make(100000, 0);
    lua_pushcfunction(sandbox_lua(sb), run_callback);
    sandbox_set_global(sb, "run_callback");
    expect_true(sb, "return run_callback(function() end) == nil");
    expect_error(sb, "rules/n.lua",
                 "local msg = run_callback(function() while true do end end)\n"
                 "while true do end", "budget", (const char *)NULL);
    expect_error(sb, "rules/n.lua",
                 "for i = 1, 1000 do run_callback(function() end) end\n"
                 "while true do end", "budget", (const char *)NULL);
    expect_true(sb, "local m = run_callback(function() error('inner') end) "
                    "return m:find('inner') ~= nil");
    sandbox_free(sb);
}

static void heavy_legitimate_work_within_the_budget_succeeds(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    expect_true(sb,
        "local t = {} "
        "for i = 1, 100000 do t[#t + 1] = ('item %d'):format(i) end "
        "table.sort(t) "
        "local n = 0 "
        "for _, s in ipairs(t) do if s:find('99', 1, true) then n = n + 1 end end "
        "return #table.concat(t, ',') > 0 and n > 0");
    sandbox_free(sb);
}

static void c_loops_the_hook_cannot_see_are_charged_to_the_budget(void **state)
{
    (void)state;
    sandbox_t *sb = make(100000, 0);
    expect_error(sb, "rules/move.lua", "table.move({}, 1, 1e15, 2)",
                 "rules/move.lua:1: instruction budget exhausted", (const char *)NULL);
    expect_error(sb, "rules/concat.lua",
                 "local t = setmetatable({}, {__index = getmetatable, __metatable = '',"
                 "  __len = function() return 1 << 60 end}) return table.concat(t)",
                 "instruction budget exhausted", (const char *)NULL);
    expect_error(sb, "rules/insert.lua",
                 "local t = setmetatable({}, {__newindex = rawequal,"
                 "  __len = function() return 1 << 60 end}) table.insert(t, 1, 'x')",
                 "instruction budget exhausted", (const char *)NULL);
    expect_error(sb, "rules/remove.lua",
                 "local t = setmetatable({}, {__newindex = rawequal,"
                 "  __len = function() return 1 << 60 end}) table.remove(t, 1)",
                 "instruction budget exhausted", (const char *)NULL);
    expect_error(sb, "rules/sort.lua",
                 "local t = setmetatable({}, {__index = tostring, __newindex = rawequal,"
                 "  __len = function() return (1 << 31) - 2 end}) table.sort(t)",
                 "instruction budget exhausted", (const char *)NULL);
    expect_error(sb, "rules/date.lua", "return os.date(('%c'):rep(1e6))",
                 "instruction budget exhausted", (const char *)NULL);
    /* The same functions on ordinary tables behave as in Lua. */
    expect_true(sb, "local t = {1, 2, 3} table.insert(t, 1, 0) table.insert(t, 4) "
                    "local r = table.remove(t, 1) table.sort(t, function(a, b) return a > b end) "
                    "return r == 0 and table.concat(t, ',') == '4,3,2,1' "
                    "and table.concat(table.move({1, 2, 3}, 1, 3, 2), '') == '1123' "
                    "and table.concat({}, 'x') == '' and table.concat({1, 2}, '-', 2, 2) == '2'");
    expect_error(sb, "rules/c.lua", "return table.concat({1, {}, 3})",
                 "invalid value (at index 2) in table for 'concat'", (const char *)NULL);
    expect_error(sb, "rules/c.lua", "table.insert({}, 5, 1)", "position out of bounds", (const char *)NULL);
    sandbox_free(sb);
}

static void patterns_are_step_limited_as_functions_and_as_methods(void **state)
{
    (void)state;
    sandbox_limits_t lim = { .pattern_steps = 100000 };
    err_t e = { "" };
    sandbox_t *sb = sandbox_new(&lim, &e);
    assert_non_null(sb);
    expect_error(sb, "rules/p.lua", "return ('a'):rep(200):find('a-a-a-a-b')",
                 "rules/p.lua:1:", "pattern too complex", (const char *)NULL);
    expect_error(sb, "rules/p.lua", "return string.match(('a'):rep(200), 'a-a-a-a-b')",
                 "pattern too complex", (const char *)NULL);
    expect_true(sb, "return ('key=value'):match('(%w+)=(%w+)') == 'key' "
                    "and select(2, ('a,b,c'):gsub(',', ';')) == 2");
    sandbox_free(sb);
}

static void string_rep_bomb_is_stopped_by_the_memory_ceiling(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, (size_t)8 << 20);
    size_t before = sandbox_memory(sb);
    expect_error(sb, "rules/bomb.lua", "return string.rep('x', 1e9)",
                 "rules/bomb.lua:1: not enough memory (limit 8 MB)", (const char *)NULL);
    expect_error(sb, "rules/bomb.lua", "return ('x'):rep(1e9)", "not enough memory", (const char *)NULL);
    assert_true(sandbox_memory(sb) < before + 65536);
    expect_true(sb, "return #string.rep('x', 1000) == 1000");
    sandbox_free(sb);
}

static void growing_table_is_stopped_by_the_memory_ceiling(void **state)
{
    (void)state;
    sandbox_t *sb = make(1000000000L, (size_t)4 << 20);
    expect_error(sb, "rules/grow.lua", "local t = {} for i = 1, 1e9 do t[i] = {i} end",
                 "rules/grow.lua:1: not enough memory (limit 4 MB)", (const char *)NULL);
    assert_true(sandbox_memory(sb) < ((size_t)1 << 20));
    expect_true(sb, "local t = {} for i = 1, 1000 do t[i] = {i} end return #t == 1000");
    sandbox_free(sb);
}

static void memory_error_caught_by_pcall_keeps_the_ceiling(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, (size_t)4 << 20);
    lua_State *L = sandbox_lua(sb);
    expect_true(sb, "local ok, msg = pcall(string.rep, 'x', 1e9) "
                    "return not ok and msg == 'not enough memory'");
    /* Whether the chunk's own code (outside its pcall) or the protected
     * part runs out first, the ceiling holds. */
    err_t e = { "" };
    int rc = run(sb, "rules/keep.lua",
                 "local keep = {} for i = 1, 1000 do "
                 "  pcall(function() keep[#keep + 1] = ('x'):rep(1e5) .. i end) end "
                 "return #keep", 1, &e);
    if (rc == 0) {
        assert_true(lua_tointeger(L, -1) < 1000);
        lua_pop(L, 1);
    } else {
        assert_non_null(strstr(e.msg, "rules/keep.lua:1: not enough memory (limit 4 MB)"));
    }
    assert_true(sandbox_memory(sb) <= ((size_t)4 << 20));
    expect_true(sb, "return #('x'):rep(1e5) == 1e5");
    sandbox_free(sb);
}

static void runtime_error_names_chunk_and_line_with_short_traceback(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    expect_error(sb, "rules/x.lua", "local t = nil\nreturn t.field",
                 "rules/x.lua:2: attempt to index a nil value", "\nstack traceback:\n\t",
                 (const char *)NULL);
    err_t e = {{0}};
    assert_int_equal(run(sb, "rules/deep.lua",
                         "local function f(n) if n == 0 then error('deep') end return 1 + f(n - 1) end\n"
                         "f(50)", 0, &e), -1);
    assert_true(strncmp(e.msg, "rules/deep.lua:1: deep\nstack traceback:\n", 40) == 0);
    int lines = 0;
    for (const char *p = e.msg; *p; p++)
        lines += *p == '\n';
    assert_true(lines <= 8);
    sandbox_free(sb);
}

static void non_string_errors_become_readable(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    expect_error(sb, "rules/obj.lua", "\nerror({})",
                 "rules/obj.lua:2: (error object is a table value)", (const char *)NULL);
    expect_error(sb, "rules/nil.lua", "error(nil)",
                 "rules/nil.lua:1: (error object is a nil value)", (const char *)NULL);
    expect_error(sb, "rules/ts.lua",
                 "error(setmetatable({}, {__tostring = function() return 'custom' end}))",
                 "custom", (const char *)NULL);
    expect_error(sb, "rules/num.lua", "error(42)", "42", (const char *)NULL);
    sandbox_free(sb);
}

static void syntax_error_names_chunk_and_line(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    lua_State *L = sandbox_lua(sb);
    const char *src = "local a = 1\nlocal b = = 2\n";
    sandbox_push_env(sb);
    err_t e = { "" };
    assert_int_equal(sandbox_load(sb, "rules/bad.lua", src, strlen(src), -1, &e), -1);
    assert_true(strncmp(e.msg, "rules/bad.lua:2:", 16) == 0);
    assert_int_equal(lua_gettop(L), 1);
    lua_pop(L, 1);
    sandbox_free(sb);
}

static void one_envs_globals_are_invisible_to_another(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    lua_State *L = sandbox_lua(sb);
    err_t e = {{0}};
    assert_int_equal(run(sb, "a.lua", "secret = 42 string = 'mine' return secret", 1, &e), 0);
    assert_int_equal(lua_tointeger(L, -1), 42);
    lua_pop(L, 1);
    expect_true(sb, "return secret == nil and type(string) == 'table'");
    expect_true(sb, "return getmetatable(_ENV) == false and "
                    "not pcall(setmetatable, _ENV, nil)");
    sandbox_free(sb);
}

static void library_tables_are_read_only(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    expect_error(sb, "rules/w.lua", "string.upper = function() return 'pwned' end",
                 "rules/w.lua:1: attempt to modify read-only table", (const char *)NULL);
    expect_error(sb, "rules/w.lua", "math.floor = nil", "read-only", (const char *)NULL);
    expect_error(sb, "rules/w.lua", "os.time = nil", "read-only", (const char *)NULL);
    expect_error(sb, "rules/w.lua", "table.insert(string, 1)", "read-only", (const char *)NULL);
    expect_error(sb, "rules/w.lua", "rawset(string, 'upper', print)", "read-only", (const char *)NULL);
    expect_error(sb, "rules/w.lua", "setmetatable(string, nil)", "protected metatable", (const char *)NULL);
    expect_true(sb, "return string.upper('a') == 'A' and ('a'):upper() == 'A'");
    expect_true(sb, "local n = 0 for k, v in pairs(string) do "
                    "  if k == 'upper' and v('b') == 'B' then n = n + 1 end end "
                    "return n == 1 and select('#', pairs(string)) == 3 "
                    "and select(2, pairs(string)) == string and getmetatable(string) == false");
    expect_true(sb, "return ('x').find == string.find and ('x'):find('x') == 1");
    sandbox_free(sb);
}

static void string_metatable_does_not_expose_the_string_table(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    expect_true(sb, "local mt = getmetatable('') "
                    "return type(mt) == 'table' and mt.__index.upper == string.upper");
    expect_error(sb, "rules/mt.lua", "getmetatable('').__index.upper = nil", "read-only", (const char *)NULL);
    expect_error(sb, "rules/mt.lua", "getmetatable('').__index = {}", "read-only", (const char *)NULL);
    expect_true(sb, "return ('x'):upper() == 'X'");
    sandbox_free(sb);
}

static void globals_set_by_the_host_are_read_only_all_the_way_down(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    lua_State *L = sandbox_lua(sb);
    lua_newtable(L);
    lua_pushinteger(L, 1);
    lua_setfield(L, -2, "version");
    lua_newtable(L);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "name");
    lua_setfield(L, -2, "inner");
    sandbox_set_global(sb, "vane");
    expect_true(sb, "return vane.version == 1 and vane.inner.name == 'v' "
                    "and vane.inner == vane.inner");
    expect_error(sb, "rules/v.lua", "vane.version = 2", "read-only", (const char *)NULL);
    expect_error(sb, "rules/v.lua", "vane.inner.name = 'x'", "read-only", (const char *)NULL);
    expect_error(sb, "rules/v.lua", "for _, t in pairs(vane) do "
                 "  if type(t) == 'table' then t.name = 'x' end end", "read-only", (const char *)NULL);
    expect_true(sb, "vane = 'shadow' return vane == 'shadow'");
    expect_true(sb, "return vane.inner.name == 'v'");
    sandbox_free(sb);
}

static void gc_metamethods_are_refused(void **state)
{
    (void)state;
    sandbox_t *sb = make(100000, 0);
    expect_error(sb, "rules/gc.lua",
                 "setmetatable({}, {__gc = function() while true do end end})",
                 "__gc metamethods are not allowed", (const char *)NULL);
    expect_error(sb, "rules/gc.lua", "local mt = {__gc = false} setmetatable({}, mt)",
                 "__gc", (const char *)NULL);
    expect_true(sb, "return getmetatable(setmetatable({}, {__index = {a = 1}})).__index.a == 1");
    sandbox_free(sb);
}

static void os_time_and_date_honour_set_now(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    sandbox_set_now(sb, 1700000000LL);
    expect_true(sb, "return os.time() == 1700000000");
    expect_true(sb, "return os.date('!%Y-%m-%dT%H:%M:%SZ') == '2023-11-14T22:13:20Z'");
    expect_true(sb, "return os.date('!*t').year == 2023");
    expect_true(sb, "return os.date('!%Y', 0) == '1970'");
    expect_true(sb, "return os.time{year = 2020, month = 1, day = 1, hour = 12} ~= 1700000000");
    sandbox_set_now(sb, 0);
    expect_true(sb, "return os.time() > 1700000000 and type(os.clock()) == 'number'");
    sandbox_free(sb);
}

static void call_passes_arguments_and_results_and_cleans_the_stack(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    lua_State *L = sandbox_lua(sb);
    err_t e = {{0}};
    assert_int_equal(run(sb, "f.lua", "return function(a, b) return a + b, a * b end", 1, &e), 0);
    lua_pushinteger(L, 3);
    lua_pushinteger(L, 4);
    assert_int_equal(sandbox_call(sb, 2, 2, "f.lua", &e), 0);
    assert_int_equal(lua_gettop(L), 2);
    assert_int_equal(lua_tointeger(L, 1), 7);
    assert_int_equal(lua_tointeger(L, 2), 12);
    lua_settop(L, 0);
    assert_int_equal(run(sb, "f.lua", "return 1, 2, 3", LUA_MULTRET, &e), 0);
    assert_int_equal(lua_gettop(L), 3);
    lua_settop(L, 0);
    assert_true(sandbox_memory(sb) > 0);
    sandbox_free(sb);
}


/* ---- typed failures, sandbox_run, sandbox_check_plain ---------------- */

static void failures_are_typed_not_read_from_the_message(void **state)
{
    (void)state;
    sandbox_t *sb = make(1000000, 4u << 20);
    err_t e = { "" };
    assert_int_not_equal(run(sb, "t.lua", "while true do end", 0, &e), 0);
    assert_int_equal(sandbox_failure(sb), SANDBOX_FAIL_BUDGET);
    assert_int_not_equal(run(sb, "t.lua", "local t = {} while true do t[#t+1] = ('x'):rep(1000) .. #t end",
                             0, &e), 0);
    assert_int_equal(sandbox_failure(sb), SANDBOX_FAIL_MEMORY);
    /* a rule's own error that mentions a limit is still its own error */
    assert_int_not_equal(run(sb, "t.lua", "error('not enough memory; instruction budget exhausted')",
                             0, &e), 0);
    assert_int_equal(sandbox_failure(sb), SANDBOX_FAIL_ERROR);
    assert_int_equal(run(sb, "t.lua", "return 1", 1, &e), 0);
    assert_int_equal(sandbox_failure(sb), SANDBOX_OK);
    lua_pop(sandbox_lua(sb), 1);
    assert_string_equal(sandbox_failure_name(SANDBOX_FAIL_TIME), "time");
    sandbox_free(sb);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static sandbox_t *make_timed(long instructions, long timeout_ms)
{
    sandbox_limits_t lim = { .instructions = instructions, .timeout_ms = timeout_ms };
    err_t e = { "" };
    sandbox_t *sb = sandbox_new(&lim, &e);
    assert_non_null(sb);
    return sb;
}

/* src must fail with failure kind `kind`, a message containing want, and
 * within max_s seconds. Returns the seconds it took. */
static double expect_stop(sandbox_t *sb, const char *src, sandbox_failure_t kind, const char *want,
                          double max_s)
{
    lua_State *L = sandbox_lua(sb);
    err_t e = { "" };
    int top = lua_gettop(L);
    double t0 = seconds();
    if (run(sb, "t.lua", src, 0, &e) == 0)
        fail_msg("%s\n-> succeeded", src);
    double took = seconds() - t0;
    assert_int_equal(lua_gettop(L), top);
    if (sandbox_failure(sb) != kind)
        fail_msg("%s\n-> %s (%s), wanted %s", src, sandbox_failure_name(sandbox_failure(sb)), e.msg,
                 sandbox_failure_name(kind));
    if (!strstr(e.msg, want))
        fail_msg("%s\n-> \"%s\" lacks \"%s\"", src, e.msg, want);
    /* a bound against hanging, not a speed test: sanitizer builds on a
     * loaded machine are many times slower (speed is for make bench) */
    if (took > max_s)
        fail_msg("%s\n-> stopped after %.2f s (more than %.2f s)", src, took, max_s);
    return took;
}

/* With an instruction budget no loop here can spend, only the clock stops
 * them: a loop of C calls that charge (checked in sandbox_charge), a plain
 * Lua loop (the count hook), and one behind pcall or an xpcall handler,
 * which cannot swallow the time error. */
static void deadline_stops_loops_the_budget_cannot(void **state)
{
    (void)state;
    sandbox_t *sb = make_timed(4000000000000000000L, 200);
    static const char *const loops[] = {
        "local s = ('x'):rep(1e5) while true do local u = s:upper() end",
        "while true do end",
        "while true do pcall(function() while true do end end) end",
        "while true do xpcall(function() while true do end end, function() while true do end end) end",
        "local t = {} for i = 1, 100 do t[i] = i end while true do table.unpack(t) end",
    };
    for (size_t i = 0; i < sizeof loops / sizeof *loops; i++)
        expect_stop(sb, loops[i], SANDBOX_FAIL_TIME, "t.lua:1: call exceeded its time limit (200 ms)",
                    60.0);
    expect_true(sb, "return #('x'):rep(10) == 10");
    sandbox_free(sb);
}

/* sandbox_set_deadline spans calls: the second call is stopped by the
 * run's deadline, not its own 2 s, and a call after it cannot start. */
static void run_deadline_spans_several_calls(void **state)
{
    (void)state;
    sandbox_t *sb = make_timed(4000000000000000000L, 2000);
    sandbox_set_deadline(sb, 300);
    expect_true(sb, "return true");
    expect_stop(sb, "while true do end", SANDBOX_FAIL_TIME,
                "t.lua:1: run exceeded its time limit (300 ms)", 60.0);
    /* a call that starts after the run's deadline stops at once */
    expect_stop(sb, "return true", SANDBOX_FAIL_TIME, "t.lua:1: run exceeded its time limit (300 ms)",
                60.0);
    sandbox_set_deadline(sb, 0);
    expect_true(sb, "local n = 0 for i = 1, 1e6 do n = n + i end return n > 0");
    sandbox_free(sb);
}

/* Each of these would run for minutes or hours if a C call cost one
 * instruction; charged by the size of their work they exhaust a budget of
 * a million at once (the timeout is long, so a missing charge shows as
 * TIME or as a program stopped by the test harness, never as a pass). */
static void string_functions_charge_their_work(void **state)
{
    (void)state;
    sandbox_t *sb = make_timed(1000000, 600000);
    static const char *const loops[] = {
        "local s = ('x'):rep(1e6) for i = 1, 1e6 do local u = s:upper() end",
        "local s = ('x'):rep(1e6) for i = 1, 1e6 do local u = string.lower(s) end",
        "local s = ('x'):rep(1e6) for i = 1, 1e6 do local u = s:reverse() end",
        "for i = 1, 1e6 do local u = ('x'):rep(1e6) end",
        "local s = ('x'):rep(1e6) for i = 1, 1e6 do local u = s:sub(2) end",
        "local s = ('x'):rep(1e5) for i = 1, 1e6 do local n = select('#', s:byte(1, 5000)) end",
        "local t = {} for i = 1, 5000 do t[i] = 65 end "
        "for i = 1, 1e6 do local c = string.char(table.unpack(t)) end",
        "local s = ('x'):rep(1e6) for i = 1, 1e6 do local u = ('%s'):format(s) end",
        "local s = ('x'):rep(1e6) for i = 1, 1e6 do local u = string.unpack('s4', string.pack('s4', s)) end",
        "local s = ('x'):rep(1e6) for i = 1, 1e6 do local a = s:find('y', 1, true) end",
        "for i = 1, 1e6 do pcall(string.find, ('a'):rep(1e5), ('a*'):rep(20) .. 'b') end",
        "local s = ('a'):rep(1e5) for i = 1, 1e6 do pcall(function() for w in s:gmatch('a-b') do end end) end",
    };
    for (size_t i = 0; i < sizeof loops / sizeof *loops; i++)
        expect_stop(sb, loops[i], SANDBOX_FAIL_BUDGET,
                    "t.lua:1: instruction budget exhausted (1000000 instructions)", 300.0);
    /* the methods are the same (charging) functions */
    expect_true(sb, "return ('x').upper == string.upper and ('x').rep == string.rep "
                    "and ('x').find == string.find");
    sandbox_free(sb);
}

/* The reproduction: s:upper() over 20 MB in a loop. */
static void upper_over_twenty_megabytes_stops_in_seconds(void **state)
{
    (void)state;
    sandbox_t *sb = make(0, 0);
    double took = expect_stop(sb, "local s = ('x'):rep(20e6) for i = 1, 1e7 do local u = s:upper() end",
                              SANDBOX_FAIL_BUDGET, "t.lua:1: instruction budget exhausted", 300.0);
    print_message("s:upper() over 20 MB in a loop stopped after %.3f s\n", took);
    sandbox_free(sb);
}

/* A host reader run by sandbox_run: t.x of the argument, read with
 * lua_getfield (so metamethods run), as a count of the calls. */
static int reads;
static int read_field_x(lua_State *L)
{
    assert_non_null(lua_touserdata(L, 1));
    reads++;
    lua_getfield(L, 2, "x");
    return 1;
}

static void host_reads_run_inside_the_protection(void **state)
{
    (void)state;
    sandbox_t *sb = make(1000000, 4u << 20);
    lua_State *L = sandbox_lua(sb);
    err_t e = { "" };
    int top = lua_gettop(L);
    static const char *const hostile[] = {
        "return setmetatable({}, { __index = function() error('x') end })",
        "return setmetatable({}, { __index = function() while true do end end })",
        "return setmetatable({}, { __index = function() local t = {} "
        "while true do t[#t+1] = ('y'):rep(4096) .. #t end end })",
    };
    static const sandbox_failure_t kinds[] = {SANDBOX_FAIL_ERROR, SANDBOX_FAIL_BUDGET,
                                              SANDBOX_FAIL_MEMORY};
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        assert_int_equal(run(sb, "r.lua", hostile[i], 1, &e), 0);
        int ud = 1;
        assert_int_not_equal(sandbox_run(sb, read_field_x, &ud, 1, 1, "r.lua", &e), 0);
        assert_int_equal(sandbox_failure(sb), kinds[i]);
        assert_int_equal(lua_gettop(L), top);
    }
    assert_int_equal(run(sb, "r.lua", "return { x = 42 }", 1, &e), 0);
    int ud = 1;
    assert_int_equal(sandbox_run(sb, read_field_x, &ud, 1, 1, "r.lua", &e), 0);
    assert_int_equal(lua_tointeger(L, -1), 42);
    lua_pop(L, 1);
    assert_int_equal(lua_gettop(L), top);
    assert_int_equal(reads, 4);
    sandbox_free(sb);
}

static int check_plain_of_arg(lua_State *L)
{
    sandbox_check_plain(L, 2, 64, *(unsigned *)lua_touserdata(L, 1));
    return 0;
}

/* src returns one value; sandbox_check_plain must accept it (want == NULL)
 * or refuse it with a message containing want. */
static void expect_plain(sandbox_t *sb, unsigned flags, const char *src, const char *want)
{
    lua_State *L = sandbox_lua(sb);
    err_t e = { "" };
    int top = lua_gettop(L);
    if (run(sb, "p.lua", src, 1, &e) != 0)
        fail_msg("%s\n-> %s", src, e.msg);
    int rc = sandbox_run(sb, check_plain_of_arg, &flags, 1, 0, "p.lua", &e);
    assert_int_equal(lua_gettop(L), top);
    if (!want && rc != 0)
        fail_msg("%s\n-> refused: %s", src, e.msg);
    if (want && (rc == 0 || !strstr(e.msg, want)))
        fail_msg("%s\n-> %s, wanted \"%s\"", src, rc == 0 ? "accepted" : e.msg, want);
}

static void check_plain_refuses_what_the_host_cannot_read_safely(void **state)
{
    (void)state;
    sandbox_t *sb = make(100000, 8u << 20);
    expect_plain(sb, 0, "return { 'a', 'b', x = { y = 1.5, z = true } }", NULL);
    expect_plain(sb, 0, "local s = {1} return { a = s, b = s }", NULL);
    expect_plain(sb, 0, "return 'text'", NULL);
    expect_plain(sb, 0, "return { 'a', setmetatable({}, {}) }", "a table with a metatable at [2]");
    expect_plain(sb, 0, "local t = {} t.self = { up = t } return t", "contains itself at .self.up");
    expect_plain(sb, 0, "return { n = 0/0 }", "not finite at .n");
    expect_plain(sb, 0, "return { n = math.huge }", "not finite at .n");
    expect_plain(sb, 0, "return { [true] = 1 }", "a key that is a boolean");
    expect_plain(sb, 0, "return { [1.5] = 1 }", "a key that is a number");
    expect_plain(sb, 0, "return { f = function() end }", "a function value at .f");
    expect_plain(sb, 0, "return { a = { 1, { b = { 'x', f = function() end } } } }", "a function value at .a[2].b.f");
    expect_plain(sb, SANDBOX_PLAIN_FUNCTIONS, "return { f = function() end }", NULL);
    expect_plain(sb, 0, "local t = {} for i = 1, 100 do t = { t } end return t", "nested more than 64 deep");
    /* shared sub-tables expanding to 2^40 values are checked once each, at
     * once; their depth still counts along every path */
    expect_plain(sb, 0, "local t = {} for i = 1, 40 do t = { a = t, b = t } end return t", NULL);
    expect_plain(sb, 0, "local s = {} for i = 1, 60 do s = { s } end "
                 "return { shallow = s, deep = { { { { { s } } } } } }", "nested more than 64 deep at .deep");
    sandbox_free(sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(forbidden_names_are_absent),
        cmocka_unit_test(allowed_names_are_present),
        cmocka_unit_test(binary_chunk_is_refused_by_sandbox_load),
        cmocka_unit_test(binary_chunk_is_refused_by_load_in_a_chunk),
        cmocka_unit_test(load_of_text_shares_the_callers_env_and_reaches_nothing_else),
        cmocka_unit_test(endless_loop_is_stopped_by_the_budget),
        cmocka_unit_test(pcall_cannot_swallow_the_budget_error),
        cmocka_unit_test(state_is_usable_after_the_budget_is_spent),
        cmocka_unit_test(nested_call_shares_the_outer_budget),
        cmocka_unit_test(heavy_legitimate_work_within_the_budget_succeeds),
        cmocka_unit_test(c_loops_the_hook_cannot_see_are_charged_to_the_budget),
        cmocka_unit_test(patterns_are_step_limited_as_functions_and_as_methods),
        cmocka_unit_test(deadline_stops_loops_the_budget_cannot),
        cmocka_unit_test(run_deadline_spans_several_calls),
        cmocka_unit_test(string_functions_charge_their_work),
        cmocka_unit_test(upper_over_twenty_megabytes_stops_in_seconds),
        cmocka_unit_test(string_rep_bomb_is_stopped_by_the_memory_ceiling),
        cmocka_unit_test(growing_table_is_stopped_by_the_memory_ceiling),
        cmocka_unit_test(memory_error_caught_by_pcall_keeps_the_ceiling),
        cmocka_unit_test(runtime_error_names_chunk_and_line_with_short_traceback),
        cmocka_unit_test(non_string_errors_become_readable),
        cmocka_unit_test(syntax_error_names_chunk_and_line),
        cmocka_unit_test(one_envs_globals_are_invisible_to_another),
        cmocka_unit_test(library_tables_are_read_only),
        cmocka_unit_test(string_metatable_does_not_expose_the_string_table),
        cmocka_unit_test(globals_set_by_the_host_are_read_only_all_the_way_down),
        cmocka_unit_test(gc_metamethods_are_refused),
        cmocka_unit_test(os_time_and_date_honour_set_now),
        cmocka_unit_test(call_passes_arguments_and_results_and_cleans_the_stack),
        cmocka_unit_test(failures_are_typed_not_read_from_the_message),
        cmocka_unit_test(host_reads_run_inside_the_protection),
        cmocka_unit_test(check_plain_refuses_what_the_host_cannot_read_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

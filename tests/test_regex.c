/* test_regex.c — vane.regex through Lua in a sandbox: positions and
 * captures, flags on non-ASCII text, Chinese patterns, the three kinds of
 * gsub replacement, empty matches, split, named groups, compiled objects,
 * the cache, and the errors (bad pattern, bad flag, runaway backtracking,
 * invalid UTF-8). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "sandbox/sandbox.h"
#include "lib/vanelib.h"
#include "luatest.h"

/* Every snippet may use show(...): its values joined by "|" with tostring. */
static const char prelude[] =
    "local R = vane.regex\n"
    "local function show(...)\n"
    "  local t, o = table.pack(...), {}\n"
    "  for i = 1, t.n do o[i] = tostring(t[i]) end\n"
    "  return table.concat(o, '|')\n"
    "end\n";

/* Run prelude + src; its one result is left on the stack on success. */
static int run(sandbox_t *sb, const char *src, err_t *e)
{
    return luatest_value(sb, prelude, src, e);
}

/* src must return the string want. */
static void expect(sandbox_t *sb, const char *src, const char *want)
{
    lua_State *L = sandbox_lua(sb);
    err_t e = {""};
    int top = lua_gettop(L);
    if (run(sb, src, &e) != 0)
        fail_msg("%s\n-> error: %s", src, e.msg);
    const char *got = lua_tostring(L, -1);
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s\n-> \"%s\"\n   want \"%s\"", src, got ? got : luaL_typename(L, -1), want);
    lua_pop(L, 1);
    assert_int_equal(lua_gettop(L), top);
}

/* src must fail with a message containing want. */
static void expect_error(sandbox_t *sb, const char *src, const char *want)
{
    lua_State *L = sandbox_lua(sb);
    err_t e = {""};
    int top = lua_gettop(L);
    if (run(sb, src, &e) == 0)
        fail_msg("%s\n-> succeeded", src);
    if (!strstr(e.msg, want))
        fail_msg("%s\n-> \"%s\" lacks \"%s\"", src, e.msg, want);
    assert_int_equal(lua_gettop(L), top);
}

static void find_gives_positions_and_captures(void **state)
{
    sandbox_t *sb = *state;
    expect(sb, "return show(R.find('hello world', 'o w'))", "5|7");
    expect(sb, "return show(R.find('key=value; k2=v2', '(\\\\w+)=(\\\\w+)'))", "1|9|key|value");
    expect(sb, "return show(R.find('abc', 'x'))", "nil");
    expect(sb, "return show(R.find('abc', '(x)?b'))", "2|2|false");
    /* byte positions, as string.find */
    expect(sb, "return show(R.find('été', 't'))", "3|3");
}

static void init_counts_like_string_find(void **state)
{
    sandbox_t *sb = *state;
    expect(sb, "return show(R.find('a1 a2 a3', 'a(\\\\d)', '', 3))", "4|5|2");
    expect(sb, "return show(R.find('a1 a2 a3', 'a(\\\\d)', nil, -2))", "7|8|3");
    expect(sb, "return show(R.find('abc', 'c', '', 10))", "nil");
    expect(sb, "return show(R.find('abc', '$', '', 4))", "4|3");
    expect(sb, "return show(R.match('a1 a2', 'a\\\\d', '', 2))", "a2");
}

static void match_returns_captures_or_the_match(void **state)
{
    sandbox_t *sb = *state;
    expect(sb, "return show(R.match('Level 3: Reconsider', 'Level\\\\s+(\\\\d)'))", "3");
    expect(sb, "return show(R.match('2024-11-27', '(\\\\d+)-(\\\\d+)-(\\\\d+)'))", "2024|11|27");
    expect(sb, "return show(R.match('abc123', '\\\\d+'))", "123");
    expect(sb, "return show(R.match('abc', '\\\\d+'))", "nil");
}

static void caseless_works_on_non_ascii(void **state)
{
    sandbox_t *sb = *state;
    expect(sb, "return show(R.test('ÉTÉ', 'été', 'i'), R.test('ÉTÉ', 'été'))", "true|false");
    expect(sb, "return show(R.match('Straße ÄRGER', '(ä\\\\w+)', 'i'))", "ÄRGER");
    /* \\w and \\d are Unicode-aware (UCP) */
    expect(sb, "return show(R.match('— São Tomé —', '\\\\w+\\\\s\\\\w+'))", "São Tomé");
    expect(sb, "return show(R.find('中美禁毒', '.'))", "1|3");
}

static void chinese_patterns(void **state)
{
    sandbox_t *sb = *state;
    expect(sb,
           "return show(R.match('外交部发言人就中美禁毒合作工作组第二次高官会答记者问',"
           " '中美.{0,6}工作组'))",
           "中美禁毒合作工作组");
    expect(sb, "return show(R.test('中美双方交换被拘押人员', '中美.{0,6}工作组'))", "false");
    expect(sb, "return show(R.match('（2024-11-29）', '（(\\\\d{4}-\\\\d\\\\d-\\\\d\\\\d)）'))",
           "2024-11-29");
    expect(sb, "return show(R.gsub('王喆 王喆', '喆', 'X'))", "王X 王X|2");
}

static void flags_m_s_x(void **state)
{
    sandbox_t *sb = *state;
    expect(sb, "return show(R.match('a\\nb', '^b$'), R.match('a\\nb', '^b$', 'm'))", "nil|b");
    expect(sb, "return show(R.match('a\\nb', 'a.b'), R.match('a\\nb', 'a.b', 's'))", "nil|a\nb");
    expect(sb, "return show(R.match('abc', 'a b # comment\\n c', 'x'))", "abc");
    expect(sb, "return show(R.match('A\\nB', '^b', 'mi'))", "B");
}

static void gsub_with_a_string(void **state)
{
    sandbox_t *sb = *state;
    expect(sb, "return show(R.gsub('John Smith', '(\\\\w+) (\\\\w+)', '$2, $1'))", "Smith, John|1");
    expect(sb, "return show(R.gsub('a-b', '-', '[$0]'))", "a[-]b|1");
    expect(sb, "return show(R.gsub('cost 5', '\\\\d', '$$$0'))", "cost $5|1");
    expect(sb,
           "return show(R.gsub('2024-11-27', '(?<y>\\\\d+)-(?<m>\\\\d+)-(?<d>\\\\d+)',"
           " '${d}/${m}/${y}'))",
           "27/11/2024|1");
    expect(sb, "return show(R.gsub('ab', '(x)?b', '[$1]'))", "a[]|1");
    expect(sb, "return show(R.gsub('a.b.c', '\\\\.', '/', '', 1))", "a/b.c|1");
    expect(sb, "return show(R.gsub('aaa', 'a', 'b', nil, 2))", "bba|2");
    expect(sb, "return show(R.gsub('abc', 'x', 'y'))", "abc|0");
    expect_error(sb, "return R.gsub('abc', 'b', '$x')", "invalid use of '$'");
    expect_error(sb, "return R.gsub('abc', 'b', '$3')", "invalid capture index $3");
    expect_error(sb, "return R.gsub('abc', 'b', '${nope}')", "no group 'nope'");
}

static void gsub_with_a_table_and_a_function(void **state)
{
    sandbox_t *sb = *state;
    expect(sb, "return show(R.gsub('$name is $age', '\\\\$(\\\\w+)', { name = 'Ann', age = 30 }))",
           "Ann is 30|2");
    expect(sb, "return show(R.gsub('x y', '\\\\w', { x = 'X' }))", "X y|2");
    expect(sb, "return show(R.gsub('a1 b2', '(\\\\w)(\\\\d)', function(l, d) return d .. l end))",
           "1a 2b|2");
    expect(sb, "return show(R.gsub('a b c', '\\\\w', function(w) if w ~= 'b' then return w:upper() end end))",
           "A b C|3");
    expect(sb, "return show(R.gsub('aXb', 'X', function() return false end))", "aXb|1");
    /* a regex call inside the callback does not disturb the outer loop */
    expect(sb,
           "return show(R.gsub('k1=v1;k2=v2', '(\\\\w+)=(\\\\w+)', function(k, v)"
           " return R.gsub(v, '(v)(\\\\d)', '$2$1') .. ':' .. k end))",
           "1v:k1;2v:k2|2");
    expect_error(sb, "return R.gsub('abc', 'b', function() return {} end)",
                 "invalid replacement value (a table)");
    expect_error(sb, "return R.gsub('abc', 'b', true)", "string/function/table");
}

static void gmatch_iterates_and_steps_over_empty_matches(void **state)
{
    sandbox_t *sb = *state;
    expect(sb, "local o = {} for k, v in R.gmatch('a=1, b=2', '(\\\\w+)=(\\\\w+)') do"
               " o[#o + 1] = k .. v end return table.concat(o, ',')",
           "a1,b2");
    expect(sb, "local o = {} for w in R.gmatch('one two', '\\\\w+') do o[#o + 1] = w end"
               " return table.concat(o, ',')",
           "one,two");
    /* as Lua 5.4: an empty match right after a match is skipped */
    expect(sb, "local n = 0 for _ in R.gmatch('abc', '') do n = n + 1 end return tostring(n)",
           "4");
    expect(sb, "local o = {} for w in R.gmatch('héllo wörld', '\\\\w*') do o[#o + 1] = '<' .. w .. '>' end"
               " return table.concat(o)",
           "<héllo><wörld>");
    expect(sb, "local o = {} for c in R.gmatch('中美a', '(?=.)') do o[#o + 1] = '.' end"
               " return table.concat(o)",
           "...");
    expect(sb, "return show(R.gsub('hello world', '\\\\w*', 'x'))", "x x|2");
    expect(sb, "return show(R.gsub('中美', '', '-'))", "-中-美-|3");
}

static void split_on_a_pattern(void **state)
{
    sandbox_t *sb = *state;
    expect(sb, "return table.concat(R.split('a, b,c ,,d', '\\\\s*,\\\\s*'), '|')", "a|b|c||d");
    expect(sb, "return table.concat(R.split('abc', ''), '|')", "a|b|c");
    expect(sb, "return table.concat(R.split('中美 禁毒', '\\\\s+'), '|')", "中美|禁毒");
    expect(sb, "local t = R.split('', ',') return #t .. ':' .. t[1]", "1:");
    expect(sb, "return table.concat(R.split(',a,', ','), '|')", "|a|");
}

static void named_groups(void **state)
{
    sandbox_t *sb = *state;
    expect(sb,
           "local t = R.match_named('Mexico - Level 2: Exercise', "
           "'(?<country>.+?) - Level (?<level>\\\\d)(?<x>X)?')"
           " return show(t.country, t.level, t.x)",
           "Mexico|2|nil");
    expect(sb, "return show(R.match_named('abc', '(?<d>\\\\d)'))", "nil");
    expect(sb, "local r = R.compile('(?<k>\\\\w+)=(?<v>\\\\w+)') local t = r:match_named('x=1')"
               " return t.k .. t.v",
           "x1");
}

static void compiled_objects_have_the_same_methods(void **state)
{
    sandbox_t *sb = *state;
    expect(sb,
           "local r = R.compile('level\\\\s+(\\\\d)', 'i')\n"
           "local o = {}\n"
           "for _, t in ipairs({ 'Level 1', 'LEVEL 4', 'none' }) do o[#o + 1] = show(r:match(t)) end\n"
           "o[#o + 1] = show(r:find('x Level 3'))\n"
           "o[#o + 1] = show(r:test('level 2'), r:test('lvl'))\n"
           "o[#o + 1] = show(r:gsub('level 1, level 2', 'L$1'))\n"
           "o[#o + 1] = show(r:gsub('level 1, level 2', 'L$1', 1))\n"
           "o[#o + 1] = table.concat(r:split('a level 1 b'), '/')\n"
           "local g = {} for d in r:gmatch('level 5 level 6') do g[#g + 1] = d end\n"
           "o[#o + 1] = table.concat(g, '+')\n"
           "return table.concat(o, ' ; ')",
           "1 ; 4 ; nil ; 3|9|3 ; true|false ; L1, L2|2 ; L1, level 2|1 ; a / b ; 5+6");
    expect(sb, "return tostring(R.compile('a+b'))", "vane.regex(a+b)");
    expect(sb, "return show(getmetatable(R.compile('a')))", "false");
}

static void the_cache_gives_the_same_results(void **state)
{
    sandbox_t *sb = *state;
    /* more distinct patterns than the cache holds, twice over, with an
     * iterator outliving its pattern's eviction */
    expect(sb,
           "local it = R.gmatch('x1 x2 x3', 'x(\\\\d)')\n"
           "local first = it()\n"
           "local bad = 0\n"
           "for round = 1, 3 do\n"
           "  for i = 1, 150 do\n"
           "    local s = 'k' .. i .. '=' .. i * 2\n"
           "    local k, v = R.match(s, '(k' .. i .. ')=(\\\\d+)')\n"
           "    if k ~= 'k' .. i or tonumber(v) ~= i * 2 then bad = bad + 1 end\n"
           "    if not R.test(s, '^k' .. i .. '=') then bad = bad + 1 end\n"
           "  end\n"
           "end\n"
           "return show(bad, first, it(), it(), (it()))",
           "0|1|2|3|nil");
    expect(sb, "return show(R.compile('a(b)') == R.compile('a(b)'), R.compile('a') == R.compile('a', 'i'))",
           "true|false");
}

static void bad_patterns_and_flags_are_errors(void **state)
{
    sandbox_t *sb = *state;
    expect_error(sb, "return R.test('x', 'a(b')", "bad regex 'a(b' at offset 3:");
    expect_error(sb, "return R.find('x', '[z-a]')", "bad regex '[z-a]' at offset");
    expect_error(sb, "return R.test('x', 'x', 'q')", "bad regex flag 'q'");
    expect_error(sb, "return R.compile('x', 'iz')", "bad regex flag 'z'");
    expect_error(sb, "return R.test(nil, 'x')", "bad argument #1");
    expect_error(sb, "return R.compile('x').test('y')", "bad argument #1");
}

static void catastrophic_backtracking_fails_fast(void **state)
{
    sandbox_t *sb = *state;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    expect_error(sb, "return R.test(('a'):rep(30) .. 'b', '(a+)+$')",
                 "regex match limit exceeded for pattern '(a+)+$'");
    expect_error(sb, "return R.gsub(('x'):rep(40) .. '!', '(\\\\w+\\\\w+)+$', '')",
                 "regex match limit exceeded");
    expect_error(sb, "local r = R.compile('(a|aa)+$') return r:test(('a'):rep(60) .. 'b')",
                 "regex match limit exceeded");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (secs > 1.0)
        fail_msg("three runaway matches took %.2f s", secs);
    /* the state is usable afterwards */
    expect(sb, "return show(R.test('aab', '(a+)+b'))", "true");
}

/* A sandbox with the vane module and these limits. */
static sandbox_t *make_limited(long instructions, size_t memory)
{
    sandbox_limits_t lim = { .instructions = instructions, .memory = memory };
    err_t e = { "" };
    sandbox_t *sb = sandbox_new(&lim, &e);
    assert_non_null(sb);
    if (vanelib_install(sb, VANE_FOR_SCRIPTS, &e) != 0)
        fail_msg("vanelib_install: %s", e.msg);
    return sb;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The reproduction: a match at its limit costs the limit, so a
 * loop of them (behind pcall) exhausts the budget in a few iterations
 * instead of running for hours. */
static void matches_at_their_limit_exhaust_the_budget(void **state)
{
    (void)state;
    sandbox_t *sb = make_limited(0, 0);
    err_t e = { "" };
    double t0 = now_s();
    int rc = run(sb, "local n = 0 for i = 1, 1e7 do n = n + 1 "
                     "pcall(R.test, ('a'):rep(30) .. 'b', '(a+)+$') end return n", &e);
    double took = now_s() - t0;
    assert_int_not_equal(rc, 0);
    assert_int_equal(sandbox_failure(sb), SANDBOX_FAIL_BUDGET);
    if (!strstr(e.msg, "t.lua:") || !strstr(e.msg, "instruction budget exhausted"))
        fail_msg("%s", e.msg);
    if (took > 300.0) /* against hanging: speed is for make bench */
        fail_msg("stopped after %.2f s", took);
    print_message("vane.regex at its match limit in a loop stopped after %.3f s\n", took);
    /* ordinary matching in a loop stays well within the budget */
    expect(sb, "local n = 0 for i = 1, 2000 do if R.test('item ' .. i .. ' released', "
               "'(?i)\\\\brelease[ds]?\\\\b') then n = n + 1 end end return tostring(n)", "2000");
    sandbox_free(sb);
}

/* Compiled patterns live in PCRE2's memory: kept in a table they reach the
 * ceiling, which they could not if that memory were not counted (the Lua
 * side of each is a few dozen bytes). */
static void pcre2_memory_counts_against_the_ceiling(void **state)
{
    (void)state;
    sandbox_t *sb = make_limited(0, (size_t)8 << 20);
    lua_State *L = sandbox_lua(sb);
    err_t e = { "" };
    size_t before = sandbox_memory(sb);
    assert_int_equal(run(sb, "kept = {} for i = 1, 20 do kept[i] = R.compile('(?:ab|cd){500}' .. i) end "
                             "return true", &e), 0);
    lua_pop(L, 1);
    size_t after = sandbox_memory(sb);
    if (after < before + 20 * 5000)
        fail_msg("20 compiled patterns counted %zu bytes", after - before);
    int rc = run(sb, "local keep = {} for i = 1, 5000 do keep[i] = R.compile('(?:ab|cd){500}' .. i) end",
                 &e);
    assert_int_not_equal(rc, 0);
    assert_int_equal(sandbox_failure(sb), SANDBOX_FAIL_MEMORY);
    if (!strstr(e.msg, "t.lua:") || !strstr(e.msg, ": not enough memory (limit 8 MB)"))
        fail_msg("%s", e.msg);
    assert_true(sandbox_memory(sb) <= ((size_t)8 << 20));
    expect(sb, "return show(R.test('xab', 'ab'))", "true");
    sandbox_free(sb);
}

static void invalid_utf8_subject_is_an_error(void **state)
{
    sandbox_t *sb = *state;
    expect_error(sb, "return R.test('caf\\xE9 ok', 'ok')", "subject is not valid UTF-8 (byte 4)");
    expect_error(sb, "return R.gsub('a\\xFFb', 'a', 'x')", "subject is not valid UTF-8");
    expect_error(sb, "for x in R.gmatch('ab\\xC3', '.') do end", "subject is not valid UTF-8");
    expect_error(sb, "return R.find('été', 't', '', 2)", "not at the start of a UTF-8 character");
    /* a bad pattern byte is a compile error */
    expect_error(sb, "return R.test('x', 'x\\xFF')", "bad regex");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_at_their_limit_exhaust_the_budget),
        cmocka_unit_test(pcre2_memory_counts_against_the_ceiling),
        cmocka_unit_test_setup_teardown(find_gives_positions_and_captures, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(init_counts_like_string_find, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(match_returns_captures_or_the_match, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(caseless_works_on_non_ascii, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(chinese_patterns, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(flags_m_s_x, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(gsub_with_a_string, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(gsub_with_a_table_and_a_function, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(gmatch_iterates_and_steps_over_empty_matches, luatest_setup,
                                        luatest_teardown),
        cmocka_unit_test_setup_teardown(split_on_a_pattern, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(named_groups, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(compiled_objects_have_the_same_methods, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(the_cache_gives_the_same_results, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(bad_patterns_and_flags_are_errors, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(catastrophic_backtracking_fails_fast, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(invalid_utf8_subject_is_an_error, luatest_setup, luatest_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_pattern.c — the step-limited patterns (pattern.c) against Lua's own.
 *
 * Most checks are Lua chunks that call Lua's string.find/match/gmatch/gsub
 * (kept as orig_find etc.) and ours (P.find etc., 10,000,000 steps; Q.*
 * has 1,000) with the same arguments and require identical results,
 * errors included. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "sandbox/pattern.h"

/* Loaded into every state: test data and the comparison helpers. */
static const char PRELUDE_LUA[] =
    "-- Shared by every chunk: the data and the comparison of Lua's functions\n"
    "-- (orig_*) with the step-limited ones (P.*).\n"
    "compared = 0\n"
    "\n"
    "local function pack(...) return { n = select('#', ...), ... } end\n"
    "\n"
    "-- Runs f(...) and packs all results, or the error message. f is called\n"
    "-- through an upvalue and not as a tail call so that both versions name\n"
    "-- themselves 'f' in argument errors.\n"
    "function outcome(f, ...)\n"
    "  local args = pack(...)\n"
    "  local ok, r = pcall(function()\n"
    "    local res = pack(f(table.unpack(args, 1, args.n)))\n"
    "    return res\n"
    "  end)\n"
    "  if ok then return r end\n"
    "  return { n = 2, 'error', r }\n"
    "end\n"
    "\n"
    "local function same(a, b)\n"
    "  if a.n ~= b.n then return false end\n"
    "  for i = 1, a.n do\n"
    "    if a[i] ~= b[i] or math.type(a[i]) ~= math.type(b[i]) then return false end\n"
    "  end\n"
    "  return true\n"
    "end\n"
    "\n"
    "local function show(t)\n"
    "  local out = {}\n"
    "  for i = 1, t.n do\n"
    "    local v = t[i]\n"
    "    out[i] = (type(v) == 'string' or math.type(v) == 'integer') and string.format('%q', v) or tostring(v)\n"
    "  end\n"
    "  return '(' .. table.concat(out, ', ') .. ')'\n"
    "end\n"
    "\n"
    "-- Asserts that Lua's f and our g give the same results for the arguments.\n"
    "function check(name, f, g, ...)\n"
    "  local want, got = outcome(f, ...), outcome(g, ...)\n"
    "  if not same(want, got) then\n"
    "    error(string.format('%s%s: Lua gives %s, P gives %s', name, show(pack(...)), show(want), show(got)), 0)\n"
    "  end\n"
    "  compared = compared + 1\n"
    "  return want\n"
    "end\n"
    "\n"
    "-- All values of all iterations of a gmatch, flattened.\n"
    "function gmatch_all(gmatch, s, p, init)\n"
    "  local out, n = {}, 0\n"
    "  local it = gmatch(s, p, init)\n"
    "  for _ = 1, 200 do\n"
    "    local r = pack(it())\n"
    "    if r[1] == nil then break end\n"
    "    n = n + 1; out[n] = r.n\n"
    "    for i = 1, r.n do n = n + 1; out[n] = r[i] end\n"
    "  end\n"
    "  return table.unpack(out, 1, n)\n"
    "end\n"
    "\n"
    "patterns = {\n"
    "  '', 'a', 'abc', '.', '..', 'a*', 'a+', 'a-', 'a?', '.-', '.*', '.+', 'a.-b', 'a.*b',\n"
    "  '^a', '^', '$', '^$', 'a$', '^abc$', 'a$b', '$a', '%$', '^^', '^a*', '^.-$', 'x*$',\n"
    "  '%a+', '%A+', '%c', '%C+', '%d+', '%D+', '%g+', '%G', '%l+', '%L+', '%p+', '%P+',\n"
    "  '%s+', '%S+', '%u+', '%U+', '%w+', '%W+', '%x+', '%X+', '%z', '%.', '%%', '%-', '%]',\n"
    "  '%s*', '%w*', '%d*', '[abc]', '[^abc]', '[a-c]+', '[^a-c]+', '[%a_][%w_]*', '[%d.]+',\n"
    "  '[]]', '[^]]', '[]-a]', '[a-]', '[-a]', '[%]]', '[%-]', '[a%-z]', '[z-a]', '[^%s]+',\n"
    "  '[\\0-\\31]', '[\\128-\\255]+', '[%^]', '[^^]', '[a-c-e]', '[.]', '[%w%p]+', '[^%w%s]',\n"
    "  '(a)', '(a*)', '(a)(b)', '((a)(b))', '()', '()a()', '(a)()', '(.)%1', '(.)(.)%2%1',\n"
    "  '(a*(.)%w(%s*))', '(%w+)%s*=%s*(%w+)', '()(.)()', '(.-)$', '(h)(e)(l)(l)(o)',\n"
    "  '(%w+)', '(%w*)', '(.-)%s', '()%s*()', '%bxy', '%b()', '%b\"\"', '%b((', '%b)(',\n"
    "  '%f[%a]%a+', '%f[%w]%w+%f[%W]', '%f[%z]', '%f[^%z]', '%f[a]', '%f[^a]', '%f[%s]',\n"
    "  '%f[%l]', '%f[%w]', '([\"\\'])(.-)%1', 'a-b', 'a-$', '.-$', '[a-z]*$', '%w-%s', '%d?%d',\n"
    "  'a?b?c?', '^(a+)', '^(%s*)(.-)(%s*)$', '\\0', '%z*', '[%z]', 'a\\0', '.\\0.', '[\\0]',\n"
    "  '\\xC3\\xA9', '[\\xC3][\\xA9]', utf8.charpattern, '[\\0-\\x7F\\xC2-\\xFD][\\x80-\\xBF]*',\n"
    "  '[\\xE0-\\xEF][\\x80-\\xBF][\\x80-\\xBF]', '%u%l+', '%x%x', 'o w', 'world', '%.%d+',\n"
    "  -- malformed or otherwise erroneous\n"
    "  '%', 'a%', '[a', '[^', '[', '[]', '[%', '(', '(()', ')', 'a)', '%1', '(a)%2', '(a%1)',\n"
    "  '%0', '%b', '%bx', '%f', '%fa', '%f[a', '(a', '((a)', '[a-%', '(()%1)',\n"
    "}\n"
    "\n"
    "subjects = {\n"
    "  '', 'a', 'aaa', 'abc', 'aabbcc', 'hello world', '  padded  ', 'key = value',\n"
    "  'x = 1, y = 22', 'THE (quick) fox', 'f(a(b)c)d', 'a,b,,c', '$100.50', '^caret^', '%%',\n"
    "  'abc]def', 'a-b-c', 'tab\\there\\nnewline', '\\0a\\0', 'a\\0b', 'xyyx', 'xxyy',\n"
    "  '\"quoted\" \\'single\\'', 'h\\xC3\\xA9llo w\\xC3\\xB6rld', '\\xE6\\x97\\xA5\\xE6\\x9C\\xAC\\xE8\\xAA\\x9E',\n"
    "  'na\\xC3\\xAFve caf\\xC3\\xA9', '\\xFF\\xFE\\x80', 'CamelCaseWord', '12ab34CD', 'a.b.c', '[]]',\n"
    "  '((()))', 'ab)(', 'the end$', 'z-a',\n"
    "}\n"
    "\n"
    "inits = { 'none', 1, 2, 3, 0, -1, -2, -5, -100, 5, 100 }\n";

/* find and match, compared with Lua over all patterns, subjects and inits. */
static const char FIND_LUA[] =
    "-- find (pattern and plain) and match over every pattern, subject and init.\n"
    "for _, p in ipairs(patterns) do\n"
    "  for _, s in ipairs(subjects) do\n"
    "    for _, i in ipairs(inits) do\n"
    "      if i == 'none' then\n"
    "        check('find', orig_find, P.find, s, p)\n"
    "        check('match', orig_match, P.match, s, p)\n"
    "      else\n"
    "        check('find', orig_find, P.find, s, p, i)\n"
    "        check('find', orig_find, P.find, s, p, i, true)\n"
    "        check('find', orig_find, P.find, s, p, i, 0)\n"
    "        check('match', orig_match, P.match, s, p, i)\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "end\n"
    "-- Arguments Lua converts or rejects.\n"
    "for _, args in ipairs{\n"
    "  { 12345, 3 }, { 'x1.5y', 1.5 }, { 'abc', 'b', '2' }, { 'abc', 'b', 1.5 }, { 'abc', 'b', 'x' },\n"
    "  { nil, 'a' }, { 'a' }, { 'a', {} }, { 'abc', 'b', 2.0 }, { 'abc', 'b', math.mininteger },\n"
    "  { 'abc', 'b', math.maxinteger }, { 'abc', '', 4 }, { 'abc', '', 5 }, { '', '' },\n"
    "  { 'a.b', '.', 1, true }, { 'a.b', '.', 1, false }, { 'a.b', '.', 1, nil }, { 'a+b', '+', 1, 'yes' },\n"
    "  { 'a\\0b', '\\0' }, { 'a\\0b', 'b\\0' }, { 'a\\0b.', '\\0b.' }, { 'aaab', 'aab', 1, true },\n"
    "} do\n"
    "  check('find', orig_find, P.find, table.unpack(args, 1, 4))\n"
    "  check('match', orig_match, P.match, table.unpack(args, 1, 3))\n"
    "end\n";

/* gmatch, compared with Lua. */
static const char GMATCH_LUA[] =
    "-- gmatch over every pattern and subject, with some init values. In 5.4 a\n"
    "-- '^' does not anchor gmatch, and an empty match is not allowed where the\n"
    "-- previous match ended.\n"
    "for _, p in ipairs(patterns) do\n"
    "  for _, s in ipairs(subjects) do\n"
    "    for _, i in ipairs{ 'none', 1, 2, -2, 0, 100 } do\n"
    "      if i == 'none' then\n"
    "        check('gmatch', function(...) return gmatch_all(orig_gmatch, ...) end,\n"
    "              function(...) return gmatch_all(P.gmatch, ...) end, s, p)\n"
    "      else\n"
    "        check('gmatch', function(...) return gmatch_all(orig_gmatch, ...) end,\n"
    "              function(...) return gmatch_all(P.gmatch, ...) end, s, p, i)\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "end\n"
    "for _, c in ipairs{ { '^a^a', '^a' }, { 'aaa', '^a' }, { 'abc', '%w*' }, { 'a,b,,c', '[^,]*' },\n"
    "                   { ' a  b ', '%s*' }, { '', '' }, { 'ab', '' }, { 'abc', '()' } } do\n"
    "  local want = table.pack(gmatch_all(orig_gmatch, c[1], c[2]))\n"
    "  local got = table.pack(gmatch_all(P.gmatch, c[1], c[2]))\n"
    "  assert(want.n == got.n, c[2])\n"
    "  for k = 1, want.n do assert(want[k] == got[k], c[2]) end\n"
    "end\n"
    "-- The iterator keeps working when called from another coroutine.\n"
    "local it_orig, it_p = orig_gmatch('one two three', '%a+'), P.gmatch('one two three', '%a+')\n"
    "assert(it_orig() == it_p())\n"
    "local co = coroutine.wrap(function() return it_orig(), it_p() end)\n"
    "local a, b = co()\n"
    "assert(a == 'two' and b == 'two')\n"
    "assert(it_orig() == it_p() and it_p() == nil)\n"
    "-- An error inside a coroutine is reported there, as by Lua.\n"
    "local function resume(it)\n"
    "  return coroutine.resume(coroutine.create(function() return it() end))\n"
    "end\n"
    "local ok_orig, err_orig = resume(orig_gmatch('aaa', '(a'))\n"
    "local ok_p, err_p = resume(P.gmatch('aaa', '(a'))\n"
    "assert(not ok_orig and not ok_p and err_p == err_orig, err_p)\n"
    "assert(err_p:find('unfinished capture', 1, true))\n";

/* gsub with string, table and function replacements, compared with Lua. */
static const char GSUB_LUA[] =
    "-- gsub with every kind of replacement.\n"
    "local tbl = { a = 'A', b = false, c = {}, hello = 'HI', [1] = 'one', [2] = 2, l = 12, w = 1.5 }\n"
    "local replacements = {\n"
    "  '%0', '<%1>', '[%2]', '%%', '', 'x', '%', '%a', '%1%1', 5, 2.5, tbl,\n"
    "  function(...) return table.concat({ ... }, '|') end,\n"
    "  function() return nil end,\n"
    "  function() return false end,\n"
    "  function(x) return #tostring(x) end,\n"
    "  function(x) if x == 'l' then return {} end return x end,\n"
    "  function(x) return tostring(x):upper() end,\n"
    "}\n"
    "for _, p in ipairs(patterns) do\n"
    "  for _, s in ipairs(subjects) do\n"
    "    for _, r in ipairs(replacements) do\n"
    "      check('gsub', orig_gsub, P.gsub, s, p, r)\n"
    "    end\n"
    "    for _, n in ipairs{ 0, 1, 2, -1, 2.0, 1000 } do\n"
    "      check('gsub', orig_gsub, P.gsub, s, p, '<%0>', n)\n"
    "    end\n"
    "  end\n"
    "end\n"
    "for _, args in ipairs{\n"
    "  { 'abc', '%w*', '-' }, { 'abc', '', '-' }, { '', '', '-' }, { 'abc', '^', '>' }, { 'abc', '$', '<' },\n"
    "  { 'hello world', '%w+', '%0 %0', 1 }, { 'abc', 'b' }, { 'abc', 'b', nil }, { 'abc', 'b', true },\n"
    "  { 'abc', 'b', 'x', 1.5 }, { 'abc', 'b', 'x', 'z' }, { 12345, 3, 9 }, { 'abc', 'b', 'x', '1' },\n"
    "  { 'a b c', '%s', '%', 1 }, { 'abc', '(b)', '%2' }, { 'abc', '()b', '%1' }, { 'abc', '(b', 'x' },\n"
    "  { 'abc', '(b', '%1' }, { 'abc', '(b', { b = 1 } }, { 'abc', '.', { a = 1, b = true } },\n"
    "} do\n"
    "  check('gsub', orig_gsub, P.gsub, table.unpack(args, 1, 4))\n"
    "end\n"
    "-- A replacement function may use P itself; each call has its own budget.\n"
    "check('gsub', orig_gsub, P.gsub, 'a b c', '%a', function(x) return P.gsub(x, '.', '%0%0') end)\n"
    "-- Errors raised by a replacement function pass through unchanged.\n"
    "check('gsub', orig_gsub, P.gsub, 'abc', 'b', function() error('boom') end)\n"
    "local marker = {}\n"
    "local ok, err = pcall(P.gsub, 'abc', 'b', function() error(marker) end)\n"
    "assert(not ok and err == marker)\n";

/* Random patterns and subjects, compared with Lua. */
static const char FUZZ_LUA[] =
    "-- Random patterns from pattern pieces against random subjects.\n"
    "local pieces = { 'a', 'b', '.', '%a', '%d', '%s', '%w', '%W', '[ab]', '[^a]', '[a-c]', '[%d(]',\n"
    "                 '(', ')', '()', '%1', '%2', '*', '+', '-', '?', '^', '$', '%b()', '%f[%w]',\n"
    "                 '%f[%s]', '%', '[', ']', 'x', '%%', '%.', '1', ' ' }\n"
    "local letters = { 'a', 'b', 'c', '(', ')', ' ', '1', '.', 'x', '%' }\n"
    "math.randomseed(20240601)\n"
    "local function random_from(list, max_len)\n"
    "  local out = {}\n"
    "  for i = 1, math.random(0, max_len) do out[i] = list[math.random(#list)] end\n"
    "  return table.concat(out)\n"
    "end\n"
    "local function upper(x) return tostring(x):upper() end\n"
    "for _ = 1, 6000 do\n"
    "  local p, s = random_from(pieces, 7), random_from(letters, 12)\n"
    "  local i = math.random(-3, 4)\n"
    "  check('find', orig_find, P.find, s, p, i)\n"
    "  check('match', orig_match, P.match, s, p)\n"
    "  check('gmatch', function(...) return gmatch_all(orig_gmatch, ...) end,\n"
    "        function(...) return gmatch_all(P.gmatch, ...) end, s, p)\n"
    "  check('gsub', orig_gsub, P.gsub, s, p, '<%1>')\n"
    "  check('gsub', orig_gsub, P.gsub, s, p, upper, 2)\n"
    "end\n";

/* Backtracking blow-ups stop with an error. */
static const char CATASTROPHIC_LUA[] =
    "-- Patterns that take Lua seconds or hours are stopped by the budget.\n"
    "local subject = ('a'):rep(200)\n"
    "for _, f in ipairs{ P.find, P.match, Q.find, Q.match } do\n"
    "  local ok, err = pcall(f, subject, 'a-a-a-a-b')\n"
    "  assert(not ok and err:find('pattern too complex', 1, true), err)\n"
    "end\n"
    "local ok, err = pcall(P.gsub, subject, 'a-a-a-a-b', '')\n"
    "assert(not ok and err == 'pattern too complex (more than 10000000 steps)', err)\n"
    "ok, err = pcall(function() for _ in P.gmatch(subject, 'a-a-a-a-b') do end end)\n"
    "assert(not ok and err:find('pattern too complex (more than 10000000 steps)', 1, true), err)\n"
    "ok, err = pcall(Q.find, subject, 'a-a-a-a-b')\n"
    "assert(not ok and err == 'pattern too complex (more than 1000 steps)', err)\n"
    "-- %b scans the subject; those bytes count too.\n"
    "ok, err = pcall(P.find, ('('):rep(100000), '%b()')\n"
    "assert(not ok and err == 'pattern too complex (more than 10000000 steps)', err)\n"
    "-- So do bytes compared by a back-reference: here 1.25e9 of them, in only\n"
    "-- about 600,000 matcher steps.\n"
    "ok, err = pcall(P.find, ('a'):rep(100000), '^(a*)%1c')\n"
    "assert(not ok and err == 'pattern too complex (more than 10000000 steps)', err)\n";

/* What a budget covers. */
static const char BUDGET_LUA[] =
    "-- Each gmatch iteration has its own budget; find and gsub have one per call.\n"
    "local words = ('word '):rep(1000)\n"
    "local n = 0\n"
    "for _ in Q.gmatch(words, '%a+') do n = n + 1 end\n"
    "assert(n == 1000, n)\n"
    "local ok, err = pcall(Q.gsub, words, '%a+', 'w')\n"
    "assert(not ok and err == 'pattern too complex (more than 1000 steps)', err)\n"
    "ok, err = pcall(Q.find, words, 'x')\n"
    "assert(ok, err) -- a plain search takes no steps\n"
    "ok, err = pcall(Q.find, words, '[x]')\n"
    "assert(not ok and err == 'pattern too complex (more than 1000 steps)', err)\n"
    "-- A budget used up by one call does not affect the next.\n"
    "assert(Q.find(words, '(%a+)') == 1)\n"
    "assert(Q.gsub('a b', '%a', 'x') == 'x x')\n"
    "-- One gmatch iteration that needs more than the budget fails.\n"
    "local it = Q.gmatch(('x'):rep(2000) .. ' end', '%a+')\n"
    "ok, err = pcall(it)\n"
    "assert(not ok and err == 'pattern too complex (more than 1000 steps)', err)\n";

/* Large legitimate inputs succeed. */
static const char HEAVY_LUA[] =
    "-- Heavy but legitimate work fits in 10,000,000 steps.\n"
    "local big = ('lorem  ipsum\\t dolor\\n sit amet, '):rep(1 + (1 << 20) // 31)\n"
    "assert(#big >= 1 << 20)\n"
    "local want_s, want_n = orig_gsub(big, '%s+', ' ')\n"
    "local got_s, got_n = P.gsub(big, '%s+', ' ')\n"
    "assert(got_s == want_s and got_n == want_n)\n"
    "local count = 0\n"
    "for _ in P.gmatch(big, '%s+') do count = count + 1 end\n"
    "assert(count == want_n)\n"
    "assert(P.find(big, 'amet,%s*$') == orig_find(big, 'amet,%s*$'))\n"
    "local spaces = (' '):rep(1 << 20)\n"
    "local s, n = P.gsub(spaces, '%s+', ' ')\n"
    "assert(s == ' ' and n == 1)\n"
    "assert(select(2, P.gsub(big, '%a+', '')) == select(2, orig_gsub(big, '%a+', '')))\n";

/* The recursion limit. */
static const char DEPTH_LUA[] =
    "-- Lua's recursion limit (200 nested matches) is kept, with Lua's message.\n"
    "check('find', orig_find, P.find, ('a'):rep(300), ('a?'):rep(300))\n"
    "check('find', orig_find, P.find, ('a'):rep(300), ('a?'):rep(199))\n"
    "check('find', orig_find, P.find, ('a'):rep(300), ('a?'):rep(200))\n"
    "check('find', orig_find, P.find, ('a'):rep(300), ('a?'):rep(201))\n"
    "check('match', orig_match, P.match, ('a'):rep(300), ('(a)'):rep(30))\n"
    "check('match', orig_match, P.match, ('a'):rep(300), ('(a)'):rep(32))\n"
    "check('match', orig_match, P.match, ('a'):rep(300), ('(a)'):rep(33))\n"
    "check('match', orig_match, P.match, ('a'):rep(300), ('()'):rep(33))\n"
    "check('match', orig_match, P.match, ('ab'):rep(300), ('a*b'):rep(250))\n"
    "local ok, err = pcall(P.find, ('a'):rep(300), ('a?'):rep(300))\n"
    "assert(not ok and err == 'pattern too complex', err)\n";

/* Error messages. */
static const char ERRORS_LUA[] =
    "-- Error messages for malformed patterns and replacements, checked against\n"
    "-- both implementations.\n"
    "local cases = {\n"
    "  { P.find, orig_find, { 'a', '%' }, \"malformed pattern (ends with '%')\" },\n"
    "  { P.find, orig_find, { 'a', '[a' }, \"malformed pattern (missing ']')\" },\n"
    "  { P.find, orig_find, { 'a', '[^' }, \"malformed pattern (missing ']')\" },\n"
    "  { P.find, orig_find, { 'a', '%b' }, \"malformed pattern (missing arguments to '%b')\" },\n"
    "  { P.find, orig_find, { 'a', '%bx' }, \"malformed pattern (missing arguments to '%b')\" },\n"
    "  { P.find, orig_find, { 'a', '%f' }, \"missing '[' after '%f' in pattern\" },\n"
    "  { P.find, orig_find, { 'a', '%fa' }, \"missing '[' after '%f' in pattern\" },\n"
    "  { P.find, orig_find, { 'a', '(%1)' }, 'invalid capture index %1' },\n"
    "  { P.find, orig_find, { 'a', '(a)%2' }, 'invalid capture index %2' },\n"
    "  { P.find, orig_find, { 'a', '%0' }, 'invalid capture index %0' },\n"
    "  { P.find, orig_find, { 'a', '(a' }, 'unfinished capture' },\n"
    "  { P.match, orig_match, { 'a', 'a)' }, 'invalid pattern capture' },\n"
    "  { P.match, orig_match, { 'a', ('()'):rep(33) }, 'too many captures' },\n"
    "  { P.gsub, orig_gsub, { 'a', 'a', '%2' }, 'invalid capture index %2' },\n"
    "  { P.gsub, orig_gsub, { 'a', 'a', '%' }, \"invalid use of '%' in replacement string\" },\n"
    "  { P.gsub, orig_gsub, { 'a', 'a', '%x' }, \"invalid use of '%' in replacement string\" },\n"
    "  { P.gsub, orig_gsub, { 'a', 'a', { a = {} } }, 'invalid replacement value (a table)' },\n"
    "  { P.gsub, orig_gsub, { 'a', 'a', function() return true end }, 'invalid replacement value (a boolean)' },\n"
    "}\n"
    "for _, c in ipairs(cases) do\n"
    "  local ok, err = pcall(c[1], table.unpack(c[3]))\n"
    "  assert(not ok and err == c[4], tostring(err))\n"
    "  ok, err = pcall(c[2], table.unpack(c[3]))\n"
    "  assert(not ok and err == c[4], tostring(err))\n"
    "end\n";
static void register_table(lua_State *L, const char *name, long max_steps)
{
    lua_newtable(L);
    pattern_register(L, max_steps);
    lua_setglobal(L, name);
}

static void keep_original(lua_State *L, const char *name)
{
    char global[32];
    lua_getglobal(L, "string");
    lua_getfield(L, -1, name);
    snprintf(global, sizeof global, "orig_%s", name);
    lua_setglobal(L, global);
    lua_pop(L, 1);
}

/* Runs a chunk; a Lua error fails the test with its message. */
static void run_lua(lua_State *L, const char *name, const char *code)
{
    if (luaL_loadbuffer(L, code, strlen(code), name) != LUA_OK ||
        lua_pcall(L, 0, 0, 0) != LUA_OK)
        fail_msg("%s: %s", name, lua_tostring(L, -1));
}

static int setup(void **state)
{
    lua_State *L = luaL_newstate();
    if (L == NULL)
        return -1;
    luaL_openlibs(L);
    keep_original(L, "find");
    keep_original(L, "match");
    keep_original(L, "gmatch");
    keep_original(L, "gsub");
    register_table(L, "P", 10000000);
    register_table(L, "Q", 1000);
    run_lua(L, "=prelude", PRELUDE_LUA);
    *state = L;
    return 0;
}

static int teardown(void **state)
{
    lua_close(*state);
    return 0;
}

/* Runs a comparison chunk and reports how many results it compared. */
static void run_comparison(lua_State *L, const char *name, const char *code)
{
    run_lua(L, name, code);
    lua_getglobal(L, "compared");
    lua_Integer n = lua_tointeger(L, -1);
    lua_pop(L, 1);
    assert_true(n > 0);
    print_message("%s: %lld results identical to Lua's\n", name + 1, (long long)n);
}

static void test_find_and_match(void **state)
{
    run_comparison(*state, "=find", FIND_LUA);
}

static void test_gmatch(void **state)
{
    run_comparison(*state, "=gmatch", GMATCH_LUA);
}

static void test_gsub(void **state)
{
    run_comparison(*state, "=gsub", GSUB_LUA);
}

static void test_random_patterns(void **state)
{
    run_comparison(*state, "=fuzz", FUZZ_LUA);
}

static void test_catastrophic_patterns_stop(void **state)
{
    run_lua(*state, "=catastrophic", CATASTROPHIC_LUA);
}

static void test_budget_per_call(void **state)
{
    run_lua(*state, "=budget", BUDGET_LUA);
}

static void test_heavy_legitimate_input(void **state)
{
    run_lua(*state, "=heavy", HEAVY_LUA);
}

static void test_recursion_limit(void **state)
{
    run_comparison(*state, "=depth", DEPTH_LUA);
}

static void test_error_messages(void **state)
{
    run_lua(*state, "=errors", ERRORS_LUA);
}

/* pattern_register sets exactly the four functions and leaves the stack
 * as it found it. */
static void test_register(void **state)
{
    lua_State *L = *state;
    static const char *const names[] = {"find", "match", "gmatch", "gsub"};
    int top = lua_gettop(L);
    lua_newtable(L);
    pattern_register(L, 5);
    assert_int_equal(lua_gettop(L), top + 1);
    int count = 0;
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        assert_int_equal(lua_type(L, -1), LUA_TFUNCTION);
        assert_true(lua_iscfunction(L, -1));
        count++;
        lua_pop(L, 1);
    }
    assert_int_equal(count, 4);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        lua_getfield(L, -1, names[i]);
        assert_true(lua_iscfunction(L, -1));
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_find_and_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gmatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gsub, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_patterns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catastrophic_patterns_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget_per_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heavy_legitimate_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recursion_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

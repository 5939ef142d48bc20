/* test_vanelib.c — the `vane` library's table of parts: every row well
 * formed, scripts see only their parts, rules see them all, the data a
 * loader provides reaches its part, and what a chunk can reach is exactly
 * what the README documents. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lib/vanelib.h"
#include "util/buf.h"
#include "util/embedded.h"

#define LUA_DIR "engine/lib/lua/"

static sandbox_t *make(unsigned audience)
{
    err_t e = {""};
    sandbox_t *sb = sandbox_new(NULL, &e);
    assert_non_null(sb);
    if (vanelib_install(sb, audience, &e) != 0)
        fail_msg("vanelib_install: %s", e.msg);
    return sb;
}

/* Run src as a chunk would, with `...` the string arg; leaves one result. */
static void run(sandbox_t *sb, const char *src, const char *arg)
{
    lua_State *L = sandbox_lua(sb);
    err_t e = {""};
    sandbox_push_env(sb);
    if (sandbox_load(sb, "t.lua", src, strlen(src), -1, &e) != 0)
        fail_msg("load: %s", e.msg);
    lua_remove(L, -2);
    lua_pushstring(L, arg);
    if (sandbox_call(sb, 1, 1, "t.lua", &e) != 0)
        fail_msg("call: %s", e.msg);
}

/* Does a chunk see vane.NAME (NAME may be "PART.FIELD")? */
static int sees(sandbox_t *sb, const char *name)
{
    run(sb, "local v = vane\n"
            "for k in (...):gmatch('[^.]+') do v = v ~= nil and v[k] or nil end\n"
            "return v ~= nil\n", name);
    int seen = lua_toboolean(sandbox_lua(sb), -1);
    lua_pop(sandbox_lua(sb), 1);
    return seen;
}

static const vanelib_part_t *row_for_file(const char *file)
{
    for (const vanelib_part_t *p = vanelib_parts; p->name; p++)
        if (p->lua && strcmp(p->lua, file) == 0)
            return p;
    return NULL;
}

static void every_part_has_a_name_exactly_one_way_to_open_and_an_audience(void **state)
{
    (void)state;
    int n = 0;
    for (const vanelib_part_t *p = vanelib_parts; p->name; p++, n++) {
        assert_true(p->name[0] != '\0');
        if ((p->open != NULL) == (p->lua != NULL))
            fail_msg("vane.%s: needs a C opener or a Lua file, not %s", p->name,
                     p->open ? "both" : "neither");
        assert_true(p->audience == (VANE_FOR_SCRIPTS | VANE_FOR_RULES) ||
                    p->audience == VANE_FOR_RULES);
        if (p->lua && !embedded_find(p->lua))
            fail_msg("vane.%s: %s is not built in", p->name, p->lua);
    }
    assert_true(n > 0);
}

static void every_shipped_lua_part_has_a_row(void **state)
{
    (void)state;
    for (const embedded_file_t *f = embedded_files; f->name; f++)
        if (strncmp(f->name, LUA_DIR, strlen(LUA_DIR)) == 0 && !row_for_file(f->name))
            fail_msg("%s has no row in vanelib_parts[]", f->name);
}

static void a_scripts_state_lacks_the_rules_only_parts(void **state)
{
    (void)state;
    sandbox_t *sb = make(VANE_FOR_SCRIPTS);
    for (const vanelib_part_t *p = vanelib_parts; p->name; p++)
        if (sees(sb, p->name) != ((p->audience & VANE_FOR_SCRIPTS) != 0))
            fail_msg("a script %s vane.%s", sees(sb, p->name) ? "sees" : "misses", p->name);
    sandbox_free(sb);
}

static void a_rules_state_has_every_part(void **state)
{
    (void)state;
    sandbox_t *sb = make(VANE_FOR_RULES);
    for (const vanelib_part_t *p = vanelib_parts; p->name; p++)
        if (!sees(sb, p->name))
            fail_msg("a rule misses vane.%s", p->name);
    sandbox_free(sb);
}

static sandbox_t *installing; /* the sandbox make_phrases runs a chunk in */

/* The provided function runs when its part's turn comes: a chunk it runs
 * sees vane.phrase, above vane.phrases in the table (as phrases.lua does). */
static int make_phrases(lua_State *L)
{
    (void)L;
    run(installing, "return { note = vane.phrase and 'phrase part seen' or 'no vane.phrase' }", "");
    return 1;
}

static void provided_data_reaches_its_part_read_only(void **state)
{
    (void)state;
    err_t e = {""};
    sandbox_t *sb = sandbox_new(NULL, &e);
    assert_non_null(sb);
    lua_State *L = sandbox_lua(sb);
    installing = sb;
    lua_pushcfunction(L, make_phrases);
    vanelib_provide(L, "phrases");
    lua_createtable(L, 1, 0);
    lua_pushstring(L, "w1");
    lua_rawseti(L, -2, 1);
    vanelib_provide(L, "watches");
    assert_int_equal(vanelib_install(sb, VANE_FOR_RULES, &e), 0);
    run(sb, "return vane.phrases.note .. ' ' .. vane.watches[1] .. ' ' .. "
            "tostring(pcall(function() vane.watches[1] = 'x' end))", "");
    assert_string_equal(lua_tostring(L, -1), "phrase part seen w1 false");
    lua_pop(L, 1);
    sandbox_free(sb);
}

static void a_part_left_without_data_is_an_empty_table(void **state)
{
    (void)state;
    sandbox_t *sb = make(VANE_FOR_RULES);
    run(sb, "for _ in pairs(vane.phrases) do return false end\n"
            "return #vane.watches == 0", "");
    assert_true(lua_toboolean(sandbox_lua(sb), -1));
    sandbox_free(sb);
}

/* Compares what a chunk reaches with the README. The argument is
 * "AUDIENCE GLOBAL GLOBAL …\1README": the chunk walks the globals given
 * (those of every environment), the fields of the global tables, vane's
 * parts and their fields (not into data: vane.phrases, vane.watches, the
 * upper-case tables), and parses the README's list of the Lua basics and its
 * library table (a row whose description starts "rules only" is for rules).
 * Every part of the table of parts is read first, so a part opened on
 * first use is walked too. Returns "" when they agree, else the names only
 * one side has. */
static const char *const COMPARE =
    "local arg = ...\n"
    "local audience, globals, readme = arg:match('^(%a+) ([^\\1]*)\\1(.*)$')\n"
    "local live, doc = {}, {}\n"
    "for name in PARTS:gmatch('%S+') do local _ = vane[name] end\n"
    "for name in globals:gmatch('%S+') do\n"
    "  live[name] = true\n"
    "  local v = _ENV[name]\n"
    "  if type(v) == 'table' and name ~= '_G' and name ~= 'vane' then\n"
    "    for k in pairs(v) do live[name .. '.' .. k] = true end\n"
    "  end\n"
    "end\n"
    "for part, v in pairs(vane) do\n"
    "  live['vane.' .. part] = true\n"
    "  if type(v) == 'table' and part ~= 'phrases' and part ~= 'watches' then\n"
    "    for k in pairs(v) do live['vane.' .. part .. '.' .. k] = true end\n"
    "  end\n"
    "end\n"
    "local basics = assert(readme:match('The Lua basics:(.-)And the%s+`vane` module'))\n"
    "local lib\n"
    "doc.vane = true\n"
    "for tok in basics:gmatch('`([^`]+)`') do\n"
    "  local l = tok:match('^([%w_]+)%.')\n"
    "  if l then lib = l; doc[l] = true; doc[tok] = true\n"
    "  elseif lib then doc[lib .. '.' .. tok] = true\n"
    "  else doc[tok] = true end\n"
    "end\n"
    "local library = assert(readme:match('And the%s+`vane` module(.-)There is no `io`'))\n"
    "for line in library:gmatch('[^\\n]+') do\n"
    "  local first, second = line:match('^| (`vane[^|]-) | (.*)$')\n"
    "  if first and (audience == 'rules' or not second:match('^rules only')) then\n"
    "    local part\n"
    "    for tok in first:gmatch('`([^`]+)`') do\n"
    "      tok = tok:gsub('[%({].*$', '')\n"
    "      for piece in tok:gmatch('[^/]+') do\n"
    "        piece = piece:match('^%s*(.-)%s*$')\n"
    "        local p = piece:match('^(vane%.[%w_]+)')\n"
    "        if p then part = p; doc[p] = true; doc[piece] = true\n"
    "        else doc[part .. '.' .. piece] = true end\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "end\n"
    "local out = {}\n"
    "for k in pairs(live) do if not doc[k] then out[#out + 1] = 'reachable, not in the README: ' .. k end end\n"
    "for k in pairs(doc) do if not live[k] then out[#out + 1] = 'in the README, not reachable: ' .. k end end\n"
    "table.sort(out)\n"
    "return table.concat(out, '\\n')\n";

/* The names of every environment's globals: the environment's own fields
 * and those its metatable's __index table reads through to. */
static void global_names(sandbox_t *sb, buf_t *out)
{
    lua_State *L = sandbox_lua(sb);
    sandbox_push_env(sb);
    int env = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, env)) {
        buf_printf(out, " %s", lua_tostring(L, -2));
        lua_pop(L, 1);
    }
    assert_true(lua_getmetatable(L, env));
    assert_int_equal(lua_getfield(L, -1, "__index"), LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        buf_printf(out, " %s", lua_tostring(L, -2));
        lua_pop(L, 1);
    }
    lua_settop(L, env - 1);
}

static void reachable_names_are_the_documented_ones(unsigned audience, const char *name)
{
    sandbox_t *sb = make(audience);
    size_t len;
    char *readme = buf_read_all("README.md", &len);
    assert_non_null(readme);
    buf_t code = {0}, arg = {0};
    buf_puts(&code, "local PARTS = '");
    for (const vanelib_part_t *p = vanelib_parts; p->name; p++)
        if ((p->audience & audience) && !strchr(p->name, '.'))
            buf_printf(&code, " %s", p->name);
    buf_puts(&code, "'\n");
    buf_puts(&code, COMPARE);
    buf_puts(&arg, name);
    global_names(sb, &arg);
    buf_putc(&arg, '\1');
    buf_puts(&arg, readme);
    run(sb, buf_str(&code), buf_str(&arg));
    const char *diff = lua_tostring(sandbox_lua(sb), -1);
    if (diff[0])
        fail_msg("a %s state and the README's library differ:\n%s", name, diff);
    buf_free(&code);
    buf_free(&arg);
    free(readme);
    sandbox_free(sb);
}

static void a_script_reaches_exactly_what_the_readme_documents(void **state)
{
    (void)state;
    reachable_names_are_the_documented_ones(VANE_FOR_SCRIPTS, "scripts");
}

static void a_rule_reaches_exactly_what_the_readme_documents(void **state)
{
    (void)state;
    reachable_names_are_the_documented_ones(VANE_FOR_RULES, "rules");
}

/* The allow-list is data: every row names a part of vanelib_parts and
 * gives a reason; vane.json is exactly decode, encode and null. */
static void every_export_names_a_part_and_a_reason(void **state)
{
    (void)state;
    for (const vanelib_export_t *x = vanelib_exports; x->part; x++) {
        const vanelib_part_t *p = vanelib_parts;
        while (p->name && strcmp(p->name, x->part) != 0)
            p++;
        if (!p->name)
            fail_msg("export %s.%s: no part '%s'", x->part, x->name, x->part);
        assert_true(x->why && strlen(x->why) > 10);
    }
    sandbox_t *sb = make(VANE_FOR_SCRIPTS);
    run(sb, "local n = {} for k in pairs(vane.json) do n[#n + 1] = k end\n"
            "table.sort(n) return table.concat(n, ' ')", "");
    assert_string_equal(lua_tostring(sandbox_lua(sb), -1), "decode encode null");
    sandbox_free(sb);
}

/* Library tables cannot be changed by any means a chunk has. */
static void library_tables_are_read_only_for_real(void **state)
{
    (void)state;
    sandbox_t *sb = make(VANE_FOR_SCRIPTS);
    run(sb, "local r = {}\n"
            "for _, f in ipairs{\n"
            "  function() vane.json.decode = print end,\n"
            "  function() rawset(vane.json, 'decode', print) end,\n"
            "  function() rawset(vane, 'json', {}) end,\n"
            "  function() setmetatable(vane.url, {}) end,\n"
            "  function() getmetatable(vane.text).__index = {} end,\n"
            "  function() vane.advisory.COUNTRIES.XX = 1 end,\n"
            "} do r[#r + 1] = tostring((pcall(f))) end\n"
            "return table.concat(r, ' ') .. ' ' .. tostring(vane.json.decode ~= print)", "");
    assert_string_equal(lua_tostring(sandbox_lua(sb), -1),
                        "false false false false false false true");
    sandbox_free(sb);
}

/* decode keeps integers beyond 2^53 as their digits; encode refuses
 * what is not plain data and what would expand past its bound. */
static void json_keeps_big_integers_and_encodes_plain_data_only(void **state)
{
    (void)state;
    sandbox_t *sb = make(VANE_FOR_SCRIPTS);
    run(sb, "local t = vane.json.decode('[9007199254740993, -12345678901234567890, "
            "9007199254740992, 3, 1.5e300, \"9007199254740993\"]')\n"
            "local r = {}\n"
            "for i, v in ipairs(t) do r[i] = type(v) .. ':' .. tostring(v) end\n"
            "r[#r + 1] = select(2, pcall(vane.json.encode, { setmetatable({}, {}) }))\n"
            "local big = { ('x'):rep(1000000) }\n"
            "for _ = 1, 8 do big = { big, big } end\n"
            "r[#r + 1] = select(2, pcall(vane.json.encode, big))\n"
            "return table.concat(r, '\\n')", "");
    assert_string_equal(lua_tostring(sandbox_lua(sb), -1),
                        "string:9007199254740993\n"
                        "string:-12345678901234567890\n"
                        "number:9.007199254741e+15\n"
                        "number:3.0\n"
                        "number:1.5e+300\n"
                        "string:9007199254740993\n"
                        "vane.json.encode: a table with a metatable at [1]\n"
                        "vane.json.encode: the value would take more than 64 MB as JSON (shared "
                        "tables are written out each time they are reached)");
    sandbox_free(sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_part_has_a_name_exactly_one_way_to_open_and_an_audience),
        cmocka_unit_test(every_shipped_lua_part_has_a_row),
        cmocka_unit_test(a_scripts_state_lacks_the_rules_only_parts),
        cmocka_unit_test(a_rules_state_has_every_part),
        cmocka_unit_test(provided_data_reaches_its_part_read_only),
        cmocka_unit_test(a_part_left_without_data_is_an_empty_table),
        cmocka_unit_test(a_script_reaches_exactly_what_the_readme_documents),
        cmocka_unit_test(a_rule_reaches_exactly_what_the_readme_documents),
        cmocka_unit_test(every_export_names_a_part_and_a_reason),
        cmocka_unit_test(library_tables_are_read_only_for_real),
        cmocka_unit_test(json_keeps_big_integers_and_encodes_plain_data_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_vanelib.c — the `vane` library's table of parts: every row well
 * formed, scripts see only their parts, rules see them all, and the data a
 * loader provides reaches its part. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <lauxlib.h>

#include "lib/vanelib.h"
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_part_has_a_name_exactly_one_way_to_open_and_an_audience),
        cmocka_unit_test(every_shipped_lua_part_has_a_row),
        cmocka_unit_test(a_scripts_state_lacks_the_rules_only_parts),
        cmocka_unit_test(a_rules_state_has_every_part),
        cmocka_unit_test(provided_data_reaches_its_part_read_only),
        cmocka_unit_test(a_part_left_without_data_is_an_empty_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_json.c — canonical JSON of Lua values and reading it back. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

/* Evaluate a Lua expression and return its canonical JSON (static buffer). */
static const char *canon(const char *expr)
{
    static char out[4096];
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    char code[1024];
    snprintf(code, sizeof code, "return %s", expr);
    assert_int_equal(luaL_dostring(L, code), 0);
    buf_t b = {0};
    err_t e = {{0}};
    int rc = json_encode_lua(L, -1, &b, &e);
    snprintf(out, sizeof out, "%s", rc == 0 ? buf_str(&b) : e.msg);
    buf_free(&b);
    lua_close(L);
    return out;
}

static void object_keys_are_sorted_so_equal_tables_give_equal_text(void **state)
{
    (void)state;
    assert_string_equal(canon("{ b = 1, a = 'x', c = { z = true, y = false } }"),
                        "{\"a\":\"x\",\"b\":1,\"c\":{\"y\":false,\"z\":true}}");
}

static void sequences_are_arrays_and_empty_tables_empty_arrays(void **state)
{
    (void)state;
    assert_string_equal(canon("{ 'D', 'O' }"), "[\"D\",\"O\"]");
    assert_string_equal(canon("{}"), "[]");
    assert_string_equal(canon("{ [1] = 'a', [3] = 'c' }"), "{\"1\":\"a\",\"3\":\"c\"}");
}

static void integers_stay_integers_and_floats_floats(void **state)
{
    (void)state;
    assert_string_equal(canon("{ 3, 3.0, 0.1, -2 }"), "[3,3.0,0.1,-2]");
    assert_string_equal(canon("{ math.mininteger, -10, 0, 7, 1000000, math.maxinteger }"),
                        "[-9223372036854775808,-10,0,7,1000000,9223372036854775807]");
}

static void strings_are_escaped_and_bad_utf8_replaced(void **state)
{
    (void)state;
    assert_string_equal(canon("'a\"b\\\\c\\n\\1'"), "\"a\\\"b\\\\c\\n\\u0001\"");
    assert_string_equal(canon("'caf\\xe9 \\xe7\\x8e\\x8b'"), "\"caf\\ufffd \xe7\x8e\x8b\"");
    /* one \ufffd per maximal ill-formed subpart (util/utf8.h), not per byte */
    assert_string_equal(canon("'ab\\xe4\\xb8'"), "\"ab\\ufffd\"");
    assert_string_equal(canon("'\\xe0\\x80x'"), "\"\\ufffd\\ufffdx\"");
}

/* json_put_string appends plain runs whole: a long text of every kind of
 * piece (ASCII, multi-byte characters, escapes, ill-formed bytes) comes
 * out exactly as the pieces' escapes put end to end. */
static void long_strings_come_out_escaped_piece_by_piece(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } pieces[] = {
        {"plain ascii text ", "plain ascii text "}, {"\xc3\xa9\xe2\x80\x94", "\xc3\xa9\xe2\x80\x94"},
        {"\"", "\\\""}, {"\\", "\\\\"}, {"\n", "\\n"}, {"\x1b", "\\u001b"},
        {"\xff", "\\ufffd"}, {"\xe4\xb8", "\\ufffd"}, {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
        {"\x7f", "\x7f"},
    };
    const size_t npieces = sizeof pieces / sizeof pieces[0];
    buf_t in = {0}, want = {0}, got = {0};
    buf_putc(&want, '"');
    for (size_t i = 0; i < 20000; i++) {
        /* a stride that does not divide the count mixes every neighbour */
        size_t k = (i * 7) % npieces;
        buf_puts(&in, pieces[k].in);
        buf_puts(&want, pieces[k].out);
    }
    buf_putc(&want, '"');
    assert_int_equal(json_put_string(&got, in.p, in.len), 0);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.p, want.p, want.len);
    /* a cut character at the very end is one U+FFFD too */
    buf_reset(&got);
    assert_int_equal(json_put_string(&got, "ab\xe2\x80", 4), 0);
    assert_string_equal(buf_str(&got), "\"ab\\ufffd\"");
    buf_free(&in);
    buf_free(&want);
    buf_free(&got);
}

/* Every C0 control character is escaped: \n \t \r in their short form,
 * the others (NUL included) as \u00XX; DEL and the rest of ASCII pass as
 * they are. */
static void control_characters_are_escaped_one_by_one(void **state)
{
    (void)state;
    buf_t got = {0};
    char want[16];
    for (int c = 0; c < 0x20; c++) {
        char s[3] = {'a', (char)c, 'b'};
        buf_reset(&got);
        assert_int_equal(json_put_string(&got, s, 3), 0);
        const char *mid = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
        if (mid)
            snprintf(want, sizeof want, "\"a%sb\"", mid);
        else
            snprintf(want, sizeof want, "\"a\\u%04xb\"", c);
        assert_string_equal(buf_str(&got), want);
    }
    buf_reset(&got);
    assert_int_equal(json_put_string(&got, "~\x7f ", 3), 0);
    assert_string_equal(buf_str(&got), "\"~\x7f \"");
    buf_free(&got);
}

/* A run of a megabyte is copied whole, an escape or a bad byte at either
 * end of it included; an empty string is "". */
static void long_plain_runs_are_copied_exactly_with_escapes_at_their_ends(void **state)
{
    (void)state;
    const size_t n = 1000 * 1000;
    char *in = malloc(n + 2);
    assert_non_null(in);
    for (size_t i = 0; i < n + 2; i++)
        in[i] = (char)('a' + i % 26);
    buf_t got = {0};
    assert_int_equal(json_put_string(&got, in + 1, n), 0);
    assert_int_equal(got.len, n + 2);
    assert_memory_equal(got.p + 1, in + 1, n);
    assert_true(got.p[0] == '"' && got.p[n + 1] == '"');
    in[0] = '"';
    in[n + 1] = '\xff';
    buf_reset(&got);
    assert_int_equal(json_put_string(&got, in, n + 2), 0);
    assert_int_equal(got.len, n + 2 + 2 + 6);
    assert_memory_equal(got.p, "\"\\\"", 3);
    assert_memory_equal(got.p + 3, in + 1, n);
    assert_string_equal(got.p + 3 + n, "\\ufffd\"");
    buf_reset(&got);
    assert_int_equal(json_put_string(&got, "", 0), 0);
    assert_string_equal(buf_str(&got), "\"\"");
    buf_free(&got);
    free(in);
}

/* Well-formed UTF-8 of every length passes as it is, and a character cut
 * or overlong in the middle of a run is one U+FFFD between the runs. */
static void utf8_passes_whole_and_bad_subparts_split_the_run(void **state)
{
    (void)state;
    buf_t got = {0};
    const char *ok = "A\xc3\xa9\xe7\x8e\x8b\xf0\x9f\x98\x80Z";
    assert_int_equal(json_put_string(&got, ok, strlen(ok)), 0);
    assert_string_equal(buf_str(&got), "\"A\xc3\xa9\xe7\x8e\x8b\xf0\x9f\x98\x80Z\"");
    const char *bad = "ab\xc0\xaf" "cd\xed\xa0\x80" "ef\xf4\x90\x80\x80gh";
    buf_reset(&got);
    assert_int_equal(json_put_string(&got, bad, strlen(bad)), 0);
    assert_string_equal(buf_str(&got), "\"ab\\ufffd\\ufffdcd\\ufffd\\ufffd\\ufffdef"
                                       "\\ufffd\\ufffd\\ufffd\\ufffdgh\"");
    buf_free(&got);
}

/* A refused value is named by the whole way to it, through objects and
 * arrays; objects of many keys and of number keys come out sorted. */
static void refused_values_are_named_by_their_full_path(void **state)
{
    (void)state;
    assert_non_null(strstr(canon("{ a = { { b = 1 }, { c = print } } }"), "field 'a[2].c'"));
    assert_non_null(strstr(canon("{ { 1 }, { x = 0/0 } }"), "field '[2].x'"));
    assert_non_null(strstr(canon("{ [2.5] = { y = print }, z = 1 }"), "field '2.5.y'"));
    assert_non_null(strstr(canon("{ print }"), "field '[1]'"));
    assert_string_equal(canon("{ [1] = 'a', [2.5] = 'b', x = 'c', [-1] = 'd' }"),
                        "{\"-1\":\"d\",\"1\":\"a\",\"2.5\":\"b\",\"x\":\"c\"}");
    const char *many = canon("(function() local t = {} for i = 1, 40 do t['k' .. i] = i end return t end)()");
    char want[1024] = "{";
    const char *sorted[40];
    char names[40][16];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "k%d", i + 1);
        sorted[i] = names[i];
    }
    for (int i = 1; i < 40; i++) /* insertion sort, bytewise */
        for (int j = i; j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0; j--) {
            const char *t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    for (int i = 0; i < 40; i++) {
        size_t len = strlen(want);
        snprintf(want + len, sizeof want - len, "%s\"%s\":%s", i ? "," : "", sorted[i], sorted[i] + 1);
    }
    strcat(want, "}");
    assert_string_equal(many, want);
}

static void functions_and_cycles_are_refused_with_their_path(void **state)
{
    (void)state;
    assert_non_null(strstr(canon("{ a = { b = print } }"), "a.b"));
    assert_non_null(strstr(canon("(function() local t = {} t.t = t return t end)()"), "nested"));
    assert_non_null(strstr(canon("{ x = 0/0 }"), "not finite"));
}

/* cjson's null (a NULL light userdata) is stored as JSON null; any other
 * light userdata is refused. */
static void json_null_is_stored_as_null(void **state)
{
    (void)state;
    lua_State *L = luaL_newstate();
    buf_t b = {0};
    err_t e = {{0}};
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, 1);
    lua_rawseti(L, -2, 1);
    lua_pushlightuserdata(L, NULL);
    lua_rawseti(L, -2, 2);
    assert_int_equal(json_encode_lua(L, -1, &b, &e), 0);
    assert_string_equal(buf_str(&b), "[1,null]");
    lua_pushlightuserdata(L, &b);
    lua_rawseti(L, -2, 2);
    buf_reset(&b);
    assert_int_not_equal(json_encode_lua(L, -1, &b, &e), 0);
    assert_non_null(strstr(e.msg, "userdata"));
    buf_free(&b);
    lua_close(L);
}

static void decoding_gives_back_the_same_values(void **state)
{
    (void)state;
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    err_t e = {{0}};
    const char *text = "{\"level\":3,\"n\":[\"D\",\"O\"],\"s\":\"\\u738b\\ud83d\\ude00\",\"f\":1.5}";
    assert_int_equal(json_decode_lua(L, text, strlen(text), &e), 0);
    lua_setglobal(L, "t");
    assert_int_equal(luaL_dostring(L, "assert(math.type(t.level) == 'integer' and t.level == 3)"
                                      "assert(t.n[2] == 'O' and t.f == 1.5)"
                                      "assert(t.s == '\\u{738b}\\u{1F600}')"), 0);
    assert_int_equal(json_decode_lua(L, "[1,", 3, &e), -1);
    assert_int_equal(lua_gettop(L), 0);
    lua_close(L);
}

static void deep_nesting_is_refused(void **state)
{
    (void)state;
    lua_State *L = luaL_newstate();
    char deep[2001];
    memset(deep, '[', 1000);
    memset(deep + 1000, ']', 1000);
    deep[2000] = '\0';
    err_t e = {{0}};
    assert_int_equal(json_decode_lua(L, deep, 2000, &e), -1);
    assert_non_null(strstr(e.msg, "deep"));
    lua_close(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(object_keys_are_sorted_so_equal_tables_give_equal_text),
        cmocka_unit_test(sequences_are_arrays_and_empty_tables_empty_arrays),
        cmocka_unit_test(integers_stay_integers_and_floats_floats),
        cmocka_unit_test(strings_are_escaped_and_bad_utf8_replaced),
        cmocka_unit_test(long_strings_come_out_escaped_piece_by_piece),
        cmocka_unit_test(control_characters_are_escaped_one_by_one),
        cmocka_unit_test(long_plain_runs_are_copied_exactly_with_escapes_at_their_ends),
        cmocka_unit_test(utf8_passes_whole_and_bad_subparts_split_the_run),
        cmocka_unit_test(refused_values_are_named_by_their_full_path),
        cmocka_unit_test(functions_and_cycles_are_refused_with_their_path),
        cmocka_unit_test(json_null_is_stored_as_null),
        cmocka_unit_test(decoding_gives_back_the_same_values),
        cmocka_unit_test(deep_nesting_is_refused),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}

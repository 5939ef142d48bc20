/* test_phrase.c — vane.phrase through Lua in a sandbox: whole words at both
 * ends, a trailing * for a prefix, inflections through the Snowball stemmer
 * (and agent nouns kept apart), Traditional Chinese read as Simplified,
 * clause breaks, cues that govern an act before or after it, find_near,
 * and what does not match (non-strings, bad entries). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "sandbox/sandbox.h"
#include "lib/vanelib.h"
#include "luatest.h"

/* Every snippet may use F(text, list, cues) and N(text, list, cues): the
 * entry found (or "nil"), by find and find_near. */
static const char prelude[] =
    "local P = vane.phrase\n"
    "local function F(t, l, c) return tostring(P.find(t, l, c)) end\n"
    "local function N(t, l, c) return tostring(P.find_near(t, l, c)) end\n";

/* Run prelude + src; its one result is left on the stack on success. */
static int run(sandbox_t *sb, const char *src, err_t *e)
{
    return luatest_value(sb, prelude, src, e);
}

static void expect(sandbox_t *sb, const char *src, const char *want)
{
    err_t e = {""};
    if (run(sb, src, &e) != 0)
        fail_msg("%s\n-> error: %s", src, e.msg);
    lua_State *L = sandbox_lua(sb);
    const char *got = lua_tostring(L, -1);
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s\n-> got  %s\n   want %s", src, got ? got : "(not a string)", want);
    lua_pop(L, 1);
}

static void whole_words_at_both_ends(void **state)
{
    expect(*state, "return F('Captivity to Freedom: Americans Released', {'freed'})", "nil");
    expect(*state, "return F('Americans Freed from Prison', {'freed'})", "freed");
    expect(*state, "return F('Meeting with UN High Commissioner for Refugees', {'commission'})", "nil");
    expect(*state, "return F('Advisory Commission on Public Diplomacy', {'commission'})", "commission");
    expect(*state, "return F('Prisoner exchange', {'prison'})", "nil");
    expect(*state, "return F('Commissioners meet', {'commissioner'})", "commissioner");
    expect(*state, "return F('recall of the envoy', {'call'})", "nil");
    expect(*state, "return F('U.S.-China Counternarcotics', {'us china'})", "nil");
    expect(*state, "return F('U.S.-China Counternarcotics', {'u.s.-china'})", "u.s.-china");
    expect(*state, "return F('US , China talks', {'us china'})", "nil");
}

static void a_trailing_star_asks_for_a_prefix(void **state)
{
    expect(*state, "return F('ICE carries out repatriation flights', {'repatriat*'})", "repatriat*");
    expect(*state, "return F('Fugitive repatriated', {'repatriat*'})", "repatriat*");
    expect(*state, "return F('Captivity to Freedom', {'free*'})", "free*");
    expect(*state, "return F('Removals rise', {'removal*'})", "removal*");
    expect(*state, "return F('Passenger removed from flight', {'removal*'})", "nil");
    expect(*state, "return F('Working Groups', {'working gr*'})", "working gr*");
}

static void inflections_through_the_stemmer(void **state)
{
    expect(*state, "return P.stem('extradite extradites extradited extraditing')",
           "extradit extradit extradit extradit");
    expect(*state, "return P.stem('remove removes removed 2nd 中文 u s')", "remov remov remov 2nd 中文 u s");
    expect(*state, "return P.stem('commissioner commissioners prisoner border')",
           "commissioner commissioner prisoner border");
    expect(*state, "return P.stem(42) .. '|' .. P.stem('')", "42|");
    expect(*state, "return F('Mexico Extradites Cartel Leader', {'extradited'})", "extradited");
    expect(*state, "return F('ICE removes suspect', {'remove'})", "remove");
    expect(*state, "return F('Suspect removed by ICE', {'removes'})", "removes");
    expect(*state, "return F('Canadians Denied Entry', {'deny entry'})", "deny entry");
    expect(*state, "return P.key('Fugitives Extradited, Officials Say')", " fugit extradit | offici say ");
}

static void traditional_is_read_as_simplified(void **state)
{
    expect(*state, "return P.t2s('盤查 留學生 包機 班機')", "盘查 留学生 包机 班机");
    expect(*state, "return P.t2s('plain ASCII')", "plain ASCII");
    /* what is not well-formed UTF-8, or holds a NUL, is left as it is */
    expect(*state, "return tostring(P.t2s('\\255盤查') == '\\255盤查' and P.t2s('盤\\0查') == '盤\\0查')", "true");
    expect(*state, "return F('中國留學生赴美遭無端盤查', {'盘查'})", "盘查");
    expect(*state, "return F('美国再次包机遣返', {'包機遣返'})", "包機遣返");
    expect(*state, "return F('美國11/16又派遣返班機', {'遣返班机'})", "遣返班机");
    expect(*state, "return F('中国外交部', {'遣返'})", "nil");
}

static void a_phrase_stays_in_its_clause(void **state)
{
    expect(*state, "return F('Extradition, Officials Say', {'extradition official'})", "nil");
    expect(*state, "return F('Slovenia – U.S. Strategic Dialogue', {'slovenia u s'})", "nil");
    expect(*state, "return F('Slovenia – U.S. Strategic Dialogue', {'u s strategic dialogue'})",
           "u s strategic dialogue");
    expect(*state, "return F('中使馆：已向美方提出', {'中使馆已向'})", "nil");
}

static const char cues[] =
    "local C = { before = { \"won't\", 'promises to', 'efforts to', '拒绝' }, after = { 'treaty', 'hearing' } }\n";

static void cues_govern_an_act_before_or_after_it(void **state)
{
    char src[1024];
    struct {
        const char *call, *want;
    } cases[] = {
        {"F(\"U.S. fugitive won't be extradited\", {'extradite'}, C)", "nil"},
        {"F('Iraq promises to release one of two prisoners', {'release'}, C)", "nil"},
        {"F('US Blocking Chinese Efforts To Repatriate Fugitives', {'repatriate'}, C)", "nil"},
        {"F('New Extradition Treaty Signed', {'extradition'}, C)", "nil"},
        {"F('UK Bankers Begin Extradition Hearing', {'extradite'}, C)", "nil"},
        {"F('Suspect extradited to Texas', {'extradite'}, C)", "extradite"},
        /* a clause break ends a cue's reach */
        {"F(\"Mexico won't comment; fugitive extradited\", {'extradite'}, C)", "extradite"},
        /* five words between: too far to govern */
        {"F(\"We won't say whether the suspect was extradited\", {'extradite'}, C)", "extradite"},
        /* one occurrence governed, one not: the act counts */
        {"F(\"Won't extradite, then extradited\", {'extradite'}, C)", "extradite"},
        {"F('美方拒绝将逃犯引渡', {'引渡'}, C)", "nil"},
        {"F('外交部拒绝评论，嫌犯已被引渡', {'引渡'}, C)", "引渡"},
        {"F('Extradition treaty', {'extradition'})", "extradition"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(src, sizeof src, "%sreturn %s", cues, cases[i].call);
        expect(*state, src, cases[i].want);
    }
}

static void find_near_wants_the_cue(void **state)
{
    const char *C = "local C = { before = { 'deny', 'refuse', 'ice' } }\n";
    char src[512];
    snprintf(src, sizeof src, "%sreturn N('Canadians denied US entry', {'entry'}, C)", C);
    expect(*state, src, "entry");
    snprintf(src, sizeof src, "%sreturn N(\"Chemical Weapons Convention's Entry into Force\", {'entry'}, C)", C);
    expect(*state, src, "nil");
    snprintf(src, sizeof src, "%sreturn N(\"Tracking ICE's Death Flights\", {'flight'}, C)", C);
    expect(*state, src, "flight");
    expect(*state, "return N('denied entry', {'entry'})", "nil");
}

static void what_matches_nothing(void **state)
{
    expect(*state, "return F(nil, {'a'}) .. F(42, {'a'}) .. F('', {'a'}) .. F('a', nil)", "nilnilnilnil");
    expect(*state, "return F('text', {'', '   ', '*', ',;'})", "nil");
    err_t e = {""};
    assert_int_not_equal(run(*state, "return F('text', {'a', 7})", &e), 0);
    assert_non_null(strstr(e.msg, "phrase list entry 2 is a number, not a string"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(whole_words_at_both_ends, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(a_trailing_star_asks_for_a_prefix, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(inflections_through_the_stemmer, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(traditional_is_read_as_simplified, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(a_phrase_stays_in_its_clause, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(cues_govern_an_act_before_or_after_it, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(find_near_wants_the_cue, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(what_matches_nothing, luatest_setup, luatest_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_advisory.c — vane.advisory as the advisory scripts use it, in a
 * sandbox: the change notes of the real State Department feed in every
 * wording its captures hold and more (letters added, removed, neither),
 * the country table (codes, names without a code, shared codes, unknown
 * codes, a source's own entries), levels from the Threat-Level category,
 * entries without a level, and one advisory per key. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "luatest.h"

/* Run src with `body` set; a Lua error fails the test with its message. */
static void check(sandbox_t *sb, const char *body, const char *src)
{
    err_t e = { "" };
    if (luatest_run(sb, NULL, body, body ? strlen(body) : 0, NULL, src, &e) != 0)
        fail_msg("%s\n-> %s", body ? body : src, e.msg);
}

typedef struct note {
    const char *html;
    const char *want; /* added letters, "|", removed letters */
} note_t;

static const note_t notes[] = {
    /* the wordings of the real captures (2025-10-07, 2025-10-08, 2026-10-03) */
    { "<p><b>There were no changes to the Travel Advisory Level. &nbsp;The &#8220;Crime&#8221; "
      "risk indicator was added.&nbsp; Advisory summary was updated.</b></p>", "C|" },
    { "<p>Updated to reflect lowering the Travel Advisory Level from Level 3 to Level 1 due to "
      "ongoing recovery efforts and removal of the Natural Disaster (N) indicator.</p>", "|N" },
    { "<p><b><i>Reissued Language: There were no changes to the advisory level or risk "
      "indicators. Advisory summary was updated.</i></b></p>", "|" },
    { "<p>Updated to add risk indicator for kidnapping .</p>", "K|" },
    { "<p>The advisory level was increased to 2. The \xe2\x80\x9cunrest\xe2\x80\x9d risk "
      "indicator was added. An area of increased risk was added.</p>", "U|" },
    { "<p>Updated to reflect the addition of health and civil unrest indicators.</p>", "HU|" },
    { "<p>Updated with additional detail about multiple risks and addition of the health "
      "indicator.</p>", "H|" },
    { "<p>Updated to remove Crime indicator and to include area-specific Level 3 advisory for "
      "the border with Eritrea.</p>", "|C" },
    { "<p>There was no change to the advisory level. The \"Other\xe2\x80\x9d risk indicator was "
      "added. Advisory summary was updated.</p>", "O|" },
    { "<p>Updated after periodic review to include an H indicator for health.</p>", "H|" },
    { "<p>Updated to reflect change in Travel Advisory from a Level 3 to a Level 2 and removing "
      "the \xe2\x80\x9c" "E\xe2\x80\x9d (time-limited event) indicator related to the catastrophic "
      "2023 fuel depot explosion.</p>", "|E" },
    { "<p>Updated to reflect addition of health risk indicator and update to \xe2\x80\x9cIf you "
      "decide to travel\xe2\x80\x9d section.</p>", "H|" },
    { "<p>Reissued after addition of terrorism indicator.</p>", "T|" },
    { "<p>Updated to include a risk indicator for health and to reflect additional safety and "
      "security information.</p>", "H|" },
    { "<p>Updated to include a risk indicator for health and updates to crime.</p>", "H|" },
    { "<p>Updated to reflect the addition of a risk indicator for health and additional "
      "information about travel to border areas.</p>", "H|" },
    { "<p>Reissued to update information on Crime, Terrorism, and Kidnapping. Risks due to "
      "Maritime Crime (Other) is removed.</p>", "|O" },
    { "<p>Updated to reflect changes to risk indicators, restrictions on U.S. government "
      "personnel, and the \xe2\x80\x9c If you decide to travel to Burma\xe2\x80\x9d section.</p>", "|" },
    { "<p>Updated to reflect Travel Advisory Level Change from 1 to a 2 due to Terrorism, Crime, "
      "Civil Unrest, and Kidnapping.</p>", "|" },
    { "<p>The advisory level was increased to Level 3. There were no changes to the risk "
      "indicators.</p>", "|" },
    /* wordings the captures do not hold */
    { "<p>Reissued with updates to the \xe2\x80\x9cWrongful Detention\xe2\x80\x9d risk "
      "indicator.</p>", "|" },
    { "<p>The Crime and Terrorism indicators were added.</p>", "CT|" },
    { "<p>Updated to add the Kidnapping or Hostage-Taking (K) and Wrongful Detention (D) "
      "indicators.</p>", "DK|" },
    { "<p>The Crime indicator was added and the Terrorism indicator was removed.</p>", "C|T" },
    { "<p>Removed the \xe2\x80\x9cHealth\xe2\x80\x9d (H) risk indicator.</p>", "|H" },
    { "<p>Crime and terrorism indicators added; unrest indicator removed.</p>", "CT|U" },
    { "<p>The health indicator was not removed.</p>", "|" },
    { "<p>The following risk indicators were added: Crime, Terrorism.</p>", "CT|" },
    { "<p>Risk indicators removed: Crime (C), Health (H). Advisory summary was updated.</p>",
      "|CH" },
    { "<p>Reissued Statement: The \xe2\x80\x9c" "Crime\xe2\x80\x9d risk indicator was added.</p>",
      "C|" },
    { "<p>Updated: the Health indicator.</p>", "|" },
    { "<p>Updated to include information on crime.</p>", "|" },
    { "<p>Reissued after periodic review without changes.</p>", "|" },
    /* where the note is: the head paragraph, after a label, or before a list */
    { "<p>Reissued after periodic review.</p><p>The Crime risk indicator was added.</p>", "|" },
    { "<p><b>Last Update:</b></p><p>The Crime risk indicator was added.</p>", "C|" },
    { "The \xe2\x80\x9cTerrorism\xe2\x80\x9d risk indicator was added.<ul><li>Crime (C)</li></ul>",
      "T|" },
    { "<p>Reissued.</p><p><b>Risk indicators</b></p><ul class=\"risk-indicators\"><li>Crime "
      "(C)</li></ul>", "|" },
    { "", "|" },
};

static void change_notes_in_every_wording(void **state)
{
    char src[512];
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
        snprintf(src, sizeof src,
                 "local a, r = vane.advisory.change_note(body)\n"
                 "local got = table.concat(a) .. '|' .. table.concat(r)\n"
                 "if got ~= '%s' then error('got ' .. got .. ', wanted %s', 0) end\n",
                 notes[i].want, notes[i].want);
        check(*state, notes[i].html, src);
    }
}

static void a_source_adds_indicator_words(void **state)
{
    check(*state, "<p>The arbitrary detention indicator was instituted.</p>",
          "local plain = { vane.advisory.change_note(body) }\n"
          "assert(#plain[1] == 0, 'shipped words know neither')\n"
          "local ctx = vane.advisory.context{ indicator_names = { ['Arbitrary Detention'] = 'd' },\n"
          "                                  indicator_verbs = { added = { 'instituted' } } }\n"
          "local a, r = vane.advisory.change_note(body, ctx.wording)\n"
          "assert(table.concat(a) == 'D' and #r == 0, table.concat(a))\n");
}

static void countries_by_code_name_and_shared_code(void **state)
{
    check(*state, NULL,
          "local A = vane.advisory\n"
          "local see = 'Mainland China, Hong Kong & Macau - See Summaries - Level 3: Reconsider Travel'\n"
          "local it, coded = A.item{ title = see, code = 'MC', level = 'Level 3: Reconsider Travel' }\n"
          "assert(it.key == 'MC' and it.country == 'Macau' and it.level == 3 and coded, it.key)\n"
          "assert(it.label == 'Reconsider Travel', it.label)\n"
          "it = A.item{ title = see:gsub('Level 3: Reconsider', 'Level 2: Exercise Increased'), code = 'hk' }\n"
          "assert(it.key == 'HK' and it.country == 'Hong Kong' and it.level == 2, it.key)\n"
          "it, coded = A.item{ title = 'Macau - Level 3: Reconsider Travel' }\n"
          "assert(it.key == 'MC' and it.code == 'MC' and not coded, it.key)\n"
          "it = A.item{ title = 'Mainland China, Hong Kong & Macau - See Summaries - Level 2: X' }\n"
          "assert(it.key == 'CH' and it.country == 'China', it.key)\n"
          "it = A.item{ title = 'Cote d Ivoire - Level 2: Exercise Increased Caution', code = 'IV' }\n"
          "assert(it.country == \"Cote d'Ivoire\", it.country)\n"
          "it = A.item{ title = 'C\\u{F4}te d\\u{2019}Ivoire - Level 2: X' }\n"
          "assert(it.key == 'IV', it.key)\n"
          "it = A.item{ title = 'Mexico Travel Advisory - Level 2: X', code = 'MX' }\n"
          "assert(it.key == 'MX' and it.country == 'Mexico', it.country)\n"
          "local b = A.item{ title = 'Bonaire - Level 1: Exercise Normal Precautions', code = 'A1' }\n"
          "local s = A.item{ title = 'Sint Eustatius - Level 1: X', code = 'A1' }\n"
          "assert(b.key == 'A1:bonaire' and b.country == 'Bonaire', b.key)\n"
          "assert(s.key == 'A1:sint eustatius' and s.country == 'Sint Eustatius', s.key)\n");
}

static void levels_from_the_category_first_and_entries_without_one(void **state)
{
    check(*state, NULL,
          "local A = vane.advisory\n"
          "local it = A.item{ title = 'Haiti - Level 3: Reconsider Travel', code = 'HA',\n"
          "                   level = 'Level 4: Do Not Travel' }\n"
          "assert(it.level == 4 and it.label == 'Do Not Travel', it.level)\n"
          "it = A.item{ title = 'Haiti - Level 3: Reconsider Travel', code = 'HA', level = 'soon' }\n"
          "assert(it.level == 3, 'the title when the category does not read')\n"
          "it = A.item{ title = 'Worldwide Caution', html = '<p>Exercise caution.</p>' }\n"
          "assert(it.key == 'name:worldwide caution' and it.level == nil, it.key)\n"
          "assert(it.country == 'Worldwide Caution' and it.summary == 'Exercise caution.')\n");
}

static void unknown_codes_and_a_sources_own_table(void **state)
{
    buf_t w = { 0 };
    check(*state, NULL,
          "local it = vane.advisory.item{ title = 'Atlantis - Level 1: X', code = 'QQ' }\n"
          "assert(it.key == 'QQ' and it.country == 'Atlantis', it.key)\n");
    luatest_warnings(*state, &w);
    assert_non_null(strstr(w.p, "country code QQ ('Atlantis') is not in the country table"));
    buf_free(&w);
    check(*state, NULL,
          "local ctx = vane.advisory.context{ countries = { QQ = { 'Atlantis', 'Lost City' },\n"
          "                                                 MC = 'Macao SAR' } }\n"
          "local it = vane.advisory.item({ title = 'Lost City - Level 1: X' }, ctx)\n"
          "assert(it.key == 'QQ' and it.country == 'Atlantis', it.key)\n"
          "it = vane.advisory.item({ title = 'Macau - Level 3: X' }, ctx)\n"
          "assert(it.key == 'MC' and it.country == 'Macao SAR', it.country)\n"
          "it = vane.advisory.item({ title = 'Macau - Level 3: X' })\n"
          "assert(it.country == 'Macau', 'the shipped table is unchanged')\n");
    luatest_warnings(*state, &w);
    assert_true(w.len == 0);
    buf_free(&w);
}

static void one_advisory_per_key(void **state)
{
    buf_t w = { 0 };
    check(*state, NULL,
          "local A = vane.advisory\n"
          "local list = {}\n"
          "local function add(t, code, link, published)\n"
          "  local it, coded = A.item{ title = t, code = code, link = link, published = published }\n"
          "  list[#list + 1] = { item = it, coded = coded }\n"
          "end\n"
          "add('Macau - Level 3: Reconsider Travel', nil, 'macau.html', '2026-09-05T00:00:00Z')\n"
          "add('Mainland China, Hong Kong & Macau - See Summaries - Level 3: Reconsider Travel', 'MC', 'macau1.html', '2026-09-04T00:00:00Z')\n"
          "add('Iraq - Level 4: Do Not Travel', 'IZ', 'iraq-old.html', '2026-08-01T00:00:00Z')\n"
          "add('Iraq - Level 4: Do Not Travel', 'IZ', 'iraq.html', '2026-08-29T00:00:00Z')\n"
          "local out = A.unique(list)\n"
          "assert(#out == 2, #out)\n"
          "assert(out[1].key == 'MC' and out[1].link == 'macau1.html', 'the one with the code')\n"
          "assert(out[2].key == 'IZ' and out[2].link == 'iraq.html', 'then the newer')\n");
    luatest_warnings(*state, &w);
    assert_non_null(strstr(w.p, "Macau: two advisories with the key MC; kept"));
    assert_non_null(strstr(w.p, "left out 'Macau - Level 3: Reconsider Travel' (macau.html)"));
    assert_non_null(strstr(w.p, "Iraq: two advisories with the key IZ"));
    buf_free(&w);
}

static void names_compare_normalised(void **state)
{
    check(*state, NULL,
          "local n = vane.advisory.normal_name\n"
          "assert(n('C\\u{F4}te d\\u{2019}Ivoire') == 'cote d ivoire', n('C\\u{F4}te d\\u{2019}Ivoire'))\n"
          "assert(n('The Bahamas') == 'bahamas')\n"
          "assert(n('Trinidad & Tobago') == n('Trinidad and Tobago'))\n"
          "assert(n('CURA\\u{C7}AO') == 'curacao', n('CURA\\u{C7}AO'))\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(change_notes_in_every_wording),
        cmocka_unit_test(a_source_adds_indicator_words),
        cmocka_unit_test(countries_by_code_name_and_shared_code),
        cmocka_unit_test(levels_from_the_category_first_and_entries_without_one),
        cmocka_unit_test(unknown_codes_and_a_sources_own_table),
        cmocka_unit_test(one_advisory_per_key),
        cmocka_unit_test(names_compare_normalised),
    };
    return cmocka_run_group_tests(tests, luatest_setup, luatest_teardown);
}

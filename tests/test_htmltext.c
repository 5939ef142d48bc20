/* test_htmltext.c — plain text out of HTML, through both doors: the C
 * reader (htmltext_to_text, which vane.feed uses) and vane.text.to_text
 * (what scripts and rules call). Every fixture in tests/fixtures/html/ must
 * have its expected text here, and both doors must give exactly that, so
 * the two can never drift apart. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <string.h>

#include "luatest.h"
#include "util/htmltext.h"

#define FIXTURES "tests/fixtures/html/"

static const struct {
    const char *file;
    const char *text;
} expected[] = {
    {"blocks_and_spaces.html",
     "Title Head one two three a b c1 c2 inline words staytogether a < b and c quoted raw & "
     "nbsp: thin: ideographic: end spaces afterstyled torn"},
    {"entities.html",
     "Fish & chips <b> \"q\" 'a' & < caf\xc3\xa9 na\xc3\xafve \xc2\xa9 \xc2\xbd \xc3\xbf \xc3\x9f "
     "\xe2\x82\xac \xe2\x80\xa6 \xe2\x80\x99s \xe2\x80\x94 \xe2\x80\x93 \xe2\x84\xa2 \xe2\x89\xa4 "
     "\xe2\x89\xa0 \xe2\x88\x9e ABC \xe2\x80\x99 \xe2\x80\x99 \xe2\x80\x99 \xe2\x80\x93 \xc2\x81 "
     "\xf0\x9f\x98\x80 bad: \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd &#99999999999; [&bogus;] [&amp] "
     "[&#;] [&#x;] [&#12a;] [& ] [&&] twice: &lt; &amp;"},
    {"utf8_late_meta_gb2312.html",
     "\xe5\x8f\x91\xe8\xa8\x80\xe4\xba\xba\xe8\xa1\xa8\xe6\x80\x81 \xe7\x8e\x8b\xe5\x96\x86 "
     "Gr\xc3\xbc\xc3\x9f" "e one"},
    {"utf8_meta_latin1.html",
     "Caf\xc3\xa9 \xe2\x80\x93 na\xc3\xafve \xe2\x80\x99quotes\xe2\x80\x99 Gr\xc3\xbc\xc3\x9f" "e aus "
     "M\xc3\xbcnchen, \xe7\x8e\x8b\xe5\x96\x86"},
};

#define N_EXPECTED (sizeof expected / sizeof expected[0])

static const char *text_of(const char *file)
{
    for (size_t i = 0; i < N_EXPECTED; i++)
        if (strcmp(expected[i].file, file) == 0)
            return expected[i].text;
    return NULL;
}

static void every_fixture_has_its_expected_text(void **state)
{
    (void)state;
    DIR *d = opendir(FIXTURES);
    assert_non_null(d);
    size_t seen = 0;
    for (struct dirent *ent; (ent = readdir(d)) != NULL;) {
        size_t n = strlen(ent->d_name);
        if (n < 5 || strcmp(ent->d_name + n - 5, ".html") != 0)
            continue;
        if (!text_of(ent->d_name))
            fail_msg("%s%s has no expected text in test_htmltext.c", FIXTURES, ent->d_name);
        seen++;
    }
    closedir(d);
    assert_int_equal(seen, N_EXPECTED);
}

static void c_reader_gives_the_expected_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_EXPECTED; i++) {
        char path[256];
        size_t len;
        snprintf(path, sizeof path, FIXTURES "%s", expected[i].file);
        char *html = luatest_read(path, &len);
        buf_t out = {0};
        assert_int_equal(htmltext_to_text(html, len, &out), 0);
        if (strcmp(buf_str(&out), expected[i].text) != 0)
            fail_msg("%s\n->   got \"%s\"\n-> wanted \"%s\"", path, buf_str(&out), expected[i].text);
        buf_free(&out);
        free(html);
    }
}

static void vane_text_to_text_gives_the_same_text(void **state)
{
    sandbox_t *sb = *state;
    for (size_t i = 0; i < N_EXPECTED; i++) {
        char path[256];
        size_t len;
        snprintf(path, sizeof path, FIXTURES "%s", expected[i].file);
        char *html = luatest_read(path, &len);
        err_t e = {""};
        /* the expected text travels as the global `url` */
        int rc = luatest_run(sb, NULL, html, len, expected[i].text,
                             "local got = vane.text.to_text(body)\n"
                             "if got ~= url then error('got \"' .. got .. '\"', 0) end\n",
                             &e);
        if (rc != 0)
            fail_msg("%s\n-> %s\n-> wanted \"%s\"", path, e.msg, expected[i].text);
        free(html);
    }
}

/* The Lua side keeps vane.text's contract for values that are not text. */
static void vane_text_returns_other_values_as_they_are(void **state)
{
    sandbox_t *sb = *state;
    err_t e = {""};
    int rc = luatest_run(sb, NULL, NULL, 0, NULL,
                         "for _, f in ipairs({ 'to_text', 'squish', 'decode_entities' }) do\n"
                         "  if vane.text[f](nil) ~= nil or vane.text[f](5) ~= 5 then error(f) end\n"
                         "end\n"
                         "if vane.text.squish(' a \\u{A0} b\\u{3000}') ~= 'a b' then error('squish') end\n"
                         "if vane.text.decode_entities('a &amp;\\n&#146; <b>') ~= 'a &\\n\\u{2019} <b>'\n"
                         "  then error('decode_entities') end\n",
                         &e);
    if (rc != 0)
        fail_msg("%s", e.msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_fixture_has_its_expected_text),
        cmocka_unit_test(c_reader_gives_the_expected_text),
        cmocka_unit_test(vane_text_to_text_gives_the_same_text),
        cmocka_unit_test(vane_text_returns_other_values_as_they_are),
    };
    return cmocka_run_group_tests(tests, luatest_setup, luatest_teardown);
}

/* test_url.c — vane.url (lib_url.c over util/url.c) as scripts call it:
 * parse, resolve (every example of RFC 3986 §5.4), canonical and key. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sandbox/sandbox.h"
#include "lib/vanelib.h"
#include "luatest.h"

/* src must run without error; it uses eq(got, want) and same(a, b). */
static void expect_ok(sandbox_t *sb, const char *src)
{
    static const char prelude[] =
        "local function eq(got, want)\n"
        "  if got ~= want then\n"
        "    error(('got %s, want %s'):format(tostring(got), tostring(want)), 2)\n"
        "  end\n"
        "end\n"
        "local function canon(s) return (vane.url.canonical(s)) end\n"
        "local function same(a, b)\n"
        "  local x, y = vane.url.canonical(a), vane.url.canonical(b)\n"
        "  if not x or x ~= y then error(('%s -> %s but %s -> %s'):format(a, tostring(x), b, tostring(y)), 2) end\n"
        "end\n"
        "local function differ(a, b)\n"
        "  local x, y = vane.url.canonical(a), vane.url.canonical(b)\n"
        "  if not x or not y or x == y then error(('%s and %s both -> %s'):format(a, b, tostring(x)), 2) end\n"
        "end\n";
    err_t e = {""};
    if (luatest_run(sb, prelude, NULL, 0, NULL, src, &e) != 0)
        fail_msg("%s\nin: %.300s", e.msg, src);
}

static void parse_splits_every_part(void **state)
{
    expect_ok(*state,
              "local u = vane.url.parse('HTTPS://ana:pw@Example.ORG:8443/a/b.html?x=1&y=2#top')\n"
              "eq(u.scheme, 'https') eq(u.user, 'ana:pw') eq(u.host, 'Example.ORG')\n"
              "eq(u.port, 8443) eq(math.type(u.port), 'integer') eq(u.path, '/a/b.html')\n"
              "eq(u.query, 'x=1&y=2') eq(u.fragment, 'top')\n"
              "u = vane.url.parse('  http://h  ')\n"
              "eq(u.host, 'h') eq(u.path, '') eq(u.query, nil) eq(u.fragment, nil) eq(u.port, nil)\n"
              "u = vane.url.parse('http://h/?#')\n"
              "eq(u.query, '') eq(u.fragment, '')\n"
              "u = vane.url.parse('http://[2001:db8::1]:80/x')\n"
              "eq(u.host, '[2001:db8::1]') eq(u.port, 80)\n"
              "u = vane.url.parse('../a/b?q')\n"
              "eq(u.scheme, nil) eq(u.host, nil) eq(u.path, '../a/b') eq(u.query, 'q')\n"
              "u = vane.url.parse('//cdn.example.org/x.js')\n"
              "eq(u.scheme, nil) eq(u.host, 'cdn.example.org') eq(u.path, '/x.js')\n"
              "u = vane.url.parse('mailto:desk@example.org')\n"
              "eq(u.scheme, 'mailto') eq(u.host, nil) eq(u.path, 'desk@example.org')\n"
              "u = vane.url.parse('a:b/c:d')\n"
              "eq(u.scheme, 'a') eq(u.path, 'b/c:d')\n"
              "u = vane.url.parse('./c:d')\n"
              "eq(u.scheme, nil) eq(u.path, './c:d')\n");
}

static void parse_refuses_what_is_not_a_url(void **state)
{
    expect_ok(*state,
              "local u, why = vane.url.parse('http://h:99999/')\n"
              "eq(u, nil) assert(why:find('port'), why)\n"
              "u, why = vane.url.parse('http://h:8o/') eq(u, nil) assert(why:find('port'))\n"
              "u, why = vane.url.parse('http://[::1/') eq(u, nil) assert(why:find('IPv6'))\n"
              "u, why = vane.url.parse('http://h/a\\0b') eq(u, nil) assert(why:find('control'))\n"
              "u, why = vane.url.parse('http://h/a\\nb') eq(u, nil)\n"
              "u, why = vane.url.parse('   ') eq(u, nil) eq(why, 'empty URL')\n"
              "assert(not pcall(vane.url.parse, nil))\n"
              "assert(not pcall(vane.url.parse, {}))\n");
}

/* RFC 3986 §5.4.1 and §5.4.2, base "http://a/b/c/d;p?q". */
static void resolve_gives_the_rfc_examples(void **state)
{
    expect_ok(*state,
              "local cases = {\n"
              "  ['g:h'] = 'g:h', ['g'] = 'http://a/b/c/g', ['./g'] = 'http://a/b/c/g',\n"
              "  ['g/'] = 'http://a/b/c/g/', ['/g'] = 'http://a/g', ['//g'] = 'http://g',\n"
              "  ['?y'] = 'http://a/b/c/d;p?y', ['g?y'] = 'http://a/b/c/g?y',\n"
              "  ['#s'] = 'http://a/b/c/d;p?q#s', ['g#s'] = 'http://a/b/c/g#s',\n"
              "  ['g?y#s'] = 'http://a/b/c/g?y#s', [';x'] = 'http://a/b/c/;x',\n"
              "  ['g;x'] = 'http://a/b/c/g;x', ['g;x?y#s'] = 'http://a/b/c/g;x?y#s',\n"
              "  [''] = 'http://a/b/c/d;p?q', ['.'] = 'http://a/b/c/', ['./'] = 'http://a/b/c/',\n"
              "  ['..'] = 'http://a/b/', ['../'] = 'http://a/b/', ['../g'] = 'http://a/b/g',\n"
              "  ['../..'] = 'http://a/', ['../../'] = 'http://a/', ['../../g'] = 'http://a/g',\n"
              "  ['../../../g'] = 'http://a/g', ['../../../../g'] = 'http://a/g',\n"
              "  ['/./g'] = 'http://a/g', ['/../g'] = 'http://a/g', ['g.'] = 'http://a/b/c/g.',\n"
              "  ['.g'] = 'http://a/b/c/.g', ['g..'] = 'http://a/b/c/g..', ['..g'] = 'http://a/b/c/..g',\n"
              "  ['./../g'] = 'http://a/b/g', ['./g/.'] = 'http://a/b/c/g/', ['g/./h'] = 'http://a/b/c/g/h',\n"
              "  ['g/../h'] = 'http://a/b/c/h', ['g;x=1/./y'] = 'http://a/b/c/g;x=1/y',\n"
              "  ['g;x=1/../y'] = 'http://a/b/c/y', ['g?y/./x'] = 'http://a/b/c/g?y/./x',\n"
              "  ['g?y/../x'] = 'http://a/b/c/g?y/../x', ['g#s/./x'] = 'http://a/b/c/g#s/./x',\n"
              "  ['g#s/../x'] = 'http://a/b/c/g#s/../x', ['http:g'] = 'http:g',\n"
              "}\n"
              "local n = 0\n"
              "for ref, want in pairs(cases) do\n"
              "  local got = vane.url.resolve('http://a/b/c/d;p?q', ref)\n"
              "  if got ~= want then error(('%q -> %s, want %s'):format(ref, tostring(got), want)) end\n"
              "  n = n + 1\n"
              "end\n"
              "eq(n, 42)\n"
              "eq(vane.url.resolve('http://h', 'x'), 'http://h/x')\n"
              "eq(vane.url.resolve('http://h/a', 'foo:/.//bar'), 'foo:/.//bar')\n"
              "eq(vane.url.resolve('foo:/a/b', '..//c'), 'foo:/.//c')\n"
              "eq(vane.url.resolve('https://travel.state.gov/content/travel/en/', './a.html'),\n"
              "   'https://travel.state.gov/content/travel/en/a.html')\n"
              "local t, why = vane.url.resolve('/relative/base', 'x')\n"
              "eq(t, nil) assert(why:find('absolute'))\n");
}

static void canonical_forgets_what_does_not_name_the_page(void **state)
{
    expect_ok(*state,
              "eq(canon('HTTP://Travel.State.GOV./content/a.html'), 'https://travel.state.gov/content/a.html')\n"
              "same('http://travel.state.gov/a.html', 'https://travel.state.gov/a.html')\n"
              "same('http://h:80/a', 'https://h:443/a')\n"
              "same('https://h:/a', 'https://h/a')\n"
              "eq(canon('http://h:8080/a'), 'https://h:8080/a')\n"
              "eq(canon('http://h:443/a'), 'https://h/a')\n"
              "eq(canon('https://h:80/a'), 'https://h/a')\n"
              "eq(canon('HTTPS://Bücher.Example/'), 'https://b%C3%BCcher.example/')\n"
              "eq(canon('https://h../'), 'https://h/')\n"
              "eq(canon('foo:/.//bar'), 'foo:/.//bar')\n"
              "same('https://h/a#section-2', 'https://h/a')\n"
              "same('https://h/a?utm_source=x&id=7&UTM_Medium=y&fbclid=z', 'https://h/a?id=7')\n"
              "eq(canon('https://h/a?b=2&a=1&gclid=q&mc_cid=1&mc_eid=2'), 'https://h/a?b=2&a=1')\n"
              "eq(canon('https://h/a?utm_campaign=x'), 'https://h/a')\n"
              "eq(canon('https://h/a?'), 'https://h/a')\n"
              "eq(canon('https://h/a?x=1&&y=2&'), 'https://h/a?x=1&y=2')\n"
              "eq(canon('https://h/a?utmost=1'), 'https://h/a?utmost=1')\n"
              "same('https://h/news/', 'https://h/news')\n"
              "eq(canon('https://h'), 'https://h/')\n"
              "eq(canon('https://h/'), 'https://h/')\n"
              "eq(canon('https://h/a/./b/../c'), 'https://h/a/c')\n"
              "eq(canon('https://h/%7ejoe/%e4%b8%ad?q=%2f%41'), 'https://h/~joe/%E4%B8%AD?q=%2FA')\n"
              "same('https://h/%7Ejoe', 'https://h/~joe')\n"
              "eq(canon('https://h/a%2Fb'), 'https://h/a%2Fb')\n"
              "eq(canon('https://h/a b/中'), 'https://h/a%20b/%E4%B8%AD')\n"
              "same('https://h/中', 'https://h/%E4%B8%AD')\n"
              "eq(canon('https://h/100%'), 'https://h/100%')\n"
              "eq(canon('https://u:P@H/'), 'https://u:P@h/')\n"
              "eq(canon('https://[2001:DB8::1]:443/x'), 'https://[2001:db8::1]/x')\n"
              "eq(canon('FTP://H/x/'), 'ftp://h/x')\n"
              "eq(canon('ftp://h:21/x'), 'ftp://h:21/x')\n");
}

static void canonical_keeps_what_names_another_page(void **state)
{
    expect_ok(*state,
              "differ('https://h/a.html', 'https://h/a1.html')\n"
              "differ('https://h/A', 'https://h/a')\n"
              "differ('https://h/a?id=1', 'https://h/a?id=2')\n"
              "differ('https://h/a?x=1&y=2', 'https://h/a?y=2&x=1')\n"
              "differ('https://www.h/a', 'https://h/a')\n"
              "differ('https://h/a%2Fb', 'https://h/a/b')\n"
              "differ('https://h/a', 'https://h:8443/a')\n"
              "local t, why = vane.url.canonical('/a/b') eq(t, nil) assert(why:find('absolute'))\n"
              "t, why = vane.url.canonical('http:///a') eq(t, nil) eq(why, 'no host')\n"
              "t, why = vane.url.canonical('https://h:70000/') eq(t, nil)\n");
}

static void key_canonicalises_web_urls_only(void **state)
{
    expect_ok(*state,
              "eq(vane.url.key('http://H/a/?utm_source=rss'), 'https://h/a')\n"
              "eq(vane.url.key(' https://h/a '), 'https://h/a')\n"
              "eq(vane.url.key('urn:uuid:1F2E'), 'urn:uuid:1F2E')\n"
              "eq(vane.url.key('tag:example.org,2024:Post/1'), 'tag:example.org,2024:Post/1')\n"
              "eq(vane.url.key('./202411/t20241129_1.html'), './202411/t20241129_1.html')\n"
              "eq(vane.url.key('http://h:99999/'), 'http://h:99999/')\n"
              "eq(vane.url.key(42), 42)\n"
              "eq(vane.url.key(nil), nil)\n"
              "local seen = {} for _, p in ipairs(vane.url.tracking_params) do seen[p] = true end\n"
              "assert(seen['utm_*'] and seen.fbclid and seen.gclid and seen.mc_cid and seen.mc_eid)\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_splits_every_part),
        cmocka_unit_test(parse_refuses_what_is_not_a_url),
        cmocka_unit_test(resolve_gives_the_rfc_examples),
        cmocka_unit_test(canonical_forgets_what_does_not_name_the_page),
        cmocka_unit_test(canonical_keeps_what_names_another_page),
        cmocka_unit_test(key_canonicalises_web_urls_only),
    };
    return cmocka_run_group_tests(tests, luatest_setup, luatest_teardown);
}

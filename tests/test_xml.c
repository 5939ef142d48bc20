/* test_xml.c — vane.xml (lib_xml.c, with the document type of lib_html.c)
 * as scripts see it, in a sandbox: a sitemap in a default namespace, Atom
 * through XPath with prefixes, namespaced attributes and names as written,
 * URLs against the document's URL and xml:base, the errors (truncated,
 * entity bomb, external entities, empty) and recover mode. Run from the
 * project top. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#include "util/buf.h"
#include "sandbox/sandbox.h"
#include "lib/vanelib.h"
#include "luatest.h"

/* Helpers every snippet can use: eq(got, want) fails with both values. */
static const char prelude[] =
    "local function eq(got, want, what)\n"
    "  if got ~= want then\n"
    "    error(('%s: got %q, want %q'):format(what or 'value', tostring(got), tostring(want)), 2)\n"
    "  end\n"
    "end\n"
    "local function texts(list)\n"
    "  local out = {}\n"
    "  for i, v in ipairs(list) do out[i] = type(v) == 'string' and v or v:text() end\n"
    "  return table.concat(out, '|')\n"
    "end\n";

static const char SITEMAP[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'\n"
    "        xmlns:image='http://www.google.com/schemas/sitemap-image/1.1'>\n"
    "  <url><loc>https://example.org/a</loc><lastmod>2024-11-20</lastmod></url>\n"
    "  <url><loc>https://example.org/b</loc><lastmod>2024-11-21</lastmod>\n"
    "    <image:image><image:loc>https://example.org/b.png</image:loc></image:image></url>\n"
    "  <url><loc> https://example.org/c </loc></url>\n"
    "</urlset>\n";

/* Run prelude + src with the global `body` (the file at path, or SITEMAP
 * when path is NULL). Returns the sandbox_call status, e filled on error. */
static int run(sandbox_t *sb, const char *path, const char *src, err_t *e)
{
    size_t len = sizeof SITEMAP - 1;
    char *body = path ? luatest_read(path, &len) : NULL;
    int rc = luatest_run(sb, prelude, body ? body : SITEMAP, len, NULL, src, e);
    free(body);
    return rc;
}

static void expect_ok(sandbox_t *sb, const char *path, const char *src)
{
    err_t e = { "" };
    int top = lua_gettop(sandbox_lua(sb));
    if (run(sb, path, src, &e) != 0)
        fail_msg("%s: %s", path ? path : "-", e.msg);
    assert_int_equal(lua_gettop(sandbox_lua(sb)), top);
}

/* The snippet must fail with a message starting with want, after the
 * position "t.lua:N: " that errors raised with luaL_error carry. vane.xml's
 * own parse errors carry none (the host names the source). */
static void expect_error(sandbox_t *sb, const char *path, const char *src, const char *want)
{
    err_t e = { "" };
    if (run(sb, path, src, &e) == 0)
        fail_msg("%s: succeeded, want error \"%s\"", path ? path : "-", want);
    const char *msg = e.msg;
    if (strncmp(msg, "t.lua:", 6) == 0 && strchr(msg + 6, ' '))
        msg = strchr(msg + 6, ' ') + 1;
    if (strncmp(msg, want, strlen(want)) != 0)
        fail_msg("%s: error \"%s\", want \"%s...\"", path ? path : "-", e.msg, want);
}

static void sitemap_in_a_default_namespace(void **state)
{
    expect_ok(*state, NULL,
              "local doc = vane.xml(body, 'https://example.org/sitemap.xml')\n"
              "eq(tostring(doc), 'vane.xml document https://example.org/sitemap.xml')\n"
              "eq(doc:root():name(), 'urlset')\n"
              /* CSS: local names, whatever the namespace */
              "eq(texts(doc:select('url > loc')), 'https://example.org/a|https://example.org/b|https://example.org/c')\n"
              "eq(texts(doc:select('loc')), 'https://example.org/a|https://example.org/b|https://example.org/b.png|https://example.org/c')\n"
              "eq(doc:select_one('url:nth-child(2) lastmod'):text(), '2024-11-21')\n"
              "eq(#doc:select('URL'), 0, 'case counts')\n"
              /* XPath: the root's default namespace is d, its prefixes as declared */
              "eq(texts(doc:xpath('//d:url/d:loc/text()')), 'https://example.org/a|https://example.org/b| https://example.org/c ')\n"
              "eq(doc:xpath('count(//d:url)'), 3)\n"
              "eq(doc:xpath('string(//image:loc)'), 'https://example.org/b.png')\n"
              "eq(#doc:xpath('//url'), 0, 'XPath 1.0: an unprefixed name is in no namespace')\n"
              "local u = doc:xpath('//d:url[d:lastmod = \"2024-11-21\"]')[1]\n"
              "eq(u:name(), 'url')\n"
              "eq(texts(u:xpath('d:loc | image:image/image:loc')), 'https://example.org/b|https://example.org/b.png')\n"
              "eq(u:select_one('image'):name(), 'image:image')\n"
              "eq(u:children()[3]:name(), 'image:image')\n"
              "eq(u:parent(), doc:root())\n"
              "eq(u:next():select_one('loc'):text(), 'https://example.org/c')\n"
              "eq(u:select_one('loc'):url('nope'), nil)\n");
}

static void atom_through_xpath_with_prefixes(void **state)
{
    expect_ok(*state, "tests/fixtures/dhs_news/d1.xml",
              "local doc = vane.xml(body)\n"
              "local ns = { a = 'http://www.w3.org/2005/Atom' }\n"
              "local entries = doc:xpath('/a:feed/a:entry', ns)\n"
              "eq(#entries, 4)\n"
              "eq(entries[1]:xpath('string(a:title)', ns), 'DHS Releases Guidance for Election Infrastructure Owners')\n"
              "eq(entries[1]:xpath('a:link[@rel=\"alternate\"]/@href', ns)[1],\n"
              "   'https://www.dhs.gov/news/2024/11/19/dhs-releases-guidance-election-infrastructure-owners')\n"
              "eq(entries[2]:xpath('string(a:updated)', ns), '2024-11-18T09:12:00-05:00')\n"
              "eq(doc:xpath('count(//d:entry)'), 4, 'the default namespace as d')\n"
              "eq(doc:xpath('string(/a:feed/@xml:lang)', ns), 'en')\n"
              "eq(pcall(doc.xpath, doc, '//a:entry'), false, 'no prefix a without the table')\n"
              /* a prefix from the table wins over the root's */
              "eq(#doc:xpath('//d:entry', { d = 'urn:other' }), 0)\n");
    /* a root that declares a prefix d of its own keeps it */
    expect_ok(*state, NULL,
              "local doc = vane.xml([[<r xmlns='urn:default' xmlns:d='urn:d'><d:x>1</d:x><x>2</x></r>]])\n"
              "eq(texts(doc:xpath('//d:x')), '1')\n"
              "eq(texts(doc:xpath('//n:x', { n = 'urn:default' })), '2')\n");
}

static void bad_namespace_tables_are_errors(void **state)
{
    expect_error(*state, NULL, "vane.xml(body):xpath('//x', { 'urn:x' })",
                 "vane.xml: XPath namespaces are { prefix = 'uri' }");
    expect_error(*state, NULL, "vane.xml(body):xpath('//x', { [''] = 'urn:x' })",
                 "vane.xml: XPath namespaces are { prefix = 'uri' }");
    expect_error(*state, NULL, "vane.xml(body):xpath('//x', 'urn:x')", "bad argument #2 to 'xpath'");
    expect_error(*state, NULL, "vane.xml(body):xpath('//q:url')",
                 "bad XPath '//q:url': undefined namespace prefix");
}

static void namespaced_attributes_and_names_as_written(void **state)
{
    expect_ok(*state, NULL,
              "local doc = vane.xml([[<cap:alert xmlns:cap='urn:oasis:names:tc:emergency:cap:1.2'\n"
              "  xmlns:xlink='http://www.w3.org/1999/xlink'>\n"
              "  <cap:info Lang='en-US' xlink:href='/a/1' href='/b/2'><cap:Event>Flood</cap:Event>\n"
              "  <cap:event>flood</cap:event></cap:info></cap:alert>]], 'https://alerts.example/feed')\n"
              "local info = doc:select_one('info')\n"
              "eq(info:name(), 'cap:info')\n"
              "eq(tostring(info), 'vane.xml node <cap:info>')\n"
              "eq(info:attr('xlink:href'), '/a/1')\n"
              "eq(info:attr('href'), '/b/2')\n"
              "eq(info:attr('Lang'), 'en-US')\n"
              "eq(info:attr('lang'), nil, 'attribute names keep their case')\n"
              "eq(info:attr('cap:href'), nil)\n"
              "eq(info:url(), 'https://alerts.example/b/2')\n"
              "eq(info:url('xlink:href'), 'https://alerts.example/a/1')\n"
              "eq(texts(doc:select('Event')), 'Flood')\n"
              "eq(texts(doc:select('event')), 'flood')\n"
              "eq(#doc:select('[xlink\\\\:href^=\"/a\"]'), 1)\n"
              "eq(#doc:select('[lang]'), 0)\n"
              "eq(texts(doc:xpath('//cap:info/@xlink:href')), '/a/1')\n"
              "eq(info:children()[1]:html(), '<cap:Event>Flood</cap:Event>')\n");
}

static void html_writes_xml(void **state)
{
    expect_ok(*state, NULL,
              "local doc = vane.xml([==[<a><b x='1&amp;2'>t &lt; u<br/><![CDATA[<i>]]></b><!--c--></a>]==])\n"
              "local b = doc:select_one('b')\n"
              "eq(b:html(), '<b x=\"1&amp;2\">t &lt; u<br/>&lt;i&gt;</b>')\n"
              "eq(doc:root():inner_html(), b:html() .. '<!--c-->')\n"
              "eq(b:text(), 't < u<i>')\n"
              "eq(b:raw_text(), 't < u<i>')\n"
              "eq(doc:select_one('BR'), nil)\n"
              "eq(doc:select_one('br'):name(), 'br')\n");
}

static void urls_resolve_against_the_document_and_xml_base(void **state)
{
    expect_ok(*state, NULL,
              "local doc = vane.xml([[<r><a href='x/1'/><s xml:base='/sub/'><a href='y'/>\n"
              "  <t xml:base='deeper/'><a href='z?q=a b'/></t></s></r>]], 'https://example.org/dir/page.xml')\n"
              "eq(doc:base(), 'https://example.org/dir/page.xml')\n"
              "eq(texts(doc:xpath('//a/@href')), 'x/1|y|z?q=a b')\n"
              "local a = doc:select('a')\n"
              "eq(a[1]:url(), 'https://example.org/dir/x/1')\n"
              "eq(a[2]:url(), 'https://example.org/sub/y')\n"
              "eq(a[3]:url(), 'https://example.org/sub/deeper/z?q=a%20b')\n");
    expect_ok(*state, NULL,
              "local doc = vane.xml([[<r xml:base='https://cdn.example/base/'><a src='p.png'/></r>]],\n"
              "                     'https://example.org/x.xml')\n"
              "eq(doc:base(), 'https://cdn.example/base/')\n"
              "eq(doc:select_one('a'):url(), 'https://cdn.example/base/p.png')\n"
              "local bare = vane.xml('<r><a href=\"rel/x\"/></r>')\n"
              "eq(bare:base(), nil)\n"
              "eq(bare:select_one('a'):url(), 'rel/x')\n");
}

static void not_well_formed_is_an_error_with_its_line(void **state)
{
    expect_error(*state, "tests/fixtures/bad/truncated.xml", "vane.xml(body)",
                 "line 130: CData section not finished");
    expect_error(*state, NULL, "vane.xml('<a>\\n<b></a>')",
                 "line 2: Opening and ending tag mismatch: b line 2 and a");
    expect_error(*state, NULL, "vane.xml('<a>caf\\xe9</a>')", "line 1: invalid UTF-8 (bytes 0xE9");
    expect_error(*state, NULL, "vane.xml('')", "empty document");
    expect_error(*state, NULL, "vane.xml('\\xef\\xbb\\xbf \\r\\n')", "empty document");
    expect_error(*state, NULL, "vane.xml(nil)", "vane.xml: the body must be a string, not nil");
    expect_error(*state, NULL, "vane.xml('<a>x</a><b/>')", "line 1: Extra content at the end");
}

static void recover_takes_what_libxml2_recovers_with_a_warning(void **state)
{
    sandbox_t *sb = *state;
    expect_ok(sb, "tests/fixtures/bad/truncated.xml",
              "local doc = vane.xml(body, nil, { recover = true })\n"
              "eq(doc:root():name(), 'rss')\n"
              "eq(#doc:select('item') > 3, true)\n"
              "eq(doc:select_one('item > title'):text(), 'Sao Tome and Principe - Level 2: Exercise Increased Caution')\n");
    buf_t w = { 0 };
    luatest_warnings(sb, &w);
    assert_string_equal(buf_str(&w), "x: line 130: CData section not finished; what follows it may be missing\n");
    buf_free(&w);
    /* found by the fuzzer: bytes that are not UTF-8 used to be recovered
     * into the text as they were */
    expect_ok(sb, NULL,
              "local doc = vane.xml('<a>\\n<b>Cautio\\x9cn caf\\xc3\\xa9</b></a>', { recover = true })\n"
              "eq(doc:select_one('b'):text(), 'Cautio\\u{FFFD}n caf\\u{E9}')\n");
    luatest_warnings(sb, &w);
    assert_string_equal(buf_str(&w), "x: line 2: 1 invalid UTF-8 sequence replaced with U+FFFD\n");
    buf_free(&w);
    /* opts may come second; a well-formed document warns nothing */
    expect_ok(sb, NULL, "eq(vane.xml(body, { recover = true }):root():name(), 'urlset')");
    luatest_warnings(sb, &w);
    assert_string_equal(buf_str(&w), "");
    buf_free(&w);
}

static void entity_bomb_is_refused_fast(void **state)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    expect_error(*state, "tests/fixtures/bad/entity_bomb.xml", "vane.xml(body)",
                 "document declares entities; refused (entity expansion)");
    expect_error(*state, "tests/fixtures/bad/entity_bomb.xml", "vane.xml(body, nil, { recover = true })",
                 "document declares entities; refused (entity expansion)");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (ms > 200)
        fail_msg("took %.1f ms", ms);
}

static void external_entities_are_never_loaded(void **state)
{
    err_t e = { "" };
    /* the probe file sits next to the document, and the url names it */
    assert_int_not_equal(run(*state, "tests/fixtures/bad/xxe.xml",
                             "vane.xml(body, 'tests/fixtures/bad/xxe.xml', { recover = true })", &e), 0);
    assert_non_null(strstr(e.msg, "document declares entities; refused"));
    assert_null(strstr(e.msg, "LEAKED"));
    /* a reference to an undeclared entity under an unread DTD stays one */
    expect_ok(*state, NULL,
              "local doc = vane.xml([[<!DOCTYPE r SYSTEM 'tests/fixtures/bad/xxe-probe.txt'>\n"
              "<r a='1'>a &probe; b</r>]])\n"
              "eq(doc:root():text(), 'a &probe; b')\n"
              "eq(doc:root():html():find('LEAKED'), nil)\n"
              "eq(doc:xpath('string(/r)'):find('LEAKED'), nil)\n");
}

/* A node returned from a chunk still reads its document after the
 * document itself is unreachable and the collector has run. */
static void nodes_keep_their_document_alive(void **state)
{
    sandbox_t *sb = *state;
    lua_State *L = sandbox_lua(sb);
    err_t e = { "" };
    const char *src = "return vane.xml(body):select('loc')[2]";
    sandbox_push_env(sb);
    lua_pushstring(L, SITEMAP);
    lua_setfield(L, -2, "body");
    assert_int_equal(sandbox_load(sb, "t.lua", src, strlen(src), lua_gettop(L), &e), 0);
    lua_remove(L, -2);
    if (sandbox_call(sb, 0, 1, "t.lua", &e) != 0)
        fail_msg("%s", e.msg);
    for (int i = 0; i < 3; i++)
        lua_gc(L, LUA_GCCOLLECT);
    assert_int_equal(lua_getfield(L, -1, "text"), LUA_TFUNCTION);
    lua_pushvalue(L, -2);
    lua_call(L, 1, 1);
    assert_string_equal(lua_tostring(L, -1), "https://example.org/b");
    lua_pop(L, 2);
}

/* XML documents kept in Lua count against the memory ceiling (libxml2's
 * trees are counted), and the chunk is stopped as out of memory, with the
 * line of the vane.xml call. */
static void documents_kept_count_against_the_ceiling(void **state)
{
    (void)state;
    sandbox_limits_t lim = { .memory = (size_t)32 << 20, .timeout_ms = 120000 };
    err_t e = { "" };
    sandbox_t *sb = sandbox_new(&lim, &e);
    assert_non_null(sb);
    if (vanelib_install(sb, VANE_FOR_SCRIPTS, &e) != 0)
        fail_msg("vanelib_install: %s", e.msg);
    int rc = run(sb, NULL,
                 "local x = '<urlset>' .. ('<url><loc>https://example.org/a</loc></url>'):rep(20000) .. '</urlset>'\n"
                 "local keep = {} for i = 1, 50 do keep[i] = vane.xml(x) end", &e);
    assert_int_not_equal(rc, 0);
    assert_int_equal(sandbox_failure(sb), SANDBOX_FAIL_MEMORY);
    if (!strstr(e.msg, "t.lua:") || !strstr(e.msg, "not enough memory (limit 32 MB)"))
        fail_msg("%s", e.msg);
    lua_gc(sandbox_lua(sb), LUA_GCCOLLECT);
    assert_true(sandbox_memory(sb) < ((size_t)4 << 20));
    sandbox_free(sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sitemap_in_a_default_namespace, luatest_setup, luatest_teardown),
        cmocka_unit_test(documents_kept_count_against_the_ceiling),
        cmocka_unit_test_setup_teardown(atom_through_xpath_with_prefixes, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(bad_namespace_tables_are_errors, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(namespaced_attributes_and_names_as_written, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(html_writes_xml, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(urls_resolve_against_the_document_and_xml_base, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(not_well_formed_is_an_error_with_its_line, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(recover_takes_what_libxml2_recovers_with_a_warning, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(entity_bomb_is_refused_fast, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(external_entities_are_never_loaded, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(nodes_keep_their_document_alive, luatest_setup, luatest_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

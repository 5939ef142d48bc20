/* test_feed.c — vane.feed (lib_feed.c) on the fixture feeds, the real State
 * Department capture, small RSS 0.91 / RSS 1.0 / Atom 0.3 samples and the
 * bad inputs: exact fields, warnings with their lines, clear errors, and
 * no entity ever expanded or loaded. Run from the project top. */
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
#include <libxml/parser.h>

#include "util/buf.h"
#include "sandbox/sandbox.h"
#include "lib/vanelib.h"
#include "luatest.h"
#include "lib/xmlsafe.h"

/* Helpers every snippet can use: eq(got, want) fails with both values. */
static const char prelude[] =
    "local function eq(got, want, what)\n"
    "  if got ~= want then\n"
    "    error(('%s: got %q, want %q'):format(what or 'value', tostring(got), tostring(want)), 2)\n"
    "  end\n"
    "end\n"
    "local function has(s, part, what)\n"
    "  if type(s) ~= 'string' or not s:find(part, 1, true) then\n"
    "    error(('%s: %q lacks %q'):format(what or 'value', tostring(s), part), 2)\n"
    "  end\n"
    "end\n";

/* Run prelude + src with the globals `body` (the file at path, if any) and
 * `url`. Returns the sandbox_call status, e filled on error. */
static int run(sandbox_t *sb, const char *path, const char *url, const char *src, err_t *e)
{
    size_t len = 0;
    char *body = path ? luatest_read(path, &len) : NULL;
    int rc = luatest_run(sb, prelude, body, len, url, src, e);
    free(body);
    return rc;
}

static void expect_ok(sandbox_t *sb, const char *path, const char *url, const char *src)
{
    err_t e = { "" };
    int top = lua_gettop(sandbox_lua(sb));
    if (run(sb, path, url, src, &e) != 0)
        fail_msg("%s: %s", path ? path : "-", e.msg);
    assert_int_equal(lua_gettop(sandbox_lua(sb)), top);
}

/* The snippet must fail with a message starting with want. */
static void expect_error(sandbox_t *sb, const char *path, const char *src, const char *want)
{
    err_t e = { "" };
    if (run(sb, path, NULL, src, &e) == 0)
        fail_msg("%s: succeeded, want error \"%s\"", path ? path : "-", want);
    /* sandbox errors read "MESSAGE\nstack traceback...": vane.feed adds no position */
    if (strncmp(e.msg, want, strlen(want)) != 0)
        fail_msg("%s: error \"%s\", want \"%s...\"", path ? path : "-", e.msg, want);
}

/* ---- good feeds ----------------------------------------------------------- */

static void travel_advisories_fixture(void **state)
{
    expect_ok(*state, "tests/fixtures/travel_advisories/t1.xml", "https://travel.state.gov/_res/rss/TAsTWs.xml",
        "local f = vane.feed(body, url)\n"
        "eq(f.title, 'travel.state.gov: Travel Advisories', 'feed title')\n"
        "eq(f.link, 'https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories.html')\n"
        "eq(f.updated, '2024-11-20T14:05:31Z', 'channel pubDate')\n"
        "eq(#f.items, 14, 'items')\n"
        "local china\n"
        "for _, e in ipairs(f.items) do\n"
        "  if e.title:find('^Mainland China') then china = e end\n"
        "  assert(e.id and e.link and e.published and e.summary_html and e.summary, e.title)\n"
        "end\n"
        "eq(china.title, 'Mainland China, Hong Kong & Macau - See Summaries - Level 3: Reconsider Travel')\n"
        "eq(china.link, 'https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories/china-travel-advisory.html')\n"
        "eq(china.id, china.link, 'guid')\n"
        "eq(china.published, '2024-04-12T00:00:00Z', 'date-only pubDate')\n"
        "eq(china.updated, nil)\n"
        "eq(china.content, nil)\n"
        "has(china.summary_html, '<ul class=\"risk-indicators\">')\n"
        "has(china.summary_html, 'Checklist</a>.&nbsp;</li>')\n"
        "has(china.summary, 'Work through the International Travel Checklist.')\n"
        "eq(china.summary:find('<', 1, true), nil, 'summary has no tags')\n"
        "eq(#china.categories, 3)\n"
        "eq(china.categories[1].term, 'Level 3: Reconsider Travel')\n"
        "eq(china.categories[1].domain, 'Threat-Level')\n"
        "eq(china.categories[2].term, 'CH')\n"
        "eq(china.categories[3].domain, 'Keyword')\n"
        "eq(china.author, nil)\n");
}

static void wordpress_press_releases(void **state)
{
    expect_ok(*state, "tests/fixtures/press_releases/p1.xml", "https://www.state.gov/rss-feed/press-releases/feed/",
        "local f = vane.feed(body, url)\n"
        "eq(f.title, 'Press Releases \u2013 United States Department of State')\n"
        "eq(f.updated, '2024-11-18T22:04:11Z', 'lastBuildDate')\n"
        "eq(#f.items, 6)\n"
        "local e = f.items[4]\n"
        "eq(e.title, 'Secretary\u2019s Meeting with PRC Foreign Minister on the Margins of APEC')\n"
        "eq(e.id, 'https://www.state.gov/?p=478210', 'guid isPermaLink=false')\n"
        "eq(e.link, 'https://www.state.gov/secretarys-meeting-with-prc-foreign-minister-on-the-margins-of-apec/')\n"
        "eq(e.published, '2024-11-16T19:42:30Z')\n"
        "eq(e.author, 'Office of the Spokesperson', 'dc:creator in CDATA')\n"
        "eq(#e.categories, 4)\n"
        "eq(e.categories[2].term, 'China', 'category in CDATA')\n"
        "eq(e.categories[2].domain, nil)\n"
        "eq(e.summary, 'The Secretary met the PRC Foreign Minister in Lima to review steps agreed between the two presidents.\u2026')\n"
        "has(e.summary_html, 'presidents.&#8230;')\n"
        "has(e.content, '<p>The Secretary met the Foreign Minister of the People&#8217;s Republic of China')\n"
        "eq(f.items[1].published, '2024-11-18T21:55:40Z')\n");
}

static void atom_dhs_news(void **state)
{
    expect_ok(*state, "tests/fixtures/dhs_news/d1.xml", "https://www.dhs.gov/news-releases/atom.xml",
        "local f = vane.feed(body, url)\n"
        "eq(f.title, 'DHS News Releases')\n"
        "eq(f.link, 'https://www.dhs.gov/news-releases/press-releases', 'alternate, not self')\n"
        "eq(f.updated, '2024-11-20T18:02:11Z')\n"
        "eq(#f.items, 4)\n"
        "local a, b, c = f.items[1], f.items[2], f.items[3]\n"
        "eq(a.id, 'tag:dhs.gov,2024-11-19:node/51893')\n"
        "eq(a.published, '2024-11-19T19:00:00Z')\n"
        "eq(a.updated, '2024-11-19T19:00:00Z')\n"
        "eq(a.author, 'Office of Public Affairs')\n"
        "eq(a.categories[1].term, 'Cybersecurity')\n"
        "eq(a.content, '<p>New guidance helps election officials protect voting infrastructure.</p>')\n"
        "eq(a.summary, nil)\n"
        "eq(b.summary_html, '<p>Officers found counterfeit phone chargers worth an estimated <b>$210,000</b> in air cargo.</p>', 'xhtml')\n"
        "eq(b.summary, 'Officers found counterfeit phone chargers worth an estimated $210,000 in air cargo.')\n"
        "eq(c.title, 'Readout of Secretary of Homeland Security\u2019s Meeting with Mexican Security Officials')\n"
        "eq(c.summary_html, '<p>The Secretary met Mexican security officials to discuss fentanyl trafficking and migration.</p>', 'html')\n"
        "eq(c.link, 'https://www.dhs.gov/news/2024/11/14/readout-secretary-homeland-securitys-meeting-mexican-security-officials')\n");
}

/* The real feed as published: all 211 advisories, in a few milliseconds. */
static void real_state_department_feed(void **state)
{
    expect_ok(*state, "tests/fixtures/real/travel_advisories/2025-10-08T1736Z.xml", "https://travel.state.gov/_res/rss/TAsTWs.xml",
        "local f = vane.feed(body, url)\n"
        "eq(f.updated, '2025-10-08T17:36:06Z')\n"
        "eq(#f.items, 211)\n"
        "local ids = {}\n"
        "for i, e in ipairs(f.items) do\n"
        "  assert(e.title ~= '' and e.title:find('Level %d'), 'item ' .. i .. ' title ' .. tostring(e.title))\n"
        "  assert(e.published and e.published:find('^20%d%d%-%d%d%-%d%dT00:00:00Z$'), e.title)\n"
        "  assert(e.link:find('^https://travel.state.gov/'), e.title)\n"
        "  assert(not ids[e.id], 'duplicate id ' .. e.id)\n"
        "  ids[e.id] = true\n"
        "end\n"
        "local st = f.items[1]\n"
        "eq(st.title, 'Sao Tome and Principe - Level 2: Exercise Increased Caution')\n"
        "eq(st.published, '2025-10-08T00:00:00Z')\n"
        "has(st.summary, 'Exercise Increased Caution in S\u00e3o Tom\u00e9 and Pr\u00edncipe due to health risks.')\n"
        "has(st.summary_html, 'S&#227;o Tom&#233;')\n");
    /* timing: median-free but generous bound, the sanitizer build included */
    expect_ok(*state, "tests/fixtures/real/travel_advisories/2025-10-08T1736Z.xml", NULL,
        "local t = os.clock()\n"
        "for _ = 1, 5 do vane.feed(body) end\n"
        "local ms = (os.clock() - t) * 1000 / 5\n"
        "assert(ms < 250, ('%.1f ms per parse'):format(ms))\n");
}

static void rss_1_0_rdf(void **state)
{
    expect_ok(*state, "tests/fixtures/feed/rss10.rdf", "https://example.org/rss",
        "local f = vane.feed(body, url)\n"
        "eq(f.title, 'Example Ministry: Statements')\n"
        "eq(f.link, 'https://example.org/')\n"
        "eq(f.updated, '2024-11-28T00:30:00Z', 'channel dc:date')\n"
        "eq(#f.items, 2, 'items beside the channel')\n"
        "local a, b = f.items[1], f.items[2]\n"
        "eq(a.id, 'https://example.org/s/2', 'rdf:about')\n"
        "eq(a.link, 'https://example.org/s/2', 'relative link resolved')\n"
        "eq(a.published, '2024-11-28T00:00:00Z', 'dc:date')\n"
        "eq(a.updated, '2024-11-28T00:00:00Z', 'dc:date is also updated')\n"
        "eq(a.author, 'Press Office')\n"
        "eq(a.categories[1].term, 'Consular affairs', 'dc:subject')\n"
        "eq(a.summary_html, 'Both sides <b>exchanged</b> detained persons.')\n"
        "eq(a.summary, 'Both sides exchanged detained persons.')\n"
        "eq(a.content, '<p>Full text of the statement.</p>', 'content:encoded under another prefix')\n"
        "eq(b.title, 'Remarks on a working group meeting', 'trimmed')\n"
        "eq(b.published, '2024-11-27T10:00:00Z')\n"
        "eq(b.summary, nil)\n");
}

static void atom_0_3(void **state)
{
    expect_ok(*state, "tests/fixtures/feed/atom03.xml", "https://example.net/feed.atom",
        "local f = vane.feed(body, url)\n"
        "eq(f.title, 'News & Notes', 'escaped html title')\n"
        "eq(f.link, 'https://example.net/news/index.html', 'xml:base')\n"
        "eq(f.updated, '2024-11-29T12:00:00Z', 'modified')\n"
        "local a, b = f.items[1], f.items[2]\n"
        "eq(a.id, 'tag:example.net,2024:fugitive')\n"
        "eq(a.link, 'https://example.net/news/2024/11/fugitive.html', 'alternate, not related')\n"
        "eq(a.published, '2024-11-29T14:00:00Z', 'issued')\n"
        "eq(a.updated, '2024-11-29T15:30:00Z', 'modified')\n"
        "eq(a.author, 'Desk')\n"
        "eq(a.summary, 'A suspect was returned <today>.', 'text summary')\n"
        "eq(a.summary_html, 'A suspect was returned &lt;today&gt;.', 'text summary as html')\n"
        "eq(a.content, '<p>A suspect &amp; an accomplice were returned.</p>')\n"
        "eq(b.title, 'Untitled \u2014 no link')\n"
        "eq(b.link, nil)\n"
        "eq(b.id, vane.hash.short(b.title .. b.published), 'hash of title..published')\n"
        "eq(#b.id, 16)\n");
}

/* RSS 0.91 with the Netscape DTD (never fetched): its HTML entities are
 * left as references by libxml2 and read as HTML; the declared Latin-1 is
 * ignored because the host already gave us UTF-8. */
static void rss_0_91_with_doctype(void **state)
{
    expect_ok(*state, "tests/fixtures/feed/rss091.xml", "http://wire.example.com/rss.xml",
        "local f = vane.feed(body, url)\n"
        "eq(f.title, 'Old\u00a0Wire')\n"
        "eq(f.updated, '2024-11-28T22:00:00Z', 'lastBuildDate in EST')\n"
        "local a, b = f.items[1], f.items[2]\n"
        "eq(a.title, 'S\u00e3o Tom\u00e9\u00a0update', 'UTF-8 kept, &nbsp; as a character')\n"
        "eq(a.link, 'http://wire.example.com/stories/1.html')\n"
        "eq(a.id, a.link)\n"
        "eq(a.summary_html, 'Caf&eacute; closed & reopened&nbsp;later.')\n"
        "eq(a.summary, 'Caf\u00e9 closed & reopened later.')\n"
        "eq(b.link, nil)\n"
        "eq(b.published, nil)\n"
        "eq(b.id, vane.hash.short('No link, no date'))\n");
}

/* A feed that is an element tree in memory, with the odd cases. */
static void inline_odd_cases(void **state)
{
    expect_ok(*state, NULL, NULL,
        "local f = vane.feed([==[<?xml version='1.0'?>\n"
        "<rss version='2.0' xmlns:a='http://www.w3.org/2005/Atom'><channel><title>T</title>\n"
        "<item><title><![CDATA[ A &amp; B ]]></title><guid>https://x.example/1</guid>\n"
        "  <description>plain &lt;text&gt; <b>bold</b></description>\n"
        "  <a:updated>2024-11-27T10:00:00Z</a:updated><pubDate>27 Nov 2024 09:00 +0100</pubDate>\n"
        "  <author>desk@example.org (Desk)</author><dc:date xmlns:dc='http://purl.org/dc/elements/1.1/'>\n"
        "  27 Nov\n  2024 at noon, more or less, give or take an hour or two, as the desk recalls it</dc:date></item>\n"
        "<item><guid isPermaLink='false'>  </guid><title>no id</title></item>\n"
        "<item><link> </link><guid>https://x.example/3</guid><title>empty link</title></item>\n"
        "<item><title>src</title><description/></item>\n"
        "</channel></rss>]==], 'https://x.example/feed', {})\n"
        "local a, b = f.items[1], f.items[2]\n"
        "eq(a.title, 'A &amp; B', 'CDATA is not decoded')\n"
        "eq(a.link, 'https://x.example/1', 'a permalink guid is the link')\n"
        "eq(a.id, 'https://x.example/1')\n"
        "eq(a.summary_html, 'plain &lt;text&gt; <b>bold</b>', 'XHTML in a description')\n"
        "eq(a.summary, 'plain <text> bold')\n"
        "eq(a.published, '2024-11-27T08:00:00Z')\n"
        "eq(a.updated, '2024-11-27T10:00:00Z')\n"
        "eq(a.author, 'desk@example.org (Desk)')\n"
        "eq(b.id, vane.hash.short('no id'), 'blank guid')\n"
        "eq(f.items[3].link, 'https://x.example/3', 'an empty link gives way to the guid')\n"
        "eq(f.items[4].summary_html, '', 'empty description')\n"
        "eq(f.items[4].summary, '')\n"
        "eq(#f.items, 4)\n");
    buf_t w = { 0 };
    luatest_warnings(*state, &w);
    assert_string_equal(buf_str(&w), "x: line 6: unparseable date '27 Nov 2024 at noon, more or less, give or take an "
                                     "hour or two, as the desk reca...' in <dc:date>\n");
    buf_free(&w);
}

/* Atom is known by its namespace, whatever the prefix; content given by
 * src has no text here; an xhtml title is read as text. */
static void atom_under_a_prefix(void **state)
{
    expect_ok(*state, NULL, NULL,
        "local f = vane.feed([==[<a:feed xmlns:a='http://www.w3.org/2005/Atom'\n"
        "  xmlns:h='http://www.w3.org/1999/xhtml'><a:title>F</a:title>\n"
        "<a:entry><a:id>urn:1</a:id><a:title type='xhtml'><h:div>Two <h:b>words</h:b></h:div></a:title>\n"
        "  <a:link rel='self' href='/self'/><a:link href='/e/1'/>\n"
        "  <a:updated>2024-11-27T10:00:00+01:00</a:updated>\n"
        "  <a:content type='text/html' src='https://x.example/full'/>\n"
        "  <a:category term='T' scheme='urn:s'/><a:category label='no term'/></a:entry>\n"
        "<title>not atom</title><a:entry/></a:feed>]==], 'https://x.example/f/atom')\n"
        "eq(f.title, 'F')\n"
        "eq(#f.items, 2)\n"
        "local e = f.items[1]\n"
        "eq(e.title, 'Two words')\n"
        "eq(e.link, 'https://x.example/e/1', 'a link without rel is the alternate')\n"
        "eq(e.updated, '2024-11-27T09:00:00Z')\n"
        "eq(e.published, nil)\n"
        "eq(e.content, nil, 'content by src')\n"
        "eq(#e.categories, 1)\n"
        "eq(e.categories[1].term, 'T')\n"
        "eq(e.categories[1].domain, 'urn:s')\n"
        "eq(f.items[2].id, nil, 'nothing to make an id of')\n");
}

/* ---- bad inputs ----------------------------------------------------------- */

static void truncated_document_names_line_130(void **state)
{
    expect_error(*state, "tests/fixtures/bad/truncated.xml", "vane.feed(body)",
                 "line 130: CData section not finished");
}

static void recover_gives_the_items_before_the_damage(void **state)
{
    sandbox_t *sb = *state;
    expect_ok(sb, "tests/fixtures/bad/truncated.xml", NULL,
              "local f = vane.feed(body, nil, { recover = true })\n"
              "eq(#f.items, 6)\n"
              "eq(f.items[2].title, 'Mexico Travel Advisory - Level 2: Exercise Increased Caution')\n"
              "eq(f.items[6].title, 'Kosovo - Level 2: Exercise Increased Caution', 'cut in its description')\n");
    buf_t w = { 0 };
    luatest_warnings(sb, &w);
    assert_string_equal(buf_str(&w), "x: line 130: CData section not finished; items after it may be missing\n");
    buf_free(&w);
}

static void empty_documents_are_errors(void **state)
{
    expect_error(*state, "tests/fixtures/bad/empty.xml", "vane.feed(body)", "empty document");
    expect_error(*state, NULL, "vane.feed(' \\n\\t ')", "empty document");
    expect_error(*state, NULL, "vane.feed(nil)", "vane.feed: the body must be a string, not nil");
}

static void html_is_not_a_feed(void **state)
{
    expect_error(*state, "tests/fixtures/bad/blocked_200.html", "vane.feed(body)",
                 "not a feed: the document is HTML (Attention Required! | Cloudflare)");
    expect_error(*state, NULL, "vane.feed('<html><head><title>Hi &amp; bye</title></head><body/></html>')",
                 "not a feed: the document is HTML (Hi & bye)");
    expect_error(*state, NULL, "vane.feed('<HTML><body>x</body></HTML>')",
                 "not a feed: the document is HTML\n");
    expect_error(*state, NULL, "vane.feed('<?xml version=\"1.0\"?><opml><body/></opml>')",
                 "not a feed: root element <opml>");
    expect_error(*state, NULL, "vane.feed('<x:feed xmlns:x=\"urn:other\"/>')",
                 "not a feed: root element <x:feed>");
}

static void entity_bomb_is_refused_fast(void **state)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    expect_error(*state, "tests/fixtures/bad/entity_bomb.xml", "vane.feed(body, nil, { recover = true })",
                 "document declares entities; refused (entity expansion)");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (ms > 100)
        fail_msg("took %.1f ms", ms);
    /* an internal entity, harmless or not, is refused the same way */
    expect_error(*state, NULL,
                 "vane.feed('<!DOCTYPE rss [<!ENTITY a \"b\">]><rss><channel/></rss>')",
                 "document declares entities; refused (entity expansion)");
}

static void external_entities_are_never_loaded(void **state)
{
    sandbox_t *sb = *state;
    err_t e = { "" };
    assert_int_not_equal(run(sb, "tests/fixtures/bad/xxe.xml", "tests/fixtures/bad/xxe.xml",
                             "vane.feed(body, url, { recover = true })", &e), 0);
    assert_non_null(strstr(e.msg, "document declares entities; refused"));
    assert_null(strstr(e.msg, "LEAKED"));
    /* and even a caller asking libxml2 to load and substitute gets nothing:
     * the loader xmlsafe installs refuses every file and URL */
    xmlsafe_init();
    size_t len;
    char *body = buf_read_all("tests/fixtures/bad/xxe.xml", &len);
    assert_non_null(body);
    xmlDocPtr doc = xmlReadMemory(body, (int)len, "tests/fixtures/bad/xxe.xml", NULL,
                                  XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_RECOVER |
                                      XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    free(body);
    if (doc) {
        xmlChar *dump = NULL;
        int n = 0;
        xmlDocDumpMemory(doc, &dump, &n);
        assert_null(strstr((const char *)dump, "LEAKED-SECRET"));
        xmlFree(dump);
        xmlFreeDoc(doc);
    }
}

/* An undeclared entity under an unread DTD stays a reference node: its
 * text is never looked up, only its name is used. */
static void entity_references_are_not_expanded(void **state)
{
    expect_ok(*state, NULL, NULL,
              "local f = vane.feed([[<!DOCTYPE rss SYSTEM 'http://example.invalid/x.dtd'>\n"
              "<rss><channel><item><title>a &secret; b &hellip;</title>\n"
              "<description>x &secret; y</description></item></channel></rss>]])\n"
              "eq(f.items[1].title, 'a &secret; b \u2026')\n"
              "eq(f.items[1].summary_html, 'x &secret; y')\n");
}

static void invalid_dates_warn_with_their_lines(void **state)
{
    sandbox_t *sb = *state;
    expect_ok(sb, "tests/fixtures/bad/invalid_date.xml", NULL,
              "local f = vane.feed(body)\n"
              "eq(#f.items, 14)\n"
              "eq(f.updated, nil, 'both channel dates are bad')\n"
              "local by = {}\n"
              "for _, e in ipairs(f.items) do by[e.title:match('^(%S+)')] = e end\n"
              "eq(by.Nepal.published, nil)\n"
              "eq(by.Nepal.title, 'Nepal - Level 3: Reconsider Travel')\n"
              "eq(by.Kenya.published, nil)\n"
              "eq(by.Yemen.published, nil)\n"
              "eq(by.Burma.published, nil)\n"
              "eq(by.Mexico.published, '2024-12-02T00:00:00Z')\n");
    buf_t w = { 0 };
    luatest_warnings(sb, &w);
    assert_string_equal(buf_str(&w),
                        "x: line 7: unparseable date 'Tue, 03 Dec 2024 25:61:00 GMT' in <pubDate>\n"
                        "x: line 8: unparseable date '2024-12-03T25:61:00Z' in <dc:date>\n"
                        "x: line 200: unparseable date 'Thu, 31 Nov 2024' in <pubDate>\n"
                        "x: line 297: unparseable date '2024-13-45' in <pubDate>\n"
                        "x: line 323: empty <pubDate>\n");
    buf_free(&w);
}

static void invalid_utf8_is_a_clear_error(void **state)
{
    expect_error(*state, "tests/fixtures/bad/bad_utf8.xml", "vane.feed(body)",
                 "line 301: invalid UTF-8 (bytes 0xE9 0x20 0x6F 0x77)");
    expect_error(*state, NULL, "vane.feed('<rss><channel><title>\\xff\\xfe</title></channel></rss>')",
                 "line 1: invalid UTF-8");
    expect_error(*state, NULL, "vane.feed('\\0\\0\\0')", "line 1: ");
    expect_error(*state, NULL, "vane.feed('<rss><channel>')", "line 1: ");
}

/* Found by the fuzzer: with recover, libxml2 kept the bytes after an
 * encoding error as they were, and items carried text that is not UTF-8. */
static void recover_replaces_invalid_utf8(void **state)
{
    sandbox_t *sb = *state;
    expect_ok(sb, NULL, NULL,
              "local f = vane.feed('<rss><channel><item><title>Cautio\\x9cn caf\\xc3\\xa9</title>'\n"
              "  .. '</item>\\n<item><title>\\xc0x</title></item></channel></rss>', nil, { recover = true })\n"
              "eq(f.items[1].title, 'Cautio\\u{FFFD}n caf\\u{E9}')\n"
              "eq(f.items[2].title, '\\u{FFFD}x')\n");
    buf_t w = { 0 };
    luatest_warnings(sb, &w);
    assert_string_equal(buf_str(&w), "x: line 1: 2 invalid UTF-8 sequences replaced with U+FFFD\n");
    buf_free(&w);
}

/* Every prefix of a good feed: an error or a result, never a crash (the
 * sanitizer build checks the memory). */
static void every_truncation_is_handled(void **state)
{
    expect_ok(*state, "tests/fixtures/feed/atom03.xml", NULL,
              "for n = 0, #body do\n"
              "  local ok, r = pcall(vane.feed, body:sub(1, n))\n"
              "  assert(ok == (n == #body or body:sub(n + 1):match('^%s*$') ~= nil), n)\n"
              "  pcall(vane.feed, body:sub(1, n), nil, { recover = true })\n"
              "end\n");
}

/* A feed of n items like a news site's: title, link, guid, date, a
 * category and a short escaped description. */
static void big_feed(buf_t *b, int n)
{
    buf_puts(b, "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>Big</title>\n");
    for (int i = 0; i < n; i++)
        buf_printf(b, "<item><title>Statement on item %d of the big feed</title>"
                      "<link>https://example.org/n/%06d</link><guid>doc-%06d</guid>"
                      "<pubDate>Mon, 01 Jan 2024 %02d:%02d:00 GMT</pubDate>"
                      "<category>Diplomacy</category><description>&lt;b&gt;Press statement "
                      "on a meeting of the working group&lt;/b&gt; number %d.</description></item>\n",
                   i, i, i, i % 24, i % 60, i);
    buf_puts(b, "</channel></rss>\n");
}

/* The parsed tree of a feed is several times its size, and it counts
 * against the state's ceiling together with the body and the tables
 * built from it. The body is handed to libxml2 without a copy of its own,
 * and each item's subtree is freed once its table is built, so a 1.2 MB
 * feed of 4,000 items is read under a 12 MB ceiling (it needed 15 MB). */
static void a_big_feed_is_read_under_a_ceiling_a_few_times_its_size(void **state)
{
    (void)state;
    const char *env = getenv("VANE_TEST_FEED_MB"); /* for measuring the need */
    sandbox_limits_t lim = {0, (size_t)(env ? atoi(env) : 12) << 20, 0, 60000};
    err_t e = { "" };
    sandbox_t *sb = sandbox_new(&lim, &e);
    assert_non_null(sb);
    assert_int_equal(vanelib_install(sb, VANE_FOR_SCRIPTS, &e), 0);
    buf_t body = { 0 };
    big_feed(&body, 4000);
    assert_true(body.len > 1200000);
    int rc = luatest_run(sb, prelude, body.p, body.len, NULL,
                         "local f = vane.feed(body)\n"
                         "eq(#f.items, 4000, 'items')\n"
                         "eq(f.items[4000].id, 'doc-003999')\n"
                         "eq(f.items[4000].summary, 'Press statement on a meeting of the working "
                         "group number 3999.')\n", &e);
    if (rc != 0)
        fail_msg("%s", e.msg);
    buf_free(&body);
    sandbox_free(sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(travel_advisories_fixture, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(wordpress_press_releases, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(atom_dhs_news, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(real_state_department_feed, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(rss_1_0_rdf, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(atom_0_3, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(rss_0_91_with_doctype, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(inline_odd_cases, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(atom_under_a_prefix, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(truncated_document_names_line_130, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(recover_gives_the_items_before_the_damage, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(empty_documents_are_errors, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(html_is_not_a_feed, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(entity_bomb_is_refused_fast, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(external_entities_are_never_loaded, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(entity_references_are_not_expanded, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(invalid_dates_warn_with_their_lines, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(invalid_utf8_is_a_clear_error, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(recover_replaces_invalid_utf8, luatest_setup, luatest_teardown),
        cmocka_unit_test_setup_teardown(every_truncation_is_handled, luatest_setup, luatest_teardown),
        cmocka_unit_test(a_big_feed_is_read_under_a_ceiling_a_few_times_its_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

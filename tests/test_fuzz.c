/* test_fuzz.c — a deterministic mutation fuzzer over the front doors that
 * read untrusted bytes: vane.feed, vane.html (and a few queries on the
 * result), vane.xml, vane.json.decode, vane.phrase (key, stem, t2s and the
 * matchers, on real headlines), charset_detect + charset_to_utf8,
 * datetime_parse (+ datetime_format), url_canonical and url_resolve, and
 * css_compile (+ css_select), and evalset_parse (the labelled sets of
 * `vane eval`); and the Lua boundary: random values returned by a chunk
 * and read by the host (lua_boundary_door).
 *
 * Seeds are the fixtures (feeds, pages, JSON, the bad inputs) or short
 * lists of dates and selectors; each case stacks one to four mutations (bit
 * flips, byte inserts and deletes, chunks duplicated, truncation, splices
 * of two seeds, tokens such as "<![CDATA[" and "<!ENTITY", deep nesting,
 * long runs) driven by a small PRNG with a fixed seed per door, so a run is
 * the same every time. An error is fine; what fails is a crash, a
 * sanitizer report, a case slower than CASE_SECONDS, an error that is not
 * a string, or a result without its documented shape.
 *
 * Environment: VANE_FUZZ_CASES=N cases per door (default: a few thousand,
 * about 20 s in the sanitize build), VANE_FUZZ_SEED=N another sequence,
 * VANE_FUZZ_SAVE=FILE writes each input to FILE.DOOR (FILE.vane.feed, …)
 * before running it, so a failure or crash leaves its input there. Run from the project top. */
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
#include <libxml/HTMLparser.h>

#include "util/buf.h"
#include "fetch/charset.h"
#include "lib/css.h"
#include "util/datetime.h"
#include "util/url.h"
#include "sandbox/sandbox.h"
#include "lib/vanelib.h"
#include "lib/xmlsafe.h"
#include "rules/evalset.h"

#define FUZZ_MAX_INPUT (256 * 1024) /* a mutated input is cut to this */
#define CASE_SECONDS 10.0      /* one case slower than this is a hang (CSS may take 2 s) */
#define GC_EVERY 64            /* full collections free libxml2 trees Lua cannot weigh */

/* ---- the PRNG (splitmix64) ------------------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng_t;

static uint64_t next64(rng_t *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A number in [0, n); 0 when n is 0. */
static size_t below(rng_t *r, size_t n)
{
    return n ? (size_t)(next64(r) % n) : 0;
}

/* ---- corpora --------------------------------------------------------------- */

typedef struct corpus {
    buf_t *seeds;
    size_t n;
} corpus_t;

static void add_seed(corpus_t *c, const char *s, size_t len)
{
    c->seeds = realloc(c->seeds, (c->n + 1) * sizeof *c->seeds);
    assert_non_null(c->seeds);
    memset(&c->seeds[c->n], 0, sizeof c->seeds[c->n]);
    assert_int_equal(buf_append(&c->seeds[c->n], s, len), 0);
    c->n++;
}

static void add_files(corpus_t *c, const char *const *paths)
{
    for (; *paths; paths++) {
        size_t len;
        char *s = buf_read_all(*paths, &len);
        if (!s)
            fail_msg("cannot read %s (run from the project top)", *paths);
        add_seed(c, s, len);
        free(s);
    }
}

static void add_strings(corpus_t *c, const char *const *list)
{
    for (; *list; list++)
        add_seed(c, *list, strlen(*list));
}

static void corpus_free(corpus_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        buf_free(&c->seeds[i]);
    free(c->seeds);
    c->seeds = NULL;
    c->n = 0;
}

static const char *const FEEDS[] = {
    "tests/fixtures/travel_advisories/t1.xml", "tests/fixtures/press_releases/p1.xml",
    "tests/fixtures/dhs_news/d1.xml",          "tests/fixtures/feed/atom03.xml",
    "tests/fixtures/feed/rss091.xml",          "tests/fixtures/feed/rss10.rdf",
    "tests/fixtures/bad/entity_bomb.xml",      "tests/fixtures/bad/xxe.xml",
    "tests/fixtures/bad/truncated.xml",        "tests/fixtures/bad/invalid_date.xml",
    "tests/fixtures/bad/bad_utf8.xml",         "tests/fixtures/bad/empty.xml",
    NULL,
};

static const char *const PAGES[] = {
    "tests/fixtures/mfa_en/s1.html",       "tests/fixtures/mfa_zh/s1.html",
    "tests/fixtures/html/utf8_meta_latin1.html", "tests/fixtures/html/utf8_late_meta_gb2312.html",
    "tests/fixtures/bad/blocked_200.html", "tests/fixtures/feed/rss091.xml",
    NULL,
};

static const char *const JSONS[] = {
    "tests/fixtures/federal_register/f1.json", "tests/fixtures/gdelt/g1.json",
    "tests/fixtures/travel_advisories_api/api_t1.json", "tests/fixtures/bad/deep.json",
    NULL,
};

static const char *const HEADLINES[] = {
    "tests/fixtures/real/headlines/dev.tsv", "tests/fixtures/mfa_zh/s2.html", NULL,
};

static const char *const MIXED[] = {
    "tests/fixtures/mfa_zh/s2.html", "tests/fixtures/mfa_en/s2.html",
    "tests/fixtures/dhs_news/d2.xml", "tests/fixtures/gdelt/g2.json",
    "tests/fixtures/html/utf8_late_meta_gb2312.html", "tests/fixtures/feed/rss10.rdf",
    NULL,
};

static const char *const DATES[] = {
    "Wed, 27 Nov 2024 10:00:00 GMT", "27 Nov 24 10:00 -0500", "Tue, 03 Dec 2024",
    "November 27, 2024 10:00 EST", "Nov 27, 2024", "2024-11-26T19:00:00-05:00",
    "2024-11-26T19:00:00.123456Z", "2024-11-26 19:00", "20241203T101500Z", "20241203",
    "2024/11/29 10:00:00", "Thu, 01 Jan 1970 00:00:00 GMT+05:30 (comment)", "Sun, 31 Dec 9999 23:59:59 Z",
    "29 Feb 2000 12:00 A", "0001-01-01T00:00:00Z", "Sat, 1 Jan 50 00:00 PDT",
    "11/18/2024 10:30 PM", "18.11.24", "Nov. 18, 2024 9:05 a.m.", "2024年11月18日 10:30",
    NULL,
};

static const char *const URLS[] = {
    "https://travel.state.gov/content/travel/en/traveladvisories/china-travel-advisory.html",
    "HTTP://User:pw@Example.ORG.:80/a/./b/../c/?utm_source=x&id=%7e1&&b=%2f#frag",
    "http://[2001:db8::1]:8080/x?y", "//cdn.example.org/x.js", "../a/b;p?q#s", "?y", "#s",
    "./202411/t20241129_11534960.html", "mailto:desk@example.org", "foo:/.//bar",
    "https://h/%E4%B8%AD%zz/a b/中?q=1&fbclid=2", "https://h:99999/", "g;x=1/../y",
    NULL,
};

static const char *const SELECTORS[] = {
    "li", "ul.list1 > li a[href]", "div#d1 .a + li ~ li", "*", ":not(.x):first-child",
    "li:nth-child(2n+1)", ":nth-last-child(-n+3) span", "a[href^='http' i]", "[data-k|=Foo]",
    "p, b, ul > li:only-child", "a[title~=\"hello\"]", "#\\31 23", "[x\\:href$=z]",
    ".\xe6\x96\xb0\xe9\x97\xbb", "title:last-child", "span[lang*=en]",
    NULL,
};

/* Selectors the HTML door runs on each page it reads. */
static const char *const PAGE_SELECTORS[] = {
    "a", "ul.list1 li span", "li:nth-child(odd) > a[href]", "div p ~ *", ":not(span)",
    "title", "[class]", "body *:last-child",
};

/* ---- mutation ------------------------------------------------------------- */

static const char *const TOKENS[] = {
    "<![CDATA[", "]]>", "&#x", "&#x10FFFF;", "&#xD800;", "&#0;", "&#99999999999;", "&amp;",
    "&lt", "&nbsp;", "<!ENTITY x \"y\">", "<!DOCTYPE x [", "<!DOCTYPE html>", "]>", "\xff",
    "\xc0\x80", "\xed\xa0\x80", "\xef\xbb\xbf", "\xfe\xff", "\xff\xfe", "\x00", "<", ">", "&",
    "\"", "'", "<!--", "-->", "<?xml version=\"1.0\" encoding=\"utf-16\"?>",
    "<meta charset=\"gbk\">", "xmlns=\"urn:x\"", "xmlns:a=\"", "xml:base=\"../\"", "</", "/>",
    "<item>", "<entry>", "<script>", "</html>", "{", "}", "[", "]", ",", ":", "\\u", "\\ud800",
    "\\udc00\\ud800", "1e999999", "-0.0e-400", "\"\\", "null", "GMT", "+99:99", "T", "Z", "(",
    ")", ":not(", ":nth-child(", "~", "+", ">", "\\", "\\0", "*|", "#", ".", "[a=\"", "\r\n",
};

static const char *const OPENERS[] = {
    "[", "{\"a\":", "<a>", "<div>", "<x:y xmlns:x='urn:x'>", "((", ":not(", "<b><i>", "<![CDATA[",
};

static const char RUN_BYTES[] = { ' ', 'a', '<', '&', '\xff', '0', '[', '\n', '\0', '9' };

static void insert(buf_t *b, size_t at, const char *s, size_t n)
{
    if (n == 0 || b->len + n > 2 * FUZZ_MAX_INPUT)
        return;
    assert_int_equal(buf_reserve(b, n), 0);
    memmove(b->p + at + n, b->p + at, b->len - at + 1);
    memcpy(b->p + at, s, n);
    b->len += n;
}

static void cut(buf_t *b, size_t at, size_t n)
{
    memmove(b->p + at, b->p + at + n, b->len - at - n + 1);
    b->len -= n;
}

/* n copies of s inserted at a random place. */
static void insert_repeated(rng_t *r, buf_t *b, const char *s, size_t k, size_t n)
{
    buf_t rep = { 0 };
    for (size_t i = 0; i < n && rep.len < FUZZ_MAX_INPUT; i++)
        assert_int_equal(buf_append(&rep, s, k), 0);
    insert(b, below(r, b->len + 1), rep.p, rep.len);
    buf_free(&rep);
}

static void mutate_once(rng_t *r, buf_t *b, const corpus_t *c)
{
    size_t at = below(r, b->len + 1);
    switch (below(r, 11)) {
    case 0: /* flip bits */
        for (size_t i = 1 + below(r, 8); i > 0 && b->len; i--)
            b->p[below(r, b->len)] ^= (char)(1 << below(r, 8));
        break;
    case 1: { /* insert random bytes */
        char bytes[8];
        size_t n = 1 + below(r, sizeof bytes);
        for (size_t i = 0; i < n; i++)
            bytes[i] = (char)below(r, 256);
        insert(b, at, bytes, n);
        break;
    }
    case 2: /* delete a range */
        cut(b, at, below(r, b->len - at + 1) / (below(r, 4) ? 16 : 1));
        break;
    case 3: { /* duplicate a chunk elsewhere */
        size_t n = below(r, b->len - at + 1) / (1 + below(r, 8));
        buf_t chunk = { 0 };
        assert_int_equal(buf_append(&chunk, b->p ? b->p + at : "", n), 0);
        insert(b, below(r, b->len + 1), chunk.p, chunk.len);
        buf_free(&chunk);
        break;
    }
    case 4: /* truncate */
        b->len = at;
        if (b->p)
            b->p[b->len] = '\0';
        break;
    case 5: { /* splice: this seed up to at, another from somewhere on */
        const buf_t *o = &c->seeds[below(r, c->n)];
        size_t from = below(r, o->len + 1);
        b->len = at;
        assert_int_equal(buf_append(b, o->p ? o->p + from : "", o->len - from), 0);
        break;
    }
    case 6:
    case 7: { /* a token */
        const char *t = TOKENS[below(r, sizeof TOKENS / sizeof *TOKENS)];
        insert(b, at, t, t[0] ? strlen(t) : 1);
        break;
    }
    case 8: { /* deep nesting */
        const char *o = OPENERS[below(r, sizeof OPENERS / sizeof *OPENERS)];
        insert_repeated(r, b, o, strlen(o), 1 + below(r, below(r, 2) ? 300 : 5000));
        break;
    }
    case 9: { /* a long run of one byte */
        char ch = RUN_BYTES[below(r, sizeof RUN_BYTES)];
        insert_repeated(r, b, &ch, 1, 1 + below(r, below(r, 4) ? 100 : 70000));
        break;
    }
    default: /* an interesting byte */
        if (b->len) {
            static const unsigned char odd[] = { 0, 0x7f, 0x80, 0xbf, 0xc0, 0xe0, 0xf0, 0xf8, 0xff };
            b->p[below(r, b->len)] = (char)odd[below(r, sizeof odd)];
        }
        break;
    }
}

/* The input of one case: a seed (now and then left as it is) mutated one
 * to four times, at most FUZZ_MAX_INPUT bytes. */
static void make_case(rng_t *r, const corpus_t *c, buf_t *b)
{
    const buf_t *seed = &c->seeds[below(r, c->n)];
    buf_reset(b);
    assert_int_equal(buf_append(b, seed->p ? seed->p : "", seed->len), 0);
    if (below(r, 50) == 0)
        return;
    for (size_t i = 1 + below(r, 4); i > 0; i--)
        mutate_once(r, b, c);
    if (b->len > FUZZ_MAX_INPUT) {
        b->len = FUZZ_MAX_INPUT;
        b->p[b->len] = '\0';
    }
}

/* ---- running cases --------------------------------------------------------- */

typedef struct fuzz {
    const char *door;
    rng_t rng;
    long cases, done;
    double slowest;
    const char *save; /* VANE_FUZZ_SAVE */
} fuzz_t;

static long env_long(const char *name, long dflt)
{
    const char *s = getenv(name);
    char *end;
    long v = s ? strtol(s, &end, 10) : 0;
    return s && *s && !*end && v > 0 ? v : dflt;
}

static fuzz_t fuzz_start(const char *door, uint64_t seed, long cases)
{
    fuzz_t f = { door, { seed ^ (uint64_t)env_long("VANE_FUZZ_SEED", 0) * 0x2545F4914F6CDD1DULL },
                 env_long("VANE_FUZZ_CASES", cases), 0, 0.0, getenv("VANE_FUZZ_SAVE") };
    return f;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void save_input(const fuzz_t *f, const buf_t *in)
{
    char path[4096];
    if (!f->save || snprintf(path, sizeof path, "%s.%s", f->save, f->door) >= (int)sizeof path)
        return;
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return;
    if (in->len)
        fwrite(in->p, 1, in->len, fp);
    fclose(fp);
}

/* Time one case; a hang fails with the case's number. */
static void finish_case(fuzz_t *f, double t0)
{
    double dt = now_seconds() - t0;
    if (dt > f->slowest)
        f->slowest = dt;
    if (dt > CASE_SECONDS)
        fail_msg("%s case %ld took %.1f s", f->door, f->done, dt);
    f->done++;
}

static void fuzz_report(const fuzz_t *f)
{
    print_message("%s: %ld cases, slowest %.3f s\n", f->door, f->done, f->slowest);
}

/* ---- the Lua doors --------------------------------------------------------- */

/* Helpers every driver can use. */
static const char prelude[] =
    "local function check_err(e)\n"
    "  if type(e) ~= 'string' then error('error value is a ' .. type(e), 0) end\n"
    "end\n"
    "local function try(f, ...)\n" /* queries may stop (budgets): a string error */
    "  local ok, r = pcall(f, ...)\n"
    "  if ok then return r end\n"
    "  check_err(r)\n"
    "end\n"
    "local function utf8_ok(v, what)\n" /* text out of a door is UTF-8 */
    "  if not utf8.len(v) then error(what .. ' is not UTF-8: ' .. ('%q'):format(v), 0) end\n"
    "  return v\n"
    "end\n"
    "local function opt_string(v, what)\n"
    "  if v ~= nil and type(v) ~= 'string' then error(what .. ' is a ' .. type(v), 0) end\n"
    "  if v then utf8_ok(v, what) end\n"
    "end\n"
    "local function nodes(list, limit)\n"
    "  assert(type(list) == 'table', 'a node list is a table')\n"
    "  for i = 1, math.min(#list, limit) do\n"
    "    local n = list[i]\n"
    "    opt_string(n:text(), 'text'); opt_string(n:raw_text(), 'raw_text')\n"
    "    assert(type(n:html()) == 'string' and type(n:inner_html()) == 'string')\n"
    "    opt_string(n:name(), 'name'); assert(type(tostring(n)) == 'string')\n"
    "    opt_string(n:attr('href'), 'attr'); opt_string(n:url(), 'url')\n"
    "    n:parent(); n:next(); assert(type(n:children()) == 'table')\n"
    "    local below = try(n.select, n, 'a, span')\n"
    "    assert(below == nil or type(below) == 'table')\n"
    "  end\n"
    "end\n";

static const char feed_driver[] =
    "local input, recover = ...\n"
    "local ok, f = pcall(vane.feed, input, 'https://example.org/dir/feed.xml', { recover = recover })\n"
    "if not ok then return check_err(f) end\n"
    "assert(type(f) == 'table' and type(f.items) == 'table', 'a feed with items')\n"
    "opt_string(f.title, 'title'); opt_string(f.link, 'link'); opt_string(f.updated, 'updated')\n"
    "for _, it in ipairs(f.items) do\n"
    "  assert(type(it) == 'table', 'an item is a table')\n"
    "  for _, k in ipairs({ 'id', 'title', 'link', 'published', 'updated', 'summary',\n"
    "                       'summary_html', 'content', 'author' }) do opt_string(it[k], k) end\n"
    "  assert(type(it.categories) == 'table', 'categories')\n"
    "  for _, c in ipairs(it.categories) do\n"
    "    assert(type(c.term) == 'string', 'a term'); opt_string(c.domain, 'domain')\n"
    "  end\n"
    "end\n";

static const char html_driver[] =
    "local input, sel = ...\n"
    "local ok, doc = pcall(vane.html, input, 'https://example.org/dir/page.html')\n"
    "if not ok then return check_err(doc) end\n"
    "opt_string(doc:title(), 'title'); opt_string(doc:base(), 'base')\n"
    "local list = try(doc.select, doc, sel)\n"
    "if list then nodes(list, 20) end\n"
    "local one = try(doc.select_one, doc, sel)\n"
    "if one then nodes(try(one.select, one, '*') or {}, 5) end\n"
    "local xs = try(doc.xpath, doc, '//a/@href | //title/text() | //comment()')\n"
    "assert(xs == nil or type(xs) == 'table')\n"
    "for i = 1, math.min(xs and #xs or 0, 20) do assert(type(xs[i]) == 'string'); utf8_ok(xs[i], 'xpath') end\n"
    "local n = try(doc.xpath, doc, 'count(//*)')\n"
    "assert(n == nil or math.type(n) == 'integer')\n"
    "nodes(try(doc.xpath, doc, '//li | //p') or {}, 10)\n"
    "local root = doc:root()\n"
    "if root then nodes({ root }, 1) end\n";

static const char xml_driver[] =
    "local input, recover = ...\n"
    "local ok, doc = pcall(vane.xml, input, 'https://example.org/x.xml', { recover = recover })\n"
    "if not ok then return check_err(doc) end\n"
    "opt_string(doc:base(), 'base')\n"
    "local r = try(doc.xpath, doc, '//d:entry | //item/title | //a:link/@href',\n"
    "              { a = 'http://www.w3.org/2005/Atom' })\n"
    "assert(r == nil or type(r) == 'table')\n"
    "local n = try(doc.xpath, doc, 'count(//*)')\n"
    "assert(n == nil or math.type(n) == 'integer')\n"
    "nodes(try(doc.select, doc, 'item, entry > title, link, *:first-child') or {}, 20)\n"
    "local root = doc:root()\n"
    "if root then nodes({ root }, 1); nodes(root:children(), 5) end\n";

static const char json_driver[] =
    "local input = ...\n"
    "local ok, v, err = pcall(vane.json.decode, input)\n"
    "if not ok then return check_err(v) end\n"
    "if v == nil then return check_err(err) end\n"
    "local function walk(x, depth)\n" /* UTF-8 in, UTF-8 out: escapes too */
    "  if type(x) == 'string' then utf8_ok(x, 'a decoded string') end\n"
    "  if type(x) ~= 'table' or depth > 50 then return end\n"
    "  for k, y in pairs(x) do walk(k, depth + 1); walk(y, depth + 1) end\n"
    "end\n"
    "if utf8.len(input) then walk(v, 0) end\n"
    "local ok2, s, err2 = pcall(vane.json.encode, v)\n"
    "if not ok2 then return check_err(s) end\n"
    "if s == nil then return check_err(err2) end\n"
    "assert(type(s) == 'string')\n"
    "local again = vane.json.decode(s)\n"
    "assert(again ~= nil, 'what encode wrote decodes')\n";

static const char phrase_driver[] =
    "local input = ...\n"
    "local P = vane.phrase\n"
    "local L = { 'extradite', 'repatriat*', 'working group', 'u.s.-china', '盘查', '包機遣返' }\n"
    "local C = { before = { \"won't\", 'calls for', '拒绝' }, after = { 'treaty' } }\n"
    "local outs = { P.key(input), P.key(input, true), P.stem(input), P.t2s(input), P.normalize(input) }\n"
    "for i, s in ipairs(outs) do\n"
    "  assert(type(s) == 'string', 'a string out')\n"
    "  if utf8.len(input) and not input:find('%z') then utf8_ok(s, 'phrase output ' .. i) end\n"
    "end\n"
    "local r = P.find(input, L, C)\n"
    "assert(r == nil or type(r) == 'string')\n"
    "assert(type(P.find_all(input, L, C)) == 'table')\n"
    "r = P.find_near(input, L, C)\n"
    "assert(r == nil or type(r) == 'string')\n";

typedef struct lua_door {
    sandbox_t *sb;
    int driver; /* registry reference to the compiled driver */
} lua_door_t;

static lua_door_t lua_door(const char *driver)
{
    err_t e = { "" };
    lua_door_t d = { sandbox_new(NULL, &e), LUA_NOREF };
    if (!d.sb || vanelib_install(d.sb, VANE_FOR_SCRIPTS, &e) != 0)
        fail_msg("sandbox: %s", e.msg);
    lua_State *L = sandbox_lua(d.sb);
    buf_t code = { 0 };
    buf_puts(&code, prelude);
    buf_puts(&code, driver);
    sandbox_push_env(d.sb);
    if (sandbox_load(d.sb, "driver.lua", code.p, code.len, lua_gettop(L), &e) != 0)
        fail_msg("driver: %s", e.msg);
    buf_free(&code);
    lua_remove(L, -2);
    d.driver = luaL_ref(L, LUA_REGISTRYINDEX);
    return d;
}

static void lua_door_free(lua_door_t *d)
{
    luaL_unref(sandbox_lua(d->sb), LUA_REGISTRYINDEX, d->driver);
    sandbox_free(d->sb);
}

/* Run the driver on the input and a second argument (pushed by the caller
 * above nothing else): the driver must return, whatever the input. */
static void lua_case(fuzz_t *f, lua_door_t *d, const buf_t *in, int nextra)
{
    lua_State *L = sandbox_lua(d->sb);
    err_t e = { "" };
    double t0 = now_seconds();
    lua_rawgeti(L, LUA_REGISTRYINDEX, d->driver);
    lua_pushlstring(L, in->p ? in->p : "", in->len);
    if (nextra)
        lua_rotate(L, -2 - nextra, -nextra); /* the extra argument goes last */
    /* A case may be stopped by a limit (queries and parsers charge their
     * work to the budget); anything else is a failure of the door. */
    if (sandbox_call(d->sb, 1 + nextra, 0, "driver.lua", &e) != 0 &&
        sandbox_failure(d->sb) != SANDBOX_FAIL_BUDGET && sandbox_failure(d->sb) != SANDBOX_FAIL_TIME)
        fail_msg("%s case %ld (%zu bytes): %s", f->door, f->done, in->len, e.msg);
    vanelib_take_warnings(L, NULL, "");
    if (f->done % GC_EVERY == 0)
        lua_gc(L, LUA_GCCOLLECT);
    finish_case(f, t0);
}

typedef void (*push_extra_fn)(lua_State *L, rng_t *r);

static void push_recover(lua_State *L, rng_t *r)
{
    lua_pushboolean(L, below(r, 2) == 0);
}

static void push_selector(lua_State *L, rng_t *r)
{
    lua_pushstring(L, PAGE_SELECTORS[below(r, sizeof PAGE_SELECTORS / sizeof *PAGE_SELECTORS)]);
}

static void fuzz_lua_door(const char *door, uint64_t seed, long cases, const char *driver,
                          const char *const *files, push_extra_fn extra)
{
    corpus_t c = { NULL, 0 };
    add_files(&c, files);
    fuzz_t f = fuzz_start(door, seed, cases);
    lua_door_t d = lua_door(driver);
    buf_t in = { 0 };
    while (f.done < f.cases) {
        make_case(&f.rng, &c, &in);
        save_input(&f, &in);
        if (extra)
            extra(sandbox_lua(d.sb), &f.rng);
        lua_case(&f, &d, &in, extra ? 1 : 0);
    }
    fuzz_report(&f);
    buf_free(&in);
    lua_door_free(&d);
    corpus_free(&c);
}

static void feed_door(void **state)
{
    (void)state;
    fuzz_lua_door("vane.feed", 0xF33D, 2000, feed_driver, FEEDS, push_recover);
}

static void html_door(void **state)
{
    (void)state;
    fuzz_lua_door("vane.html", 0x4711, 1500, html_driver, PAGES, push_selector);
}

static void xml_door(void **state)
{
    (void)state;
    fuzz_lua_door("vane.xml", 0x3131, 2000, xml_driver, FEEDS, push_recover);
}

static void json_door(void **state)
{
    (void)state;
    fuzz_lua_door("vane.json.decode", 0x150E, 3000, json_driver, JSONS, NULL);
}

static void phrase_door(void **state)
{
    (void)state;
    fuzz_lua_door("vane.phrase", 0x57E3, 600, phrase_driver, HEADLINES, NULL);
}

/* ---- the C doors ----------------------------------------------------------- */

/* Is s (n bytes) well-formed UTF-8? (NUL is a character like any other.) */
static int valid_utf8(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (u[i] < 0x80)
            len = 1;
        else if (u[i] >= 0xC2 && u[i] <= 0xDF)
            len = 2;
        else if (u[i] >= 0xE0 && u[i] <= 0xEF)
            len = 3, lo = u[i] == 0xE0 ? 0xA0 : 0x80, hi = u[i] == 0xED ? 0x9F : 0xBF;
        else if (u[i] >= 0xF0 && u[i] <= 0xF4)
            len = 4, lo = u[i] == 0xF0 ? 0x90 : 0x80, hi = u[i] == 0xF4 ? 0x8F : 0xBF;
        else
            return 0;
        if (len > 1 && (n - i < len || u[i + 1] < lo || u[i + 1] > hi))
            return 0;
        for (size_t k = 2; k < len; k++)
            if (u[i + k] < 0x80 || u[i + k] > 0xBF)
                return 0;
        i += len;
    }
    return 1;
}

static void charset_door(void **state)
{
    (void)state;
    static const char *const labels[] = { "gbk", "big5", "shift_jis", "utf-16le", "windows-1252",
                                          "utf-8", "gb2312", "utf-16be", "x-unknown" };
    static const char *const types[] = { NULL, "text/html; charset=gbk", "application/xml",
                                         "text/plain; charset=\"big5\"", "text/html;charset=utf-16le",
                                         "text/html; charset=" };
    corpus_t c = { NULL, 0 };
    add_files(&c, MIXED);
    add_files(&c, PAGES);
    fuzz_t f = fuzz_start("charset", 0xC5E7, 4000);
    buf_t in = { 0 }, out = { 0 };
    while (f.done < f.cases) {
        make_case(&f.rng, &c, &in);
        save_input(&f, &in);
        double t0 = now_seconds();
        char label[64];
        int bom = -1;
        const char *ct = types[below(&f.rng, sizeof types / sizeof *types)];
        assert_ptr_equal(charset_detect(in.p, in.len, ct, label, sizeof label, &bom), label);
        assert_true(strlen(label) < sizeof label && (bom == 0 || bom == 1));
        const char *use = below(&f.rng, 2) ? label : labels[below(&f.rng, sizeof labels / sizeof *labels)];
        charset_report_t rep;
        err_t e = { "" };
        buf_reset(&out);
        if (charset_to_utf8(in.p, in.len, use, &out, &rep, &e) != 0)
            fail_msg("charset case %ld (%s): %s", f.done, use, e.msg);
        if (!valid_utf8(out.p, out.len))
            fail_msg("charset case %ld: %s (%s) wrote bytes that are not UTF-8", f.done, use,
                     rep.decoder);
        assert_true((rep.replaced == 0) == (rep.first_line == 0));
        finish_case(&f, t0);
    }
    fuzz_report(&f);
    buf_free(&in);
    buf_free(&out);
    corpus_free(&c);
}

/* A date read, written back as RFC 3339, reads as the same time. */
static void check_date(const fuzz_t *f, const char *s)
{
    long long t, again;
    char iso[32];
    int rc = datetime_parse(s, &t);
    assert_true(rc == 0 || rc == -1);
    if (rc != 0 || datetime_format(t, "%Y-%m-%dT%H:%M:%SZ", iso, sizeof iso) != 0)
        return;
    if (datetime_parse(iso, &again) != 0 || again != t)
        fail_msg("datetime case %ld: '%s' read as %lld, written '%s', read back differently",
                 f->done, s, t, iso);
}

/* Any text as a format: the output always ends within its room. */
static void check_format(rng_t *r, const char *fmt)
{
    char out[64];
    size_t n = 1 + below(r, sizeof out);
    long long t = (long long)(next64(r) % 800000000000ULL) - 400000000000LL;
    memset(out, 'x', sizeof out);
    int rc = datetime_format(t, fmt, out, n);
    assert_true(rc == 0 || rc == -1);
    assert_non_null(memchr(out, '\0', n));
    if (rc != 0)
        assert_int_equal(out[0], '\0');
}

static void datetime_door(void **state)
{
    (void)state;
    corpus_t c = { NULL, 0 };
    add_strings(&c, DATES);
    fuzz_t f = fuzz_start("datetime", 0xDA7E, 20000);
    buf_t in = { 0 };
    while (f.done < f.cases) {
        make_case(&f.rng, &c, &in);
        if (in.len > 300) { /* dates are short; read only up to 128 bytes anyway */
            in.len = below(&f.rng, 300);
            in.p[in.len] = '\0';
        }
        save_input(&f, &in);
        double t0 = now_seconds();
        check_date(&f, buf_str(&in));
        check_format(&f.rng, buf_str(&in));
        finish_case(&f, t0);
    }
    fuzz_report(&f);
    buf_free(&in);
    corpus_free(&c);
}

/* canonical is ASCII, splits again, and is its own canonical form;
 * a resolved reference splits again. */
static void check_url(const fuzz_t *f, const char *s, const char *base)
{
    buf_t out = {0}, again = {0};
    const char *why = NULL;
    url_t u;
    if (url_canonical(s, &out, &why) == 0) {
        for (size_t i = 0; i < out.len; i++)
            if ((unsigned char)out.p[i] <= 0x20 || (unsigned char)out.p[i] >= 0x7f)
                fail_msg("url case %ld: '%s' -> '%s' has byte 0x%02x", f->done, s, out.p,
                         (unsigned char)out.p[i]);
        if (url_canonical(buf_str(&out), &again, &why) != 0 || strcmp(again.p, out.p) != 0)
            fail_msg("url case %ld: '%s' -> '%s' -> '%s'", f->done, s, out.p, buf_str(&again));
    } else {
        assert_non_null(why);
    }
    buf_reset(&out);
    if (url_resolve(base, s, &out, &why) == 0 && url_split(buf_str(&out), out.len, &u, &why) != 0)
        fail_msg("url case %ld: '%s' on '%s' -> '%s': %s", f->done, s, base, out.p, why);
    buf_free(&out);
    buf_free(&again);
}

static void url_door(void **state)
{
    (void)state;
    corpus_t c = {NULL, 0};
    add_strings(&c, URLS);
    fuzz_t f = fuzz_start("url", 0x0921, 6000);
    buf_t in = {0};
    while (f.done < f.cases) {
        make_case(&f.rng, &c, &in);
        if (in.len > 2000) {
            in.len = below(&f.rng, 2000);
            in.p[in.len] = '\0';
        }
        save_input(&f, &in);
        double t0 = now_seconds();
        check_url(&f, buf_str(&in), URLS[below(&f.rng, 3)]);
        finish_case(&f, t0);
    }
    fuzz_report(&f);
    buf_free(&in);
    corpus_free(&c);
}

static const char CSS_PAGE[] =
    "<html><body><div id='d1' class='box main'><ul class='list1 x'><li class='a'>"
    "<a href='/1' data-k='Foo-bar' title='hello world'>one</a><span lang='en-US'>2</span></li>"
    "<li class='b a'><a href='http://e.org/'>two</a></li><li id='123'>x</li></ul>"
    "<p>para <b>bold</b></p></div><title>t</title></body></html>";
static const char CSS_XML[] =
    "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:x='urn:x'><entry x:href='z' class='a'>"
    "<title>t</title><li/><li id='i'/></entry></feed>";

static int count_match(xmlNodePtr el, void *ud)
{
    (void)el;
    (*(long *)ud)++;
    return 0;
}

static void css_door(void **state)
{
    (void)state;
    xmlsafe_init();
    xmlDocPtr docs[2] = {
        htmlReadMemory(CSS_PAGE, (int)strlen(CSS_PAGE), NULL, "UTF-8",
                       HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET),
        xmlReadMemory(CSS_XML, (int)strlen(CSS_XML), NULL, "UTF-8", XMLSAFE_XML_OPTIONS),
    };
    assert_non_null(docs[0]);
    assert_non_null(docs[1]);
    corpus_t c = { NULL, 0 };
    add_strings(&c, SELECTORS);
    fuzz_t f = fuzz_start("css", 0xC555, 6000);
    buf_t in = { 0 };
    while (f.done < f.cases) {
        make_case(&f.rng, &c, &in);
        save_input(&f, &in);
        double t0 = now_seconds();
        char err[CSS_ERR_MAX];
        css_selector_t *sel = (css_selector_t *)err;
        memset(err, 'x', sizeof err);
        if (css_compile(buf_str(&in), &sel, err, sizeof err) != 0) {
            assert_null(sel);
            assert_non_null(memchr(err, '\0', sizeof err));
            assert_true(strncmp(err, "bad CSS selector", 16) == 0 || strstr(err, "selector") != NULL);
        } else {
            assert_non_null(sel);
            for (int i = 0; i < 2; i++) {
                long n = 0;
                int rc = css_select(sel, (xmlNodePtr)docs[i], count_match, &n);
                assert_true(rc == 0 || rc == CSS_OVER_BUDGET);
                xmlNodePtr root = xmlDocGetRootElement(docs[i]);
                assert_true(css_matches(sel, root) == 0 || css_matches(sel, root) == 1);
            }
            css_free(sel);
        }
        finish_case(&f, t0);
    }
    fuzz_report(&f);
    buf_free(&in);
    corpus_free(&c);
    xmlFreeDoc(docs[0]);
    xmlFreeDoc(docs[1]);
}

/* Labelled sets for `vane eval`: every result is either rows of UTF-8
 * fields without a tab, or errors that name the file and a line. */
static const char *const EVALSETS[] = {
    "# guideline\nid\tlang\tsource\ttitle\tlabels\tprovenance\n"
    "h1\ten\tstate\tJoint Statement of the Third Meeting\tnew-meeting\turl\n"
    "h2\tzh\tmfa\t中美执法合作联合联络小组会议\tnew-meeting,repatriation\turl\n"
    "h3\ten\tnews\tRyanair flight diverted\t-\turl\n",
    "labels\ttitle\tid\tsource\tlang\r\n a , b \tT\tx\ts\ten\r\n-\tU\tx\ts\ten\r\n",
    "\xEF\xBB\xBFid\tlang\tsource\ttitle\tlabels\n\n#c\nh\ten\ts\tt\t\n",
    NULL,
};

static void check_evalset(const fuzz_t *f, const buf_t *in)
{
    evalset_t set = {0};
    errlist_t errs = {0}, warns = {0};
    int rc = evalset_parse(in->p ? in->p : "", in->len, "fuzz.tsv", &set, &errs, &warns);
    if (rc == 0 && errs.len)
        fail_msg("evalset case %ld: success with %zu errors", f->done, errs.len);
    if (rc != 0 && !errs.len)
        fail_msg("evalset case %ld: failure without a message", f->done);
    for (size_t i = 0; i < errs.len; i++)
        if (strncmp(errs.msgs[i], "fuzz.tsv:", 9) != 0)
            fail_msg("evalset case %ld: '%s' does not name the file", f->done, errs.msgs[i]);
    for (size_t i = 0; i < set.n; i++) {
        const evalset_row_t *r = &set.rows[i];
        const char *fields[] = {r->id, r->lang, r->source, r->title};
        for (size_t k = 0; k < 4; k++)
            if (strchr(fields[k], '\t') || !valid_utf8(fields[k], strlen(fields[k])))
                fail_msg("evalset case %ld: row %zu field %zu is '%s'", f->done, i, k, fields[k]);
        assert_true(r->line > 0 && *r->id && *r->title);
        for (size_t k = 0; k < r->n_labels; k++)
            assert_true(*r->labels[k] && !strchr(r->labels[k], ','));
    }
    evalset_free(&set);
    errlist_free(&errs);
    errlist_free(&warns);
}

static void evalset_door(void **state)
{
    (void)state;
    corpus_t c = {NULL, 0};
    add_strings(&c, EVALSETS);
    fuzz_t f = fuzz_start("evalset", 0xE7A1, 4000);
    buf_t in = {0};
    while (f.done < f.cases) {
        make_case(&f.rng, &c, &in);
        save_input(&f, &in);
        double t0 = now_seconds();
        check_evalset(&f, &in);
        finish_case(&f, t0);
    }
    fuzz_report(&f);
    buf_free(&in);
    corpus_free(&c);
}

/* ---- the Lua boundary ------------------------------------------------------ */

/* Random Lua values as Lua text: a chunk builds one from a seed and returns
 * it; the host reads it the way it reads what rules and scripts return,
 * inside sandbox_run (a field read through any metamethods, then
 * sandbox_check_plain). Values mix scalars (NaN, infinities, the integer
 * extremes, strings with any byte), functions, userdata (vane.html
 * documents, compiled regexes), nested tables with keys of every type,
 * shared sub-tables, cycles, and metatables whose __index, __newindex,
 * __len and __pairs error, loop, allocate or answer. Every case must be
 * accepted as plain or refused with a typed failure and a message, with
 * the stack as it was and the state usable; a crash or a sanitizer report
 * fails the door. */
#define GEN_DEPTH 5
#define GEN_SHARED 3   /* locals s1..s3 that several places refer to */
#define BOUNDARY_DEPTH 12

static const char *const SCALARS[] = {
    "nil", "true", "false", "0", "-1", "42", "math.maxinteger", "math.mininteger", "0.5",
    "0/0", "1/0", "-1/0", "2^53", "2^63", "-0.0", "''", "'title'", "'\\0\\255\\xC3('",
    "('x'):rep(1000)", "'Release of three detained citizens'",
};
static const char *const ODD_VALUES[] = {
    "function() return 1 end", "print", "vane.html('<p>x</p>')", "vane.regex.compile('a+')",
    "coroutine and coroutine.create(function() end)", "string.upper",
};
static const char *const KEYS[] = {
    "'title'", "'key'", "1", "2", "3", "0", "-1", "1.5", "2^53", "true", "false", "'\\xff'",
    "math.maxinteger", "{}", "s1", "print",
};
static const char *const METAMETHODS[] = {
    "function() error('meta says no') end",
    "function() error({}) end",
    "function() while true do end end",
    "function() local t = {} while true do t[#t + 1] = ('y'):rep(4096) .. #t end end",
    "function() return 1 end",
    "function(t) return next, {}, nil end",
    "function(t, k) return setmetatable({}, getmetatable(t)) end",
    "'not a function'",
};
static const char *const EVENTS[] = { "__index", "__newindex", "__len", "__pairs", "__eq" };

static void gen_value(rng_t *r, buf_t *b, int depth);

static void gen_table(rng_t *r, buf_t *b, int depth)
{
    int meta = below(r, 4) == 0;
    if (meta)
        buf_puts(b, "setmetatable(");
    buf_puts(b, "{");
    size_t n = below(r, 6);
    for (size_t i = 0; i < n; i++) {
        if (below(r, 2))
            buf_printf(b, "[%s] = ", KEYS[below(r, sizeof KEYS / sizeof *KEYS)]);
        gen_value(r, b, depth + 1);
        buf_puts(b, ", ");
    }
    buf_puts(b, "}");
    if (meta) {
        buf_puts(b, ", {");
        for (size_t i = 0, m = 1 + below(r, 3); i < m; i++)
            buf_printf(b, "%s = %s, ", EVENTS[below(r, sizeof EVENTS / sizeof *EVENTS)],
                       METAMETHODS[below(r, sizeof METAMETHODS / sizeof *METAMETHODS)]);
        buf_puts(b, "})");
    }
}

static void gen_value(rng_t *r, buf_t *b, int depth)
{
    size_t pick = below(r, 10);
    if (depth >= GEN_DEPTH || pick < 3)
        buf_puts(b, SCALARS[below(r, sizeof SCALARS / sizeof *SCALARS)]);
    else if (pick == 3)
        buf_puts(b, ODD_VALUES[below(r, sizeof ODD_VALUES / sizeof *ODD_VALUES)]);
    else if (pick == 4)
        buf_printf(b, "s%d", 1 + (int)below(r, GEN_SHARED));
    else
        gen_table(r, b, depth);
}

/* A chunk: shared locals, the value, then maybe cycles and deep chains. */
static void gen_chunk(rng_t *r, buf_t *b)
{
    buf_puts(b, "local s1, s2, s3 = {}, {}, {}\n");
    for (int i = 1; i <= GEN_SHARED; i++) {
        buf_printf(b, "s%d = ", i);
        gen_table(r, b, GEN_DEPTH - 2);
        buf_puts(b, "\n");
    }
    buf_puts(b, "local v = ");
    gen_value(r, b, 0);
    buf_puts(b, "\n");
    if (below(r, 3) == 0)
        buf_puts(b, "if type(v) == 'table' then rawset(v, 'self', v) end\n");
    if (below(r, 3) == 0)
        buf_puts(b, "rawset(s1, 'back', s2) rawset(s2, 'back', s1)\n");
    if (below(r, 4) == 0)   /* shared sub-tables many levels deep: 2^n paths */
        buf_printf(b, "local d = {} for i = 1, %d do d = { a = d, b = d } end "
                      "if type(v) == 'table' then rawset(v, 'deep', d) end\n", (int)(5 + below(r, 25)));
    buf_puts(b, "return v\n");
}

/* The host's read: a field through metamethods, a length, then the check. */
static int boundary_read(lua_State *L)
{
    unsigned flags = *(unsigned *)lua_touserdata(L, 1);
    if (lua_type(L, 2) == LUA_TTABLE && (flags & 2u)) {
        lua_getfield(L, 2, "title");
        lua_pop(L, 1);
        (void)luaL_len(L, 2);
    }
    sandbox_check_plain(L, 2, BOUNDARY_DEPTH, flags & SANDBOX_PLAIN_FUNCTIONS);
    return 0;
}

/* Outcomes by kind (SANDBOX_OK: accepted as plain), reported at the end. */
static long boundary_outcomes[SANDBOX_FAIL_MEMORY + 1];

static void boundary_case(fuzz_t *f, sandbox_t *sb, const buf_t *code, unsigned flags)
{
    lua_State *L = sandbox_lua(sb);
    int top = lua_gettop(L);
    err_t e = { "" };
    sandbox_push_env(sb);
    if (sandbox_load(sb, "gen.lua", code->p, code->len, -1, &e) != 0)
        fail_msg("%s case %ld does not compile: %s\n%s", f->door, f->done, e.msg, code->p);
    lua_remove(L, -2);
    if (sandbox_call(sb, 0, 1, "gen.lua", &e) != 0) {
        /* building the value may fail (a NaN key, a limit): typed, with words */
        if (sandbox_failure(sb) == SANDBOX_OK || !e.msg[0])
            fail_msg("%s case %ld: an untyped failure\n%s", f->door, f->done, code->p);
        assert_int_equal(lua_gettop(L), top);
        return;
    }
    int rc = sandbox_run(sb, boundary_read, &flags, 1, 0, "gen.lua", &e);
    assert_int_equal(lua_gettop(L), top);
    sandbox_failure_t k = sandbox_failure(sb);
    boundary_outcomes[rc == 0 ? SANDBOX_OK : k]++;
    if (rc == 0)
        return;
    if (k == SANDBOX_OK || !e.msg[0])
        fail_msg("%s case %ld: refused without a kind or a message\n%s", f->door, f->done, code->p);
    /* without the host's own reads (flag 2), an error is the chunk's or the check's */
    if (k == SANDBOX_FAIL_ERROR && !(flags & 2u) && !strstr(e.msg, " at ") && !strstr(e.msg, "gen.lua:") &&
        !strstr(e.msg, "a table with a metatable") && !strstr(e.msg, "value") &&
        !strstr(e.msg, "not finite") && !strstr(e.msg, "a key that"))
        fail_msg("%s case %ld: a refusal that says nothing: %s\n%s", f->door, f->done, e.msg, code->p);
}

static void lua_boundary_door(void **state)
{
    (void)state;
    sandbox_limits_t lim = { .instructions = 1000000, .memory = (size_t)8 << 20, .timeout_ms = 1000 };
    err_t e = { "" };
    sandbox_t *sb = sandbox_new(&lim, &e);
    assert_non_null(sb);
    if (vanelib_install(sb, VANE_FOR_RULES, &e) != 0)
        fail_msg("vanelib_install: %s", e.msg);
    lua_State *L = sandbox_lua(sb);
    lua_gc(L, LUA_GCCOLLECT);
    size_t baseline = sandbox_memory(sb);
    fuzz_t f = fuzz_start("lua boundary", 0xB0DA, 3000);
    buf_t code = { 0 };
    while (f.done < f.cases) {
        double t0 = now_seconds();
        code.len = 0;
        gen_chunk(&f.rng, &code);
        save_input(&f, &code);
        boundary_case(&f, sb, &code, (unsigned)below(&f.rng, 4));
        if (f.done % GC_EVERY == 0) {
            lua_gc(L, LUA_GCCOLLECT);
            if (sandbox_memory(sb) > baseline + ((size_t)1 << 20))
                fail_msg("%s: %zu bytes still held after case %ld", f.door,
                         sandbox_memory(sb) - baseline, f.done);
            err_t e2 = { "" };
            sandbox_push_env(sb);
            assert_int_equal(sandbox_load(sb, "ok.lua", "return 1", 8, -1, &e2), 0);
            lua_remove(L, -2);
            assert_int_equal(sandbox_call(sb, 0, 1, "ok.lua", &e2), 0);
            lua_pop(L, 1);
        }
        finish_case(&f, t0);
    }
    buf_free(&code);
    fuzz_report(&f);
    print_message("lua boundary: %ld plain, refused: %ld error, %ld budget, %ld time, %ld memory\n",
                  boundary_outcomes[SANDBOX_OK], boundary_outcomes[SANDBOX_FAIL_ERROR],
                  boundary_outcomes[SANDBOX_FAIL_BUDGET], boundary_outcomes[SANDBOX_FAIL_TIME],
                  boundary_outcomes[SANDBOX_FAIL_MEMORY]);
    /* the generator reaches every outcome but time (the budget comes first) */
    assert_true(boundary_outcomes[SANDBOX_OK] > 0 && boundary_outcomes[SANDBOX_FAIL_ERROR] > 0 &&
                boundary_outcomes[SANDBOX_FAIL_BUDGET] > 0 && boundary_outcomes[SANDBOX_FAIL_MEMORY] > 0);
    sandbox_free(sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(feed_door),     cmocka_unit_test(html_door),
        cmocka_unit_test(xml_door),      cmocka_unit_test(json_door),
        cmocka_unit_test(phrase_door),
        cmocka_unit_test(charset_door),  cmocka_unit_test(datetime_door),
        cmocka_unit_test(url_door),
        cmocka_unit_test(css_door),
        cmocka_unit_test(evalset_door),
        cmocka_unit_test(lua_boundary_door),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

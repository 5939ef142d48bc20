/* test_html.c — vane.html as scripts see it, in a sandbox: the MFA list
 * pages (English, Chinese UTF-8, Chinese GBK converted first), charset
 * labels that must not re-decode UTF-8 text, node methods, XPath, errors
 * for bad selectors, and documents kept alive by their nodes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "sandbox/sandbox.h"
#include "lib/vanelib.h"

#define MFA_EN_BASE "https://www.mfa.gov.cn/eng/xw/fyrbt/"

typedef struct page {
    char *data;
    size_t len;
} page_t;

static page_t read_page(const char *path)
{
    page_t p = { NULL, 0 };
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run from the project top)", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    p.data = malloc((size_t)n + 1);
    assert_non_null(p.data);
    p.len = fread(p.data, 1, (size_t)n, f);
    assert_int_equal(p.len, (size_t)n);
    p.data[p.len] = '\0';
    fclose(f);
    return p;
}

/* The page's bytes converted with iconv(3), as the host does for a body
 * labelled with a legacy charset. */
static page_t convert_page(const char *path, const char *from)
{
    page_t in = read_page(path);
    page_t out = { malloc(in.len * 4 + 1), 0 };
    assert_non_null(out.data);
    iconv_t cd = iconv_open("UTF-8", from);
    assert_true(cd != (iconv_t)-1);
    char *src = in.data, *dst = out.data;
    size_t left = in.len, room = in.len * 4;
    if (iconv(cd, &src, &left, &dst, &room) == (size_t)-1)
        fail_msg("%s is not %s", path, from);
    iconv_close(cd);
    out.len = (size_t)(dst - out.data);
    out.data[out.len] = '\0';
    free(in.data);
    return out;
}

static sandbox_t *make(void)
{
    err_t e = { "" };
    sandbox_t *sb = sandbox_new(NULL, &e);
    assert_non_null(sb);
    if (vanelib_install(sb, VANE_FOR_SCRIPTS, &e) != 0)
        fail_msg("vanelib_install: %s", e.msg);
    return sb;
}

/* Load src in a fresh environment whose global `page` holds p (if given)
 * and call it; nres results are left on the stack when it returns 0. */
static int run(sandbox_t *sb, const page_t *p, const char *src, int nres, err_t *e)
{
    lua_State *L = sandbox_lua(sb);
    sandbox_push_env(sb);
    if (p) {
        lua_pushliteral(L, "page");
        lua_pushlstring(L, p->data, p->len);
        lua_rawset(L, -3);
    }
    if (sandbox_load(sb, "t.lua", src, strlen(src), -1, e) != 0) {
        lua_pop(L, 1);
        return -1;
    }
    lua_remove(L, -2);
    return sandbox_call(sb, 0, nres, "t.lua", e);
}

/* src must return the string want. */
static void expect_result(sandbox_t *sb, const page_t *p, const char *src, const char *want)
{
    lua_State *L = sandbox_lua(sb);
    err_t e = { "" };
    int top = lua_gettop(L);
    if (run(sb, p, src, 1, &e) != 0)
        fail_msg("%s\n-> error: %s", src, e.msg);
    const char *got = lua_tostring(L, -1);
    if (!got || strcmp(got, want) != 0)
        fail_msg("%s\n->   got \"%s\"\n-> wanted \"%s\"", src, got ? got : luaL_typename(L, -1), want);
    lua_pop(L, 1);
    assert_int_equal(lua_gettop(L), top);
}

/* src must fail with a message containing want. */
static void expect_failure(sandbox_t *sb, const page_t *p, const char *src, const char *want)
{
    lua_State *L = sandbox_lua(sb);
    err_t e = { "" };
    int top = lua_gettop(L);
    if (run(sb, p, src, 0, &e) == 0)
        fail_msg("%s\n-> succeeded", src);
    assert_int_equal(lua_gettop(L), top);
    if (!strstr(e.msg, want))
        fail_msg("%s\n-> \"%s\" lacks \"%s\"", src, e.msg, want);
}

static void mfa_en_list_items_titles_urls_and_dates(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    page_t p = read_page("tests/fixtures/mfa_en/s1.html");
    expect_result(sb, &p,
        "local doc = vane.html(page, '" MFA_EN_BASE "')\n"
        "local items = doc:select('ul.list1 li')\n"
        "local a = items[1]:select_one('a')\n"
        "return #items .. '|' .. a:text() .. '|' .. a:url() .. '|' .. items[1]:select_one('span'):text()",
        "8|Foreign Ministry Spokesperson Lin Jian\xe2\x80\x99s Regular Press Conference on November 20, 2024"
        "|" MFA_EN_BASE "202411/t20241120_11530105.html|2024-11-20");
    expect_result(sb, &p,
        "local doc = vane.html(page, '" MFA_EN_BASE "')\n"
        "local out = {}\n"
        "for _, li in ipairs(doc:select('ul.list1 > li')) do\n"
        "  out[#out + 1] = li:select_one('a[href]'):url():match('t%d+_%d+%.html$') ..\n"
        "                  '@' .. li:select_one('span'):text()\n"
        "end\n"
        "return table.concat(out, ' ')",
        "t20241120_11530105.html@2024-11-20 t20241119_11529877.html@2024-11-19 "
        "t20241119_11529410.html@2024-11-19 t20241118_11528873.html@2024-11-18 "
        "t20241115_11527702.html@2024-11-15 t20241114_11527140.html@2024-11-14 "
        "t20241113_11526598.html@2024-11-13 t20241112_11525980.html@2024-11-12");
    free(p.data);
    sandbox_free(sb);
}

static void mfa_en_nbsp_collapses_in_text_not_in_raw_text(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    page_t p = read_page("tests/fixtures/mfa_en/s2.html");
    expect_result(sb, &p,
        "local doc = vane.html(page, '" MFA_EN_BASE "')\n"
        "local items = doc:select('ul.list1 li')\n"
        "return #items .. '|' .. items[1]:select_one('a'):text() .. '|' .. items[2]:select_one('a'):text()",
        "8|Foreign Ministry Spokesperson\xe2\x80\x99s Remarks on the Repatriation of a Fugitive Suspect "
        "from the United States|Foreign Ministry Spokesperson\xe2\x80\x99s Remarks on the China-U.S. "
        "Exchange of Detained Nationals");
    expect_result(sb, &p,
        "local doc = vane.html(page)\n"
        "return doc:select('ul.list1 li a')[2]:raw_text():match('Detained(.-)Nationals')",
        "\xc2\xa0");
    expect_result(sb, &p,
        "return vane.html(page):select_one('div.position'):text()",
        "Home > News > Spokesperson\xe2\x80\x99s Remarks");
    free(p.data);
    sandbox_free(sb);
}

static void mfa_zh_gbk_page_converted_to_utf8_keeps_its_name(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    page_t p = convert_page("tests/fixtures/mfa_zh/s2.html", "GB18030");
    /* the page still says charset=gb2312: the parser must not act on it */
    assert_non_null(strstr(p.data, "charset=gb2312"));
    expect_result(sb, &p,
        "local doc = vane.html(page, 'https://www.mfa.gov.cn/web/fyrbt_673021/dhdw_673027/')\n"
        "local links = doc:select('ul.list1 li a')\n"
        "return #links .. '|' .. doc:title() .. '|' .. links[1]:text() .. '|' .. links[1]:url()",
        "7|\xe5\x8f\x91\xe8\xa8\x80\xe4\xba\xba\xe8\xa1\xa8\xe6\x80\x81_\xe4\xb8\xad\xe5\x8d\x8e\xe4\xba\xba"
        "\xe6\xb0\x91\xe5\x85\xb1\xe5\x92\x8c\xe5\x9b\xbd\xe5\xa4\x96\xe4\xba\xa4\xe9\x83\xa8"
        "|\xe5\xa4\x96\xe4\xba\xa4\xe9\x83\xa8\xe5\x8f\x91\xe8\xa8\x80\xe4\xba\xba\xe5\xb0\xb1\xe4\xb8\xad"
        "\xe5\x9b\xbd\xe5\x85\xac\xe6\xb0\x91\xe7\x8e\x8b\xe5\x96\x86\xe5\x85\xa5\xe5\xa2\x83\xe7\xbe\x8e"
        "\xe5\x9b\xbd\xe6\x97\xb6\xe8\xa2\xab\xe7\x9b\x98\xe6\x9f\xa5\xe9\x81\xa3\xe8\xbf\x94\xe7\xad\x94"
        "\xe8\xae\xb0\xe8\x80\x85\xe9\x97\xae\xef\xbc\x88" "2024-11-29\xef\xbc\x89"
        "|https://www.mfa.gov.cn/web/fyrbt_673021/dhdw_673027/202411/t20241129_11534955.shtml");
    /* 王喆 exactly, 喆 being the character GB2312 lacks */
    expect_result(sb, &p,
        "return vane.html(page):select_one('ul.list1 a'):text():match('\xe5\x85\xac\xe6\xb0\x91(.-)\xe5\x85\xa5')",
        "\xe7\x8e\x8b\xe5\x96\x86");
    free(p.data);
    sandbox_free(sb);
}

static void mfa_zh_utf8_page(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    page_t p = read_page("tests/fixtures/mfa_zh/s1.html");
    expect_result(sb, &p,
        "local doc = vane.html(page)\n"
        "local links = doc:select('ul.list1 li a')\n"
        "return #links .. '|' .. links[#links]:attr('href')",
        "6|./202411/t20241108_11523377.shtml");
    free(p.data);
    sandbox_free(sb);
}

static void meta_charset_labels_do_not_re_decode_utf8(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    page_t latin = read_page("tests/fixtures/html/utf8_meta_latin1.html");
    expect_result(sb, &latin,
        "local doc = vane.html(page)\n"
        "return doc:title() .. '|' .. doc:select_one('#greeting'):text()",
        "Caf\xc3\xa9 \xe2\x80\x93 na\xc3\xafve \xe2\x80\x99quotes\xe2\x80\x99|"
        "Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen, \xe7\x8e\x8b\xe5\x96\x86");
    page_t late = read_page("tests/fixtures/html/utf8_late_meta_gb2312.html");
    expect_result(sb, &late,
        "local doc = vane.html(page, 'https://www.mfa.gov.cn/index.html')\n"
        "return doc:title() .. '|' .. doc:select_one('p'):text() .. '|' .. doc:select_one('a'):url()",
        "\xe5\x8f\x91\xe8\xa8\x80\xe4\xba\xba\xe8\xa1\xa8\xe6\x80\x81|\xe7\x8e\x8b\xe5\x96\x86 "
        "Gr\xc3\xbc\xc3\x9f" "e|https://www.mfa.gov.cn/chn/fyrbt/202411/t1.shtml");
    free(latin.data);
    free(late.data);
    sandbox_free(sb);
}

static void bytes_that_are_not_utf8_become_replacement_characters(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    lua_State *L = sandbox_lua(sb);
    page_t gbk = read_page("tests/fixtures/mfa_zh/s2.html");
    vanelib_take_warnings(L, NULL, "");
    expect_result(sb, &gbk,
        "local t = vane.html(page):title()\n"
        "return tostring(#vane.html(page):select('ul.list1 li')) .. '|' .. t:sub(1, 6)",
        "7|\xef\xbf\xbd\xef\xbf\xbd");
    errlist_t w = { 0 };
    vanelib_take_warnings(L, &w, "src");
    assert_int_equal(w.len, 2);
    assert_string_equal(w.msgs[0], "src: vane.html: 340 bytes that are not UTF-8 replaced with U+FFFD");
    errlist_free(&w);
    page_t bad = { "<p>caf\xe9 \xff\x00x</p>", 15 };
    expect_result(sb, &bad, "return vane.html(page):select_one('p'):text()",
                  "caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbdx");
    /* a truncated sequence is one U+FFFD (a maximal subpart, util/utf8.h) */
    page_t cut = { "<p>a\xe4\xb8</p>", 10 };
    expect_result(sb, &cut, "return vane.html(page):select_one('p'):text()", "a\xef\xbf\xbd");
    free(gbk.data);
    sandbox_free(sb);
}

static void blocked_page_has_a_title_and_no_items(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    page_t p = read_page("tests/fixtures/bad/blocked_200.html");
    expect_result(sb, &p,
        "local doc = vane.html(page, 'https://travel.state.gov/')\n"
        "return doc:title() .. '|' .. #doc:select('ul.list1 li') .. '|' .. tostring(doc:select_one('li'))"
        " .. '|' .. doc:select_one('h1'):text() .. '|' .. doc:xpath('string(//p[2])')",
        "Attention Required! | Cloudflare|0|nil|Sorry, you have been blocked|"
        "Cloudflare Ray ID: 8e9f0a1b2c3d4e5f \xe2\x80\xa2 Your IP: 203.0.113.7");
    free(p.data);
    sandbox_free(sb);
}

static void xpath_returns_nodes_strings_numbers_and_booleans(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    page_t p = read_page("tests/fixtures/mfa_en/s1.html");
    expect_result(sb, &p,
        "local doc = vane.html(page)\n"
        "local hrefs = doc:xpath(\"//ul[@class='list1']/li/a/@href\")\n"
        "local n = doc:xpath('count(//ul/li)')\n"
        "local items = doc:xpath('//ul/li')\n"
        "return #hrefs .. ' ' .. hrefs[8] .. ' ' .. n .. ' ' .. math.type(n) .. ' ' ..\n"
        "  tostring(doc:xpath('count(//li) > 5')) .. ' ' .. doc:xpath('string(//title)') .. ' ' ..\n"
        "  items[2]:xpath('a')[1]:attr('href') .. ' ' .. items[2]:xpath('string(span)') .. ' ' ..\n"
        "  tostring(doc:xpath('/')[1] == doc) .. ' ' .. doc:xpath('1 div 2') .. ' ' ..\n"
        "  #items[3]:xpath('ancestor::div') .. ' ' .. #doc:xpath('//table')",
        "8 ./202411/t20241112_11525980.html 8 integer true Spokesperson's Remarks "
        "./202411/t20241119_11529877.html 2024-11-19 true 0.5 2 0");
    expect_failure(sb, &p, "return vane.html(page):xpath('//li[')", "bad XPath '//li['");
    expect_failure(sb, &p, "return vane.html(page):xpath('')", "bad XPath ''");
    expect_failure(sb, &p, "return vane.html(page):select_one('li'):xpath('foo(')", "bad XPath 'foo('");
    free(p.data);
    sandbox_free(sb);
}

static void bad_selectors_raise_errors(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    page_t p = read_page("tests/fixtures/mfa_en/s1.html");
    expect_failure(sb, &p, "return vane.html(page):select('ul >')",
                 "t.lua:1: bad CSS selector 'ul >' at character 5: expected a selector after '>'");
    expect_failure(sb, &p, "return vane.html(page):select_one('li'):select_one('a:hover')",
                 "unknown pseudo-class ':hover'");
    expect_failure(sb, &p, "return vane.html(page):select(('a '):rep(600))", "longer than 1000 characters");
    expect_failure(sb, &p, "return vane.html(page):select()", "bad argument #1 to 'select'");
    expect_failure(sb, NULL, "return vane.html()", "bad argument #1");
    expect_failure(sb, &p, "local d = vane.html(page); return d.text(d)", "attempt to call a nil value");
    expect_failure(sb, &p, "local d = vane.html(page); return d:select_one('li').root(d)",
                 "attempt to call a nil value");
    free(p.data);
    sandbox_free(sb);
}

static void node_methods(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    page_t p = read_page("tests/fixtures/mfa_en/s1.html");
    expect_result(sb, &p,
        "local doc = vane.html(page, '" MFA_EN_BASE "')\n"
        "local a = doc:select_one('ul.list1 li a')\n"
        "local li = a:parent()\n"
        "return a:html()",
        "<a href=\"./202411/t20241120_11530105.html\" target=\"_blank\">Foreign Ministry Spokesperson "
        "Lin Jian\xe2\x80\x99s Regular Press Conference on November 20, 2024</a>");
    expect_result(sb, &p,
        "local doc = vane.html(page, '" MFA_EN_BASE "')\n"
        "local li = doc:select_one('ul.list1 li:nth-child(7)')\n"
        "return li:inner_html():sub(-30) .. '|' .. li:name() .. '|' .. li:parent():name() .. '|' ..\n"
        "  #li:children() .. '|' .. li:children()[2]:name() .. '|' .. li:next():select_one('span'):text() ..\n"
        "  '|' .. tostring(li:parent():next()) .. '|' .. tostring(doc:root():parent()) .. '|' .. doc:root():name()",
        "tes</a><span>2024-11-13</span>|li|ul|2|span|2024-11-12|nil|nil|html");
    expect_result(sb, &p,
        "local doc = vane.html(page, '" MFA_EN_BASE "')\n"
        "local a = doc:select_one('li a')\n"
        "local img = doc:select_one('img')\n"
        "return tostring(a:attr('HREF')) .. '|' .. tostring(a:attr('nope')) .. '|' .. a:attr('target') ..\n"
        "  '|' .. img:url() .. '|' .. tostring(img:url('href')) .. '|' .. a:url('target') .. '|' ..\n"
        "  tostring(doc:select_one('ul'):url()) .. '|' .. doc:select_one('link'):url()",
        "./202411/t20241120_11530105.html|nil|_blank|https://www.mfa.gov.cn/eng/images/logo_en.png|nil|"
        MFA_EN_BASE "_blank|nil|https://www.mfa.gov.cn/eng/images/eng_style.css");
    expect_result(sb, &p,
        "local doc = vane.html(page)\n"
        "local items = doc:select('li')\n"
        "return tostring(items[1] == doc:select_one('li')) .. ' ' .. tostring(items[1] == items[2]) ..\n"
        "  ' ' .. tostring(items[1]) .. ' ' .. tostring(doc) .. ' ' .. tostring(getmetatable(doc)) ..\n"
        "  ' ' .. tostring(getmetatable(items[1])) .. ' ' .. tostring(doc:base()) .. ' ' .. type(vane.html)",
        "true false vane.html node <li> vane.html document false false nil function");
    free(p.data);
    sandbox_free(sb);
}

static void select_on_a_node_searches_below_it(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    page_t p = read_page("tests/fixtures/mfa_en/s1.html");
    expect_result(sb, &p,
        "local doc = vane.html(page)\n"
        "local ul = doc:select_one('ul.list1')\n"
        "local li = ul:select('li')[3]\n"
        "return #ul:select('li') .. ' ' .. #li:select('a') .. ' ' .. #li:select('div a') .. ' ' ..\n"
        "  #li:select('li') .. ' ' .. #doc:select('a') .. ' ' .. #ul:select('li:first-child, span:last-child')",
        "8 1 1 0 11 9");
    free(p.data);
    sandbox_free(sb);
}

static void text_collapses_blanks_and_decodes_entities(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    expect_result(sb, NULL,
        "local d = vane.html('<p id=x>  a\\n\\t b&nbsp;&nbsp;c &amp; &#8217;&lt;d&gt; </p>')\n"
        "local p = d:select_one('#x')\n"
        "return '[' .. p:text() .. '][' .. p:raw_text() .. ']'",
        "[a b c & \xe2\x80\x99<d>][  a\n\t b\xc2\xa0\xc2\xa0" "c & \xe2\x80\x99<d> ]");
    /* with HTML_PARSE_NOBLANKS libxml2 would drop the blank between b and i */
    expect_result(sb, NULL,
        "local d = vane.html('<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"><html><body>'\n"
        "  .. '<b>x</b> <i>y</i><div>p</div> <div>q</div></body></html>')\n"
        "return d:root():text()",
        "x yp q");
    expect_result(sb, NULL,
        "local d = vane.html('')\n"
        "return tostring(d:root()) .. ' ' .. tostring(d:title()) .. ' ' .. #d:select('li') .. ' ' ..\n"
        "  tostring(d:select_one('*')) .. ' ' .. #d:xpath('//li')",
        "nil nil 0 nil 0");
    sandbox_free(sb);
}

static void urls_resolve_against_base_href(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    expect_result(sb, NULL,
        "local d = vane.html('<head><base href=\"/eng/\"></head><a href=\" ./a b/\\xc3\\xa9.html \">x</a>'\n"
        "  .. '<a href=\"https://other.example/x?q=1#f\">y</a><a href=\"#top\">z</a>',\n"
        "  'https://www.mfa.gov.cn/chn/index.html')\n"
        "local a = d:select('a')\n"
        "return d:base() .. ' ' .. a[1]:url() .. ' ' .. a[2]:url() .. ' ' .. a[3]:url()",
        "https://www.mfa.gov.cn/eng/ https://www.mfa.gov.cn/eng/a%20b/%C3%A9.html "
        "https://other.example/x?q=1#f https://www.mfa.gov.cn/eng/#top");
    expect_result(sb, NULL,
        "local d = vane.html('<a href=\"./x.html\">x</a>')\n"
        "return tostring(d:base()) .. ' ' .. d:select_one('a'):url()",
        "nil ./x.html");
    sandbox_free(sb);
}

static void nodes_keep_their_document_alive(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    lua_State *L = sandbox_lua(sb);
    page_t p = read_page("tests/fixtures/mfa_en/s1.html");
    err_t e = { "" };
    int top = lua_gettop(L);
    if (run(sb, &p, "local doc = vane.html(page)\n"
                    "local items = doc:select('ul.list1 li')\n"
                    "doc = nil\n"
                    "return items[8]:select_one('a')", 1, &e) != 0)
        fail_msg("%s", e.msg);
    for (int i = 0; i < 3; i++)
        lua_gc(L, LUA_GCCOLLECT);
    assert_int_equal(lua_getfield(L, -1, "text"), LUA_TFUNCTION);
    lua_pushvalue(L, -2);
    lua_call(L, 1, 1);
    assert_string_equal(lua_tostring(L, -1), "Foreign Ministry Spokesperson Lin Jian\xe2\x80\x99s Regular "
                                              "Press Conference on November 12, 2024");
    lua_pop(L, 1);
    assert_int_equal(lua_getfield(L, -1, "parent"), LUA_TFUNCTION);
    lua_pushvalue(L, -2);
    lua_call(L, 1, 1);
    assert_int_equal(lua_getfield(L, -1, "xpath"), LUA_TFUNCTION);
    lua_pushvalue(L, -2);
    lua_pushliteral(L, "string(ancestor::html/head/title)");
    lua_call(L, 2, 1);
    assert_string_equal(lua_tostring(L, -1), "Spokesperson's Remarks");
    lua_settop(L, top);
    for (int i = 0; i < 3; i++)
        lua_gc(L, LUA_GCCOLLECT);
    /* many documents made and dropped: each freed once (the sanitizer
     * build checks for leaks and double frees) */
    expect_result(sb, &p,
        "local n = 0\n"
        "for i = 1, 50 do n = n + #vane.html(page):select('li') end\n"
        "return tostring(n)",
        "400");
    free(p.data);
    sandbox_free(sb);
}

/* Queries charge their steps to the budget and stop where it ends: with
 * the default budget the runaway selector and XPath stop the call as out
 * of budget (fast, not after their own limits); with a budget larger than
 * their own limits those limits speak, and the call goes on. */
static void runaway_queries_are_stopped_by_the_budget(void **state)
{
    (void)state;
    sandbox_t *sb = make();
    const char *page = "local d = vane.html('<ul>' .. ('<li>x</li>'):rep(7000) .. '</ul>')\n";
    char src[512];
    snprintf(src, sizeof src, "%sreturn pcall(d.select, d, 'span ~ li')", page);
    expect_failure(sb, NULL, src, "t.lua:2: instruction budget exhausted");
    assert_int_equal(sandbox_failure(sb), SANDBOX_FAIL_BUDGET);
    snprintf(src, sizeof src, "%sreturn pcall(d.xpath, d, '//li[count(preceding-sibling::li) > 5000]')", page);
    expect_failure(sb, NULL, src, "t.lua:2: instruction budget exhausted");
    assert_int_equal(sandbox_failure(sb), SANDBOX_FAIL_BUDGET);
    sandbox_free(sb);
}

static sandbox_t *make_with_memory(size_t memory)
{
    sandbox_limits_t lim = { .memory = memory, .timeout_ms = 120000 };
    err_t e = { "" };
    sandbox_t *sb = sandbox_new(&lim, &e);
    assert_non_null(sb);
    if (vanelib_install(sb, VANE_FOR_SCRIPTS, &e) != 0)
        fail_msg("vanelib_install: %s", e.msg);
    return sb;
}

/* The reproduction: twelve documents of a 4 MB body kept in a
 * table. libxml2's trees count against the ceiling for as long as the
 * documents live, so the chunk is stopped as out of memory instead of
 * holding gigabytes; documents it drops are collected and do not count. */
static void documents_kept_in_lua_count_against_the_ceiling(void **state)
{
    (void)state;
    sandbox_t *sb = make_with_memory((size_t)64 << 20);
    lua_State *L = sandbox_lua(sb);
    const char *body = "local body = '<ul>' .. ('<li><a href=\"/x\">item</a></li>'):rep(129032) .. '</ul>'\n";
    char src[512];
    snprintf(src, sizeof src, "%slocal keep = {} for i = 1, 12 do keep[i] = vane.html(body) end", body);
    expect_failure(sb, NULL, src, "t.lua:2: not enough memory (limit 64 MB)");
    assert_int_equal(sandbox_failure(sb), SANDBOX_FAIL_MEMORY);
    lua_gc(L, LUA_GCCOLLECT);
    assert_true(sandbox_memory(sb) < ((size_t)4 << 20));
    /* one kept document (of a 1 MB body) is counted while it lives */
    body = "local body = '<ul>' .. ('<li><a href=\"/x\">item</a></li>'):rep(32258) .. '</ul>'\n";
    snprintf(src, sizeof src, "%skept = vane.html(body) return #kept:select('li')", body);
    size_t before = sandbox_memory(sb);
    expect_result(sb, NULL, src, "32258");
    if (sandbox_memory(sb) < before + ((size_t)8 << 20))
        fail_msg("a kept document counted %zu bytes", sandbox_memory(sb) - before);
    /* dropped documents are freed when the ceiling is near */
    snprintf(src, sizeof src, "%sfor i = 1, 12 do local d = vane.html(body) end return 'done'", body);
    expect_result(sb, NULL, src, "done");
    sandbox_free(sb);
}

static void runaway_queries_are_stopped(void **state)
{
    (void)state;
    sandbox_limits_t lim = { .instructions = 100000000L };
    err_t e = { "" };
    sandbox_t *sb = sandbox_new(&lim, &e);
    assert_non_null(sb);
    if (vanelib_install(sb, VANE_FOR_SCRIPTS, &e) != 0)
        fail_msg("vanelib_install: %s", e.msg);
    const char *page = "local d = vane.html('<ul>' .. ('<li>x</li>'):rep(7000) .. '</ul>')\n";
    char src[512];
    snprintf(src, sizeof src, "%sreturn #d:select('span ~ li')", page);
    expect_failure(sb, NULL, src, "CSS selector 'span ~ li' stopped: more than 20000000 steps on this document");
    snprintf(src, sizeof src, "%sreturn #d:xpath('//li[count(preceding-sibling::li) > 5000]')", page);
    expect_failure(sb, NULL, src,
                   "XPath '//li[count(preceding-sibling::li) > 5000]' stopped: more than 10000000 operations");
    snprintf(src, sizeof src, "%sreturn #d:select('li + li') .. ' ' .. #d:select('li:nth-child(even)')", page);
    expect_result(sb, NULL, src, "6999 3500");
    sandbox_free(sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mfa_en_list_items_titles_urls_and_dates),
        cmocka_unit_test(mfa_en_nbsp_collapses_in_text_not_in_raw_text),
        cmocka_unit_test(mfa_zh_gbk_page_converted_to_utf8_keeps_its_name),
        cmocka_unit_test(mfa_zh_utf8_page),
        cmocka_unit_test(meta_charset_labels_do_not_re_decode_utf8),
        cmocka_unit_test(bytes_that_are_not_utf8_become_replacement_characters),
        cmocka_unit_test(blocked_page_has_a_title_and_no_items),
        cmocka_unit_test(xpath_returns_nodes_strings_numbers_and_booleans),
        cmocka_unit_test(bad_selectors_raise_errors),
        cmocka_unit_test(node_methods),
        cmocka_unit_test(select_on_a_node_searches_below_it),
        cmocka_unit_test(text_collapses_blanks_and_decodes_entities),
        cmocka_unit_test(urls_resolve_against_base_href),
        cmocka_unit_test(nodes_keep_their_document_alive),
        cmocka_unit_test(runaway_queries_are_stopped),
        cmocka_unit_test(runaway_queries_are_stopped_by_the_budget),
        cmocka_unit_test(documents_kept_in_lua_count_against_the_ceiling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

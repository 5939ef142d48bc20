/* test_css.c — the CSS selector compiler and matcher (engine/css.c) on
 * small HTML documents (and an XML one, where names keep their case):
 * which elements each selector finds, in which order, and the messages for
 * selectors it refuses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>

#include "lib/css.h"
#include "lib/xmlsafe.h"

static const char PAGE[] =
    "<!DOCTYPE html><html><head><title>t</title></head><body>\n"
    "<div id=\"d1\" class=\"box main\">\n"
    " <ul id=\"u1\" class=\"list1 x\">\n"
    "  <li id=\"l1\" class=\"a\"><a id=\"a1\" href=\"./x/1.html\" data-k=\"Foo-bar\">one</a>"
    "<span id=\"s1\">2024-11-20</span></li>\n"
    "  <li id=\"l2\" class=\"b  a\"><a id=\"a2\" href=\"https://e.org/2.html\" lang=\"en-US\">two</a></li>\n"
    "  <!-- a comment between items -->\n"
    "  <li id=\"l3\"><a id=\"a3\">three</a></li>\n"
    "  <li id=\"l4\" class=\"A\"><p id=\"p4\">four</p></li>\n"
    "  <li id=\"l5\" title=\"hello world\"></li>\n"
    " </ul>\n"
    " <p id=\"p1\">para <b id=\"b1\">bold</b></p>\n"
    " <ul id=\"u2\" class=\"list2\"><li id=\"m1\"><a id=\"a4\" href=\"/m1\">m</a></li></ul>\n"
    "</div>\n"
    "<div id=\"d2\"><div id=\"d3\"><span id=\"s2\">x</span></div></div>\n"
    "<section class=\"x\"><div id=\"o\"><div id=\"i\"><span id=\"z\">deep</span></div></div></section>\n"
    "<p id=\"123\" class=\"\xe6\x96\xb0\xe9\x97\xbb\">n</p>\n"
    "</body></html>\n";

static htmlDocPtr parse(const char *html)
{
    xmlsafe_init();
    htmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                                        HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT);
    assert_non_null(doc);
    return doc;
}

typedef struct found {
    char text[4096];
    int count, stop_after;
} found_t;

/* Append the element's id (its tag name when it has none). */
static int collect(xmlNodePtr el, void *ud)
{
    found_t *f = ud;
    xmlChar *id = xmlGetProp(el, (const xmlChar *)"id");
    size_t len = strlen(f->text);
    snprintf(f->text + len, sizeof f->text - len, "%s%s", len ? " " : "",
             id ? (const char *)id : (const char *)el->name);
    xmlFree(id);
    f->count++;
    return f->stop_after && f->count >= f->stop_after;
}

/* The ids of what selector finds below scope, or "ERROR: message". */
static void run(xmlNodePtr scope, const char *selector, found_t *f)
{
    char err[CSS_ERR_MAX];
    css_selector_t *sel;
    if (css_compile(selector, &sel, err, sizeof err) != 0) {
        snprintf(f->text, sizeof f->text, "ERROR: %s", err);
        return;
    }
    int rc = css_select(sel, scope, collect, f);
    if (rc == CSS_OVER_BUDGET)
        snprintf(f->text, sizeof f->text, "OVER BUDGET after %d", f->count);
    css_free(sel);
}

static void expect_in(htmlDocPtr doc, const char *selector, const char *want)
{
    found_t f = { "", 0, 0 };
    run((xmlNodePtr)doc, selector, &f);
    if (strcmp(f.text, want) != 0)
        fail_msg("'%s'\n   found: \"%s\"\n    want: \"%s\"", selector, f.text, want);
}

static void expect(const char *selector, const char *want)
{
    htmlDocPtr doc = parse(PAGE);
    expect_in(doc, selector, want);
    xmlFreeDoc(doc);
}

static void expect_error(const char *selector, const char *want)
{
    char err[CSS_ERR_MAX];
    css_selector_t *sel = (css_selector_t *)&err;
    assert_int_equal(css_compile(selector, &sel, err, sizeof err), -1);
    assert_null(sel);
    if (strcmp(err, want) != 0)
        fail_msg("'%s'\n   error: \"%s\"\n    want: \"%s\"", selector, err, want);
}

static void type_selectors_ignore_case(void **state)
{
    (void)state;
    expect("li", "l1 l2 l3 l4 l5 m1");
    expect("LI", "l1 l2 l3 l4 l5 m1");
    expect("Span", "s1 s2 z");
    expect("#d3 *", "s2");
    expect("table", "");
}

/* In XML, names are case-sensitive: a type is the local name in any
 * namespace, an attribute its qualified name. */
static void xml_names_match_exactly(void **state)
{
    (void)state;
    static const char xml[] =
        "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:x='http://www.w3.org/1999/xlink'>"
        "<entry id='e1'><Title id='t1'/><title id='t2' x:href='a' Lang='en'/></entry>"
        "<x:entry id='e2' href='b'/></feed>";
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, "UTF-8", XMLSAFE_XML_OPTIONS);
    assert_non_null(doc);
    expect_in(doc, "title", "t2");
    expect_in(doc, "Title", "t1");
    expect_in(doc, "TITLE", "");
    expect_in(doc, "entry", "e1 e2");
    expect_in(doc, "[x\\:href]", "t2");
    expect_in(doc, "[href]", "e2");
    expect_in(doc, "[Lang=en]", "t2");
    expect_in(doc, "[lang]", "");
    expect_in(doc, "entry > title", "t2");
    xmlFreeDoc(doc);
}

static void classes_match_one_word_exactly(void **state)
{
    (void)state;
    expect(".a", "l1 l2");
    expect(".A", "l4");
    expect(".b.a", "l2");
    expect("*.a", "l1 l2");
    expect("li.a.c", "");
    expect(".list", "");
    expect(".\xe6\x96\xb0\xe9\x97\xbb", "123");
}

static void ids_and_escapes(void **state)
{
    (void)state;
    expect("#a2", "a2");
    expect("li#a2", "");
    expect("#\\31 23", "123");
    expect("#\\31\\32\\33", "123");
}

static void attribute_presence_and_equality(void **state)
{
    (void)state;
    expect("[href]", "a1 a2 a4");
    expect("[HREF]", "a1 a2 a4");
    expect("[href='./x/1.html']", "a1");
    expect("[href=\"/m1\"]", "a4");
    expect("[lang=en-US]", "a2");
    expect("[ lang = \"en-US\" ]", "a2");
    expect("[lang=en-us]", "");
    expect("[data-k=foo-bar i]", "a1");
    expect("[data-k=\"FOO-BAR\" I]", "a1");
    expect("[title=\"hello world\"]", "l5");
}

static void attribute_substrings(void **state)
{
    (void)state;
    expect("[href*=\"e.org\"]", "a2");
    expect("[href*='']", "");
    expect("[href^=\"/\"]", "a4");
    expect("[HREF^=https]", "a2");
    expect("[href$=\".html\"]", "a1 a2");
    expect("[title~=world]", "l5");
    expect("[title~=wor]", "");
    expect("[class~=a]", "l1 l2");
    expect("[lang|=en]", "a2");
    expect("[lang|=e]", "");
}

static void child_and_descendant_combinators(void **state)
{
    (void)state;
    expect("ul.list1 > li a[href]", "a1 a2");
    expect("div li", "l1 l2 l3 l4 l5 m1");
    expect("div > li", "");
    expect("div > ul > li > a", "a1 a2 a3 a4");
    expect("ul>li>a", "a1 a2 a3 a4");
    expect("body > div span", "s1 s2");
    expect("div > div span", "s2 z");
    expect("html li p", "p4");
}

static void child_chain_is_retried_higher_up(void **state)
{
    (void)state;
    /* z's nearest div is #i, whose parent is no .x; #o's parent is */
    expect(".x > div span", "z");
    expect(".x > div > span", "");
    expect("section > div > div > span", "z");
}

static void sibling_combinators(void **state)
{
    (void)state;
    expect("li + li", "l2 l3 l4 l5");
    expect("#l3 + li", "l4");
    expect("a + span", "s1");
    expect("#l1 ~ li", "l2 l3 l4 l5");
    expect("#l4 ~ *", "l5");
    expect("#l2 ~ li > p", "p4");
    expect("ul + p", "p1");
    expect("ul ~ ul li", "m1");
}

static void first_last_and_only_child(void **state)
{
    (void)state;
    expect("li:first-child", "l1 m1");
    expect("li:last-child", "l5 m1");
    expect("li:only-child", "m1");
    expect("li:FIRST-CHILD > a", "a1 a4");
    expect("body > :first-child", "d1");
}

static void nth_child_forms(void **state)
{
    (void)state;
    expect("li:nth-child(2)", "l2");
    expect("li:nth-child(odd)", "l1 l3 l5 m1");
    expect("li:nth-child(EVEN)", "l2 l4");
    expect("li:nth-child(2n+1)", "l1 l3 l5 m1");
    expect("li:nth-child( 2n + 1 )", "l1 l3 l5 m1");
    expect("li:nth-child(-n+2)", "l1 l2 m1");
    expect("li:nth-child(3n)", "l3");
    expect("li:nth-child(n+4)", "l4 l5");
    expect("li:nth-child(0n+3)", "l3");
    expect("li:nth-child(2n-1)", "l1 l3 l5 m1");
    expect("li:nth-child(n)", "l1 l2 l3 l4 l5 m1");
    expect("li:nth-child(0)", "");
    expect("li:nth-last-child(1)", "l5 m1");
    expect("li:nth-last-child(2)", "l4");
    expect("li:nth-last-child(odd)", "l1 l3 l5 m1");
}

static void negation(void **state)
{
    (void)state;
    expect("#u1 > li:not(.a)", "l3 l4 l5");
    expect("li:not([class])", "l3 l5 m1");
    expect("li:not( li.a.b )", "l1 l3 l4 l5 m1");
    expect("#u1 li:not(:nth-child(odd))", "l2 l4");
    expect("a:not(*)", "");
}

static void lists_keep_document_order_once(void **state)
{
    (void)state;
    expect("#s2, #a1, p", "a1 p4 p1 s2 123");
    expect("li, .a", "l1 l2 l3 l4 l5 m1");
    expect("li.a , li.a", "l1 l2");
    expect("  #b1  ", "b1");
}

static void scope_excludes_itself_but_sees_ancestors(void **state)
{
    (void)state;
    htmlDocPtr doc = parse(PAGE);
    xmlNodePtr u2 = NULL;
    for (xmlNodePtr n = (xmlNodePtr)doc; n; n = css_walk_next(n, (xmlNodePtr)doc)) {
        xmlChar *id = n->type == XML_ELEMENT_NODE ? xmlGetProp(n, (const xmlChar *)"id") : NULL;
        if (id && strcmp((const char *)id, "u2") == 0)
            u2 = n;
        xmlFree(id);
    }
    assert_non_null(u2);
    found_t f = { "", 0, 0 };
    run(u2, "div li", &f);
    assert_string_equal(f.text, "m1");
    found_t g = { "", 0, 0 };
    run(u2, "ul, a", &g);
    assert_string_equal(g.text, "a4");
    xmlFreeDoc(doc);
}

static void visit_can_stop_the_walk(void **state)
{
    (void)state;
    htmlDocPtr doc = parse(PAGE);
    found_t f = { "", 0, 2 };
    run((xmlNodePtr)doc, "li", &f);
    assert_string_equal(f.text, "l1 l2");
    xmlFreeDoc(doc);
}

static void single_element_test(void **state)
{
    (void)state;
    htmlDocPtr doc = parse(PAGE);
    char err[CSS_ERR_MAX];
    css_selector_t *sel;
    assert_int_equal(css_compile("ul.list1 li:nth-child(3)", &sel, err, sizeof err), 0);
    int n = 0, hits = 0;
    for (xmlNodePtr x = (xmlNodePtr)doc; x; x = css_walk_next(x, (xmlNodePtr)doc)) {
        n++;
        hits += css_matches(sel, x);
    }
    assert_true(n > 40);
    assert_int_equal(hits, 1);
    css_free(sel);
    xmlFreeDoc(doc);
}

/* A page with `count` <li> items in one list. */
static htmlDocPtr long_list(int count)
{
    size_t cap = (size_t)count * 32 + 64, len = 0;
    char *html = malloc(cap);
    assert_non_null(html);
    len += (size_t)snprintf(html + len, cap - len, "<ul>");
    for (int i = 0; i < count; i++)
        len += (size_t)snprintf(html + len, cap - len, "<li>%d</li>", i);
    snprintf(html + len, cap - len, "</ul>");
    htmlDocPtr doc = parse(html);
    free(html);
    return doc;
}

static void nth_child_on_a_long_list_is_counted_once(void **state)
{
    (void)state;
    htmlDocPtr doc = long_list(30000);
    found_t f = { "", 0, 0 };
    run((xmlNodePtr)doc, "li:nth-child(odd)", &f);
    assert_int_equal(f.count, 15000);
    found_t g = { "", 0, 0 };
    run((xmlNodePtr)doc, "li:nth-last-child(3n+1) + li", &g);
    assert_int_equal(g.count, 9999);
    xmlFreeDoc(doc);
}

static void quadratic_selector_runs_out_of_budget(void **state)
{
    (void)state;
    htmlDocPtr doc = long_list(12000);
    found_t f = { "", 0, 0 };
    run((xmlNodePtr)doc, "span ~ li", &f);
    assert_string_equal(f.text, "OVER BUDGET after 0");
    xmlFreeDoc(doc);
}

static void malformed_selectors_are_refused(void **state)
{
    (void)state;
    expect_error("ul >", "bad CSS selector 'ul >' at character 5: expected a selector after '>'");
    expect_error("", "bad CSS selector '' at character 1: expected a selector");
    expect_error("a,", "bad CSS selector 'a,' at character 3: expected a selector");
    expect_error(",a", "bad CSS selector ',a' at character 1: unexpected ','");
    expect_error("div/p", "bad CSS selector 'div/p' at character 4: unexpected '/'");
    expect_error("li:hover", "bad CSS selector 'li:hover' at character 3: unknown pseudo-class ':hover'");
    expect_error("a::before", "bad CSS selector 'a::before' at character 2: pseudo-elements are not supported");
    expect_error("li:first-child(1)",
                 "bad CSS selector 'li:first-child(1)' at character 15: ':first-child' takes no argument");
    expect_error("#", "bad CSS selector '#' at character 2: expected a name after '#'");
    expect_error(".1a", "bad CSS selector '.1a' at character 2: expected a class name after '.'");
}

static void malformed_attribute_selectors_are_refused(void **state)
{
    (void)state;
    expect_error("[href", "bad CSS selector '[href' at character 1: '[' is never closed");
    expect_error("[=x]", "bad CSS selector '[=x]' at character 2: expected an attribute name");
    expect_error("[a=b\"c]", "bad CSS selector '[a=b\"c]' at character 5: unexpected '\"' in attribute value");
    expect_error("[a=]", "bad CSS selector '[a=]' at character 4: expected an attribute value");
    expect_error("[a!=b]",
                 "bad CSS selector '[a!=b]' at character 3: expected ']' or an operator such as '=' in attribute selector");
    expect_error("a[href='x", "bad CSS selector 'a[href='x' at character 8: unterminated string");
    expect_error("[a=b c]", "bad CSS selector '[a=b c]' at character 6: expected ']'");
}

static void malformed_pseudo_class_arguments_are_refused(void **state)
{
    (void)state;
    expect_error("li:nth-child(x)",
                 "bad CSS selector 'li:nth-child(x)' at character 14: expected an+b, odd or even");
    expect_error("li:nth-child(2",
                 "bad CSS selector 'li:nth-child(2' at character 15: expected ')' to close nth-child");
    expect_error("li:nth-child(2n+)",
                 "bad CSS selector 'li:nth-child(2n+)' at character 17: expected a number after the sign");
    expect_error("li:nth-child(1234567890)",
                 "bad CSS selector 'li:nth-child(1234567890)' at character 14: number too large");
    expect_error("li:nth-child", "bad CSS selector 'li:nth-child' at character 13: expected '(' after ':nth-child'");
    expect_error(":not(:not(a))", "bad CSS selector ':not(:not(a))' at character 6: :not() inside :not() is not supported");
    expect_error(":not(a b)", "bad CSS selector ':not(a b)' at character 8: expected ')' to close :not()");
    expect_error(":not()", "bad CSS selector ':not()' at character 6: expected a selector inside :not()");
}

static void oversized_selectors_are_refused(void **state)
{
    (void)state;
    char long_sel[1100];
    memset(long_sel, 'a', 1001);
    long_sel[1001] = '\0';
    expect_error(long_sel, "bad CSS selector 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...': "
                           "longer than 1000 characters");
    char parts[200] = "";
    for (int i = 0; i < 32; i++)
        strcat(parts, i ? " a" : "a");
    expect(parts, "");
    strcat(parts, " a");
    char want[400];
    snprintf(want, sizeof want, "bad CSS selector '%s' at character 65: more than 32 compound selectors", parts);
    expect_error(parts, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(type_selectors_ignore_case),
        cmocka_unit_test(xml_names_match_exactly),
        cmocka_unit_test(classes_match_one_word_exactly),
        cmocka_unit_test(ids_and_escapes),
        cmocka_unit_test(attribute_presence_and_equality),
        cmocka_unit_test(attribute_substrings),
        cmocka_unit_test(child_and_descendant_combinators),
        cmocka_unit_test(child_chain_is_retried_higher_up),
        cmocka_unit_test(sibling_combinators),
        cmocka_unit_test(first_last_and_only_child),
        cmocka_unit_test(nth_child_forms),
        cmocka_unit_test(negation),
        cmocka_unit_test(lists_keep_document_order_once),
        cmocka_unit_test(scope_excludes_itself_but_sees_ancestors),
        cmocka_unit_test(visit_can_stop_the_walk),
        cmocka_unit_test(single_element_test),
        cmocka_unit_test(nth_child_on_a_long_list_is_counted_once),
        cmocka_unit_test(quadratic_selector_runs_out_of_budget),
        cmocka_unit_test(malformed_selectors_are_refused),
        cmocka_unit_test(malformed_attribute_selectors_are_refused),
        cmocka_unit_test(malformed_pseudo_class_arguments_are_refused),
        cmocka_unit_test(oversized_selectors_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

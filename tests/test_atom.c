/* test_atom.c — the Atom feed writer and reader (channel/atom.c): every
 * document is parsed back with libxml2 and checked element by element:
 * escaping (markup in a message, non-ASCII, bytes that are not UTF-8),
 * the entries cap and order, entries kept byte for byte across rewrites,
 * and files that are not vane's feed refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/atom.h"
#include "util/buf.h"

#define FEED_ID "tag:vane,2026:news"
#define IVOIRE "C\xc3\xb4te d\xe2\x80\x99Ivoire \xe5\xa4\x96\xe4\xba\xa4\xe9\x83\xa8"   /* Côte d’Ivoire 外交部 */

static const atom_feed_t feed = {.id = FEED_ID, .title = "Desk <feed> & co",
                                 .self = "https://feeds.example.org/vane.xml?a=1&b=2"};

static channel_flag_t flag(long long id, const char *created_at, const char *msg)
{
    return (channel_flag_t){.id = id, .json = "{}", .severity = "high",
                            .rule = "advisory-level-change", .source = "travel",
                            .key = "MA", .message = msg, .created_at = created_at,
                            .rule_title = "Travel advisory level changed",
                            .title = "Madagascar - Level 3", .changes = "[]",
                            .link = "https://travel.example.org/ma?x=1&y=2"};
}

/* The document of list (newest max), parsed back; the text in *text. */
static xmlDocPtr write_and_parse(atom_entries_t *list, size_t max, buf_t *text)
{
    assert_int_equal(atom_write(&feed, list, max, text), 0);
    xmlDocPtr doc = xmlReadMemory(text->p, (int)text->len, NULL, "UTF-8", XML_PARSE_NONET);
    if (!doc)
        fail_msg("not well-formed:\n%s", buf_str(text));
    return doc;
}

static int is_atom(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns &&
           strcmp((const char *)n->ns->href, "http://www.w3.org/2005/Atom") == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (is_atom(c, name))
            return c;
    return NULL;
}

static size_t count(const xmlNode *n, const char *name)
{
    size_t k = 0;
    for (const xmlNode *c = n->children; c; c = c->next)
        k += is_atom(c, name);
    return k;
}

/* The text of n's child name (must exist); static buffer. */
static const char *text_of(const xmlNode *n, const char *name)
{
    static char out[8192];
    const xmlNode *c = child(n, name);
    assert_non_null(c);
    xmlChar *t = xmlNodeGetContent(c);
    snprintf(out, sizeof out, "%s", (const char *)t);
    xmlFree(t);
    return out;
}

static const xmlNode *nth_entry(xmlDocPtr doc, size_t i)
{
    for (const xmlNode *c = xmlDocGetRootElement(doc)->children; c; c = c->next)
        if (is_atom(c, "entry") && i-- == 0)
            return c;
    return NULL;
}

static void markup_and_non_ascii_are_escaped_once(void **state)
{
    (void)state;
    atom_entries_t list = {0};
    channel_flag_t f = flag(7, "2024-11-22T23:00:00Z", "<script>alert('x')</script> & " IVOIRE);
    f.title = "<b>" IVOIRE "</b>";
    f.changes = "[{\"field\":\"level\",\"old\":\"<2>\",\"new\":\"3 & up\"}]";
    assert_int_equal(atom_add_flag(&feed, &f, 0, &list), 0);
    buf_t text = {0};
    xmlDocPtr doc = write_and_parse(&list, 100, &text);
    assert_null(strstr(text.p, "<script>"));
    assert_null(strstr(text.p, "<b>"));
    assert_non_null(strstr(text.p, IVOIRE));   /* raw UTF-8, not references */
    const xmlNode *root = xmlDocGetRootElement(doc);
    assert_true(is_atom(root, "feed"));
    assert_string_equal(text_of(root, "title"), "Desk <feed> & co");
    assert_string_equal(text_of(root, "id"), FEED_ID);
    assert_string_equal(text_of(root, "updated"), "2024-11-22T23:00:00Z");
    assert_string_equal(text_of(root, "generator"), "vane");
    xmlChar *self = xmlGetProp(child(root, "link"), (const xmlChar *)"href");
    assert_string_equal((const char *)self, "https://feeds.example.org/vane.xml?a=1&b=2");
    xmlFree(self);

    const xmlNode *e = nth_entry(doc, 0);
    assert_non_null(e);
    assert_string_equal(text_of(e, "id"), FEED_ID "/flag/7");
    assert_string_equal(text_of(e, "title"), "[high] <script>alert('x')</script> & " IVOIRE);
    assert_string_equal(text_of(e, "updated"), "2024-11-22T23:00:00Z");
    assert_string_equal(text_of(e, "published"), "2024-11-22T23:00:00Z");
    assert_string_equal(text_of(e, "summary"),
                        "<b>" IVOIRE "</b> \xe2\x80\x94 level: <2> \xe2\x86\x92 3 & up");
    assert_int_equal(count(e, "link"), 1);
    xmlChar *href = xmlGetProp(child(e, "link"), (const xmlChar *)"href");
    assert_string_equal((const char *)href, "https://travel.example.org/ma?x=1&y=2");
    xmlFree(href);
    assert_int_equal(count(e, "category"), 2);
    /* the content is HTML: parsed once it is markup with the texts escaped */
    const char *html = text_of(e, "content");
    assert_non_null(strstr(html, "<p>&lt;script&gt;alert('x')&lt;/script&gt; &amp; " IVOIRE "</p>"));
    assert_non_null(strstr(html, "<a href=\"https://travel.example.org/ma?x=1&amp;y=2\">&lt;b&gt;" IVOIRE "&lt;/b&gt;</a>"));
    assert_non_null(strstr(html, "<tr><td>level</td><td>&lt;2&gt;</td><td>3 &amp; up</td></tr>"));
    xmlFreeDoc(doc);
    buf_free(&text);
    atom_entries_free(&list);
}

static void bytes_that_are_not_xml_still_make_a_well_formed_feed(void **state)
{
    (void)state;
    atom_entries_t list = {0};
    channel_flag_t f = flag(8, "2024-11-22T23:00:00Z", "bad \xff\xfe bytes \x01\x1b[31m and \xef\xbf\xbf");
    f.title = "tab\there\nnewline";
    f.link = "javascript:alert(1)";   /* not http(s): no link */
    assert_int_equal(atom_add_flag(&feed, &f, 0, &list), 0);
    buf_t text = {0};
    xmlDocPtr doc = write_and_parse(&list, 100, &text);
    const xmlNode *e = nth_entry(doc, 0);
    assert_string_equal(text_of(e, "title"),
                        "[high] bad \xef\xbf\xbd\xef\xbf\xbd bytes   [31m and \xef\xbf\xbd");
    assert_int_equal(count(e, "link"), 0);
    assert_null(strstr(text.p, "javascript:"));
    xmlFreeDoc(doc);
    buf_free(&text);
    atom_entries_free(&list);
}

static void a_long_summary_is_cut_between_characters(void **state)
{
    (void)state;
    atom_entries_t list = {0};
    channel_flag_t f = flag(9, "2024-11-22T23:00:00Z", "m");
    buf_t changes = {0};
    buf_puts(&changes, "[");
    for (int i = 0; i < 40; i++)
        buf_printf(&changes, "%s{\"field\":\"f%d\",\"old\":\"" IVOIRE "\",\"new\":\"x\"}",
                   i ? "," : "", i);
    buf_puts(&changes, "]");
    f.changes = buf_str(&changes);
    assert_int_equal(atom_add_flag(&feed, &f, 0, &list), 0);
    buf_t text = {0};
    xmlDocPtr doc = write_and_parse(&list, 100, &text);
    const char *summary = text_of(nth_entry(doc, 0), "summary");
    size_t chars = 0;
    for (const char *p = summary; *p; p++)
        chars += ((unsigned char)*p & 0xc0) != 0x80;
    assert_int_equal(chars, 400);
    assert_string_equal(summary + strlen(summary) - 3, "\xe2\x80\xa6");
    assert_non_null(strstr(summary, "Madagascar - Level 3 \xe2\x80\x94 f0: " IVOIRE " \xe2\x86\x92 x; f1: "));
    xmlFreeDoc(doc);
    buf_free(&text);
    buf_free(&changes);
    atom_entries_free(&list);
}

static void the_newest_entries_are_kept_newest_first(void **state)
{
    (void)state;
    atom_entries_t list = {0};
    char when[32], msg[32];
    for (int i = 1; i <= 10; i++) {
        snprintf(when, sizeof when, "2024-11-%02dT10:00:00Z", 10 + (i * 7) % 10);  /* shuffled */
        snprintf(msg, sizeof msg, "flag %d", i);
        channel_flag_t f = flag(i, when, msg);
        assert_int_equal(atom_add_flag(&feed, &f, 0, &list), 0);
    }
    buf_t text = {0};
    xmlDocPtr doc = write_and_parse(&list, 3, &text);
    assert_int_equal(count(xmlDocGetRootElement(doc), "entry"), 3);
    /* days 19, 18, 17: i*7 % 10 = 9, 8, 7 for i = 7, 4, 1 */
    assert_string_equal(text_of(nth_entry(doc, 0), "id"), FEED_ID "/flag/7");
    assert_string_equal(text_of(nth_entry(doc, 1), "id"), FEED_ID "/flag/4");
    assert_string_equal(text_of(nth_entry(doc, 2), "id"), FEED_ID "/flag/1");
    assert_string_equal(text_of(xmlDocGetRootElement(doc), "updated"), "2024-11-19T10:00:00Z");
    xmlFreeDoc(doc);
    buf_free(&text);
    atom_entries_free(&list);
}

/* The entry element of id in text, as written. */
static char *entry_bytes(const char *text, long long id)
{
    char want[64];
    snprintf(want, sizeof want, "<id>" FEED_ID "/flag/%lld</id>", id);
    const char *at = strstr(text, want);
    assert_non_null(at);
    const char *start = at;
    while (start > text && strncmp(start, "<entry>", 7) != 0)
        start--;
    const char *end = strstr(at, "</entry>");
    assert_non_null(end);
    return strndup(start, (size_t)(end + 8 - start));
}

static void a_rewrite_keeps_the_old_entries_byte_for_byte(void **state)
{
    (void)state;
    atom_entries_t list = {0};
    for (int i = 1; i <= 3; i++) {
        channel_flag_t f = flag(i, "2024-11-20T10:00:00Z", i == 2 ? "<two> & " IVOIRE : "x");
        assert_int_equal(atom_add_flag(&feed, &f, 0, &list), 0);
    }
    buf_t first = {0}, second = {0};
    assert_int_equal(atom_write(&feed, &list, 100, &first), 0);
    atom_entries_free(&list);

    const char *why = "unset";
    assert_int_equal(atom_read(first.p, first.len, &list, &why), 0);
    assert_null(why);
    assert_int_equal(list.n, 3);
    channel_flag_t again = flag(2, "2024-11-20T10:00:00Z", "changed since: must not replace");
    channel_flag_t f4 = flag(4, "2024-11-21T10:00:00Z", "four");
    channel_flag_t f5 = flag(5, "2024-11-21T10:00:00Z", "five");
    assert_int_equal(atom_add_flag(&feed, &again, 0, &list), 0);   /* a retry: already there */
    assert_int_equal(atom_add_flag(&feed, &f4, 0, &list), 0);
    assert_int_equal(atom_add_flag(&feed, &f5, 0, &list), 0);
    assert_int_equal(list.n, 5);
    xmlDocPtr doc = write_and_parse(&list, 100, &second);
    const char *order[] = {"/flag/5", "/flag/4", "/flag/3", "/flag/2", "/flag/1"};
    for (size_t i = 0; i < 5; i++)
        assert_non_null(strstr(text_of(nth_entry(doc, i), "id"), order[i]));
    for (long long id = 1; id <= 3; id++) {
        char *was = entry_bytes(first.p, id), *now = entry_bytes(second.p, id);
        assert_string_equal(was, now);
        free(was);
        free(now);
    }
    assert_null(strstr(second.p, "must not replace"));
    xmlFreeDoc(doc);
    buf_free(&first);
    buf_free(&second);
    atom_entries_free(&list);
}

static void files_that_are_not_our_feed_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "not xml at all <",
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel></channel></rss>",
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><id>x</id>"
        "<generator>WordPress</generator></feed>",
        "<feed><generator>vane</generator></feed>",   /* no Atom namespace */
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><generator>vane</generator>"
        "<entry xml:lang=\"en\"><id>a</id></entry></feed>",   /* not as vane writes it */
        "<!DOCTYPE feed [<!ENTITY x \"y\">]><feed xmlns=\"http://www.w3.org/2005/Atom\">"
        "<generator>vane</generator></feed>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        atom_entries_t list = {0};
        const char *why = NULL;
        assert_int_equal(atom_read(bad[i], strlen(bad[i]), &list, &why), -1);
        assert_non_null(why);
        assert_int_equal(list.n, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(markup_and_non_ascii_are_escaped_once),
        cmocka_unit_test(bytes_that_are_not_xml_still_make_a_well_formed_feed),
        cmocka_unit_test(a_long_summary_is_cut_between_characters),
        cmocka_unit_test(the_newest_entries_are_kept_newest_first),
        cmocka_unit_test(a_rewrite_keeps_the_old_entries_byte_for_byte),
        cmocka_unit_test(files_that_are_not_our_feed_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

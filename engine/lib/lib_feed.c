/* lib_feed.c — vane.feed(body [, url [, opts]]): RSS 0.90-2.0, RSS 1.0
 * (RDF) and Atom 0.3/1.0 read with libxml2 into one shape:
 *
 *   { title, link, updated, items = { { id, title, link, published, updated,
 *     summary, summary_html, content, categories = { {term=, domain=} },
 *     author }, ... } }
 *
 * Elements are recognised by namespace URI and local name, never by
 * prefix. Dates become "YYYY-MM-DDTHH:MM:SSZ" (datetime.h); a date that
 * cannot be read is left out with a warning naming its line. Links are
 * resolved against xml:base and the feed's URL. summary_html is the
 * description or summary as HTML, summary its plain text (htmltext.h).
 *
 * Safety. The body is parsed by xmlsafe_parse (no network, no entity
 * substitution, no DTD loading, UTF-8 forced, refused at the first entity
 * declaration, so a "billion laughs" or an external entity is never
 * expanded or loaded); text is gathered without ever descending into
 * entity reference nodes.
 *
 * Strict by default: a document that is not well-formed is an error naming
 * the line where libxml2 gave up, because the items before a truncation
 * would read as every later item removed. opts.recover = true takes the
 * items libxml2 could recover (bytes that are not UTF-8 replaced first),
 * with a warning.
 *
 * Errors are raised as plain messages without a position ("empty
 * document", "line 130: CData section not finished"); the host adds the
 * source. The parsed document lives in a userdata whose __gc frees it, so
 * a Lua error while the result is built (out of memory) leaks nothing. */
#include <lauxlib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/datetime.h"
#include "util/htmltext.h"
#include "util/sha256.h"
#include "lib/vanelib.h"
#include "lib/xmlsafe.h"
#include "lib/luaset.h"
#include "sandbox/sandbox.h"

#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_RSS10 "http://purl.org/rss/1.0/"
#define NS_RSS090 "http://my.netscape.com/rdf/simple/0.9/"
#define NS_ATOM10 "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_XHTML "http://www.w3.org/1999/xhtml"

#define FEED_META "vane.feed.document"
#define MAX_SHOWN 80     /* bytes of a bad date or page title quoted in messages */
#define HTML_SNIFF 65536 /* bytes searched for an HTML page's <title> */

/* The parsed document and scratch buffers; a Lua userdata (see above). */
typedef struct feed {
    xmlDocPtr doc;
    buf_t a, b; /* scratch: a for HTML or raw text, b for the text made of it */
    int oom;    /* a scratch append failed */
} feed_t;

static void release(feed_t *f)
{
    if (f->doc)
        xmlFreeDoc(f->doc);
    f->doc = NULL;
    buf_free(&f->a);
    buf_free(&f->b);
}

static int feed_gc(lua_State *L)
{
    release(luaL_checkudata(L, 1, FEED_META));
    return 0;
}

/* Raise msg as it is: no position, the host names the source. */
static int fail(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(lua_State *L, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lua_pushstring(L, msg);
    return lua_error(L);
}

static void oom(lua_State *L) { fail(L, "out of memory reading the feed"); }

/* Does [p, end) start with word, in any case? */
static int starts_with(const char *p, const char *end, const char *word)
{
    size_t k = strlen(word);
    return (size_t)(end - p) >= k && strncasecmp(p, word, k) == 0;
}

/* Does the body start like an HTML page ("<!DOCTYPE html", "<html")? */
static int looks_like_html(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    if (starts_with(p, end, "\xEF\xBB\xBF"))
        p += 3;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return starts_with(p, end, "<!doctype html") ||
           (starts_with(p, end, "<html") && (p + 5 == end || strchr(" \t\r\n>", p[5])));
}

/* The text of an HTML page's <title>, for the error (may be ""). body is
 * NUL-terminated (a Lua string). */
static void page_title(feed_t *f, const char *s, size_t n, char *out, size_t cap)
{
    out[0] = '\0';
    const char *end = s + (n < HTML_SNIFF ? n : HTML_SNIFF);
    for (const char *p = s; end - p > 6; p++) {
        if (*p != '<' || strncasecmp(p + 1, "title", 5) != 0 || !strchr(" \t\r\n>", p[6]))
            continue;
        const char *gt = memchr(p, '>', (size_t)(end - p));
        const char *close = gt ? strcasestr(gt, "</title") : NULL;
        if (!close || close > s + n)
            return;
        buf_reset(&f->b);
        if (htmltext_to_text(gt + 1, (size_t)(close - gt - 1), &f->b) == 0)
            snprintf(out, cap, "%.*s", MAX_SHOWN, buf_str(&f->b));
        return;
    }
}

static void fail_html(lua_State *L, feed_t *f, const char *body, size_t len)
{
    char title[MAX_SHOWN + 1];
    page_title(f, body, len, title, sizeof title);
    release(f);
    if (title[0])
        fail(L, "not a feed: the document is HTML (%s)", title);
    fail(L, "not a feed: the document is HTML");
}

/* Parse, or raise the error that explains why the body is no feed. */
static void read_document(lua_State *L, feed_t *f, const char *body, size_t len, const char *url,
                          int recover)
{
    if (xmlsafe_blank(body, len))
        fail(L, "empty document");
    xmlsafe_report_t r;
    f->doc = xmlsafe_parse_lua(L, body, len, url, recover, &r);
    if (r.entities)
        fail(L, "document declares entities; refused (entity expansion)");
    if (!f->doc && looks_like_html(body, len))
        fail_html(L, f, body, len);
    if (!f->doc && r.line > 0)
        fail(L, "line %d: %s", r.line, r.msg);
    if (!f->doc)
        fail(L, "%s", r.msg[0] ? r.msg : "the XML parser gave no document");
    if (r.bad_utf8)
        vanelib_warn(L, "line %d: %zu invalid UTF-8 sequence%s replaced with U+FFFD",
                     r.bad_utf8_line, r.bad_utf8, r.bad_utf8 == 1 ? "" : "s");
    if (r.msg[0] && r.fatal)
        vanelib_warn(L, "line %d: %s; items after it may be missing", r.line, r.msg);
}

static int named(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static const char *ns_of(xmlNodePtr n)
{
    return n->ns && n->ns->href ? (const char *)n->ns->href : NULL;
}

/* Element `name` in namespace ns (NULL: in no namespace). */
static int is(xmlNodePtr n, const char *ns, const char *name)
{
    if (!named(n, name))
        return 0;
    const char *href = ns_of(n);
    return ns ? href && strcmp(href, ns) == 0 : href == NULL;
}

/* An RSS core element: no namespace (0.91-2.0) or RSS 1.0's or 0.90's. */
static int is_rss(xmlNodePtr n, const char *name)
{
    if (!named(n, name))
        return 0;
    const char *href = ns_of(n);
    return !href || strcmp(href, NS_RSS10) == 0 || strcmp(href, NS_RSS090) == 0;
}

/* Append to out; a failure is remembered in f->oom and raised by the
 * caller that has the Lua state (see need). */
static void add(feed_t *f, buf_t *out, const char *s, size_t n)
{
    if (buf_append(out, s, n) != 0)
        f->oom = 1;
}

static void need(lua_State *L, feed_t *f)
{
    if (f->oom)
        oom(L);
}

static void put_ref(feed_t *f, buf_t *out, xmlNodePtr ref, int as_html)
{
    const char *name = (const char *)ref->name;
    char u[4];
    size_t n = as_html ? 0 : htmltext_entity(name, strlen(name), u);
    if (n) {
        add(f, out, u, n);
        return;
    }
    add(f, out, "&", 1);
    add(f, out, name, strlen(name));
    add(f, out, ";", 1);
}

/* Append the text inside node. An entity reference (left by a document
 * whose DTD was not read) is written as "&name;", or for plain text as
 * the HTML character it names; its expansion is never looked at. */
static void gather(feed_t *f, xmlNodePtr node, buf_t *out, int as_html)
{
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content)
                add(f, out, (const char *)c->content, strlen((const char *)c->content));
        } else if (c->type == XML_ENTITY_REF_NODE) {
            put_ref(f, out, c, as_html);
        } else if (c->type == XML_ELEMENT_NODE) {
            gather(f, c, out, as_html);
        }
    }
}

static int has_elements(xmlNodePtr node)
{
    for (xmlNodePtr c = node->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return 1;
    return 0;
}

/* Markup inside node written out as XHTML (escaped text, entity
 * references as references). */
static void serialise_children(feed_t *f, xmlNodePtr node, buf_t *out)
{
    xmlBufferPtr xb = xmlBufferCreate();
    if (!xb) {
        f->oom = 1;
        return;
    }
    for (xmlNodePtr c = node->children; c; c = c->next)
        if (xmlNodeDump(xb, f->doc, c, 0, 0) < 0)
            f->oom = 1;
    add(f, out, (const char *)xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
    xmlBufferFree(xb);
}

static void trim(buf_t *b)
{
    size_t start = 0, end = b->len;
    while (start < end && strchr(" \t\r\n", b->p[start]))
        start++;
    while (end > start && strchr(" \t\r\n", b->p[end - 1]))
        end--;
    if (start > 0)
        memmove(b->p, b->p + start, end - start);
    b->len = end - start;
    if (b->p)
        b->p[b->len] = '\0';
}

/* The element's text, trimmed, in f->a. */
static const char *text_of(lua_State *L, feed_t *f, xmlNodePtr node)
{
    buf_reset(&f->a);
    gather(f, node, &f->a, 0);
    need(L, f);
    trim(&f->a);
    return buf_str(&f->a);
}

/* The content of an RSS description or content:encoded as HTML, in f->a:
 * its text (which is escaped HTML, or HTML in CDATA), or its markup when
 * the feed put XHTML there unescaped. */
static void html_of(lua_State *L, feed_t *f, xmlNodePtr node)
{
    buf_reset(&f->a);
    if (has_elements(node))
        serialise_children(f, node, &f->a);
    else
        gather(f, node, &f->a, 1);
    need(L, f);
    trim(&f->a);
}

enum { TEXT_PLAIN, TEXT_HTML, TEXT_XHTML, TEXT_OTHER };

static int atom_type(xmlNodePtr node)
{
    xmlChar *t = xmlGetProp(node, (const xmlChar *)"type");
    int kind = TEXT_PLAIN;
    if (t) {
        const char *s = (const char *)t;
        if (strcmp(s, "html") == 0 || strcmp(s, "text/html") == 0 || strcmp(s, "escaped") == 0)
            kind = TEXT_HTML;
        else if (strcmp(s, "xhtml") == 0 || strcmp(s, "application/xhtml+xml") == 0)
            kind = TEXT_XHTML;
        else if (strcmp(s, "text") != 0 && strncmp(s, "text/", 5) != 0)
            kind = TEXT_OTHER;
        xmlFree(t);
    }
    /* Atom 0.3: mode="escaped" holds HTML, mode="xml" markup */
    xmlChar *mode = xmlGetProp(node, (const xmlChar *)"mode");
    if (mode) {
        if (strcmp((const char *)mode, "escaped") == 0 && kind != TEXT_PLAIN)
            kind = TEXT_HTML;
        xmlFree(mode);
    }
    return kind;
}

/* The element inside an Atom xhtml construct: its one XHTML <div>, or
 * the construct itself when it holds anything else. */
static xmlNodePtr xhtml_inner(xmlNodePtr node)
{
    xmlNodePtr only = NULL;
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            only = only ? node : c;
        else if (c->type != XML_TEXT_NODE || !xmlIsBlankNode(c))
            only = node;
    }
    return only && only != node && is(only, NS_XHTML, "div") ? only : node;
}

/* An Atom text construct as HTML in f->a; -1 when it holds no text we can
 * show (another media type, or content given by src). */
static int atom_html(lua_State *L, feed_t *f, xmlNodePtr node)
{
    buf_reset(&f->a);
    int kind = atom_type(node);
    if ((kind == TEXT_OTHER && !has_elements(node)) || xmlHasProp(node, (const xmlChar *)"src"))
        return -1;
    if (kind == TEXT_XHTML || kind == TEXT_OTHER || has_elements(node)) {
        serialise_children(f, xhtml_inner(node), &f->a);
    } else if (kind == TEXT_HTML) {
        gather(f, node, &f->a, 1);
    } else {
        buf_reset(&f->b);
        gather(f, node, &f->b, 0);
        if (htmltext_escape(buf_str(&f->b), f->b.len, &f->a) != 0)
            f->oom = 1;
    }
    need(L, f);
    trim(&f->a);
    return 0;
}

static void set_lstring(lua_State *L, const char *key, const char *s, size_t n)
{
    lua_pushlstring(L, s, n);
    lua_setfield(L, -2, key);
}

static void set_buf(lua_State *L, const char *key, const buf_t *b)
{
    set_lstring(L, key, b->p ? b->p : "", b->len);
}

/* t[key] = the element's trimmed text; nothing when node is NULL, or when
 * the text is empty and skip_empty says so. */
static void set_text(lua_State *L, feed_t *f, const char *key, xmlNodePtr node, int skip_empty)
{
    if (!node)
        return;
    text_of(L, f, node);
    if (f->a.len > 0 || !skip_empty)
        set_buf(L, key, &f->a);
}

/* The name of an element as written, for messages ("pubDate", "dc:date"). */
static void element_name(xmlNodePtr n, char *out, size_t cap)
{
    if (n->ns && n->ns->prefix)
        snprintf(out, cap, "%s:%s", (const char *)n->ns->prefix, (const char *)n->name);
    else
        snprintf(out, cap, "%s", (const char *)n->name);
}

/* Read a date element into *t (and set *have); warn when it is empty or
 * unreadable. A later good date does not replace an earlier one. */
static void read_date(lua_State *L, feed_t *f, xmlNodePtr node, long long *t, int *have)
{
    const char *s = text_of(L, f, node);
    long long v;
    char name[64];
    if (datetime_parse(s, &v) == 0) {
        if (!*have)
            *t = v, *have = 1;
        return;
    }
    element_name(node, name, sizeof name);
    if (!*s) {
        vanelib_warn(L, "line %ld: empty <%s>", xmlGetLineNo(node), name);
        return;
    }
    buf_reset(&f->b); /* quoted on one line, and not at any length */
    if (htmltext_squish(f->a.p, f->a.len, &f->b) != 0)
        oom(L);
    s = buf_str(&f->b);
    size_t len = f->b.len, n = len < MAX_SHOWN ? len : MAX_SHOWN;
    while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--; /* do not cut a UTF-8 sequence */
    vanelib_warn(L, "line %ld: unparseable date '%.*s%s' in <%s>", xmlGetLineNo(node), (int)n, s,
                 n < len ? "..." : "", name);
}

static void set_date(lua_State *L, const char *key, long long t, int have)
{
    char iso[32];
    if (have && datetime_format(t, "%Y-%m-%dT%H:%M:%SZ", iso, sizeof iso) == 0) {
        lua_pushstring(L, iso);
        lua_setfield(L, -2, key);
    }
}

/* t[key] = href resolved against xml:base and the document's URL. */
static void set_link(lua_State *L, feed_t *f, const char *key, xmlNodePtr node, const char *href)
{
    if (!href || !*href)
        return;
    xmlChar *base = xmlNodeGetBase(f->doc, node);
    char *abs = xmlsafe_resolve((const char *)base, href);
    xmlFree(base);
    if (!abs)
        oom(L);
    buf_reset(&f->b);
    int rc = buf_puts(&f->b, abs);
    free(abs);
    if (rc != 0)
        oom(L);
    set_buf(L, key, &f->b);
}

/* summary_html and summary from the HTML in f->a. */
static void set_summary(lua_State *L, feed_t *f)
{
    set_buf(L, "summary_html", &f->a);
    buf_reset(&f->b);
    if (htmltext_to_text(f->a.p ? f->a.p : "", f->a.len, &f->b) != 0)
        oom(L);
    set_buf(L, "summary", &f->b);
}

/* item.id when the feed gives neither id nor link: a short hash of the
 * title and the published date, stable across runs (as vane.hash.short). */
static void set_hash_id(lua_State *L)
{
    lua_getfield(L, -1, "title");
    lua_getfield(L, -2, "published");
    size_t tn = 0, pn = 0;
    const char *title = lua_tolstring(L, -2, &tn);
    const char *published = lua_tolstring(L, -1, &pn);
    if (tn + pn > 0) {
        sha256_t c;
        unsigned char d[32];
        char hex[17];
        sha256_init(&c);
        sha256_update(&c, title ? title : "", tn);
        sha256_update(&c, published ? published : "", pn);
        sha256_final(&c, d);
        for (int i = 0; i < 8; i++)
            snprintf(hex + 2 * i, 3, "%02x", d[i]);
        lua_pushstring(L, hex);
        lua_setfield(L, -4, "id");
    }
    lua_pop(L, 2);
}

/* item.id = guid, else link, else the hash. */
static void set_id(lua_State *L, feed_t *f, xmlNodePtr id_node, const char *id_attr)
{
    if (id_node && *text_of(L, f, id_node)) {
        set_buf(L, "id", &f->a);
        return;
    }
    if (id_attr && *id_attr) {
        luaset_string(L, -1, "id", id_attr);
        return;
    }
    if (lua_getfield(L, -1, "link") == LUA_TSTRING) {
        lua_setfield(L, -2, "id");
        return;
    }
    lua_pop(L, 1);
    set_hash_id(L);
}

/* Append {term=, domain=} to the categories table at index list. */
static void add_category(lua_State *L, int list, const char *term, size_t n, const char *domain)
{
    if (n == 0)
        return;
    lua_createtable(L, 0, 2);
    luaset_lstring(L, -1, "term", term, n);
    if (domain && *domain) {
        luaset_string(L, -1, "domain", domain);
    }
    lua_rawseti(L, list, (lua_Integer)lua_rawlen(L, list) + 1);
}

/* The attribute's value pushed as a Lua string (nil if absent). */
static void push_prop(lua_State *L, xmlNodePtr node, const char *name)
{
    xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
    if (!v) {
        lua_pushnil(L);
        return;
    }
    buf_t tmp = {0};
    int rc = buf_puts(&tmp, (const char *)v);
    xmlFree(v);
    if (rc != 0)
        oom(L);
    lua_pushlstring(L, tmp.p, tmp.len);
    buf_free(&tmp);
}

typedef struct dates {
    long long published, updated, dc;
    int have_published, have_updated, have_dc;
} dates_t;

/* ---- element tables --------------------------------------------------------
 * A scan keeps the first child element of each kind it knows (part_spec_t:
 * where in the parts struct) and reads the dates it knows (date_spec_t:
 * which date). CORE in a table stands for the format's own namespace: for
 * RSS its core namespaces (is_rss), for Atom the feed's Atom namespace. */
static const char CORE[] = "core";

typedef struct part_spec {
    const char *ns, *name;
    size_t off;                 /* of the xmlNodePtr in the parts struct */
} part_spec_t;

typedef struct date_spec {
    const char *ns, *name;
    size_t t, have;             /* offsets in dates_t */
} date_spec_t;

#define DATE_SLOT(w) offsetof(dates_t, w), offsetof(dates_t, have_##w)

/* Is c the element (ns, name), CORE read as above (atom_ns NULL: RSS)? */
static int matches(xmlNodePtr c, const char *ns, const char *atom_ns, const char *name)
{
    if (ns != CORE)
        return is(c, ns, name);
    return atom_ns ? is(c, atom_ns, name) : is_rss(c, name);
}

/* If c is one of the parts in specs, keep it unless one of its kind came
 * first. Returns 1 when it was one of them. */
static int take_part(xmlNodePtr c, const char *atom_ns, const part_spec_t *s, void *parts)
{
    for (; s->name; s++) {
        if (!matches(c, s->ns, atom_ns, s->name))
            continue;
        xmlNodePtr *slot = (xmlNodePtr *)((char *)parts + s->off);
        if (!*slot)
            *slot = c;
        return 1;
    }
    return 0;
}

/* If c is one of the dates in specs, read it (read_date). Returns 1 when it
 * was one of them. */
static int take_date(lua_State *L, feed_t *f, xmlNodePtr c, const char *atom_ns,
                     const date_spec_t *s, dates_t *d)
{
    for (; s->name; s++) {
        if (!matches(c, s->ns, atom_ns, s->name))
            continue;
        read_date(L, f, c, (long long *)((char *)d + s->t), (int *)((char *)d + s->have));
        return 1;
    }
    return 0;
}

typedef struct rss_parts {
    xmlNodePtr title, link, guid, description, content, author, creator;
    dates_t d;
} rss_parts_t;

/* The RSS parts kept as the first element of their kind, and the dates read
 * (see take_part, take_date). */
static const part_spec_t rss_parts[] = {
    {CORE, "title", offsetof(rss_parts_t, title)},
    {CORE, "link", offsetof(rss_parts_t, link)},
    {CORE, "guid", offsetof(rss_parts_t, guid)},
    {CORE, "description", offsetof(rss_parts_t, description)},
    {NS_CONTENT, "encoded", offsetof(rss_parts_t, content)},
    {CORE, "author", offsetof(rss_parts_t, author)},
    {NS_DC, "creator", offsetof(rss_parts_t, creator)},
    {NULL, NULL, 0},
};
static const date_spec_t rss_dates[] = {
    {CORE, "pubDate", DATE_SLOT(published)},
    {NS_DC, "date", DATE_SLOT(dc)},
    {CORE, "lastBuildDate", DATE_SLOT(updated)},
    {NS_ATOM10, "updated", DATE_SLOT(updated)},
    {NS_DCTERMS, "modified", DATE_SLOT(updated)},
    {NULL, NULL, 0, 0},
};

/* An RSS category (or dc:subject) into the table at index list, with its
 * domain attribute when it has one. */
static void rss_category(lua_State *L, feed_t *f, int list, xmlNodePtr c)
{
    text_of(L, f, c);
    buf_reset(&f->b);
    if (is_rss(c, "category")) {
        xmlChar *domain = xmlGetProp(c, (const xmlChar *)"domain");
        int rc = domain ? buf_puts(&f->b, (const char *)domain) : 0;
        xmlFree(domain);
        if (rc != 0)
            oom(L);
    }
    add_category(L, list, f->a.p, f->a.len, f->b.len ? f->b.p : NULL);
}

/* One pass over an item's children: note the parts, read the dates (each
 * bad one warns once) and the categories (into the table at the top). */
static void rss_scan(lua_State *L, feed_t *f, xmlNodePtr item, rss_parts_t *p)
{
    int categories = lua_gettop(L);
    memset(p, 0, sizeof *p);
    for (xmlNodePtr c = item->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || take_part(c, NULL, rss_parts, p) ||
            take_date(L, f, c, NULL, rss_dates, &p->d))
            continue;
        if (is_rss(c, "category") || is(c, NS_DC, "subject"))
            rss_category(L, f, categories, c);
    }
}

/* An RSS guid is the item's address unless isPermaLink="false". */
static int guid_is_link(xmlNodePtr guid)
{
    xmlChar *perma = xmlGetProp(guid, (const xmlChar *)"isPermaLink");
    int yes = !perma || strcmp((const char *)perma, "false") != 0;
    xmlFree(perma);
    return yes;
}

/* Push the table for one RSS item. */
static void rss_item(lua_State *L, feed_t *f, xmlNodePtr item)
{
    rss_parts_t p;
    luaL_checkstack(L, 8, NULL);
    lua_createtable(L, 0, 12);
    lua_newtable(L);
    rss_scan(L, f, item, &p);
    lua_setfield(L, -2, "categories");
    set_text(L, f, "title", p.title, 0);
    if (p.link && *text_of(L, f, p.link))
        set_link(L, f, "link", p.link, buf_str(&f->a));
    else if (p.guid && guid_is_link(p.guid) && strncmp(text_of(L, f, p.guid), "http", 4) == 0)
        set_link(L, f, "link", p.guid, buf_str(&f->a));
    set_date(L, "published", p.d.have_published ? p.d.published : p.d.dc,
             p.d.have_published || p.d.have_dc);
    set_date(L, "updated", p.d.have_updated ? p.d.updated : p.d.dc,
             p.d.have_updated || p.d.have_dc);
    if (p.description) {
        html_of(L, f, p.description);
        set_summary(L, f);
    }
    if (p.content) {
        html_of(L, f, p.content);
        set_buf(L, "content", &f->a);
    }
    set_text(L, f, "author", p.author ? p.author : p.creator, 1);
    xmlChar *about = xmlGetNsProp(item, (const xmlChar *)"about", (const xmlChar *)NS_RDF);
    buf_reset(&f->b);
    int rc = about ? buf_puts(&f->b, (const char *)about) : 0;
    xmlFree(about);
    if (rc != 0)
        oom(L);
    set_id(L, f, p.guid, f->b.len ? f->b.p : NULL);
}

/* Free an item's or entry's subtree once its table is built, when the
 * state is past two thirds of its memory ceiling: the parsed tree then
 * shrinks as the Lua tables grow, so the two are never both whole under
 * the ceiling (a 5 MB feed's tree is several times its size). Only then:
 * freeing small blocks between the tables' allocations costs a quarter
 * more time than freeing the whole tree at the end. Nothing points into
 * an item's subtree after it is read. */
static void drop(xmlNodePtr item)
{
    const sandbox_t *sb = sandbox_current();
    if (!sb || sandbox_mem_fits(sb, sandbox_memory(sb) / 2))
        return;
    xmlUnlinkNode(item);
    xmlFreeNode(item);
}

/* Push items for every <item> child of parent into the list at the top,
 * at the list's own length + 1 (pre-sized by the caller). */
static void rss_items(lua_State *L, feed_t *f, xmlNodePtr parent)
{
    xmlNodePtr next;
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = next) {
        next = c->next;
        if (!is_rss(c, "item"))
            continue;
        rss_item(L, f, c);
        lua_rawseti(L, -2, ++n);
        drop(c);
    }
}

/* How many children of parent are elements `name` for which match(child,
 * name) holds (to size the list of items). */
static int count_children(xmlNodePtr parent, int (*match)(xmlNodePtr, const char *),
                          const char *name)
{
    int n = 0;
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
        n += match(c, name) != 0;
    return n;
}

/* The result for an <rss> or <rdf:RDF> document. */
static void read_rss(lua_State *L, feed_t *f, xmlNodePtr root)
{
    xmlNodePtr channel = NULL;
    for (xmlNodePtr c = root->children; c && !channel; c = c->next)
        if (is_rss(c, "channel"))
            channel = c;
    lua_createtable(L, 0, 4);
    if (channel) {
        rss_parts_t p;
        lua_newtable(L); /* channel categories: read for their dates' sake, not kept */
        rss_scan(L, f, channel, &p);
        lua_pop(L, 1);
        set_text(L, f, "title", p.title, 0);
        if (p.link)
            set_link(L, f, "link", p.link, text_of(L, f, p.link));
        set_date(L, "updated", p.d.have_updated ? p.d.updated
                               : p.d.have_published ? p.d.published : p.d.dc,
                 p.d.have_updated || p.d.have_published || p.d.have_dc);
    }
    lua_createtable(L, count_children(channel, is_rss, "item") + count_children(root, is_rss, "item"), 0);
    rss_items(L, f, channel); /* RSS 0.91-2.0 */
    rss_items(L, f, root);    /* RSS 0.90 and 1.0: items beside the channel */
    lua_setfield(L, -2, "items");
}

typedef struct atom_parts {
    xmlNodePtr title, id, summary, content, author;
    xmlNodePtr link_node; /* the first alternate link */
    dates_t d;
} atom_parts_t;

static int alternate(xmlNodePtr link)
{
    xmlChar *rel = xmlGetProp(link, (const xmlChar *)"rel");
    int yes = !rel || strcmp((const char *)rel, "alternate") == 0;
    xmlFree(rel);
    return yes && xmlHasProp(link, (const xmlChar *)"href");
}

/* Add the category c to the table at index list. */
static void atom_category(lua_State *L, feed_t *f, int list, xmlNodePtr c)
{
    push_prop(L, c, "term");
    if (lua_isnil(L, -1)) { /* Atom 0.3 and some others: the term as text */
        lua_pop(L, 1);
        text_of(L, f, c);
        lua_pushlstring(L, f->a.p ? f->a.p : "", f->a.len);
    }
    push_prop(L, c, "scheme");
    size_t n;
    const char *term = lua_tolstring(L, -2, &n);
    add_category(L, list, term, n, lua_tostring(L, -1));
    lua_pop(L, 2);
}

/* The Atom parts kept as the first element of their kind (the link is
 * the first alternate one, see atom_scan), and the dates read. */
static const part_spec_t atom_parts[] = {
    {CORE, "title", offsetof(atom_parts_t, title)},
    {CORE, "id", offsetof(atom_parts_t, id)},
    {CORE, "summary", offsetof(atom_parts_t, summary)},
    {CORE, "content", offsetof(atom_parts_t, content)},
    {CORE, "author", offsetof(atom_parts_t, author)},
    {NULL, NULL, 0},
};
static const date_spec_t atom_dates[] = {
    {CORE, "published", DATE_SLOT(published)},
    {CORE, "issued", DATE_SLOT(published)},
    {CORE, "created", DATE_SLOT(published)},
    {CORE, "updated", DATE_SLOT(updated)},
    {CORE, "modified", DATE_SLOT(updated)},
    {NS_DC, "date", DATE_SLOT(dc)},
    {NULL, NULL, 0, 0},
};

/* One pass over an entry's (or the feed's) children, categories into the
 * table at the top. */
static void atom_scan(lua_State *L, feed_t *f, xmlNodePtr entry, const char *ns, atom_parts_t *p)
{
    int categories = lua_gettop(L);
    memset(p, 0, sizeof *p);
    for (xmlNodePtr c = entry->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || take_part(c, ns, atom_parts, p))
            continue;
        if (is(c, ns, "link")) {
            if (!p->link_node && alternate(c))
                p->link_node = c;
        } else if (!take_date(L, f, c, ns, atom_dates, &p->d) && is(c, ns, "category")) {
            atom_category(L, f, categories, c);
        }
    }
}

/* t.title from an Atom text construct: plain text either way. */
static void set_atom_title(lua_State *L, feed_t *f, xmlNodePtr title)
{
    if (!title)
        return;
    if (atom_type(title) == TEXT_PLAIN && !has_elements(title)) {
        set_text(L, f, "title", title, 0);
        return;
    }
    if (atom_html(L, f, title) != 0)
        return;
    buf_reset(&f->b);
    if (htmltext_to_text(f->a.p ? f->a.p : "", f->a.len, &f->b) != 0)
        oom(L);
    set_buf(L, "title", &f->b);
}

static void set_atom_link(lua_State *L, feed_t *f, const atom_parts_t *p)
{
    if (!p->link_node)
        return;
    xmlChar *href = xmlGetProp(p->link_node, (const xmlChar *)"href");
    buf_reset(&f->a);
    int rc = href ? buf_puts(&f->a, (const char *)href) : 0;
    xmlFree(href);
    if (rc != 0)
        oom(L);
    trim(&f->a);
    set_link(L, f, "link", p->link_node, buf_str(&f->a));
}

static void atom_entry(lua_State *L, feed_t *f, xmlNodePtr entry, const char *ns)
{
    atom_parts_t p;
    luaL_checkstack(L, 8, NULL);
    lua_createtable(L, 0, 12);
    lua_newtable(L);
    atom_scan(L, f, entry, ns, &p);
    lua_setfield(L, -2, "categories");
    set_atom_title(L, f, p.title);
    set_atom_link(L, f, &p);
    set_date(L, "published", p.d.have_published ? p.d.published : p.d.dc,
             p.d.have_published || p.d.have_dc);
    set_date(L, "updated", p.d.have_updated ? p.d.updated : p.d.dc,
             p.d.have_updated || p.d.have_dc);
    if (p.summary && atom_html(L, f, p.summary) == 0)
        set_summary(L, f);
    if (p.content && atom_html(L, f, p.content) == 0)
        set_buf(L, "content", &f->a);
    if (p.author) {
        for (xmlNodePtr c = p.author->children; c; c = c->next)
            if (is(c, ns, "name")) {
                set_text(L, f, "author", c, 1);
                break;
            }
    }
    set_id(L, f, p.id, NULL);
}

static void read_atom(lua_State *L, feed_t *f, xmlNodePtr root)
{
    const char *ns = ns_of(root);
    atom_parts_t p;
    lua_createtable(L, 0, 4);
    lua_newtable(L);
    atom_scan(L, f, root, ns, &p);
    lua_pop(L, 1);
    set_atom_title(L, f, p.title);
    set_atom_link(L, f, &p);
    set_date(L, "updated", p.d.have_updated ? p.d.updated : p.d.dc,
             p.d.have_updated || p.d.have_dc);
    int count = 0;
    for (xmlNodePtr c = root->children; c; c = c->next)
        count += is(c, ns, "entry");
    lua_createtable(L, count, 0);
    lua_Integer n = 0;
    xmlNodePtr next;
    for (xmlNodePtr c = root->children; c; c = next) {
        next = c->next;
        if (!is(c, ns, "entry"))
            continue;
        atom_entry(L, f, c, ns);
        lua_rawseti(L, -2, ++n);
        drop(c);
    }
    lua_setfield(L, -2, "items");
}

static void read_root(lua_State *L, feed_t *f, const char *body, size_t len)
{
    xmlNodePtr root = xmlDocGetRootElement(f->doc);
    if (!root)
        fail(L, "not a feed: no root element");
    const char *ns = ns_of(root);
    if (named(root, "rss"))
        read_rss(L, f, root);
    else if (named(root, "RDF") && ns && strcmp(ns, NS_RDF) == 0)
        read_rss(L, f, root);
    else if (named(root, "feed") && (!ns || strcmp(ns, NS_ATOM10) == 0 || strcmp(ns, NS_ATOM03) == 0))
        read_atom(L, f, root);
    else if (strcasecmp((const char *)root->name, "html") == 0)
        fail_html(L, f, body, len);
    else {
        char name[128];
        element_name(root, name, sizeof name);
        release(f);
        fail(L, "not a feed: root element <%s>", name);
    }
}

/* vane.feed(body [, url [, opts]]); opts may also come second. */
static int l_feed(lua_State *L)
{
    vanelib_doc_args_t a;
    vanelib_doc_args(L, "vane.feed", &a);
    feed_t *f = lua_newuserdatauv(L, sizeof *f, 0);
    memset(f, 0, sizeof *f);
    luaL_setmetatable(L, FEED_META);
    read_document(L, f, a.body, a.len, a.url, a.recover);
    read_root(L, f, a.body, a.len);
    release(f);
    return 1;
}

int vane_open_feed(lua_State *L)
{
    if (luaL_newmetatable(L, FEED_META)) {
        lua_pushcfunction(L, feed_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, l_feed);
    return 1;
}

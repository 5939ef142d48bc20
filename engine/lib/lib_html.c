/* lib_html.c — vane.html: HTML documents for source scripts, searched with
 * CSS selectors (css.c) or XPath (libxml2); and the document and node types
 * themselves, which vane.xml (lib_xml.c) shares (lib_html.h).
 *
 *   vane.html(body [, url])  a document; url is the base for node:url(),
 *                            itself overridden by <base href>
 *   doc:select(css)          array of matching elements in document order
 *   doc:select_one(css)      the first, or nil
 *   doc:xpath(expr [, ns])   array for node-sets (elements as nodes,
 *                            attributes and text as strings), else the
 *                            string, number or boolean; ns = { prefix = uri }
 *   doc:title() doc:root() doc:base()
 *   node:text() raw_text() attr(name) url([name]) html() inner_html()
 *        name() select(css) select_one(css) xpath(expr [, ns]) parent()
 *        children() next()
 *
 * An XML document differs where XML does: names keep their case (name()
 * gives the qualified name as written, attr() and CSS match exactly, CSS
 * types by local name); html() writes XML; the base of node:url() is the
 * node's xml:base resolved against the document's URL; XPath knows the
 * namespaces declared on the root element, the default one as prefix `d`
 * (unless the root declares a `d` of its own), besides those in ns.
 *
 * Bodies reach scripts already converted to UTF-8, so the parser is told
 * the input is UTF-8 and to ignore <meta charset> and http-equiv: libxml2
 * 2.9.14 would otherwise switch decoders at the meta tag and turn UTF-8
 * text into mojibake (or drop it: a UTF-8 page labelled gb2312 loses its
 * title). Bytes that are still not UTF-8 (NUL too: the parser stops at it)
 * become U+FFFD, one per maximal ill-formed subpart (util/utf8.h), with a
 * warning that counts the bytes.
 * HTML_PARSE_NOBLANKS is not used: in libxml2 it drops the blank between
 * `<b>x</b> <i>y</i>` under a strict doctype, and text() would join words.
 *
 * A node is a userdata holding an xmlNode and, as its user value, the
 * document userdata, so a document lives as long as any of its nodes; the
 * document's __gc frees the tree. libxml2's memory is outside the Lua
 * allocator. Buffers malloc'd while Lua may raise an error are held in a
 * "box" userdata whose __gc frees them if the error skips the free. */
#include <lauxlib.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/css.h"
#include "lib/lib_html.h"
#include "lib/vanelib.h"
#include "lib/xmlsafe.h"
#include "sandbox/extmem.h"
#include "sandbox/sandbox.h"
#include "util/utf8.h"

#define DOC_META "vane.html.document"
#define NODE_META "vane.html.node"
#define BOX_META "vane.html.box"

#define PARSE_OPTIONS                                                                        \
    (HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |   \
     HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC)
#define XPATH_OP_LIMIT 10000000UL

#define DEFAULT_NS_PREFIX "d"

struct vane_doc {
    xmlDocPtr doc;  /* NULL until adopted, and once collected */
    char *base;     /* the document's base URL, or NULL */
    int xml;        /* an XML document (else HTML) */
};

typedef struct html_node {
    xmlNodePtr node;
} html_node_t;

/* ---- boxes: malloc'd memory that a Lua error must not leak --------------- */

typedef struct box {
    void *p;
    void (*release)(void *);
} box_t;

static int box_gc(lua_State *L)
{
    box_t *b = luaL_checkudata(L, 1, BOX_META);
    if (b->p)
        b->release(b->p);
    b->p = NULL;
    return 0;
}

/* Push an empty box that will release what is put in it. */
static box_t *box_push(lua_State *L, void (*release)(void *))
{
    box_t *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->p = NULL;
    b->release = release;
    luaL_setmetatable(L, BOX_META);
    return b;
}

/* Release the box's contents now (the box itself stays on the stack). */
static void box_close(box_t *b)
{
    if (b->p)
        b->release(b->p);
    b->p = NULL;
}

static void release_free(void *p)
{
    free(p);
}

static void release_css(void *p)
{
    css_free(p);
}

static void release_output(void *p)
{
    xmlOutputBufferClose(p);
}

static void release_xpath_context(void *p)
{
    xmlXPathFreeContext(p);
}

static void release_xpath_object(void *p)
{
    xmlXPathFreeObject(p);
}

static void release_xml(void *p)
{
    xmlFree(p);
}

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Push s with each maximal ill-formed subpart replaced by U+FFFD (utf8.h);
 * NUL counts as ill-formed, since the parser would stop at it. Returns the
 * bytes replaced. */
static size_t push_repaired(lua_State *L, const char *s, size_t n)
{
    size_t replaced = 0;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < n;) {
        size_t bad = 0, ok = utf8_valid(s + i, n - i, UTF8_NUL_BAD, &bad);
        luaL_addlstring(&b, s + i, ok);
        i += ok;
        if (i < n) {
            luaL_addstring(&b, UTF8_REPLACEMENT);
            replaced += bad;
            i += bad;
        }
    }
    luaL_pushresult(&b);
    return replaced;
}

/* ---- URLs ------------------------------------------------------------------ */

static int is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* ref without surrounding blanks and with the bytes a URI cannot hold
 * percent-encoded (browsers do the same before resolving), resolved
 * against base. A new string to free(), or NULL when out of memory. */
static char *resolve_ref(const char *base, const char *ref)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(ref);
    while (n && is_blank((unsigned char)ref[n - 1]))
        n--;
    while (n && is_blank((unsigned char)*ref)) {
        ref++;
        n--;
    }
    char *esc = malloc(3 * n + 1), *o = esc;
    if (!esc)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)ref[i];
        if (c <= 0x20 || c >= 0x7F || strchr("\"<>\\^`{|}", c)) {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        } else {
            *o++ = (char)c;
        }
    }
    *o = '\0';
    char *url = xmlsafe_resolve(base, esc);
    free(esc);
    return url;
}

/* ---- nodes and documents ---------------------------------------------------- */

static int is_element(xmlNodePtr n)
{
    return n && n->type == XML_ELEMENT_NODE;
}

static xmlNodePtr next_element(xmlNodePtr n)
{
    for (n = n->next; n && !is_element(n); n = n->next) {
    }
    return n;
}

/* The first element below scope matching the selector src (a constant). */
static xmlNodePtr first_match(xmlNodePtr scope, const char *src)
{
    char err[CSS_ERR_MAX];
    css_selector_t *sel;
    xmlNodePtr found = NULL;
    if (css_compile(src, &sel, err, sizeof err) != 0)
        return NULL;
    for (xmlNodePtr n = css_walk_next(scope, scope); n && !found; n = css_walk_next(n, scope))
        if (is_element(n) && css_matches(sel, n))
            found = n;
    css_free(sel);
    return found;
}

/* libxml2 or malloc gave no memory: the chunk's memory error (typed as
 * such, whether its ceiling or the machine refused). */
static int out_of_memory(lua_State *L)
{
    sandbox_memory_error(L);
    return 0;
}

static const char *kind_name(const vane_doc_t *d)
{
    return d->xml ? "vane.xml" : "vane.html";
}

/* The document's base URL: for HTML <base href> resolved against url, or
 * url; for XML the root's xml:base resolved against the document's URL
 * (url), or url. A new string to free(), NULL when there is none (or when
 * out of memory). */
static char *base_url(xmlDocPtr doc, const char *url, int xml)
{
    if (xml) {
        xmlNodePtr root = xmlDocGetRootElement(doc);
        xmlChar *b = root ? xmlNodeGetBase(doc, root) : NULL;
        char *s = b ? strdup((const char *)b) : url ? strdup(url) : NULL;
        xmlFree(b);
        return s;
    }
    xmlNodePtr base = first_match((xmlNodePtr)doc, "base[href]");
    xmlChar *href = base ? xmlGetProp(base, (const xmlChar *)"href") : NULL;
    char *s = href ? resolve_ref(url, (const char *)href) : url ? strdup(url) : NULL;
    xmlFree(href);
    return s;
}

typedef struct html_job {
    const char *body;
    size_t len;
    const char *url;
} html_job_t;

/* Parse UTF-8 text; an empty document when there is nothing to parse. */
static xmlDocPtr parse_job(void *arg)
{
    const html_job_t *j = arg;
    xmlsafe_init();
    xmlDocPtr doc = NULL;
    htmlParserCtxtPtr ctxt = j->len > 0 ? htmlNewParserCtxt() : NULL;
    if (ctxt) {
        xmlsafe_watch(ctxt);
        doc = htmlCtxtReadMemory(ctxt, j->body, (int)j->len, j->url, "UTF-8", PARSE_OPTIONS);
        htmlFreeParserCtxt(ctxt);
    }
    return doc ? doc : htmlNewDocNoDtD(NULL, NULL);
}

/* The parse, charged to the chunk's budget and memory (xmlsafe_counted). */
static xmlDocPtr parse(lua_State *L, const char *body, size_t len, const char *url)
{
    html_job_t j = { body, len, url };
    return xmlsafe_counted(L, len, parse_job, &j);
}

static void push_node(lua_State *L, xmlNodePtr n, int docidx)
{
    html_node_t *u = lua_newuserdatauv(L, sizeof *u, 1);
    u->node = n;
    luaL_setmetatable(L, NODE_META);
    lua_pushvalue(L, docidx);
    lua_setiuservalue(L, -2, 1);
}

static void push_node_or_nil(lua_State *L, xmlNodePtr n, int docidx)
{
    if (n)
        push_node(L, n, docidx);
    else
        lua_pushnil(L);
}

static vane_doc_t *live_doc(lua_State *L, vane_doc_t *d)
{
    if (!d || !d->doc)
        luaL_error(L, "%s: the document of this node was freed", d ? kind_name(d) : "vane.html");
    return d;
}

/* Argument 1 is a document or a node: the node to work from (the document
 * node for a document), with the document userdata at *docidx. The stack
 * is cut to nargs values first; a node's document is pushed above them. */
static xmlNodePtr check_self(lua_State *L, int nargs, vane_doc_t **d, int *docidx)
{
    lua_settop(L, nargs);
    vane_doc_t *doc = luaL_testudata(L, 1, DOC_META);
    if (doc) {
        *d = live_doc(L, doc);
        *docidx = 1;
        return (xmlNodePtr)doc->doc;
    }
    html_node_t *u = luaL_checkudata(L, 1, NODE_META);
    lua_getiuservalue(L, 1, 1);
    *d = live_doc(L, lua_touserdata(L, -1));
    *docidx = lua_gettop(L);
    return u->node;
}

static xmlNodePtr check_node(lua_State *L, int nargs, vane_doc_t **d, int *docidx)
{
    luaL_checkudata(L, 1, NODE_META);
    return check_self(L, nargs, d, docidx);
}

/* ---- text ---------------------------------------------------------------- */

typedef struct text_out {
    luaL_Buffer *b;
    int collapse;  /* blanks and no-break spaces become one space, trimmed */
    int pending;   /* a blank seen since the last character */
    int started;   /* a character written */
} text_out_t;

static void add_text(text_out_t *o, const xmlChar *s)
{
    if (!s)
        return;
    if (!o->collapse) {
        luaL_addstring(o->b, (const char *)s);
        return;
    }
    for (const xmlChar *p = s; *p; p++) {
        int nbsp = p[0] == 0xC2 && p[1] == 0xA0;
        if (nbsp || is_blank(*p)) {
            o->pending = 1;
            p += nbsp;
            continue;
        }
        if (o->pending && o->started)
            luaL_addchar(o->b, ' ');
        o->pending = 0;
        o->started = 1;
        luaL_addchar(o->b, (char)*p);
    }
}

static int is_text(xmlNodePtr n)
{
    return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}

/* An entity reference left in an XML document (its DTD was not read, and
 * its expansion is never looked at) is written as "&name;". */
static void add_entity_ref(text_out_t *o, xmlNodePtr ref)
{
    add_text(o, (const xmlChar *)"&");
    add_text(o, ref->name);
    add_text(o, (const xmlChar *)";");
}

/* Push the text of n: an element's text nodes in order, an attribute's
 * value, a text or comment node's content. */
static void push_text(lua_State *L, xmlNodePtr n, int collapse)
{
    luaL_Buffer b;
    text_out_t o = { &b, collapse, 0, 0 };
    luaL_buffinit(L, &b);
    if (n->type == XML_ATTRIBUTE_NODE) {
        for (xmlNodePtr c = n->children; c; c = c->next)
            if (c->type == XML_ENTITY_REF_NODE)
                add_entity_ref(&o, c);
            else
                add_text(&o, c->content);
    } else if (is_element(n)) {
        for (xmlNodePtr c = css_walk_next(n, n); c; c = css_walk_next(c, n))
            if (is_text(c))
                add_text(&o, c->content);
            else if (c->type == XML_ENTITY_REF_NODE)
                add_entity_ref(&o, c);
    } else {
        add_text(&o, n->content);
    }
    luaL_pushresult(&b);
    sandbox_charge(L, (lua_Integer)(lua_rawlen(L, -1) / XMLSAFE_BYTES_PER_UNIT));
}

/* ---- select and xpath ------------------------------------------------------ */

typedef struct collect {
    lua_State *L;
    int docidx, table, one;
    lua_Integer n;
} collect_t;

static int collect_node(xmlNodePtr el, void *ud)
{
    collect_t *c = ud;
    push_node(c->L, el, c->docidx);
    if (c->one)
        return 1;
    lua_rawseti(c->L, c->table, ++c->n);
    return 0;
}

static int select_common(lua_State *L, int one)
{
    vane_doc_t *d;
    int docidx;
    xmlNodePtr scope = check_self(L, 2, &d, &docidx);
    const char *src = luaL_checkstring(L, 2);
    char err[CSS_ERR_MAX];
    css_selector_t *sel;
    box_t *box = box_push(L, release_css);
    if (css_compile(src, &sel, err, sizeof err) != 0)
        return luaL_error(L, "%s", err);
    box->p = sel;
    collect_t c = { L, docidx, 0, one, 0 };
    if (!one) {
        lua_newtable(L);
        c.table = lua_gettop(L);
    }
    long steps, left = (long)sandbox_budget_left(L);
    int rc = css_select_counted(sel, scope, collect_node, &c,
                                left < CSS_MAX_STEPS ? left : CSS_MAX_STEPS, &steps);
    box_close(box);
    sandbox_charge(L, steps);
    if (rc == CSS_OVER_BUDGET)
        return luaL_error(L, "CSS selector '%s' stopped: more than %d steps on this document", src,
                          (int)CSS_MAX_STEPS);
    if (one && rc == 0)
        lua_pushnil(L);
    return 1;
}

static int l_select(lua_State *L)
{
    return select_common(L, 0);
}

static int l_select_one(lua_State *L)
{
    return select_common(L, 1);
}

/* Push one node of an XPath node-set into the table on top; returns 1 if
 * it was pushed, 0 for kinds that have no value here (namespaces, DTDs). */
static int push_xpath_node(lua_State *L, xmlNodePtr n, int docidx)
{
    switch (n->type) {
    case XML_ELEMENT_NODE:
        push_node(L, n, docidx);
        return 1;
    case XML_DOCUMENT_NODE:
    case XML_HTML_DOCUMENT_NODE:
        lua_pushvalue(L, docidx);
        return 1;
    case XML_ATTRIBUTE_NODE:
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
    case XML_COMMENT_NODE:
    case XML_PI_NODE:
        push_text(L, n, 0);
        return 1;
    default:
        return 0;
    }
}

static void push_xpath_result(lua_State *L, xmlXPathObjectPtr obj, int docidx)
{
    switch (obj->type) {
    case XPATH_NODESET: {
        lua_newtable(L);
        lua_Integer k = 0;
        for (int i = 0; obj->nodesetval && i < obj->nodesetval->nodeNr; i++)
            if (push_xpath_node(L, obj->nodesetval->nodeTab[i], docidx))
                lua_rawseti(L, -2, ++k);
        break;
    }
    case XPATH_BOOLEAN:
        lua_pushboolean(L, obj->boolval);
        break;
    case XPATH_NUMBER:
        if (obj->floatval == floor(obj->floatval) && fabs(obj->floatval) < 9.0e15)
            lua_pushinteger(L, (lua_Integer)obj->floatval);
        else
            lua_pushnumber(L, obj->floatval);
        break;
    case XPATH_STRING:
        lua_pushstring(L, obj->stringval ? (const char *)obj->stringval : "");
        break;
    default:
        lua_pushnil(L);
        break;
    }
}

static int xpath_error(lua_State *L, xmlXPathContextPtr ctx, const char *expr)
{
    const char *why = ctx->lastError.message ? ctx->lastError.message : "cannot evaluate";
    if (ctx->lastError.code == XML_XPATH_EXPRESSION_OK + XPATH_UNDEF_PREFIX_ERROR)
        why = "undefined namespace prefix"; /* libxml2 gives no message for it */
    size_t n = strlen(why);
    while (n && is_blank((unsigned char)why[n - 1]))
        n--;
    if (ctx->lastError.code == XML_XPATH_EXPRESSION_OK + XPATH_OP_LIMIT_EXCEEDED)
        return luaL_error(L, "XPath '%s' stopped: more than %d operations", expr, (int)XPATH_OP_LIMIT);
    lua_pushlstring(L, why, n);
    return luaL_error(L, "bad XPath '%s': %s", expr, lua_tostring(L, -1));
}

static void register_ns(lua_State *L, const vane_doc_t *d, xmlXPathContextPtr ctx,
                        const xmlChar *prefix, const xmlChar *uri)
{
    if (xmlXPathRegisterNs(ctx, prefix, uri) != 0)
        luaL_error(L, "%s: cannot register the namespace prefix '%s'", kind_name(d),
                   (const char *)prefix);
}

/* The namespaces declared on the root element (the default one as
 * DEFAULT_NS_PREFIX, unless a prefix of that name is declared too). */
static void register_root_ns(lua_State *L, const vane_doc_t *d, xmlXPathContextPtr ctx)
{
    xmlNodePtr root = xmlDocGetRootElement(d->doc);
    for (xmlNsPtr ns = root ? root->nsDef : NULL; ns; ns = ns->next)
        if (!ns->prefix && ns->href && *ns->href)
            register_ns(L, d, ctx, (const xmlChar *)DEFAULT_NS_PREFIX, ns->href);
    for (xmlNsPtr ns = root ? root->nsDef : NULL; ns; ns = ns->next)
        if (ns->prefix && ns->href)
            register_ns(L, d, ctx, ns->prefix, ns->href);
}

/* The script's { prefix = uri } at index t (nil: none). */
static void register_table_ns(lua_State *L, const vane_doc_t *d, xmlXPathContextPtr ctx, int t)
{
    if (lua_isnoneornil(L, t))
        return;
    luaL_checktype(L, t, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING ||
            lua_rawlen(L, -2) == 0)
            luaL_error(L, "%s: XPath namespaces are { prefix = 'uri' } with non-empty string prefixes",
                       kind_name(d));
        register_ns(L, d, ctx, (const xmlChar *)lua_tostring(L, -2),
                    (const xmlChar *)lua_tostring(L, -1));
        lua_pop(L, 1);
    }
}

static int l_xpath(lua_State *L)
{
    vane_doc_t *d;
    int docidx;
    xmlNodePtr scope = check_self(L, 3, &d, &docidx);
    const char *expr = luaL_checkstring(L, 2);
    box_t *cbox = box_push(L, release_xpath_context);
    xmlXPathContextPtr ctx = xmlXPathNewContext(d->doc);
    if (!ctx)
        return out_of_memory(L);
    cbox->p = ctx;
    ctx->node = scope;
    lua_Integer left = sandbox_budget_left(L);
    ctx->opLimit = left < 1 ? 1 : left < (lua_Integer)XPATH_OP_LIMIT ? (unsigned long)left
                                                                  : XPATH_OP_LIMIT;
    register_root_ns(L, d, ctx);
    register_table_ns(L, d, ctx, 3);
    box_t *obox = box_push(L, release_xpath_object);
    extmem_reset_refusals();
    xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    sandbox_charge(L, (lua_Integer)ctx->opCount);
    if (!obj && extmem_refusals() > 0)
        return out_of_memory(L);
    if (!obj)
        return xpath_error(L, ctx, expr);
    obox->p = obj;
    push_xpath_result(L, obj, docidx);
    box_close(obox);
    box_close(cbox);
    return 1;
}

/* ---- node methods ---------------------------------------------------------- */

static int l_text(lua_State *L)
{
    vane_doc_t *d;
    int docidx;
    push_text(L, check_node(L, 1, &d, &docidx), 1);
    return 1;
}

static int l_raw_text(lua_State *L)
{
    vane_doc_t *d;
    int docidx;
    push_text(L, check_node(L, 1, &d, &docidx), 0);
    return 1;
}

static int l_attr(lua_State *L)
{
    vane_doc_t *d;
    int docidx;
    xmlNodePtr n = check_node(L, 2, &d, &docidx);
    xmlAttrPtr a = css_attr(n, luaL_checkstring(L, 2));
    if (a)
        push_text(L, (xmlNodePtr)a, 0);
    else
        lua_pushnil(L);
    return 1;
}

static int l_url(lua_State *L)
{
    vane_doc_t *d;
    int docidx;
    xmlNodePtr n = check_node(L, 2, &d, &docidx);
    const char *name = luaL_optstring(L, 2, NULL);
    xmlAttrPtr a = name ? css_attr(n, name) : css_attr(n, "href");
    if (!a && !name)
        a = css_attr(n, "src");
    if (!a) {
        lua_pushnil(L);
        return 1;
    }
    push_text(L, (xmlNodePtr)a, 0);
    box_t *base = box_push(L, release_xml);
    if (d->xml)
        base->p = xmlNodeGetBase(d->doc, n);
    box_t *box = box_push(L, release_free);
    box->p = resolve_ref(d->xml ? base->p : d->base, lua_tostring(L, -3));
    if (!box->p)
        return out_of_memory(L);
    lua_pushstring(L, box->p);
    box_close(box);
    box_close(base);
    return 1;
}

static void dump_node(xmlOutputBufferPtr out, const vane_doc_t *d, xmlNodePtr n)
{
    if (d->xml)
        xmlNodeDumpOutput(out, d->doc, n, 0, 0, NULL);
    else
        htmlNodeDumpFormatOutput(out, d->doc, n, NULL, 0);
}

/* Outer HTML (or XML) of n, or with inner that of its children. */
static int push_html(lua_State *L, int inner)
{
    vane_doc_t *d;
    int docidx;
    xmlNodePtr n = check_node(L, 1, &d, &docidx);
    box_t *box = box_push(L, release_output);
    extmem_reset_refusals();
    xmlOutputBufferPtr out = xmlAllocOutputBuffer(NULL);
    if (!out)
        return out_of_memory(L);
    box->p = out;
    if (!inner)
        dump_node(out, d, n);
    else
        for (xmlNodePtr c = n->children; c; c = c->next)
            dump_node(out, d, c);
    xmlOutputBufferFlush(out);
    if (extmem_refusals() > 0)
        sandbox_memory_error(L);
    size_t size = xmlOutputBufferGetSize(out);
    sandbox_charge(L, (lua_Integer)(size / XMLSAFE_BYTES_PER_UNIT));
    lua_pushlstring(L, (const char *)xmlOutputBufferGetContent(out), size);
    box_close(box);
    return 1;
}

static int l_html(lua_State *L)
{
    return push_html(L, 0);
}

static int l_inner_html(lua_State *L)
{
    return push_html(L, 1);
}

/* The element's name: in HTML lower case, in XML as written (with its
 * prefix). */
static void push_name(lua_State *L, const vane_doc_t *d, xmlNodePtr n)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    if (d->xml && n->ns && n->ns->prefix) {
        luaL_addstring(&b, (const char *)n->ns->prefix);
        luaL_addchar(&b, ':');
    }
    for (const xmlChar *s = n->name; s && *s; s++)
        luaL_addchar(&b, (char)(!d->xml && *s >= 'A' && *s <= 'Z' ? *s + 32 : *s));
    luaL_pushresult(&b);
}

static int l_name(lua_State *L)
{
    vane_doc_t *d;
    int docidx;
    xmlNodePtr n = check_node(L, 1, &d, &docidx);
    push_name(L, d, n);
    return 1;
}

static int l_parent(lua_State *L)
{
    vane_doc_t *d;
    int docidx;
    xmlNodePtr n = check_node(L, 1, &d, &docidx);
    push_node_or_nil(L, is_element(n->parent) ? n->parent : NULL, docidx);
    return 1;
}

static int l_children(lua_State *L)
{
    vane_doc_t *d;
    int docidx;
    xmlNodePtr n = check_node(L, 1, &d, &docidx);
    lua_newtable(L);
    lua_Integer k = 0;
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (is_element(c)) {
            push_node(L, c, docidx);
            lua_rawseti(L, -2, ++k);
        }
    return 1;
}

static int l_next(lua_State *L)
{
    vane_doc_t *d;
    int docidx;
    xmlNodePtr n = check_node(L, 1, &d, &docidx);
    push_node_or_nil(L, next_element(n), docidx);
    return 1;
}

static int node_tostring(lua_State *L)
{
    vane_doc_t *d;
    int docidx;
    xmlNodePtr n = check_node(L, 1, &d, &docidx);
    push_name(L, d, n);
    lua_pushfstring(L, "%s node <%s>", kind_name(d), lua_tostring(L, -1));
    return 1;
}

static int node_eq(lua_State *L)
{
    html_node_t *a = luaL_testudata(L, 1, NODE_META), *b = luaL_testudata(L, 2, NODE_META);
    lua_pushboolean(L, a && b && a->node == b->node);
    return 1;
}

/* ---- document methods ------------------------------------------------------ */

static int l_title(lua_State *L)
{
    vane_doc_t *d;
    int docidx;
    xmlNodePtr title = first_match(check_self(L, 1, &d, &docidx), "title");
    if (title)
        push_text(L, title, 1);
    else
        lua_pushnil(L);
    return 1;
}

static int l_root(lua_State *L)
{
    vane_doc_t *d = live_doc(L, luaL_checkudata(L, 1, DOC_META));
    push_node_or_nil(L, xmlDocGetRootElement(d->doc), 1);
    return 1;
}

static int l_base(lua_State *L)
{
    vane_doc_t *d = live_doc(L, luaL_checkudata(L, 1, DOC_META));
    if (d->base)
        lua_pushstring(L, d->base);
    else
        lua_pushnil(L);
    return 1;
}

static int doc_tostring(lua_State *L)
{
    vane_doc_t *d = luaL_checkudata(L, 1, DOC_META);
    lua_pushfstring(L, "%s document%s%s", kind_name(d), d->base ? " " : "", d->base ? d->base : "");
    return 1;
}

static int doc_gc(lua_State *L)
{
    vane_doc_t *d = luaL_checkudata(L, 1, DOC_META);
    if (d->doc)
        xmlFreeDoc(d->doc);
    free(d->base);
    d->doc = NULL;
    d->base = NULL;
    return 0;
}

/* vane.html(body [, url]) */
static int l_parse(lua_State *L)
{
    size_t len;
    const char *body = luaL_checklstring(L, 1, &len);
    const char *url = luaL_optstring(L, 2, NULL);
    lua_settop(L, 2);
    if (utf8_valid(body, len, UTF8_NUL_BAD, NULL) < len) {
        size_t bad = push_repaired(L, body, len);
        body = lua_tolstring(L, -1, &len);
        vanelib_warn(L, "vane.html: %zu bytes that are not UTF-8 replaced with U+FFFD", bad);
    }
    if (len > INT_MAX)
        return luaL_error(L, "vane.html: document too large (%I bytes)", (lua_Integer)len);
    vane_doc_t *d = vane_doc_push(L, 0);
    vane_doc_adopt(L, d, parse(L, body, len, url), url);
    return 1;
}

vane_doc_t *vane_doc_push(lua_State *L, int xml)
{
    vane_doc_t *d = lua_newuserdatauv(L, sizeof *d, 0);
    d->doc = NULL;
    d->base = NULL;
    d->xml = xml;
    luaL_setmetatable(L, DOC_META);
    return d;
}

void vane_doc_adopt(lua_State *L, vane_doc_t *d, xmlDocPtr doc, const char *url)
{
    d->doc = doc;
    if (!d->doc)
        out_of_memory(L);
    d->base = base_url(d->doc, url, d->xml);
    if (url && !d->base)
        out_of_memory(L);
}

/* A metatable with these metamethods and methods as __index, which
 * scripts can neither see nor change (made once per state). */
static void new_class(lua_State *L, const char *name, const luaL_Reg *meta, const luaL_Reg *methods)
{
    if (!luaL_newmetatable(L, name)) {
        lua_pop(L, 1);
        return;
    }
    luaL_setfuncs(L, meta, 0);
    if (methods) {
        lua_newtable(L);
        luaL_setfuncs(L, methods, 0);
        lua_setfield(L, -2, "__index");
    }
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
}

static const luaL_Reg doc_meta[] = {
    { "__gc", doc_gc }, { "__tostring", doc_tostring }, { NULL, NULL },
};

static const luaL_Reg doc_methods[] = {
    { "select", l_select }, { "select_one", l_select_one }, { "xpath", l_xpath },
    { "title", l_title },   { "root", l_root },             { "base", l_base },
    { NULL, NULL },
};

static const luaL_Reg node_meta[] = {
    { "__eq", node_eq }, { "__tostring", node_tostring }, { NULL, NULL },
};

static const luaL_Reg node_methods[] = {
    { "text", l_text },         { "raw_text", l_raw_text },
    { "attr", l_attr },         { "url", l_url },
    { "html", l_html },         { "inner_html", l_inner_html },
    { "name", l_name },         { "select", l_select },
    { "select_one", l_select_one }, { "xpath", l_xpath },
    { "parent", l_parent },     { "children", l_children },
    { "next", l_next },         { NULL, NULL },
};

static const luaL_Reg box_meta[] = {
    { "__gc", box_gc }, { NULL, NULL },
};

void vane_doc_register(lua_State *L)
{
    new_class(L, DOC_META, doc_meta, doc_methods);
    new_class(L, NODE_META, node_meta, node_methods);
    new_class(L, BOX_META, box_meta, NULL);
}

int vane_open_html(lua_State *L)
{
    vane_doc_register(L);
    lua_pushcfunction(L, l_parse);
    return 1;
}

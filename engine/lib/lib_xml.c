/* lib_xml.c — vane.xml(body [, url [, opts]]): a generic XML document
 * (sitemaps, OAI-PMH, CAP alerts, XML APIs) with the document and node
 * methods of vane.html (lib_html.h): select, select_one, xpath, root, base;
 * text, raw_text, attr, url, html (the node as XML), inner_html, name,
 * parent, children, next.
 *
 * The body is read like vane.feed reads one (xmlsafe_parse): UTF-8 forced,
 * nothing loaded, a document that declares entities refused before
 * anything is expanded. Strict by default: a document that is not
 * well-formed is an error naming the line where libxml2 gave up ("line 3:
 * Premature end of data in tag urlset line 2"); opts.recover = true takes
 * what libxml2 could recover (bytes that are not UTF-8 replaced first),
 * with a warning. Errors are plain messages without a position; the host
 * adds the source. */
#include <lauxlib.h>
#include <stdarg.h>

#include "lib/lib_html.h"
#include "lib/vanelib.h"
#include "lib/xmlsafe.h"

/* Raise the message as it is: no position. */
static int fail(lua_State *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    return lua_error(L);
}

/* vane.xml(body [, url [, opts]]); opts may also come second. */
static int l_xml(lua_State *L)
{
    vanelib_doc_args_t a;
    vanelib_doc_args(L, "vane.xml", &a);
    const char *body = a.body, *url = a.url;
    size_t len = a.len;
    int recover = a.recover;
    if (xmlsafe_blank(body, len))
        return fail(L, "empty document");
    vane_doc_t *d = vane_doc_push(L, 1);
    xmlsafe_report_t r;
    xmlDocPtr doc = xmlsafe_parse_lua(L, body, len, url, recover, &r);
    if (r.entities)
        return fail(L, "document declares entities; refused (entity expansion)");
    if (!doc && r.line > 0)
        return fail(L, "line %d: %s", r.line, r.msg);
    if (!doc)
        return fail(L, "%s", r.msg[0] ? r.msg : "the XML parser gave no document");
    vane_doc_adopt(L, d, doc, url);
    if (r.bad_utf8)
        vanelib_warn(L, "line %d: %zu invalid UTF-8 sequence%s replaced with U+FFFD",
                     r.bad_utf8_line, r.bad_utf8, r.bad_utf8 == 1 ? "" : "s");
    if (r.fatal)
        vanelib_warn(L, "line %d: %s; what follows it may be missing", r.line, r.msg);
    return 1;
}

int vane_open_xml(lua_State *L)
{
    vane_doc_register(L);
    lua_pushcfunction(L, l_xml);
    return 1;
}

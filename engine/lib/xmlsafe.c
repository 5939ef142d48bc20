/* xmlsafe.c — libxml2 hardened for untrusted documents (see xmlsafe.h). */
#include "lib/xmlsafe.h"

#include "util/buf.h"
#include "fetch/charset.h"
#include "sandbox/extmem.h"
#include "sandbox/sandbox.h"

#include <libxml/hash.h>
#include <libxml/xmlmemory.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int initialised;

/* Every external entity, DTD or XInclude is refused: nothing is loaded. */
static xmlParserInputPtr deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void quiet_structured(void *ctx, xmlErrorPtr err)
{
    (void)ctx;
    (void)err;
}

/* libxml2's allocator must be set before its first allocation: blocks
 * from plain malloc could not be freed through extmem_free. A constructor
 * runs before main(), before anything can parse. */
__attribute__((constructor)) static void count_libxml2_memory(void)
{
    xmlMemSetup(extmem_free, extmem_malloc, extmem_realloc, extmem_strdup);
}

void xmlsafe_init(void)
{
    if (initialised)
        return;
    initialised = 1;
    xmlInitParser();
    xmlSetExternalEntityLoader(deny_loader);
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlSetStructuredErrorFunc(NULL, quiet_structured);
}

char *xmlsafe_resolve(const char *base, const char *ref)
{
    if (!ref)
        return NULL;
    if (base && *base) {
        xmlChar *u = xmlBuildURI((const xmlChar *)ref, (const xmlChar *)base);
        if (u) {
            char *s = strdup((const char *)u);
            xmlFree(u);
            return s;
        }
    }
    return strdup(ref);
}

static int has_entities(xmlDtdPtr dtd)
{
    return dtd && ((dtd->entities && xmlHashSize((xmlHashTablePtr)dtd->entities) > 0) ||
                   (dtd->pentities && xmlHashSize((xmlHashTablePtr)dtd->pentities) > 0));
}

int xmlsafe_declares_entities(xmlDocPtr doc)
{
    return doc && (has_entities(doc->intSubset) || has_entities(doc->extSubset));
}

#define PARSE_OPTIONS (XMLSAFE_XML_OPTIONS | XML_PARSE_IGNORE_ENC | XML_PARSE_BIG_LINES)

static void on_error(void *ctx, xmlErrorPtr err)
{
    xmlParserCtxtPtr ctxt = ctx;
    if (!ctxt || !ctxt->_private || !err || err->level < XML_ERR_ERROR)
        return;
    xmlsafe_report_t *r = ctxt->_private;
    int fatal = err->level == XML_ERR_FATAL;
    if (r->msg[0] && (r->fatal || !fatal))
        return; /* keep the first error, or the first fatal one after others */
    r->fatal = fatal;
    r->line = err->line;
    const char *m = err->message ? err->message : "malformed XML";
    const char *bytes = strstr(m, "\nBytes: ");
    if (err->code == XML_ERR_INVALID_CHAR && strstr(m, "not proper UTF-8") && bytes) {
        /* "Input is not proper UTF-8, indicate encoding !\nBytes: 0xE9 0x20" */
        size_t n = strcspn(bytes + 8, "\n");
        snprintf(r->msg, sizeof r->msg, "invalid UTF-8 (bytes %.*s)", (int)n, bytes + 8);
        return;
    }
    size_t n = strcspn(m, "\n"); /* libxml2 adds a second line of context */
    while (n > 0 && (m[n - 1] == ' ' || m[n - 1] == '\r'))
        n--;
    snprintf(r->msg, sizeof r->msg, "%.*s", (int)n, m);
}

/* An <!ENTITY> in the DTD: refuse the document before anything uses it. */
static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content)
{
    (void)name, (void)type, (void)public_id, (void)system_id, (void)content;
    xmlParserCtxtPtr ctxt = ctx;
    ((xmlsafe_report_t *)ctxt->_private)->entities = 1;
    xmlStopParser(ctxt);
}

static void on_unparsed_entity_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
                                    const xmlChar *system_id, const xmlChar *notation)
{
    (void)notation;
    on_entity_decl(ctx, name, 0, public_id, system_id, NULL);
}

static xmlDocPtr parse_utf8(const char *body, size_t len, const char *url, int recover,
                            xmlsafe_report_t *r);

xmlDocPtr xmlsafe_parse(const char *body, size_t len, const char *url, int recover,
                        xmlsafe_report_t *r)
{
    if (!recover)
        return parse_utf8(body, len, url, 0, r);
    buf_t fixed = { 0 };
    charset_report_t rep;
    if (charset_repair_utf8(body, len, &fixed, &rep) != 0) {
        buf_free(&fixed);
        memset(r, 0, sizeof *r);
        snprintf(r->msg, sizeof r->msg, "out of memory");
        return NULL;
    }
    xmlDocPtr doc = parse_utf8(fixed.p ? fixed.p : "", fixed.len, url, 1, r);
    buf_free(&fixed);
    r->bad_utf8 = rep.replaced;
    r->bad_utf8_line = rep.first_line;
    return doc;
}

/* xmlsafe_parse on text that is UTF-8 (or refused for not being so). */
/* The body handed to libxml2 a chunk at a time: xmlCtxtReadMemory would
 * first copy all of it into a buffer of its own, one more document-sized
 * block under the chunk's memory ceiling. */
typedef struct body_reader {
    const char *p;
    size_t left;
} body_reader_t;

static int read_body(void *ctx, char *out, int cap)
{
    body_reader_t *b = ctx;
    size_t n = b->left < (size_t)cap ? b->left : (size_t)cap;
    memcpy(out, b->p, n);
    b->p += n;
    b->left -= n;
    return (int)n;
}

static int close_body(void *ctx)
{
    (void)ctx;
    return 0;
}

static xmlDocPtr parse_utf8(const char *body, size_t len, const char *url, int recover,
                            xmlsafe_report_t *r)
{
    xmlsafe_init();
    memset(r, 0, sizeof *r);
    if (len > INT_MAX) {
        r->fatal = 1;
        snprintf(r->msg, sizeof r->msg, "document too large for the XML parser");
        return NULL;
    }
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        snprintf(r->msg, sizeof r->msg, "out of memory");
        return NULL;
    }
    ctxt->_private = r;
    ctxt->sax->serror = on_error;
    ctxt->sax->entityDecl = on_entity_decl;
    ctxt->sax->unparsedEntityDecl = on_unparsed_entity_decl;
    xmlsafe_watch(ctxt);
    body_reader_t in = {body, len};
    xmlDocPtr doc = xmlCtxtReadIO(ctxt, read_body, close_body, &in, url, "UTF-8",
                                  PARSE_OPTIONS | (recover ? XML_PARSE_RECOVER : 0));
    if (doc && ((!recover && !ctxt->wellFormed) || r->entities || xmlsafe_declares_entities(doc))) {
        r->entities = r->entities || xmlsafe_declares_entities(doc);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    if (!ctxt->wellFormed && !r->msg[0])
        snprintf(r->msg, sizeof r->msg, "malformed XML");
    xmlFreeParserCtxt(ctxt);
    return doc;
}

int xmlsafe_blank(const char *s, size_t n)
{
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3, n -= 3;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    return 1;
}

/* The SAX callbacks that build the tree, wrapped so that a parse whose
 * memory went past the ceiling stops at the next element or text: a
 * SAX callback is where libxml2 expects xmlStopParser. One parse runs at a
 * time (vane is single-threaded), so the originals are kept here. */
static startElementSAXFunc orig_start;
static startElementNsSAX2Func orig_start_ns;
static charactersSAXFunc orig_characters;

static void stop_if_over(void *ctx)
{
    if (extmem_refusals() > 0)
        xmlStopParser(ctx);
}

static void watched_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    orig_start(ctx, name, atts);
    stop_if_over(ctx);
}

static void watched_start_ns(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                             const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                             int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    orig_start_ns(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                  nb_defaulted, attributes);
    stop_if_over(ctx);
}

static void watched_characters(void *ctx, const xmlChar *ch, int len)
{
    orig_characters(ctx, ch, len);
    stop_if_over(ctx);
}

void xmlsafe_watch(xmlParserCtxtPtr ctxt)
{
    xmlSAXHandlerPtr sax = ctxt->sax;
    if (sax->startElement && sax->startElement != watched_start) {
        orig_start = sax->startElement;
        sax->startElement = watched_start;
    }
    if (sax->startElementNs && sax->startElementNs != watched_start_ns) {
        orig_start_ns = sax->startElementNs;
        sax->startElementNs = watched_start_ns;
    }
    if (sax->characters && sax->characters != watched_characters) {
        orig_characters = sax->characters;
        sax->characters = watched_characters;
    }
}

xmlDocPtr xmlsafe_counted(lua_State *L, size_t len, xmlsafe_parse_fn fn, void *arg)
{
    sandbox_charge(L, (lua_Integer)(len / XMLSAFE_BYTES_PER_UNIT));
    for (int attempt = 0;; attempt++) {
        extmem_reset_refusals();
        extmem_set_soft(1);
        xmlDocPtr doc = fn(arg);
        extmem_set_soft(0);
        if (extmem_refusals() == 0)
            return doc;
        if (doc)
            xmlFreeDoc(doc);
        if (attempt > 0)
            sandbox_memory_error(L);
        lua_gc(L, LUA_GCCOLLECT);
    }
}

typedef struct parse_job {
    const char *body;
    size_t len;
    const char *url;
    int recover;
    xmlsafe_report_t *r;
} parse_job_t;

static xmlDocPtr run_parse(void *arg)
{
    parse_job_t *j = arg;
    return xmlsafe_parse(j->body, j->len, j->url, j->recover, j->r);
}

xmlDocPtr xmlsafe_parse_lua(lua_State *L, const char *body, size_t len, const char *url,
                            int recover, xmlsafe_report_t *r)
{
    memset(r, 0, sizeof *r);
    parse_job_t j = { body, len, url, recover, r };
    return xmlsafe_counted(L, len, run_parse, &j);
}

/* xmlsafe.h — libxml2 set up so that no document can reach the network, the
 * file system or unbounded memory, and helpers shared by vane.feed,
 * vane.html and vane.xml.
 *
 * xmlsafe_init() (idempotent, called by every parser entry point) installs
 * an external-entity loader that refuses everything and silences libxml2's
 * default printing of errors to stderr: errors are read from the parser
 * context and reported by the caller with their line numbers. Parse options
 * for XML are XMLSAFE_XML_OPTIONS: no network, no entity substitution, no
 * DTD loading, no huge-document relaxation.
 *
 * xmlsafe_parse is the one way vane.feed and vane.xml read XML: those
 * options plus XML_PARSE_IGNORE_ENC (bodies reach scripts already in UTF-8,
 * so a declared encoding would only be wrong now) and a SAX hook that stops
 * the parser at the first entity declaration, so a "billion laughs" or an
 * external entity is refused before anything is expanded or loaded. */
#ifndef VANE_XMLSAFE_H
#define VANE_XMLSAFE_H

#include <libxml/parser.h>
#include <lua.h>

#define XMLSAFE_XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR | XML_PARSE_NOCDATA)

void xmlsafe_init(void);

/* ref resolved against base (either may be NULL) as a new string to
 * free(); NULL when ref is NULL. A ref that cannot be resolved is returned
 * as written. */
char *xmlsafe_resolve(const char *base, const char *ref);

/* Non-zero when the document's DTD declares any entity (internal or
 * external subset): such documents are refused, never expanded. */
int xmlsafe_declares_entities(xmlDocPtr doc);

/* What the parser said about a document. */
typedef struct xmlsafe_report {
    int entities; /* the document declares entities: refused, no document */
    int line;     /* of the error in msg */
    int fatal;    /* msg is a fatal error (the document is not well-formed) */
    char msg[256]; /* the first fatal error, else the first error; "" if none */
    size_t bad_utf8;   /* with recover: ill-formed UTF-8 sequences replaced by U+FFFD */
    int bad_utf8_line; /* the line of the first */
} xmlsafe_report_t;

/* Parse len bytes of UTF-8 XML; url (may be NULL) becomes the document's
 * URL, the base of relative references. Strict unless recover: a document
 * that is not well-formed gives NULL with r->msg and r->line saying where;
 * with recover, whatever libxml2 recovered (r->fatal then says it was not
 * well-formed). Bytes that are not UTF-8 are an error, or with recover are
 * replaced by U+FFFD first (r->bad_utf8): libxml2 would recover them into
 * the text as they are. A document that declares entities gives NULL with
 * r->entities set, even with recover. The caller frees the document. */
xmlDocPtr xmlsafe_parse(const char *body, size_t len, const char *url, int recover,
                        xmlsafe_report_t *r);

/* Memory and work. libxml2 allocates through extmem (sandbox/extmem.h),
 * installed before main() runs, so what it holds for a chunk counts
 * against that sandbox's memory ceiling for as long as the document lives.
 * xmlsafe_counted runs fn(arg), a parse of len bytes, for the chunk whose
 * call is running in L: the bytes are charged to its budget
 * (XMLSAFE_BYTES_PER_UNIT a unit) and, when the ceiling refused libxml2 an
 * allocation, the half-built document is freed, garbage is collected (so
 * documents the chunk dropped are freed) and the parse tried once more;
 * refused again, the call fails with the memory error (never returns).
 * libxml2 is never refused memory mid-parse (its HTML parser may loop
 * forever on a failed malloc): past the ceiling the parser fn set up with
 * xmlsafe_watch is stopped at its next element or text instead. */
#define XMLSAFE_BYTES_PER_UNIT 4
typedef xmlDocPtr (*xmlsafe_parse_fn)(void *arg);
xmlDocPtr xmlsafe_counted(lua_State *L, size_t len, xmlsafe_parse_fn fn, void *arg);

/* Make ctxt stop at its next element or text once the ceiling was passed
 * (xmlsafe_counted); xmlsafe_parse does this itself. */
void xmlsafe_watch(xmlParserCtxtPtr ctxt);

/* xmlsafe_parse through xmlsafe_counted. */
xmlDocPtr xmlsafe_parse_lua(lua_State *L, const char *body, size_t len, const char *url,
                            int recover, xmlsafe_report_t *r);

/* Non-zero when s (n bytes) is empty or only a byte-order mark and blanks. */
int xmlsafe_blank(const char *s, size_t n);

#endif

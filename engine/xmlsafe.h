/* xmlsafe.h — libxml2 set up so that no document can reach the network, the
 * file system or unbounded memory, and helpers shared by vane.feed and
 * vane.html.
 *
 * xmlsafe_init() (idempotent, called by every parser entry point) installs
 * an external-entity loader that refuses everything and silences libxml2's
 * default printing of errors to stderr: errors are read from the parser
 * context and reported by the caller with their line numbers. Parse options
 * for XML are XMLSAFE_XML_OPTIONS: no network, no entity substitution, no
 * DTD loading, no huge-document relaxation. */
#ifndef VANE_XMLSAFE_H
#define VANE_XMLSAFE_H

#include <libxml/parser.h>

#define XMLSAFE_XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR | XML_PARSE_NOCDATA)

void xmlsafe_init(void);

/* ref resolved against base (either may be NULL) as a new string to
 * free(); NULL when ref is NULL. A ref that cannot be resolved is returned
 * as written. */
char *xmlsafe_resolve(const char *base, const char *ref);

/* Non-zero when the document's DTD declares any entity (internal or
 * external subset): such documents are refused, never expanded. */
int xmlsafe_declares_entities(xmlDocPtr doc);

#endif

/* xmlsafe.c — libxml2 hardened for untrusted documents (see xmlsafe.h). */
#include "xmlsafe.h"

#include <libxml/hash.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>
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

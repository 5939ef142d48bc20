/* lib_html.h — the document and node types of vane.html (lib_html.c),
 * shared by vane.xml (lib_xml.c): one userdata type and one set of methods
 * for trees from either libxml2 parser. */
#ifndef VANE_LIB_HTML_H
#define VANE_LIB_HTML_H

#include <libxml/tree.h>
#include <lua.h>

typedef struct vane_doc vane_doc_t;

/* Register the document and node classes in this state (again is a no-op).
 * Call before vane_doc_push, e.g. in the part's opener. */
void vane_doc_register(lua_State *L);

/* Push a new document userdata holding no tree yet; xml says whether it
 * will be an XML document (else HTML). Its __gc frees the tree adopted. */
vane_doc_t *vane_doc_push(lua_State *L, int xml);

/* Give d the tree doc (NULL means out of memory): d owns it from now on,
 * also when this raises. The base URL becomes url as the document amends it
 * (<base href> in HTML, the root's xml:base in XML). Raises an error only
 * when memory runs out. */
void vane_doc_adopt(lua_State *L, vane_doc_t *d, xmlDocPtr doc, const char *url);

#endif

/* css.h — CSS selectors compiled once and matched against the element nodes
 * of a libxml2 tree (what vane.html's select() runs on).
 *
 * The subset: type selectors and `*`; `.class` (one name of the
 * whitespace-separated class list); `#id`; attributes `[a]`, `[a=v]`,
 * `[a~=v]`, `[a|=v]`, `[a^=v]`, `[a$=v]`, `[a*=v]` with the value quoted or
 * bare and an optional ` i` flag for an ASCII case-insensitive value;
 * `:first-child`, `:last-child`, `:only-child`, `:nth-child(an+b | odd |
 * even)`, `:nth-last-child(...)`, `:not(compound)`; the combinators
 * descendant (space), child `>`, next sibling `+` and later sibling `~`;
 * lists with `,`. In an HTML document type and attribute names match ASCII
 * case-insensitively; in an XML document a type matches the element's local
 * name (whatever its namespace) and an attribute name its qualified name
 * ("xlink:href"; write `[xlink\:href]`), both exactly. Class, id and
 * attribute values match exactly.
 *
 * Selectors match the way querySelectorAll does: an element inside the
 * scope matches when the whole selector matches it, whatever the scope is,
 * so the left-hand compounds may match the scope's own ancestors. */
#ifndef VANE_CSS_H
#define VANE_CSS_H

#include <stddef.h>
#include <libxml/tree.h>

#define CSS_MAX_LEN 1000  /* longer selector text is refused */
#define CSS_MAX_PARTS 32  /* compound selectors, over the list and :not() */
#define CSS_ERR_MAX 1200  /* enough for any message css_compile writes */
#define CSS_MAX_STEPS 20000000L /* compounds tested, siblings and ancestors counted, per select (about a second) */
#define CSS_OVER_BUDGET (-1)

typedef struct css_selector css_selector_t;

/* Compile src into *out (free with css_free). Returns 0, or -1 with *out
 * NULL and err (errsize bytes, CSS_ERR_MAX is enough) set to a message such
 * as "bad CSS selector 'ul >' at character 5: expected a selector after
 * '>'" (characters counted in bytes from 1). */
int css_compile(const char *src, css_selector_t **out, char *err, size_t errsize);

void css_free(css_selector_t *sel);

/* Non-zero when element node el matches sel. */
int css_matches(const css_selector_t *sel, xmlNodePtr el);

/* Called for each match; a positive return stops the walk. */
typedef int (*css_visit_fn)(xmlNodePtr el, void *ud);

/* Visit, in document order and once each, the elements below scope (an
 * element or a document; scope itself is not a candidate) that match sel.
 * Returns what the last call to visit returned (0 when the walk finished),
 * or CSS_OVER_BUDGET when matching took more than CSS_MAX_STEPS steps
 * (the elements visited so far did match). Each element is tested once,
 * from the right; `~` may look at every earlier sibling, so `span ~ li`
 * on a list of n items costs n*n/2 steps, which is what the budget is for. */
int css_select(const css_selector_t *sel, xmlNodePtr scope, css_visit_fn visit, void *ud);

/* css_select with max_steps instead of CSS_MAX_STEPS, which also sets
 * *steps to the work done: nodes walked plus steps counted against the
 * limit (what vane.html charges to the chunk's budget). */
int css_select_counted(const css_selector_t *sel, xmlNodePtr scope, css_visit_fn visit, void *ud,
                       long max_steps, long *steps);

/* el's attribute called name as selectors see it (ASCII case-insensitively
 * in HTML, by qualified name exactly in XML), or NULL. */
xmlAttrPtr css_attr(xmlNodePtr el, const char *name);

/* The node after n in a document-order walk of scope's subtree (into the
 * children of elements only), or NULL when the walk is over. */
xmlNodePtr css_walk_next(xmlNodePtr n, xmlNodePtr scope);

#endif

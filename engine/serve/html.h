/* html.h — writing the web view's HTML: escaping, the page around every
 * view, links with query strings, times.
 *
 * Pages are plain HTML5 that work without JavaScript, styled by one
 * stylesheet served from the binary (/static/vane.css) and, where a page
 * needs it, one script from the binary (/static/vane.js, never inline:
 * the Content-Security-Policy forbids inline scripts). */
#ifndef VANE_HTML_H
#define VANE_HTML_H

#include "serve/serve.h"
#include "util/buf.h"

/* The stylesheet and script, served at /static/vane.css and /static/vane.js. */
extern const char html_css[];
extern const char html_js[];

/* s escaped for HTML text and attribute values (& < > " ' as entities,
 * ill-formed UTF-8 as U+FFFD, control characters but \n and \t as
 * U+FFFD). s may be NULL (nothing written). 0, or -1 out of memory. */
int html_text(buf_t *out, const char *s);

/* The top of a page: doctype, <head> (title "TITLE — vane", the
 * stylesheet, the script), and the navigation (Flags, Advisories,
 * Sources, Rules; `section` is the current one's path, "/flags"), then
 * <main>. */
int html_page_begin(buf_t *out, const serve_req_t *r, const char *title, const char *section);
/* </main> and the end of the page. */
int html_page_end(buf_t *out);

/* <time datetime="ISO">ISO shown as "2024-11-27 23:30 UTC"</time>; "—" for NULL. */
int html_time(buf_t *out, const char *iso);

/* A link to path with the query parameters name=value (pairs, NULL-ended;
 * a NULL or empty value leaves its parameter out), href escaped:
 *   html_href(out, "/flags", "rule", "x", "page", "2", NULL) → /flags?rule=x&page=2 */
int html_href(buf_t *out, const char *path, ...);

/* <span class="sev sev-high">high</span> */
int html_severity(buf_t *out, const char *severity);

#endif

/* changes_html.h — what changed in a flag as an HTML table, for the
 * formats that show HTML (the email's HTML part, the Atom feed's content).
 *
 *   <table class="vane-changes">
 *   <tr><th>field</th><th>before</th><th>after</th></tr>
 *   <tr><td>level</td><td>Level 3</td><td>Level 2</td></tr>
 *   <tr><td>summary</td><td>… kept <del>removed</del> …</td><td>… kept <ins>added</ins> …</td></tr>
 *   </table>
 *
 * A field absent on one side shows "(none)" in italics there. A field with
 * a word diff (changes.h) shows the kept and removed words before and the
 * kept and added words after. Every text is HTML-escaped (& < > " as
 * references) and its control characters become spaces; the caller makes
 * the whole valid UTF-8 (or escapes it again for XML). */
#ifndef VANE_CHANGES_HTML_H
#define VANE_CHANGES_HTML_H

#include "channel/changes.h"
#include "util/buf.h"

/* Append the table for c (nothing when c has no change). 0, or -1 when
 * memory ran out. */
int flag_changes_html(const flag_changes_t *c, buf_t *out);

/* Append s HTML-escaped, control characters as spaces. 0 or -1. */
int html_put_text(buf_t *out, const char *s);

#endif

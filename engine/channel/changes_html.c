/* changes_html.c — a flag's changes as an HTML table (see changes_html.h). */
#include "channel/changes_html.h"

#include <string.h>

#include "util/htmltext.h"

int html_put_text(buf_t *out, const char *s)
{
    buf_t flat = {0};
    int rc = 0;
    for (; s && *s; s++)
        rc |= buf_putc(&flat, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
    rc |= htmltext_escape(buf_str(&flat), flat.len, out);
    buf_free(&flat);
    return rc ? -1 : 0;
}

/* One side of a change: its text, or "(none)" when absent there. */
static int put_side(buf_t *out, const char *text)
{
    if (!text)
        return buf_puts(out, "<td><i>(none)</i></td>");
    return buf_puts(out, "<td>") | html_put_text(out, text) | buf_puts(out, "</td>");
}

/* One side of a word diff: the kept words and those of op (- before, +
 * after) marked with tag. */
static int put_diff_side(buf_t *out, const flag_change_t *ch, char op, const char *tag)
{
    int rc = buf_puts(out, "<td>");
    for (size_t k = 0; k < ch->n_segs; k++) {
        const flag_seg_t *s = &ch->segs[k];
        if (s->op == '=') {
            rc |= html_put_text(out, s->text);
        } else if (s->op == op) {
            rc |= buf_printf(out, "<%s>", tag);
            rc |= html_put_text(out, s->text);
            rc |= buf_printf(out, "</%s>", tag);
        }
    }
    return rc | buf_puts(out, "</td>");
}

int flag_changes_html(const flag_changes_t *c, buf_t *out)
{
    if (!c || c->n == 0)
        return 0;
    int rc = buf_puts(out, "<table class=\"vane-changes\">\n"
                           "<tr><th>field</th><th>before</th><th>after</th></tr>\n");
    for (size_t i = 0; i < c->n; i++) {
        const flag_change_t *ch = &c->v[i];
        rc |= buf_puts(out, "<tr><td>");
        rc |= html_put_text(out, ch->field);
        rc |= buf_puts(out, "</td>");
        if (ch->n_segs) {
            rc |= put_diff_side(out, ch, '-', "del");
            rc |= put_diff_side(out, ch, '+', "ins");
        } else {
            rc |= put_side(out, ch->old_text);
            rc |= put_side(out, ch->new_text);
        }
        rc |= buf_puts(out, "</tr>\n");
    }
    return (rc | buf_puts(out, "</table>\n")) ? -1 : 0;
}

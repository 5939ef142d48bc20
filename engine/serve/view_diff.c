/* view_diff.c — what changed, an item's fields, its title and its history
 * link, for the pages of flags and items (see view_diff.h). */
#include "serve/view_diff.h"

#include <string.h>

#include "alert/context.h"
#include "serve/html.h"
#include "util/json.h"
#include "util/url.h"

/* One side of a word diff: the kept words and those of op (in tag). */
static int side(buf_t *out, const flag_change_t *ch, char op, const char *tag)
{
    int rc = 0;
    for (size_t i = 0; i < ch->n_segs; i++) {
        const flag_seg_t *s = &ch->segs[i];
        if (s->op == '=') {
            rc |= html_text(out, s->text);
        } else if (s->op == op) {
            rc |= buf_printf(out, "<%s>", tag) | html_text(out, s->text) |
                  buf_printf(out, "</%s>", tag);
        }
    }
    return rc;
}

/* A value, or a muted "absent" for NULL. */
static int value(buf_t *out, const char *v)
{
    if (!v)
        return buf_puts(out, "<span class=\"muted\">(absent)</span>");
    return html_text(out, v);
}

int view_changes(buf_t *out, const flag_changes_t *c)
{
    if (!c->n)
        return 0;
    int rc = buf_puts(out, "<table class=\"changes\"><thead><tr><th>Field</th><th>Before</th>"
                           "<th>After</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < c->n; i++) {
        const flag_change_t *ch = &c->v[i];
        rc |= buf_puts(out, "<tr><th>") | html_text(out, ch->field) | buf_puts(out, "</th><td>");
        if (ch->n_segs)
            rc |= side(out, ch, '-', "del") | buf_puts(out, "</td><td>") | side(out, ch, '+', "ins");
        else
            rc |= value(out, ch->old_text) | buf_puts(out, "</td><td>") | value(out, ch->new_text);
        rc |= buf_puts(out, "</td></tr>\n");
    }
    return rc | buf_puts(out, "</tbody></table>\n");
}

int view_changes_of(buf_t *out, const char *changes_json, const char *event_diff)
{
    flag_changes_t c = {0};
    buf_t built = {0};
    int rc = 0;
    /* unreadable text reads as no changes (c empty): the event's diff then */
    if (changes_json)
        (void)flag_changes_read(changes_json, &c);
    if (!c.n && event_diff && flag_context_changes(event_diff, &built) == 0)
        (void)flag_changes_read(buf_str(&built), &c);
    rc |= view_changes(out, &c);
    flag_changes_free(&c);
    buf_free(&built);
    return rc ? -1 : 0;
}

/* A JSON value as text: a string unescaped, others as written. */
static int json_value(buf_t *out, const char *v, size_t len)
{
    buf_t text = {0};
    int rc = json_string_text(v, len, &text);
    if (rc == 0)
        rc = html_text(out, buf_str(&text));
    buf_free(&text);
    return rc;
}

int view_fields(buf_t *out, const char *fields_json)
{
    if (!fields_json)
        return buf_puts(out, "<p class=\"muted\">\xe2\x80\x94</p>\n");
    int rc = buf_puts(out, "<table class=\"fields\"><tbody>\n");
    const char *cur = fields_json;
    json_member_t m;
    while (rc == 0 && json_object_next(&cur, &m) == 1) {
        /* the key's literal with its quotes, unescaped like a value */
        rc |= buf_puts(out, "<tr><th>") | json_value(out, m.key - 1, m.keylen + 2) |
              buf_puts(out, "</th><td>") | json_value(out, m.val, m.vallen) |
              buf_puts(out, "</td></tr>\n");
    }
    return rc | buf_puts(out, "</tbody></table>\n");
}

int view_item_title(buf_t *out, const char *title, const char *key, const char *link)
{
    const char *shown = title && *title ? title : key;
    if (!link || !flag_context_is_link(link))
        return html_text(out, shown);
    int rc = buf_puts(out, "<a href=\"") | html_text(out, link) |
             buf_puts(out, "\" rel=\"noopener noreferrer\">") | html_text(out, shown);
    return rc | buf_puts(out, "</a>");
}

int view_item_href(buf_t *out, const char *source, const char *key)
{
    /* The server decodes a path before it finds the route, so a key with a
     * "/" (a URL) or one that is "." or ".." cannot be a path segment: it
     * goes in the query. */
    if (strchr(key, '/') || strcmp(key, ".") == 0 || strcmp(key, "..") == 0) {
        buf_t path = {0};
        int rc = buf_puts(&path, "/items/") | url_encode_component(&path, source) |
                 html_href(out, buf_str(&path), "key", key, (const char *)NULL);
        buf_free(&path);
        return rc ? -1 : 0;
    }
    buf_t path = {0};
    int rc = buf_puts(&path, "/items/") | url_encode_component(&path, source) | buf_putc(&path, '/') |
             url_encode_component(&path, key);
    rc |= html_text(out, buf_str(&path));
    buf_free(&path);
    return rc ? -1 : 0;
}

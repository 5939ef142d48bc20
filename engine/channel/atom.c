/* atom.c — an Atom feed of flags as text (see atom.h). Nothing here does
 * I/O; libxml2 only checks what atom_read is given. */
#include "channel/atom.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "channel/changes.h"
#include "channel/payload.h"
#include "lib/xmlsafe.h"
#include "util/utf8.h"
#include "util/version.h"

#define SUMMARY_CHANGES_MAX 200   /* characters of each value in a summary's changes */
#define SUMMARY_MAX 400           /* characters of a summary made from the changes */

/* ---- escaping ----------------------------------------------------------------- */

int atom_put_text(buf_t *out, const char *s, size_t len, int attr, int oneline)
{
    buf_t clean = {0};
    int rc = utf8_repair(s, len, UTF8_NUL_OK, &clean, NULL) < 0 ? -1 : 0;
    const char *p = buf_str(&clean);
    for (size_t i = 0; i < clean.len; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch == 0xef && i + 2 < clean.len && (unsigned char)p[i + 1] == 0xbf &&
            ((unsigned char)p[i + 2] == 0xbe || (unsigned char)p[i + 2] == 0xbf)) {
            rc |= buf_puts(out, UTF8_REPLACEMENT);   /* U+FFFE, U+FFFF: not XML characters */
            i += 2;
        } else if (ch == '&') {
            rc |= buf_puts(out, "&amp;");
        } else if (ch == '<') {
            rc |= buf_puts(out, "&lt;");
        } else if (ch == '>') {
            rc |= buf_puts(out, "&gt;");
        } else if (ch == '"' && attr) {
            rc |= buf_puts(out, "&quot;");
        } else if (ch < 0x20 && (oneline || attr || (ch != '\n' && ch != '\t'))) {
            rc |= buf_putc(out, ' ');
        } else {
            rc |= buf_putc(out, (char)ch);
        }
    }
    buf_free(&clean);
    return rc ? -1 : 0;
}

static int put_str(buf_t *out, const char *s, int attr, int oneline)
{
    return atom_put_text(out, s ? s : "", s ? strlen(s) : 0, attr, oneline);
}

/* ---- the list ------------------------------------------------------------------- */

static atom_entry_t *grow(atom_entries_t *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        atom_entry_t *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return NULL;
        l->v = v;
        l->cap = cap;
    }
    atom_entry_t *e = &l->v[l->n];
    *e = (atom_entry_t){0};
    return e;
}

static void entry_free(atom_entry_t *e)
{
    free(e->id);
    free(e->xml);
    *e = (atom_entry_t){0};
}

void atom_entries_free(atom_entries_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        entry_free(&l->v[i]);
    free(l->v);
    *l = (atom_entries_t){0};
}

/* ---- reading ------------------------------------------------------------------- */

static int is_atom(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, ATOM_NS) == 0 &&
           strcmp((const char *)n->name, name) == 0;
}

/* The text of parent's first Atom child called name (NULL if none), to free(). */
static char *child_text(const xmlNode *parent, const char *name)
{
    for (const xmlNode *c = parent->children; c; c = c->next) {
        if (!is_atom(c, name))
            continue;
        xmlChar *t = xmlNodeGetContent(c);
        char *s = t ? strdup((const char *)t) : NULL;
        xmlFree(t);
        return s;
    }
    return NULL;
}

/* Is this the feed vane writes: atom:feed with a generator saying vane? */
static const char *not_ours(const xmlNode *root)
{
    if (!root || !is_atom(root, "feed"))
        return "it is not an Atom feed";
    char *gen = child_text(root, "generator");
    int ours = gen && strcmp(gen, "vane") == 0;
    free(gen);
    return ours ? NULL : "it is an Atom feed that vane did not write";
}

/* Find the next "<entry>…</entry>" at or after *at in text: the slice of
 * the element as written. */
static int next_slice(const char *text, size_t len, size_t *at, size_t *start, size_t *end)
{
    const char *open = memmem(text + *at, len - *at, "<entry>", 7);
    if (!open)
        return -1;
    size_t from = (size_t)(open - text);
    const char *close = memmem(open, len - from, "</entry>", 8);
    if (!close)
        return -1;
    *start = from;
    *end = (size_t)(close - text) + 8;
    *at = *end;
    return 0;
}

/* The slice holds <id>ID</id> as vane writes it. */
static int slice_has_id(const char *slice, size_t n, const char *id)
{
    buf_t want = {0};
    int rc = buf_puts(&want, "<id>") | put_str(&want, id, 0, 1) | buf_puts(&want, "</id>");
    int found = rc == 0 && memmem(slice, n, want.p, want.len) != NULL;
    buf_free(&want);
    return found;
}

/* Each Atom entry of root, with its bytes found in text. */
static const char *read_entries(const xmlNode *root, const char *text, size_t len,
                                atom_entries_t *out)
{
    size_t at = 0, start, end;
    for (const xmlNode *c = root->children; c; c = c->next) {
        if (!is_atom(c, "entry"))
            continue;
        atom_entry_t *e = grow(out);
        if (!e)
            return "out of memory";
        char *updated = child_text(c, "updated");
        e->id = child_text(c, "id");
        e->pos = out->n++;
        if (!updated || clock_parse_iso(updated, &e->updated) != 0)
            e->updated = 0;
        free(updated);
        if (!e->id)
            return "an entry has no id";
        if (next_slice(text, len, &at, &start, &end) != 0 ||
            !slice_has_id(text + start, end - start, e->id))
            return "its entries are not as vane wrote them";
        e->xml = strndup(text + start, end - start);
        if (!e->xml)
            return "out of memory";
    }
    if (next_slice(text, len, &at, &start, &end) == 0)
        return "its entries are not as vane wrote them";
    return NULL;
}

int atom_read(const char *text, size_t len, atom_entries_t *out, const char **why)
{
    *why = NULL;
    if (len > INT_MAX) {
        *why = "it is too large";
        return -1;
    }
    xmlsafe_init();
    xmlDocPtr doc = xmlReadMemory(text, (int)len, NULL, "UTF-8", XMLSAFE_XML_OPTIONS);
    if (!doc)
        *why = "it is not well-formed XML";
    else if (xmlsafe_declares_entities(doc))
        *why = "it declares entities";
    else if ((*why = not_ours(xmlDocGetRootElement(doc))) == NULL)
        *why = read_entries(xmlDocGetRootElement(doc), text, len, out);
    if (doc)
        xmlFreeDoc(doc);
    if (*why) {
        atom_entries_free(out);
        return -1;
    }
    return 0;
}

/* ---- an entry ------------------------------------------------------------------- */

static int is_http(const char *s)
{
    return s && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0);
}

/* Cut s to at most max characters, "…" marking the cut. 0 or -1. */
static int cut_chars(buf_t *s, size_t max)
{
    size_t i = 0, chars = 0;
    while (i < s->len && chars + 1 < max) {
        i += utf8_step(s->p + i, s->len - i);
        chars++;
    }
    if (i >= s->len)
        return 0;
    s->len = i;
    s->p[i] = '\0';
    return buf_puts(s, "\xe2\x80\xa6");
}

/* The summary: the template's text, else the item's title and what changed
 * ("title — level: 2 → 3", cut to SUMMARY_MAX characters), else the
 * message. */
static int put_summary(buf_t *out, const channel_flag_t *f)
{
    if (f->text)
        return put_str(out, f->text, 0, 0);
    buf_t s = {0};
    flag_changes_t c = {0};
    int rc = 0;
    if (f->title && *f->title)
        rc |= buf_puts(&s, f->title);
    if (flag_changes_read(f->changes, &c) == 0 && c.n) {
        if (s.len)
            rc |= buf_puts(&s, " \xe2\x80\x94 ");   /* — */
        rc |= flag_changes_line(&c, SUMMARY_CHANGES_MAX, &s);
    }
    flag_changes_free(&c);
    if (s.len == 0)
        rc |= buf_puts(&s, f->message ? f->message : "");
    rc |= cut_chars(&s, SUMMARY_MAX);
    rc |= atom_put_text(out, buf_str(&s), s.len, 0, 1);
    buf_free(&s);
    return rc;
}

static int put_element(buf_t *out, const char *name, const char *text)
{
    return buf_printf(out, "\n    <%s>", name) | put_str(out, text, 0, 1) |
           buf_printf(out, "</%s>", name);
}

static int entry_xml(const atom_entry_t *e, const channel_flag_t *f, const char *when, buf_t *out)
{
    int rc = buf_puts(out, "<entry>");
    rc |= put_element(out, "id", e->id);
    rc |= buf_puts(out, "\n    <title type=\"text\">[") | put_str(out, f->severity ? f->severity : "-", 0, 1);
    rc |= buf_puts(out, "] ") | put_str(out, f->message, 0, 1) | buf_puts(out, "</title>");
    rc |= put_element(out, "updated", when) | put_element(out, "published", when);
    if (is_http(f->link))
        rc |= buf_puts(out, "\n    <link rel=\"alternate\" type=\"text/html\" href=\"") |
              put_str(out, f->link, 1, 1) | buf_puts(out, "\"/>");
    rc |= buf_puts(out, "\n    <author><name>vane</name></author>");
    if (f->rule && *f->rule) {
        rc |= buf_puts(out, "\n    <category term=\"") | put_str(out, f->rule, 1, 1);
        if (f->rule_title && *f->rule_title)
            rc |= buf_puts(out, "\" label=\"") | put_str(out, f->rule_title, 1, 1);
        rc |= buf_puts(out, "\" scheme=\"" ATOM_ID_PREFIX "rule\"/>");
    }
    if (f->severity && *f->severity)
        rc |= buf_puts(out, "\n    <category term=\"") | put_str(out, f->severity, 1, 1) |
              buf_puts(out, "\" scheme=\"" ATOM_ID_PREFIX "severity\"/>");
    rc |= buf_puts(out, "\n    <summary type=\"text\">") | put_summary(out, f) |
          buf_puts(out, "</summary>");
    buf_t html = {0};
    rc |= payload_flag_html(f, &html);
    rc |= buf_puts(out, "\n    <content type=\"html\">") |
          atom_put_text(out, buf_str(&html), html.len, 0, 0) | buf_puts(out, "</content>");
    buf_free(&html);
    return rc | buf_puts(out, "\n  </entry>");
}

int atom_add_flag(const atom_feed_t *feed, const channel_flag_t *f, vtime_t now,
                  atom_entries_t *list)
{
    buf_t id = {0};
    if (buf_printf(&id, "%s/flag/%lld", feed->id, f->id) != 0) {
        buf_free(&id);
        return -1;
    }
    for (size_t i = 0; i < list->n; i++) {
        if (list->v[i].id && strcmp(list->v[i].id, buf_str(&id)) == 0) {
            buf_free(&id);
            return 0;   /* written by an attempt that was not marked done */
        }
    }
    atom_entry_t *e = grow(list);
    if (!e) {
        buf_free(&id);
        return -1;
    }
    vtime_t t;
    if (!f->created_at || clock_parse_iso(f->created_at, &t) != 0)
        t = now;
    char when[32];
    clock_format_iso(t, when);
    *e = (atom_entry_t){.id = buf_steal(&id), .updated = t, .fresh = 1, .flag_id = f->id};
    buf_t xml = {0};
    if (!e->id || entry_xml(e, f, when, &xml) != 0) {
        buf_free(&xml);
        entry_free(e);
        return -1;
    }
    e->xml = buf_steal(&xml);
    list->n++;
    return 0;
}

/* ---- the document ---------------------------------------------------------------- */

static int newest_first(const void *pa, const void *pb)
{
    const atom_entry_t *a = pa, *b = pb;
    if (a->updated != b->updated)
        return a->updated > b->updated ? -1 : 1;
    if (a->fresh != b->fresh)
        return a->fresh ? -1 : 1;
    if (a->fresh)
        return a->flag_id > b->flag_id ? -1 : a->flag_id < b->flag_id;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

int atom_write(const atom_feed_t *feed, atom_entries_t *list, size_t max, buf_t *out)
{
    if (list->n > 1)
        qsort(list->v, list->n, sizeof *list->v, newest_first);
    while (list->n > max)
        entry_free(&list->v[--list->n]);
    char updated[32];
    clock_format_iso(list->n && list->v[0].updated ? list->v[0].updated : clock_now(), updated);
    int rc = buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                           "<feed xmlns=\"" ATOM_NS "\">\n  <id>");
    rc |= put_str(out, feed->id, 0, 1);
    rc |= buf_puts(out, "</id>\n  <title type=\"text\">") | put_str(out, feed->title, 0, 1);
    rc |= buf_printf(out, "</title>\n  <updated>%s</updated>\n", updated);
    if (feed->self)
        rc |= buf_puts(out, "  <link rel=\"self\" type=\"application/atom+xml\" href=\"") |
              put_str(out, feed->self, 1, 1) | buf_puts(out, "\"/>\n");
    rc |= buf_puts(out, "  <author><name>vane</name></author>\n"
                        "  <generator version=\"" VANE_VERSION "\">vane</generator>\n");
    for (size_t i = 0; i < list->n; i++)
        rc |= buf_puts(out, "  ") | buf_puts(out, list->v[i].xml) | buf_putc(out, '\n');
    return (rc | buf_puts(out, "</feed>\n")) ? -1 : 0;
}

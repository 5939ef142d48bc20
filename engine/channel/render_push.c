/* render_push.c — the text of a push notification (see render_push.h).
 *
 * Every piece of text goes through put_text, which cuts it to a number of
 * characters, repairs its UTF-8, turns control characters into spaces and
 * escapes it for HTML when the style asks; the markup around it is the
 * style's own. */
#include "channel/render_push.h"

#include <stdio.h>
#include <string.h>

#include "channel/changes.h"
#include "config/severity.h"
#include "util/utf8.h"

#define MESSAGE_MAX 1000   /* characters of a rule's message */
#define MESSAGE_SHORT 300  /* … with PUSH_SHORT */
#define TITLE_MAX 300      /* characters of an item's title */
#define LINK_SHORT 300     /* longest link kept with PUSH_SHORT */
#define TEXT_MAX 3000      /* characters of a template's text */
#define CHANGE_MAX 400     /* characters of one changed field's line */
#define ELLIPSIS "\xE2\x80\xA6"
#define WORD_BYTES 45      /* bytes of text per RFC 2047 word: 60 base64 characters */

const push_style_t push_style_telegram = {1, "\n", "<s>", "</s>", "<s>", "</s>", "<u>", "</u>"};
const push_style_t push_style_matrix = {1, "<br>", "<del>", "</del>", "<del>", "</del>", "<u>",
                                        "</u>"};
const push_style_t push_style_pushover = {1, "\n", "", "", "<font color=\"#c62828\">[-",
                                          "-]</font>", "<font color=\"#2e7d32\">{+", "+}</font>"};
const push_style_t push_style_plain = {0, "\n", "", "", "[-", "-]", "{+", "+}"};

/* ---- text -------------------------------------------------------------------- */

/* Append one character c (ASCII) escaped for the style. */
static int put_ascii(buf_t *out, const push_style_t *st, char c)
{
    if (st->html) {
        switch (c) {
        case '&': return buf_puts(out, "&amp;");
        case '<': return buf_puts(out, "&lt;");
        case '>': return buf_puts(out, "&gt;");
        case '"': return buf_puts(out, "&quot;");
        default: break;
        }
    }
    return buf_putc(out, c);
}

/* Append at most *left characters of s (NULL: nothing) in style st, "…"
 * when cut; *left goes down by what was written. A newline is the style's
 * line break when lines is set, else a space like every control character. */
static int put_text(buf_t *out, const push_style_t *st, const char *s, size_t *left, int lines)
{
    int rc = 0;
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n && rc == 0;) {
        if (*left == 0)
            return buf_puts(out, ELLIPSIS);
        size_t bad = 0, k = utf8_seq(s + i, n - i, UTF8_NUL_OK, &bad);
        unsigned char c = (unsigned char)s[i];
        if (k == 0) {
            rc |= buf_puts(out, UTF8_REPLACEMENT);
            k = bad;
        } else if (c == '\n' && lines) {
            rc |= buf_puts(out, st->br);
        } else if (c < 0x20 || c == 0x7f) {
            rc |= buf_putc(out, ' ');
        } else if (c < 0x80) {
            rc |= put_ascii(out, st, (char)c);
        } else if (k == 2 && c == 0xC2 && (unsigned char)s[i + 1] < 0xA0) {
            rc |= buf_putc(out, ' ');   /* C1 controls */
        } else {
            rc |= buf_append(out, s + i, k);
        }
        i += k;
        (*left)--;
    }
    return rc;
}

/* Append s cut to max characters. */
static int put_cut(buf_t *out, const push_style_t *st, const char *s, size_t max)
{
    return put_text(out, st, s, &max, 0);
}

int push_is_link(const char *s)
{
    if (!s || (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0))
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

/* ---- one flag -------------------------------------------------------------------- */

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static int put_severity_line(buf_t *out, const push_style_t *st, const channel_flag_t *f,
                             size_t max)
{
    int rc = buf_puts(out, st->html ? "<b>[" : "[");
    rc |= put_cut(out, st, or_dash(f->severity), 20);
    rc |= buf_puts(out, st->html ? "]</b> " : "] ");
    return rc | put_cut(out, st, f->message ? f->message : "", max);
}

/* The title and link: <a href="link">title</a> in HTML, two lines in plain
 * text. Nothing when the flag has neither. */
static int put_item(buf_t *out, const push_style_t *st, const channel_flag_t *f, int opts)
{
    const char *link = push_is_link(f->link) ? f->link : NULL;
    if (link && (opts & PUSH_SHORT) && strlen(link) > LINK_SHORT)
        link = NULL;
    const char *title = f->title && *f->title ? f->title : NULL;
    if (!link && !title)
        return 0;
    int rc = buf_puts(out, st->br);
    if (st->html && link) {
        rc |= buf_puts(out, "<a href=\"");
        rc |= put_cut(out, st, link, (size_t)-1);
        rc |= buf_puts(out, "\">");
        rc |= put_cut(out, st, title ? title : link, TITLE_MAX);
        return rc | buf_puts(out, "</a>");
    }
    if (title)
        rc |= put_cut(out, st, title, TITLE_MAX);
    if (title && link)
        rc |= buf_puts(out, st->br);
    if (link)
        rc |= buf_puts(out, link);   /* printable ASCII, checked */
    return rc;
}

/* The item, then the flag's page in the web view when there is one
 * ("Open in vane"), left out of short forms. */
static int put_head(buf_t *out, const push_style_t *st, const channel_flag_t *f, int opts)
{
    int rc = put_item(out, st, f, opts);
    if (!push_is_link(f->page) || (opts & PUSH_SHORT))
        return rc;
    rc |= buf_puts(out, st->br);
    if (st->html) {
        rc |= buf_puts(out, "<a href=\"");
        rc |= put_cut(out, st, f->page, (size_t)-1);
        return rc | buf_puts(out, "\">Open in vane</a>");
    }
    return rc | buf_puts(out, "in vane: ") | buf_puts(out, f->page);
}

/* A change with its word diff: the kept, removed and added runs. */
static int put_diff(buf_t *out, const push_style_t *st, const flag_change_t *ch, size_t *left)
{
    int rc = 0;
    for (size_t i = 0; i < ch->n_segs && *left > 0; i++) {
        const flag_seg_t *s = &ch->segs[i];
        const char *open = s->op == '-' ? st->del_open : s->op == '+' ? st->ins_open : "";
        const char *close = s->op == '-' ? st->del_close : s->op == '+' ? st->ins_close : "";
        rc |= buf_puts(out, open);
        rc |= put_text(out, st, s->text, left, 0);
        rc |= buf_puts(out, close);
    }
    return rc;
}

/* A change without a diff: "OLD → NEW", "OLD → (none)", "(none) → NEW". */
static int put_old_new(buf_t *out, const push_style_t *st, const flag_change_t *ch, size_t *left)
{
    size_t half = *left / 2, rest;
    int rc = buf_puts(out, st->old_open);
    rc |= put_text(out, st, ch->old_text ? ch->old_text : "(none)", &half, 0);
    rc |= buf_puts(out, st->old_close);
    rc |= buf_puts(out, " \xE2\x86\x92 ");
    rest = *left / 2 + half;
    rc |= put_text(out, st, ch->new_text ? ch->new_text : "(none)", &rest, 0);
    *left = rest;
    return rc;
}

/* The changes' lines: at most PUSH_MAX_CHANGES, then "… N more". */
static int put_change_lines(buf_t *out, const push_style_t *st, const flag_changes_t *cs)
{
    int rc = 0;
    for (size_t i = 0; i < cs->n && i < PUSH_MAX_CHANGES; i++) {
        const flag_change_t *ch = &cs->v[i];
        size_t left = CHANGE_MAX;
        rc |= buf_puts(out, st->br);
        rc |= put_cut(out, st, ch->field, 60);
        rc |= buf_puts(out, ": ");
        rc |= ch->segs ? put_diff(out, st, ch, &left) : put_old_new(out, st, ch, &left);
    }
    if (cs->n > PUSH_MAX_CHANGES)
        rc |= buf_printf(out, "%s" ELLIPSIS " %zu more", st->br, cs->n - PUSH_MAX_CHANGES);
    return rc;
}

static int put_changes(buf_t *out, const push_style_t *st, const channel_flag_t *f)
{
    flag_changes_t cs = {0};
    if (flag_changes_read(f->changes, &cs) != 0)
        return 0;   /* malformed changes are left out, the flag still goes */
    int rc = put_change_lines(out, st, &cs);
    flag_changes_free(&cs);
    return rc;
}

static int put_flag(buf_t *out, const push_style_t *st, const channel_flag_t *f, int opts)
{
    if (f->text) {
        size_t left = TEXT_MAX;
        return put_text(out, st, f->text, &left, 1);
    }
    int rc = put_severity_line(out, st, f, opts & PUSH_SHORT ? MESSAGE_SHORT : MESSAGE_MAX);
    if (!(opts & PUSH_NO_HEAD))
        rc |= put_head(out, st, f, opts);
    if (!(opts & PUSH_SHORT))
        rc |= put_changes(out, st, f);
    return rc;
}

/* ---- messages ------------------------------------------------------------------- */

int push_render(const channel_msg_t *m, const push_style_t *st, int opts, buf_t *out)
{
    if (!m->digest || m->n == 1)
        return m->n ? put_flag(out, st, &m->flags[0], opts) : 0;
    int rc = buf_printf(out, st->html ? "<b>vane: %zu new flags</b>" : "vane: %zu new flags",
                        m->n);
    for (size_t i = 0; i < m->n; i++) {
        rc |= buf_puts(out, st->br);
        rc |= buf_puts(out, st->br);
        rc |= put_flag(out, st, &m->flags[i], opts & ~PUSH_NO_HEAD);
    }
    return rc;
}

int push_title(const channel_msg_t *m, size_t max_chars, buf_t *out)
{
    if (m->digest && m->n != 1)
        return buf_printf(out, "vane: %zu new flags", m->n);
    const channel_flag_t *f = &m->flags[0];
    const char *t = f->title && *f->title           ? f->title
                    : f->rule_title && *f->rule_title ? f->rule_title
                                                      : or_dash(f->rule);
    return put_cut(out, &push_style_plain, t, max_chars);
}

int push_text(const char *s, size_t max_chars, buf_t *out)
{
    return put_cut(out, &push_style_plain, s, max_chars);
}

int push_top_severity(const channel_msg_t *m)
{
    int top = -1;
    for (size_t i = 0; i < m->n; i++) {
        int r = severity_rank(m->flags[i].severity);
        if (r > top)
            top = r;
    }
    return top < 0 ? 2 : top;
}

/* ---- measures ------------------------------------------------------------------- */

size_t push_visible_length(const char *html, size_t n)
{
    size_t units = 0;
    for (size_t i = 0; i < n;) {
        if (html[i] == '<') {
            const char *end = memchr(html + i, '>', n - i);
            i = end ? (size_t)(end - html) + 1 : n;
            continue;
        }
        if (html[i] == '&') {
            const char *end = memchr(html + i, ';', n - i);
            i = end ? (size_t)(end - html) + 1 : n;
            units++;
            continue;
        }
        size_t k = utf8_step(html + i, n - i);
        units += k == 4 ? 2 : 1;   /* past U+FFFF: a surrogate pair */
        i += k;
    }
    return units;
}

size_t push_chars(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; chars++)
        i += utf8_step(s + i, n - i);
    return chars;
}

void push_cut_bytes(buf_t *b, size_t max)
{
    size_t keep = sizeof ELLIPSIS - 1;
    if (b->len <= max || max < keep)
        return;
    size_t at = 0;
    while (at < b->len) {
        size_t k = utf8_step(b->p + at, b->len - at);
        if (at + k > max - keep)
            break;
        at += k;
    }
    memcpy(b->p + at, ELLIPSIS, keep);
    b->len = at + keep;
    b->p[b->len] = '\0';
}

/* ---- header text ---------------------------------------------------------------- */

static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

static int put_base64(buf_t *out, const unsigned char *p, size_t n)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int rc = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63],
                     i + 1 < n ? b64[v >> 6 & 63] : '=', i + 2 < n ? b64[v & 63] : '='};
        rc |= buf_append(out, q, 4);
    }
    return rc;
}

int push_header_text(const char *text, buf_t *out)
{
    if (is_ascii(text))
        return buf_puts(out, text);
    int rc = 0;
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n) {
            size_t k = 1;
            while (j + k < n && ((unsigned char)text[j + k] & 0xC0) == 0x80)
                k++;
            if (j > i && j + k - i > WORD_BYTES)
                break;
            j += k;
        }
        rc |= buf_puts(out, i ? " =?UTF-8?B?" : "=?UTF-8?B?");
        rc |= put_base64(out, (const unsigned char *)text + i, j - i);
        rc |= buf_puts(out, "?=");
        i = j;
    }
    return rc;
}


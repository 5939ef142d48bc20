/* render_chat.c — the text helpers the chat kinds share (see
 * render_chat.h): escaping for a service within a budget, what changed in a
 * field, the context line, links and severity colours. */
#include "channel/render_chat.h"

#include <stdlib.h>
#include <string.h>

#include "config/severity.h"
#include "util/utf8.h"

#define ELLIPSIS "\xe2\x80\xa6"  /* … : one unit */
#define ARROW " \xe2\x86\x92 "   /* → with its spaces: three units */
#define ZWSP "\xe2\x80\x8b"      /* U+200B */
#define DOT " \xc2\xb7 "         /* · with its spaces */

const chat_marks_t CHAT_MARKS_SLACK = {"~", "~", "*", "*"};
const chat_marks_t CHAT_MARKS_MARKDOWN = {"~~", "~~", "**", "**"};
const chat_marks_t CHAT_MARKS_TEXT = {"[-", "-]", "{+", "+}"};

chat_w_t chat_writer(buf_t *out, chat_style_t style, size_t max)
{
    return (chat_w_t){.out = out, .style = style, .left = max};
}

/* UTF-16 code units of the UTF-8 text p (n bytes): 2 for a 4-byte sequence. */
static size_t units_of(const char *p, size_t n)
{
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c & 0xc0) != 0x80)
            u += c >= 0xf0 ? 2 : 1;
    }
    return u;
}

/* The character at s (n > 0 bytes left) as written in style: into tmp,
 * its length returned, *step set to the bytes it took from s. */
static size_t escape_one(const char *s, size_t n, chat_style_t style, char tmp[16], size_t *step)
{
    size_t bad = 0, k = utf8_seq(s, n, UTF8_NUL_OK, &bad);
    if (k == 0) {
        *step = bad;
        memcpy(tmp, UTF8_REPLACEMENT, 3);
        return 3;
    }
    *step = k;
    unsigned char c = (unsigned char)s[0];
    if (c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)s[1] < 0xa0)) {
        tmp[0] = ' ';   /* C0 and C1 controls, newlines too: one line */
        return 1;
    }
    if (k == 1 && style == CHAT_SLACK) {
        const char *ent = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : NULL;
        if (ent) {
            size_t len = strlen(ent);
            memcpy(tmp, ent, len);
            return len;
        }
        if (strchr("*_~`", c)) {
            memcpy(tmp, ZWSP, 3);
            tmp[3] = (char)c;
            memcpy(tmp + 4, ZWSP, 3);
            return 7;
        }
    }
    if (k == 1 && style == CHAT_MARKDOWN && strchr("\\*_~`|[]<>#", c)) {
        tmp[0] = '\\';
        tmp[1] = (char)c;
        return 2;
    }
    memcpy(tmp, s, k);
    return k;
}

/* The units of s once escaped. */
static size_t escaped_units(const char *s, chat_style_t style)
{
    size_t len = strlen(s), u = 0, step;
    char tmp[16];
    for (size_t i = 0; i < len; i += step)
        u += units_of(tmp, escape_one(s + i, len - i, style, tmp, &step));
    return u;
}

void chat_mark(chat_w_t *w, const char *markup)
{
    size_t u = units_of(markup, strlen(markup));
    w->rc |= buf_puts(w->out, markup);
    w->used += u;
    w->left = w->left > u ? w->left - u : 0;
}

void chat_next(chat_w_t *w)
{
    w->cut = 0;
}

void chat_text(chat_w_t *w, const char *s, size_t keep)
{
    chat_text_max(w, s, keep, (size_t)-1);
}

void chat_text_max(chat_w_t *w, const char *s, size_t keep, size_t max)
{
    if (w->cut || !s)
        return;
    size_t room = w->left > keep ? w->left - keep : 0;
    if (room > max)
        room = max;
    int whole = escaped_units(s, w->style) <= room;
    size_t len = strlen(s), step;
    char tmp[16];
    for (size_t i = 0; i < len; i += step) {
        size_t b = escape_one(s + i, len - i, w->style, tmp, &step), u = units_of(tmp, b);
        if (!whole && u + 1 > room) {
            w->cut = 1;
            break;
        }
        w->rc |= buf_append(w->out, tmp, b);
        w->used += u;
        w->left -= u;
        room -= u;
    }
    if (w->cut && room > 0) {
        w->rc |= buf_puts(w->out, ELLIPSIS);
        w->used++;
        w->left--;
    }
    if (!whole)
        w->cut = 1;
}

/* A marked run of a diff: the spaces around it outside the markers, which
 * Slack and Markdown need touching the text. */
static void marked_run(chat_w_t *w, const char *text, const char *open, const char *close)
{
    size_t len = strlen(text), a = 0, z = len;
    while (a < len && text[a] == ' ')
        a++;
    while (z > a && text[z - 1] == ' ')
        z--;
    if (a == z) {
        chat_text(w, text, 0);
        return;
    }
    buf_t inner = {0};
    if (buf_append(&inner, text + a, z - a) != 0) {
        w->rc = -1;
        return;
    }
    size_t close_units = units_of(close, strlen(close));
    if (a)
        chat_text(w, " ", 0);
    if (!w->cut && w->left > units_of(open, strlen(open)) + close_units + 1) {
        chat_mark(w, open);
        chat_text(w, buf_str(&inner), close_units);
        chat_mark(w, close);
    } else if (!w->cut) {
        chat_text(w, buf_str(&inner), 0);   /* no room for the markers: cut there */
    }
    if (z < len)
        chat_text(w, " ", 0);
    buf_free(&inner);
}

void chat_change(chat_w_t *w, const flag_change_t *ch, const chat_marks_t *mk)
{
    if (!ch->n_segs) {
        chat_text(w, ch->old_text ? ch->old_text : "(none)", 0);
        if (!w->cut)
            chat_text(w, ARROW, 0);
        chat_text(w, ch->new_text ? ch->new_text : "(none)", 0);
        return;
    }
    for (size_t k = 0; k < ch->n_segs && !w->cut; k++) {
        const flag_seg_t *s = &ch->segs[k];
        if (k > 0 && s->op == '+' && ch->segs[k - 1].op == '-')
            chat_text(w, " ", 0);   /* ~old~ *new*: markers need a space between */
        if (s->op == '-')
            marked_run(w, s->text, mk->del_open, mk->del_close);
        else if (s->op == '+')
            marked_run(w, s->text, mk->ins_open, mk->ins_close);
        else
            chat_text(w, s->text, 0);
    }
}

static const char *first(const char *a, const char *b)
{
    return a && *a ? a : b && *b ? b : NULL;
}

void chat_context(chat_w_t *w, const channel_flag_t *f, int with_time)
{
    const char *parts[3] = {first(f->rule_title, f->rule), first(f->source_name, f->source),
                            with_time ? first(f->observed_at, f->created_at) : NULL};
    int any = 0;
    for (size_t i = 0; i < 3; i++) {
        if (!parts[i])
            continue;
        if (any)
            chat_text(w, DOT, 0);
        chat_text(w, parts[i], 0);
        any = 1;
    }
}

const char *chat_message(const channel_flag_t *f)
{
    return f->text ? f->text : f->message ? f->message : "";
}

int chat_is_link(const char *s)
{
    if (!s || (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0))
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

int chat_put_url(buf_t *out, const char *s)
{
    int rc = 0;
    for (; s && *s; s++) {
        if (strchr(" \"<>()|`", *s))
            rc |= buf_printf(out, "%%%02X", (unsigned char)*s);
        else
            rc |= buf_putc(out, *s);
    }
    return rc;
}

long chat_severity_color(const char *severity)
{
    switch (severity ? severity_rank(severity) : -1) {
    case 4: return 0x8b0000;   /* critical: dark red */
    case 3: return 0xe01e5a;   /* high: red */
    case 2: return 0xecb22e;   /* medium: amber */
    case 1: return 0x2eb67d;   /* low: green */
    case 0: return 0x36c5f0;   /* info: blue */
    default: return 0x808080;
    }
}

const char *chat_severity_style(const char *severity)
{
    switch (severity ? severity_rank(severity) : -1) {
    case 4:
    case 3: return "attention";
    case 2: return "warning";
    case 1: return "good";
    default: return "default";
    }
}

int chat_digest_header(const channel_msg_t *m, buf_t *out)
{
    return buf_printf(out, "vane: %zu new flag%s", m->n, m->n == 1 ? "" : "s");
}

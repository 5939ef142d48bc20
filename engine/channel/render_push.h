/* render_push.h — the text of a push notification, shared by the kinds
 * that send one (telegram, matrix, ntfy, pushover).
 *
 * One flag is a block of lines:
 *
 *   [high] the rule's message              (severity in bold in HTML)
 *   <a href="link">the item's title</a>    (plain: the title, then the link)
 *   level: <s>Level 3</s> → Level 2        (one line per changed field, at
 *   summary: … State <s>raised</s><u>lowered</u> the level …   most PUSH_MAX_CHANGES)
 *
 * A template's text (flag.text) replaces the whole block. A digest starts
 * with "vane: N new flags" and gives the blocks in order, a blank line
 * between them. Every text is cut to a few hundred characters ("…"),
 * control characters become spaces and ill-formed UTF-8 U+FFFD, and in
 * HTML & < > " are written &amp; &lt; &gt; &quot; (the four entities
 * Telegram's HTML mode knows; Matrix and Pushover read them too).
 *
 * The markup differs per service (push_style_t): Telegram keeps newlines
 * and strikes with <s>, Matrix breaks lines with <br> and strikes with
 * <del>, Pushover has no strike-through (its HTML is b, i, u, font, a), so
 * removed and added words are coloured and marked [-…-] {+…+}; plain text
 * marks them the same way without colour. */
#ifndef VANE_RENDER_PUSH_H
#define VANE_RENDER_PUSH_H

#include <stddef.h>

#include "channel/channel.h"
#include "util/buf.h"

#define PUSH_MAX_CHANGES 8     /* changed fields listed per flag, then "… N more" */

typedef struct push_style {
    int html;                          /* escape for HTML, bold severity, <a> links */
    const char *br;                    /* between lines */
    const char *old_open, *old_close;  /* the old value of "OLD → NEW" */
    const char *del_open, *del_close;  /* removed words of a diff */
    const char *ins_open, *ins_close;  /* added words of a diff */
} push_style_t;

extern const push_style_t push_style_telegram, push_style_matrix, push_style_pushover,
    push_style_plain;

/* Options of push_render. */
#define PUSH_NO_HEAD 1  /* a one-flag message without the title and link lines (the
                           service shows them itself: ntfy's Title and Click, Pushover's
                           title and url) */
#define PUSH_SHORT 2    /* no changes, the message cut shorter, no link past 300
                           characters: for a flag too long for the service otherwise */

/* The message m (one flag or a digest) in style st, appended to out.
 * 0, or -1 when memory ran out. */
int push_render(const channel_msg_t *m, const push_style_t *st, int opts, buf_t *out);

/* The title of a notification: for one flag the item's title, else the
 * rule's title, else the rule id; for a digest "vane: N new flags"; at most
 * max_chars characters, control characters as spaces, valid UTF-8. */
int push_title(const channel_msg_t *m, size_t max_chars, buf_t *out);

/* s as plain text of at most max_chars characters ("…" when cut),
 * control characters as spaces, valid UTF-8. */
int push_text(const char *s, size_t max_chars, buf_t *out);

/* The highest severity rank (0 info .. 4 critical) among m's flags; 2
 * (medium) when none is known. */
int push_top_severity(const channel_msg_t *m);

/* Is s an http:// or https:// link of printable ASCII only (fit for an
 * href, a header, a url field)? */
int push_is_link(const char *s);

/* The length of text as Telegram counts it after parsing its HTML: UTF-16
 * code units of what is outside tags, an entity counting as one. */
size_t push_visible_length(const char *html, size_t n);

/* Characters (code points) in s (n bytes of UTF-8). */
size_t push_chars(const char *s, size_t n);

/* Cut b to at most max bytes, between characters, ending in "…" when cut. */
void push_cut_bytes(buf_t *b, size_t max);

/* text (from push_title: valid UTF-8, no control characters) as an HTTP
 * header's value: as it is when printable ASCII, else RFC 2047 encoded
 * words "=?UTF-8?B?…?=" of whole characters, at most 75 characters each,
 * separated by spaces on one line (a decoder joins adjacent words; HTTP
 * has no folded lines). */
int push_header_text(const char *text, buf_t *out);

#endif

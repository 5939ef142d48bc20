/* render_discord.c — the discord kind's body: an execute-webhook message
 * with one embed per flag (see render_chat.h).
 *
 * An embed: the item's title (else the rule's) linked to the item, the
 * message as description, the severity's colour, one field per changed
 * field (old → new, a long text as its word diff with ~~removed~~ and
 * **added**), a footer "rule · source" and the observed time as timestamp.
 * Texts are Markdown escaped and cut so that one embed stays within
 * Discord's 6000 characters whatever the flag holds; "allowed_mentions":
 * {"parse": []} keeps an "@everyone" in a feed's title from pinging. */
#include "channel/render_chat.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/json.h"

#define CONTENT_MAX 200      /* characters of the short line above the embeds */
#define DESCRIPTION_MAX 2048 /* of the 4096 allowed: room for the fields */
#define FOOTER_MAX 200
#define LINK_MAX 2000        /* a longer link is left out */
#define FIELD_NAME_SHOWN 64
#define FIELDS_BUDGET_SLACK 50   /* characters kept free under the 6000 */

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* "KEY":TEXT */
static int put_member(buf_t *out, const char *key, const buf_t *text)
{
    int rc = buf_printf(out, "\"%s\":", key);
    return rc | json_put_string(out, buf_str(text), text->len);
}

/* "KEY":s escaped and cut to max characters, which are added to *chars. */
static int put_text_member(buf_t *out, const char *key, const char *s, size_t max, size_t *chars)
{
    buf_t t = {0};
    chat_w_t w = chat_writer(&t, CHAT_MARKDOWN, max);
    chat_text(&w, s, 0);
    int rc = w.rc | put_member(out, key, &t);
    *chars += w.used;
    buf_free(&t);
    return rc;
}

/* Does s look like an ISO 8601 time ("2024-11-22T23:00:00Z")? */
static int is_iso_time(const char *s)
{
    return s && strlen(s) >= 19 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':';
}

static int put_field(buf_t *out, const flag_change_t *ch, size_t per, size_t *chars)
{
    buf_t name = {0}, value = {0};
    chat_w_t n = chat_writer(&name, CHAT_MARKDOWN, per / 4 < FIELD_NAME_SHOWN ? per / 4 : FIELD_NAME_SHOWN);
    chat_text(&n, ch->field && *ch->field ? ch->field : "-", 0);
    size_t left = per > n.used ? per - n.used : 1;
    chat_w_t v = chat_writer(&value, CHAT_MARKDOWN,
                             left < DISCORD_FIELD_VALUE_MAX ? left : DISCORD_FIELD_VALUE_MAX);
    chat_change(&v, ch, &CHAT_MARKS_MARKDOWN);
    if (value.len == 0)
        chat_mark(&v, "-");   /* Discord refuses an empty value */
    int rc = n.rc | v.rc | buf_putc(out, '{') | put_member(out, "name", &name);
    rc |= buf_putc(out, ',') | put_member(out, "value", &value) | buf_puts(out, ",\"inline\":false}");
    *chars += n.used + v.used;
    buf_free(&name);
    buf_free(&value);
    return rc;
}

/* The fields, within what is left of the 6000 characters. */
static int put_fields(buf_t *out, const flag_changes_t *ch, size_t used, size_t *chars)
{
    size_t room = DISCORD_MAX_CHARS - FIELDS_BUDGET_SLACK - used;
    size_t shown = ch->n < DISCORD_MAX_FIELDS ? ch->n : DISCORD_MAX_FIELDS - 1;
    size_t per = (room - 40) / shown;   /* 40: the "more fields" field */
    int rc = buf_puts(out, ",\"fields\":[");
    for (size_t i = 0; i < shown; i++)
        rc |= buf_puts(out, i ? "," : "") | put_field(out, &ch->v[i], per, chars);
    if (ch->n > shown) {
        rc |= buf_printf(out, ",{\"name\":\"\xe2\x80\xa6\",\"value\":\"%zu more fields\",\"inline\":false}",
                         ch->n - shown);
        *chars += 1 + 16;
    }
    return rc | buf_putc(out, ']');
}

/* One flag's embed; its characters added to *chars. */
static int put_embed(buf_t *out, const channel_flag_t *f, size_t *chars)
{
    size_t used = 0;
    const char *title = f->title && *f->title ? f->title : or_dash(f->rule_title ? f->rule_title : f->rule);
    int rc = buf_putc(out, '{') | put_text_member(out, "title", title, DISCORD_TITLE_MAX, &used);
    if (chat_is_link(f->link) && strlen(f->link) <= LINK_MAX)
        rc |= buf_puts(out, ",\"url\":") | json_put_string(out, f->link, strlen(f->link));
    rc |= buf_putc(out, ',') | put_text_member(out, "description", chat_message(f),
                                                 DESCRIPTION_MAX, &used);
    rc |= buf_printf(out, ",\"color\":%ld", chat_severity_color(f->severity));
    if (chat_is_link(f->page) && strlen(f->page) <= LINK_MAX) {   /* "vane" above the title, linked */
        rc |= buf_puts(out, ",\"author\":{\"name\":\"vane\",\"url\":");
        rc |= json_put_string(out, f->page, strlen(f->page)) | buf_putc(out, '}');
        used += 4;
    }
    buf_t foot = {0};
    chat_w_t w = chat_writer(&foot, CHAT_MARKDOWN, FOOTER_MAX);
    chat_context(&w, f, 0);
    used += w.used;
    flag_changes_t ch;
    (void)flag_changes_read(f->changes, &ch);   /* unreadable: left empty, none shown */
    if (ch.n)
        rc |= put_fields(out, &ch, used, &used);
    flag_changes_free(&ch);
    rc |= w.rc | buf_puts(out, ",\"footer\":{") | put_member(out, "text", &foot) | buf_putc(out, '}');
    buf_free(&foot);
    const char *at = is_iso_time(f->observed_at) ? f->observed_at
                     : is_iso_time(f->created_at) ? f->created_at : NULL;
    if (at)
        rc |= buf_puts(out, ",\"timestamp\":") | json_put_string(out, at, strlen(at));
    *chars += used;
    return rc | buf_putc(out, '}');
}

static int put_content(buf_t *out, const channel_msg_t *m)
{
    buf_t t = {0};
    int rc = 0;
    if (m->digest) {
        rc |= chat_digest_header(m, &t);
    } else {
        const channel_flag_t *f = &m->flags[0];
        chat_w_t w = chat_writer(&t, CHAT_MARKDOWN, CONTENT_MAX);
        chat_mark(&w, "[");
        chat_text_max(&w, or_dash(f->severity), 2, 20);
        chat_next(&w);
        chat_mark(&w, "] ");
        chat_text(&w, f->title && *f->title ? f->title : chat_message(f), 0);
        rc |= w.rc;
    }
    rc |= put_member(out, "content", &t);
    buf_free(&t);
    return rc;
}

int chat_discord_body(const channel_msg_t *m, buf_t *out, size_t *chars)
{
    size_t n = 0;
    int rc = buf_putc(out, '{') | put_content(out, m);
    rc |= buf_puts(out, ",\"allowed_mentions\":{\"parse\":[]},\"embeds\":[");
    for (size_t i = 0; i < m->n; i++)
        rc |= buf_puts(out, i ? "," : "") | put_embed(out, &m->flags[i], &n);
    rc |= buf_puts(out, "]}");
    *chars = m->n > DISCORD_MAX_EMBEDS ? SIZE_MAX : n;
    return rc ? -1 : 0;
}

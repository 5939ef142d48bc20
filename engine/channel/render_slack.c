/* render_slack.c — the Block Kit body of the slack kind (and of the webhook
 * kind's format "slack"): see render_chat.h.
 *
 * A flag is up to four blocks: a section "*[severity]* message" with the
 * item's title linked as <link|title>; a context "rule · source ·
 * observed"; a section listing what changed ("*field*: old → new", a long
 * text as its word diff with ~removed~ and *added*); an actions block with
 * an "Open item" button when the item has an http(s) link. A digest starts
 * with a header block "vane: N new flags". */
#include "channel/render_chat.h"

#include <stdint.h>
#include <string.h>

#include "util/json.h"

#define FALLBACK_MAX 300     /* characters of the notification text */
#define TITLE_MAX 256        /* characters of the item's title in the section */
#define LINK_MAX 1000        /* a longer link is not linked (it would crowd out the message) */
#define FIELD_MAX 100        /* characters of a field's name */
#define CHANGES_SHOWN 20     /* fields listed; the rest counted */

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* {"type":"mrkdwn","text":TEXT} */
static int put_mrkdwn(buf_t *out, const buf_t *text)
{
    int rc = buf_puts(out, "{\"type\":\"mrkdwn\",\"text\":");
    rc |= json_put_string(out, buf_str(text), text->len);
    return rc | buf_putc(out, '}');
}

/* The link as it goes inside <…|title>: & < > as entities, the rest of
 * what could end it percent-encoded. */
static int put_slack_url(buf_t *out, const char *link)
{
    buf_t u = {0};
    int rc = chat_put_url(&u, link);
    for (const char *p = buf_str(&u); *p; p++)
        rc |= *p == '&' ? buf_puts(out, "&amp;") : buf_putc(out, *p);
    buf_free(&u);
    return rc;
}

/* *[severity]* message\n<link|title> */
static int put_section(buf_t *out, const channel_flag_t *f)
{
    buf_t t = {0}, url = {0};
    const char *title = f->title && *f->title ? f->title : NULL;
    int link = title && chat_is_link(f->link) && strlen(f->link) <= LINK_MAX;
    int rc = link ? put_slack_url(&url, f->link) : 0;
    size_t tail = title ? 1 + TITLE_MAX + (link ? url.len + 2 : 0) : 0;
    chat_w_t w = chat_writer(&t, CHAT_SLACK, SLACK_SECTION_MAX);
    chat_mark(&w, "*[");
    chat_text_max(&w, or_dash(f->severity), tail + 3, 20);
    chat_next(&w);
    chat_mark(&w, "]* ");
    chat_text(&w, chat_message(f), tail);
    chat_next(&w);
    if (title) {
        chat_mark(&w, "\n");
        if (link) {
            chat_mark(&w, "<");
            chat_mark(&w, buf_str(&url));
            chat_mark(&w, "|");
        }
        chat_text_max(&w, title, link ? 1 : 0, TITLE_MAX - 1);
        if (link)
            chat_mark(&w, ">");
    }
    rc |= w.rc | buf_puts(out, "{\"type\":\"section\",\"text\":");
    rc |= put_mrkdwn(out, &t) | buf_putc(out, '}');
    buf_free(&t);
    buf_free(&url);
    return rc;
}

static int put_context(buf_t *out, const channel_flag_t *f)
{
    buf_t t = {0};
    chat_w_t w = chat_writer(&t, CHAT_SLACK, SLACK_CONTEXT_MAX);
    chat_context(&w, f, 1);
    int rc = w.rc | buf_puts(out, "{\"type\":\"context\",\"elements\":[");
    rc |= put_mrkdwn(out, &t) | buf_puts(out, "]}");
    buf_free(&t);
    return rc;
}

/* One line per changed field, within the section's limit. */
static int put_changes(buf_t *out, const flag_changes_t *ch)
{
    buf_t t = {0};
    size_t shown = ch->n < CHANGES_SHOWN ? ch->n : CHANGES_SHOWN;
    size_t per = (SLACK_SECTION_MAX - 40) / shown - 1;   /* 40: the "and N more" line */
    int rc = 0;
    /* cppcheck takes ch->n for 0 (flag_changes_read starts by zeroing it) */
    // cppcheck-suppress knownConditionTrueFalse
    for (size_t i = 0; i < shown; i++) {
        chat_w_t w = chat_writer(&t, CHAT_SLACK, per);
        if (i > 0)
            chat_mark(&w, "\n");
        chat_mark(&w, "*");
        chat_text_max(&w, ch->v[i].field, 1, FIELD_MAX);
        chat_next(&w);
        chat_mark(&w, "*: ");
        chat_change(&w, &ch->v[i], &CHAT_MARKS_SLACK);
        rc |= w.rc;
    }
    if (ch->n > shown)
        rc |= buf_printf(&t, "\n\xe2\x80\xa6 and %zu more fields", ch->n - shown);
    rc |= buf_puts(out, "{\"type\":\"section\",\"text\":");
    rc |= put_mrkdwn(out, &t) | buf_putc(out, '}');
    buf_free(&t);
    return rc;
}

static int button_ok(const char *url)
{
    return chat_is_link(url) && strlen(url) <= SLACK_BUTTON_URL_MAX;
}

static int has_button(const channel_flag_t *f)
{
    return button_ok(f->link) || button_ok(f->page);
}

/* The actions block: "Open item" (the item's link) and "Open in vane"
 * (the flag's page), each when there is one. */
static int put_button(buf_t *out, const channel_flag_t *f)
{
    int rc = buf_puts(out, "{\"type\":\"actions\",\"elements\":[");
    const char *urls[2] = {f->link, f->page}, *labels[2] = {"Open item", "Open in vane"};
    int any = 0;
    for (int i = 0; i < 2; i++) {
        if (!button_ok(urls[i]))
            continue;
        rc |= buf_printf(out, "%s{\"type\":\"button\",\"text\":{\"type\":\"plain_text\","
                              "\"text\":\"%s\"},\"url\":", any ? "," : "", labels[i]);
        rc |= json_put_string(out, urls[i], strlen(urls[i])) | buf_putc(out, '}');
        any = 1;
    }
    return rc | buf_puts(out, "]}");
}

/* The blocks of one flag, each preceded by a comma when *n > 0; *n counts them. */
static int put_flag(buf_t *out, const channel_flag_t *f, size_t *n)
{
    flag_changes_t ch;
    (void)flag_changes_read(f->changes, &ch);   /* unreadable: left empty, none shown */
    int rc = buf_puts(out, *n ? "," : "") | put_section(out, f);
    rc |= buf_putc(out, ',') | put_context(out, f);
    *n += 2;
    if (ch.n) {
        rc |= buf_putc(out, ',') | put_changes(out, &ch);
        (*n)++;
    }
    if (has_button(f)) {
        rc |= buf_putc(out, ',') | put_button(out, f);
        (*n)++;
    }
    flag_changes_free(&ch);
    return rc;
}

static size_t flag_blocks(const channel_flag_t *f)
{
    flag_changes_t ch;
    size_t n = 2 + (flag_changes_read(f->changes, &ch) == 0 && ch.n ? 1 : 0) + (has_button(f) ? 1 : 0);
    flag_changes_free(&ch);
    return n;
}

static int put_fallback(buf_t *out, const channel_msg_t *m)
{
    buf_t t = {0};
    int rc = 0;
    if (m->digest) {
        rc |= chat_digest_header(m, &t);
    } else {
        chat_w_t w = chat_writer(&t, CHAT_SLACK, FALLBACK_MAX);
        chat_mark(&w, "[");
        chat_text_max(&w, or_dash(m->flags[0].severity), 2, 20);
        chat_next(&w);
        chat_mark(&w, "] ");
        chat_text(&w, chat_message(&m->flags[0]), 0);
        rc |= w.rc;
    }
    rc |= json_put_string(out, buf_str(&t), t.len);
    buf_free(&t);
    return rc;
}

int chat_slack_body(const channel_msg_t *m, size_t max_blocks, buf_t *out, size_t *blocks)
{
    size_t n = 0;
    int rc = buf_puts(out, "{\"text\":") | put_fallback(out, m) | buf_puts(out, ",\"blocks\":[");
    if (m->digest) {
        buf_t h = {0};
        rc |= chat_digest_header(m, &h);
        rc |= buf_puts(out, "{\"type\":\"header\",\"text\":{\"type\":\"plain_text\",\"text\":");
        rc |= json_put_string(out, buf_str(&h), h.len) | buf_puts(out, "}}");
        buf_free(&h);
        n = 1;
    }
    for (size_t i = 0; i < m->n; i++) {
        if (m->digest && max_blocks != SIZE_MAX && n + flag_blocks(&m->flags[i]) + 1 > max_blocks) {
            rc |= buf_printf(out, ",{\"type\":\"context\",\"elements\":[{\"type\":\"mrkdwn\","
                                  "\"text\":\"\xe2\x80\xa6 and %zu more flags\"}]}", m->n - i);
            n++;
            break;
        }
        rc |= put_flag(out, &m->flags[i], &n);
    }
    rc |= buf_puts(out, "]}");
    *blocks = n;
    return rc ? -1 : 0;
}

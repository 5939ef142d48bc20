/* render_teams.c — the teams kind's body: an Adaptive Card 1.4 in the
 * message a Teams Workflows webhook takes (see render_chat.h).
 *
 * A flag is a TextBlock "[severity] message" in the severity's colour, the
 * item's title as a Markdown link, a subtle TextBlock "rule · source ·
 * observed" and a FactSet of what changed (field: old → new, a long text
 * as its word diff marked [-removed-]{+added+}, which Adaptive Cards'
 * Markdown leaves as text). One flag's card ends with an Action.OpenUrl
 * "Open item" when the item has an http(s) link. A digest's card starts
 * with "vane: N new flags" and separates its flags. Texts are Markdown
 * escaped and cut so that one flag's card stays far below
 * TEAMS_MAX_BYTES. */
#include "channel/render_chat.h"

#include <string.h>

#include "util/json.h"

#define MESSAGE_MAX 2000   /* characters of the message */
#define TITLE_MAX 256
#define LINK_MAX 2000      /* a longer link is not linked */
#define CONTEXT_MAX 500
#define FIELD_MAX 100      /* characters of a fact's title */
#define FACTS_SHOWN 10     /* changed fields listed; the rest counted */
#define FACT_MAX 400       /* characters of a fact's value */

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* {"type":"TextBlock","text":TEXT,"wrap":true EXTRA} */
static int put_textblock(buf_t *out, const buf_t *text, const char *extra)
{
    int rc = buf_puts(out, "{\"type\":\"TextBlock\",\"text\":");
    rc |= json_put_string(out, buf_str(text), text->len);
    return rc | buf_printf(out, ",\"wrap\":true%s}", extra);
}

static int put_headline(buf_t *out, const channel_flag_t *f, int separate)
{
    buf_t t = {0};
    chat_w_t w = chat_writer(&t, CHAT_MARKDOWN, MESSAGE_MAX + 30);
    chat_mark(&w, "[");
    chat_text_max(&w, or_dash(f->severity), 2, 20);
    chat_next(&w);
    chat_mark(&w, "] ");
    chat_text_max(&w, chat_message(f), 0, MESSAGE_MAX);
    char extra[128];
    snprintf(extra, sizeof extra, ",\"weight\":\"bolder\",\"color\":\"%s\"%s",
             chat_severity_style(f->severity), separate ? ",\"separator\":true,\"spacing\":\"medium\"" : "");
    int rc = w.rc | put_textblock(out, &t, extra);
    buf_free(&t);
    return rc;
}

/* The item's title, linked as [title](link) when it has an http(s) link. */
static int put_title(buf_t *out, const channel_flag_t *f)
{
    buf_t t = {0};
    int link = chat_is_link(f->link) && strlen(f->link) <= LINK_MAX;
    chat_w_t w = chat_writer(&t, CHAT_MARKDOWN, TITLE_MAX + 4);
    if (link)
        chat_mark(&w, "[");
    chat_text_max(&w, f->title, 0, TITLE_MAX);
    int rc = 0;
    if (link) {
        rc |= buf_puts(&t, "](") | chat_put_url(&t, f->link) | buf_putc(&t, ')');
    }
    rc |= w.rc | put_textblock(out, &t, "");
    buf_free(&t);
    return rc;
}

static int put_context(buf_t *out, const channel_flag_t *f)
{
    buf_t t = {0};
    chat_w_t w = chat_writer(&t, CHAT_MARKDOWN, CONTEXT_MAX);
    chat_context(&w, f, 1);
    int rc = w.rc | put_textblock(out, &t, ",\"isSubtle\":true,\"size\":\"small\",\"spacing\":\"none\"");
    buf_free(&t);
    return rc;
}

static int put_fact(buf_t *out, const flag_change_t *ch)
{
    buf_t name = {0}, value = {0};
    chat_w_t w = chat_writer(&name, CHAT_MARKDOWN, FIELD_MAX);
    chat_text(&w, ch->field, 0);
    chat_w_t v = chat_writer(&value, CHAT_MARKDOWN, FACT_MAX);
    chat_change(&v, ch, &CHAT_MARKS_TEXT);
    int rc = w.rc | v.rc | buf_puts(out, "{\"title\":");
    rc |= json_put_string(out, buf_str(&name), name.len) | buf_puts(out, ",\"value\":");
    rc |= json_put_string(out, buf_str(&value), value.len) | buf_putc(out, '}');
    buf_free(&name);
    buf_free(&value);
    return rc;
}

static int put_facts(buf_t *out, const flag_changes_t *ch)
{
    size_t shown = ch->n < FACTS_SHOWN ? ch->n : FACTS_SHOWN;
    int rc = buf_puts(out, ",{\"type\":\"FactSet\",\"facts\":[");
    /* cppcheck takes ch->n for 0 (flag_changes_read starts by zeroing it) */
    // cppcheck-suppress knownConditionTrueFalse
    for (size_t i = 0; i < shown; i++)
        rc |= buf_puts(out, i ? "," : "") | put_fact(out, &ch->v[i]);
    if (ch->n > shown)
        rc |= buf_printf(out, ",{\"title\":\"\xe2\x80\xa6\",\"value\":\"%zu more fields\"}",
                         ch->n - shown);
    return rc | buf_puts(out, "]}");
}

static int put_flag(buf_t *out, const channel_flag_t *f, int separate)
{
    flag_changes_t ch;
    (void)flag_changes_read(f->changes, &ch);   /* unreadable: left empty, none shown */
    int rc = put_headline(out, f, separate);
    if (f->title && *f->title)
        rc |= buf_putc(out, ',') | put_title(out, f);
    rc |= buf_putc(out, ',') | put_context(out, f);
    if (ch.n)
        rc |= put_facts(out, &ch);
    flag_changes_free(&ch);
    return rc;
}

int chat_teams_body(const channel_msg_t *m, buf_t *out, size_t *bytes)
{
    size_t start = out->len;
    int rc = buf_puts(out, "{\"type\":\"message\",\"attachments\":[{"
                           "\"contentType\":\"application/vnd.microsoft.card.adaptive\","
                           "\"contentUrl\":null,\"content\":{"
                           "\"$schema\":\"http://adaptivecards.io/schemas/adaptive-card.json\","
                           "\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\"body\":[");
    if (m->digest) {
        buf_t h = {0};
        rc |= chat_digest_header(m, &h);
        rc |= put_textblock(out, &h, ",\"size\":\"medium\",\"weight\":\"bolder\"");
        buf_free(&h);
    }
    for (size_t i = 0; i < m->n; i++)
        rc |= buf_puts(out, m->digest || i ? "," : "") | put_flag(out, &m->flags[i], m->digest);
    rc |= buf_putc(out, ']');
    const channel_flag_t *f = &m->flags[0];
    const char *urls[2] = {f->link, f->page}, *titles[2] = {"Open item", "Open in vane"};
    int actions = 0;
    for (int i = 0; !m->digest && m->n == 1 && i < 2; i++) {
        if (!chat_is_link(urls[i]))
            continue;
        rc |= buf_puts(out, actions ? "," : ",\"actions\":[");
        rc |= buf_printf(out, "{\"type\":\"Action.OpenUrl\",\"title\":\"%s\",\"url\":", titles[i]);
        rc |= json_put_string(out, urls[i], strlen(urls[i])) | buf_putc(out, '}');
        actions++;
    }
    if (actions)
        rc |= buf_putc(out, ']');
    rc |= buf_puts(out, "}}]}");
    *bytes = out->len - start;
    return rc ? -1 : 0;
}

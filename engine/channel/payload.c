/* payload.c — the bodies and messages the transports send (see payload.h).
 *
 * A digest is read by people grouped: by severity, highest first, then by
 * source, keeping the flags' own order within a group. grouped_order()
 * computes that order once; the subject's counts and both email parts
 * walk it. Nothing here does I/O. */
#include "channel/payload.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channel/changes.h"
#include "channel/changes_html.h"
#include "channel/render_chat.h"
#include "config/severity.h"
#include "util/json.h"
#include "util/version.h"
#include "util/utf8.h"

#define SUBJECT_MAX 150   /* characters (code points) of a one-flag subject */
#define B64_LINE 76       /* base64 characters per body line */
#define FOLD_AT 76        /* where folded header lists break */

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

/* ---- grouping --------------------------------------------------------------- */

typedef struct order_ctx {
    const channel_flag_t *flags;
    size_t i;
} order_ctx_t;

static int by_group(const void *pa, const void *pb)
{
    const order_ctx_t *a = pa, *b = pb;
    const channel_flag_t *fa = &a->flags[a->i], *fb = &b->flags[b->i];
    int ra = fa->severity ? severity_rank(fa->severity) : -1;
    int rb = fb->severity ? severity_rank(fb->severity) : -1;
    if (ra != rb)
        return ra > rb ? -1 : 1;
    int s = strcmp(or_dash(fa->source), or_dash(fb->source));
    if (s != 0)
        return s;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Indexes of m's flags by severity (highest first), source, then position.
 * NULL when memory ran out. */
static size_t *grouped_order(const channel_msg_t *m)
{
    order_ctx_t *tmp = calloc(m->n ? m->n : 1, sizeof *tmp);
    size_t *idx = calloc(m->n ? m->n : 1, sizeof *idx);
    if (!tmp || !idx) {
        free(tmp);
        free(idx);
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++)
        tmp[i] = (order_ctx_t){m->flags, i};
    qsort(tmp, m->n, sizeof *tmp, by_group);
    for (size_t i = 0; i < m->n; i++)
        idx[i] = tmp[i].i;
    free(tmp);
    return idx;
}

static int same_severity(const channel_flag_t *a, const channel_flag_t *b)
{
    return strcmp(or_dash(a->severity), or_dash(b->severity)) == 0;
}

static int same_source(const channel_flag_t *a, const channel_flag_t *b)
{
    return strcmp(or_dash(a->source), or_dash(b->source)) == 0;
}

/* "2 high, 3 medium": the counts per severity, highest first. */
static int put_counts(const channel_msg_t *m, buf_t *out)
{
    int rc = 0, first = 1;
    for (int rank = 4; rank >= -1; rank--) {
        size_t n = 0;
        for (size_t i = 0; i < m->n; i++) {
            const char *s = m->flags[i].severity;
            if ((s ? severity_rank(s) : -1) == rank)
                n++;
        }
        if (n == 0)
            continue;
        rc |= buf_printf(out, "%s%zu %s", first ? "" : ", ", n,
                         rank >= 0 ? severity_name(rank) : "other");
        first = 0;
    }
    return rc;
}

/* ---- JSON ------------------------------------------------------------------- */

int payload_json(const channel_msg_t *m, buf_t *out)
{
    if (!m->digest && m->n == 1)
        return buf_puts(out, m->flags[0].json);
    int rc = buf_printf(out, "{\"digest\":true,\"count\":%zu,\"flags\":[", m->n);
    for (size_t i = 0; i < m->n; i++) {
        if (i > 0)
            rc |= buf_putc(out, ',');
        rc |= buf_puts(out, m->flags[i].json);
    }
    return rc | buf_puts(out, "]}");
}

int payload_body(const channel_msg_t *m, buf_t *out)
{
    return m->body_json ? buf_puts(out, m->body_json) : payload_json(m, out);
}

int payload_flag_ids(const channel_msg_t *m, buf_t *out)
{
    int rc = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (i == PAYLOAD_MAX_IDS) { /* a header stays short; the body lists them all */
            rc |= buf_printf(out, ",+%zu more", m->n - i);
            break;
        }
        rc |= buf_printf(out, "%s%lld", i ? "," : "", m->flags[i].id);
    }
    return rc;
}

/* ---- Slack ------------------------------------------------------------------ */

/* The same Block Kit body as the slack kind's (render_slack.c); a digest
 * past Slack's 50 blocks ends with "… and N more flags", since the webhook
 * kind sends one message. */
int payload_slack(const channel_msg_t *m, buf_t *out)
{
    size_t blocks = 0;
    return chat_slack_body(m, SLACK_MAX_BLOCKS, out, &blocks);
}

/* ---- text helpers ----------------------------------------------------------- */


int payload_subject(const char *prefix, const channel_msg_t *m, buf_t *out)
{
    buf_t s = {0};
    int rc = 0;
    if (prefix && *prefix)
        rc |= buf_printf(&s, "%s ", prefix);
    if (m->n == 1 && !m->digest) {
        const channel_flag_t *f = &m->flags[0];
        rc |= buf_printf(&s, "[%s] %s: %s", or_dash(f->severity), or_dash(f->source),
                         f->message ? f->message : "");
    } else {
        rc |= buf_printf(&s, "%zu new flag%s (", m->n, m->n == 1 ? "" : "s");
        rc |= put_counts(m, &s);
        rc |= buf_putc(&s, ')');
    }
    size_t max = SUBJECT_MAX;
    if (m->n != 1 || m->digest)
        max = utf8_count(buf_str(&s)) + 1; /* a digest's subject is short: keep it whole */
    rc |= utf8_put_oneline(out, buf_str(&s), max);
    buf_free(&s);
    return rc ? -1 : 0;
}

/* ---- base64 and RFC 2047 ------------------------------------------------------ */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int put_base64(buf_t *out, const unsigned char *p, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {B64[(v >> 18) & 63], B64[(v >> 12) & 63],
                     i + 1 < n ? B64[(v >> 6) & 63] : '=', i + 2 < n ? B64[v & 63] : '='};
        rc |= buf_append(out, q, 4);
    }
    return rc;
}

/* A body part in base64, B64_LINE characters per CRLF-ended line. */
static int put_base64_lines(buf_t *out, const char *p, size_t n)
{
    const size_t per_line = B64_LINE / 4 * 3;
    int rc = 0;
    for (size_t i = 0; i < n; i += per_line) {
        size_t k = n - i < per_line ? n - i : per_line;
        rc |= put_base64(out, (const unsigned char *)p + i, k);
        rc |= buf_puts(out, "\r\n");
    }
    return rc;
}

static int is_plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

int payload_header_text(const char *text, buf_t *out)
{
    if (is_plain_ascii(text) && !strstr(text, "=?"))
        return buf_puts(out, text);
    /* 75 = "=?UTF-8?B?" (10) + 60 base64 characters + "?=" (2): 45 bytes of
     * text per word, cut between characters. */
    const size_t max_bytes = 45;
    buf_t clean = {0};
    int rc = utf8_put_oneline(&clean, text, (size_t)-1);
    const char *s = buf_str(&clean);
    size_t len = clean.len, i = 0;
    int first = 1;
    while (i < len) {
        size_t j = i;
        while (j < len) {
            size_t n = utf8_step(s + j, len - j);
            if (j + n - i > max_bytes)
                break;
            j += n;
        }
        if (j == i)
            j = i + 1;
        rc |= buf_puts(out, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?");
        rc |= put_base64(out, (const unsigned char *)s + i, j - i);
        rc |= buf_puts(out, "?=");
        first = 0;
        i = j;
    }
    buf_free(&clean);
    return rc ? -1 : 0;
}

int payload_address(const char *mailbox, buf_t *out)
{
    const char *lt = strrchr(mailbox, '<');
    const char *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt)
        return buf_append(out, lt + 1, (size_t)(gt - lt - 1));
    while (*mailbox == ' ')
        mailbox++;
    size_t n = strlen(mailbox);
    while (n > 0 && mailbox[n - 1] == ' ')
        n--;
    return buf_append(out, mailbox, n);
}

/* ---- email headers ------------------------------------------------------------ */

/* RFC 5322 date, "Fri, 22 Nov 2024 23:00:00 +0000", without the locale. */
static int put_date(buf_t *out, vtime_t now)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)now;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return -1;
    return buf_printf(out, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                      months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The domain of the From address, for the Message-ID. */
static int put_from_host(buf_t *out, const char *from)
{
    buf_t addr = {0};
    int rc = payload_address(from, &addr);
    const char *at = strrchr(buf_str(&addr), '@');
    const char *host = at && at[1] ? at + 1 : "localhost";
    for (; *host; host++)
        if ((unsigned char)*host > 0x20 && *host != '>' && *host != '<')
            rc |= buf_putc(out, *host);
    buf_free(&addr);
    return rc;
}

/* <vane.ID[.digest-FIRST-N].STAMP@host>: the first flag's id and creation
 * time, so every attempt of the same message carries the same id. */
static int put_message_id(buf_t *out, const payload_mail_t *c, const channel_msg_t *m)
{
    const channel_flag_t *f = &m->flags[0];
    int rc = buf_printf(out, "<vane.%lld", f->id);
    if (m->digest || m->n != 1)
        rc |= buf_printf(out, ".digest-%lld-%zu", f->id, m->n);
    rc |= buf_putc(out, '.');
    int digits = 0;
    for (const char *p = f->created_at; p && *p; p++)
        if (*p >= '0' && *p <= '9') {
            rc |= buf_putc(out, *p);
            digits++;
        }
    if (!digits)
        rc |= buf_putc(out, '0');
    rc |= buf_putc(out, '@');
    rc |= put_from_host(out, c->from ? c->from : "");
    return rc | buf_putc(out, '>');
}

/* "Name: a, b, c" folded before an item that would pass FOLD_AT columns. */
static int put_folded(buf_t *out, const char *name, const char *const *items, size_t n)
{
    int rc = buf_printf(out, "%s: ", name);
    size_t col = strlen(name) + 2;
    for (size_t i = 0; i < n; i++) {
        size_t w = strlen(items[i]) + (i + 1 < n ? 1 : 0);
        if (i > 0) {
            if (col + 1 + w > FOLD_AT) {
                rc |= buf_puts(out, "\r\n ");
                col = 1;
            } else {
                rc |= buf_putc(out, ' ');
                col++;
            }
        }
        rc |= buf_printf(out, "%s%s", items[i], i + 1 < n ? "," : "");
        col += w;
    }
    return rc | buf_puts(out, "\r\n");
}

static int put_id_header(buf_t *out, const channel_msg_t *m)
{
    char **ids = calloc(m->n ? m->n : 1, sizeof *ids);
    int rc = ids ? 0 : -1;
    for (size_t i = 0; ids && i < m->n; i++) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%lld", m->flags[i].id);
        ids[i] = strdup(tmp);
        rc |= ids[i] ? 0 : -1;
    }
    if (rc == 0)
        rc = put_folded(out, "X-Vane-Flag-Ids", (const char *const *)ids, m->n);
    for (size_t i = 0; ids && i < m->n; i++)
        free(ids[i]);
    free(ids);
    return rc;
}

static int put_headers(buf_t *out, const payload_mail_t *c, const channel_msg_t *m, vtime_t now,
                       const char *subject, const char *boundary)
{
    size_t nto = 0;
    while (c->to && c->to[nto])
        nto++;
    int rc = buf_puts(out, "Date: ");
    rc |= put_date(out, now);
    rc |= buf_puts(out, "\r\nMessage-ID: ");
    rc |= put_message_id(out, c, m);
    rc |= buf_puts(out, "\r\nFrom: ");
    rc |= payload_header_text(c->from ? c->from : "vane", out);
    rc |= buf_puts(out, "\r\n");
    if (nto)
        rc |= put_folded(out, "To", (const char *const *)c->to, nto);
    rc |= buf_puts(out, "Subject: ");
    rc |= payload_header_text(subject, out);
    rc |= buf_puts(out, "\r\n");
    rc |= put_id_header(out, m);
    rc |= buf_puts(out, "User-Agent: vane/" VANE_VERSION "\r\nMIME-Version: 1.0\r\n");
    rc |= buf_printf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
                     boundary);
    return rc;
}

/* ---- email bodies ------------------------------------------------------------- */

#define FIELD_MAX 1000    /* characters of one context value on its line */

static int is_link(const char *s)
{
    return s && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0);
}

static int has(const char *s)
{
    return s && *s;
}

/* A template's text, its line ends made "\n" and other control
 * characters but tabs spaces, each following line starting with indent. */
static int put_lines(buf_t *out, const char *s, const char *indent)
{
    int rc = 0;
    for (; *s; s++) {
        if (*s == '\r' && s[1] == '\n')
            continue;
        if (*s == '\n' || *s == '\r')
            rc |= buf_putc(out, '\n') | buf_puts(out, indent);
        else
            rc |= buf_putc(out, (unsigned char)*s < 0x20 && *s != '\t' ? ' ' : *s);
    }
    return rc;
}

/* "Title (id)", or "id" when it has no title (or the same). */
static int text_named(buf_t *out, const char *name, const char *id)
{
    if (!has(name) || (id && strcmp(name, id) == 0))
        return utf8_put_oneline(out, or_dash(id), FIELD_MAX);
    int rc = utf8_put_oneline(out, name, FIELD_MAX) | buf_puts(out, " (");
    return rc | utf8_put_oneline(out, or_dash(id), FIELD_MAX) | buf_putc(out, ')');
}

/* "  field: old → new" (or the word diff) for each change, after a blank
 * line when gap is set. */
static int text_changes(buf_t *out, const channel_flag_t *f, const char *indent, int gap)
{
    flag_changes_t c = {0};
    if (flag_changes_read(f->changes, &c) != 0 || c.n == 0)
        return 0;   /* unreadable changes are left out, the rest still goes */
    int rc = buf_printf(out, "%s%schanges:\n", gap ? "\n" : "", indent);
    buf_t line = {0};
    for (size_t i = 0; i < c.n; i++) {
        buf_reset(&line);
        rc |= flag_change_text(&c.v[i], &line);
        rc |= buf_printf(out, "%s  ", indent);
        rc |= utf8_put_oneline(out, c.v[i].field, FIELD_MAX);
        rc |= buf_puts(out, ": ");
        rc |= utf8_put_oneline(out, buf_str(&line), (size_t)-1);
        rc |= buf_putc(out, '\n');
    }
    buf_free(&line);
    flag_changes_free(&c);
    return rc;
}

/* The context of one flag, as lines starting with indent: the item's
 * title and link, then "label: value" lines, then what changed. */
static int text_details(buf_t *out, const channel_flag_t *f, const char *indent, int one)
{
    int rc = 0;
    if (has(f->title))
        rc |= buf_puts(out, indent) | utf8_put_oneline(out, f->title, FIELD_MAX) | buf_putc(out, '\n');
    if (has(f->link))
        rc |= buf_puts(out, indent) | utf8_put_oneline(out, f->link, FIELD_MAX) | buf_putc(out, '\n');
    if (one && (has(f->title) || has(f->link)))
        rc |= buf_putc(out, '\n');
    rc |= buf_printf(out, "%srule: ", indent) | text_named(out, f->rule_title, f->rule);
    if (one)
        rc |= buf_printf(out, "\n%sseverity: %s", indent, or_dash(f->severity));
    rc |= buf_printf(out, "\n%ssource: ", indent) | text_named(out, f->source_name, f->source);
    rc |= buf_putc(out, '\n');
    if (has(f->key) && !(f->link && strcmp(f->key, f->link) == 0))
        rc |= buf_printf(out, "%sitem: ", indent) | utf8_put_oneline(out, f->key, FIELD_MAX) |
              buf_putc(out, '\n');
    if (has(f->observed_at))
        rc |= buf_printf(out, "%sobserved: %s\n", indent, f->observed_at);
    rc |= buf_printf(out, "%sflag %lld", indent, f->id);
    if (f->created_at)
        rc |= buf_printf(out, ", %s", f->created_at);
    rc |= buf_putc(out, '\n');
    if (is_link(f->page))
        rc |= buf_printf(out, "%sin vane: ", indent) | utf8_put_oneline(out, f->page, FIELD_MAX) |
              buf_putc(out, '\n');
    return rc | text_changes(out, f, indent, one);
}

static int text_body(buf_t *out, const channel_msg_t *m, const size_t *idx)
{
    int rc = 0;
    if (!m->digest && m->n == 1) {
        const channel_flag_t *f = &m->flags[0];
        if (f->text)
            rc |= put_lines(out, f->text, "");
        else
            rc |= buf_printf(out, "[%s] %s %s: %s", or_dash(f->severity), or_dash(f->rule),
                             or_dash(f->source), f->message ? f->message : "");
        rc |= buf_puts(out, "\n\n");
        rc |= text_details(out, f, "", 1);
    } else {
        rc |= buf_printf(out, "vane: %zu new flag%s (", m->n, m->n == 1 ? "" : "s");
        rc |= put_counts(m, out);
        rc |= buf_puts(out, ")\n");
        for (size_t i = 0; i < m->n; i++) {
            const channel_flag_t *f = &m->flags[idx[i]];
            const channel_flag_t *prev = i ? &m->flags[idx[i - 1]] : NULL;
            if (!prev || !same_severity(prev, f))
                rc |= buf_printf(out, "\n== %s ==\n", or_dash(f->severity));
            if (!prev || !same_severity(prev, f) || !same_source(prev, f))
                rc |= buf_printf(out, "\n%s\n", or_dash(f->source));
            rc |= buf_printf(out, "  - %s: ", or_dash(f->rule));
            rc |= f->text ? put_lines(out, f->text, "    ")
                          : buf_puts(out, f->message ? f->message : "");
            rc |= buf_putc(out, '\n');
            rc |= text_details(out, f, "    ", 0);
        }
    }
    return rc | buf_puts(out, "\n-- \nvane " VANE_VERSION "\n");
}

/* A template's text, escaped, its line ends as <br>. */
static int html_lines(buf_t *out, const char *s)
{
    buf_t line = {0};
    int rc = 0;
    for (;;) {
        size_t n = strcspn(s, "\r\n");
        buf_reset(&line);
        rc |= buf_append(&line, s, n);
        rc |= html_put_text(out, buf_str(&line));
        s += n;
        if (!*s)
            break;
        s += s[0] == '\r' && s[1] == '\n' ? 2 : 1;
        rc |= buf_puts(out, "<br>\n");
    }
    buf_free(&line);
    return rc;
}

/* "<b>Title</b> (<code>id</code>)", or "<code>id</code>". */
static int html_named(buf_t *out, const char *name, const char *id)
{
    int rc = 0;
    int titled = has(name) && !(id && strcmp(name, id) == 0);
    if (titled)
        rc |= buf_puts(out, "<b>") | html_put_text(out, name) | buf_puts(out, "</b> (");
    rc |= buf_puts(out, "<code>") | html_put_text(out, or_dash(id)) | buf_puts(out, "</code>");
    return titled ? rc | buf_putc(out, ')') : rc;
}

/* The item: its title linked to its link (either alone when the other is
 * missing); the key linked as "item" when it is all there is. */
static int html_item(buf_t *out, const channel_flag_t *f)
{
    int rc = 0;
    if (is_link(f->link)) {
        rc |= buf_puts(out, "<a href=\"") | html_put_text(out, f->link) | buf_puts(out, "\">");
        rc |= html_put_text(out, has(f->title) ? f->title : f->link) | buf_puts(out, "</a>");
    } else if (has(f->title)) {
        rc |= html_put_text(out, f->title);
    } else if (is_link(f->key)) {
        rc |= buf_puts(out, "<a href=\"") | html_put_text(out, f->key) | buf_puts(out, "\">item</a>");
    } else if (has(f->key)) {
        rc |= buf_puts(out, "<small>") | html_put_text(out, f->key) | buf_puts(out, "</small>");
    }
    return rc;
}

/* Has the flag anything html_item shows? */
static int has_item(const channel_flag_t *f)
{
    return has(f->title) || is_link(f->link) || has(f->key);
}

/* rule, source, observed time and flag id, then the changes' table. */
static int html_details(buf_t *out, const channel_flag_t *f)
{
    int rc = buf_puts(out, "<p><small>rule ") | html_named(out, f->rule_title, f->rule);
    rc |= buf_puts(out, ", source ") | html_named(out, f->source_name, f->source);
    if (has(f->observed_at))
        rc |= buf_puts(out, ", observed ") | html_put_text(out, f->observed_at);
    if (is_link(f->page)) {
        rc |= buf_puts(out, ", <a href=\"") | html_put_text(out, f->page);
        rc |= buf_printf(out, "\">flag %lld</a></small></p>\n", f->id);
    } else {
        rc |= buf_printf(out, ", flag %lld</small></p>\n", f->id);
    }
    flag_changes_t c = {0};
    if (flag_changes_read(f->changes, &c) == 0)
        rc |= flag_changes_html(&c, out);
    flag_changes_free(&c);
    return rc;
}

/* The flag's own line: the template's text, or the message. */
static int html_message(buf_t *out, const channel_flag_t *f)
{
    return f->text ? html_lines(out, f->text) : html_put_text(out, f->message ? f->message : "");
}

int payload_flag_html(const channel_flag_t *f, buf_t *out)
{
    int rc = buf_puts(out, "<p>") | html_message(out, f) | buf_puts(out, "</p>\n");
    if (has_item(f))
        rc |= buf_puts(out, "<p>") | html_item(out, f) | buf_puts(out, "</p>\n");
    return (rc | html_details(out, f)) ? -1 : 0;
}

static int html_body(buf_t *out, const channel_msg_t *m, const size_t *idx, const char *subject)
{
    int rc = buf_puts(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    rc |= html_put_text(out, subject);
    rc |= buf_puts(out, "</title></head>\n<body>\n");
    if (!m->digest && m->n == 1) {
        const channel_flag_t *f = &m->flags[0];
        rc |= buf_puts(out, "<p><strong>[");
        rc |= html_put_text(out, or_dash(f->severity));
        rc |= buf_puts(out, "]</strong> ");
        rc |= html_message(out, f);
        rc |= buf_puts(out, "</p>\n");
        if (has_item(f))
            rc |= buf_puts(out, "<p>") | html_item(out, f) | buf_puts(out, "</p>\n");
        rc |= html_details(out, f);
    } else {
        rc |= buf_printf(out, "<h1>vane: %zu new flag%s</h1>\n", m->n, m->n == 1 ? "" : "s");
        for (size_t i = 0; i < m->n; i++) {
            const channel_flag_t *f = &m->flags[idx[i]];
            const channel_flag_t *prev = i ? &m->flags[idx[i - 1]] : NULL;
            int new_sev = !prev || !same_severity(prev, f);
            int new_src = new_sev || !same_source(prev, f);
            if (prev && new_src)
                rc |= buf_puts(out, "</ul>\n");
            if (new_sev) {
                rc |= buf_puts(out, "<h2>");
                rc |= html_put_text(out, or_dash(f->severity));
                rc |= buf_puts(out, "</h2>\n");
            }
            if (new_src) {
                rc |= buf_puts(out, "<h3>");
                rc |= html_put_text(out, or_dash(f->source));
                rc |= buf_puts(out, "</h3>\n<ul>\n");
            }
            rc |= buf_puts(out, "<li><code>");
            rc |= html_put_text(out, or_dash(f->rule));
            rc |= buf_puts(out, "</code>: ");
            rc |= html_message(out, f);
            if (has_item(f))
                rc |= buf_puts(out, "<br>\n") | html_item(out, f);
            rc |= html_details(out, f);
            rc |= buf_puts(out, "</li>\n");
        }
        if (m->n)
            rc |= buf_puts(out, "</ul>\n");
    }
    return rc | buf_puts(out, "</body></html>\n");
}

/* One MIME part: the body made valid UTF-8 (each ill-formed subpart one
 * U+FFFD, as charset=UTF-8 promises) with its "\n" line ends made CRLF
 * (text's canonical form), then base64. */
static int put_part(buf_t *out, const char *boundary, const char *type, const buf_t *body)
{
    buf_t clean = {0}, crlf = {0};
    int rc = utf8_repair(body->p, body->len, UTF8_NUL_OK, &clean, NULL) < 0 ? -1 : 0;
    for (size_t i = 0; i < clean.len; i++)
        rc |= clean.p[i] == '\n' ? buf_puts(&crlf, "\r\n") : buf_putc(&crlf, clean.p[i]);
    buf_free(&clean);
    rc |= buf_printf(out, "--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
                          "Content-Transfer-Encoding: base64\r\n\r\n", boundary, type);
    rc |= put_base64_lines(out, buf_str(&crlf), crlf.len);
    buf_free(&crlf);
    return rc;
}

int payload_email(const payload_mail_t *c, const channel_msg_t *m, vtime_t now, buf_t *out)
{
    if (m->n == 0)
        return -1;
    size_t *idx = grouped_order(m);
    if (!idx)
        return -1;
    buf_t subject = {0}, text = {0}, html = {0};
    char boundary[64];
    /* base64 never contains "=_", so the boundary cannot occur in a part */
    snprintf(boundary, sizeof boundary, "=_vane_%lld_%zu", m->flags[0].id, m->n);
    int rc = payload_subject(c->subject_prefix, m, &subject);
    rc |= text_body(&text, m, idx);
    rc |= html_body(&html, m, idx, buf_str(&subject));
    rc |= put_headers(out, c, m, now, buf_str(&subject), boundary);
    rc |= put_part(out, boundary, "text/plain", &text);
    rc |= put_part(out, boundary, "text/html", &html);
    rc |= buf_printf(out, "--%s--\r\n", boundary);
    buf_free(&subject);
    buf_free(&text);
    buf_free(&html);
    free(idx);
    return rc ? -1 : 0;
}

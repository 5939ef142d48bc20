/* push_body.c — the push services' request bodies and headers (see
 * push_body.h). JSON strings are written by json_put_string; the texts
 * come from render_push.c, valid UTF-8 and escaped for their markup. */
#include "channel/push_body.h"

#include <string.h>

#include "channel/render_push.h"
#include "config/severity.h"
#include "util/json.h"

#define NTFY_TITLE_MAX 200          /* characters of ntfy's Title */
#define PUSHOVER_TITLE_MAX 250
#define PUSHOVER_URL_MAX 512
#define PUSHOVER_URL_TITLE_MAX 100

static int one_flag(const channel_msg_t *m)
{
    return !m->digest || m->n == 1;
}

/* ---- Telegram ----------------------------------------------------------------------- */

/* Is s a whole number (a chat id), to be sent as a JSON number? */
static int is_integer(const char *s)
{
    if (*s == '-')
        s++;
    size_t n = strlen(s);
    return n > 0 && n <= 18 && strspn(s, "0123456789") == n;
}

int push_telegram_body(const channel_msg_t *m, const char *chat_id, buf_t *out, size_t *size)
{
    buf_t html = {0};
    int rc = push_render(m, &push_style_telegram, 0, &html);
    *size = push_visible_length(html.p, html.len);
    if (rc == 0 && *size > PUSH_TELEGRAM_LIMIT && m->n == 1) {
        buf_reset(&html);
        rc = push_render(m, &push_style_telegram, PUSH_SHORT, &html);
        *size = push_visible_length(html.p, html.len);
    }
    rc |= buf_puts(out, "{\"chat_id\":");
    rc |= is_integer(chat_id) ? buf_puts(out, chat_id) : json_put_string(out, chat_id, strlen(chat_id));
    rc |= buf_puts(out, ",\"text\":") | json_put_string(out, buf_str(&html), html.len);
    rc |= buf_puts(out, ",\"parse_mode\":\"HTML\",\"link_preview_options\":{\"is_disabled\":true}}");
    buf_free(&html);
    return rc ? -1 : 0;
}

/* ---- Matrix --------------------------------------------------------------------------- */

static int matrix_body(const channel_msg_t *m, int opts, buf_t *out)
{
    buf_t text = {0}, html = {0};
    int rc = push_render(m, &push_style_plain, opts, &text);
    rc |= push_render(m, &push_style_matrix, opts, &html);
    rc |= buf_puts(out, "{\"msgtype\":\"m.text\",\"body\":");
    rc |= json_put_string(out, buf_str(&text), text.len);
    rc |= buf_puts(out, ",\"format\":\"org.matrix.custom.html\",\"formatted_body\":");
    rc |= json_put_string(out, buf_str(&html), html.len);
    rc |= buf_putc(out, '}');
    buf_free(&text);
    buf_free(&html);
    return rc ? -1 : 0;
}

int push_matrix_body(const channel_msg_t *m, buf_t *out, size_t *size)
{
    size_t start = out->len;
    int rc = matrix_body(m, 0, out);
    if (rc == 0 && out->len - start > PUSH_MATRIX_LIMIT && m->n == 1) {
        out->len = start;
        rc = matrix_body(m, PUSH_SHORT, out);
    }
    *size = out->len - start;
    return rc;
}

int push_matrix_txn(const channel_msg_t *m, buf_t *out)
{
    long long first = m->n ? m->flags[0].id : 0;
    if (!m->digest)
        return buf_printf(out, "vane-%lld", first);
    return buf_printf(out, "vane-%lld-%zu", first, m->n);
}

/* ---- ntfy ------------------------------------------------------------------------------ */

int push_ntfy_body(const channel_msg_t *m, buf_t *out, size_t *size)
{
    size_t start = out->len;
    int rc = push_render(m, &push_style_plain, PUSH_NO_HEAD, out);
    if (rc == 0 && out->len - start > PUSH_NTFY_LIMIT && m->n == 1) {
        out->len = start;
        rc = push_render(m, &push_style_plain, PUSH_NO_HEAD | PUSH_SHORT, out);
    }
    if (rc == 0 && m->n == 1 && out->len - start > PUSH_NTFY_LIMIT) {
        buf_t cut = {0};
        rc = buf_append(&cut, out->p + start, out->len - start);
        push_cut_bytes(&cut, PUSH_NTFY_LIMIT);
        out->len = start;
        rc |= buf_append(out, cut.p, cut.len);
        buf_free(&cut);
    }
    *size = out->len - start;
    return rc ? -1 : 0;
}

/* A tag: s kept to letters, digits and - _ . : (ntfy separates tags by commas). */
static int put_tag(buf_t *out, const char *s)
{
    int rc = 0;
    for (; s && *s; s++)
        if (strchr("-_.:", *s) || (*s >= '0' && *s <= '9') || ((*s | 32) >= 'a' && (*s | 32) <= 'z'))
            rc |= buf_putc(out, *s);
    return rc;
}

int push_ntfy_headers(const channel_msg_t *m, const char *token,
                      buf_t lines[PUSH_NTFY_HEADERS], char *v[PUSH_NTFY_HEADERS + 1])
{
    buf_t title = {0};
    int top = push_top_severity(m), k = 0;
    int rc = push_title(m, NTFY_TITLE_MAX, &title);
    rc |= buf_puts(&lines[k], "Title: ") | push_header_text(buf_str(&title), &lines[k]);
    k++;
    rc |= buf_printf(&lines[k++], "Priority: %d", top + 1);   /* info 1 … critical 5 */
    rc |= buf_puts(&lines[k], "Tags: ");
    if (one_flag(m)) {
        rc |= put_tag(&lines[k], m->flags[0].severity) | buf_putc(&lines[k], ',');
        rc |= put_tag(&lines[k], m->flags[0].rule);
    } else {
        rc |= buf_printf(&lines[k], "%s,digest", severity_name(top));
    }
    k++;
    if (one_flag(m) && push_is_link(m->flags[0].link))
        rc |= buf_printf(&lines[k++], "Click: %s", m->flags[0].link);
    if (token)
        rc |= buf_printf(&lines[k++], "Authorization: Bearer %s", token);
    for (int i = 0; i < k; i++)
        v[i] = lines[i].p;
    v[k] = NULL;
    buf_free(&title);
    return rc ? -1 : 0;
}

/* ---- Pushover ------------------------------------------------------------------------- */

static int put_field(buf_t *out, const char *name, const char *value, size_t len)
{
    return buf_printf(out, ",\"%s\":", name) | json_put_string(out, value, len);
}

/* url and url_title: the flag's link (when it fits) and its source's name. */
static int put_link(buf_t *out, const channel_flag_t *f)
{
    if (!push_is_link(f->link) || strlen(f->link) > PUSHOVER_URL_MAX)
        return 0;
    int rc = put_field(out, "url", f->link, strlen(f->link));
    if (f->source_name && *f->source_name) {
        buf_t name = {0};
        rc |= push_text(f->source_name, PUSHOVER_URL_TITLE_MAX, &name);
        rc |= put_field(out, "url_title", buf_str(&name), name.len);
        buf_free(&name);
    }
    return rc;
}

int push_pushover_body(const channel_msg_t *m, const char *token, const char *user, buf_t *out,
                       size_t *size)
{
    static const int priority[] = {-2, -1, 0, 1, 1};   /* info … critical; never 2 */
    buf_t html = {0}, title = {0};
    int rc = push_render(m, &push_style_pushover, PUSH_NO_HEAD, &html);
    *size = push_chars(html.p, html.len);
    if (rc == 0 && *size > PUSH_PUSHOVER_LIMIT && m->n == 1) {
        buf_reset(&html);
        rc = push_render(m, &push_style_pushover, PUSH_NO_HEAD | PUSH_SHORT, &html);
        *size = push_chars(html.p, html.len);
    }
    rc |= push_title(m, PUSHOVER_TITLE_MAX, &title);
    rc |= buf_puts(out, "{\"token\":") | json_put_string(out, token, strlen(token));
    rc |= put_field(out, "user", user, strlen(user));
    rc |= put_field(out, "message", buf_str(&html), html.len);
    rc |= buf_puts(out, ",\"html\":1");
    rc |= put_field(out, "title", buf_str(&title), title.len);
    rc |= buf_printf(out, ",\"priority\":%d", priority[push_top_severity(m)]);
    if (one_flag(m))
        rc |= put_link(out, &m->flags[0]);
    rc |= buf_putc(out, '}');
    buf_free(&html);
    buf_free(&title);
    return rc ? -1 : 0;
}

/* test_push.c — what the push kinds send (render_push.c, push_body.c):
 * Telegram's, Matrix's and Pushover's exact JSON bodies, ntfy's text and
 * headers (RFC 2047 titles decoded back here), the escaping of each
 * markup, templates' text, Matrix's transaction ids and room encoding,
 * and digests split within each service's limit (split_send with a
 * recording sender). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/push_body.h"
#include "channel/render_push.h"
#include "channel/split.h"
#include "util/json.h"
#include "util/utf8.h"
#include "util/url.h"

#define ARROW "\xE2\x86\x92"  /* → */
#define ELLIPSIS "\xE2\x80\xA6"
#define SIREN "\xF0\x9F\x9A\xA8"  /* U+1F6A8: two UTF-16 units */
#define JIANCE "\xE7\x9B\xA3\xE6\xB5\x8B"  /* 监测 */

#define CHANGES                                                                                    \
    "[{\"field\":\"level\",\"old\":\"Level 3\",\"new\":\"Level 2\"},"                              \
    "{\"field\":\"summary\",\"old\":\"x\",\"new\":\"y\",\"diff\":[[\"=\",\"the State \"],"         \
    "[\"-\",\"raised\"],[\"+\",\"lowered\"],[\"=\",\" the <level>\"]]}]"

static channel_flag_t flag(long long id, const char *sev)
{
    return (channel_flag_t){.id = id, .json = "{}", .severity = sev,
                            .rule = "advisory-level-change", .source = "travel",
                            .key = "mg", .message = "Madagascar <b>&\"x\"",
                            .created_at = "2024-11-22T23:00:00Z",
                            .title = "<b>&\" Title", .link = "https://t.example.org/mg?a=1&b=\"2\"",
                            .source_name = "Travel advisories",
                            .rule_title = "Advisory level changed", .change = "changed",
                            .changes = CHANGES};
}

static channel_msg_t one(const channel_flag_t *f)
{
    return (channel_msg_t){.flags = f, .n = 1};
}

/* out as a JSON string literal, to compare with a body. */
static const char *js(const char *s)
{
    static buf_t b[4];
    static int i;
    buf_t *o = &b[i++ % 4];
    buf_reset(o);
    assert_int_equal(json_put_string(o, s, strlen(s)), 0);
    return buf_str(o);
}

/* ---- Telegram ------------------------------------------------------------------------- */

#define TG_TEXT                                                                                    \
    "<b>[high]</b> Madagascar &lt;b&gt;&amp;&quot;x&quot;\n"                                      \
    "<a href=\"https://t.example.org/mg?a=1&amp;b=&quot;2&quot;\">&lt;b&gt;&amp;&quot; Title</a>\n" \
    "level: <s>Level 3</s> " ARROW " Level 2\n"                                                    \
    "summary: the State <s>raised</s><u>lowered</u> the &lt;level&gt;"

static void telegram_body_is_html_with_only_the_four_entities(void **state)
{
    (void)state;
    channel_flag_t f = flag(7, "high");
    channel_msg_t m = one(&f);
    buf_t body = {0}, want = {0};
    size_t size = 0;
    assert_int_equal(push_telegram_body(&m, "-1001234567890", &body, &size), 0);
    buf_printf(&want, "{\"chat_id\":-1001234567890,\"text\":%s,\"parse_mode\":\"HTML\","
                      "\"link_preview_options\":{\"is_disabled\":true}}", js(TG_TEXT));
    assert_string_equal(buf_str(&body), buf_str(&want));
    assert_int_equal(size, push_visible_length(TG_TEXT, strlen(TG_TEXT)));
    assert_null(strstr(buf_str(&body), "&#"));     /* no numeric references: Telegram has none */
    assert_null(strstr(buf_str(&body), "&apos;"));
    buf_free(&body);
    buf_free(&want);
}

static void telegram_chat_name_is_a_string_and_id_a_number(void **state)
{
    (void)state;
    channel_flag_t f = flag(7, "high");
    channel_msg_t m = one(&f);
    buf_t body = {0};
    size_t size;
    assert_int_equal(push_telegram_body(&m, "@vane_alerts", &body, &size), 0);
    assert_true(strncmp(buf_str(&body), "{\"chat_id\":\"@vane_alerts\",", 26) == 0);
    buf_reset(&body);
    assert_int_equal(push_telegram_body(&m, "42", &body, &size), 0);
    assert_true(strncmp(buf_str(&body), "{\"chat_id\":42,", 14) == 0);
    buf_free(&body);
}

static void visible_length_counts_entities_once_and_astral_twice(void **state)
{
    (void)state;
    const char *html = "<b>[a]</b> &lt;&amp;" SIREN JIANCE "<a href=\"x&amp;y\">z</a>";
    /* [a] space < & = 6, siren 2, 监测 2, z 1 */
    assert_int_equal(push_visible_length(html, strlen(html)), 11);
}

/* Ten changed fields of 300 characters a side, and a message of 6000. */
static void a_huge_flag_is_shortened_to_fit_telegram(void **state)
{
    (void)state;
    buf_t msg = {0}, changes = {0}, body = {0};
    for (int i = 0; i < 6000; i++)
        buf_putc(&msg, '<');
    buf_putc(&changes, '[');
    for (int i = 0; i < 10; i++) {
        buf_printf(&changes, "%s{\"field\":\"f%d\",\"old\":\"", i ? "," : "", i);
        for (int k = 0; k < 300; k++)
            buf_putc(&changes, 'o');
        buf_puts(&changes, "\",\"new\":\"");
        for (int k = 0; k < 300; k++)
            buf_putc(&changes, 'n');
        buf_puts(&changes, "\"}");
    }
    buf_putc(&changes, ']');
    channel_flag_t f = flag(7, "high");
    f.message = buf_str(&msg);
    channel_msg_t m = one(&f);
    size_t size = 0;
    /* the message alone is cut to 1000 characters and fits */
    assert_int_equal(push_telegram_body(&m, "1", &body, &size), 0);
    assert_int_equal(size, push_visible_length(TG_TEXT, strlen(TG_TEXT)) -
                               strlen("Madagascar <b>&\"x\"") + 1000 + 1);
    assert_non_null(strstr(buf_str(&body), "&lt;" ELLIPSIS "\\n<a href"));
    /* with the changes it would not: they are left out and the message cut shorter */
    f.changes = buf_str(&changes);
    buf_reset(&body);
    assert_int_equal(push_telegram_body(&m, "1", &body, &size), 0);
    assert_true(size <= PUSH_TELEGRAM_LIMIT);
    assert_true(size < 700);
    assert_null(strstr(buf_str(&body), "f0: "));
    assert_non_null(strstr(buf_str(&body), "&lt;" ELLIPSIS "\\n<a href"));
    /* Matrix takes it whole: 8 fields then "… 2 more" */
    buf_reset(&body);
    assert_int_equal(push_matrix_body(&m, &body, &size), 0);
    assert_non_null(strstr(buf_str(&body), "f7: "));
    assert_null(strstr(buf_str(&body), "f8: "));
    assert_non_null(strstr(buf_str(&body), ELLIPSIS " 2 more"));
    buf_free(&msg);
    buf_free(&changes);
    buf_free(&body);
}

/* ---- split digests, recorded ---------------------------------------------------------- */

typedef struct rec {
    size_t parts, flags, max_size;
    int (*render)(const channel_msg_t *, void *, buf_t *, size_t *);
} rec_t;

static int tg_render(const channel_msg_t *part, void *ud, buf_t *out, size_t *size)
{
    (void)ud;
    return push_telegram_body(part, "1", out, size);
}

static int po_render(const channel_msg_t *part, void *ud, buf_t *out, size_t *size)
{
    (void)ud;
    return push_pushover_body(part, "tok", "usr", out, size);
}

static int nt_render(const channel_msg_t *part, void *ud, buf_t *out, size_t *size)
{
    (void)ud;
    return push_ntfy_body(part, out, size);
}

static int record(const channel_msg_t *part, const buf_t *body, void *ud, err_t *e)
{
    (void)e;
    rec_t *r = ud;
    buf_t again = {0};
    size_t size = 0;
    assert_int_equal(r->render(part, NULL, &again, &size), 0);
    assert_string_equal(buf_str(&again), buf_str(body));   /* the body sent is this part's */
    if (size > r->max_size)
        r->max_size = size;
    r->parts++;
    r->flags += part->n;
    buf_free(&again);
    return 0;
}

static void split_digest(rec_t *r, size_t n, size_t limit)
{
    channel_flag_t *fs = calloc(n, sizeof *fs);
    for (size_t i = 0; i < n; i++)
        fs[i] = flag((long long)i + 1, i % 2 ? "low" : "medium");
    channel_msg_t m = {.flags = fs, .n = n, .digest = 1};
    err_t e;
    assert_int_equal(split_send(&m, limit, r->render, record, r, &e), 0);
    free(fs);
}

static void digests_are_split_within_each_limit(void **state)
{
    (void)state;
    rec_t tg = {.render = tg_render};
    split_digest(&tg, 200, PUSH_TELEGRAM_LIMIT);
    assert_int_equal(tg.flags, 200);
    assert_true(tg.parts > 1);
    assert_true(tg.max_size <= PUSH_TELEGRAM_LIMIT);

    rec_t po = {.render = po_render};
    split_digest(&po, 50, PUSH_PUSHOVER_LIMIT);
    assert_int_equal(po.flags, 50);
    assert_true(po.parts > 5);
    assert_true(po.max_size <= PUSH_PUSHOVER_LIMIT);

    rec_t nt = {.render = nt_render};
    split_digest(&nt, 200, PUSH_NTFY_LIMIT);
    assert_int_equal(nt.flags, 200);
    assert_true(nt.parts > 1);
    assert_true(nt.max_size <= PUSH_NTFY_LIMIT);
}

/* ---- Matrix ------------------------------------------------------------------------------ */

static void matrix_body_has_plain_and_html(void **state)
{
    (void)state;
    channel_flag_t f = flag(7, "high");
    channel_msg_t m = one(&f);
    buf_t body = {0}, want = {0};
    size_t size = 0;
    assert_int_equal(push_matrix_body(&m, &body, &size), 0);
    const char *plain = "[high] Madagascar <b>&\"x\"\n<b>&\" Title\n"
                        "https://t.example.org/mg?a=1&b=\"2\"\n"
                        "level: Level 3 " ARROW " Level 2\n"
                        "summary: the State [-raised-]{+lowered+} the <level>";
    const char *html = "<b>[high]</b> Madagascar &lt;b&gt;&amp;&quot;x&quot;<br>"
                       "<a href=\"https://t.example.org/mg?a=1&amp;b=&quot;2&quot;\">"
                       "&lt;b&gt;&amp;&quot; Title</a><br>"
                       "level: <del>Level 3</del> " ARROW " Level 2<br>"
                       "summary: the State <del>raised</del><u>lowered</u> the &lt;level&gt;";
    buf_printf(&want, "{\"msgtype\":\"m.text\",\"body\":%s,\"format\":\"org.matrix.custom.html\","
                      "\"formatted_body\":%s}", js(plain), js(html));
    assert_string_equal(buf_str(&body), buf_str(&want));
    assert_int_equal(size, body.len);
    buf_free(&body);
    buf_free(&want);
}

static void matrix_transaction_ids_depend_only_on_the_flags(void **state)
{
    (void)state;
    channel_flag_t fs[3] = {flag(41, "high"), flag(42, "low"), flag(43, "low")};
    channel_msg_t single = one(&fs[0]);
    channel_msg_t digest = {.flags = fs, .n = 3, .digest = 1};
    channel_msg_t part = {.flags = fs + 1, .n = 2, .digest = 1};
    buf_t t = {0};
    assert_int_equal(push_matrix_txn(&single, &t), 0);
    assert_string_equal(buf_str(&t), "vane-41");
    buf_reset(&t);
    push_matrix_txn(&digest, &t);
    assert_string_equal(buf_str(&t), "vane-41-3");
    buf_reset(&t);
    push_matrix_txn(&part, &t);
    assert_string_equal(buf_str(&t), "vane-42-2");
    buf_reset(&t);
    assert_int_equal(url_encode_component(&t, "!abc/D:example.org ~x"), 0);
    assert_string_equal(buf_str(&t), "%21abc%2FD%3Aexample.org%20~x");
    buf_free(&t);
}

static void a_template_text_replaces_the_block_escaped(void **state)
{
    (void)state;
    channel_flag_t f = flag(7, "high");
    f.text = "Alert: <i>&</i>\nline two\x01";
    channel_msg_t m = one(&f);
    buf_t out = {0};
    assert_int_equal(push_render(&m, &push_style_matrix, 0, &out), 0);
    assert_string_equal(buf_str(&out), "Alert: &lt;i&gt;&amp;&lt;/i&gt;<br>line two ");
    buf_reset(&out);
    assert_int_equal(push_render(&m, &push_style_telegram, 0, &out), 0);
    assert_string_equal(buf_str(&out), "Alert: &lt;i&gt;&amp;&lt;/i&gt;\nline two ");
    buf_reset(&out);
    assert_int_equal(push_render(&m, &push_style_plain, 0, &out), 0);
    assert_string_equal(buf_str(&out), "Alert: <i>&</i>\nline two ");
    buf_free(&out);
}

static void bad_utf8_and_controls_are_repaired(void **state)
{
    (void)state;
    channel_flag_t f = flag(7, "info");
    f.message = "a\xC3(b\x1b[2Jc\xC2\x9B" "d";
    f.title = NULL;
    f.link = "javascript:alert(1)";   /* not a link: left out */
    f.changes = "not json";            /* malformed: left out, the flag still renders */
    channel_msg_t m = one(&f);
    buf_t out = {0};
    assert_int_equal(push_render(&m, &push_style_telegram, 0, &out), 0);
    assert_string_equal(buf_str(&out), "<b>[info]</b> a" UTF8_REPLACEMENT "(b [2Jc d");
    assert_int_equal(utf8_valid(out.p, out.len, UTF8_NUL_BAD, NULL), out.len);
    buf_free(&out);
}

/* ---- ntfy ----------------------------------------------------------------------------------- */

static int b64val(char c)
{
    const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(a, c);
    return c && p ? (int)(p - a) : -1;
}

/* Decode a value of RFC 2047 B words separated by spaces; each word at
 * most 75 characters. */
static void decode_words(const char *v, buf_t *out)
{
    while (*v) {
        assert_true(strncmp(v, "=?UTF-8?B?", 10) == 0);
        const char *end = strstr(v + 10, "?=");
        assert_non_null(end);
        assert_true(end + 2 - v <= 75);
        uint32_t acc = 0;
        int bits = 0;
        for (const char *p = v + 10; p < end; p++) {
            if (*p == '=')
                continue;
            acc = acc << 6 | (uint32_t)b64val(*p);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                buf_putc(out, (char)(acc >> bits & 0xff));
            }
        }
        v = end + 2;
        if (*v == ' ')
            v++;
    }
}

static void ntfy_headers_carry_title_priority_tags_click_and_token(void **state)
{
    (void)state;
    channel_flag_t f = flag(7, "critical");
    f.title = "Madagascar: level 3";
    channel_msg_t m = one(&f);
    buf_t lines[PUSH_NTFY_HEADERS] = {{0}};
    char *v[PUSH_NTFY_HEADERS + 1];
    assert_int_equal(push_ntfy_headers(&m, "tk_secret", lines, v), 0);
    assert_string_equal(v[0], "Title: Madagascar: level 3");
    assert_string_equal(v[1], "Priority: 5");
    assert_string_equal(v[2], "Tags: critical,advisory-level-change");
    assert_string_equal(v[3], "Click: https://t.example.org/mg?a=1&b=\"2\"");
    assert_string_equal(v[4], "Authorization: Bearer tk_secret");
    assert_null(v[5]);
    for (int i = 0; i < PUSH_NTFY_HEADERS; i++)
        buf_free(&lines[i]);

    const char *sev[] = {"info", "low", "medium", "high"};
    for (int s = 0; s < 4; s++) {
        channel_flag_t g = flag(8, sev[s]);
        g.link = NULL;
        channel_msg_t mg = one(&g);
        buf_t l2[PUSH_NTFY_HEADERS] = {{0}};
        assert_int_equal(push_ntfy_headers(&mg, NULL, l2, v), 0);
        char want[32];
        snprintf(want, sizeof want, "Priority: %d", s + 1);
        assert_string_equal(v[1], want);
        assert_null(v[3]);    /* no link, no token */
        for (int i = 0; i < PUSH_NTFY_HEADERS; i++)
            buf_free(&l2[i]);
    }
}

static void ntfy_title_not_ascii_is_encoded_in_words(void **state)
{
    (void)state;
    const char *title = JIANCE " <b>&\" " SIREN " " JIANCE JIANCE JIANCE JIANCE JIANCE JIANCE
                        JIANCE JIANCE " caf\xC3\xA9";
    channel_flag_t f = flag(7, "high");
    f.title = title;
    channel_msg_t m = one(&f);
    buf_t lines[PUSH_NTFY_HEADERS] = {{0}}, dec = {0};
    char *v[PUSH_NTFY_HEADERS + 1];
    assert_int_equal(push_ntfy_headers(&m, NULL, lines, v), 0);
    assert_true(strncmp(v[0], "Title: =?UTF-8?B?", 17) == 0);
    assert_null(strpbrk(v[0], "\r\n"));
    assert_non_null(strstr(v[0], "?= =?UTF-8?B?"));   /* more than one word */
    for (const char *p = v[0]; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
    decode_words(v[0] + 7, &dec);
    assert_string_equal(buf_str(&dec), title);
    for (int i = 0; i < PUSH_NTFY_HEADERS; i++)
        buf_free(&lines[i]);
    buf_free(&dec);
}

static void ntfy_digest_headers_and_body(void **state)
{
    (void)state;
    channel_flag_t fs[2] = {flag(1, "low"), flag(2, "high")};
    fs[1].changes = NULL;
    fs[1].title = NULL;
    fs[1].link = NULL;
    channel_msg_t m = {.flags = fs, .n = 2, .digest = 1};
    buf_t lines[PUSH_NTFY_HEADERS] = {{0}}, body = {0};
    char *v[PUSH_NTFY_HEADERS + 1];
    size_t size = 0;
    assert_int_equal(push_ntfy_headers(&m, NULL, lines, v), 0);
    assert_string_equal(v[0], "Title: vane: 2 new flags");
    assert_string_equal(v[1], "Priority: 4");
    assert_string_equal(v[2], "Tags: high,digest");
    assert_null(v[3]);
    assert_int_equal(push_ntfy_body(&m, &body, &size), 0);
    assert_string_equal(buf_str(&body),
                        "vane: 2 new flags\n\n"
                        "[low] Madagascar <b>&\"x\"\n<b>&\" Title\n"
                        "https://t.example.org/mg?a=1&b=\"2\"\n"
                        "level: Level 3 " ARROW " Level 2\n"
                        "summary: the State [-raised-]{+lowered+} the <level>\n\n"
                        "[high] Madagascar <b>&\"x\"");
    assert_int_equal(size, body.len);
    for (int i = 0; i < PUSH_NTFY_HEADERS; i++)
        buf_free(&lines[i]);
    buf_free(&body);
}

static void ntfy_one_flag_leaves_title_and_link_to_headers_and_fits(void **state)
{
    (void)state;
    channel_flag_t f = flag(7, "high");
    channel_msg_t m = one(&f);
    buf_t body = {0};
    size_t size;
    assert_int_equal(push_ntfy_body(&m, &body, &size), 0);
    assert_string_equal(buf_str(&body), "[high] Madagascar <b>&\"x\"\n"
                                        "level: Level 3 " ARROW " Level 2\n"
                                        "summary: the State [-raised-]{+lowered+} the <level>");
    /* a template's text of 3000 CJK characters (9000 bytes) is cut to 4096 bytes */
    buf_t big = {0};
    for (int i = 0; i < 1500; i++)
        buf_puts(&big, JIANCE);
    channel_flag_t g = flag(7, "high");
    g.text = buf_str(&big);
    channel_msg_t mg = one(&g);
    buf_reset(&body);
    assert_int_equal(push_ntfy_body(&mg, &body, &size), 0);
    assert_true(size <= PUSH_NTFY_LIMIT && size > PUSH_NTFY_LIMIT - 8);
    assert_int_equal(utf8_valid(body.p, body.len, UTF8_NUL_BAD, NULL), body.len);
    assert_true(strcmp(body.p + body.len - 3, ELLIPSIS) == 0);
    buf_free(&big);
    buf_free(&body);
}

/* ---- Pushover ------------------------------------------------------------------------------ */

static void pushover_body_has_its_fields(void **state)
{
    (void)state;
    channel_flag_t f = flag(7, "high");
    channel_msg_t m = one(&f);
    buf_t body = {0}, want = {0};
    size_t size = 0;
    assert_int_equal(push_pushover_body(&m, "apptoken", "userkey", &body, &size), 0);
    const char *msg = "<b>[high]</b> Madagascar &lt;b&gt;&amp;&quot;x&quot;\n"
                      "level: Level 3 " ARROW " Level 2\n"
                      "summary: the State <font color=\"#c62828\">[-raised-]</font>"
                      "<font color=\"#2e7d32\">{+lowered+}</font> the &lt;level&gt;";
    buf_printf(&want, "{\"token\":\"apptoken\",\"user\":\"userkey\",\"message\":%s,\"html\":1,"
                      "\"title\":%s,\"priority\":1,\"url\":%s,\"url_title\":\"Travel advisories\"}",
               js(msg), js("<b>&\" Title"), js("https://t.example.org/mg?a=1&b=\"2\""));
    assert_string_equal(buf_str(&body), buf_str(&want));
    assert_int_equal(size, push_chars(msg, strlen(msg)));
    buf_free(&body);
    buf_free(&want);
}

static void pushover_priorities_never_reach_2(void **state)
{
    (void)state;
    const char *sev[] = {"info", "low", "medium", "high", "critical"};
    const char *want[] = {"\"priority\":-2", "\"priority\":-1", "\"priority\":0",
                          "\"priority\":1", "\"priority\":1"};
    for (int i = 0; i < 5; i++) {
        channel_flag_t f = flag(7, sev[i]);
        channel_msg_t m = one(&f);
        buf_t body = {0};
        size_t size;
        assert_int_equal(push_pushover_body(&m, "t", "u", &body, &size), 0);
        assert_non_null(strstr(buf_str(&body), want[i]));
        buf_free(&body);
    }
}

static void pushover_title_falls_back_and_long_urls_are_left_out(void **state)
{
    (void)state;
    channel_flag_t f = flag(7, "low");
    f.title = NULL;
    char link[600] = "https://t.example.org/";
    memset(link + strlen(link), 'a', sizeof link - strlen(link) - 1);
    link[sizeof link - 1] = '\0';
    f.link = link;
    channel_msg_t m = one(&f);
    buf_t body = {0};
    size_t size;
    assert_int_equal(push_pushover_body(&m, "t", "u", &body, &size), 0);
    assert_non_null(strstr(buf_str(&body), "\"title\":\"Advisory level changed\""));
    assert_null(strstr(buf_str(&body), "\"url\""));
    buf_free(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(telegram_body_is_html_with_only_the_four_entities),
        cmocka_unit_test(telegram_chat_name_is_a_string_and_id_a_number),
        cmocka_unit_test(visible_length_counts_entities_once_and_astral_twice),
        cmocka_unit_test(a_huge_flag_is_shortened_to_fit_telegram),
        cmocka_unit_test(digests_are_split_within_each_limit),
        cmocka_unit_test(matrix_body_has_plain_and_html),
        cmocka_unit_test(matrix_transaction_ids_depend_only_on_the_flags),
        cmocka_unit_test(a_template_text_replaces_the_block_escaped),
        cmocka_unit_test(bad_utf8_and_controls_are_repaired),
        cmocka_unit_test(ntfy_headers_carry_title_priority_tags_click_and_token),
        cmocka_unit_test(ntfy_title_not_ascii_is_encoded_in_words),
        cmocka_unit_test(ntfy_digest_headers_and_body),
        cmocka_unit_test(ntfy_one_flag_leaves_title_and_link_to_headers_and_fits),
        cmocka_unit_test(pushover_body_has_its_fields),
        cmocka_unit_test(pushover_priorities_never_reach_2),
        cmocka_unit_test(pushover_title_falls_back_and_long_urls_are_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

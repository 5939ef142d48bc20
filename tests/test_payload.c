/* test_payload.c — what the transports send (payload.c): JSON bodies, the
 * Slack body (its details in test_chat.c), subjects, RFC 2047 encoding (decoded
 * back here), and whole email messages (headers, CRLF, line lengths, the
 * parts' contents). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/payload.h"
#include "util/utf8.h"

#define MADAGASCAR "Madagascar: Level 2 \xe2\x86\x92 Level 3"
#define MFA_TITLE "\xe5\xa4\x96\xe4\xba\xa4\xe9\x83\xa8\xe5\x8f\x91\xe8\xa8\x80\xe4\xba\xba" \
                  "\xe5\xb0\xb1\xe4\xb8\xad\xe5\x9b\xbd\xe5\x85\xac\xe6\xb0\x91\xe7\x8e\x8b\xe5\x96\x86"
/* 外交部发言人就中国公民王喆 */

static channel_flag_t flag(long long id, const char *sev, const char *rule, const char *src,
                           const char *msg)
{
    return (channel_flag_t){.id = id, .json = "{\"id\":0}", .severity = sev, .rule = rule,
                            .source = src, .key = "https://example.org/item",
                            .message = msg, .created_at = "2024-11-22T23:00:00Z"};
}

static payload_mail_t email_cfg(void)
{
    static char *to[] = {"desk@example.org", "Ops <ops@example.org>", NULL};
    return (payload_mail_t){.from = "vane <vane@alerts.example.org>", .to = to,
                            .subject_prefix = "[vane]"};
}

/* ---- a small base64 / RFC 2047 decoder, for checking ------------------------------ */

static int b64val(char c)
{
    const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(a, c);
    return c && p ? (int)(p - a) : -1;
}

/* Decode base64 (ignoring CR and LF) from s[0..n) into out. */
static void b64decode(const char *s, size_t n, buf_t *out)
{
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' || s[i] == '\n' || s[i] == '=')
            continue;
        int v = b64val(s[i]);
        assert_true(v >= 0);
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf_putc(out, (char)((acc >> bits) & 0xff));
        }
    }
}

/* Decode a header value made of =?UTF-8?B?…?= words separated by folding. */
static void rfc2047_decode(const char *s, buf_t *out)
{
    while (*s) {
        if (*s == '\r' || *s == '\n' || *s == ' ') {
            s++;
            continue;
        }
        assert_memory_equal(s, "=?UTF-8?B?", 10);
        const char *end = strstr(s + 10, "?=");
        assert_non_null(end);
        assert_true(end + 2 - s <= 75);
        b64decode(s + 10, (size_t)(end - s - 10), out);
        s = end + 2;
    }
}

/* ---- JSON ----------------------------------------------------------------------- */

static void one_flag_is_its_own_json(void **state)
{
    (void)state;
    channel_flag_t f = flag(12, "high", "advisory-level-change", "travel", MADAGASCAR);
    f.json = "{\"id\":12,\"rule\":\"advisory-level-change\"}";
    channel_msg_t m = {.flags = &f, .n = 1, .digest = 0};
    buf_t b = {0};
    assert_int_equal(payload_json(&m, &b), 0);
    assert_string_equal(buf_str(&b), "{\"id\":12,\"rule\":\"advisory-level-change\"}");
    buf_reset(&b);
    assert_int_equal(payload_flag_ids(&m, &b), 0);
    assert_string_equal(buf_str(&b), "12");
    buf_free(&b);
}

/* A huge digest keeps X-Vane-Flag-Ids short. */
static void a_templates_table_replaces_the_json_body(void **state)
{
    (void)state;
    channel_flag_t f = flag(5, "high", "r", "s", "m");
    f.json = "{\"id\":5,\"title\":\"T\",\"changes\":[]}";
    channel_msg_t m = {.flags = &f, .n = 1, .digest = 0};
    buf_t b = {0};
    assert_int_equal(payload_body(&m, &b), 0);
    assert_string_equal(buf_str(&b), f.json);   /* the flag, context and all */
    buf_reset(&b);
    m.body_json = "{\"summary\":\"from the template\"}";
    assert_int_equal(payload_body(&m, &b), 0);
    assert_string_equal(buf_str(&b), m.body_json);
    buf_free(&b);
}

static void flag_ids_header_is_capped(void **state)
{
    (void)state;
    channel_flag_t f[PAYLOAD_MAX_IDS + 5];
    for (size_t i = 0; i < PAYLOAD_MAX_IDS + 5; i++)
        f[i] = flag((long long)i + 1, "low", "r", "s", "m");
    channel_msg_t m = {.flags = f, .n = PAYLOAD_MAX_IDS + 5, .digest = 1};
    buf_t b = {0};
    assert_int_equal(payload_flag_ids(&m, &b), 0);
    const char *ids = buf_str(&b);
    assert_true(strncmp(ids, "1,2,3,", 6) == 0);
    assert_non_null(strstr(ids, ",100,+5 more"));
    assert_null(strstr(ids, ",101"));
    buf_free(&b);
}

static void digest_json_lists_flags_in_order(void **state)
{
    (void)state;
    channel_flag_t f[2] = {flag(3, "medium", "r", "s", "a"), flag(5, "high", "r", "s", "b")};
    f[0].json = "{\"id\":3}";
    f[1].json = "{\"id\":5}";
    channel_msg_t m = {.flags = f, .n = 2, .digest = 1};
    buf_t b = {0};
    assert_int_equal(payload_json(&m, &b), 0);
    assert_string_equal(buf_str(&b), "{\"digest\":true,\"count\":2,\"flags\":[{\"id\":3},{\"id\":5}]}");
    buf_reset(&b);
    assert_int_equal(payload_flag_ids(&m, &b), 0);
    assert_string_equal(buf_str(&b), "3,5");
    buf_free(&b);
}

/* ---- Slack ---------------------------------------------------------------------- */

/* The Block Kit body itself is tested in test_chat.c (render_slack.c). */
static void slack_body_is_block_kit_with_the_message_escaped(void **state)
{
    (void)state;
    channel_flag_t f = flag(1, "high", "advisory-level-change", "travel", MADAGASCAR " <b> & \"x\"");
    channel_msg_t m = {.flags = &f, .n = 1, .digest = 0};
    buf_t b = {0};
    assert_int_equal(payload_slack(&m, &b), 0);
    const char *want = "{\"text\":\"[high] " MADAGASCAR " &lt;b&gt; &amp; \\\"x\\\"\","
                       "\"blocks\":[{\"type\":\"section\"";
    assert_true(strncmp(buf_str(&b), want, strlen(want)) == 0);
    buf_free(&b);
}

/* ---- subjects and RFC 2047 --------------------------------------------------------- */

static void subject_of_one_flag_and_of_a_digest(void **state)
{
    (void)state;
    channel_flag_t f[4] = {flag(1, "high", "r", "travel", MADAGASCAR),
                           flag(2, "medium", "r", "press", "x"),
                           flag(3, "high", "r", "press", "y"),
                           flag(4, "critical", "r", "press", "z")};
    channel_msg_t one = {.flags = f, .n = 1}, digest = {.flags = f, .n = 4, .digest = 1};
    buf_t b = {0};
    assert_int_equal(payload_subject("[vane]", &one, &b), 0);
    assert_string_equal(buf_str(&b), "[vane] [high] travel: " MADAGASCAR);
    buf_reset(&b);
    assert_int_equal(payload_subject("[vane]", &digest, &b), 0);
    assert_string_equal(buf_str(&b), "[vane] 4 new flags (1 critical, 2 high, 1 medium)");
    buf_free(&b);
}

static void long_subjects_are_cut_between_characters(void **state)
{
    (void)state;
    char msg[2048] = "";
    for (int i = 0; i < 40; i++)
        strcat(msg, MFA_TITLE);          /* 13 characters of 3 bytes each, 40 times */
    channel_flag_t f = flag(1, "medium", "entry-refusal", "mfa_zh", msg);
    f.message = msg;
    channel_msg_t m = {.flags = &f, .n = 1, .digest = 0};
    buf_t b = {0};
    assert_int_equal(payload_subject("[vane]", &m, &b), 0);
    size_t chars = 0;
    for (size_t i = 0; i < b.len; i++)
        chars += ((unsigned char)b.p[i] & 0xc0) != 0x80;
    assert_true(chars <= 150 && chars >= 140);
    assert_string_equal(b.p + b.len - 3, "\xe2\x80\xa6");   /* ends with … */
    buf_free(&b);
}

static void ascii_header_text_stays_plain(void **state)
{
    (void)state;
    buf_t b = {0};
    assert_int_equal(payload_header_text("[vane] [high] travel: China: Level 3 -> Level 2", &b), 0);
    assert_string_equal(buf_str(&b), "[vane] [high] travel: China: Level 3 -> Level 2");
    buf_free(&b);
}

static void chinese_subject_is_encoded_and_decodes_back(void **state)
{
    (void)state;
    const char *subject = "[vane] " MFA_TITLE "\xe5\x85\xa5\xe5\xa2\x83\xe7\xbe\x8e\xe5\x9b\xbd"
                          "\xe6\x97\xb6\xe8\xa2\xab\xe7\x9b\x98\xe6\x9f\xa5\xe9\x81\xa3\xe8\xbf\x94"
                          "\xe7\xad\x94\xe8\xae\xb0\xe8\x80\x85\xe9\x97\xae\xe2\x80\xa6";
    buf_t enc = {0}, dec = {0};
    assert_int_equal(payload_header_text(subject, &enc), 0);
    assert_memory_equal(enc.p, "=?UTF-8?B?", 10);
    assert_non_null(strstr(enc.p, "?=\r\n =?UTF-8?B?"));  /* more than one word, folded */
    for (const char *p = enc.p; *p; p++)
        assert_true((unsigned char)*p < 0x80);
    rfc2047_decode(enc.p, &dec);
    assert_string_equal(buf_str(&dec), subject);
    buf_free(&enc);
    buf_free(&dec);
}

static void addresses_come_out_of_mailboxes(void **state)
{
    (void)state;
    buf_t b = {0};
    assert_int_equal(payload_address("Ops Desk <ops@example.org>", &b), 0);
    assert_string_equal(buf_str(&b), "ops@example.org");
    buf_reset(&b);
    assert_int_equal(payload_address(" desk@example.org ", &b), 0);
    assert_string_equal(buf_str(&b), "desk@example.org");
    buf_free(&b);
}

/* ---- whole messages ---------------------------------------------------------------- */

/* The header block (up to the blank line) of a message. */
static char *headers_of(const char *msg)
{
    const char *end = strstr(msg, "\r\n\r\n");
    assert_non_null(end);
    return strndup(msg, (size_t)(end - msg) + 2);
}

static void assert_crlf_and_short_lines(const buf_t *b)
{
    size_t col = 0;
    for (size_t i = 0; i < b->len; i++) {
        if (b->p[i] == '\n') {
            assert_true(i > 0 && b->p[i - 1] == '\r');
            col = 0;
        } else {
            assert_true(b->p[i] != '\r' || (i + 1 < b->len && b->p[i + 1] == '\n'));
            col++;
            assert_true(col < 998);
        }
    }
}

/* The decoded body of the part with this Content-Type. */
static void part_body(const char *msg, const char *type, buf_t *out)
{
    char want[64];
    snprintf(want, sizeof want, "Content-Type: %s; charset=UTF-8", type);
    const char *p = strstr(msg, want);
    assert_non_null(p);
    p = strstr(p, "\r\n\r\n");
    assert_non_null(p);
    p += 4;
    const char *end = strstr(p, "\r\n--");
    assert_non_null(end);
    b64decode(p, (size_t)(end - p), out);
}

static void email_message_has_its_headers_and_two_parts(void **state)
{
    (void)state;
    payload_mail_t c = email_cfg();
    channel_flag_t f = flag(42, "medium", "entry-refusal", "mfa_zh", "Entry refusal: " MFA_TITLE " <&>");
    channel_msg_t m = {.flags = &f, .n = 1, .digest = 0};
    buf_t b = {0};
    assert_int_equal(payload_email(&c, &m, 1732316400, &b), 0);  /* 2024-11-22T23:00:00Z */
    assert_crlf_and_short_lines(&b);
    char *h = headers_of(b.p);
    assert_non_null(strstr(h, "Date: Fri, 22 Nov 2024 23:00:00 +0000\r\n"));
    assert_non_null(strstr(h, "Message-ID: <vane.42.20241122230000@alerts.example.org>\r\n"));
    assert_non_null(strstr(h, "From: vane <vane@alerts.example.org>\r\n"));
    assert_non_null(strstr(h, "To: desk@example.org, Ops <ops@example.org>\r\n"));
    assert_non_null(strstr(h, "Subject: =?UTF-8?B?"));
    assert_non_null(strstr(h, "X-Vane-Flag-Ids: 42\r\n"));
    assert_non_null(strstr(h, "MIME-Version: 1.0\r\n"));
    assert_non_null(strstr(h, "Content-Type: multipart/alternative; boundary=\"=_vane_42_1\"\r\n"));
    free(h);
    assert_non_null(strstr(b.p, "\r\n--=_vane_42_1--\r\n"));

    buf_t text = {0}, html = {0};
    part_body(b.p, "text/plain", &text);
    part_body(b.p, "text/html", &html);
    assert_non_null(strstr(buf_str(&text), "[medium] entry-refusal mfa_zh: Entry refusal: " MFA_TITLE " <&>\r\n"));
    assert_non_null(strstr(buf_str(&text), "item: https://example.org/item\r\n"));
    assert_non_null(strstr(buf_str(&html), "Entry refusal: " MFA_TITLE " &lt;&amp;&gt;"));
    assert_null(strstr(buf_str(&html), "<&>"));
    assert_non_null(strstr(buf_str(&html), "<a href=\"https://example.org/item\">"));
    buf_free(&text);
    buf_free(&html);
    buf_free(&b);
}

static int is_utf8(const buf_t *b)
{
    return utf8_valid(b->p, b->len, UTF8_NUL_OK, NULL) == b->len;
}

/* A message carrying bytes that are not UTF-8 (a rule can build "\xff")
 * still makes a message whose subject and both parts are valid UTF-8. */
static void invalid_bytes_in_a_flag_become_replacement_characters_in_email(void **state)
{
    (void)state;
    payload_mail_t c = email_cfg();
    channel_flag_t f = flag(7, "high", "bad\xffrule", "src", "caf\xe9 \xff\xfe ok \xe4\xb8");
    channel_msg_t m = {.flags = &f, .n = 1, .digest = 0};
    buf_t b = {0};
    assert_int_equal(payload_email(&c, &m, 1732316400, &b), 0);
    assert_crlf_and_short_lines(&b);
    char *h = headers_of(b.p);
    const char *subj = strstr(h, "Subject: ");
    assert_non_null(subj);
    subj += 9;
    const char *end = strstr(subj, "\r\nX-Vane-Flag-Ids");
    assert_non_null(end);
    char *word = strndup(subj, (size_t)(end - subj));
    buf_t subject = {0}, text = {0}, html = {0};
    rfc2047_decode(word, &subject);
    assert_true(is_utf8(&subject));
    assert_string_equal(buf_str(&subject), "[vane] [high] src: caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd ok \xef\xbf\xbd");
    part_body(b.p, "text/plain", &text);
    part_body(b.p, "text/html", &html);
    assert_true(is_utf8(&text));
    assert_true(is_utf8(&html));
    assert_non_null(strstr(buf_str(&text), "[high] bad\xef\xbf\xbdrule src: caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd ok \xef\xbf\xbd\r\n"));
    free(word);
    free(h);
    buf_free(&subject);
    buf_free(&text);
    buf_free(&html);
    buf_free(&b);
}

static void message_id_is_the_same_on_every_attempt(void **state)
{
    (void)state;
    payload_mail_t c = email_cfg();
    channel_flag_t f = flag(7, "high", "r", "s", "m");
    channel_msg_t m = {.flags = &f, .n = 1, .digest = 0};
    buf_t a = {0}, b = {0};
    assert_int_equal(payload_email(&c, &m, 1732316400, &a), 0);
    assert_int_equal(payload_email(&c, &m, 1732320000, &b), 0);
    const char *ia = strstr(a.p, "Message-ID:"), *ib = strstr(b.p, "Message-ID:");
    assert_memory_equal(ia, ib, (size_t)(strchr(ia, '\n') - ia));
    assert_string_not_equal(a.p, b.p);   /* the Date differs */
    buf_free(&a);
    buf_free(&b);
}

static void digest_email_groups_by_severity_then_source(void **state)
{
    (void)state;
    payload_mail_t c = email_cfg();
    channel_flag_t f[4] = {flag(10, "medium", "new-meeting", "press", "meeting"),
                           flag(11, "high", "advisory-level-change", "travel", MADAGASCAR),
                           flag(12, "high", "prisoner-release", "press", "release"),
                           flag(13, "medium", "ministerial-call", "dhs", "call")};
    channel_msg_t m = {.flags = f, .n = 4, .digest = 1};
    buf_t b = {0}, text = {0}, html = {0};
    assert_int_equal(payload_email(&c, &m, 1732316400, &b), 0);
    assert_crlf_and_short_lines(&b);
    char *h = headers_of(b.p);
    assert_non_null(strstr(h, "Subject: [vane] 4 new flags (2 high, 2 medium)\r\n"));
    assert_non_null(strstr(h, "Message-ID: <vane.10.digest-10-4.20241122230000@alerts.example.org>\r\n"));
    assert_non_null(strstr(h, "X-Vane-Flag-Ids: 10, 11, 12, 13\r\n"));
    free(h);
    part_body(b.p, "text/plain", &text);
    const char *t = buf_str(&text);
    const char *order[] = {"== high ==", "press", "release", "travel", MADAGASCAR,
                           "== medium ==", "dhs", "call", "press", "meeting"};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        const char *p = strstr(t, order[i]);
        assert_non_null(p);
        t = p + strlen(order[i]);
    }
    part_body(b.p, "text/html", &html);
    const char *x = buf_str(&html);
    const char *horder[] = {"<h2>high</h2>", "<h3>press</h3>", "release", "<h3>travel</h3>",
                            "<h2>medium</h2>", "<h3>dhs</h3>", "call", "<h3>press</h3>", "meeting"};
    for (size_t i = 0; i < sizeof horder / sizeof *horder; i++) {
        const char *p = strstr(x, horder[i]);
        assert_non_null(p);
        x = p + strlen(horder[i]);
    }
    buf_free(&text);
    buf_free(&html);
    buf_free(&b);
}

static void a_huge_digest_keeps_every_line_short(void **state)
{
    (void)state;
    payload_mail_t c = email_cfg();
    enum { N = 400 };
    channel_flag_t *f = calloc(N, sizeof *f);
    assert_non_null(f);
    char longmsg[3000];
    memset(longmsg, 'x', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    for (int i = 0; i < N; i++)
        f[i] = flag(100000 + i, i % 2 ? "high" : "low", "r", "s", longmsg);
    channel_msg_t m = {.flags = f, .n = N, .digest = 1};
    buf_t b = {0};
    assert_int_equal(payload_email(&c, &m, 1732316400, &b), 0);
    assert_crlf_and_short_lines(&b);
    buf_free(&b);
    free(f);
}

/* ---- a flag's context in email ----------------------------------------------------- */

#define CHANGES_JSON                                                                          \
    "[{\"field\":\"level\",\"old\":\"Level 3: Reconsider Travel\","                          \
    "\"new\":\"Level 2: Exercise Increased Caution\"},"                                      \
    "{\"field\":\"summary\",\"old\":\"\\u2026 has raised \\u2026\",\"new\":\"\\u2026 has lowered \\u2026\"," \
    "\"diff\":[[\"=\",\"\\u2026 the Department <b> \"],[\"-\",\"raised\"],[\"+\",\"lowered\"],[\"=\",\" the level\"]]}," \
    "{\"field\":\"note\",\"new\":\"added\"}]"

static channel_flag_t context_flag(void)
{
    channel_flag_t f = flag(42, "high", "advisory-level-change", "travel", MADAGASCAR);
    f.title = "Madagascar <script>alert(1)</script> & co";
    f.link = "https://travel.example.org/madagascar?a=1&b=2";
    f.key = f.link;
    f.rule_title = "Travel advisory level changed";
    f.source_name = "US travel advisories";
    f.change = "changed";
    f.observed_at = "2024-11-22T22:59:00Z";
    f.changes = CHANGES_JSON;
    return f;
}

static void email_text_part_carries_the_flags_context(void **state)
{
    (void)state;
    payload_mail_t c = email_cfg();
    channel_flag_t f = context_flag();
    channel_msg_t m = {.flags = &f, .n = 1, .digest = 0};
    buf_t b = {0}, text = {0};
    assert_int_equal(payload_email(&c, &m, 1732316400, &b), 0);
    assert_crlf_and_short_lines(&b);
    part_body(b.p, "text/plain", &text);
    const char *t = buf_str(&text);
    const char *order[] = {
        "[high] advisory-level-change travel: " MADAGASCAR "\r\n\r\n",
        "Madagascar <script>alert(1)</script> & co\r\n",
        "https://travel.example.org/madagascar?a=1&b=2\r\n",
        "\r\nrule: Travel advisory level changed (advisory-level-change)\r\n",
        "severity: high\r\n",
        "source: US travel advisories (travel)\r\n",
        "observed: 2024-11-22T22:59:00Z\r\n",
        "flag 42, 2024-11-22T23:00:00Z\r\n",
        "changes:\r\n",
        "  level: Level 3: Reconsider Travel \xe2\x86\x92 Level 2: Exercise Increased Caution\r\n",
        "  summary: \xe2\x80\xa6 the Department <b> [-raised-]{+lowered+} the level\r\n",
        "  note: (none) \xe2\x86\x92 added\r\n",
    };
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        const char *p = strstr(t, order[i]);
        if (!p) {
            fail_msg("missing (in order): %s\n--- text:\n%s", order[i], buf_str(&text));
            return;
        }
        t = p + strlen(order[i]);
    }
    assert_null(strstr(buf_str(&text), "item: "));   /* the key is the link: not twice */
    buf_free(&text);
    buf_free(&b);
}

static void email_html_part_links_the_title_and_tables_the_changes(void **state)
{
    (void)state;
    payload_mail_t c = email_cfg();
    channel_flag_t f = context_flag();
    channel_msg_t m = {.flags = &f, .n = 1, .digest = 0};
    buf_t b = {0}, html = {0};
    assert_int_equal(payload_email(&c, &m, 1732316400, &b), 0);
    part_body(b.p, "text/html", &html);
    const char *h = buf_str(&html);
    assert_non_null(strstr(h, "<a href=\"https://travel.example.org/madagascar?a=1&amp;b=2\">"
                              "Madagascar &lt;script&gt;alert(1)&lt;/script&gt; &amp; co</a>"));
    assert_null(strstr(h, "<script>"));
    assert_null(strstr(h, "<b> "));
    assert_non_null(strstr(h, "<b>Travel advisory level changed</b> (<code>advisory-level-change</code>)"));
    assert_non_null(strstr(h, "<b>US travel advisories</b> (<code>travel</code>)"));
    assert_non_null(strstr(h, "observed 2024-11-22T22:59:00Z"));
    assert_non_null(strstr(h, "flag 42"));
    assert_non_null(strstr(h, "<tr><th>field</th><th>before</th><th>after</th></tr>"));
    assert_non_null(strstr(h, "<tr><td>level</td><td>Level 3: Reconsider Travel</td>"
                              "<td>Level 2: Exercise Increased Caution</td></tr>"));
    assert_non_null(strstr(h, "<tr><td>summary</td><td>\xe2\x80\xa6 the Department &lt;b&gt; "
                              "<del>raised</del> the level</td><td>\xe2\x80\xa6 the Department "
                              "&lt;b&gt; <ins>lowered</ins> the level</td></tr>"));
    assert_non_null(strstr(h, "<tr><td>note</td><td><i>(none)</i></td><td>added</td></tr>"));
    buf_free(&html);
    buf_free(&b);
}

static void a_templates_text_replaces_the_message_line(void **state)
{
    (void)state;
    payload_mail_t c = email_cfg();
    channel_flag_t f = context_flag();
    f.text = "Travel: Madagascar <lowered>\r\nsee the advisory";
    channel_msg_t m = {.flags = &f, .n = 1, .digest = 0};
    buf_t b = {0}, text = {0}, html = {0};
    assert_int_equal(payload_email(&c, &m, 1732316400, &b), 0);
    assert_crlf_and_short_lines(&b);
    part_body(b.p, "text/plain", &text);
    part_body(b.p, "text/html", &html);
    assert_memory_equal(buf_str(&text), "Travel: Madagascar <lowered>\r\nsee the advisory\r\n\r\n", 50);
    assert_null(strstr(buf_str(&text), MADAGASCAR));
    assert_non_null(strstr(buf_str(&text), "  level: Level 3"));   /* the context stays */
    assert_non_null(strstr(buf_str(&html), "Travel: Madagascar &lt;lowered&gt;<br>\r\nsee the advisory</p>"));
    assert_null(strstr(strstr(buf_str(&html), "<body>"), MADAGASCAR));   /* the subject keeps it */
    assert_non_null(strstr(buf_str(&html), "<del>raised</del>"));
    buf_free(&text);
    buf_free(&html);
    buf_free(&b);
}

static void digest_email_gives_each_flags_context(void **state)
{
    (void)state;
    payload_mail_t c = email_cfg();
    channel_flag_t f[2] = {context_flag(), flag(10, "medium", "new-meeting", "press", "meeting")};
    f[1].title = "Meeting with the minister";
    f[1].text = "templated meeting";
    channel_msg_t m = {.flags = f, .n = 2, .digest = 1};
    buf_t b = {0}, text = {0}, html = {0};
    assert_int_equal(payload_email(&c, &m, 1732316400, &b), 0);
    assert_crlf_and_short_lines(&b);
    part_body(b.p, "text/plain", &text);
    part_body(b.p, "text/html", &html);
    const char *t = buf_str(&text);
    const char *order[] = {"== high ==", "  - advisory-level-change: " MADAGASCAR "\r\n",
                           "    Madagascar <script>", "    rule: Travel advisory level changed (",
                           "    source: US travel advisories (travel)\r\n", "    flag 42, ",
                           "    changes:\r\n", "      level: Level 3: Reconsider Travel \xe2\x86\x92 ",
                           "== medium ==", "  - new-meeting: templated meeting\r\n",
                           "    Meeting with the minister\r\n", "    rule: new-meeting\r\n",
                           "    item: https://example.org/item\r\n", "    flag 10, "};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        const char *p = strstr(t, order[i]);
        if (!p) {
            fail_msg("missing (in order): %s\n--- text:\n%s", order[i], buf_str(&text));
            return;
        }
        t = p + strlen(order[i]);
    }
    assert_null(strstr(buf_str(&html), "<script>"));
    assert_non_null(strstr(buf_str(&html), "<ins>lowered</ins>"));
    assert_non_null(strstr(buf_str(&html), "templated meeting"));
    assert_null(strstr(buf_str(&html), ": meeting"));
    buf_free(&text);
    buf_free(&html);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_flag_is_its_own_json),
        cmocka_unit_test(a_templates_table_replaces_the_json_body),
        cmocka_unit_test(flag_ids_header_is_capped),
        cmocka_unit_test(digest_json_lists_flags_in_order),
        cmocka_unit_test(slack_body_is_block_kit_with_the_message_escaped),
        cmocka_unit_test(subject_of_one_flag_and_of_a_digest),
        cmocka_unit_test(long_subjects_are_cut_between_characters),
        cmocka_unit_test(ascii_header_text_stays_plain),
        cmocka_unit_test(chinese_subject_is_encoded_and_decodes_back),
        cmocka_unit_test(addresses_come_out_of_mailboxes),
        cmocka_unit_test(email_message_has_its_headers_and_two_parts),
        cmocka_unit_test(invalid_bytes_in_a_flag_become_replacement_characters_in_email),
        cmocka_unit_test(message_id_is_the_same_on_every_attempt),
        cmocka_unit_test(digest_email_groups_by_severity_then_source),
        cmocka_unit_test(a_huge_digest_keeps_every_line_short),
        cmocka_unit_test(email_text_part_carries_the_flags_context),
        cmocka_unit_test(email_html_part_links_the_title_and_tables_the_changes),
        cmocka_unit_test(a_templates_text_replaces_the_message_line),
        cmocka_unit_test(digest_email_gives_each_flags_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

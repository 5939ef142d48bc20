/* test_chat.c — the chat kinds' bodies (render_slack.c, render_teams.c,
 * render_discord.c, render_chat.c): the exact Block Kit, Adaptive Card and
 * Discord embed bodies of a flag with its context, escaping for each
 * service, the limits (a 10,000-character diff cut within each field's
 * limit, Slack's blocks, Discord's embeds and characters), digests and
 * templates. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/payload.h"
#include "channel/render_chat.h"
#include "util/json.h"
#include "util/utf8.h"

#define ZW "\xe2\x80\x8b"   /* U+200B */
#define ARROW "\xe2\x86\x92"
#define DOT "\xc2\xb7"

static channel_flag_t madagascar(void)
{
    return (channel_flag_t){
        .id = 7, .json = "{\"id\":7}", .severity = "high", .rule = "advisory-level-change",
        .source = "travel", .key = "https://example.org/madagascar",
        .message = "Madagascar: Level 3 to Level 2", .created_at = "2024-11-22T23:00:00Z",
        .title = "Madagascar Travel Advisory", .link = "https://example.org/madagascar",
        .source_name = "Travel Advisories", .rule_title = "Advisory level changed",
        .change = "changed", .observed_at = "2024-11-22T23:00:00Z",
        .changes = "[{\"field\":\"level\",\"old\":\"Level 3\",\"new\":\"Level 2\"}]"};
}

/* ---- reading the bodies back --------------------------------------------------- */

/* The text of the nth (0-based) JSON string that is the value of `key`
 * ("\"text\":") in body; keys whose value is not a string are skipped. */
static char *nth_string(const char *body, const char *key, int nth)
{
    const char *p = body;
    for (int i = 0; i <= nth; i++) {
        do {
            p = strstr(p, key);
            if (!p)
                return NULL;
            p += strlen(key);
        } while (*p != '"');
    }
    const char *q = p + 1;
    while (*q && *q != '"')
        q += *q == '\\' ? 2 : 1;
    buf_t b = {0};
    assert_int_equal(json_string_text(p, (size_t)(q + 1 - p), &b), 0);
    return buf_steal(&b);
}

static int count_of(const char *body, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(body, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* UTF-16 code units, as the services count. */
static size_t units(const char *s)
{
    size_t u = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            u += (unsigned char)*s >= 0xf0 ? 2 : 1;
    return u;
}

/* ---- Slack ---------------------------------------------------------------------- */

static void slack_body_of_one_flag_is_block_kit(void **state)
{
    (void)state;
    channel_flag_t f = madagascar();
    channel_msg_t m = {.flags = &f, .n = 1};
    buf_t b = {0};
    size_t blocks = 0;
    assert_int_equal(chat_slack_body(&m, SIZE_MAX, &b, &blocks), 0);
    assert_string_equal(buf_str(&b),
        "{\"text\":\"[high] Madagascar: Level 3 to Level 2\",\"blocks\":["
        "{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":"
        "\"*[high]* Madagascar: Level 3 to Level 2\\n"
        "<https://example.org/madagascar|Madagascar Travel Advisory>\"}},"
        "{\"type\":\"context\",\"elements\":[{\"type\":\"mrkdwn\",\"text\":"
        "\"Advisory level changed " DOT " Travel Advisories " DOT " 2024-11-22T23:00:00Z\"}]},"
        "{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"*level*: Level 3 " ARROW
        " Level 2\"}},"
        "{\"type\":\"actions\",\"elements\":[{\"type\":\"button\",\"text\":{\"type\":\"plain_text\","
        "\"text\":\"Open item\"},\"url\":\"https://example.org/madagascar\"}]}]}");
    assert_int_equal(blocks, 4);
    buf_free(&b);
}

static void slack_escapes_entities_and_formatting(void **state)
{
    (void)state;
    channel_flag_t f = madagascar();
    f.title = "<script>alert(1)</script> & co";
    f.message = "*bold* _it_ ~gone~ `code` <!channel>";
    f.link = "https://example.org/a?b=1&c=2|x>";
    f.changes = NULL;
    channel_msg_t m = {.flags = &f, .n = 1};
    buf_t b = {0};
    size_t blocks = 0;
    assert_int_equal(chat_slack_body(&m, SIZE_MAX, &b, &blocks), 0);
    char *section = nth_string(buf_str(&b), "\"text\":", 1);
    assert_string_equal(section,
        "*[high]* " ZW "*" ZW "bold" ZW "*" ZW " " ZW "_" ZW "it" ZW "_" ZW " " ZW "~" ZW "gone"
        ZW "~" ZW " " ZW "`" ZW "code" ZW "`" ZW " &lt;!channel&gt;\n"
        "<https://example.org/a?b=1&amp;c=2%7Cx%3E|&lt;script&gt;alert(1)&lt;/script&gt; &amp; co>");
    assert_null(strstr(buf_str(&b), "<!channel>"));
    assert_null(strstr(buf_str(&b), "<script>"));
    assert_int_equal(blocks, 3);   /* no changes: section, context, button */
    free(section);
    buf_free(&b);
}

static void slack_leaves_out_the_button_without_an_http_link(void **state)
{
    (void)state;
    channel_flag_t f = madagascar();
    f.link = "javascript:alert(1)";
    channel_msg_t m = {.flags = &f, .n = 1};
    buf_t b = {0};
    size_t blocks = 0;
    assert_int_equal(chat_slack_body(&m, SIZE_MAX, &b, &blocks), 0);
    assert_null(strstr(buf_str(&b), "\"actions\""));
    assert_null(strstr(buf_str(&b), "javascript"));
    char *section = nth_string(buf_str(&b), "\"text\":", 1);
    assert_string_equal(section, "*[high]* Madagascar: Level 3 to Level 2\nMadagascar Travel Advisory");
    assert_int_equal(blocks, 3);
    free(section);
    buf_free(&b);
}

/* With serve { url }, the flag's page is a second button (Slack) and a
 * second action (Teams); without an item link, the page's alone. */
static void the_flags_page_is_a_button_of_its_own(void **state)
{
    (void)state;
    channel_flag_t f = madagascar();
    f.page = "https://vane.example.org/flags/12";
    channel_msg_t m = {.flags = &f, .n = 1};
    buf_t b = {0};
    size_t size = 0;
    assert_int_equal(chat_slack_body(&m, SIZE_MAX, &b, &size), 0);
    assert_int_equal(count_of(buf_str(&b), "\"type\":\"button\""), 2);
    assert_non_null(strstr(buf_str(&b), "\"Open in vane\"},\"url\":\"https://vane.example.org/flags/12\""));
    buf_reset(&b);
    assert_int_equal(chat_teams_body(&m, &b, &size), 0);
    assert_int_equal(count_of(buf_str(&b), "Action.OpenUrl"), 2);
    f.link = NULL;
    buf_reset(&b);
    assert_int_equal(chat_teams_body(&m, &b, &size), 0);
    assert_int_equal(count_of(buf_str(&b), "Action.OpenUrl"), 1);
    assert_non_null(strstr(buf_str(&b), "\"actions\":[{\"type\":\"Action.OpenUrl\",\"title\":\"Open in vane\""));
    buf_free(&b);
}

/* A change of two 10,000-character texts with its word diff. */
static char *long_changes(void)
{
    buf_t b = {0}, old = {0};
    for (int i = 0; i < 1000; i++)
        buf_puts(&old, "abcd*fghi ");
    buf_puts(&b, "[{\"field\":\"summary\",\"old\":");
    json_put_string(&b, old.p, old.len);
    buf_puts(&b, ",\"new\":");
    json_put_string(&b, old.p, old.len);
    buf_puts(&b, ",\"diff\":[[\"=\",");
    json_put_string(&b, old.p, 4000);
    buf_puts(&b, "],[\"-\",");
    json_put_string(&b, old.p, 3000);
    buf_puts(&b, "],[\"+\",");
    json_put_string(&b, old.p, 3000);
    buf_puts(&b, "]]},{\"field\":\"level\",\"old\":\"3\",\"new\":\"2\"}]");
    buf_free(&old);
    return buf_steal(&b);
}

static void a_10000_character_diff_is_cut_within_each_limit(void **state)
{
    (void)state;
    char *changes = long_changes();
    channel_flag_t f = madagascar();
    f.changes = changes;
    buf_t big = {0};
    for (int i = 0; i < 1000; i++)
        buf_puts(&big, "Message \xf0\x9f\x98\x80 ");   /* an emoji: two units */
    f.message = big.p;
    channel_msg_t m = {.flags = &f, .n = 1};
    buf_t b = {0};
    size_t size = 0;

    assert_int_equal(chat_slack_body(&m, SIZE_MAX, &b, &size), 0);
    for (int i = 0; i < 4; i++) {   /* fallback, section, context, changes */
        char *t = nth_string(buf_str(&b), "\"text\":", i);
        assert_true(units(t) <= SLACK_SECTION_MAX);
        if (i == 3) {
            assert_non_null(strstr(t, "*summary*: abcd"));
            assert_non_null(strstr(t, "\xe2\x80\xa6"));         /* cut, marked */
            assert_non_null(strstr(t, "\n*level*: 3 " ARROW " 2")); /* the next field still shown */
        }
        free(t);
    }
    buf_reset(&b);

    assert_int_equal(chat_discord_body(&m, &b, &size), 0);
    assert_true(size <= DISCORD_MAX_CHARS);
    char *desc = nth_string(buf_str(&b), "\"description\":", 0);
    char *value = nth_string(buf_str(&b), "\"value\":", 0);
    assert_true(units(desc) <= DISCORD_DESCRIPTION_MAX);
    assert_true(units(value) <= DISCORD_FIELD_VALUE_MAX);
    assert_true(strncmp(value, "abcd\\*fghi", 10) == 0);
    assert_non_null(strstr(value, "\xe2\x80\xa6"));
    free(desc);
    free(value);
    value = nth_string(buf_str(&b), "\"value\":", 1);
    assert_string_equal(value, "3 " ARROW " 2");
    free(value);
    buf_reset(&b);

    assert_int_equal(chat_teams_body(&m, &b, &size), 0);
    assert_true(size < TEAMS_MAX_BYTES / 4);
    value = nth_string(buf_str(&b), "\"value\":", 0);
    assert_true(units(value) <= 1024);
    assert_non_null(strstr(value, "\xe2\x80\xa6"));
    free(value);
    buf_free(&b);
    buf_free(&big);
    free(changes);
}

/* 40 changed fields of long Chinese texts, a long Chinese message and title:
 * one flag's post still fits each service. */
static void the_worst_flag_still_fits_each_service(void **state)
{
    (void)state;
    buf_t text = {0}, changes = {0};
    for (int i = 0; i < 3000; i++)
        buf_puts(&text, "\xe5\xa4\x96\\");   /* 外 and a backslash: 3 bytes, escaped twice */
    buf_putc(&changes, '[');
    for (int i = 0; i < 40; i++) {
        buf_printf(&changes, "%s{\"field\":\"field_%02d_", i ? "," : "", i);
        buf_puts(&changes, "\xe5\xa4\x96\xe5\xa4\x96\xe5\xa4\x96\",\"old\":");
        json_put_string(&changes, text.p, text.len);
        buf_puts(&changes, ",\"new\":\"x\"}");
    }
    buf_putc(&changes, ']');
    channel_flag_t f = madagascar();
    f.changes = changes.p;
    f.message = f.title = f.rule_title = f.source_name = text.p;
    channel_msg_t m = {.flags = &f, .n = 1};
    buf_t b = {0};
    size_t size = 0;
    assert_int_equal(chat_teams_body(&m, &b, &size), 0);
    assert_true(size <= TEAMS_MAX_BYTES);
    assert_int_equal(size, b.len);
    buf_reset(&b);
    assert_int_equal(chat_discord_body(&m, &b, &size), 0);
    assert_true(size <= DISCORD_MAX_CHARS);
    assert_int_equal(count_of(buf_str(&b), "\"inline\":false"), DISCORD_MAX_FIELDS);
    buf_reset(&b);
    assert_int_equal(chat_slack_body(&m, SIZE_MAX, &b, &size), 0);
    assert_int_equal(size, 4);
    for (int i = 0; i < 4; i++) {
        char *t = nth_string(buf_str(&b), "\"text\":", i);
        assert_true(units(t) <= SLACK_SECTION_MAX);
        free(t);
    }
    buf_free(&b);
    buf_free(&text);
    buf_free(&changes);
}

static void a_cut_diff_keeps_its_markers_closed(void **state)
{
    (void)state;
    flag_change_t ch = {.field = "summary"};
    flag_seg_t segs[] = {{'=', "kept words "}, {'-', "removed words here"}, {'+', "added"}};
    ch.segs = segs;
    ch.n_segs = 3;
    buf_t b = {0};
    chat_w_t w = chat_writer(&b, CHAT_MARKDOWN, 25);
    chat_change(&w, &ch, &CHAT_MARKS_MARKDOWN);
    assert_string_equal(buf_str(&b), "kept words ~~removed w\xe2\x80\xa6~~");
    assert_int_equal(w.used, 25);
    buf_reset(&b);
    w = chat_writer(&b, CHAT_SLACK, 100);
    chat_change(&w, &ch, &CHAT_MARKS_SLACK);
    assert_string_equal(buf_str(&b), "kept words ~removed words here~ *added*");
    buf_free(&b);
}

static void a_slack_digest_has_a_header_and_webhooks_cut_it_at_50_blocks(void **state)
{
    (void)state;
    channel_flag_t f[30];
    for (int i = 0; i < 30; i++)
        f[i] = madagascar();   /* 4 blocks each */
    channel_msg_t m = {.flags = f, .n = 30, .digest = 1};
    buf_t b = {0};
    size_t blocks = 0;
    assert_int_equal(chat_slack_body(&m, SIZE_MAX, &b, &blocks), 0);
    assert_int_equal(blocks, 1 + 30 * 4);
    assert_non_null(strstr(buf_str(&b), "{\"text\":\"vane: 30 new flags\",\"blocks\":[{\"type\":\"header\","
                                        "\"text\":{\"type\":\"plain_text\",\"text\":\"vane: 30 new flags\"}}"));
    buf_reset(&b);
    assert_int_equal(payload_slack(&m, &b), 0);   /* the webhook's format "slack" */
    assert_int_equal(count_of(buf_str(&b), "\"type\":\"section\"") / 2, 12);
    assert_non_null(strstr(buf_str(&b), "\xe2\x80\xa6 and 18 more flags\"}]}]}"));
    assert_int_equal(count_of(buf_str(&b), "{\"type\":\"") - count_of(buf_str(&b), "{\"type\":\"mrkdwn\"")
                     - count_of(buf_str(&b), "{\"type\":\"plain_text\"") - count_of(buf_str(&b), "{\"type\":\"button\""),
                     1 + 12 * 4 + 1);
    buf_free(&b);
}

static void payload_slack_is_the_slack_kinds_body(void **state)
{
    (void)state;
    channel_flag_t f = madagascar();
    channel_msg_t m = {.flags = &f, .n = 1};
    buf_t a = {0}, b = {0};
    size_t blocks;
    assert_int_equal(payload_slack(&m, &a), 0);
    assert_int_equal(chat_slack_body(&m, SIZE_MAX, &b, &blocks), 0);
    assert_string_equal(buf_str(&a), buf_str(&b));
    buf_free(&a);
    buf_free(&b);
}

/* ---- Teams ---------------------------------------------------------------------- */

static void teams_body_of_one_flag_is_an_adaptive_card(void **state)
{
    (void)state;
    channel_flag_t f = madagascar();
    channel_msg_t m = {.flags = &f, .n = 1};
    buf_t b = {0};
    size_t bytes = 0;
    assert_int_equal(chat_teams_body(&m, &b, &bytes), 0);
    assert_string_equal(buf_str(&b),
        "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"application/vnd.microsoft.card.adaptive\","
        "\"contentUrl\":null,\"content\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptive-card.json\","
        "\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\"body\":["
        "{\"type\":\"TextBlock\",\"text\":\"[high] Madagascar: Level 3 to Level 2\",\"wrap\":true,"
        "\"weight\":\"bolder\",\"color\":\"attention\"},"
        "{\"type\":\"TextBlock\",\"text\":\"[Madagascar Travel Advisory](https://example.org/madagascar)\","
        "\"wrap\":true},"
        "{\"type\":\"TextBlock\",\"text\":\"Advisory level changed " DOT " Travel Advisories " DOT
        " 2024-11-22T23:00:00Z\",\"wrap\":true,\"isSubtle\":true,\"size\":\"small\",\"spacing\":\"none\"},"
        "{\"type\":\"FactSet\",\"facts\":[{\"title\":\"level\",\"value\":\"Level 3 " ARROW " Level 2\"}]}],"
        "\"actions\":[{\"type\":\"Action.OpenUrl\",\"title\":\"Open item\","
        "\"url\":\"https://example.org/madagascar\"}]}}]}");
    assert_int_equal(bytes, b.len);
    buf_free(&b);
}

static void teams_escapes_markdown_and_links(void **state)
{
    (void)state;
    channel_flag_t f = madagascar();
    f.title = "<script>x</script> & [a](b)";
    f.message = "**x** _y_";
    f.link = "https://example.org/a (b)";   /* a space: not a link */
    channel_msg_t m = {.flags = &f, .n = 1};
    buf_t b = {0};
    size_t bytes = 0;
    assert_int_equal(chat_teams_body(&m, &b, &bytes), 0);
    char *head = nth_string(buf_str(&b), "\"text\":", 0);
    char *title = nth_string(buf_str(&b), "\"text\":", 1);
    assert_string_equal(head, "[high] \\*\\*x\\*\\* \\_y\\_");
    assert_string_equal(title, "\\<script\\>x\\</script\\> & \\[a\\](b)");
    assert_null(strstr(buf_str(&b), "Action.OpenUrl"));
    free(head);
    free(title);
    buf_free(&b);
}

/* ---- Discord -------------------------------------------------------------------- */

static void discord_body_of_one_flag_is_an_embed(void **state)
{
    (void)state;
    channel_flag_t f = madagascar();
    channel_msg_t m = {.flags = &f, .n = 1};
    buf_t b = {0};
    size_t chars = 0;
    assert_int_equal(chat_discord_body(&m, &b, &chars), 0);
    assert_string_equal(buf_str(&b),
        "{\"content\":\"[high] Madagascar Travel Advisory\",\"allowed_mentions\":{\"parse\":[]},"
        "\"embeds\":[{\"title\":\"Madagascar Travel Advisory\",\"url\":\"https://example.org/madagascar\","
        "\"description\":\"Madagascar: Level 3 to Level 2\",\"color\":14687834,"
        "\"fields\":[{\"name\":\"level\",\"value\":\"Level 3 " ARROW " Level 2\",\"inline\":false}],"
        "\"footer\":{\"text\":\"Advisory level changed " DOT " Travel Advisories\"},"
        "\"timestamp\":\"2024-11-22T23:00:00Z\"}]}");
    assert_int_equal(chars, 26 + 30 + 5 + 17 + 42);
    buf_free(&b);
}

static void discord_escapes_markdown_and_never_pings(void **state)
{
    (void)state;
    channel_flag_t f = madagascar();
    f.title = "@everyone <script> & *x*";
    f.message = "<@123> __u__ ~~s~~ `c` > q";
    f.changes = NULL;
    f.observed_at = "yesterday";
    f.created_at = "also not a time";
    channel_msg_t m = {.flags = &f, .n = 1};
    buf_t b = {0};
    size_t chars = 0;
    assert_int_equal(chat_discord_body(&m, &b, &chars), 0);
    char *title = nth_string(buf_str(&b), "\"title\":", 0);
    char *desc = nth_string(buf_str(&b), "\"description\":", 0);
    assert_string_equal(title, "@everyone \\<script\\> & \\*x\\*");
    assert_string_equal(desc, "\\<@123\\> \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\`c\\` \\> q");
    assert_non_null(strstr(buf_str(&b), "\"allowed_mentions\":{\"parse\":[]}"));
    assert_null(strstr(buf_str(&b), "\"fields\""));
    assert_null(strstr(buf_str(&b), "\"timestamp\""));
    free(title);
    free(desc);
    buf_free(&b);
}

static void discord_digest_counts_embeds_and_characters(void **state)
{
    (void)state;
    channel_flag_t f[11];
    for (int i = 0; i < 11; i++)
        f[i] = madagascar();
    channel_msg_t m = {.flags = f, .n = 10, .digest = 1};
    buf_t b = {0};
    size_t chars = 0;
    assert_int_equal(chat_discord_body(&m, &b, &chars), 0);
    assert_int_equal(chars, 10 * 120);
    assert_true(strncmp(buf_str(&b), "{\"content\":\"vane: 10 new flags\"", 31) == 0);
    assert_int_equal(count_of(buf_str(&b), "\"title\":"), 10);
    buf_reset(&b);
    m.n = 11;   /* past 10 embeds: never fits */
    assert_int_equal(chat_discord_body(&m, &b, &chars), 0);
    assert_int_equal(chars, SIZE_MAX);
    buf_free(&b);
}

/* ---- templates and text --------------------------------------------------------- */

static void a_template_text_replaces_the_message(void **state)
{
    (void)state;
    channel_flag_t f = madagascar();
    f.text = "Custom: <b>&";
    channel_msg_t m = {.flags = &f, .n = 1};
    buf_t b = {0};
    size_t size;
    assert_int_equal(chat_slack_body(&m, SIZE_MAX, &b, &size), 0);
    assert_non_null(strstr(buf_str(&b), "*[high]* Custom: &lt;b&gt;&amp;\\n"));
    assert_null(strstr(buf_str(&b), "Level 3 to Level 2"));
    buf_reset(&b);
    assert_int_equal(chat_discord_body(&m, &b, &size), 0);
    assert_non_null(strstr(buf_str(&b), "\"description\":\"Custom: \\\\<b\\\\>&\""));
    buf_reset(&b);
    assert_int_equal(chat_teams_body(&m, &b, &size), 0);
    assert_non_null(strstr(buf_str(&b), "\"text\":\"[high] Custom: \\\\<b\\\\>&\""));
    buf_free(&b);
}

static void text_is_one_line_valid_utf8_cut_in_utf16_units(void **state)
{
    (void)state;
    buf_t b = {0};
    chat_w_t w = chat_writer(&b, CHAT_PLAIN, 6);
    chat_text(&w, "a\nb\x01\xff\xf0\x9f\x98\x80xyz", 0);   /* a, b, U+FFFD, an emoji (2), … */
    assert_string_equal(buf_str(&b), "a b " UTF8_REPLACEMENT "\xe2\x80\xa6");
    assert_int_equal(w.used, 6);
    assert_true(w.cut);
    buf_reset(&b);
    w = chat_writer(&b, CHAT_PLAIN, 7);
    chat_text(&w, "ab\xf0\x9f\x98\x80xyz", 0);   /* exactly 7 units: whole */
    assert_string_equal(buf_str(&b), "ab\xf0\x9f\x98\x80xyz");
    assert_false(w.cut);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(slack_body_of_one_flag_is_block_kit),
        cmocka_unit_test(slack_escapes_entities_and_formatting),
        cmocka_unit_test(slack_leaves_out_the_button_without_an_http_link),
        cmocka_unit_test(the_flags_page_is_a_button_of_its_own),
        cmocka_unit_test(a_10000_character_diff_is_cut_within_each_limit),
        cmocka_unit_test(the_worst_flag_still_fits_each_service),
        cmocka_unit_test(a_cut_diff_keeps_its_markers_closed),
        cmocka_unit_test(a_slack_digest_has_a_header_and_webhooks_cut_it_at_50_blocks),
        cmocka_unit_test(payload_slack_is_the_slack_kinds_body),
        cmocka_unit_test(teams_body_of_one_flag_is_an_adaptive_card),
        cmocka_unit_test(teams_escapes_markdown_and_links),
        cmocka_unit_test(discord_body_of_one_flag_is_an_embed),
        cmocka_unit_test(discord_escapes_markdown_and_never_pings),
        cmocka_unit_test(discord_digest_counts_embeds_and_characters),
        cmocka_unit_test(a_template_text_replaces_the_message),
        cmocka_unit_test(text_is_one_line_valid_utf8_cut_in_utf16_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

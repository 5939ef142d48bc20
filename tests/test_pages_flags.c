/* test_pages_flags.c — the pages of flags and items of `vane serve`
 * (serve/page_flags.c, page_flag.c, page_item.c) called with hand-made
 * requests over a real SQLite store: the list with its filters, id paging
 * and delivery states; one flag with what changed as word diffs, its
 * silence, deliveries and verdict form; the verdict's POST; an item's
 * history; hostile titles and links escaped; the list's reads walk the
 * indexes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/context.h"
#include "serve/page_flags.h"
#include "store/store.h"
#include "store/web.h"
#include "dbtest.h"

#define T0 "2024-11-20T23:00:00Z"
#define T1 "2024-11-22T23:00:00Z"
#define T2 "2024-11-27T23:30:00Z"
#define HOSTILE_TITLE "<script>alert(1)</script>"
#define HOSTILE_LINK "https://x/'onmouseover=alert(1)"         /* linked, escaped */
#define QUOTED_LINK "https://x/\"onmouseover=alert(1)"         /* never linked */

/* ---- building a store ------------------------------------------------------ */

static void source(store_t *st, const char *id)
{
    err_t e = {{0}};
    source_state_t ss;
    assert_int_equal(store_source_get(st, id, "http://127.0.0.1/", &ss, &e), 0);
    source_state_free(&ss);
}

static long long event(store_t *st, const char *key, const char *change, const char *item,
                       const char *prev, const char *diff, const char *at)
{
    err_t e = {{0}};
    store_event_t ev = {.source = "s", .key = (char *)key, .change = (char *)change,
                        .item = (char *)item, .prev = (char *)prev, .diff = (char *)diff,
                        .observed_at = (char *)at};
    assert_int_equal(store_event_add(st, &ev, &e), 0);
    return ev.id;
}

typedef struct flag_spec {
    long long event_id;
    const char *key, *rule, *severity, *message, *title, *link, *changes, *at;
} flag_spec_t;

static long long flag(store_t *st, const flag_spec_t *s)
{
    err_t e = {{0}};
    char dedup[96];
    static int n;
    snprintf(dedup, sizeof dedup, "%s|%lld|%d", s->rule, s->event_id, n++);
    store_flag_t f = {.event_id = s->event_id, .rule = s->rule,
                      .severity = s->severity ? s->severity : "high", .message = s->message,
                      .source = "s", .key = s->key, .change = "changed",
                      .observed_at = s->at ? s->at : T1, .created_at = s->at ? s->at : T1,
                      .dedup = dedup, .title = s->title, .link = s->link,
                      .source_name = "Advisories", .rule_title = "Level changes",
                      .changes = s->changes};
    int inserted = 0;
    assert_int_equal(store_flag_add(st, &f, &inserted, &e), 0);
    assert_int_equal(inserted, 1);
    return f.id;
}

#define LONG_OLD "The situation in the north of the country remains tense and travellers " \
    "should avoid the border areas, keep to main roads, register with the embassy and " \
    "follow the advice of local authorities at all times during their stay in the region."
#define LONG_NEW "The situation in the north of the country remains calm and travellers " \
    "should avoid the border areas, keep to main roads, register with the embassy and " \
    "follow the advice of local authorities at all times during their stay in the region."

typedef struct world {
    long long ev_new, ev_changed, flag_level, flag_hostile, flag_silenced, flag_plain;
} world_t;

/* Item FR: new at T0, changed (level 2 → 3, a long summary one word
 * changed) at T1; flags on the change: "level" (its changes recorded,
 * deliveries sent/pending/dead, a verdict), "hostile" (a hostile title
 * and link), "quiet" (silenced), "plain" (no changes recorded: the
 * event's diff is shown). */
static world_t build(store_t *st)
{
    err_t e = {{0}};
    world_t w;
    source(st, "s");
    const char *item0 = "{\"level\":2,\"summary\":\"" LONG_OLD "\",\"title\":\"France\"}";
    const char *item1 = "{\"level\":3,\"summary\":\"" LONG_NEW "\",\"title\":\"France\"}";
    const char *diff = "{\"level\":{\"old\":2,\"new\":3},\"summary\":{\"old\":\"" LONG_OLD
                       "\",\"new\":\"" LONG_NEW "\"}}";
    w.ev_new = event(st, "FR", "new", item0, NULL, NULL, T0);
    w.ev_changed = event(st, "FR", "changed", item1, item0, diff, T1);
    assert_int_equal(store_item_put(st, "s", "FR", item1, T1, &e), 0);
    buf_t changes = {0};
    assert_int_equal(flag_context_changes(diff, &changes), 0);
    w.flag_level = flag(st, &(flag_spec_t){w.ev_changed, "FR", "level", "high", "France: 2 → 3",
                                           "France", "https://x/fr", buf_str(&changes), T1});
    buf_free(&changes);
    w.flag_hostile = flag(st, &(flag_spec_t){w.ev_changed, "FR", "hostile", "low", "odd title",
                                             HOSTILE_TITLE, HOSTILE_LINK, "[]", T1});
    w.flag_silenced = flag(st, &(flag_spec_t){w.ev_changed, "FR", "quiet", "medium", "quiet one",
                                              "France", QUOTED_LINK, "[]", T2});
    w.flag_plain = flag(st, &(flag_spec_t){w.ev_changed, "FR", "plain", "critical",
                                           "plain FRANCE news", NULL, "javascript:alert(1)", NULL, T2});

    assert_int_equal(store_outbox_add(st, w.flag_level, "ops", &e), 0);
    assert_int_equal(store_outbox_add(st, w.flag_level, "log", &e), 0);
    assert_int_equal(store_outbox_add(st, w.flag_level, "mail", &e), 0);
    store_outbox_row_t *rows;
    size_t n;
    assert_int_equal(store_outbox_pending(st, "log", &rows, &n, &e), 0);
    assert_int_equal(store_outbox_sent(st, rows[0].id, T1, &e), 0);
    store_outbox_free(rows, n);
    assert_int_equal(store_outbox_pending(st, "mail", &rows, &n, &e), 0);
    assert_int_equal(store_outbox_failed(st, rows[0].id, 5, "refused <smtp>", NULL, 1, &e), 0);
    store_outbox_free(rows, n);
    assert_int_equal(store_outbox_add(st, w.flag_hostile, "ops", &e), 0);
    assert_int_equal(store_outbox_pending(st, "ops", &rows, &n, &e), 0);
    for (size_t i = 0; i < n; i++)
        if (rows[i].flag_id == w.flag_hostile)
            assert_int_equal(store_outbox_sent(st, rows[i].id, T1, &e), 0);
    store_outbox_free(rows, n);

    store_silence_t s = {.rule = "quiet", .created_at = T0, .until = T2,
                         .reason = "maintenance <window>"};
    long long sid;
    assert_int_equal(store_silence_add(st, &s, &sid, &e), 0);
    assert_int_equal(store_flag_silence(st, w.flag_silenced, sid, &e), 0);
    assert_int_equal(store_verdict_set(st, w.flag_level, "useful", "good <catch>", "ana", T2, &e),
                     0);
    return w;
}

/* ---- requests -------------------------------------------------------------- */

typedef struct call {
    serve_ctx_t ctx;
    serve_req_t req;
    serve_resp_t resp;
    serve_param_t params[8];
    const char *args[2];
} call_t;

/* Call fn with method and the parameters (name, value pairs, NULL-ended;
 * query for a GET, form for a POST) and up to two captured segments. */
static const char *run(call_t *c, store_t *st, serve_handler_fn fn, const char *method,
                       const char *arg0, const char *arg1, ...)
{
    memset(c, 0, sizeof *c);
    c->ctx.st = st;
    size_t n = 0;
    va_list ap;
    va_start(ap, arg1);
    for (const char *name; (name = va_arg(ap, const char *)) != NULL && n < 8; n++)
        c->params[n] = (serve_param_t){name, va_arg(ap, const char *)};
    va_end(ap);
    c->args[0] = arg0;
    c->args[1] = arg1;
    c->req = (serve_req_t){.ctx = &c->ctx, .method = method, .path = "/", .args = c->args,
                           .n_args = arg1 ? 2 : arg0 ? 1 : 0, .user = "ana",
                           .csrf = "tok\"en"};
    if (strcmp(method, "POST") == 0) {
        c->req.form = c->params;
        c->req.n_form = n;
    } else {
        c->req.query = c->params;
        c->req.n_query = n;
    }
    assert_int_equal(fn(&c->req, &c->resp), 0);
    return buf_str(&c->resp.body);
}

static void done(call_t *c)
{
    buf_free(&c->resp.body);
    free(c->resp.location);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

#define HAS(html, s) assert_non_null(strstr((html), (s)))
#define END ((const char *)NULL)   /* the end of run's parameters */
#define HASNT(html, s) assert_null(strstr((html), (s)))

/* ---- the list ---------------------------------------------------------------- */

static void the_list_shows_each_flag_with_its_state(void **state)
{
    fixture_t *fx = *state;
    world_t w = build(fx->st);
    call_t c;
    const char *html = run(&c, fx->st, page_flags, "GET", NULL, NULL, END);
    assert_int_equal(c.resp.status, 0);
    assert_int_equal(count(html, "<tr><td>"), 4);
    /* newest first: plain (T2, highest id) before level */
    char a[64], b[64];
    snprintf(a, sizeof a, "href=\"/flags/%lld\"", w.flag_plain);
    snprintf(b, sizeof b, "href=\"/flags/%lld\"", w.flag_level);
    assert_true(strstr(html, a) < strstr(html, b));
    HAS(html, "<a href=\"/rules#level\">level</a>");
    HAS(html, "<span class=\"sev sev-critical\">critical</span>");
    HAS(html, "France: 2 → 3");
    HAS(html, "<a href=\"https://x/fr\" rel=\"noopener noreferrer\">France</a>");
    HAS(html, "1 sent, 1 pending, <span class=\"bad\">1 dead</span>");   /* level */
    HAS(html, "<span class=\"ok\">sent</span>");                        /* hostile */
    HAS(html, "silenced");
    HAS(html, "<td>useful</td>");
    HAS(html, "<form class=\"filters\" method=\"get\" action=\"/flags\">");
    /* hostile text: never markup */
    HAS(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
    HASNT(html, "<script>alert");
    HAS(html, "href=\"https://x/&#39;onmouseover=alert(1)\" rel=\"noopener noreferrer\">");
    HASNT(html, "'onmouseover=");
    HASNT(html, "\"onmouseover=");
    HASNT(html, "https://x/&quot;onmouseover");   /* a link with a quote is not linked */
    HASNT(html, "href=\"javascript:");
    HASNT(html, "Older");
    HASNT(html, "Newer");
    done(&c);
}

static void filters_narrow_the_list(void **state)
{
    fixture_t *fx = *state;
    world_t w = build(fx->st);
    call_t c;
    const char *html = run(&c, fx->st, page_flags, "GET", NULL, NULL, "rule", "level", END);
    assert_int_equal(count(html, "<tr><td>"), 1);
    HAS(html, "France: 2 → 3");
    HAS(html, "name=\"rule\" value=\"level\"");   /* kept in the form */
    done(&c);

    html = run(&c, fx->st, page_flags, "GET", NULL, NULL, "severity", "medium", END);
    assert_int_equal(count(html, "<tr><td>"), 3);   /* critical, medium, high; not low */
    HASNT(html, "odd title");
    HAS(html, "<option value=\"medium\" selected>");
    done(&c);

    html = run(&c, fx->st, page_flags, "GET", NULL, NULL, "q", "france", END);
    assert_int_equal(count(html, "<tr><td>"), 3);   /* title or message, any case */
    HASNT(html, "odd title");
    done(&c);

    html = run(&c, fx->st, page_flags, "GET", NULL, NULL, "since", "2024-11-25", END);
    assert_int_equal(count(html, "<tr><td>"), 2);   /* quiet and plain, at T2 */
    done(&c);
    html = run(&c, fx->st, page_flags, "GET", NULL, NULL, "until", "2024-11-22", END);
    assert_int_equal(count(html, "<tr><td>"), 2);   /* the whole of the 22nd: level, hostile */
    done(&c);
    html = run(&c, fx->st, page_flags, "GET", NULL, NULL, "source", "s", "until", "2024-11-21",
               END);
    assert_int_equal(count(html, "<tr><td>"), 0);
    HAS(html, "No flags match these filters.");
    done(&c);

    html = run(&c, fx->st, page_flags, "GET", NULL, NULL, "since", "soon", "severity", "dire",
               END);
    HAS(html, "since: not a date");
    HAS(html, "severity: not one of");
    assert_int_equal(count(html, "<tr><td>"), 4);
    done(&c);
    (void)w;
}

static void pages_go_by_id_and_keep_the_filters(void **state)
{
    fixture_t *fx = *state;
    source(fx->st, "s");
    for (int i = 0; i < 120; i++) {
        char msg[32];
        snprintf(msg, sizeof msg, "m%03d", i + 1);
        flag(fx->st, &(flag_spec_t){0, "K", i % 2 ? "odd" : "even", "high", msg, NULL, NULL,
                                    NULL, T1});
    }
    call_t c;
    const char *html = run(&c, fx->st, page_flags, "GET", NULL, NULL, END);
    assert_int_equal(count(html, "<tr><td>"), 50);
    HAS(html, "m120");
    HAS(html, "m071");
    HASNT(html, "m070");
    HASNT(html, "Newer");
    HAS(html, "href=\"/flags?before=71\">Older</a>");
    done(&c);

    html = run(&c, fx->st, page_flags, "GET", NULL, NULL, "before", "71", END);
    assert_int_equal(count(html, "<tr><td>"), 50);
    HAS(html, "m070");
    HAS(html, "m021");
    HAS(html, "href=\"/flags?after=70\">Newer</a>");
    HAS(html, "href=\"/flags?before=21\">Older</a>");
    done(&c);

    html = run(&c, fx->st, page_flags, "GET", NULL, NULL, "before", "21", END);
    assert_int_equal(count(html, "<tr><td>"), 20);
    HAS(html, "m001");
    HASNT(html, "Older");
    HAS(html, "href=\"/flags?after=20\">Newer</a>");
    done(&c);

    /* Newer from the second page is the first page again */
    html = run(&c, fx->st, page_flags, "GET", NULL, NULL, "after", "70", END);
    assert_int_equal(count(html, "<tr><td>"), 50);
    HAS(html, "m120");
    HAS(html, "m071");
    assert_true(strstr(html, "m120") < strstr(html, "m071"));   /* still newest first */
    HASNT(html, "Newer");
    HAS(html, "before=71");
    done(&c);

    /* the filters ride along */
    html = run(&c, fx->st, page_flags, "GET", NULL, NULL, "rule", "odd", "q", "m", END);
    assert_int_equal(count(html, "<tr><td>"), 50);
    HASNT(html, "m119");   /* even */
    HAS(html, "href=\"/flags?rule=odd&amp;q=m&amp;before=22\">Older</a>");
    done(&c);
    html = run(&c, fx->st, page_flags, "GET", NULL, NULL, "rule", "odd", "before", "22", END);
    assert_int_equal(count(html, "<tr><td>"), 10);
    HASNT(html, "Older");
    done(&c);
}

/* The list's statements walk the index of their filter and read the time
 * bound from flags_created; none sorts. */
static void the_list_reads_walk_the_indexes(void **state)
{
    fixture_t *fx = *state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    struct {
        store_web_filter_t f;
        const char *index;
    } cases[] = {
        {{.rule = "r"}, "flags_rule"},
        {{.source = "s", .min_severity = 3, .q = "x"}, "flags_source"},
        {{.since = T0, .until = T1}, "flags_created"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (int asc = 0; asc < 2; asc++) {
            buf_t sql = {0};
            assert_int_equal(buf_puts(&sql, "EXPLAIN QUERY PLAN "), 0);
            assert_int_equal(store_web_flags_sql(&cases[i].f, asc, !asc, asc, 0, &sql), 0);
            sqlite3_stmt *s;
            assert_int_equal(sqlite3_prepare_v2(db, buf_str(&sql), -1, &s, NULL), SQLITE_OK);
            buf_t plan = {0};
            while (sqlite3_step(s) == SQLITE_ROW) {
                assert_int_equal(buf_puts(&plan, (const char *)sqlite3_column_text(s, 3)), 0);
                assert_int_equal(buf_putc(&plan, '\n'), 0);
            }
            sqlite3_finalize(s);
            HAS(buf_str(&plan), cases[i].index);
            HASNT(buf_str(&plan), "TEMP B-TREE");
            buf_free(&plan);
            buf_free(&sql);
        }
    }
    sqlite3_close(db);
}

/* ---- one flag ---------------------------------------------------------------- */

static void a_flag_page_tells_its_story(void **state)
{
    fixture_t *fx = *state;
    world_t w = build(fx->st);
    char id[24];
    snprintf(id, sizeof id, "%lld", w.flag_level);
    call_t c;
    const char *html = run(&c, fx->st, page_flag, "GET", id, NULL, END);
    assert_int_equal(c.resp.status, 0);
    HAS(html, "France: 2 → 3");
    HAS(html, "Level changes");
    HAS(html, "<a href=\"/rules#level\">level</a>");
    HAS(html, "Advisories");
    /* what changed: a short field before/after, the long one as a word diff */
    HAS(html, "<table class=\"changes\">");
    HAS(html, "<tr><th>level</th><td>2</td><td>3</td></tr>");
    HAS(html, "<del>tense </del>");
    HAS(html, "<ins>calm </ins>");
    /* the item before and after, every field */
    HAS(html, "The item before");
    HAS(html, "<tr><th>title</th><td>France</td></tr>");
    /* the history link, deliveries, verdict and its form */
    HAS(html, "href=\"/items/s/FR\"");
    HAS(html, "refused &lt;smtp&gt;");
    HAS(html, "<td>dead</td>");
    HAS(html, "<strong>useful</strong> by ana");
    HAS(html, "good &lt;catch&gt;");
    snprintf(id, sizeof id, "/flags/%lld/verdict", w.flag_level);
    HAS(html, id);
    HAS(html, "method=\"post\"");
    HAS(html, "name=\"csrf\" value=\"tok&quot;en\"");
    HAS(html, "value=\"useful\" checked");
    HASNT(html, "Silenced");
    done(&c);
}

static void a_silenced_flag_and_one_without_changes(void **state)
{
    fixture_t *fx = *state;
    world_t w = build(fx->st);
    char id[24];
    snprintf(id, sizeof id, "%lld", w.flag_silenced);
    call_t c;
    const char *html = run(&c, fx->st, page_flag, "GET", id, NULL, END);
    HAS(html, "<h2>Silenced</h2>");
    HAS(html, "maintenance &lt;window&gt;");
    HAS(html, "No verdict yet.");
    HAS(html, "<dt>Item</dt><dd>France ");   /* its link has a quote: text, not a link */
    HASNT(html, "onmouseover");
    done(&c);

    /* no changes recorded: the event's diff, word diff and all */
    snprintf(id, sizeof id, "%lld", w.flag_plain);
    html = run(&c, fx->st, page_flag, "GET", id, NULL, END);
    HAS(html, "<del>tense </del>");
    HAS(html, "<tr><th>level</th><td>2</td><td>3</td></tr>");
    HAS(html, "<dt>Item</dt><dd>FR ");   /* no title: its key; a javascript: link unlinked */
    HASNT(html, "javascript:");
    done(&c);

    snprintf(id, sizeof id, "%lld", w.flag_hostile);
    html = run(&c, fx->st, page_flag, "GET", id, NULL, END);
    HAS(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
    HASNT(html, "<script>alert");
    HAS(html, "&#39;onmouseover=");
    HASNT(html, "'onmouseover=");
    done(&c);

    run(&c, fx->st, page_flag, "GET", "999", NULL, END);
    assert_int_equal(c.resp.status, 404);
    done(&c);
    run(&c, fx->st, page_flag, "GET", "12abc", NULL, END);
    assert_int_equal(c.resp.status, 404);
    done(&c);
}

static void a_verdict_is_recorded_and_shown(void **state)
{
    fixture_t *fx = *state;
    world_t w = build(fx->st);
    char id[24], where[40];
    snprintf(id, sizeof id, "%lld", w.flag_hostile);
    snprintf(where, sizeof where, "/flags/%lld", w.flag_hostile);
    call_t c;
    run(&c, fx->st, page_flag_verdict, "POST", id, NULL, "csrf", "x", "verdict", "noise", "note",
        "duplicate <b>", END);
    assert_int_equal(c.resp.status, 303);
    assert_string_equal(c.resp.location, where);
    done(&c);
    err_t e = {{0}};
    store_verdict_t v;
    assert_int_equal(store_verdict_get(fx->st, w.flag_hostile, &v, &e), 1);
    assert_string_equal(v.verdict, "noise");
    assert_string_equal(v.who, "ana");
    assert_string_equal(v.note, "duplicate <b>");
    store_verdict_free(&v);

    const char *html = run(&c, fx->st, page_flag, "GET", id, NULL, END);
    HAS(html, "<strong>noise</strong> by ana");
    HAS(html, "duplicate &lt;b&gt;");
    HAS(html, "value=\"noise\" checked");
    done(&c);
    html = run(&c, fx->st, page_flags, "GET", NULL, NULL, END);
    HAS(html, "<td>noise</td>");
    done(&c);

    run(&c, fx->st, page_flag_verdict, "POST", id, NULL, "verdict", "great", END);
    assert_int_equal(c.resp.status, 400);
    assert_null(c.resp.location);
    done(&c);
    run(&c, fx->st, page_flag_verdict, "POST", id, NULL, END);
    assert_int_equal(c.resp.status, 400);
    done(&c);
    run(&c, fx->st, page_flag_verdict, "POST", "999", NULL, "verdict", "useful", END);
    assert_int_equal(c.resp.status, 404);
    done(&c);
}

/* ---- one item ---------------------------------------------------------------- */

static void an_item_page_shows_every_version(void **state)
{
    fixture_t *fx = *state;
    world_t w = build(fx->st);
    call_t c;
    const char *html = run(&c, fx->st, page_item, "GET", "s", "FR", END);
    assert_int_equal(c.resp.status, 0);
    assert_int_equal(count(html, "<section class=\"version\""), 2);
    char a[40], b[40];
    snprintf(a, sizeof a, "id=\"event-%lld\"", w.ev_changed);
    snprintf(b, sizeof b, "id=\"event-%lld\"", w.ev_new);
    assert_non_null(strstr(html, a));
    assert_true(strstr(html, a) < strstr(html, b));   /* newest first */
    HAS(html, "<del>tense </del>");
    HAS(html, "<ins>calm </ins>");
    snprintf(a, sizeof a, "<a href=\"/flags/%lld\">", w.flag_level);
    HAS(html, a);
    HAS(html, "<h2>Now</h2>");
    done(&c);

    html = run(&c, fx->st, page_item, "GET", "s", "XX", END);
    assert_int_equal(c.resp.status, 404);
    done(&c);
}

/* A key that is a URL has a "/", which a decoded path cannot carry in
 * one segment: its history is linked as /items/SOURCE?key=KEY, encoded;
 * a plain key with odd characters stays in the path, encoded. */
static void item_keys_are_linked_encoded(void **state)
{
    fixture_t *fx = *state;
    source(fx->st, "s");
    const char *url_key = "https://x/a b?c";
    long long ev = event(fx->st, url_key, "new", "{\"title\":\"A\"}", NULL, NULL, T0);
    long long id = flag(fx->st, &(flag_spec_t){ev, url_key, "any", "low", "new A", "A",
                                               "https://x/a", "[]", T0});
    long long ev2 = event(fx->st, "a b&c", "new", "{\"title\":\"B\"}", NULL, NULL, T0);
    long long id2 = flag(fx->st, &(flag_spec_t){ev2, "a b&c", "any", "low", "new B", "B", NULL,
                                                "[]", T0});
    char s[24];
    snprintf(s, sizeof s, "%lld", id);
    call_t c;
    const char *html = run(&c, fx->st, page_flag, "GET", s, NULL, END);
    HAS(html, "href=\"/items/s?key=https%3A%2F%2Fx%2Fa%20b%3Fc\"");
    done(&c);
    snprintf(s, sizeof s, "%lld", id2);
    html = run(&c, fx->st, page_flag, "GET", s, NULL, END);
    HAS(html, "href=\"/items/s/a%20b%26c\"");
    done(&c);

    html = run(&c, fx->st, page_item, "GET", "s", NULL, "key", url_key, END);   /* ?key= */
    assert_int_equal(c.resp.status, 0);
    HAS(html, "new A");
    done(&c);
    html = run(&c, fx->st, page_item, "GET", "s", "a b&c", END);
    assert_int_equal(c.resp.status, 0);
    HAS(html, "new B");
    HAS(html, "<h1>s / a b&amp;c</h1>");
    done(&c);
    run(&c, fx->st, page_item, "GET", "s", NULL, END);   /* no key */
    assert_int_equal(c.resp.status, 404);
    done(&c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, dbtest_setup, dbtest_teardown)
    const struct CMUnitTest tests[] = {
        T(the_list_shows_each_flag_with_its_state),
        T(filters_narrow_the_list),
        T(pages_go_by_id_and_keep_the_filters),
        T(the_list_reads_walk_the_indexes),
        T(a_flag_page_tells_its_story),
        T(a_silenced_flag_and_one_without_changes),
        T(a_verdict_is_recorded_and_shown),
        T(an_item_page_shows_every_version),
        T(item_keys_are_linked_encoded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

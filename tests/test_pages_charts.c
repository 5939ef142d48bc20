/* test_pages_charts.c — the advisories, sources and rules pages of `vane
 * serve` (serve/page_*.c), called as the server calls them, over a real
 * SQLite store, a configuration read from a real vane.lua and rules loaded
 * from real rule files: China's row at level 2 and the sort orders; a
 * country's step chart with a point per version and the 3 → 2 step, its
 * indicator lanes and the summary's word diff; a source's health with its
 * changes and failed runs per day; each rule's flags per week, verdicts
 * and precision (0.50 after one useful and one noise, "—" with none);
 * every text from the database escaped; unknown keys 404; and no read
 * walks the events or flags table whole (their query plans). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "config/config.h"
#include "rules/rules.h"
#include "serve/pages_charts.h"
#include "serve/serve.h"
#include "store/charts.h"
#include "store/sql_charts.h"
#include "store/store.h"
#include "util/clock.h"

#define T0 "2024-11-20T23:00:00Z"
#define T1 "2024-11-22T23:00:00Z"
#define T2 "2024-11-27T23:30:00Z"
#define NOW "2024-12-04T00:00:00Z"

/* A long summary (over CHANGES_LONG characters), so that its change has a word diff. */
#define SUMMARY(w) "Reconsider travel to mainland China because local laws are enforced " \
    "arbitrarily, including through exit bans, and because of the risk of " w ". Exercise " \
    "increased caution in the Hong Kong Special Administrative Region because local laws " \
    "may be enforced arbitrarily. Read the risks before you go."

typedef struct fixture {
    char dir[64];
    config_t cfg;
    errlist_t errs;
    rules_t *rules;
    store_t *st;
    serve_ctx_t ctx;
} fixture_t;

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void event(store_t *st, const char *source, const char *key, const char *change,
                  int baseline, const char *item, const char *prev, const char *diff,
                  const char *at)
{
    err_t e = {{0}};
    store_event_t ev = {.source = (char *)source, .key = (char *)key, .change = (char *)change,
                        .baseline = baseline, .item = (char *)item, .prev = (char *)prev,
                        .diff = (char *)diff, .observed_at = (char *)at};
    assert_int_equal(store_event_add(st, &ev, &e), 0);
    if (item)
        assert_int_equal(store_item_put(st, source, key, item, at, &e), 0);
}

static long long flag(store_t *st, const char *rule, const char *key, const char *at)
{
    err_t e = {{0}};
    char dedup[96];
    snprintf(dedup, sizeof dedup, "%s|%s|%s", rule, key, at);
    store_flag_t f = {.rule = rule, .severity = "high", .message = "m", .source = "adv",
                      .key = key, .change = "changed", .observed_at = at, .created_at = at,
                      .dedup = dedup};
    int inserted = 0;
    assert_int_equal(store_flag_add(st, &f, &inserted, &e), 0);
    return f.id;
}

static void source_row(store_t *st, const char *id, int ok, const char *error, const char *at)
{
    err_t e = {{0}};
    source_state_t ss;
    assert_int_equal(store_source_get(st, id, "http://127.0.0.1/", &ss, &e), 0);
    source_state_free(&ss);
    source_outcome_t o = {.attempted_at = at, .ok = ok, .status = ok ? 200 : 500, .error = error,
                          .items = ok ? 2 : -1, .next_due = "2024-12-04T01:00:00Z"};
    assert_int_equal(store_source_record(st, id, &o, &e), 0);
}

static void failed_run(store_t *st, const char *at, const char *errors)
{
    err_t e = {{0}};
    long long id;
    assert_int_equal(store_run_begin(st, at, &id, &e), 0);
    store_run_t r = {.id = id, .started_at = at, .finished_at = at, .exit_code = 1,
                     .failed = 1, .errors_json = errors, .warnings_json = "[]"};
    assert_int_equal(store_run_finish(st, &r, &e), 0);
}

/* China: level 3 with D and O at T0 (baseline), level 2 with O at T2.
 * Albania <x>: level 1 at T0. Kenya: its change note adds K while the
 * letters listed stay C. Gone: removed. A source of another script
 * has an item that must not be listed. */
static void advisories(store_t *st)
{
    source_row(st, "adv", 1, NULL, T0);
    source_row(st, "news", 0, "HTTP 500 <script>alert(1)</script>", "2024-12-03T10:00:00Z");
    const char *ch3 = "{\"code\":\"CH\",\"country\":\"China\",\"label\":\"Reconsider Travel\","
                      "\"level\":3,\"notations\":[\"D\",\"O\"],\"summary\":\"" SUMMARY("wrongful detention") "\"}";
    const char *ch2 = "{\"code\":\"CH\",\"country\":\"China\",\"label\":\"Exercise Increased Caution\","
                      "\"level\":2,\"notations\":[\"O\"],\"summary\":\"" SUMMARY("arbitrary enforcement") "\"}";
    const char *diff = "{\"label\":{\"old\":\"Reconsider Travel\",\"new\":\"Exercise Increased Caution\"},"
                       "\"level\":{\"old\":3,\"new\":2},\"notations\":{\"old\":[\"D\",\"O\"],\"new\":[\"O\"]},"
                       "\"summary\":{\"old\":\"" SUMMARY("wrongful detention") "\",\"new\":\""
                       SUMMARY("arbitrary enforcement") "\"}}";
    event(st, "adv", "CH", "new", 1, ch3, NULL, NULL, T0);
    event(st, "adv", "CH", "changed", 0, ch2, ch3, diff, T2);
    event(st, "adv", "AL", "new", 1,
          "{\"code\":\"AL\",\"country\":\"Albania <x>\",\"level\":1,\"notations\":[]}", NULL, NULL, T0);
    /* Kenya: the letters listed do not move, the change note names K */
    const char *ke0 = "{\"country\":\"Kenya\",\"level\":2,\"notations\":[\"C\"],"
                      "\"indicators_added\":[]}";
    const char *ke1 = "{\"country\":\"Kenya\",\"level\":2,\"notations\":[\"C\"],"
                      "\"indicators_added\":[\"K\"]}";
    event(st, "adv", "KE", "new", 1, ke0, NULL, NULL, T0);
    event(st, "adv", "KE", "changed", 0, ke1, ke0,
          "{\"indicators_added\":{\"old\":[],\"new\":[\"K\"]}}", T1);
    event(st, "adv", "GO", "new", 1, "{\"country\":\"Gone\",\"level\":4}", NULL, NULL, T0);
    err_t e = {{0}};
    assert_int_equal(store_item_mark_removed(st, "adv", "GO", T1, &e), 0);
    event(st, "news", "N1", "new", 0, "{\"country\":\"Newsland\",\"level\":4}", NULL, NULL,
          "2024-12-02T10:00:00Z");
    failed_run(st, "2024-12-03T10:00:00Z", "[\"source news: HTTP 500\"]");
    failed_run(st, "2024-12-03T11:00:00Z", "[\"source newsroom: HTTP 500\",\"source news: x\"]");
    failed_run(st, "2024-12-02T11:00:00Z", "[\"source newsroom: HTTP 500\"]");
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/vane-test-pages-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char rules[128], config[128];
    snprintf(rules, sizeof rules, "%s/rules", f->dir);
    assert_int_equal(mkdir(rules, 0755), 0);
    write_file(rules, "level.lua",
               "return { id = 'level', title = 'Level <changes>', severity = 'high',\n"
               "  when = function(ev) return false end, message = 'x' }\n");
    write_file(rules, "quiet.lua",
               "return { id = 'quiet', title = 'Quiet', severity = 'low',\n"
               "  when = function(ev) return false end, message = 'x' }\n");
    write_file(f->dir, "vane.lua",
               "database \"vane.db\"\nrules { \"rules\" }\n"
               "source { id = \"adv\", name = \"State & advisories\", url = \"http://127.0.0.1:9/a\","
               " script = \"travel_advisories\", every = \"1h\" }\n"
               "source { id = \"news\", url = \"http://127.0.0.1:9/n\", script = \"rss\", every = \"1h\" }\n");
    snprintf(config, sizeof config, "%s/vane.lua", f->dir);
    assert_int_equal(config_load(config, &f->cfg, &f->errs), 0);
    err_t e = {{0}};
    f->rules = rules_load(&f->cfg, &f->errs, &e);
    assert_non_null(f->rules);
    assert_int_equal(rules_count(f->rules), 2);
    char db[128];
    snprintf(db, sizeof db, "%s/vane.db", f->dir);
    f->st = store_open(db, &e);
    assert_non_null(f->st);
    f->ctx = (serve_ctx_t){.st = f->st, .cfg = &f->cfg, .rules = f->rules};
    vtime_t now;
    assert_int_equal(clock_parse_iso(NOW, &now), 0);
    clock_set_now(now);
    advisories(f->st);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    store_close(f->st);
    rules_free(f->rules);
    config_free(&f->cfg);
    errlist_free(&f->errs);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* GET path (with one query parameter, or none) through handler fn. */
static serve_resp_t get(const fixture_t *f, serve_handler_fn fn, const char *path,
                        const char *sort, const char *a0, const char *a1)
{
    serve_param_t q = {"sort", sort};
    const char *args[2] = {a0, a1};
    serve_req_t r = {.ctx = &f->ctx, .method = "GET", .path = path, .query = sort ? &q : NULL,
                     .n_query = sort ? 1 : 0, .args = args, .n_args = a0 ? 2 : 0,
                     .user = "local", .csrf = "t"};
    serve_resp_t out = {0};
    assert_int_equal(fn(&r, &out), 0);
    return out;
}

static const char *after(const char *s, const char *needle)
{
    const char *p = strstr(s, needle);
    if (!p)
        fail_msg("not found: %s", needle);
    return p;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void advisories_list_levels_and_sorts(void **state)
{
    fixture_t *f = *state;
    serve_resp_t out = get(f, page_advisories, "/advisories", NULL, NULL, NULL);
    const char *s = buf_str(&out.body);
    assert_int_equal(out.status, 0);
    const char *ch = after(s, "<tr data-key=\"CH\">");
    assert_true(strstr(ch, "data-level=\"2\"") < strstr(ch, "</tr>"));
    assert_non_null(strstr(ch, "href=\"/advisories/adv/CH\">China</a>"));
    assert_non_null(strstr(ch, "<time datetime=\"" T2 "\">"));
    assert_non_null(strstr(s, "Albania &lt;x&gt;"));
    assert_null(strstr(s, "Albania <x>"));
    assert_non_null(strstr(s, "State &amp; advisories"));
    assert_null(strstr(s, "data-key=\"GO\""));      /* removed */
    assert_null(strstr(s, "Newsland"));             /* another script's source */
    assert_non_null(strstr(s, "href=\"/advisories?sort=level\""));
    /* by country: Albania first */
    assert_true(strstr(s, "data-key=\"AL\"") < strstr(s, "data-key=\"CH\""));
    buf_free(&out.body);

    out = get(f, page_advisories, "/advisories", "level", NULL, NULL);
    s = buf_str(&out.body);
    assert_true(strstr(s, "data-key=\"CH\"") < strstr(s, "data-key=\"AL\""));
    assert_non_null(strstr(s, "<a href=\"/advisories?sort=level\" class=\"here\">"));
    buf_free(&out.body);

    out = get(f, page_advisories, "/advisories", "changed", NULL, NULL);
    s = buf_str(&out.body);
    assert_true(strstr(s, "data-key=\"CH\"") < strstr(s, "data-key=\"AL\""));
    buf_free(&out.body);

    out = get(f, page_advisories, "/advisories", "<bogus>", NULL, NULL);   /* country order */
    s = buf_str(&out.body);
    assert_true(strstr(s, "data-key=\"AL\"") < strstr(s, "data-key=\"CH\""));
    assert_null(strstr(s, "bogus"));
    buf_free(&out.body);
}

static void a_country_has_its_steps_lanes_and_notes(void **state)
{
    fixture_t *f = *state;
    serve_resp_t out = get(f, page_advisory, "/advisories/adv/CH", NULL, "adv", "CH");
    const char *s = buf_str(&out.body);
    assert_int_equal(out.status, 0);
    assert_int_equal(count(s, "<circle class=\"pt\""), 2);
    const char *p3 = after(s, "<circle class=\"pt\"");
    assert_non_null(strstr(p3, "data-t=\"" T0 "\" data-v=\"3\""));
    const char *p2 = after(p3 + 1, "<circle class=\"pt\"");
    assert_true(strstr(p2, "data-t=\"" T2 "\" data-v=\"2\"") == strstr(p2, "data-t="));
    assert_non_null(strstr(s, "<path class=\"step\""));
    /* D held from T0 to T2, O from T0 until now */
    assert_non_null(strstr(s, "data-lane=\"D\" data-from=\"" T0 "\" data-to=\"" T2 "\""));
    assert_non_null(strstr(s, "data-lane=\"O\" data-from=\"" T0 "\" data-to=\"" NOW "\""));
    assert_int_equal(count(s, "<rect class=\"span\""), 2);
    /* the change notes: newest first, 3 → 2, D removed, the summary's word diff */
    const char *notes = after(s, "<table class=\"versions\">");
    assert_true(strstr(notes, T2) < strstr(notes, T0));
    assert_non_null(strstr(notes, "3 \xe2\x86\x92</span>"));
    assert_non_null(strstr(notes, "<span class=\"removed\">\xe2\x88\x92" "D</span>"));
    assert_non_null(strstr(notes, "<del>wrongful detention. </del>"));
    assert_non_null(strstr(notes, "<ins>arbitrary enforcement. </ins>"));
    buf_free(&out.body);

    out = get(f, page_advisory, "/advisories/adv/AL", NULL, "adv", "AL");
    s = buf_str(&out.body);
    assert_int_equal(count(s, "<circle class=\"pt\""), 1);
    assert_non_null(strstr(s, "<h1>Albania &lt;x&gt; "));
    assert_null(strstr(s, "<x>"));
    buf_free(&out.body);

    out = get(f, page_advisory, "/advisories/adv/KE", NULL, "adv", "KE");
    s = buf_str(&out.body);
    assert_non_null(strstr(s, "<td class=\"letters\">C <span class=\"added\">+K</span> </td>"));
    assert_null(strstr(s, "class=\"removed\""));
    buf_free(&out.body);

    out = get(f, page_advisory, "/advisories/adv/ZZ", NULL, "adv", "ZZ");
    assert_int_equal(out.status, 404);
    buf_free(&out.body);
    out = get(f, page_advisory, "/advisories/nope/CH", NULL, "nope", "CH");
    assert_int_equal(out.status, 404);
    buf_free(&out.body);
}

static void sources_show_health_and_days(void **state)
{
    fixture_t *f = *state;
    serve_resp_t out = get(f, page_sources, "/sources", NULL, NULL, NULL);
    const char *s = buf_str(&out.body);
    const char *news = after(s, "<tr data-source=\"news\">");
    assert_non_null(strstr(news, "<td class=\"num bad\">1</td>"));
    assert_non_null(strstr(news, "HTTP 500 &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_null(strstr(s, "<script>alert"));
    /* failed runs that name news (not newsroom): 2 on 12-03, none on 12-02 */
    assert_non_null(strstr(news, "data-label=\"12-03\" data-v=\"2\"><title>12-03: 2</title></rect>"));
    /* newsroom's failure on 12-02 is not news's */
    assert_non_null(strstr(news, "data-label=\"12-02\" data-v=\"0\"><title>12-02: 0</title>"));
    /* news's one change (not baseline) on 12-02 */
    assert_non_null(strstr(news, "data-label=\"12-02\" data-v=\"1\"><title>12-02: 1</title></rect><rect class=\"bar bar2\""));
    const char *adv = after(s, "<tr data-source=\"adv\">");
    assert_non_null(strstr(adv, "State &amp; advisories"));
    assert_non_null(strstr(adv, "<td class=\"num\">0</td><td class=\"num\">2</td>"));
    /* adv's change at T2 (11-27) is counted, its baseline (11-20, before the window) not */
    assert_true(strstr(adv, "data-label=\"11-27\" data-v=\"1\"") < strstr(adv, "</tr>"));
    buf_free(&out.body);
}

static void rules_show_weeks_verdicts_and_precision(void **state)
{
    fixture_t *f = *state;
    long long a = flag(f->st, "level", "CH", T2), b = flag(f->st, "level", "FR", T2);
    flag(f->st, "level", "DE", T1);
    flag(f->st, "old-rule", "DE", T1);
    flag(f->st, "quiet", "DE", "2024-06-01T00:00:00Z");   /* before the 12 weeks */
    err_t e = {{0}};
    assert_int_equal(store_verdict_set(f->st, a, "useful", NULL, "ana", NOW, &e), 0);
    assert_int_equal(store_verdict_set(f->st, b, "noise", "<b>", "ana", NOW, &e), 0);
    serve_resp_t out = get(f, page_rules, "/rules", NULL, NULL, NULL);
    const char *s = buf_str(&out.body);
    const char *level = after(s, "<tr data-rule=\"level\">");
    assert_non_null(strstr(level, "Level &lt;changes&gt;"));
    assert_non_null(strstr(level, "level.lua"));
    assert_non_null(strstr(level, "<td class=\"num\">3</td><td class=\"num\">1</td>"
                                  "<td class=\"num\">1</td><td class=\"num\">1</td>"
                                  "<td class=\"num precision\">0.50</td>"));
    /* 12 weekly bars; T1 and T2 fall in different weeks */
    const char *end = strstr(level, "</tr>");
    assert_int_equal(count(level, "<rect class=\"bar\" x=") - count(end, "<rect class=\"bar\" x="),
                     12);
    const char *quiet = after(s, "<tr data-rule=\"quiet\">");
    assert_non_null(strstr(quiet, "<td class=\"num precision\">\xe2\x80\x94</td>"));
    const char *qend = strstr(quiet, "</tr>");
    const char *v1 = strstr(quiet, "data-v=\"1\"");
    assert_true(v1 == NULL || v1 > qend);   /* its one flag is older than 12 weeks */
    const char *old = after(s, "<tr data-rule=\"old-rule\">");
    assert_non_null(strstr(old, "no longer loaded"));
    /* loaded rules first, in their order, then the others */
    assert_true(strstr(s, "data-rule=\"level\"") < strstr(s, "data-rule=\"old-rule\""));
    buf_free(&out.body);
}

/* Stands in for the store's unpacking function, for EXPLAIN. */
static void stub(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_null(c);
}

/* The plan of sql as one line per step, "|"-separated, into out. */
static void plan_of(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    char explain[4096];
    snprintf(explain, sizeof explain, "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, explain, -1, &q, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    out[0] = '\0';
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(q, 3);
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s|", d ? d : "");
    }
    sqlite3_finalize(q);
}

static void no_walk(const char *plan, const char *sql)
{
    static const char *const whole[] = {"SCAN events", "SCAN e ", "SCAN e|", "SCAN flags", NULL};
    for (int i = 0; whole[i]; i++)
        if (strstr(plan, whole[i]))
            fail_msg("%s\nwalks a big table: %s", sql, plan);
}

static void reads_use_their_indexes(void **state)
{
    fixture_t *f = *state;
    char path[128], plan[2048], sql[4096];
    snprintf(path, sizeof path, "%s/vane.db", f->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_create_function(db, "event_diff", 3, SQLITE_UTF8, NULL, stub, NULL,
                                             NULL), SQLITE_OK);
    for (int k = CHART_BY_COUNTRY; k <= CHART_BY_CHANGE; k++) {
        snprintf(sql, sizeof sql, "%s%s", db_sql_charts_advisories,
                 db_sql_charts_advisory_order[k]);
        plan_of(db, sql, plan, sizeof plan);
        no_walk(plan, sql);
        assert_non_null(strstr(plan, "events_source_key (source=? AND key=?)"));
    }
    const char *const others[] = {db_sql_charts_versions, db_sql_charts_source_changes,
                                  db_sql_charts_source_failures, db_sql_charts_rules_weeks,
                                  db_sql_charts_sources};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        plan_of(db, others[i], plan, sizeof plan);
        no_walk(plan, others[i]);
    }
    plan_of(db, db_sql_charts_rules_weeks, plan, sizeof plan);
    assert_non_null(strstr(plan, "flags_created"));
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(advisories_list_levels_and_sorts, setup, teardown),
        cmocka_unit_test_setup_teardown(a_country_has_its_steps_lanes_and_notes, setup, teardown),
        cmocka_unit_test_setup_teardown(sources_show_health_and_days, setup, teardown),
        cmocka_unit_test_setup_teardown(rules_show_weeks_verdicts_and_precision, setup, teardown),
        cmocka_unit_test_setup_teardown(reads_use_their_indexes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

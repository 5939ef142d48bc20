/* test_metrics.c — vane's Prometheus metrics (metrics/metrics.c) and the
 * machine-readable pages of `vane serve` (serve/api.c, feed.c,
 * metrics_page.c) on a real SQLite file: the figures of runs, sources,
 * flags and the outbox; label values escaped; the metrics file replaced
 * whole; the JSON API's filters, paging and errors; the Atom feed's
 * entries and links. Handlers are called through the route table with a
 * hand-made request. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "channel/atom.h"
#include "metrics/metrics.h"
#include "serve/serve.h"
#include "store/store.h"
#include "dbtest.h"

#define T1 "2024-11-22T23:00:00Z"
#define T2 "2024-11-22T23:00:07Z"

static void source(store_t *st, const char *id, int ok, long items, const char *at)
{
    err_t e = {{0}};
    source_state_t ss;
    assert_int_equal(store_source_get(st, id, "http://127.0.0.1/", &ss, &e), 0);
    source_state_free(&ss);
    source_outcome_t o = {.attempted_at = at, .ok = ok, .status = ok ? 200 : 500,
                          .error = ok ? NULL : "HTTP 500 \"busy\"", .items = ok ? items : -1,
                          .next_due = at};
    assert_int_equal(store_source_record(st, id, &o, &e), 0);
}

static long long flag(store_t *st, const char *rule, const char *severity, const char *key,
                      const char *message, const char *at)
{
    static int n;
    err_t e = {{0}};
    char dedup[32];
    snprintf(dedup, sizeof dedup, "d%d", ++n);
    store_flag_t f = {.rule = rule, .severity = severity, .message = message, .source = "s",
                      .key = key, .change = "changed", .observed_at = at, .created_at = at,
                      .dedup = dedup, .title = key, .link = "https://example.org/a?b=1&c=2",
                      .source_name = "Advisories", .rule_title = "Level changes",
                      .changes = "[{\"field\":\"level\",\"old\":\"2\",\"new\":\"3\"}]"};
    int inserted = 0;
    assert_int_equal(store_flag_add(st, &f, &inserted, &e), 0);
    assert_int_equal(inserted, 1);
    return f.id;
}

static void run(store_t *st, int code)
{
    err_t e = {{0}};
    long long id;
    assert_int_equal(store_run_begin(st, T1, &id, &e), 0);
    store_run_t r = {.id = id, .started_at = T1, .finished_at = T2, .exit_code = code,
                     .errors_json = "[]", .warnings_json = "[]"};
    assert_int_equal(store_run_finish(st, &r, &e), 0);
}

/* One outbox row of flag_id for channel, dead when dead. */
static void delivery(store_t *st, long long flag_id, const char *channel, int dead)
{
    err_t e = {{0}};
    assert_int_equal(store_outbox_add(st, flag_id, channel, &e), 0);
    if (!dead)
        return;
    store_outbox_row_t *rows;
    size_t n;
    assert_int_equal(store_outbox_pending(st, channel, &rows, &n, &e), 0);
    for (size_t i = 0; i < n; i++)
        if (rows[i].flag_id == flag_id)
            assert_int_equal(store_outbox_failed(st, rows[i].id, 1, "no", NULL, 1, &e), 0);
    store_outbox_free(rows, n);
}

/* The database the tests read: two runs (ok, failed), sources up and
 * down, four flags, an outbox with pending and dead rows. */
static void fill(store_t *st)
{
    run(st, 0);
    run(st, 1);
    source(st, "s", 1, 12, T1);
    source(st, "down", 0, 0, T1);
    source(st, "down", 0, 0, T2);
    long long a = flag(st, "level", "high", "FR", "France: 2 → 3", T1);
    flag(st, "level", "high", "DE", "Germany: 1 → 2", T1);
    flag(st, "level", "low", "IT", "Italy <b>&</b>", T2);
    long long d = flag(st, "notes", "medium", "ES", "Spain 100% \"new\"", T2);
    delivery(st, a, "mail", 0);
    delivery(st, d, "mail", 1);
    delivery(st, a, "odd\"chan\\nel\n", 1);
}

static char *build(store_t *st)
{
    buf_t b = {0};
    err_t e = {{0}};
    assert_int_equal(metrics_build(st, NULL, &b, &e), 0);
    return buf_steal(&b);
}

static void has(const char *text, const char *line)
{
    char want[512];
    snprintf(want, sizeof want, "\n%s\n", line);
    if (!strstr(text, want))
        fail_msg("no line %s in\n%s", line, text);
}

static void metrics_give_the_databases_figures(void **state)
{
    fixture_t *f = *state;
    fill(f->st);
    char *t = build(f->st);
    has(t, "# TYPE vane_runs_total counter");
    has(t, "vane_runs_total{status=\"ok\"} 1");
    has(t, "vane_runs_total{status=\"failed\"} 1");
    has(t, "vane_last_run_exit_code 1");
    has(t, "vane_last_run_duration_seconds 7");
    has(t, "vane_last_run_timestamp_seconds 1732316407");
    has(t, "vane_source_up{source=\"s\"} 1");
    has(t, "vane_source_up{source=\"down\"} 0");
    has(t, "vane_source_failures{source=\"down\"} 2");
    has(t, "vane_source_failures{source=\"s\"} 0");
    has(t, "vane_source_items{source=\"s\"} 12");
    has(t, "vane_source_last_success_timestamp_seconds{source=\"s\"} 1732316400");
    assert_null(strstr(t, "vane_source_last_success_timestamp_seconds{source=\"down\"}"));
    has(t, "vane_flags_total{rule=\"level\",severity=\"high\"} 2");
    has(t, "vane_flags_total{rule=\"level\",severity=\"low\"} 1");
    has(t, "vane_flags_total{rule=\"notes\",severity=\"medium\"} 1");
    has(t, "vane_outbox_pending{channel=\"mail\"} 1");
    has(t, "vane_outbox_dead{channel=\"mail\"} 1");
    has(t, "# TYPE vane_database_bytes gauge");
    /* every family has its HELP and TYPE once, before its samples */
    const char *fams[] = {"vane_runs_total", "vane_source_up", "vane_flags_total",
                          "vane_outbox_pending", "vane_outbox_dead", "vane_database_bytes"};
    for (size_t i = 0; i < sizeof fams / sizeof *fams; i++) {
        char help[128];
        snprintf(help, sizeof help, "# HELP %s ", fams[i]);
        const char *h = strstr(t, help);
        assert_non_null(h);
        assert_null(strstr(h + 1, help));
    }
    free(t);
}

static void label_values_are_escaped(void **state)
{
    fixture_t *f = *state;
    fill(f->st);
    char *t = build(f->st);
    has(t, "vane_outbox_dead{channel=\"odd\\\"chan\\\\nel\\n\"} 1");
    has(t, "vane_outbox_pending{channel=\"odd\\\"chan\\\\nel\\n\"} 0");
    free(t);
}

static void the_database_size_counts_its_log(void **state)
{
    fixture_t *f = *state;
    fill(f->st);
    char *t = build(f->st);
    struct stat db, wal;
    assert_int_equal(stat(f->path, &db), 0);
    char walp[160];
    snprintf(walp, sizeof walp, "%s-wal", f->path);
    long long want = (long long)db.st_size + (stat(walp, &wal) == 0 ? (long long)wal.st_size : 0);
    char line[64];
    snprintf(line, sizeof line, "vane_database_bytes %lld", want);
    has(t, line);
    free(t);
}

static void an_empty_database_gives_families_without_samples(void **state)
{
    fixture_t *f = *state;
    char *t = build(f->st);
    assert_null(strstr(t, "vane_last_run_"));   /* no run has finished */
    has(t, "# TYPE vane_flags_total counter");
    assert_null(strstr(t, "vane_flags_total{"));
    free(t);
}

static void the_file_is_replaced_whole(void **state)
{
    fixture_t *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/vane.prom", f->dir);
    buf_t a = {0}, b = {0};
    err_t e = {{0}};
    buf_puts(&a, "first\n");
    buf_puts(&b, "second\n");
    assert_int_equal(metrics_file_write(path, &a, &e), 0);
    assert_int_equal(metrics_file_write(path, &b, &e), 0);
    size_t len;
    char *got = buf_read_all(path, &len);
    assert_string_equal(got, "second\n");
    free(got);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0644);
    char missing[200];
    snprintf(missing, sizeof missing, "%s/no/such/vane.prom", f->dir);
    assert_int_equal(metrics_file_write(missing, &a, &e), -1);
    assert_non_null(strstr(e.msg, "metrics_file"));
    assert_non_null(strstr(e.msg, missing));
    buf_free(&a);
    buf_free(&b);
}

/* ---- the pages ------------------------------------------------------------------- */

/* The query's pairs name, value, …, NULL-ended. */
#define Q(...) ((const char *const[]){__VA_ARGS__, NULL})

/* GET path?query (pairs, or NULL) through the route table. */
static int get(store_t *st, const char *url, serve_resp_t *out, const char *path,
               const char *const *pairs)
{
    serve_param_t q[8];
    size_t n = 0;
    for (; pairs && pairs[2 * n] && n < 8; n++)
        q[n] = (serve_param_t){pairs[2 * n], pairs[2 * n + 1]};
    char *args[SERVE_MAX_ARGS];
    size_t n_args;
    int known;
    const serve_route_t *rt = serve_route_find("GET", path, args, &n_args, &known);
    assert_non_null(rt);
    serve_ctx_t ctx = {.st = st, .url = url};
    serve_req_t r = {.ctx = &ctx, .method = "GET", .path = path, .query = q, .n_query = n,
                     .args = (const char *const *)args, .n_args = n_args, .user = "local"};
    *out = (serve_resp_t){0};
    int rc = rt->fn(&r, out);
    serve_args_free(args, n_args);
    return rc;
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void the_api_lists_flags_with_filters_and_pages(void **state)
{
    fixture_t *f = *state;
    fill(f->st);
    serve_resp_t r;
    assert_int_equal(get(f->st, NULL, &r, "/api/flags", NULL), 0);
    assert_string_equal(r.content_type, "application/json");
    const char *b = buf_str(&r.body);
    assert_int_equal(strncmp(b, "{\"flags\":[{\"id\":4,\"run_id\":null,\"rule\":\"notes\"", 45), 0);
    assert_int_equal(count(b, "\"rule_title\""), 4);
    assert_non_null(strstr(b, "],\"next\":null}"));
    buf_free(&r.body);

    assert_int_equal(get(f->st, NULL, &r, "/api/flags", Q("limit", "2")), 0);
    assert_int_equal(count(buf_str(&r.body), "\"rule_title\""), 2);
    assert_non_null(strstr(buf_str(&r.body), "\"next\":3}"));
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/flags", Q("limit", "2", "before", "3")), 0);
    assert_non_null(strstr(buf_str(&r.body), "{\"flags\":[{\"id\":2,"));
    assert_non_null(strstr(buf_str(&r.body), "\"next\":null}"));
    buf_free(&r.body);

    assert_int_equal(get(f->st, NULL, &r, "/api/flags",
                         Q("severity", "medium", "rule", "level")), 0);
    assert_int_equal(count(buf_str(&r.body), "\"rule_title\""), 2);   /* the two high ones */
    assert_null(strstr(buf_str(&r.body), "\"low\""));
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/flags", Q("q", "100%")), 0);
    assert_int_equal(count(buf_str(&r.body), "\"rule_title\""), 1);
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/flags", Q("q", "0%")), 0);  /* % is literal */
    assert_int_equal(count(buf_str(&r.body), "\"rule_title\""), 1);
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/flags", Q("since", T2)), 0);
    assert_int_equal(count(buf_str(&r.body), "\"rule_title\""), 2);
    buf_free(&r.body);

    assert_int_equal(get(f->st, NULL, &r, "/api/flags", Q("until", "2024-11-22T23:00:05Z")), 0);
    assert_int_equal(count(buf_str(&r.body), "\"rule_title\""), 2);
    assert_non_null(strstr(buf_str(&r.body), "{\"flags\":[{\"id\":2,"));
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/flags", Q("until", "2024-11-22")), 0);
    assert_int_equal(count(buf_str(&r.body), "\"rule_title\""), 4);   /* the whole day */
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/flags", Q("since", "2024-11-23")), 0);
    assert_string_equal(buf_str(&r.body), "{\"flags\":[],\"next\":null}\n");
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/flags", Q("q", "FR")), 0);   /* title, not key */
    assert_int_equal(count(buf_str(&r.body), "\"rule_title\""), 1);
    buf_free(&r.body);

    assert_int_equal(get(f->st, NULL, &r, "/api/flags", Q("severity", "urgent")), 0);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(buf_str(&r.body), "{\"error\":\"severity must be one of"));
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/flags", Q("limit", "501")), 0);
    assert_int_equal(r.status, 400);
    buf_free(&r.body);
}

static int append_line(void *ud, const char *json, int ncols, const char *const *names,
                       const char *const *cols)
{
    (void)ncols, (void)names, (void)cols;
    buf_t *b = ud;
    return buf_puts(b, b->len ? "," : "") | buf_puts(b, json);
}

/* The API's flags are `vane flags --json`'s objects (that lists oldest first). */
static void the_apis_flags_are_the_listings_objects(void **state)
{
    fixture_t *f = *state;
    fill(f->st);
    err_t e = {{0}};
    buf_t want = {0};
    store_filter_t one = {.rule = "notes"};
    assert_int_equal(store_list(f->st, STORE_LIST_FLAGS, &one, append_line, &want, &e), 0);
    serve_resp_t r;
    assert_int_equal(get(f->st, NULL, &r, "/api/flags", Q("rule", "notes")), 0);
    buf_t got = {0};
    buf_printf(&got, "{\"flags\":[%s],\"next\":null}\n", buf_str(&want));
    assert_string_equal(buf_str(&r.body), buf_str(&got));
    buf_free(&r.body);
    buf_free(&want);
    buf_free(&got);
}

static void the_api_gives_an_item_and_the_sources(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    fill(f->st);
    store_event_t ev = {.source = "s", .key = "FR", .change = "new", .item = "{\"level\":2}",
                        .observed_at = T1};
    assert_int_equal(store_event_add(f->st, &ev, &e), 0);
    assert_int_equal(store_item_put(f->st, "s", "FR", "{\"level\":2}", T1, &e), 0);
    serve_resp_t r;
    assert_int_equal(get(f->st, NULL, &r, "/api/items/s/FR", NULL), 0);
    const char *b = buf_str(&r.body);
    assert_non_null(strstr(b, "{\"source\":\"s\",\"key\":\"FR\",\"item\":{\"fields\":{\"level\":2}"));
    assert_non_null(strstr(b, "\"versions\":[{\"id\":"));
    assert_non_null(strstr(b, "\"flags\":[]}]}"));
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/items/s", Q("key", "FR")), 0);
    assert_non_null(strstr(buf_str(&r.body), "{\"source\":\"s\",\"key\":\"FR\",\"item\":{"));
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/items/s", NULL), 0);
    assert_int_equal(r.status, 400);
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/items/s/XX", NULL), 0);
    assert_int_equal(r.status, 404);
    assert_string_equal(buf_str(&r.body), "{\"error\":\"no such item\"}\n");
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/sources", NULL), 0);
    b = buf_str(&r.body);
    assert_int_equal(strncmp(b, "{\"sources\":[{\"id\":\"down\"", 24), 0);
    assert_non_null(strstr(b, "\"last_error\":\"HTTP 500 \\\"busy\\\"\""));
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/api/nothing", NULL), 0);
    assert_int_equal(r.status, 404);
    buf_free(&r.body);
}

static void the_feed_has_an_entry_per_flag_with_both_links(void **state)
{
    fixture_t *f = *state;
    fill(f->st);
    serve_resp_t r;
    assert_int_equal(get(f->st, "https://desk.example/vane/", &r, "/flags.atom",
                         Q("rule", "level")), 0);
    assert_string_equal(r.content_type, "application/atom+xml; charset=utf-8");
    const char *b = buf_str(&r.body);
    assert_int_equal(count(b, "<entry>"), 3);
    assert_non_null(strstr(b, "<id>https://desk.example/vane/flag/3</id>"));
    assert_non_null(strstr(b, "<link rel=\"related\" type=\"text/html\" "
                              "href=\"https://desk.example/vane/flags/3\"/>"));
    assert_non_null(strstr(b, "href=\"https://example.org/a?b=1&amp;c=2\""));
    assert_non_null(strstr(b, "href=\"https://desk.example/vane/flags.atom?rule=level\""));
    assert_non_null(strstr(b, "Italy &lt;b&gt;&amp;&lt;/b&gt;"));
    assert_true(strstr(b, "/flag/3<") < strstr(b, "/flag/1<"));   /* newest first */
    atom_entries_t read = {0};
    const char *why = NULL;
    assert_int_equal(atom_read(b, r.body.len, &read, &why), 0);  /* well-formed Atom */
    assert_int_equal(read.n, 3);
    atom_entries_free(&read);
    buf_free(&r.body);
    assert_int_equal(get(f->st, NULL, &r, "/flags.atom", Q("limit", "1")), 0);
    b = buf_str(&r.body);
    assert_int_equal(count(b, "<entry>"), 1);
    assert_non_null(strstr(b, "<id>tag:vane,2026:serve/flag/4</id>"));
    assert_non_null(strstr(b, "href=\"/flags/4\""));
    assert_null(strstr(b, "rel=\"self\""));
    buf_free(&r.body);
}

static void the_metrics_page_is_the_text_format(void **state)
{
    fixture_t *f = *state;
    fill(f->st);
    serve_resp_t r;
    assert_int_equal(get(f->st, NULL, &r, "/metrics", NULL), 0);
    assert_string_equal(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    has(buf_str(&r.body), "vane_runs_total{status=\"ok\"} 1");
    buf_free(&r.body);
}

/* A hundred thousand flags: the metrics stay cheap. */
static void metrics_are_cheap_with_many_flags(void **state)
{
    fixture_t *f = *state;
    err_t e = {{0}};
    assert_int_equal(store_begin(f->st, &e), 0);
    static const char *const rules[] = {"a", "b", "c", "d"};
    static const char *const sev[] = {"low", "medium", "high"};
    for (int i = 0; i < 100000; i++) {
        char dedup[32];
        snprintf(dedup, sizeof dedup, "x%d", i);
        store_flag_t fl = {.rule = rules[i % 4], .severity = sev[i % 3], .message = "m",
                           .source = "s", .key = "k", .observed_at = T1, .created_at = T1,
                           .dedup = dedup};
        int inserted;
        assert_int_equal(store_flag_add(f->st, &fl, &inserted, &e), 0);
    }
    assert_int_equal(store_commit(f->st, &e), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *t = build(f->st);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    print_message("metrics with 100000 flags: %.1f ms\n", ms);
    has(t, "vane_flags_total{rule=\"a\",severity=\"low\"} 8334");
    assert_true(ms < 200);   /* about 20 ms from the covering index; 200 without */
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(metrics_give_the_databases_figures, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(label_values_are_escaped, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(the_database_size_counts_its_log, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(an_empty_database_gives_families_without_samples, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(the_file_is_replaced_whole, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(the_api_lists_flags_with_filters_and_pages, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(the_apis_flags_are_the_listings_objects, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(the_api_gives_an_item_and_the_sources, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(the_feed_has_an_entry_per_flag_with_both_links, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(the_metrics_page_is_the_text_format, dbtest_setup, dbtest_teardown),
        cmocka_unit_test_setup_teardown(metrics_are_cheap_with_many_flags, dbtest_setup, dbtest_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

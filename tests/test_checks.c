/* test_checks.c — the rules' per-run checks: episodes and realert windows,
 * check errors, and vane.history / vane.events reading the store; real rule
 * files, configuration and database in a temporary folder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/checks.h"
#include "util/clock.h"
#include "config/config.h"
#include "rules/rules.h"
#include "store/store.h"
#include "dbpeek.h"

/* Returns key "quiet" while ctx.now is before 2024-11-10 and again from
 * 2024-11-10T06:00 on: the condition ends at midnight and comes back six
 * hours later. */
static const char episode_rule[] =
    "return {\n"
    "  id = \"quiet-watch\", severity = \"low\", realert = \"24h\",\n"
    "  check = function(ctx)\n"
    "    if ctx.now < \"2024-11-10\" or ctx.now >= \"2024-11-10T06\" then\n"
    "      return { { key = \"quiet\", message = \"quiet at \" .. ctx.now, source = \"press\" } }\n"
    "    end\n"
    "  end,\n"
    "}\n";

/* Reads what is stored and tries to change it through the returned tables. */
static const char history_rule[] =
    "return {\n"
    "  id = \"history-reader\", realert = false,\n"
    "  check = function(ctx)\n"
    "    local h = vane.history(\"press\", \"a\")\n"
    "    local evs = vane.events{ source = \"press\", since = \"3d\" }\n"
    "    h[1].item.title = \"rewritten\"\n"
    "    evs[1].change = \"removed\"\n"
    "    local again = vane.history(\"press\", \"a\")\n"
    "    return { { key = \"h\", message = #h .. \" \" .. again[1].item.title .. \" \" ..\n"
    "               again[#again].change .. \" \" .. #evs .. \" \" .. evs[#evs].key } }\n"
    "  end,\n"
    "}\n";

static const char meta_rule[] =
    "return {\n"
    "  id = \"meta-check\",\n"
    "  check = function(ctx)\n"
    "    return { setmetatable({ key = 'k' }, { __index = function() while true do end end }) }\n"
    "  end,\n"
    "}\n";

static const char broken_rule[] =
    "return {\n"
    "  id = \"broken-check\",\n"
    "  check = function(ctx)\n"
    "    return nil + 1\n"
    "  end,\n"
    "}\n";

typedef struct fixture {
    char dir[64];
    config_t cfg;
    store_t *st;
    rules_t *rules;
    errlist_t errs;
} fixture_t;

/* A monitor folder with the given rule file, loaded. */
static fixture_t *monitor(const char *rule_name, const char *rule_text)
{
    fixture_t *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/vane-test-checks-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char rules[128];
    snprintf(rules, sizeof rules, "%s/rules", f->dir);
    assert_int_equal(mkdir(rules, 0755), 0);
    write_file(rules, rule_name, rule_text);
    write_file(f->dir, "vane.lua", "database \"vane.db\"\n");
    char config[128];
    snprintf(config, sizeof config, "%s/vane.lua", f->dir);
    assert_int_equal(config_load(config, &f->cfg, &f->errs), 0);
    err_t e = {{0}};
    f->st = store_open(f->cfg.database, &e);
    assert_non_null(f->st);
    f->rules = rules_load(&f->cfg, &f->errs, &e);
    assert_non_null(f->rules);
    assert_int_equal(f->errs.len, 0);
    rules_attach_store(f->rules, f->st);
    return f;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    rules_free(f->rules);
    store_close(f->st);
    config_free(&f->cfg);
    errlist_free(&f->errs);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    clock_set_now(0);
    return 0;
}

/* One run's checks at `now`, in a transaction as vane run does; returns
 * the new flags. */
static long run_at(fixture_t *f, const char *now, int expect_status)
{
    vtime_t t;
    assert_int_equal(clock_parse_iso(now, &t), 0);
    clock_set_now(t);
    err_t e = {{0}};
    checks_opts_t o = {f->st, &f->cfg, 0, now, 0};
    long flags = -1;
    assert_int_equal(store_begin(f->st, &e), 0);
    assert_int_equal(checks_run(f->rules, &o, &f->errs, &flags, &e), expect_status);
    assert_int_equal(store_commit(f->st, &e), 0);
    return flags;
}

static long count_flags(fixture_t *f)
{
    return (long)dbpeek_int(f->cfg.database, "SELECT count(*) FROM flags", 0);
}

static void the_decision_follows_the_episode_and_the_window(void **state)
{
    (void)state;
    const char *t0 = "2024-11-01T00:00:00Z";
    assert_int_equal(checks_decide(0, 0, NULL, t0, 86400), CHECK_NEW_EPISODE);
    assert_int_equal(checks_decide(1, 0, t0, "2024-11-01T01:00:00Z", 86400), CHECK_NEW_EPISODE);
    assert_int_equal(checks_decide(1, 1, t0, "2024-11-01T23:59:59Z", 86400), CHECK_QUIET);
    assert_int_equal(checks_decide(1, 1, t0, "2024-11-02T00:00:00Z", 86400), CHECK_REALERT);
    assert_int_equal(checks_decide(1, 1, t0, "2024-12-01T00:00:00Z", RULES_REALERT_NEVER), CHECK_QUIET);
    assert_int_equal(checks_decide(1, 1, t0, "2024-10-01T00:00:00Z", 86400), CHECK_QUIET);
}

static void a_holding_condition_realerts_once_per_window(void **state)
{
    fixture_t *f = monitor("quiet.lua", episode_rule);
    *state = f;
    assert_int_equal(run_at(f, "2024-11-01T00:00:00Z", 0), 1);   /* new episode */
    assert_int_equal(run_at(f, "2024-11-01T00:00:00Z", 0), 0);   /* a rerun */
    assert_int_equal(run_at(f, "2024-11-01T12:00:00Z", 0), 0);   /* within the window */
    assert_int_equal(run_at(f, "2024-11-01T23:59:59Z", 0), 0);
    assert_int_equal(run_at(f, "2024-11-02T00:00:00Z", 0), 1);   /* a day after the last */
    assert_int_equal(run_at(f, "2024-11-02T18:00:00Z", 0), 0);
    assert_int_equal(run_at(f, "2024-11-03T06:00:00Z", 0), 1);
    assert_int_equal(count_flags(f), 3);
}

static void a_condition_that_ends_and_returns_is_flagged_at_once(void **state)
{
    fixture_t *f = monitor("quiet.lua", episode_rule);
    *state = f;
    assert_int_equal(run_at(f, "2024-11-09T12:00:00Z", 0), 1);
    assert_int_equal(run_at(f, "2024-11-10T00:00:00Z", 0), 0);   /* not returned: episode ends */
    /* back 18 hours after the last flag, within its window: a new episode */
    assert_int_equal(run_at(f, "2024-11-10T06:00:00Z", 0), 1);
    assert_int_equal(run_at(f, "2024-11-10T07:00:00Z", 0), 0);
    char start[256];
    assert_string_equal(dbpeek_text(f->cfg.database, "SELECT episode_start FROM check_state "
                                    "WHERE rule = 'quiet-watch' AND key = 'quiet'", start),
                        "2024-11-10T06:00:00Z");
    assert_int_equal(dbpeek_int(f->cfg.database, "SELECT active FROM check_state "
                                "WHERE rule = 'quiet-watch' AND key = 'quiet'", 0), 1);
}

static void a_failing_check_is_reported_with_its_line_and_flags_nothing(void **state)
{
    fixture_t *f = monitor("broken.lua", broken_rule);
    *state = f;
    assert_int_equal(run_at(f, "2024-11-01T00:00:00Z", 1), 0);
    assert_int_equal(f->errs.len, 1);
    assert_non_null(strstr(f->errs.msgs[0], "rules/broken.lua:4:"));
    assert_int_equal(count_flags(f), 0);
}

static void a_check_returning_a_table_with_a_metatable_is_refused_with_its_line(void **state)
{
    fixture_t *f = monitor("meta.lua", meta_rule);
    *state = f;
    assert_int_equal(run_at(f, "2024-11-01T00:00:00Z", 1), 0);
    assert_int_equal(f->errs.len, 1);
    assert_non_null(strstr(f->errs.msgs[0], "rules/meta.lua:3: rule meta-check: check: a table "
                                            "with a metatable at [1]"));
    assert_int_equal(count_flags(f), 0);
}

static void store_event(fixture_t *f, const char *key, const char *change, const char *item,
                        const char *at)
{
    err_t e = {{0}};
    store_event_t ev = {.source = "press", .key = (char *)key, .change = (char *)change,
                        .item = (char *)item, .observed_at = (char *)at};
    assert_int_equal(store_event_add(f->st, &ev, &e), 0);
}

static void history_returns_stored_events_as_copies(void **state)
{
    fixture_t *f = monitor("history.lua", history_rule);
    *state = f;
    store_event(f, "a", "new", "{\"title\":\"A\"}", "2024-11-01T00:00:00Z");
    store_event(f, "a", "changed", "{\"title\":\"A2\"}", "2024-11-05T00:00:00Z");
    store_event(f, "b", "new", "{\"title\":\"B\"}", "2024-11-06T00:00:00Z");
    assert_int_equal(run_at(f, "2024-11-07T00:00:00Z", 0), 1);
    char message[256];
    /* 2 events of a, the first still titled A and the last still changed;
     * 2 events in the last 3 days, the newest last */
    assert_string_equal(dbpeek_text(f->cfg.database, "SELECT message FROM flags", message), "2 A changed 2 b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_decision_follows_the_episode_and_the_window),
        cmocka_unit_test_teardown(a_holding_condition_realerts_once_per_window, teardown),
        cmocka_unit_test_teardown(a_condition_that_ends_and_returns_is_flagged_at_once, teardown),
        cmocka_unit_test_teardown(a_failing_check_is_reported_with_its_line_and_flags_nothing, teardown),
        cmocka_unit_test_teardown(a_check_returning_a_table_with_a_metatable_is_refused_with_its_line, teardown),
        cmocka_unit_test_teardown(history_returns_stored_events_as_copies, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_rules_isolation.c — each rule file in its own Lua state (issue 12):
 * what one rule does to its event, its globals or its memory reaches no
 * other; what a rule returns is read inside the protection; failures come
 * back by kind; max_flags; and the store keeps the pairs to retry. */
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

#include "config/config.h"
#include "rules/rules.h"
#include "store/store.h"

typedef struct fixture {
    char dir[64];
    config_t cfg;
    rules_t *rules;
    errlist_t errs;
    /* what the callbacks saw */
    char flags[16][256];
    int n_flags;
    char fails[16][256];
    int n_fails;
} fixture_t;

/* A rules folder with the given files (NULL-terminated name, text pairs),
 * loaded with settings (a Lua table body, may be ""). */
static fixture_t *load(const char *settings, const char *const *files)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/vane-test-isolation-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char rules[128], config[128], text[512];
    snprintf(rules, sizeof rules, "%s/rules", f->dir);
    assert_int_equal(mkdir(rules, 0755), 0);
    for (size_t i = 0; files[i]; i += 2)
        write_file(rules, files[i], files[i + 1]);
    snprintf(text, sizeof text, "database \"vane.db\"\nsettings { %s }\n", settings);
    write_file(f->dir, "vane.lua", text);
    snprintf(config, sizeof config, "%s/vane.lua", f->dir);
    assert_int_equal(config_load(config, &f->cfg, &f->errs), 0);
    err_t e = {{0}};
    f->rules = rules_load(&f->cfg, &f->errs, &e);
    assert_non_null(f->rules);
    return f;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    rules_free(f->rules);
    config_free(&f->cfg);
    errlist_free(&f->errs);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static int on_flag(void *ud, const rules_flag_t *rf)
{
    fixture_t *f = ud;
    if (f->n_flags < 16)
        snprintf(f->flags[f->n_flags++], 256, "%s %s %s", rf->rule, rf->severity, rf->message);
    return 0;
}

static int on_fail(void *ud, const char *rule, const char *fingerprint, const char *kind,
                   const char *message)
{
    fixture_t *f = ud;
    (void)message;
    assert_int_equal(strlen(fingerprint), 64);
    if (f->n_fails < 16)
        snprintf(f->fails[f->n_fails++], 256, "%s %s", rule, kind);
    return 0;
}

static store_event_t event(long long id, const char *item)
{
    return (store_event_t){.id = id, .run_id = 1, .source = "press", .key = "k1",
                           .change = "new", .item = (char *)item,
                           .observed_at = "2024-11-20T23:00:00Z"};
}

static int eval(fixture_t *f, long long id, const char *item)
{
    store_event_t ev = event(id, item);
    err_t e = {{0}};
    rules_on_failure(f->rules, on_fail, f);
    return rules_eval(f->rules, &ev, on_flag, f, &f->errs, &e);
}

static const char *const tamper_then_read[] = {
    "a.lua",
    "return { id = 'a', when = function(ev)\n"
    "  ev.change = 'changed'; ev.key = 'x'; ev.item.title = 'gone'\n"
    "  shared = 'from a'\n"
    "  return false end }\n",
    "b.lua",
    "return { id = 'b', when = function(ev) return true end,\n"
    "  message = function(ev) return ev.change .. ' ' .. ev.key .. ' ' .. ev.item.title ..\n"
    "    ' ' .. tostring(shared) end }\n",
    NULL,
};

static void a_rule_writing_into_its_event_or_globals_changes_nothing_for_the_next(void **state)
{
    fixture_t *f = load("", tamper_then_read);
    *state = f;
    assert_int_equal(f->errs.len, 0);
    assert_int_equal(eval(f, 1, "{\"title\":\"T\"}"), 0);
    assert_int_equal(f->n_flags, 1);
    assert_string_equal(f->flags[0], "b medium new k1 T nil");
}

static const char *const hog_and_canary[] = {
    "a_hog.lua",
    "return { id = 'hog', when = function(ev)\n"
    "  keep = keep or {}\n"
    "  while pcall(function() keep[#keep + 1] = ('h'):rep(1 << 20) end) do end\n"
    "  return false end }\n",
    "b_canary.lua",
    "return { id = 'canary', severity = 'high', when = function(ev)\n"
    "  local t = {} for i = 1, 100 do t[i] = ('c'):rep(100000) end return #t == 100 end,\n"
    "  message = 'still here' }\n",
    NULL,
};

static void a_rule_filling_its_memory_leaves_the_others_theirs(void **state)
{
    fixture_t *f = load("memory = \"16MB\"", hog_and_canary);
    *state = f;
    for (long long id = 1; id <= 3; id++)
        assert_int_equal(eval(f, id, NULL), 0);
    assert_int_equal(f->n_flags, 3);
    assert_string_equal(f->flags[2], "canary high still here");
}

static const char *const failures[] = {
    "a.lua", "return { id = 'own', when = function(ev) error('not enough memory') end }\n",
    "b.lua", "return { id = 'spin', when = function(ev) while true do end end }\n",
    "c.lua", "return { id = 'eat', when = function(ev)\n"
             "  local t = {} while true do t[#t + 1] = ('x'):rep(1000) end end }\n",
    "d.lua", "return { id = 'ok', when = function(ev) return true end, message = 'ok' }\n",
    NULL,
};

static void failures_come_back_by_kind_and_a_limit_disables_the_rule_for_the_run(void **state)
{
    fixture_t *f = load("instructions = 1000000, memory = \"8MB\"", failures);
    *state = f;
    assert_int_equal(eval(f, 1, NULL), 1);
    assert_int_equal(f->n_fails, 3);
    assert_string_equal(f->fails[0], "own error");
    assert_string_equal(f->fails[1], "spin budget");
    assert_string_equal(f->fails[2], "eat memory");
    assert_int_equal(f->n_flags, 1);
    /* the next event: the own error runs again, the limits are not tried */
    assert_int_equal(eval(f, 2, NULL), 1);
    assert_int_equal(f->n_fails, 6);
    assert_string_equal(f->fails[4], "spin budget");
    assert_non_null(strstr(f->errs.msgs[f->errs.len - 1], "they stay pending"));
    assert_int_equal(f->n_flags, 2);
}

static const char *const returned[] = {
    "a.lua",
    "return { id = 'meta', when = function(ev) return true end,\n"
    "  message = function(ev)\n"
    "    return setmetatable({}, { __index = function() while true do end end }) end }\n",
    "b.lua",
    "return { id = 'nested', when = function(ev) return true end,\n"
    "  message = function(ev) return { { message = 'm', severity = 'loud' } } end }\n",
    "c.lua",
    "return { id = 'fine', severity = 'low', when = function(ev) return true end,\n"
    "  message = function(ev) return { 'one', { message = 'two', severity = 'high' }, 3 } end }\n",
    "d.lua",
    "return setmetatable({ id = 'table-meta' }, { __index = function() error('x') end })\n",
    NULL,
};

static void what_a_rule_returns_is_read_raw_and_refused_with_its_file(void **state)
{
    fixture_t *f = load("", returned);
    *state = f;
    assert_int_equal(rules_load_errors(f->rules), 1);
    assert_non_null(strstr(f->errs.msgs[0], "rules/d.lua: a rule file must return a plain table"));
    errlist_free(&f->errs);
    assert_int_equal(eval(f, 1, NULL), 1);
    assert_int_equal(f->errs.len, 2);
    assert_non_null(strstr(f->errs.msgs[0], "rules/a.lua:2: rule meta: message: a table with a metatable"));
    assert_non_null(strstr(f->errs.msgs[1], "rules/b.lua: rule nested: a flag's severity"));
    assert_int_equal(f->n_flags, 3);
    assert_string_equal(f->flags[0], "fine low one");
    assert_string_equal(f->flags[1], "fine high two");
    assert_string_equal(f->flags[2], "fine low 3");
}

static const char *const many[] = {
    "a.lua", "return { id = 'many', max_flags = 2, when = function(ev) return true end,\n"
             "  message = function(ev) return { 'x', 'y', 'z' } end }\n",
    NULL,
};

static void past_max_flags_the_rest_is_counted_and_summarized_once(void **state)
{
    fixture_t *f = load("", many);
    *state = f;
    rules_limit_flags(f->rules);
    assert_int_equal(eval(f, 1, NULL), 0);
    assert_int_equal(eval(f, 2, NULL), 0);
    assert_int_equal(f->n_flags, 2);
    assert_int_equal(rules_flag_overflow(f->rules, on_flag, f), 1);
    assert_string_equal(f->flags[2], "many medium many raised 4 more flags this run; see vane replay");
    assert_int_equal(rules_flag_overflow(f->rules, on_flag, f), 0);
}

static void the_store_keeps_pairs_to_retry_until_done(void **state)
{
    fixture_t *f = load("", many);
    *state = f;
    err_t e = {{0}};
    store_t *st = store_open(f->cfg.database, &e);
    assert_non_null(st);
    store_event_t ev = {.run_id = 0, .source = "press", .key = "k", .change = "new",
                        .observed_at = "2024-11-20T23:00:00Z"};
    long long run;
    assert_int_equal(store_run_begin(st, "2024-11-20T23:00:00Z", &run, &e), 0);
    ev.run_id = run;
    assert_int_equal(store_event_add(st, &ev, &e), 0);
    store_retry_t rt = {"many", ev.id, "budget", 0, "f1", "rules/a.lua:1: budget"};
    assert_int_equal(store_retry_failed(st, &rt, "2024-11-20T23:00:00Z", &e), 0);
    rt.kind = "memory";
    assert_int_equal(store_retry_failed(st, &rt, "2024-11-21T23:00:00Z", &e), 0);
    store_retry_t *rows;
    size_t n;
    assert_int_equal(store_retries(st, 10, &rows, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].kind, "memory");
    assert_int_equal(rows[0].tries, 2);
    store_retries_free(rows, n);
    store_event_t *got;
    assert_int_equal(store_event_get(st, ev.id, &got, &e), 1);
    assert_string_equal(got->key, "k");
    store_events_free(got, 1);
    assert_int_equal(store_event_get(st, ev.id + 100, &got, &e), 0);
    assert_int_equal(store_retry_done(st, "many", ev.id, &e), 0);
    assert_int_equal(store_retries(st, 10, &rows, &n, &e), 0);
    assert_int_equal(n, 0);
    store_retries_free(rows, n);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(a_rule_writing_into_its_event_or_globals_changes_nothing_for_the_next, teardown),
        cmocka_unit_test_teardown(a_rule_filling_its_memory_leaves_the_others_theirs, teardown),
        cmocka_unit_test_teardown(failures_come_back_by_kind_and_a_limit_disables_the_rule_for_the_run, teardown),
        cmocka_unit_test_teardown(what_a_rule_returns_is_read_raw_and_refused_with_its_file, teardown),
        cmocka_unit_test_teardown(past_max_flags_the_rest_is_counted_and_summarized_once, teardown),
        cmocka_unit_test_teardown(the_store_keeps_pairs_to_retry_until_done, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

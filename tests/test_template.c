/* test_template.c — a channel's format and match functions of vane.lua
 * (alert/template.h), run in the configuration's kept sandbox: text, a
 * table as JSON, errors naming vane.lua and the function's line, the
 * settings' instruction and memory limits, and the loading's helpers
 * refusing to run afterwards. Real vane.lua files, real Lua. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert/template.h"
#include "config/config.h"

static char dir[64];
static char path[128];

static int make_dir(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/vane-test-template-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/vane.lua", dir);
    return 0;
}

static int remove_dir(void **state)
{
    (void)state;
    unlink(path);
    return rmdir(dir);
}

/* Load text as vane.lua; fails the test when it does not load. */
static void load(const char *text, config_t *cfg)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    errlist_t errs = {0};
    int rc = config_load(path, cfg, &errs);
    for (size_t i = 0; i < errs.len; i++)
        fprintf(stderr, "%s\n", errs.msgs[i]);
    errlist_free(&errs);
    assert_int_equal(rc, 0);
}

static const char flag[] =
    "{\"id\":7,\"rule\":\"advisory-level-change\",\"severity\":\"high\",\"message\":\"m\","
    "\"source\":\"travel\",\"key\":\"mg\",\"title\":\"Madagascar\",\"link\":\"https://x.test/mg\","
    "\"changes\":[{\"field\":\"level\",\"old\":\"Level 3\",\"new\":\"Level 2\"}]}";

/* Format the flag with the only channel; returns template_format's status. */
static int format(config_t *cfg, int table_ok, buf_t *out, template_result_t *what, err_t *e)
{
    return template_format(cfg, &cfg->channels[0], flag, table_ok, out, what, e);
}

static void a_string_is_the_text_and_reads_the_flag(void **state)
{
    (void)state;
    config_t cfg;
    load("channel { id = 'hook', kind = 'webhook', url = 'http://127.0.0.1:9/',\n"
         "  format = function(flag)\n"
         "    local c = flag.changes[1]\n"
         "    return flag.title .. ': ' .. c.field .. ' ' .. c.old .. ' -> ' .. c.new ..\n"
         "      ' (' .. flag.id .. ', ' .. flag.link .. ')'\n"
         "  end }\n", &cfg);
    assert_non_null(cfg.sandbox);
    assert_int_equal(cfg.channels[0].format_line, 2);
    buf_t out = {0};
    template_result_t what;
    err_t e;
    assert_int_equal(format(&cfg, 1, &out, &what, &e), 0);
    assert_int_equal(what, TEMPLATE_TEXT);
    assert_string_equal(buf_str(&out),
                        "Madagascar: level Level 3 -> Level 2 (7, https://x.test/mg)");
    /* called again: the same (the state is not spent by a call) */
    buf_reset(&out);
    assert_int_equal(format(&cfg, 1, &out, &what, &e), 0);
    assert_string_equal(buf_str(&out),
                        "Madagascar: level Level 3 -> Level 2 (7, https://x.test/mg)");
    buf_free(&out);
    config_free(&cfg);
}

static void a_table_is_json_where_a_kind_posts_json_only(void **state)
{
    (void)state;
    config_t cfg;
    load("channel { id = 'hook', kind = 'webhook', url = 'http://127.0.0.1:9/',\n"
         "  format = function(flag) return { text = flag.title, n = { flag.id } } end }\n",
         &cfg);
    buf_t out = {0};
    template_result_t what;
    err_t e;
    assert_int_equal(format(&cfg, 1, &out, &what, &e), 0);
    assert_int_equal(what, TEMPLATE_JSON);
    assert_string_equal(buf_str(&out), "{\"n\":[7],\"text\":\"Madagascar\"}");
    buf_reset(&out);
    assert_int_equal(format(&cfg, 0, &out, &what, &e), -1);
    assert_non_null(strstr(e.msg, "vane.lua:2: channel hook: format: "));
    assert_non_null(strstr(e.msg, "returned a table"));
    assert_int_equal(out.len, 0);
    assert_int_equal(template_table_ok(&cfg.channels[0]), 1);
    buf_free(&out);
    config_free(&cfg);
}

static void an_error_names_the_line_defining_the_function(void **state)
{
    (void)state;
    config_t cfg;
    load("-- a comment\n"
         "channel { id = 'f', kind = 'file', path = 'x.jsonl',\n"
         "  format = function(flag)\n"
         "    return flag.nothing.here\n"
         "  end }\n", &cfg);
    buf_t out = {0};
    template_result_t what;
    err_t e;
    assert_int_equal(template_table_ok(&cfg.channels[0]), 0);
    assert_int_equal(format(&cfg, 0, &out, &what, &e), -1);
    char want[200];
    snprintf(want, sizeof want, "%s:3: channel f: format: ", path);
    assert_ptr_equal(strstr(e.msg, want), e.msg);
    assert_non_null(strstr(e.msg, ":4: attempt to index a nil value"));
    assert_null(strchr(e.msg, '\n'));
    buf_free(&out);
    config_free(&cfg);
}

static void a_wrong_or_empty_return_is_an_error_and_bad_utf8_repaired(void **state)
{
    (void)state;
    config_t cfg;
    load("channel { id = 'f', kind = 'file', path = 'x.jsonl',\n"
         "  format = function(flag) return 42 end }\n", &cfg);
    buf_t out = {0};
    template_result_t what;
    err_t e;
    assert_int_equal(format(&cfg, 0, &out, &what, &e), -1);
    assert_non_null(strstr(e.msg, "returned a number"));
    config_free(&cfg);
    load("channel { id = 'f', kind = 'file', path = 'x.jsonl',\n"
         "  format = function(flag) return '' end }\n", &cfg);
    assert_int_equal(format(&cfg, 0, &out, &what, &e), -1);
    assert_non_null(strstr(e.msg, "returned an empty string"));
    config_free(&cfg);
    load("channel { id = 'f', kind = 'file', path = 'x.jsonl',\n"
         "  format = function(flag) return 'bad \\255 byte' end }\n", &cfg);
    assert_int_equal(format(&cfg, 0, &out, &what, &e), 0);
    assert_string_equal(buf_str(&out), "bad \xEF\xBF\xBD byte");
    buf_free(&out);
    config_free(&cfg);
}

static void the_instruction_budget_of_the_settings_stops_a_loop(void **state)
{
    (void)state;
    config_t cfg;
    load("channel { id = 'f', kind = 'file', path = 'x.jsonl',\n"
         "  format = function(flag) while true do end end }\n"
         "settings { instructions = 100000 }\n", &cfg);
    buf_t out = {0};
    template_result_t what;
    err_t e;
    assert_int_equal(format(&cfg, 0, &out, &what, &e), -1);
    assert_non_null(strstr(e.msg, "channel f: format: "));
    assert_non_null(strstr(e.msg, "instruction budget exhausted (100000 instructions)"));
    buf_free(&out);
    config_free(&cfg);
}

/* 400000 short strings take some 20 MB: under the default ceiling (64 MB),
 * over the settings' 8 MB. */
static void the_memory_ceiling_of_the_settings_stops_a_hungry_template(void **state)
{
    (void)state;
    config_t cfg;
    load("settings { memory = '8MB', call_timeout = '60s' }\n"
         "channel { id = 'f', kind = 'file', path = 'x.jsonl',\n"
         "  format = function(flag)\n"
         "    local t = {}\n"
         "    for i = 1, 400000 do t[i] = flag.title .. i end\n"
         "    return 'kept ' .. #t\n"
         "  end }\n"
         "channel { id = 'g', kind = 'file', path = 'y.jsonl',\n"
         "  format = function(flag) return 'small ' .. flag.id end }\n", &cfg);
    buf_t out = {0};
    template_result_t what;
    err_t e;
    assert_int_equal(format(&cfg, 0, &out, &what, &e), -1);
    assert_non_null(strstr(e.msg, ":3: channel f: format: "));
    assert_non_null(strstr(e.msg, "not enough memory"));
    assert_int_equal(cfg.channels[0].format_line, 3);
    /* the state is usable after: another channel's format works */
    buf_reset(&out);
    assert_int_equal(template_format(&cfg, &cfg.channels[1], flag, 0, &out, &what, &e), 0);
    assert_string_equal(buf_str(&out), "small 7");
    buf_free(&out);
    config_free(&cfg);
    /* the same under the default ceiling completes */
    load("settings { call_timeout = '60s' }\n"
         "channel { id = 'f', kind = 'file', path = 'x.jsonl',\n"
         "  format = function(flag)\n"
         "    local t = {}\n"
         "    for i = 1, 400000 do t[i] = flag.title .. i end\n"
         "    return 'kept ' .. #t\n"
         "  end }\n", &cfg);
    assert_int_equal(format(&cfg, 0, &out, &what, &e), 0);
    assert_string_equal(buf_str(&out), "kept 400000");
    buf_free(&out);
    config_free(&cfg);
}

static void match_is_truthy_and_errors_name_its_line(void **state)
{
    (void)state;
    config_t cfg;
    load("channel { id = 'a', kind = 'file', path = 'a.jsonl',\n"
         "  match = function(flag) return flag.severity == 'high' and flag.key end }\n"
         "channel { id = 'b', kind = 'file', path = 'b.jsonl',\n"
         "  match = function(flag) return flag.severity == 'low' end }\n"
         "channel { id = 'c', kind = 'file', path = 'c.jsonl',\n"
         "  match = function(flag) error('no luck') end }\n", &cfg);
    int takes = -1;
    err_t e;
    assert_int_equal(template_match(&cfg, &cfg.channels[0], flag, &takes, &e), 0);
    assert_int_equal(takes, 1);
    assert_int_equal(template_match(&cfg, &cfg.channels[1], flag, &takes, &e), 0);
    assert_int_equal(takes, 0);
    assert_int_equal(template_match(&cfg, &cfg.channels[2], flag, &takes, &e), -1);
    assert_non_null(strstr(e.msg, ":6: channel c: match: "));
    assert_non_null(strstr(e.msg, "no luck"));
    config_free(&cfg);
}

static void the_loading_helpers_refuse_to_run_later(void **state)
{
    (void)state;
    config_t cfg;
    load("local ch = channel\n"
         "channel { id = 'f', kind = 'file', path = 'x.jsonl',\n"
         "  format = function(flag) ch { id = 'late' } return 'x' end }\n", &cfg);
    buf_t out = {0};
    template_result_t what;
    err_t e;
    assert_int_equal(format(&cfg, 0, &out, &what, &e), -1);
    assert_non_null(strstr(e.msg, "only while vane.lua is loaded"));
    assert_int_equal(cfg.n_channels, 1);
    buf_free(&out);
    config_free(&cfg);
}

static void without_functions_no_sandbox_is_kept(void **state)
{
    (void)state;
    config_t cfg;
    load("channel { id = 'hook', kind = 'webhook', url = 'http://127.0.0.1:9/', format = 'slack' }\n",
         &cfg);
    assert_null(cfg.sandbox);
    assert_int_equal(cfg.channels[0].format_ref, 0);
    config_free(&cfg);
}

static void the_sample_renders_every_context_field(void **state)
{
    (void)state;
    config_t cfg;
    load("channel { id = 'f', kind = 'file', path = 'x.jsonl',\n"
         "  format = function(f)\n"
         "    local d = f.changes[2].diff\n"
         "    return table.concat({ f.id, f.rule, f.rule_title, f.severity, f.source,\n"
         "      f.source_name, f.key, f.title, f.link, f.change, f.observed_at,\n"
         "      f.created_at, f.changes[1].field, d[2][1] .. d[2][2] }, '|')\n"
         "  end }\n", &cfg);
    buf_t out = {0};
    template_result_t what;
    err_t e;
    assert_int_equal(template_render_sample(&cfg, &cfg.channels[0], &out, &what, &e), 0);
    assert_string_equal(buf_str(&out),
                        "0|advisory-level-change|Travel advisory level changed|high|"
                        "travel-advisories|U.S. Travel Advisories|madagascar|"
                        "Madagascar - Level 2: Exercise Increased Caution|"
                        "https://example.org/advisories/madagascar|changed|"
                        "2024-11-22T23:00:00Z|2024-11-22T23:00:01Z|level|-raised");
    buf_free(&out);
    config_free(&cfg);
}

static void a_flag_to_queue_becomes_the_flag_json(void **state)
{
    (void)state;
    store_flag_t f = {.id = 3, .run_id = 2, .rule = "r", .severity = "low", .message = "m\"q",
                      .source = "s", .key = "k", .change = "new", .created_at = "t",
                      .changes = "[{\"field\":\"a\"}]"};
    buf_t out = {0};
    assert_int_equal(template_flag_json(&f, &out), 0);
    assert_string_equal(buf_str(&out),
                        "{\"id\":3,\"rule\":\"r\",\"severity\":\"low\",\"message\":\"m\\\"q\","
                        "\"source\":\"s\",\"key\":\"k\",\"change\":\"new\",\"event_id\":null,"
                        "\"observed_at\":null,\"created_at\":\"t\",\"run_id\":2,\"title\":null,"
                        "\"link\":null,\"source_name\":null,\"rule_title\":null,"
                        "\"changes\":[{\"field\":\"a\"}]}");
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_string_is_the_text_and_reads_the_flag),
        cmocka_unit_test(a_table_is_json_where_a_kind_posts_json_only),
        cmocka_unit_test(an_error_names_the_line_defining_the_function),
        cmocka_unit_test(a_wrong_or_empty_return_is_an_error_and_bad_utf8_repaired),
        cmocka_unit_test(the_instruction_budget_of_the_settings_stops_a_loop),
        cmocka_unit_test(the_memory_ceiling_of_the_settings_stops_a_hungry_template),
        cmocka_unit_test(match_is_truthy_and_errors_name_its_line),
        cmocka_unit_test(the_loading_helpers_refuse_to_run_later),
        cmocka_unit_test(without_functions_no_sandbox_is_kept),
        cmocka_unit_test(the_sample_renders_every_context_field),
        cmocka_unit_test(a_flag_to_queue_becomes_the_flag_json),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}

/* test_config.c — loading and validating vane.lua: each mistake gives a
 * clear error naming the file and line, and a good file gives the values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel/kind.h"
#include "config/config.h"
#include "config/units.h"
#include "config/xref.h"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/vane-test-config-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* Write text to DIR/vane.lua and load it; the error list is returned. */
static int load(const char *text, config_t *cfg, errlist_t *errs)
{
    char path[128];
    snprintf(path, sizeof path, "%s/vane.lua", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return config_load(path, cfg, errs);
}

static int has_error(const errlist_t *errs, const char *a, const char *b)
{
    for (size_t i = 0; i < errs->len; i++)
        if (strstr(errs->msgs[i], a) && (!b || strstr(errs->msgs[i], b)))
            return 1;
    return 0;
}

static void a_good_configuration_gives_its_values_and_defaults(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    int rc = load("database 'data/v.db'\n"
                  "settings { instructions = 5000, memory = '8MB' }\n"
                  "source { id = 'a', url = 'https://example.org/feed', script = 'rss',\n"
                  "         every = '2h', max_bytes = '1MiB', removals = true,\n"
                  "         ignore = { 'summary' }, options = { lang = 'en', n = 3 } }\n"
                  "source { id = 'b', url = 'http://example.org/b', script = 'rss' }\n",
                  &cfg, &errs);
    assert_int_equal(rc, 0);
    assert_int_equal(errs.len, 0);
    assert_int_equal(cfg.n_sources, 2);
    assert_string_equal(cfg.sources[0].id, "a");
    assert_int_equal(cfg.sources[0].every, 7200);
    assert_int_equal(cfg.sources[0].max_bytes, 1048576);
    assert_int_equal(cfg.sources[0].removals, 1);
    assert_int_equal(cfg.sources[0].n_ignore, 1);
    assert_string_equal(cfg.sources[0].options_json, "{\"lang\":\"en\",\"n\":3}");
    assert_int_equal(cfg.sources[1].every, 3600);
    assert_int_equal(cfg.sources[1].timeout, 30);
    assert_int_equal(cfg.sources[1].removals, 0);
    assert_int_equal(cfg.limits.instructions, 5000);
    assert_int_equal(cfg.limits.memory, 8000000);
    assert_non_null(strstr(cfg.database, "/data/v.db"));
    assert_int_equal(cfg.n_rule_dirs, 0);
    assert_int_equal(cfg.shipped_rules, 1);
    config_free(&cfg);
}

static void without_a_rules_declaration_the_folder_beside_is_used_when_there_is_one(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    char rules[128];
    snprintf(rules, sizeof rules, "%s/rules", dir);
    assert_int_equal(mkdir(rules, 0700), 0);
    int rc = load("source { id = 'b', url = 'http://example.org/b', script = 'rss' }\n", &cfg, &errs);
    rmdir(rules);
    assert_int_equal(rc, 0);
    assert_int_equal(cfg.n_rule_dirs, 1);
    assert_non_null(strstr(cfg.rule_dirs[0], "/rules"));
    assert_int_equal(cfg.shipped_rules, 0);
    config_free(&cfg);
}

static void numbers_are_whole_finite_and_in_range(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    int rc = load("source { id = 'a', url = 'http://x/', script = 's', max_bytes = 0.5 }\n"
                  "source { id = 'b', url = 'http://x/', script = 's', max_bytes = 1e30 }\n"
                  "source { id = 'c', url = 'http://x/', script = 's', every = 1e300 }\n"
                  "source { id = 'd', url = 'http://x/', script = 's', every = 0/0 }\n"
                  "source { id = 'e', url = 'http://x/', script = 's', timeout = -5 }\n"
                  "source { id = 'f', url = 'http://x/', script = 's', every = '99999d' }\n"
                  "settings { retries = 1.5, max_parallel = -1 }\n"
                  "source { id = 'g', url = 'http://x/', script = 's', every = 90.0, max_bytes = 1e6 }\n",
                  &cfg, &errs);
    assert_int_equal(rc, -1);
    assert_true(has_error(&errs, "vane.lua:1: source 'a': bad size max_bytes = 0.5", "1 byte to 1TB"));
    assert_true(has_error(&errs, "vane.lua:2: source 'b': bad size max_bytes = 1e+30", "1 byte to 1TB"));
    assert_true(has_error(&errs, "vane.lua:3: source 'c': bad duration every = 1e+300", "1s to 3650d"));
    assert_true(has_error(&errs, "vane.lua:4: source 'd': bad duration every = NaN", "1s to 3650d"));
    assert_true(has_error(&errs, "vane.lua:5: source 'e': bad duration timeout = -5", "1s to 3650d"));
    assert_true(has_error(&errs, "vane.lua:6: source 'f': bad duration every = \"99999d\"", NULL));
    assert_true(has_error(&errs, "vane.lua:7: settings: 'retries' = 1.5", "from 0 to"));
    assert_true(has_error(&errs, "vane.lua:7: settings: 'max_parallel' = -1", "from 1 to"));
    assert_false(has_error(&errs, "vane.lua:8:", NULL));
    assert_int_equal(errs.len, 8);
    errlist_free(&errs);
}

static void every_mistake_is_reported_with_its_line(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    int rc = load("source { id = 'a', url = 'http://x/', script = 's', evry = '1h' }\n"
                  "source { id = 'b', script = 's' }\n"
                  "source { id = 'a', url = 'http://y/', script = 's' }\n"
                  "source { id = 'c', url = 'http://z/', script = 's', every = '5 parsecs' }\n"
                  "source { id = 'd', url = 'http://z/', script = 's', max_bytes = 'lots' }\n"
                  "source { id = 'e', url = 'ftp://z/', script = 's' }\n",
                  &cfg, &errs);
    assert_int_equal(rc, -1);
    assert_true(has_error(&errs, "vane.lua:1:", "unknown key 'evry'"));
    assert_true(has_error(&errs, "vane.lua:2:", "missing url"));
    assert_true(has_error(&errs, "vane.lua:3:", "duplicate source id 'a'"));
    assert_true(has_error(&errs, "vane.lua:4:", "bad duration"));
    assert_true(has_error(&errs, "vane.lua:5:", "bad size"));
    assert_true(has_error(&errs, "vane.lua:6:", "http"));
    errlist_free(&errs);
}

static void a_syntax_error_names_file_and_line(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("source { id = 'a',\n url = \n}\n", &cfg, &errs), -1);
    assert_true(has_error(&errs, "vane.lua:3:", NULL));
    errlist_free(&errs);
}

static void the_configuration_runs_in_the_sandbox(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("os.execute('touch /tmp/vane-pwned')\n", &cfg, &errs), -1);
    assert_true(has_error(&errs, "vane.lua:1:", NULL));
    assert_int_not_equal(access("/tmp/vane-pwned", F_OK), 0);
    errlist_free(&errs);
}

static void env_reads_the_environment(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    setenv("VANE_TEST_URL", "https://example.org/from-env", 1);
    assert_int_equal(load("source { id = 'a', url = env 'VANE_TEST_URL', script = 's' }\n"
                          "assert(env 'VANE_NOT_SET_ANYWHERE' == nil)\n", &cfg, &errs), 0);
    assert_string_equal(cfg.sources[0].url, "https://example.org/from-env");
    config_free(&cfg);
}

static void channels_are_validated(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("channel { id = 'x', kind = 'jsonl' }\n"
                          "channel { id = 'y', kind = 'pigeon' }\n"
                          "channel { id = 'z', min_severity = 'dire' }\n", &cfg, &errs), -1);
    assert_true(has_error(&errs, "vane.lua:1:", "path"));
    assert_true(has_error(&errs, "vane.lua:2:",
                          "channel 'y': unknown kind 'pigeon' (stdout, file, webhook, email, exec, "
                          "slack, teams, discord, atom, telegram, matrix, ntfy, pushover)"));
    assert_true(has_error(&errs, "vane.lua:3:", "dire"));
    errlist_free(&errs);
}

static void a_key_of_another_kind_is_reported(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("channel { id = 'f', kind = 'file', path = 'f.jsonl',\n"
                          "          headers = { ['X-Token'] = 'abc' } }\n"
                          "channel { id = 'w', kind = 'webhook', url = 'https://hooks.example/x', path = 5 }\n"
                          "channel { id = 'ok', kind = 'file', path = 'g.jsonl', timeout = '5s' }\n",
                          &cfg, &errs), -1);
    assert_true(has_error(&errs, "vane.lua:1:", "channel 'f': 'headers' is not a key of file channels"));
    assert_true(has_error(&errs, "vane.lua:3:", "channel 'w': 'path' is not a key of webhook channels"));
    assert_int_equal(errs.len, 2);
    errlist_free(&errs);
}

static void every_channel_kind_gives_its_values(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("channel { id = 'f', kind = 'file', path = 'flags.jsonl', digest = true,\n"
                          "          exclude_rules = { 'noisy' }, max_attempts = 3, retry_after = '5m' }\n"
                          "channel { id = 'w', kind = 'webhook', url = 'https://hooks.example/x', format = 'slack',\n"
                          "          headers = { ['X-Token'] = 'abc' }, secret = 's3', timeout = '5s' }\n"
                          "channel { id = 'm', kind = 'email', smtp = 'smtp://127.0.0.1:2525', starttls = false,\n"
                          "          from = 'vane@example.org', to = { 'a@example.org', 'b@example.org' } }\n"
                          "channel { id = 'x', kind = 'exec', command = { '/bin/sh', '-c', 'cat > out' } }\n"
                          "channel { id = 'j', kind = 'jsonl', path = 'old.jsonl' }\n",
                          &cfg, &errs), 0);
    assert_int_equal(cfg.n_channels, 5);
    const channel_cfg_t *f = &cfg.channels[0], *w = &cfg.channels[1], *m = &cfg.channels[2];
    assert_string_equal(f->kind->name, "file");
    assert_true(f->digest);
    assert_string_equal(f->exclude_rules[0], "noisy");
    assert_int_equal(f->max_attempts, 3);
    assert_int_equal(f->retry_after, 300);
    /* the file kind's path is resolved against vane.lua's folder: a flag lands there */
    channel_flag_t flag = {.id = 1, .json = "{\"id\":1}"};
    channel_msg_t msg = {.flags = &flag, .n = 1, .digest = 0};
    err_t e;
    assert_int_equal(channel_send(f, &msg, NULL, &e), 0);
    char written[128];
    snprintf(written, sizeof written, "%s/flags.jsonl", dir);
    assert_int_equal(access(written, F_OK), 0);
    /* the other kinds' own values are private to them: sent end to end by
     * tests/e2e/test_channels.py */
    assert_string_equal(w->kind->name, "webhook");
    assert_non_null(w->data);
    assert_int_equal(w->timeout, 5);
    assert_int_equal(w->max_attempts, 10);
    assert_int_equal(w->retry_after, 60);
    assert_string_equal(m->kind->name, "email");
    assert_non_null(m->data);
    assert_string_equal(cfg.channels[3].kind->name, "exec");
    assert_string_equal(((char *const *)cfg.channels[3].data)[2], "cat > out");
    assert_string_equal(cfg.channels[4].kind->name, "file");
    config_free(&cfg);
}

static void channel_kinds_need_their_settings(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("channel { id = 'w', kind = 'webhook', url = 'ftp://x' }\n"
                          "channel { id = 'w2', kind = 'webhook', url = 'https://x', format = 'xml' }\n"
                          "channel { id = 'm', kind = 'email', smtp = 'mail.example.org' }\n"
                          "channel { id = 'x', kind = 'exec', command = {} }\n"
                          "channel { id = 'y', kind = 'file', max_attempts = 0, path = 'p' }\n"
                          "channel { id = 'stdout' }\n"
                          "channel { id = 'h', kind = 'webhook', url = 'https://x', headers = { ['A'] = 'b\\r\\nC: d' } }\n",
                          &cfg, &errs), -1);
    assert_true(has_error(&errs, "vane.lua:1:", "http"));
    assert_true(has_error(&errs, "vane.lua:2:", "xml"));
    assert_true(has_error(&errs, "vane.lua:3:", "smtp://"));
    assert_true(has_error(&errs, "vane.lua:3:", "from"));
    assert_true(has_error(&errs, "vane.lua:3:", "to ="));
    assert_true(has_error(&errs, "vane.lua:4:", "command"));
    assert_true(has_error(&errs, "vane.lua:5:", "max_attempts"));
    assert_true(has_error(&errs, "vane.lua:6:", "built-in"));
    assert_true(has_error(&errs, "vane.lua:7:", "bad header"));
    errlist_free(&errs);
}

static void watches_give_their_values_and_defaults(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("watch { id = 'fentanyl', terms = { 'fentanyl', '芬太尼', 're:nitazenes?' } }\n"
                          "watch { id = 'visas', terms = 'visa', sources = { 'press', 'fr' },\n"
                          "        fields = { 'title' }, severity = 'high', changes = { 'new', 'changed' } }\n",
                          &cfg, &errs), 0);
    assert_int_equal(cfg.n_watches, 2);
    const watch_cfg_t *w = &cfg.watches[0];
    assert_string_equal(w->id, "fentanyl");
    assert_int_equal(w->n_terms, 3);
    assert_string_equal(w->terms[1], "芬太尼");
    assert_string_equal(w->terms[2], "re:nitazenes?");
    assert_null(w->terms[3]);
    assert_null(w->sources);
    assert_string_equal(w->fields[0], "title");
    assert_string_equal(w->fields[1], "summary");
    assert_null(w->fields[2]);
    assert_string_equal(severity_name(w->severity), "medium");
    assert_true(w->on_new);
    assert_false(w->on_changed);
    assert_int_equal(w->line, 1);
    w = &cfg.watches[1];
    assert_int_equal(w->n_terms, 1);
    assert_string_equal(w->sources[1], "fr");
    assert_string_equal(w->fields[0], "title");
    assert_null(w->fields[1]);
    assert_string_equal(severity_name(w->severity), "high");
    assert_true(w->on_new && w->on_changed);
    assert_int_equal(w->line, 2);
    config_free(&cfg);
}

static void watch_mistakes_are_reported_with_their_line(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    int rc = load("watch { terms = { 'x' } }\n"
                  "watch { id = 'a' }\n"
                  "watch { id = 'b', terms = {} }\n"
                  "watch { id = 'c', terms = { 'x', '' } }\n"
                  "watch { id = 'c', terms = { 'y' } }\n"
                  "watch { id = 'd', terms = { 'x' }, colour = 'red' }\n"
                  "watch { id = 'e', terms = { 'x' }, severity = 'urgent' }\n"
                  "watch { id = 'f', terms = { 'x' }, changes = { 'removed' } }\n"
                  "watch { id = 'g', terms = { 'x' }, fields = {} }\n"
                  "watch 'h'\n",
                  &cfg, &errs);
    assert_int_equal(rc, -1);
    assert_true(has_error(&errs, "vane.lua:1:", "missing id"));
    assert_true(has_error(&errs, "vane.lua:2:", "'terms'"));
    assert_true(has_error(&errs, "vane.lua:3:", "'terms'"));
    assert_true(has_error(&errs, "vane.lua:4:", "term 2 is empty"));
    assert_true(has_error(&errs, "vane.lua:5:", "duplicate watch id 'c' (first declared on line 4)"));
    assert_true(has_error(&errs, "vane.lua:6:", "unknown key 'colour'"));
    assert_true(has_error(&errs, "vane.lua:7:", "unknown severity 'urgent'"));
    assert_true(has_error(&errs, "vane.lua:8:", "unknown change 'removed'"));
    assert_true(has_error(&errs, "vane.lua:9:", "'fields'"));
    assert_true(has_error(&errs, "vane.lua:10:", "watch needs a table"));
    errlist_free(&errs);
}

static void durations_and_sizes_parse_as_documented(void **state)
{
    (void)state;
    long long v;
    assert_int_equal(units_duration("30s", &v), 0); assert_int_equal(v, 30);
    assert_int_equal(units_duration("1h30m", &v), 0); assert_int_equal(v, 5400);
    assert_int_equal(units_duration("7d", &v), 0); assert_int_equal(v, 604800);
    assert_int_equal(units_duration("90", &v), 0); assert_int_equal(v, 90);
    assert_int_equal(units_duration("5 parsecs", &v), -1);
    assert_int_equal(units_duration("", &v), -1);
    assert_int_equal(units_size("5MB", &v), 0); assert_int_equal(v, 5000000);
    assert_int_equal(units_size("5MiB", &v), 0); assert_int_equal(v, 5242880);
    assert_int_equal(units_size("512 kb", &v), 0); assert_int_equal(v, 512000);
    assert_int_equal(units_size("lots", &v), -1);
    char out[48];
    units_format_size(5000000, out, sizeof out);
    assert_string_equal(out, "5 MB");
    units_format_size(5242880, out, sizeof out);
    assert_string_equal(out, "5 MiB");
    units_format_size(2048, out, sizeof out);
    assert_string_equal(out, "2 KiB");
    units_format_size(1234, out, sizeof out);
    assert_string_equal(out, "1234 bytes");
}

/* The digest of what the references check reads (xref_digest): the same
 * for the same names whatever else changes (a url, a line), another when
 * any name the check reads changes. */
static void digest_of(const char *text, char out[65])
{
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load(text, &cfg, &errs), 0);
    sha256_t c;
    unsigned char d[32];
    sha256_init(&c);
    xref_digest(&cfg, &c);
    sha256_final(&c, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    config_free(&cfg);
    errlist_free(&errs);
}

static void the_references_digest_follows_every_name_the_check_reads(void **state)
{
    (void)state;
    static const char base[] =
        "source { id = \"a\", url = \"http://x/\", script = \"rss\", options = { full = true } }\n"
        "channel { id = \"c\", kind = \"stdout\", rules = { \"r\" }, sources = { \"a\" } }\n"
        "watch { id = \"w\", terms = { \"t\" }, sources = { \"a\" }, fields = { \"title\" } }\n";
    static const char *const same[] = {
        "\n-- a comment moves every line\nsource { id = \"a\", url = \"http://y/\", script = \"rss\", options = { full = false } }\n"
        "channel { id = \"c\", kind = \"stdout\", rules = { \"r\" }, sources = { \"a\" } }\n"
        "watch { id = \"w\", terms = { \"u\" }, sources = { \"a\" }, fields = { \"title\" } }\n",
    };
    static const struct { const char *from, *to; } edits[] = {
        {"id = \"a\", url", "id = \"b\", url"},  {"\"rss\"", "\"atom\""},
        {"full = true", "fill = true"},          {"id = \"c\"", "id = \"d\""},
        {"rules = { \"r\" }", "rules = { \"q\" }"}, {"sources = { \"a\" } }\nwatch", "sources = { \"b\" } }\nwatch"},
        {"id = \"w\"", "id = \"v\""},          {"fields = { \"title\" }", "fields = { \"summary\" }"},
    };
    char d0[65], d1[65];
    digest_of(base, d0);
    digest_of(same[0], d1);
    assert_string_equal(d0, d1);
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        char text[1024];
        const char *at = strstr(base, edits[i].from);
        assert_non_null(at);
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - base), base, edits[i].to,
                 at + strlen(edits[i].from));
        digest_of(text, d1);
        assert_string_not_equal(d0, d1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_configuration_gives_its_values_and_defaults),
        cmocka_unit_test(without_a_rules_declaration_the_folder_beside_is_used_when_there_is_one),
        cmocka_unit_test(numbers_are_whole_finite_and_in_range),
        cmocka_unit_test(every_mistake_is_reported_with_its_line),
        cmocka_unit_test(a_syntax_error_names_file_and_line),
        cmocka_unit_test(the_configuration_runs_in_the_sandbox),
        cmocka_unit_test(env_reads_the_environment),
        cmocka_unit_test(channels_are_validated),
        cmocka_unit_test(a_key_of_another_kind_is_reported),
        cmocka_unit_test(every_channel_kind_gives_its_values),
        cmocka_unit_test(channel_kinds_need_their_settings),
        cmocka_unit_test(watches_give_their_values_and_defaults),
        cmocka_unit_test(watch_mistakes_are_reported_with_their_line),
        cmocka_unit_test(durations_and_sizes_parse_as_documented),
        cmocka_unit_test(the_references_digest_follows_every_name_the_check_reads),
    };
    return cmocka_run_group_tests_name("config", tests, make_dir, remove_dir);
}

/* test_cli.c — the command-line parser (cli/parse.c) on vane's own tables:
 * global options before and after the command, option values, the words
 * after a command, and the usage errors with their messages and exit
 * status; and that every row of the tables is well-formed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/command.h"
#include "cli/table.h"
#include "util/exitcode.h"

typedef struct parsed {
    int rc;
    const cli_command_t *cmd;
    cli_args_t a;
    char err[512];   /* what the parser printed on stderr */
} parsed_t;

/* Parse argv (argv[0] included) with vane's tables, catching stderr. */
static parsed_t *parse_argv(int argc, char **argv)
{
    parsed_t *p = calloc(1, sizeof *p);
    assert_non_null(p);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), 2) >= 0);
    p->rc = cli_parse(cli_table(), argc, argv, &p->a, &p->cmd);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(p->err, 1, sizeof p->err - 1, tmp);
    p->err[n] = '\0';
    fclose(tmp);
    return p;
}

#define PARSE(...)                                                                                 \
    parse_argv((int)(sizeof((char *[]){"vane", __VA_ARGS__}) / sizeof(char *)),                    \
               (char *[]){"vane", __VA_ARGS__})

static void assert_ok(const parsed_t *p, const char *command)
{
    assert_int_equal(p->rc, 0);
    assert_string_equal(p->err, "");
    assert_non_null(p->cmd);
    assert_string_equal(p->cmd->name, command);
}

static void assert_usage_error(parsed_t *p, const char *message)
{
    assert_int_equal(p->rc, VANE_EXIT_USAGE);
    assert_string_equal(p->err, message);
    free(p);
}

/* Parsing the arguments fails with this message on stderr and exit status 2. */
#define EXPECT_USAGE_ERROR(message, ...) assert_usage_error(PARSE(__VA_ARGS__), message)

/* ---- global options -------------------------------------------------------------- */

static void global_options_are_read_before_and_after_the_command(void **state)
{
    (void)state;
    parsed_t *before = PARSE("-c", "a.lua", "--db", "a.db", "--now", "2024-11-20T23:00:00Z",
                             "-q", "--json", "run");
    parsed_t *after = PARSE("run", "--config", "a.lua", "--db", "a.db", "--now",
                            "2024-11-20T23:00:00Z", "--quiet", "--json");
    parsed_t *p[] = {before, after};
    for (int i = 0; i < 2; i++) {
        assert_ok(p[i], "run");
        assert_string_equal(cli_text(&p[i]->a, CLI_CONFIG), "a.lua");
        assert_string_equal(cli_text(&p[i]->a, CLI_DB), "a.db");
        assert_string_equal(cli_text(&p[i]->a, CLI_NOW), "2024-11-20T23:00:00Z");
        assert_true(cli_flag(&p[i]->a, CLI_QUIET));
        assert_true(cli_flag(&p[i]->a, CLI_JSON));
        assert_false(cli_flag(&p[i]->a, CLI_VERBOSE));
        free(p[i]);
    }
}

static void short_and_long_names_fill_the_same_slot(void **state)
{
    (void)state;
    parsed_t *p = PARSE("-v", "check", "--verbose", "-h", "-c", "x.lua");
    assert_ok(p, "check");
    assert_int_equal(p->a.opt[CLI_VERBOSE].given, 2);
    assert_true(cli_flag(&p->a, CLI_HELP));
    assert_string_equal(cli_text(&p->a, CLI_CONFIG), "x.lua");
    free(p);
}

/* --now is checked after --help, by cli_main, not by the parser. */
static void the_now_value_is_kept_as_typed(void **state)
{
    (void)state;
    parsed_t *p = PARSE("--now", "soon", "--help");
    assert_int_equal(p->rc, 0);
    assert_null(p->cmd);
    assert_string_equal(cli_text(&p->a, CLI_NOW), "soon");
    assert_true(cli_flag(&p->a, CLI_HELP));
    free(p);
}

static void the_word_help_before_a_command_asks_for_its_help(void **state)
{
    (void)state;
    parsed_t *p = PARSE("help", "events");
    assert_ok(p, "events");
    assert_true(cli_flag(&p->a, CLI_HELP));
    free(p);
}

/* ---- values ------------------------------------------------------------------------ */

static void an_option_value_is_the_next_argument_whatever_it_looks_like(void **state)
{
    (void)state;
    parsed_t *p = PARSE("run", "--source", "--all", "--db", "-q");
    assert_ok(p, "run");
    assert_string_equal(cli_text(&p->a, CLI_SOURCE), "--all");
    assert_false(cli_flag(&p->a, CLI_ALL));
    assert_string_equal(cli_text(&p->a, CLI_DB), "-q");
    assert_false(cli_flag(&p->a, CLI_QUIET));
    free(p);
}

static void a_repeated_source_keeps_every_value(void **state)
{
    (void)state;
    parsed_t *p = PARSE("run", "--source", "a", "--all", "--source", "b", "--wait", "1.5");
    assert_ok(p, "run");
    const cli_value_t *v = &p->a.opt[CLI_SOURCE];
    assert_int_equal(v->n_list, 2);
    assert_string_equal(v->list[0], "a");
    assert_string_equal(v->list[1], "b");
    assert_string_equal(v->text, "b");
    assert_true(cli_flag(&p->a, CLI_ALL));
    assert_true(p->a.opt[CLI_WAIT].seconds == 1.5);
    free(p);
}

/* eval reads every --rule; replay and flags, which take one, read the last. */
static void a_repeated_rule_keeps_every_value_and_the_last_as_text(void **state)
{
    (void)state;
    parsed_t *p = PARSE("eval", "set.tsv", "--rule", "a", "--rule", "b", "--min-precision", "0.9",
                        "--min-recall", "0.85");
    assert_ok(p, "eval");
    assert_int_equal(p->a.n_words, 1);
    assert_string_equal(p->a.words[0], "set.tsv");
    const cli_value_t *v = &p->a.opt[CLI_RULE];
    assert_int_equal(v->n_list, 2);
    assert_string_equal(v->list[0], "a");
    assert_string_equal(v->list[1], "b");
    assert_string_equal(v->text, "b");
    assert_string_equal(cli_text(&p->a, CLI_MIN_PRECISION), "0.9");
    assert_string_equal(cli_text(&p->a, CLI_MIN_RECALL), "0.85");
    free(p);
    p = PARSE("flags", "--rule", "a", "--rule", "b");
    assert_ok(p, "flags");
    assert_string_equal(cli_text(&p->a, CLI_RULE), "b");
    free(p);
    EXPECT_USAGE_ERROR("vane: unknown option '--min-recall' for this command (see vane --help)\n",
                       "test", "--min-recall", "0.5");
    EXPECT_USAGE_ERROR("vane: unexpected argument 'b.tsv' (see vane --help)\n", "eval", "a.tsv",
                       "b.tsv");
}

/* --limit takes a whole number of 1 or more and nothing else. */
static void limit_takes_a_whole_number_of_one_or_more(void **state)
{
    (void)state;
    parsed_t *p = PARSE("events", "--limit", "12");
    assert_ok(p, "events");
    assert_int_equal(p->a.opt[CLI_LIMIT].count, 12);
    free(p);
    EXPECT_USAGE_ERROR("vane: --limit needs a whole number, 1 or more, not 'ten' (see vane --help)\n",
                       "runs", "--limit", "ten");
    EXPECT_USAGE_ERROR("vane: --limit needs a whole number, 1 or more, not '2x' (see vane --help)\n",
                       "events", "--limit", "2x");
    EXPECT_USAGE_ERROR("vane: --limit needs a whole number, 1 or more, not '0' (see vane --help)\n",
                       "flags", "--limit", "0");
    EXPECT_USAGE_ERROR("vane: --limit needs a whole number, 1 or more, not '-3' (see vane --help)\n",
                       "flags", "--limit", "-3");
}

/* --since takes a time, or a duration that cli_resolve_times makes the
 * time that long before now. */
static void since_takes_a_time_or_a_duration_before_now(void **state)
{
    (void)state;
    parsed_t *p = PARSE("events", "--since", "7d");
    assert_ok(p, "events");
    cli_resolve_times(cli_table(), &p->a, 8 * 86400);
    assert_string_equal(cli_text(&p->a, CLI_SINCE), "1970-01-02T00:00:00Z");
    free(p);
    p = PARSE("flags", "--since", "2024-11-20T23:00:00Z");
    assert_ok(p, "flags");
    cli_resolve_times(cli_table(), &p->a, 8 * 86400);
    assert_string_equal(cli_text(&p->a, CLI_SINCE), "2024-11-20T23:00:00Z");
    free(p);
}

static void a_bad_time_or_wait_names_the_option_and_the_value(void **state)
{
    (void)state;
    EXPECT_USAGE_ERROR("vane: --since needs a time (ISO-8601, e.g. 2024-11-20T23:00:00Z) or a "
                       "duration before now (30m, 12h, 7d), not 'yesterday' (see vane --help)\n",
                       "events", "--since", "yesterday");
    EXPECT_USAGE_ERROR("vane: --wait needs a number of seconds, not '-1' (see vane --help)\n",
                       "run", "--wait", "-1");
    EXPECT_USAGE_ERROR("vane: --wait needs a number of seconds, not '3s' (see vane --help)\n",
                       "deliver", "--wait", "3s");
}

/* The table printed to a temporary file, as text. */
static void print_table(const table_t *t, int cut, char *out, size_t n)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    table_print(t, f, cut);
    rewind(f);
    size_t got = fread(out, 1, n - 1, f);
    out[got] = '\0';
    fclose(f);
}

static void a_table_aligns_its_columns_and_cuts_only_when_told(void **state)
{
    (void)state;
    static const char *const names[] = {"id", "title", "note"};
    char longer[64];
    memset(longer, 'x', 50);
    longer[50] = '\0';
    const char *r1[] = {"1", "Zürich", "a"}, *r2[] = {"22", longer, NULL},
               *r3[] = {"3", "bell\a", "c"};
    table_t t = {0};
    assert_int_equal(table_add(&t, 3, names, r1), 0);
    assert_int_equal(table_add(&t, 3, names, r2), 0);
    assert_int_equal(table_add(&t, 3, names, r3), 0);
    char out[1024], want[1024];
    print_table(&t, 0, out, sizeof out);
    snprintf(want, sizeof want,
             "id  %-40s  note\n1   Zürich%34s  a\n22  %s  -\n3   %-40s  c\n", "title", "",
             longer, "bell\\x07");
    assert_string_equal(out, want);
    print_table(&t, 1, out, sizeof out);
    assert_non_null(strstr(out, "\n22  xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…  -\n"));
    table_free(&t);
}

/* ---- mistakes ------------------------------------------------------------------------ */

static void an_equals_sign_is_not_read_as_a_value(void **state)
{
    (void)state;
    EXPECT_USAGE_ERROR("vane: unknown option '--db=a.db' (see vane --help)\n", "--db=a.db", "run");
    EXPECT_USAGE_ERROR("vane: unknown option '--config=a.lua' for this command (see vane --help)\n",
                       "run", "--config=a.lua");
    EXPECT_USAGE_ERROR("vane: unknown option '--source=a' for this command (see vane --help)\n",
                       "run", "--source=a");
}

static void an_unknown_option_is_named_with_or_without_a_command(void **state)
{
    (void)state;
    EXPECT_USAGE_ERROR("vane: unknown option '--frobnicate' (see vane --help)\n",
                       "--frobnicate", "run");
    EXPECT_USAGE_ERROR("vane: unknown option '--frobnicate' for this command (see vane --help)\n",
                       "run", "--frobnicate");
}

/* A command's option before the command, or given to another command. */
static void a_command_option_is_taken_only_after_its_command(void **state)
{
    (void)state;
    EXPECT_USAGE_ERROR("vane: unknown option '--all' (see vane --help)\n", "--all", "run");
    EXPECT_USAGE_ERROR("vane: unknown option '--rule' for this command (see vane --help)\n",
                       "events", "--rule", "r");
}

static void a_missing_value_names_the_option_as_typed(void **state)
{
    (void)state;
    EXPECT_USAGE_ERROR("vane: option -c needs a value (see vane --help)\n", "check", "-c");
    EXPECT_USAGE_ERROR("vane: option --db needs a value (see vane --help)\n", "--db");
    EXPECT_USAGE_ERROR("vane: option --rule needs a value (see vane --help)\n", "flags", "--rule");
}

static void unknown_commands_and_extra_words_are_usage_errors(void **state)
{
    (void)state;
    EXPECT_USAGE_ERROR("vane: unknown command 'frobnicate' (see vane --help)\n", "frobnicate");
    EXPECT_USAGE_ERROR("vane: unexpected argument 'extra' (see vane --help)\n", "check", "extra");
    parsed_t *p = PARSE("test", "a", "b");
    assert_ok(p, "test");
    assert_int_equal(p->a.n_words, 2);
    assert_string_equal(p->a.words[1], "b");
    free(p);
}

/* ---- the tables ------------------------------------------------------------------------ */

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static void every_option_row_is_well_formed_and_named_once(void **state)
{
    (void)state;
    const cli_table_t *t = cli_table();
    assert_int_equal(t->n_options, CLI_N_OPTS);
    assert_true(t->n_options <= CLI_MAX_OPTS);
    for (size_t i = 0; i < t->n_options; i++) {
        const cli_option_t *o = &t->options[i];
        assert_non_null(o->name);
        assert_true(strncmp(o->name, "--", 2) == 0 && o->name[2]);
        assert_true(!o->short_name || (o->short_name[0] == '-' && o->short_name[1] &&
                                       !o->short_name[2]));
        assert_true(o->kind >= CLI_FLAG && o->kind <= CLI_COUNT);
        for (size_t k = 0; k < i; k++) {
            const cli_option_t *p = &t->options[k];
            assert_false(same(o->name, p->name) || same(o->name, p->short_name));
            assert_false(same(o->short_name, p->name) || same(o->short_name, p->short_name));
            assert_false(same(o->word, p->word));
        }
    }
}

static void every_command_row_is_well_formed_and_named_once(void **state)
{
    (void)state;
    const cli_table_t *t = cli_table();
    unsigned globals = 0;
    for (size_t i = 0; i < t->n_options; i++)
        if (t->options[i].global)
            globals |= CLI_OPT(i);
    unsigned all = t->n_options == 32 ? ~0u : CLI_OPT(t->n_options) - 1;
    assert_true(t->n_commands > 0);
    for (size_t i = 0; i < t->n_commands; i++) {
        const cli_command_t *c = &t->commands[i];
        assert_non_null(c->name);
        assert_true(c->name[0] && c->name[0] != '-');
        assert_non_null(c->fn);
        /* a synopsis line starting with its name, then an indented summary line */
        assert_non_null(c->usage);
        assert_true(strncmp(c->usage, "vane ", 5) == 0);
        assert_true(strncmp(c->usage + 5, c->name, strlen(c->name)) == 0);
        const char *nl = strchr(c->usage, '\n');
        assert_true(nl && strncmp(nl, "\n  ", 3) == 0 && nl[3] != '\n');
        assert_int_equal(c->options & globals, 0);
        assert_int_equal(c->options & ~all, 0);
        assert_true(c->max_words <= CLI_MAX_LIST);
        for (size_t k = 0; k < t->n_options; k++)
            assert_false(same(c->name, t->options[k].word));
        for (size_t k = 0; k < i; k++)
            assert_false(same(c->name, t->commands[k].name));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(global_options_are_read_before_and_after_the_command),
        cmocka_unit_test(short_and_long_names_fill_the_same_slot),
        cmocka_unit_test(the_now_value_is_kept_as_typed),
        cmocka_unit_test(the_word_help_before_a_command_asks_for_its_help),
        cmocka_unit_test(an_option_value_is_the_next_argument_whatever_it_looks_like),
        cmocka_unit_test(a_repeated_source_keeps_every_value),
        cmocka_unit_test(a_repeated_rule_keeps_every_value_and_the_last_as_text),
        cmocka_unit_test(limit_takes_a_whole_number_of_one_or_more),
        cmocka_unit_test(since_takes_a_time_or_a_duration_before_now),
        cmocka_unit_test(a_table_aligns_its_columns_and_cuts_only_when_told),
        cmocka_unit_test(a_bad_time_or_wait_names_the_option_and_the_value),
        cmocka_unit_test(an_equals_sign_is_not_read_as_a_value),
        cmocka_unit_test(an_unknown_option_is_named_with_or_without_a_command),
        cmocka_unit_test(a_command_option_is_taken_only_after_its_command),
        cmocka_unit_test(a_missing_value_names_the_option_as_typed),
        cmocka_unit_test(unknown_commands_and_extra_words_are_usage_errors),
        cmocka_unit_test(every_option_row_is_well_formed_and_named_once),
        cmocka_unit_test(every_command_row_is_well_formed_and_named_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

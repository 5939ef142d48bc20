/* test_evalset.c — `vane eval`'s parts: reading a labelled set of titles
 * (TSV), counting what rules did on it, and real rules (files in a
 * temporary monitor folder) run over a set without opening a database. */
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

#include "config/config.h"
#include "rules/evalset.h"
#include "rules/rules.h"

/* Is there a message in l containing `part`? */
static int has_msg(const errlist_t *l, const char *part)
{
    for (size_t i = 0; i < l->len; i++)
        if (strstr(l->msgs[i], part))
            return 1;
    return 0;
}

static int parse(const char *text, evalset_t *set, errlist_t *errs, errlist_t *warns)
{
    memset(set, 0, sizeof *set);
    return evalset_parse(text, strlen(text), "set.tsv", set, errs, warns);
}

static void columns_in_any_order_comments_and_extra_columns_are_read(void **state)
{
    (void)state;
    const char *text =
        "\xEF\xBB\xBF# a guideline\r\n"
        "# labels: a, b\n"
        "\n"
        "provenance\tlabels\ttitle\tid\tsource\tlang\r\n"
        "url1\tnew-meeting, repatriation\tU.S.-China Working Group Meets\th1\tstate\ten\r\n"
        "# a comment between rows\n"
        "url2\t-\t中美执法合作联合联络小组会议\th2\tmfa\tzh\n"
        "url3\t repatriation \t  Fugitive returned  \th3\tnews\ten";
    evalset_t set;
    errlist_t errs = {0}, warns = {0};
    assert_int_equal(parse(text, &set, &errs, &warns), 0);
    assert_int_equal(errs.len, 0);
    assert_int_equal(warns.len, 0);
    assert_int_equal(set.n, 3);
    assert_string_equal(set.name, "set.tsv");
    assert_string_equal(set.rows[0].id, "h1");
    assert_string_equal(set.rows[0].lang, "en");
    assert_string_equal(set.rows[0].source, "state");
    assert_string_equal(set.rows[0].title, "U.S.-China Working Group Meets");
    assert_int_equal(set.rows[0].n_labels, 2);
    assert_string_equal(set.rows[0].labels[0], "new-meeting");
    assert_string_equal(set.rows[0].labels[1], "repatriation");
    assert_int_equal(set.rows[0].line, 5);
    assert_int_equal(set.rows[1].n_labels, 0);
    assert_string_equal(set.rows[1].title, "中美执法合作联合联络小组会议");
    assert_int_equal(set.rows[1].line, 7);
    assert_string_equal(set.rows[2].title, "Fugitive returned");
    assert_true(evalset_has_label(&set.rows[2], "repatriation"));
    assert_false(evalset_has_label(&set.rows[2], "new-meeting"));
    evalset_free(&set);
}

static void a_header_without_a_needed_column_is_an_error_at_its_line(void **state)
{
    (void)state;
    evalset_t set;
    errlist_t errs = {0}, warns = {0};
    assert_int_equal(parse("# c\nid\tlang\tsource\ttitle\tlabel\nh1\ten\ts\tT\t-\n", &set, &errs,
                           &warns), -1);
    assert_int_equal(errs.len, 1);
    assert_string_equal(errs.msgs[0], "set.tsv:2: the header has no 'labels' column (it needs id, "
                        "lang, source, title and labels, tab-separated)");
    assert_int_equal(set.n, 0);
    evalset_free(&set);
    errlist_free(&errs);
}

static void every_malformed_row_is_reported_with_its_line(void **state)
{
    (void)state;
    const char *text = "id\tlang\tsource\ttitle\tlabels\n"
                       "h1\ten\ts\tgood\t-\n"
                       "h2\ten\ts\tno labels field\n"
                       "h3\ten\ts\tempty labels\t\n"
                       "\ten\ts\tno id\t-\n"
                       "h5\ten\ts\t\t-\n"
                       "h6\ten\ts\tbad \xff byte\t-\n"
                       "h7\ten\ts\tempty label\ta,,b\n"
                       "h1\ten\ts\tsame id\t-\n";
    evalset_t set;
    errlist_t errs = {0}, warns = {0};
    assert_int_equal(parse(text, &set, &errs, &warns), -1);
    assert_int_equal(errs.len, 6);
    assert_string_equal(errs.msgs[0], "set.tsv:3: only 4 tab-separated fields (the header's columns need 5)");
    assert_string_equal(errs.msgs[1],
                        "set.tsv:4: the labels field is empty (write '-' for no label)");
    assert_string_equal(errs.msgs[2], "set.tsv:5: the id field is empty");
    assert_string_equal(errs.msgs[3], "set.tsv:6: the title field is empty");
    assert_string_equal(errs.msgs[4], "set.tsv:7: not UTF-8 text");
    assert_true(has_msg(&errs, "set.tsv:8: an empty rule id"));
    assert_int_equal(warns.len, 1);
    assert_string_equal(warns.msgs[0], "set.tsv:9: row id 'h1' already used on line 2");
    assert_int_equal(set.n, 2); /* the good row and the duplicate */
    evalset_free(&set);
    errlist_free(&errs);
    errlist_free(&warns);
}

static void a_file_without_a_header_or_unreadable_is_an_error(void **state)
{
    (void)state;
    evalset_t set;
    errlist_t errs = {0}, warns = {0};
    assert_int_equal(parse("# only\n# comments\n", &set, &errs, &warns), -1);
    assert_true(has_msg(&errs, "set.tsv:2: no header line"));
    evalset_free(&set);
    errlist_free(&errs);
    memset(&set, 0, sizeof set);
    assert_int_equal(evalset_read("/nonexistent/set.tsv", &set, &errs, &warns), -1);
    assert_string_equal(errs.msgs[0], "/nonexistent/set.tsv: cannot read: No such file or directory");
    evalset_free(&set);
    errlist_free(&errs);
}

/* Four rows labelled a or not, and what rule "a" did on each. */
static void counting_gives_positives_flags_misses_precision_and_recall(void **state)
{
    (void)state;
    evalset_t set;
    errlist_t errs = {0}, warns = {0};
    assert_int_equal(parse("id\tlang\tsource\ttitle\tlabels\n"
                           "r1\ten\ts\tone\ta\nr2\ten\ts\ttwo\ta,b\nr3\ten\ts\tthree\t-\n"
                           "r4\ten\ts\tfour\ta\nr5\ten\ts\tfive\tb\n", &set, &errs, &warns), 0);
    const char *rules[] = {"a", "b"};
    evalset_score_t s;
    assert_int_equal(evalset_score_init(&s, rules, 2), 0);
    int a_flags[] = {1, 0, 1, 1, 0}, b_flags[] = {0, 0, 0, 0, 0};
    for (size_t row = 0; row < 5; row++) {
        assert_int_equal(evalset_record(&s, &set, 0, row, a_flags[row], NULL), 0);
        assert_int_equal(evalset_record(&s, &set, 1, row, b_flags[row], NULL), 0);
    }
    const evalset_rule_score_t *a = &s.rules[0], *b = &s.rules[1];
    assert_int_equal(a->positives, 3);
    assert_int_equal(a->flagged, 3);
    assert_int_equal(a->true_pos, 2);
    assert_int_equal(a->false_pos, 1);
    assert_int_equal(a->misses, 1);
    assert_float_equal(evalset_precision(a), 2.0 / 3, 1e-9);
    assert_float_equal(evalset_recall(a), 2.0 / 3, 1e-9);
    assert_true(evalset_below(a, 0.9, -1));
    assert_false(evalset_below(a, 0.6, 0.6));
    assert_false(evalset_below(a, -1, -1));
    /* b flags nothing: precision undefined (never below), recall 0 */
    assert_float_equal(evalset_precision(b), -1, 0);
    assert_float_equal(evalset_recall(b), 0, 0);
    assert_false(evalset_below(b, 0.9, -1));
    assert_true(evalset_below(b, -1, 0.5));
    /* the cases, in the order recorded: a's and b's misses on r2, a's false
     * flag on r3, b's miss on r5 */
    assert_int_equal(s.n_cases, 4);
    assert_int_equal(s.cases[0].rule, 0);
    assert_int_equal(s.cases[0].row, 1);
    assert_int_equal(s.cases[0].outcome, EVALSET_MISS);
    assert_int_equal(s.cases[1].rule, 1);
    assert_int_equal(s.cases[1].row, 1);
    assert_int_equal(s.cases[1].outcome, EVALSET_MISS);
    assert_int_equal(s.cases[2].outcome, EVALSET_FALSE_FLAG);
    assert_int_equal(s.cases[2].row, 2);
    assert_int_equal(s.cases[3].rule, 1);
    assert_int_equal(s.cases[3].row, 4);
    evalset_score_free(&s);
    evalset_free(&set);
}

static void an_error_is_kept_and_counts_as_not_flagged(void **state)
{
    (void)state;
    evalset_t set;
    errlist_t errs = {0}, warns = {0};
    assert_int_equal(parse("id\tlang\tsource\ttitle\tlabels\nr1\ten\ts\tone\ta\n"
                           "r2\ten\ts\ttwo\t-\n", &set, &errs, &warns), 0);
    const char *rules[] = {"a"};
    evalset_score_t s;
    assert_int_equal(evalset_score_init(&s, rules, 1), 0);
    assert_int_equal(evalset_record(&s, &set, 0, 0, 1, "rules/a.lua:3: boom"), 0);
    assert_int_equal(evalset_record(&s, &set, 0, 1, 1, "rules/a.lua:3: boom"), 0);
    assert_int_equal(s.rules[0].errors, 2);
    assert_int_equal(s.rules[0].flagged, 0);
    assert_int_equal(s.rules[0].misses, 1);
    assert_int_equal(s.rules[0].false_pos, 0);
    assert_int_equal(s.n_cases, 3); /* two errors and the miss */
    assert_int_equal(s.cases[0].outcome, EVALSET_ERROR);
    assert_string_equal(s.cases[0].message, "rules/a.lua:3: boom");
    assert_int_equal(s.cases[1].outcome, EVALSET_MISS);
    assert_null(s.cases[1].message);
    evalset_score_free(&s);
    evalset_free(&set);
}

/* ---- real rules over a set ------------------------------------------------ */

/* Flags a title with "meets" in it, on the `press` source only (the
 * restriction eval does not apply); raises an error on "boom"; messages
 * nothing on "quiet" (no flag). Sees lang, source and key. */
static const char meeting_rule[] =
    "return {\n"
    "  id = \"meets\", severity = \"low\", sources = { \"press\" },\n"
    "  when = function(ev)\n"
    "    assert(ev.change == \"new\" and not ev.baseline and ev.item.lang and ev.key and ev.source\n"
    "           and ev.observed_at:match(\"^%d%d%d%d%-%d%d%-%d%dT\"))\n"
    "    if ev.item.title:find(\"boom\") then error(\"exploded\") end\n"
    "    return ev.item.title:find(\"meets\") ~= nil\n"
    "  end,\n"
    "  message = function(ev)\n"
    "    if ev.item.title:find(\"quiet\") then return nil end\n"
    "    return ev.source .. \"/\" .. ev.key .. \"/\" .. ev.item.lang\n"
    "  end,\n"
    "}\n";

static const char zh_rule[] =
    "return { id = \"chinese\", when = function(ev) return ev.item.lang == \"zh\" end }\n";

static const char check_rule[] =
    "return { id = \"checker\", check = function(ctx) return {} end }\n";

static const char set_text[] = "id\tlang\tsource\ttitle\tlabels\n"
                               "m1\ten\tstate\tGroup meets\tmeets\n"
                               "m2\ten\tstate\tGroup gathers\tmeets\n"
                               "m3\ten\tnews\tNobody meets\t-\n"
                               "m4\ten\tnews\tboom meets\tmeets\n"
                               "m5\ten\tnews\tquiet meets\tmeets\n"
                               "m6\tzh\tmfa\t会议\tmystery\n";

typedef struct monitor {
    char dir[64];
    config_t cfg;
    rules_t *rules;
    evalset_t set;
    errlist_t errs, warns;
} monitor_t;

static int setup(void **state)
{
    monitor_t *m = calloc(1, sizeof *m);
    strcpy(m->dir, "/tmp/vane-test-evalset-XXXXXX");
    assert_non_null(mkdtemp(m->dir));
    char rules[128], config[128];
    snprintf(rules, sizeof rules, "%s/rules", m->dir);
    assert_int_equal(mkdir(rules, 0755), 0);
    write_file(rules, "meets.lua", meeting_rule);
    write_file(rules, "zh.lua", zh_rule);
    write_file(rules, "checker.lua", check_rule);
    write_file(m->dir, "vane.lua", "database \"vane.db\"\n");
    snprintf(config, sizeof config, "%s/vane.lua", m->dir);
    assert_int_equal(config_load(config, &m->cfg, &m->errs), 0);
    err_t e = {{0}};
    m->rules = rules_load(&m->cfg, &m->errs, &e);
    assert_non_null(m->rules);
    assert_int_equal(m->errs.len, 0);
    assert_int_equal(evalset_parse(set_text, strlen(set_text), "set.tsv", &m->set, &m->errs,
                                   &m->warns), 0);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    monitor_t *m = *state;
    rules_free(m->rules);
    config_free(&m->cfg);
    evalset_free(&m->set);
    errlist_free(&m->errs);
    errlist_free(&m->warns);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", m->dir);
    assert_int_equal(system(cmd), 0);
    free(m);
    return 0;
}

static void the_rules_labelled_in_the_set_are_scored_whatever_their_sources(void **state)
{
    monitor_t *m = *state;
    evalset_score_t s;
    assert_int_equal(rules_eval_select(m->rules, &m->set, NULL, 0, &s, &m->errs, &m->warns), 0);
    assert_int_equal(m->errs.len, 0);
    assert_int_equal(m->warns.len, 1);
    assert_string_equal(m->warns.msgs[0], "set.tsv:7: label 'mystery' names no loaded rule");
    assert_int_equal(s.n_rules, 1); /* "chinese" labels no row, "checker" has no when */
    assert_string_equal(s.rules[0].rule, "meets");
    err_t e = {{0}};
    assert_int_equal(rules_eval_set(m->rules, &m->set, &s, &e), 0);
    const evalset_rule_score_t *r = &s.rules[0];
    assert_int_equal(r->positives, 4);
    assert_int_equal(r->flagged, 2);   /* m1 (state, not press: still applies), m3 */
    assert_int_equal(r->true_pos, 1);
    assert_int_equal(r->false_pos, 1); /* m3 */
    assert_int_equal(r->misses, 3);    /* m2, m4 (error), m5 (message nil: no flag) */
    assert_int_equal(r->errors, 1);
    assert_int_equal(s.cases[0].outcome, EVALSET_MISS);
    assert_string_equal(m->set.rows[s.cases[0].row].id, "m2");
    assert_int_equal(s.cases[2].outcome, EVALSET_ERROR);
    assert_string_equal(m->set.rows[s.cases[2].row].id, "m4");
    assert_non_null(strstr(s.cases[2].message, "exploded"));
    assert_null(strchr(s.cases[2].message, '\n'));
    /* nothing stored: no database was created */
    char db[128];
    snprintf(db, sizeof db, "%s/vane.db", m->dir);
    assert_int_not_equal(access(db, F_OK), 0);
    evalset_score_free(&s);
}

static void named_rules_are_scored_and_unknown_or_check_only_ones_are_errors(void **state)
{
    monitor_t *m = *state;
    evalset_score_t s;
    const char *only[] = {"chinese", "chinese"};
    assert_int_equal(rules_eval_select(m->rules, &m->set, only, 2, &s, &m->errs, &m->warns), 0);
    assert_int_equal(s.n_rules, 1);
    err_t e = {{0}};
    assert_int_equal(rules_eval_set(m->rules, &m->set, &s, &e), 0);
    assert_int_equal(s.rules[0].positives, 0);
    assert_int_equal(s.rules[0].flagged, 1);
    assert_int_equal(s.rules[0].false_pos, 1);
    evalset_score_free(&s);

    const char *bad[] = {"nope", "checker"};
    assert_int_equal(rules_eval_select(m->rules, &m->set, bad, 2, &s, &m->errs, &m->warns), -1);
    assert_int_equal(m->errs.len, 2);
    assert_string_equal(m->errs.msgs[0], "no loaded rule has the id 'nope'");
    assert_true(has_msg(&m->errs, "checker.lua: rule checker has no when(ev)"));
    assert_int_equal(s.n_rules, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(columns_in_any_order_comments_and_extra_columns_are_read),
        cmocka_unit_test(a_header_without_a_needed_column_is_an_error_at_its_line),
        cmocka_unit_test(every_malformed_row_is_reported_with_its_line),
        cmocka_unit_test(a_file_without_a_header_or_unreadable_is_an_error),
        cmocka_unit_test(counting_gives_positives_flags_misses_precision_and_recall),
        cmocka_unit_test(an_error_is_kept_and_counts_as_not_flagged),
        cmocka_unit_test_setup_teardown(the_rules_labelled_in_the_set_are_scored_whatever_their_sources,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(named_rules_are_scored_and_unknown_or_check_only_ones_are_errors,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* cmd_eval.c — `vane eval FILE`: the rules over a labelled set of titles,
 * their precision and recall, every miss, false flag and error. The set is
 * read and counted by rules/evalset.c, the rules run by
 * rules/rules_eval_set.c; this file reads the options and prints. */
#include "cli/command.h"

#include <stdlib.h>
#include <string.h>

#include "rules/evalset.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/exitcode.h"
#include "util/json.h"

static const char *const outcome_names[] = {
    [EVALSET_MISS] = "miss", [EVALSET_FALSE_FLAG] = "false flag", [EVALSET_ERROR] = "error"};
static const char *const outcome_keys[] = {
    [EVALSET_MISS] = "miss", [EVALSET_FALSE_FLAG] = "false_flag", [EVALSET_ERROR] = "error"};

/* A threshold in [0, 1], or -1 when the option is not given. */
static int read_threshold(const cli_args_t *a, cli_opt_t id, const char *name, double *out)
{
    const char *s = cli_text(a, id);
    *out = -1;
    if (!s)
        return 0;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0 && v <= 1))
        return cli_usage_error("%s needs a number from 0 to 1, not '%s'", name, s);
    *out = v;
    return 0;
}

static void print_measure(buf_t *b, double v, int json)
{
    if (v < 0)
        buf_puts(b, json ? "null" : "      -");
    else
        buf_printf(b, json ? "%.4f" : "  %5.3f", v);
}

/* The width of the rule column. */
static int rule_width(const evalset_score_t *s)
{
    int w = 4;
    for (size_t i = 0; i < s->n_rules; i++)
        if ((int)strlen(s->rules[i].rule) > w)
            w = (int)strlen(s->rules[i].rule);
    return w;
}

static void print_rules_text(const evalset_score_t *s)
{
    int w = rule_width(s);
    printf("%-*s  positives  flagged   true  false  misses  errors  precision  recall\n", w,
           "rule");
    for (size_t i = 0; i < s->n_rules; i++) {
        const evalset_rule_score_t *r = &s->rules[i];
        buf_t b = {0};
        buf_printf(&b, "%-*s  %9ld  %7ld  %5ld  %5ld  %6ld  %6ld    ", w, r->rule, r->positives,
                   r->flagged, r->true_pos, r->false_pos, r->misses, r->errors);
        print_measure(&b, evalset_precision(r), 0);
        buf_puts(&b, " ");
        print_measure(&b, evalset_recall(r), 0);
        printf("%s\n", buf_str(&b));
        buf_free(&b);
    }
}

static void print_rules_json(const evalset_score_t *s)
{
    for (size_t i = 0; i < s->n_rules; i++) {
        const evalset_rule_score_t *r = &s->rules[i];
        buf_t b = {0};
        buf_puts(&b, "{\"type\":\"rule\",\"rule\":");
        json_put_string(&b, r->rule, strlen(r->rule));
        buf_printf(&b, ",\"positives\":%ld,\"flagged\":%ld,\"true_positives\":%ld,"
                   "\"false_positives\":%ld,\"misses\":%ld,\"errors\":%ld,\"precision\":",
                   r->positives, r->flagged, r->true_pos, r->false_pos, r->misses, r->errors);
        print_measure(&b, evalset_precision(r), 1);
        buf_puts(&b, ",\"recall\":");
        print_measure(&b, evalset_recall(r), 1);
        printf("%s}\n", buf_str(&b));
        buf_free(&b);
    }
}

static void print_case(const evalset_t *set, const evalset_score_t *s, const evalset_case_t *c,
                       int json)
{
    const evalset_row_t *row = &set->rows[c->row];
    const char *rule = s->rules[c->rule].rule;
    if (!json) {
        printf("%-*s  %-10s  %s  %s\n", rule_width(s), rule, outcome_names[c->outcome], row->id,
               c->message ? c->message : row->title);
        return;
    }
    buf_t b = {0};
    buf_printf(&b, "{\"type\":\"%s\",\"rule\":", outcome_keys[c->outcome]);
    json_put_string(&b, rule, strlen(rule));
    buf_puts(&b, ",\"id\":");
    json_put_string(&b, row->id, strlen(row->id));
    buf_printf(&b, ",\"line\":%d,\"title\":", row->line);
    json_put_string(&b, row->title, strlen(row->title));
    if (c->message) {
        buf_puts(&b, ",\"error\":");
        json_put_string(&b, c->message, strlen(c->message));
    }
    printf("%s}\n", buf_str(&b));
    buf_free(&b);
}

/* Print the report; returns how many rules are below a threshold. */
static int report(const evalset_t *set, const evalset_score_t *s, int json, double min_p,
                  double min_r)
{
    if (json)
        print_rules_json(s);
    else
        print_rules_text(s);
    if (!json && s->n_cases)
        printf("\nmisses, false flags and errors:\n");
    for (size_t k = 0; k < s->n_rules; k++)   /* grouped by rule, in row order */
        for (size_t i = 0; i < s->n_cases; i++)
            if (s->cases[i].rule == k)
                print_case(set, s, &s->cases[i], json);
    int below = 0;
    long errors = 0;
    buf_t names = {0};
    for (size_t i = 0; i < s->n_rules; i++) {
        errors += s->rules[i].errors;
        if (evalset_below(&s->rules[i], min_p, min_r)) {
            buf_puts(&names, below == 0 ? "" : json ? "," : ", ");
            if (json)
                json_put_string(&names, s->rules[i].rule, strlen(s->rules[i].rule));
            else
                buf_puts(&names, s->rules[i].rule);
            below++;
        }
    }
    if (json)
        printf("{\"type\":\"summary\",\"titles\":%zu,\"rules\":%zu,\"errors\":%ld,\"below\":[%s]}\n",
               set->n, s->n_rules, errors, buf_str(&names));
    else
        printf("\n%zu titles, %zu rules, %ld errors%s%s\n", set->n, s->n_rules, errors,
               below ? "; below the thresholds: " : "", buf_str(&names));
    buf_free(&names);
    return below;
}

static void print_problems(const errlist_t *l)
{
    for (size_t i = 0; i < l->len; i++)
        cli_print_problem(0, stderr, l->msgs[i]);
}

int cmd_eval(const cli_args_t *a)
{
    double min_p, min_r;
    if (a->n_words != 1)
        return cli_usage_error("eval needs one FILE: a labelled set of titles (TSV)");
    if (read_threshold(a, CLI_MIN_PRECISION, "--min-precision", &min_p) != 0 ||
        read_threshold(a, CLI_MIN_RECALL, "--min-recall", &min_r) != 0)
        return VANE_EXIT_USAGE;
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    evalset_t set = {0};
    evalset_score_t score = {0};
    errlist_t errs = {0}, warns = {0};
    err_t e;
    int code = VANE_EXIT_USAGE;
    rules_t *rules = NULL;
    /* a rule file that does not load is told and left out, as in a run */
    if (evalset_read(a->words[0], &set, &errs, &warns) == 0) {
        rules = rules_load(&cfg, &warns, &e);
        if (!rules)
            errlist_add(&errs, "%s", e.msg);
    }
    size_t load_problems = warns.len;
    const cli_value_t *only = &a->opt[CLI_RULE];
    if (rules && errs.len == 0 &&
        rules_eval_select(rules, &set, only->list, only->n_list, &score, &errs, &warns) == 0) {
        print_problems(&warns);
        if (rules_eval_set(rules, &set, &score, &e) != 0) {
            errlist_add(&errs, "%s", e.msg);
        } else {
            int below = report(&set, &score, cli_flag(a, CLI_JSON), min_p, min_r);
            int failed = below > 0 || load_problems > 0;
            for (size_t i = 0; i < score.n_rules; i++)
                failed |= score.rules[i].errors > 0;
            code = failed ? VANE_EXIT_FAILED : VANE_EXIT_OK;
        }
    } else {
        print_problems(&warns);
    }
    print_problems(&errs);
    evalset_score_free(&score);
    rules_free(rules);
    evalset_free(&set);
    errlist_free(&errs);
    errlist_free(&warns);
    config_free(&cfg);
    return code;
}

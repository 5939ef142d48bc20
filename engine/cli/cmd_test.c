/* cmd_test.c — `vane test [RULE]...`: the rules' inline tests, one line per
 * failing case, then the counts. A RULE no loaded rule has is a usage
 * error (exit 2), so that a typo cannot pass as "0 passed, 0 failed". */
#include "cli/command.h"

#include "cli/names.h"
#include "rules/rules.h"
#include "util/exitcode.h"

/* ud is an int: whether to print JSON. */
static void print_failure(void *ud, const char *line)
{
    cli_print_problem(*(const int *)ud, stdout, line);
}

int cmd_test(const cli_args_t *a)
{
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    int json = cli_flag(a, CLI_JSON);
    errlist_t errs = {0};
    err_t e;
    rules_t *rules = rules_load(&cfg, &errs, &e);
    long passed = 0, failed = 0;
    for (size_t i = 0; i < errs.len; i++) {
        cli_print_problem(json, stdout, errs.msgs[i]);
        failed++;
    }
    if (rules && cli_unknown_rules(rules, "test:", a->words, a->n_words, 0) > 0) {
        rules_free(rules);
        errlist_free(&errs);
        config_free(&cfg);
        return VANE_EXIT_USAGE;
    }
    if (rules) {
        long p = 0, f = 0;
        rules_test(rules, a->words, a->n_words, print_failure, &json, &p, &f);
        passed += p;
        failed += f;
    } else {
        cli_print_problem(json, stdout, e.msg);
        failed++;
    }
    if (json)
        printf("{\"passed\":%ld,\"failed\":%ld}\n", passed, failed);
    else
        printf("%ld passed, %ld failed\n", passed, failed);
    rules_free(rules);
    errlist_free(&errs);
    config_free(&cfg);
    return failed ? VANE_EXIT_FAILED : VANE_EXIT_OK;
}

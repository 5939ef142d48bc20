/* cmd_check.c — `vane check`: load the configuration, prepare every
 * source's script, load the rules, check the references between them;
 * print every problem at once (as JSON objects with --json). */
#include "cli/command.h"

#include "cli/references.h"
#include "extract/extract.h"
#include "rules/rules.h"
#include "util/exitcode.h"

static void print_result(const cli_args_t *a, const config_t *cfg, size_t problems,
                         size_t n_rules)
{
    if (cli_flag(a, CLI_JSON)) {
        printf("{\"ok\":%s,\"problems\":%zu,\"sources\":%zu,\"rules\":%zu,\"channels\":%zu,"
               "\"shipped_rules\":%s}\n",
               problems ? "false" : "true", problems, cfg->n_sources, n_rules, cfg->n_channels,
               cfg->shipped_rules ? "true" : "false");
        return;
    }
    if (problems || cli_flag(a, CLI_QUIET))
        return;
    if (cfg->shipped_rules)
        printf("rules: the %zu shipped rule%s (no rules folder)\n", n_rules, n_rules == 1 ? "" : "s");
    printf("%s: ok: %zu source%s, %zu rule%s, %zu channel%s\n", cfg->path, cfg->n_sources,
           cfg->n_sources == 1 ? "" : "s", n_rules, n_rules == 1 ? "" : "s", cfg->n_channels,
           cfg->n_channels == 1 ? "" : "s");
}

static void print_problems(const cli_args_t *a, const errlist_t *errs)
{
    for (size_t i = 0; i < errs->len; i++)
        cli_print_problem(cli_flag(a, CLI_JSON), stderr, errs->msgs[i]);
}

/* The configuration itself, its problems printed like the others. */
static int load_config(const cli_args_t *a, config_t *cfg)
{
    const char *path = cli_text(a, CLI_CONFIG);
    errlist_t errs = {0};
    int rc = config_load(path ? path : "vane.lua", cfg, &errs);
    print_problems(a, &errs);
    if (rc != 0 && cli_flag(a, CLI_JSON))
        printf("{\"ok\":false,\"problems\":%zu}\n", errs.len);
    errlist_free(&errs);
    return rc;
}

int cmd_check(const cli_args_t *a)
{
    config_t cfg;
    if (load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    errlist_t errs = {0};
    err_t e;
    extract_t *x = extract_new(&cfg, &e);
    if (!x)
        errlist_add(&errs, "%s", e.msg);
    for (size_t i = 0; x && i < cfg.n_sources; i++)
        if (extract_prepare(x, cfg.sources[i].script, &e) != 0)
            errlist_add(&errs, "%s:%d: source %s: %s", cfg.path, cfg.sources[i].line,
                        cfg.sources[i].id, e.msg);
    rules_t *rules = rules_load(&cfg, &errs, &e);
    if (!rules)
        errlist_add(&errs, "%s", e.msg);
    references_check(&cfg, rules, x, &errs);
    print_problems(a, &errs);
    print_result(a, &cfg, errs.len, rules ? rules_count(rules) : 0);
    int code = errs.len ? VANE_EXIT_USAGE : VANE_EXIT_OK;
    rules_free(rules);
    extract_free(x);
    errlist_free(&errs);
    config_free(&cfg);
    return code;
}

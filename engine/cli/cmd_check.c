/* cmd_check.c — `vane check`: load the configuration, prepare every
 * source's script, load the rules; print every problem at once. */
#include "cli/command.h"

#include "extract/extract.h"
#include "rules/rules.h"
#include "util/exitcode.h"

static void print_result(const cli_args_t *a, const config_t *cfg, size_t problems,
                         size_t n_rules)
{
    if (cli_flag(a, CLI_JSON))
        printf("{\"ok\":%s,\"problems\":%zu,\"sources\":%zu,\"rules\":%zu,\"channels\":%zu}\n",
               problems ? "false" : "true", problems, cfg->n_sources, n_rules, cfg->n_channels);
    else if (!problems && !cli_flag(a, CLI_QUIET))
        printf("%s: ok: %zu source%s, %zu rule%s, %zu channel%s\n", cfg->path, cfg->n_sources,
               cfg->n_sources == 1 ? "" : "s", n_rules, n_rules == 1 ? "" : "s", cfg->n_channels,
               cfg->n_channels == 1 ? "" : "s");
}

int cmd_check(const cli_args_t *a)
{
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
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
    for (size_t i = 0; i < errs.len; i++)
        cli_print_problem(cli_flag(a, CLI_JSON), stderr, errs.msgs[i]);
    print_result(a, &cfg, errs.len, rules ? rules_count(rules) : 0);
    int code = errs.len ? VANE_EXIT_USAGE : VANE_EXIT_OK;
    rules_free(rules);
    extract_free(x);
    errlist_free(&errs);
    config_free(&cfg);
    return code;
}

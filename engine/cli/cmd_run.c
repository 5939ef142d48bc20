/* cmd_run.c — `vane run` and `vane deliver`: the command line's side of
 * run.c (which prints the flags, errors and summary itself). */
#include "cli/command.h"
#include "cli/names.h"

#include "cli/references.h"
#include "run/run.h"
#include "util/exitcode.h"

int cmd_run(const cli_args_t *a)
{
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    const cli_value_t *only = &a->opt[CLI_SOURCE];
    if (cli_unknown_sources(&cfg, "--source", only->list, only->n_list) > 0) {
        config_free(&cfg);
        return VANE_EXIT_USAGE;
    }
    run_opts_t o = {.all = cli_flag(a, CLI_ALL), .only = only->list, .n_only = only->n_list,
                    .dry_run = cli_flag(a, CLI_DRY_RUN), .no_alerts = cli_flag(a, CLI_NO_ALERTS),
                    .json = cli_flag(a, CLI_JSON), .verbose = cli_flag(a, CLI_VERBOSE),
                    .quiet = cli_flag(a, CLI_QUIET), .wait = a->opt[CLI_WAIT].seconds,
                    .out = stdout, .err = stderr,
                    /* A reference to nothing (a typo'd rule or source id,
                     * field or option) would route, flag or watch nothing
                     * without a word: the run refuses to start, like for
                     * any other configuration error. */
                    .check_references = references_check_config,
                    .references_fingerprint = references_fingerprint};
    int code = run_main(&cfg, cli_db_path(a, &cfg), &o);
    config_free(&cfg);
    return code;
}

int cmd_deliver(const cli_args_t *a)
{
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    run_opts_t o = {.json = cli_flag(a, CLI_JSON), .verbose = cli_flag(a, CLI_VERBOSE),
                    .quiet = cli_flag(a, CLI_QUIET), .wait = a->opt[CLI_WAIT].seconds,
                    .out = stdout, .err = stderr};
    int code = run_deliver(&cfg, cli_db_path(a, &cfg), &o);
    config_free(&cfg);
    return code;
}

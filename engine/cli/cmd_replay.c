/* cmd_replay.c — `vane replay --rule ID`: the command line's side of
 * run/replay.c, which does the work and prints the flags. The rule is
 * checked first: an unknown id is a usage error with a "did you mean". */
#include "cli/command.h"
#include "cli/names.h"

#include "run/replay.h"
#include "util/clock.h"
#include "util/exitcode.h"

/* 0 when a loaded rule has this id, else VANE_EXIT_USAGE (said). When a
 * rule file failed to load, the id may be its: replay reports that. */
static int rule_known(const config_t *cfg, const char *rule)
{
    errlist_t errs = {0};
    err_t e;
    rules_t *rules = rules_load(cfg, &errs, &e);
    size_t unknown = rules && errs.len == 0 ? cli_unknown_rules(rules, "--rule", &rule, 1, 0) : 0;
    rules_free(rules);
    errlist_free(&errs);
    return unknown ? VANE_EXIT_USAGE : 0;
}

int cmd_replay(const cli_args_t *a)
{
    vtime_t t;
    const char *rule = cli_text(a, CLI_RULE), *until = cli_text(a, CLI_UNTIL);
    if (!rule)
        return cli_usage_error("replay needs --rule ID");
    if (until && clock_parse_iso(until, &t) != 0)
        return cli_usage_error("--until needs an ISO-8601 time, not '%s'", until);
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    const char *path = cli_db_path(a, &cfg);
    int code = rule_known(&cfg, rule);
    if (code == 0)
        code = cli_need_database(path);
    if (code == 0) {
        replay_opts_t o = {rule, cli_text(a, CLI_SINCE), until, cli_flag(a, CLI_JSON),
                           cli_flag(a, CLI_VERBOSE), stdout, stderr};
        code = replay_main(&cfg, path, &o);
    }
    config_free(&cfg);
    return code;
}

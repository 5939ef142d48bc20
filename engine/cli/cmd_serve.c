/* cmd_serve.c — `vane serve [--listen ADDR:PORT]`: open the database and
 * the rules, start the web view (serve/server.h) and run until SIGINT or
 * SIGTERM, then stop cleanly (exit 0). */
#include "cli/command.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules.h"
#include "serve/server.h"
#include "store/store.h"
#include "util/exitcode.h"

/* The rules, for their titles and files; NULL (said) when they fail. */
static rules_t *load_rules(const config_t *cfg)
{
    errlist_t errs = {0};
    err_t e;
    rules_t *rules = rules_load(cfg, &errs, &e);
    if (!rules)
        fprintf(stderr, "vane: serve: the rules did not load (%s); pages show rule ids only\n",
                e.msg);
    else if (errs.len)
        fprintf(stderr, "vane: serve: %zu problems in the rules (vane check lists them)\n",
                errs.len);
    errlist_free(&errs);
    return rules;
}

/* Serve until SIGINT or SIGTERM; an exit status. */
static int serve(const char *listen, const char *path, store_t *st, const config_t *cfg,
                 rules_t *rules)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    /* blocked before the server's thread starts, so only sigwait takes them */
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    server_opts_t o = {.listen = listen,
                       .ctx = {.st = st, .cfg = cfg, .rules = rules, .url = cfg->serve.url}};
    int usage = 0;
    err_t e;
    server_t *s = server_start(&o, &usage, &e);
    if (!s) {
        fprintf(stderr, "vane: %s\n", e.msg);
        return usage ? VANE_EXIT_USAGE : VANE_EXIT_FAILED;
    }
    fprintf(stderr, "vane: serving http://%s/ (database %s)\n", server_address(s), path);
    int sig = 0;
    sigwait(&stop, &sig);
    server_stop(s);
    fprintf(stderr, "vane: stopped serving (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    return VANE_EXIT_OK;
}

int cmd_serve(const cli_args_t *a)
{
    config_t cfg;
    /* with --db and no vane.lua, serve the database alone */
    int have_cfg = cli_text(a, CLI_CONFIG) || !cli_db_given(a) || access("vane.lua", F_OK) == 0;
    if (have_cfg && cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    if (!have_cfg)
        memset(&cfg, 0, sizeof cfg);
    const char *path = cli_db_path(a, have_cfg ? &cfg : NULL);
    int code = cli_need_database(path);
    if (code == 0) {
        err_t e;
        store_t *st = store_open(path, &e);
        if (!st) {
            fprintf(stderr, "vane: %s\n", e.msg);
            code = VANE_EXIT_FAILED;
        } else {
            rules_t *rules = have_cfg ? load_rules(&cfg) : NULL;
            code = serve(cli_text(a, CLI_LISTEN), path, st, &cfg, rules);
            rules_free(rules);
            store_close(st);
        }
    }
    if (have_cfg)
        config_free(&cfg);
    return code;
}

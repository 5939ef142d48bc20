/* cmd_names.c — `vane help --names` and `vane help --ids`, listings for
 * tools rather than people (not shown by `vane --help`).
 *
 * --names prints every command, option and configuration key the program
 * knows, read from its own tables (cli.c, config/keys.h, channel_kinds[]),
 * one per line: "command NAME", "option COMMAND|* --NAME -S|- flag|value"
 * (the command, or * for every one; its short name or -; whether it takes
 * a value), "declaration NAME", "key DECLARATION KEY", "kind NAME" and
 * "key channel.KIND KEY". The man pages' drift test and the bash
 * completion read it.
 *
 * --ids prints the ids of the configuration in effect (-c FILE, else
 * ./vane.lua): "source ID", "channel ID", "rule ID"; the bash completion
 * offers them as the values of --source, --channel and --rule. */
#include "cli/command.h"

#include <stdio.h>
#include <string.h>

#include "channel/kind.h"
#include "cli/cli.h"
#include "config/decl_request.h"
#include "config/keys.h"
#include "rules/rules.h"
#include "util/exitcode.h"

/* The functions vane.lua may call (config.c's helpers). */
static const char *const declarations[] = {"source", "channel", "watch", "settings", "serve",
                                           "rules", "database", "env", NULL};

static void print_options(const cli_table_t *t, const char *cmd, unsigned mask, int global)
{
    for (size_t i = 0; i < t->n_options; i++) {
        const cli_option_t *o = &t->options[i];
        if (global ? !o->global : (o->global || !(mask & CLI_OPT(i))))
            continue;
        printf("option %s %s %s %s\n", cmd, o->name, o->short_name ? o->short_name : "-",
               o->kind == CLI_FLAG ? "flag" : "value");
    }
}

static void print_keys(const char *decl, const char *const *keys)
{
    for (size_t i = 0; keys && keys[i]; i++)
        printf("key %s %s\n", decl, keys[i]);
}

static void print_names(void)
{
    const cli_table_t *t = cli_table();
    print_options(t, "*", 0, 1);
    for (size_t i = 0; i < t->n_commands; i++) {
        printf("command %s\n", t->commands[i].name);
        print_options(t, t->commands[i].name, t->commands[i].options, 0);
    }
    for (size_t i = 0; declarations[i]; i++)
        printf("declaration %s\n", declarations[i]);
    print_keys("source", decl_source_keys);
    print_keys("source", decl_request_keys);
    print_keys("channel", decl_channel_keys);
    print_keys("watch", decl_watch_keys);
    print_keys("settings", decl_settings_keys);
    print_keys("serve", decl_serve_keys);
    for (size_t i = 0; channel_kinds[i]; i++) {
        const channel_kind_t *k = channel_kinds[i];
        char decl[64];
        printf("kind %s\n", k->name);
        if (k->alias)
            printf("kind %s\n", k->alias);
        snprintf(decl, sizeof decl, "channel.%s", k->name);
        print_keys(decl, k->keys);
    }
}

/* The ids of the configuration; rules only when they load. */
static int print_ids(const cli_args_t *a)
{
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    for (size_t i = 0; i < cfg.n_sources; i++)
        printf("source %s\n", cfg.sources[i].id);
    for (size_t i = 0; i < cfg.n_channels; i++)
        printf("channel %s\n", cfg.channels[i].id);
    errlist_t errs = {0};
    err_t e;
    rules_t *rules = rules_load(&cfg, &errs, &e);
    for (size_t i = 0; rules && i < rules_count(rules); i++)
        printf("rule %s\n", rules_id(rules, i));
    rules_free(rules);
    errlist_free(&errs);
    config_free(&cfg);
    return VANE_EXIT_OK;
}

int cli_help_listing(int argc, char **argv)
{
    if (strcmp(argv[2], "--names") == 0) {
        print_names();
        return VANE_EXIT_OK;
    }
    /* the rest is read as the common options (-c FILE) without a command */
    cli_args_t a = {0};
    const cli_command_t *cmd = NULL;
    argv[2] = argv[0];
    if (cli_parse(cli_table(), argc - 2, argv + 2, &a, &cmd) != 0)
        return VANE_EXIT_USAGE;
    if (cmd)
        return cli_usage_error("vane help --ids takes no command");
    return print_ids(&a);
}

/* command.h — what a command is given, and what the commands share.
 *
 * Each command is one function in a cmd_*.c file and one row in the table
 * in cli.c; it reads its options from the cli_args_t by the ids below (the
 * rows of the option table in cli.c), prints what the user reads and
 * returns an exit status (util/exitcode.h). */
#ifndef VANE_CLI_COMMAND_H
#define VANE_CLI_COMMAND_H

#include <stdio.h>

#include "cli/parse.h"
#include "config/config.h"

/* The options: their rows in cli.c's option table, their slots in args->opt. */
typedef enum cli_opt {
    /* global */
    CLI_HELP, CLI_QUIET, CLI_VERBOSE, CLI_JSON, CLI_CONFIG, CLI_DB, CLI_NOW,
    /* taken by some commands */
    CLI_ALL, CLI_DRY_RUN, CLI_NO_ALERTS, CLI_WAIT, CLI_SOURCE, CLI_SINCE, CLI_RULE,
    CLI_CHANNEL, CLI_KEY, CLI_FOR, CLI_UNTIL, CLI_REASON, CLI_LIMIT, CLI_MIN_PRECISION,
    CLI_MIN_RECALL, CLI_FORCE, CLI_CHANGE,
    CLI_FILE,
    CLI_FLAGS, CLI_OLDER_THAN,
    CLI_LISTEN,
    CLI_NOTE, CLI_AS,
    CLI_FROM, CLI_TO,
    CLI_N_OPTS
} cli_opt_t;

static inline int cli_flag(const cli_args_t *a, cli_opt_t id) { return a->opt[id].given > 0; }
static inline const char *cli_text(const cli_args_t *a, cli_opt_t id) { return a->opt[id].text; }

/* The commands (cmd_*.c). */
int cmd_run(const cli_args_t *a);
int cmd_deliver(const cli_args_t *a);
int cmd_check(const cli_args_t *a);
int cmd_test(const cli_args_t *a);
int cmd_events(const cli_args_t *a);
int cmd_flags(const cli_args_t *a);
int cmd_flags_mark(const cli_args_t *a);   /* vane flags mark (cmd_rules.c) */
int cmd_rules(const cli_args_t *a);
int cmd_sources(const cli_args_t *a);
int cmd_runs(const cli_args_t *a);
int cmd_outbox(const cli_args_t *a);
int cmd_silence(const cli_args_t *a);
int cmd_replay(const cli_args_t *a);
int cmd_eval(const cli_args_t *a);
int cmd_init(const cli_args_t *a);
int cmd_preview(const cli_args_t *a); extern const char cmd_preview_usage[];
int cmd_reextract(const cli_args_t *a);
int cmd_prune(const cli_args_t *a);
int cmd_show(const cli_args_t *a);
int cmd_history(const cli_args_t *a);
int cmd_channel(const cli_args_t *a); extern const char cmd_channel_usage[];
int cmd_serve(const cli_args_t *a);
int cmd_backup(const cli_args_t *a);
int cmd_migrate_store(const cli_args_t *a);

/* `vane help --names` and `vane help --ids [-c FILE]` (cmd_names.c), for
 * tools: argv[1] is "help", argv[2] "--names" or "--ids". An exit status. */
int cli_help_listing(int argc, char **argv);

/* Load the configuration (-c FILE, default ./vane.lua) into *cfg, printing
 * every problem. Returns 0, or non-zero with nothing to free. */
int cli_load_config(const cli_args_t *a, config_t *cfg);

/* Whether the database is found without the configuration (--db or $VANE_DB). */
int cli_db_given(const cli_args_t *a);

/* The database: --db, else $VANE_DB, else the configuration's (cfg may be
 * NULL when cli_db_given), else vane.db. */
const char *cli_db_path(const cli_args_t *a, const config_t *cfg);

/* 0 when the database at path exists; else says so on stderr ("no database
 * at PATH yet (run `vane run` first)") and returns VANE_EXIT_FAILED. */
int cli_need_database(const char *path);

/* Print a problem: "vane: MESSAGE" for people (without "vane: " on stdout),
 * or with json a JSON object on stdout with the file and line split out
 * when the message starts with "FILE:LINE: ", and the suggestion of a
 * "(did you mean 'X'?)" as "suggestion". */
void cli_print_problem(int json, FILE *to, const char *msg);

#endif

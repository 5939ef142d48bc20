/* cli.h — the command line: `vane [options] COMMAND [command options]`.
 * cli.c holds the tables of options and commands, help and dispatch;
 * parse.c the parser; cmd_*.c the commands. */
#ifndef VANE_CLI_H
#define VANE_CLI_H

#include "cli/parse.h"

/* Parse argv, run the command, return the process exit status. */
int cli_main(int argc, char **argv);

/* The tables cli_main parses with (for the tests). */
const cli_table_t *cli_table(void);

#endif

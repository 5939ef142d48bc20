/* cli.h — the command line: parsing, help, and the commands (run, check,
 * test, events, flags, sources, runs). Returns the process exit status. */
#ifndef VANE_CLI_H
#define VANE_CLI_H

int cli_main(int argc, char **argv);

#endif

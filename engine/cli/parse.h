/* parse.h — the generic command-line parser: options and commands as data.
 *
 * A table (cli_table_t) lists every option, indexed by an id of the caller's
 * choosing (its row number), and every command. An option has a long name, a
 * short name if any, the kind of its value, and is either global (accepted
 * by every command, before or after its name) or taken only by the commands
 * whose `options` mask has its CLI_OPT(id) bit. cli_parse() reads argv
 * against the table into a cli_args_t: the value of option id is in
 * args->opt[id], the words after the command in args->words.
 *
 * The syntax: `--name VALUE` or `-n VALUE`, never `--name=VALUE`; the value
 * is the next argument, whatever it looks like. Each kind of value is read
 * by one function in parse.c (a bad value is a usage error naming it). */
#ifndef VANE_CLI_PARSE_H
#define VANE_CLI_PARSE_H

#include <stddef.h>

#define CLI_MAX_OPTS 32   /* options in a table: bits of a command's mask */
#define CLI_MAX_LIST 64   /* words after a command, values of a repeated option */

#define CLI_OPT(id) (1u << (id))

typedef enum cli_kind {
    CLI_FLAG,      /* no value: given or not */
    CLI_TEXT,      /* any text */
    CLI_LIST,      /* text, repeatable: every value is kept, the last one in text */
    CLI_TIME,      /* an ISO-8601 time, or a duration before now ("7d", "12h"):
                    * kept as text, a duration made a time by cli_resolve_times */
    CLI_SECONDS,   /* a number of seconds, at least 0 */
    CLI_COUNT      /* a whole number, 1 or more, nothing after it */
} cli_kind_t;

typedef struct cli_option {
    const char *name;         /* "--source" */
    const char *short_name;   /* "-c", or NULL */
    const char *word;         /* a bare word before the command meaning the same, or NULL */
    cli_kind_t kind;
    int global;
} cli_option_t;

typedef struct cli_value {
    int given;                         /* how many times */
    const char *text;                  /* the last value as typed (NULL for a flag);
                                        * a CLI_TIME duration, once resolved: iso */
    char iso[32];                      /* CLI_TIME: the time a duration stands for */
    double seconds;                    /* CLI_SECONDS */
    long count;                        /* CLI_COUNT */
    const char *list[CLI_MAX_LIST];    /* CLI_LIST: the values, in order */
    size_t n_list;
} cli_value_t;

typedef struct cli_args {
    cli_value_t opt[CLI_MAX_OPTS];     /* indexed by option id */
    const char *words[CLI_MAX_LIST];   /* the words after the command */
    size_t n_words;
} cli_args_t;

typedef struct cli_command {
    const char *name;
    /* Its help: the synopsis line, then the line `vane --help` shows as the
     * summary, then the rest; `vane COMMAND --help` prints it all. */
    const char *usage;
    unsigned options;    /* CLI_OPT(id) of each option it takes besides the global ones */
    size_t max_words;    /* words it takes after its name: 0, or up to CLI_MAX_LIST */
    int (*fn)(const cli_args_t *a);   /* returns the exit status */
} cli_command_t;

typedef struct cli_table {
    const cli_option_t *options;   /* at most CLI_MAX_OPTS */
    size_t n_options;
    const cli_command_t *commands;
    size_t n_commands;
} cli_table_t;

/* Read argv[1..argc-1] into *a (zeroed by the caller) and set *cmd to the
 * command named, or NULL when none was. Returns 0, or VANE_EXIT_USAGE after
 * printing the first mistake ("vane: unknown option '-x' (see vane --help)"). */
int cli_parse(const cli_table_t *t, int argc, char **argv, cli_args_t *a,
              const cli_command_t **cmd);

/* Turn each CLI_TIME value given as a duration into the ISO time that long
 * before now (text then points at iso). Call once the clock is set. */
void cli_resolve_times(const cli_table_t *t, cli_args_t *a, long long now);

/* Print "vane: MESSAGE (see vane --help)" on stderr; returns VANE_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

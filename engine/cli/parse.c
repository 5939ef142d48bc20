/* parse.c — the generic command-line parser (see parse.h). */
#include "cli/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/units.h"
#include "util/clock.h"
#include "util/exitcode.h"

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vane: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (see vane --help)\n", stderr);
    va_end(ap);
    return VANE_EXIT_USAGE;
}

/* ---- one reader per kind of value: o is the option, s the value as typed ---- */

static int read_text(const cli_option_t *o, cli_value_t *v, const char *s)
{
    (void)o;
    v->text = s;
    return 0;
}

static int read_list(const cli_option_t *o, cli_value_t *v, const char *s)
{
    (void)o;
    if (v->n_list < CLI_MAX_LIST)
        v->list[v->n_list++] = s;
    v->text = s;
    return 0;
}

/* A time, or a duration before now (the reader of `silence add --for`). */
static int read_time(const cli_option_t *o, cli_value_t *v, const char *s)
{
    vtime_t t;
    long long seconds;
    if (clock_parse_iso(s, &t) != 0 && units_duration(s, &seconds) != 0)
        return cli_usage_error("%s needs a time (ISO-8601, e.g. 2024-11-20T23:00:00Z) or a "
                               "duration before now (30m, 12h, 7d), not '%s'", o->name, s);
    v->text = s;
    return 0;
}

static int read_seconds(const cli_option_t *o, cli_value_t *v, const char *s)
{
    char *end;
    v->seconds = strtod(s, &end);
    if (*end || v->seconds < 0)
        return cli_usage_error("%s needs a number of seconds, not '%s'", o->name, s);
    v->text = s;
    return 0;
}

/* Digits only, at least 1: "ten", "2x", "0" and "-3" are mistakes. */
static int read_count(const cli_option_t *o, cli_value_t *v, const char *s)
{
    char *end = NULL;
    long n = s[0] >= '0' && s[0] <= '9' ? strtol(s, &end, 10) : 0;
    if (n < 1 || !end || *end)
        return cli_usage_error("%s needs a whole number, 1 or more, not '%s'", o->name, s);
    v->count = n;
    v->text = s;
    return 0;
}

typedef int (*reader_fn)(const cli_option_t *o, cli_value_t *v, const char *s);

static const reader_fn readers[] = {
    [CLI_TEXT] = read_text,       [CLI_LIST] = read_list,   [CLI_TIME] = read_time,
    [CLI_SECONDS] = read_seconds, [CLI_COUNT] = read_count,
};

void cli_resolve_times(const cli_table_t *t, cli_args_t *a, long long now)
{
    for (size_t i = 0; i < t->n_options; i++) {
        cli_value_t *v = &a->opt[i];
        vtime_t t_iso;
        long long seconds;
        if (t->options[i].kind != CLI_TIME || !v->text || clock_parse_iso(v->text, &t_iso) == 0 ||
            units_duration(v->text, &seconds) != 0)
            continue;
        clock_format_iso(now - seconds, v->iso);
        v->text = v->iso;
    }
}

/* ---- options and words ------------------------------------------------------ */

static int find_option(const cli_table_t *t, const char *arg)
{
    for (size_t i = 0; i < t->n_options; i++) {
        const cli_option_t *o = &t->options[i];
        if (strcmp(o->name, arg) == 0 || (o->short_name && strcmp(o->short_name, arg) == 0))
            return (int)i;
    }
    return -1;
}

static int find_word(const cli_table_t *t, const char *arg)
{
    for (size_t i = 0; i < t->n_options; i++)
        if (t->options[i].word && strcmp(t->options[i].word, arg) == 0)
            return (int)i;
    return -1;
}

static const cli_command_t *find_command(const cli_table_t *t, const char *name)
{
    for (size_t i = 0; i < t->n_commands; i++)
        if (strcmp(t->commands[i].name, name) == 0)
            return &t->commands[i];
    return NULL;
}

/* argv[*i] is an option: check that it is taken here, then read its value
 * (the next argument, *i moves past it). */
static int parse_option(const cli_table_t *t, const cli_command_t *cmd, int argc, char **argv,
                        int *i, cli_args_t *a)
{
    const char *arg = argv[*i];
    int id = find_option(t, arg);
    int taken = id >= 0 && (t->options[id].global || (cmd && (cmd->options & CLI_OPT(id))));
    if (!taken)
        return cmd ? cli_usage_error("unknown option '%s' for this command", arg)
                   : cli_usage_error("unknown option '%s'", arg);
    const cli_option_t *o = &t->options[id];
    cli_value_t *v = &a->opt[id];
    v->given++;
    if (o->kind == CLI_FLAG)
        return 0;
    if (*i + 1 >= argc)
        return cli_usage_error("option %s needs a value", arg);
    return readers[o->kind](o, v, argv[++*i]);
}

/* A word that is not an option: the command's name (or an option's word
 * before it), then the command's words. */
static int parse_word(const cli_table_t *t, const char *arg, cli_args_t *a,
                      const cli_command_t **cmd)
{
    if (!*cmd) {
        int id = find_word(t, arg);
        if (id >= 0) {
            a->opt[id].given++;
            return 0;
        }
        *cmd = find_command(t, arg);
        return *cmd ? 0 : cli_usage_error("unknown command '%s'", arg);
    }
    if (a->n_words >= (*cmd)->max_words || a->n_words >= CLI_MAX_LIST)
        return cli_usage_error("unexpected argument '%s'", arg);
    a->words[a->n_words++] = arg;
    return 0;
}

int cli_parse(const cli_table_t *t, int argc, char **argv, cli_args_t *a,
              const cli_command_t **cmd)
{
    *cmd = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int rc = arg[0] == '-' && arg[1] ? parse_option(t, *cmd, argc, argv, &i, a)
                                         : parse_word(t, arg, a, cmd);
        if (rc != 0)
            return VANE_EXIT_USAGE;
    }
    return 0;
}

/* cli_silence.h — the `vane silence` command: add, list and remove
 * silences (see silence.h for what a silence does). cli.c parses the
 * command line into cli_silence_args_t and hands it over; like the rest of
 * cli, this prints what the user reads and returns an exit status. */
#ifndef VANE_CLI_SILENCE_H
#define VANE_CLI_SILENCE_H

#include <stddef.h>

typedef struct cli_silence_args {
    const char *const *words;   /* the words after `silence`: add | list | remove ID */
    size_t n_words;
    const char *rule, *source, *key, *duration, *until, *reason;
    int all, json, quiet;
    /* set by cli_silence_validate */
    char until_iso[32], now_iso[32];
    long long id;
} cli_silence_args_t;

/* Check the words and options against the run clock, printing the first
 * mistake. Returns 0, or 2 (usage error). */
int cli_silence_validate(cli_silence_args_t *a);

/* Carry out a validated command on the database at db_path. Returns the
 * exit status: 0, 1 (no such silence, or a database error). */
int cli_silence(const cli_silence_args_t *a, const char *db_path);

#endif

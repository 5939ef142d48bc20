/* cmd_silence.c — `vane silence add | list | remove`: keep a rule's flags
 * from being delivered for a while (see alert/silence.h for what a silence
 * does). The words and options are checked against the run clock first,
 * then `add`'s --rule and --source against the loaded rules and vane.lua
 * (unless --force), then the command is carried out on the database. */
#include "cli/command.h"
#include "cli/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "alert/silence.h"
#include "store/store.h"
#include "config/units.h"
#include "util/exitcode.h"

typedef struct silence_args {
    const char *const *words;   /* the words after `silence`: add | list | remove ID */
    size_t n_words;
    const char *rule, *source, *key, *duration, *until, *reason;
    int all, json, quiet, force;
    /* set by validate */
    char until_iso[32], now_iso[32];
    long long id;
} silence_args_t;

static int usage(const char *fmt, const char *arg)
{
    fputs("vane: silence: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see vane silence --help)\n", stderr);
    return VANE_EXIT_USAGE;
}

/* The first option of `add` that was given, or NULL. */
static const char *add_option_given(const silence_args_t *a)
{
    if (a->rule) return "--rule";
    if (a->source) return "--source";
    if (a->key) return "--key";
    if (a->duration) return "--for";
    if (a->until) return "--until";
    if (a->reason) return "--reason";
    if (a->force) return "--force";
    return NULL;
}

/* The end of an added silence, from --for or --until, into a->until_iso. */
static int validate_until(silence_args_t *a, vtime_t now)
{
    vtime_t until;
    if (a->duration) {
        long long seconds;
        if (units_duration(a->duration, &seconds) != 0 || seconds <= 0)
            return usage("--for needs a duration such as 30m, 12h or 7d, not '%s'", a->duration);
        until = now + seconds;
    } else if (clock_parse_iso(a->until, &until) != 0) {
        return usage("--until needs an ISO-8601 time, not '%s'", a->until);
    } else if (until <= now) {
        return usage("--until %s is not in the future", a->until);
    }
    clock_format_iso(until, a->until_iso);
    return 0;
}

static int validate_add(silence_args_t *a, vtime_t now)
{
    if (a->n_words > 1)
        return usage("unexpected argument '%s' after add", a->words[1]);
    if (a->all)
        return usage("%s is for silence list", "--all");
    if (!a->rule || !*a->rule)
        return usage("%s", "add needs --rule RULE (a rule id, or '*' for every rule)");
    if ((a->source && !*a->source) || (a->key && !*a->key))
        return usage("%s", "--source and --key need a value (leave them out to match any)");
    if (!a->duration == !a->until)
        return usage("%s", "add needs how long: --for DURATION (e.g. 7d) or --until TIME");
    if (!a->reason || !*a->reason)
        return usage("%s", "add needs --reason TEXT: say why, for whoever finds it later");
    return validate_until(a, now);
}

static int validate_remove(silence_args_t *a)
{
    if (a->n_words != 2)
        return usage("%s", "remove needs one silence id (see vane silence list)");
    if (add_option_given(a) || a->all)
        return usage("%s", "remove takes only the silence id");
    char *end;
    a->id = strtoll(a->words[1], &end, 10);
    if (*end || a->id <= 0)
        return usage("remove needs a silence id (a number), not '%s'", a->words[1]);
    return 0;
}

/* Check the words and options against the run clock, printing the first
 * mistake. Returns 0, or VANE_EXIT_USAGE. */
static int validate(silence_args_t *a)
{
    vtime_t now = clock_now();
    clock_format_iso(now, a->now_iso);
    const char *verb = a->n_words ? a->words[0] : NULL;
    if (!verb)
        return usage("%s", "say add, list or remove");
    if (strcmp(verb, "add") == 0)
        return validate_add(a, now);
    if (strcmp(verb, "remove") == 0)
        return validate_remove(a);
    if (strcmp(verb, "list") != 0)
        return usage("unknown silence command '%s' (add, list or remove)", verb);
    if (a->n_words > 1)
        return usage("unexpected argument '%s' after list", a->words[1]);
    if (add_option_given(a))
        return usage("%s is for silence add", add_option_given(a));
    return 0;
}

/* ---- printing ------------------------------------------------------------------ */

typedef struct printer {
    const silence_args_t *a;
    long long only;      /* print only this id (0: all) */
    long rows;
} printer_t;

static const char *state_of(const silence_t *s, const char *now)
{
    if (s->removed_at)
        return "removed";
    if (s->active)
        return "active";
    return strcmp(now, s->created_at) < 0 ? "pending" : "expired";
}

static int print_silence(void *ud, const silence_t *s)
{
    printer_t *p = ud;
    if (p->only && s->id != p->only)
        return 0;
    if (p->a->json) {
        printf("%s\n", s->json);
    } else {
        if (p->rows == 0 && !p->only)
            printf("id  state  rule  source  key  until  reason\n");
        printf("%lld  %s  %s  %s  %s  %s  %s\n", s->id, state_of(s, p->a->now_iso), s->rule,
               s->source ? s->source : "*", s->key ? s->key : "*", s->until, s->reason);
    }
    p->rows++;
    return 0;
}

/* ---- the commands ---------------------------------------------------------------- */

static int add(const silence_args_t *a, store_t *st, err_t *e)
{
    silence_t s = {.rule = a->rule, .source = a->source, .key = a->key,
                   .created_at = a->now_iso, .until = a->until_iso, .reason = a->reason};
    long long id;
    if (silence_add(st, &s, &id, e) != 0)
        return -1;
    printer_t p = {a, id, 0};
    if (!a->json && !a->quiet)
        printf("silence %lld added: flags of rule %s, source %s, key %s are not delivered until %s\n",
               id, a->rule, a->source ? a->source : "any", a->key ? a->key : "any", a->until_iso);
    return a->json ? silence_list(st, a->now_iso, 1, print_silence, &p, e) : 0;
}

static int list(const silence_args_t *a, store_t *st, err_t *e)
{
    printer_t p = {a, 0, 0};
    if (silence_list(st, a->now_iso, a->all, print_silence, &p, e) != 0)
        return -1;
    if (p.rows == 0 && !a->json && !a->quiet)
        fprintf(stderr, "vane: no %ssilences\n", a->all ? "" : "active ");
    return 0;
}

static int remove_one(const silence_args_t *a, store_t *st, int *found, err_t *e)
{
    if (silence_remove(st, a->id, a->now_iso, found, e) != 0)
        return -1;
    if (!*found)
        fprintf(stderr, "vane: silence %lld: no such silence, or it was removed already\n", a->id);
    else if (!a->quiet)
        printf("silence %lld removed: its flags are delivered again from now on\n", a->id);
    return 0;
}

/* Carry out a validated command on the database at db_path. */
static int execute(const silence_args_t *a, const char *db_path)
{
    const char *verb = a->words[0];
    if (strcmp(verb, "add") != 0 && cli_need_database(db_path) != 0)
        return VANE_EXIT_FAILED;
    err_t e;
    store_t *st = store_open(db_path, &e);
    if (!st) {
        fprintf(stderr, "vane: %s\n", e.msg);
        return VANE_EXIT_FAILED;
    }
    int found = 1, rc;
    if (strcmp(verb, "add") == 0)
        rc = add(a, st, &e);
    else if (strcmp(verb, "list") == 0)
        rc = list(a, st, &e);
    else
        rc = remove_one(a, st, &found, &e);
    if (rc != 0)
        fprintf(stderr, "vane: %s\n", e.msg);
    store_close(st);
    return rc != 0 || !found ? VANE_EXIT_FAILED : VANE_EXIT_OK;
}

/* add's --rule (or '*') and --source name a loaded rule and a source of
 * the configuration: 0, or VANE_EXIT_USAGE after saying which did not. */
static int names_known(const silence_args_t *a, const config_t *cfg)
{
    size_t unknown = a->source ? cli_unknown_sources(cfg, "--source", &a->source, 1) : 0;
    errlist_t errs = {0};
    err_t e;
    rules_t *rules = rules_load(cfg, &errs, &e);
    if (!rules) {
        fprintf(stderr, "vane: %s\n", e.msg);
        unknown++;
    } else if (cli_unknown_rules(rules, "--rule", &a->rule, 1, 1) > 0) {
        for (size_t i = 0; i < errs.len; i++)
            fprintf(stderr, "vane: %s\n", errs.msgs[i]);
        unknown++;
    }
    rules_free(rules);
    errlist_free(&errs);
    if (unknown)
        fprintf(stderr, "vane: silence: nothing added (--force adds it anyway)\n");
    return unknown ? VANE_EXIT_USAGE : 0;
}

int cmd_silence(const cli_args_t *c)
{
    silence_args_t a = {.words = c->words, .n_words = c->n_words, .rule = cli_text(c, CLI_RULE),
                        .source = cli_text(c, CLI_SOURCE), .key = cli_text(c, CLI_KEY),
                        .duration = cli_text(c, CLI_FOR), .until = cli_text(c, CLI_UNTIL),
                        .reason = cli_text(c, CLI_REASON), .all = cli_flag(c, CLI_ALL),
                        .json = cli_flag(c, CLI_JSON), .quiet = cli_flag(c, CLI_QUIET),
                        .force = cli_flag(c, CLI_FORCE)};
    if (validate(&a) != 0)
        return VANE_EXIT_USAGE;
    config_t cfg;
    int checked = strcmp(a.words[0], "add") == 0 && !a.force;
    int have_cfg = checked || !cli_db_given(c);
    if (have_cfg && cli_load_config(c, &cfg) != 0)
        return VANE_EXIT_USAGE;
    int code = checked ? names_known(&a, &cfg) : 0;
    if (code == 0)
        code = execute(&a, cli_db_path(c, have_cfg ? &cfg : NULL));
    if (have_cfg)
        config_free(&cfg);
    return code;
}

/* cli.c — parsing the command line and carrying out the commands (see
 * cli.h). Everything the user reads is printed here or in run.c. */
#include "cli/cli.h"

#include <curl/curl.h>
#include <lua.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_silence.h"
#include "util/clock.h"
#include "config/config.h"
#include "util/buf.h"
#include "extract/extract.h"
#include "cli/init.h"
#include "run/replay.h"
#include "util/json.h"
#include "rules/rules.h"
#include "run/run.h"
#include "store/store.h"
#include "util/version.h"

#define MAX_LIST 64

typedef struct cli {
    const char *command;
    const char *config, *db, *now;
    int quiet, verbose, json, help;
    /* run */
    int all, dry_run, no_alerts;
    double wait;
    const char *only[MAX_LIST];
    size_t n_only;
    /* listings */
    const char *since, *source, *rule, *channel;
    long limit;
    /* test */
    const char *names[MAX_LIST];
    size_t n_names;
    /* silence (its words are in names) */
    const char *key, *duration, *until, *reason;
} cli_t;

typedef struct command {
    const char *name;
    const char *options;   /* the options it takes, space separated, for parsing */
    const char *usage;
    int (*fn)(cli_t *c);
} command_t;

static const char common_help[] =
    "Common options:\n"
    "  -c FILE          the configuration (default ./vane.lua)\n"
    "  --db FILE        the database (default: the configuration's `database`, or $VANE_DB)\n"
    "  --now TIME       fix the clock (ISO-8601, e.g. 2024-11-20T23:00:00Z)\n"
    "  --json           machine-readable output, one JSON object per line\n"
    "  -q, -v           quieter, more verbose\n"
    "  -h, --help       this help\n";

/* ---- helpers ----------------------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg)
{
    fputs("vane: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see vane --help)\n", stderr);
    return VANE_EXIT_USAGE;
}

static const char *config_path(const cli_t *c)
{
    return c->config ? c->config : "vane.lua";
}

/* Load the configuration, printing every problem. */
static int load_config(const cli_t *c, config_t *cfg)
{
    errlist_t errs = {0};
    int rc = config_load(config_path(c), cfg, &errs);
    for (size_t i = 0; i < errs.len; i++)
        fprintf(stderr, "vane: %s\n", errs.msgs[i]);
    errlist_free(&errs);
    return rc;
}

static const char *db_path(const cli_t *c, const config_t *cfg)
{
    if (c->db)
        return c->db;
    const char *env = getenv("VANE_DB");
    if (env && *env)
        return env;
    return cfg ? cfg->database : "vane.db";
}

/* Print a problem: "vane: MESSAGE" for people, or a JSON object with the
 * file and line split out when the message starts with "FILE:LINE: ". */
static void print_problem(const cli_t *c, FILE *to, const char *msg)
{
    if (!c->json) {
        fprintf(to, "%s%s\n", to == stderr ? "vane: " : "", msg);
        return;
    }
    buf_t b = {0};
    const char *colon = strchr(msg, ':');
    char *end = NULL;
    long line = colon ? strtol(colon + 1, &end, 10) : 0;
    buf_puts(&b, "{");
    if (colon && end && end != colon + 1 && end[0] == ':' && line > 0) {
        buf_puts(&b, "\"file\":");
        json_put_string(&b, msg, (size_t)(colon - msg));
        buf_printf(&b, ",\"line\":%ld,", line);
    }
    buf_puts(&b, "\"message\":");
    json_put_string(&b, msg, strlen(msg));
    buf_puts(&b, "}");
    printf("%s\n", buf_str(&b));
    buf_free(&b);
}

/* ---- run ----------------------------------------------------------------------- */

static int cmd_run(cli_t *c)
{
    config_t cfg;
    if (load_config(c, &cfg) != 0)
        return VANE_EXIT_USAGE;
    for (size_t i = 0; i < c->n_only; i++) {
        if (!config_source(&cfg, c->only[i])) {
            fprintf(stderr, "vane: --source %s: no such source in %s\n", c->only[i], cfg.path);
            config_free(&cfg);
            return VANE_EXIT_USAGE;
        }
    }
    run_opts_t o = {.all = c->all, .only = c->only, .n_only = c->n_only, .dry_run = c->dry_run,
                    .no_alerts = c->no_alerts, .json = c->json, .verbose = c->verbose,
                    .quiet = c->quiet, .wait = c->wait, .out = stdout, .err = stderr};
    int code = run_main(&cfg, db_path(c, &cfg), &o);
    config_free(&cfg);
    return code;
}

/* ---- check ----------------------------------------------------------------------- */

static int cmd_check(cli_t *c)
{
    config_t cfg;
    if (load_config(c, &cfg) != 0)
        return VANE_EXIT_USAGE;
    errlist_t errs = {0};
    err_t e;
    extract_t *x = extract_new(&cfg, &e);
    if (!x)
        errlist_add(&errs, "%s", e.msg);
    for (size_t i = 0; x && i < cfg.n_sources; i++)
        if (extract_prepare(x, cfg.sources[i].script, &e) != 0)
            errlist_add(&errs, "%s:%d: source %s: %s", cfg.path, cfg.sources[i].line,
                        cfg.sources[i].id, e.msg);
    rules_t *rules = rules_load(&cfg, &errs, &e);
    if (!rules)
        errlist_add(&errs, "%s", e.msg);
    for (size_t i = 0; i < errs.len; i++)
        print_problem(c, stderr, errs.msgs[i]);
    int code = errs.len ? VANE_EXIT_USAGE : VANE_EXIT_OK;
    if (c->json)
        printf("{\"ok\":%s,\"problems\":%zu,\"sources\":%zu,\"rules\":%zu,\"channels\":%zu}\n",
               code == VANE_EXIT_OK ? "true" : "false", errs.len, cfg.n_sources,
               rules ? rules_count(rules) : 0, cfg.n_channels);
    else if (code == VANE_EXIT_OK && !c->quiet)
    {
        size_t n_rules = rules ? rules_count(rules) : 0;
        printf("%s: ok: %zu source%s, %zu rule%s, %zu channel%s\n", cfg.path, cfg.n_sources,
               cfg.n_sources == 1 ? "" : "s", n_rules, n_rules == 1 ? "" : "s", cfg.n_channels,
               cfg.n_channels == 1 ? "" : "s");
    }
    rules_free(rules);
    extract_free(x);
    errlist_free(&errs);
    config_free(&cfg);
    return code;
}

/* ---- test ------------------------------------------------------------------------ */

static void print_failure(void *ud, const char *line)
{
    print_problem(ud, stdout, line);
}

static int cmd_test(cli_t *c)
{
    config_t cfg;
    if (load_config(c, &cfg) != 0)
        return VANE_EXIT_USAGE;
    errlist_t errs = {0};
    err_t e;
    rules_t *rules = rules_load(&cfg, &errs, &e);
    long passed = 0, failed = 0;
    for (size_t i = 0; i < errs.len; i++) {
        print_problem(c, stdout, errs.msgs[i]);
        failed++;
    }
    if (rules) {
        long p = 0, f = 0;
        rules_test(rules, c->names, c->n_names, print_failure, c, &p, &f);
        passed += p;
        failed += f;
    } else {
        print_problem(c, stdout, e.msg);
        failed++;
    }
    if (c->json)
        printf("{\"passed\":%ld,\"failed\":%ld}\n", passed, failed);
    else
        printf("%ld passed, %ld failed\n", passed, failed);
    rules_free(rules);
    errlist_free(&errs);
    config_free(&cfg);
    return failed ? VANE_EXIT_FAILED : VANE_EXIT_OK;
}

/* ---- listings: events, flags, sources, runs --------------------------------------- */

typedef struct listing {
    const cli_t *c;
    long rows;
} listing_t;

static int print_row(void *ud, const char *json, int ncols, const char *const *names,
                     const char *const *cols)
{
    listing_t *l = ud;
    if (l->c->json) {
        printf("%s\n", json);
    } else {
        if (l->rows == 0) {
            for (int i = 0; i < ncols; i++)
                printf("%s%s", i ? "  " : "", names[i]);
            putchar('\n');
        }
        for (int i = 0; i < ncols; i++)
            printf("%s%s", i ? "  " : "", cols[i] ? cols[i] : "-");
        putchar('\n');
    }
    l->rows++;
    return 0;
}

static int list(cli_t *c, store_list_kind_t kind)
{
    config_t cfg;
    int have_cfg = 0;
    if (!c->db && !getenv("VANE_DB")) {
        if (load_config(c, &cfg) != 0)
            return VANE_EXIT_USAGE;
        have_cfg = 1;
    }
    err_t e;
    const char *path = db_path(c, have_cfg ? &cfg : NULL);
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "vane: no database at %s yet (run `vane run` first)\n", path);
        if (have_cfg)
            config_free(&cfg);
        return VANE_EXIT_FAILED;
    }
    store_t *st = store_open(path, &e);
    int code = VANE_EXIT_OK;
    if (!st) {
        fprintf(stderr, "vane: %s\n", e.msg);
        code = VANE_EXIT_FAILED;
    } else {
        store_filter_t f = {.since = c->since, .source = c->source, .rule = c->rule,
                            .channel = c->channel, .all = c->all, .limit = c->limit};
        listing_t l = {c, 0};
        if (store_list(st, kind, &f, print_row, &l, &e) != 0) {
            fprintf(stderr, "vane: %s\n", e.msg);
            code = VANE_EXIT_FAILED;
        } else if (l.rows == 0 && !c->json && !c->quiet) {
            fprintf(stderr, "vane: nothing to show\n");
        }
        store_close(st);
    }
    if (have_cfg)
        config_free(&cfg);
    return code;
}

static int cmd_events(cli_t *c) { return list(c, STORE_LIST_EVENTS); }
static int cmd_flags(cli_t *c) { return list(c, STORE_LIST_FLAGS); }
static int cmd_sources(cli_t *c) { return list(c, STORE_LIST_SOURCES); }
static int cmd_runs(cli_t *c) { return list(c, STORE_LIST_RUNS); }

/* ---- deliver and outbox ---------------------------------------------------------- */

static int cmd_deliver(cli_t *c)
{
    config_t cfg;
    if (load_config(c, &cfg) != 0)
        return VANE_EXIT_USAGE;
    run_opts_t o = {.json = c->json, .verbose = c->verbose, .quiet = c->quiet, .wait = c->wait,
                    .out = stdout, .err = stderr};
    int code = run_deliver(&cfg, db_path(c, &cfg), &o);
    config_free(&cfg);
    return code;
}

/* `vane outbox retry [--channel ID]`: dead rows pending again. */
static int outbox_retry(cli_t *c)
{
    config_t cfg;
    if (load_config(c, &cfg) != 0)
        return VANE_EXIT_USAGE;
    err_t e;
    long n = 0;
    store_t *st = store_open(db_path(c, &cfg), &e);
    int code = st && store_outbox_revive(st, c->channel, &n, &e) == 0 ? VANE_EXIT_OK : VANE_EXIT_FAILED;
    if (code != VANE_EXIT_OK)
        fprintf(stderr, "vane: %s\n", e.msg);
    else if (!c->quiet)
        printf("%ld dead alert%s pending again; `vane deliver` sends them\n", n, n == 1 ? "" : "s");
    store_close(st);
    config_free(&cfg);
    return code;
}

static int cmd_outbox(cli_t *c)
{
    if (c->n_names == 0)
        return list(c, STORE_LIST_OUTBOX);
    if (c->n_names == 1 && strcmp(c->names[0], "retry") == 0)
        return outbox_retry(c);
    return usage_error("outbox: unknown action '%s' (retry)", c->names[0]);
}

/* ---- silence (engine/cli_silence.c) ------------------------------------------------ */

static int cmd_silence(cli_t *c)
{
    cli_silence_args_t a = {.words = c->names, .n_words = c->n_names, .rule = c->rule,
                            .source = c->source, .key = c->key, .duration = c->duration,
                            .until = c->until, .reason = c->reason, .all = c->all,
                            .json = c->json, .quiet = c->quiet};
    if (cli_silence_validate(&a) != 0)
        return VANE_EXIT_USAGE;
    config_t cfg;
    int have_cfg = !c->db && !getenv("VANE_DB");
    if (have_cfg && load_config(c, &cfg) != 0)
        return VANE_EXIT_USAGE;
    int code = cli_silence(&a, db_path(c, have_cfg ? &cfg : NULL));
    if (have_cfg)
        config_free(&cfg);
    return code;
}

/* ---- replay ----------------------------------------------------------------------- */

static int cmd_replay(cli_t *c)
{
    vtime_t t;
    if (!c->rule)
        return usage_error("replay needs --rule ID%s", "");
    if (c->until && clock_parse_iso(c->until, &t) != 0)
        return usage_error("--until needs an ISO-8601 time, not '%s'", c->until);
    config_t cfg;
    if (load_config(c, &cfg) != 0)
        return VANE_EXIT_USAGE;
    const char *path = db_path(c, &cfg);
    int code;
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "vane: no database at %s yet (run `vane run` first)\n", path);
        code = VANE_EXIT_FAILED;
    } else {
        replay_opts_t o = {c->rule, c->since, c->until, c->json, c->verbose, stdout, stderr};
        code = replay_main(&cfg, path, &o);
    }
    config_free(&cfg);
    return code;
}

/* ---- init ----------------------------------------------------------------------- */

static int cmd_init(cli_t *c)
{
    if (c->n_names != 1)
        return usage_error("init needs one folder%s", "");
    err_t e;
    int written;
    if (init_folder(c->names[0], &written, &e) != 0) {
        fprintf(stderr, "vane: init: %s\n", e.msg);
        return VANE_EXIT_FAILED;
    }
    if (!c->quiet)
        printf("%s: a monitor with %d files (vane.lua, rules/, scripts/).\n"
               "Next: cd %s && vane check && vane run\n",
               c->names[0], written, c->names[0]);
    return VANE_EXIT_OK;
}

/* ---- the table of commands --------------------------------------------------------- */

static const command_t commands[] = {
    {"run", "--all --source --dry-run --no-alerts --wait",
     "vane run [--all] [--source ID]... [--dry-run] [--no-alerts] [--wait S] [--json]\n"
     "  One monitoring run: fetch the due sources, extract items, store what changed,\n"
     "  evaluate the rules and print the new flags.\n"
     "  --all          fetch every source, due or not\n"
     "  --source ID    fetch only this source (repeatable)\n"
     "  --dry-run      do everything but keep nothing: the database is left as it was\n"
     "  --no-alerts    record flags but deliver none\n"
     "  --wait S       if another run holds the lock, wait up to S seconds (else exit 75)\n",
     cmd_run},
    {"check", "",
     "vane check\n"
     "  Load and validate the configuration, the source scripts and the rules.\n"
     "  Exit 0, or print every problem as file:line: message and exit 2.\n",
     cmd_check},
    {"test", "",
     "vane test [RULE]...\n"
     "  Run the rules' inline tests (all rules, or those named). One line per failing\n"
     "  case with its file:line, then `N passed, N failed`. Exit 1 if any failed.\n",
     cmd_test},
    {"events", "--since --source --limit",
     "vane events [--since TIME] [--source ID] [--limit N] [--json]\n"
     "  The changes runs have seen: new, changed (with the field diff), removed.\n",
     cmd_events},
    {"flags", "--since --source --rule --limit",
     "vane flags [--since TIME] [--source ID] [--rule ID] [--limit N] [--json]\n"
     "  The flags rules have raised.\n",
     cmd_flags},
    {"silence", "--rule --source --key --for --until --reason --all",
     "vane silence add --rule RULE [--source ID] [--key KEY] (--for D | --until T) --reason TEXT\n"
     "  Keep a rule's flags from being delivered for a while (they are still recorded).\n"
     "vane silence list [--all] [--json]      the active silences (--all: every one ever added)\n"
     "vane silence remove ID                  end a silence now\n"
     "  --rule RULE    a rule id, or '*' for every rule\n"
     "  --source ID    only flags of this source      --key KEY   only flags of this item key\n"
     "  --for D        for this long (30m, 12h, 7d)   --until T   until this ISO-8601 time\n"
     "  --reason TEXT  why (shown by vane silence list and vane flags)\n",
     cmd_silence},
    {"sources", "--source",
     "vane sources [--source ID] [--json]\n"
     "  Each source's health: last attempt and success, HTTP status, failures in a row,\n"
     "  items, when it is next due, the last error.\n",
     cmd_sources},
    {"runs", "--since --limit",
     "vane runs [--since TIME] [--limit N] [--json]\n"
     "  The record of past runs: counts, exit status, errors.\n",
     cmd_runs},
    {"replay", "--rule --since --until",
     "vane replay --rule ID [--since TIME] [--until TIME] [--json]\n"
     "  What the rule would have flagged on the stored history (events observed in\n"
     "  [since, until)), printed like a run's flags. Nothing is stored or delivered:\n"
     "  try a new or edited rule on past events before it alerts anyone.\n",
     cmd_replay},
    {"init", "",
     "vane init DIR\n"
     "  A new monitor folder: DIR/vane.lua to edit, DIR/rules/ with copies of the\n"
     "  shipped rules and phrase lists, DIR/scripts/ for scripts of your own.\n"
     "  Nothing that exists is overwritten.\n",
     cmd_init},
    {"deliver", "--wait",
     "vane deliver [--wait S]\n"
     "  Deliver what is due in the outbox (flags a channel has not taken yet), with\n"
     "  the same retries and back-off as a run. Runs deliver too; this is for\n"
     "  delivering between runs or after fixing a channel.\n",
     cmd_deliver},
    {"outbox", "--all --channel --source --rule --since --limit",
     "vane outbox [retry] [--channel ID] [--all] [--json]\n"
     "  Alerts not delivered yet: pending ones (attempts, next try, last error) and\n"
     "  dead ones (given up after max_attempts). --all shows delivered ones too.\n"
     "  `vane outbox retry` makes dead alerts pending again.\n",
     cmd_outbox},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_help(void)
{
    printf("vane %s — a monitoring rules engine: watch public sources, flag developments.\n\n"
           "Usage: vane [options] COMMAND [command options]\n\nCommands:\n", VANE_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const char *line = strchr(commands[i].usage, '\n') + 3;
        printf("  %-8s %.*s\n", commands[i].name, (int)strcspn(line, "\n"), line);
    }
    printf("\n%s\nExit status: 0 all well; 1 the run finished but a source, rule or channel failed;\n"
           "2 usage or configuration error; 75 another run holds the lock.\n"
           "`vane COMMAND --help` tells more. See README.md for the guide.\n", common_help);
}

static void print_version(void)
{
    printf("vane %s (%s, libcurl %s, SQLite %s)\n", VANE_VERSION, LUA_RELEASE,
           curl_version_info(CURLVERSION_NOW)->version, sqlite3_libversion());
}

static const command_t *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int takes(const command_t *cmd, const char *opt)
{
    if (!cmd)
        return 0;
    size_t n = strlen(opt);
    for (const char *p = strstr(cmd->options, opt); p; p = strstr(p + 1, opt))
        if ((p == cmd->options || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

/* Options with a value; returns the value or NULL when it is missing. */
static const char *value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int parse_command_option(cli_t *c, const command_t *cmd, const char *a, int argc,
                                char **argv, int *i)
{
    if (!takes(cmd, a))
        return cmd ? usage_error("unknown option '%s' for this command", a)
                   : usage_error("unknown option '%s'", a);
    if (strcmp(a, "--all") == 0) c->all = 1;
    else if (strcmp(a, "--dry-run") == 0) c->dry_run = 1;
    else if (strcmp(a, "--no-alerts") == 0) c->no_alerts = 1;
    else {
        const char *v = value(argc, argv, i);
        if (!v)
            return usage_error("option %s needs a value", a);
        if (strcmp(a, "--wait") == 0) {
            char *end;
            c->wait = strtod(v, &end);
            if (*end || c->wait < 0)
                return usage_error("--wait needs a number of seconds, not '%s'", v);
        } else if (strcmp(a, "--source") == 0) {
            if (c->n_only < MAX_LIST)
                c->only[c->n_only++] = v;
            c->source = v;
        } else if (strcmp(a, "--since") == 0) {
            vtime_t t;
            if (clock_parse_iso(v, &t) != 0)
                return usage_error("--since needs an ISO-8601 time, not '%s'", v);
            c->since = v;

        } else if (strcmp(a, "--rule") == 0) {
            c->rule = v;
        } else if (strcmp(a, "--channel") == 0) {
            c->channel = v;
        } else if (strcmp(a, "--key") == 0) {
            c->key = v;
        } else if (strcmp(a, "--for") == 0) {
            c->duration = v;
        } else if (strcmp(a, "--until") == 0) {
            c->until = v;
        } else if (strcmp(a, "--reason") == 0) {
            c->reason = v;
        } else if (strcmp(a, "--limit") == 0) {
            c->limit = atol(v);
        }
    }
    return 0;
}

/* Common options may come before or after the command. */
static int parse(cli_t *c, int argc, char **argv, const command_t **cmd)
{
    *cmd = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) c->help = 1;
        else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) c->quiet = 1;
        else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) c->verbose = 1;
        else if (strcmp(a, "--json") == 0) c->json = 1;
        else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0 || strcmp(a, "--db") == 0 ||
                 strcmp(a, "--now") == 0) {
            const char *v = value(argc, argv, &i);
            if (!v)
                return usage_error("option %s needs a value", a);
            if (a[1] == 'c' || a[2] == 'c') c->config = v;
            else if (a[2] == 'd') c->db = v;
            else c->now = v;
        } else if (a[0] == '-' && a[1]) {
            if (parse_command_option(c, *cmd, a, argc, argv, &i) != 0)
                return VANE_EXIT_USAGE;
        } else if (!*cmd) {
            if (strcmp(a, "help") == 0) {
                c->help = 1;
                continue;
            }
            *cmd = find_command(a);
            if (!*cmd)
                return usage_error("unknown command '%s'", a);
            c->command = a;
        } else if ((strcmp((*cmd)->name, "test") == 0 || strcmp((*cmd)->name, "outbox") == 0 ||
                    strcmp((*cmd)->name, "init") == 0 ||
                    strcmp((*cmd)->name, "silence") == 0) &&
                   c->n_names < MAX_LIST) {
            c->names[c->n_names++] = a;
        } else {
            return usage_error("unexpected argument '%s'", a);
        }
    }
    return 0;
}

int cli_main(int argc, char **argv)
{
    cli_t c = {0};
    const command_t *cmd;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
            print_version();
            return VANE_EXIT_OK;
        }
    }
    if (parse(&c, argc, argv, &cmd) != 0)
        return VANE_EXIT_USAGE;
    if (c.help || !cmd) {
        if (cmd)
            printf("Usage: %s\n%s", cmd->usage, common_help);
        else
            print_help();
        return c.help ? VANE_EXIT_OK : VANE_EXIT_USAGE;
    }
    if (c.now) {
        vtime_t t;
        if (clock_parse_iso(c.now, &t) != 0)
            return usage_error("--now needs an ISO-8601 time, not '%s'", c.now);
        clock_set_now(t);
    }
    return cmd->fn(&c);
}

/* cli.c — the command line: the tables of options and commands, help,
 * and dispatch (see cli.h). parse.c reads argv against the tables; each
 * command is a function in a cmd_*.c file (see command.h). */
#include "cli/cli.h"

#include <curl/curl.h>
#include <lua.h>
#include <stdio.h>
#include <string.h>

#include "cli/command.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/exitcode.h"
#include "util/version.h"

/* Every option, in the order of cli_opt_t (command.h). */
static const cli_option_t options[CLI_N_OPTS] = {
    [CLI_HELP] = {"--help", "-h", "help", CLI_FLAG, 1},
    [CLI_QUIET] = {"--quiet", "-q", NULL, CLI_FLAG, 1},
    [CLI_VERBOSE] = {"--verbose", "-v", NULL, CLI_FLAG, 1},
    [CLI_JSON] = {"--json", NULL, NULL, CLI_FLAG, 1},
    [CLI_CONFIG] = {"--config", "-c", NULL, CLI_TEXT, 1},
    [CLI_DB] = {"--db", NULL, NULL, CLI_TEXT, 1},
    [CLI_NOW] = {"--now", NULL, NULL, CLI_TEXT, 1},   /* checked after --help */
    [CLI_ALL] = {"--all", NULL, NULL, CLI_FLAG, 0},
    [CLI_DRY_RUN] = {"--dry-run", NULL, NULL, CLI_FLAG, 0},
    [CLI_NO_ALERTS] = {"--no-alerts", NULL, NULL, CLI_FLAG, 0},
    [CLI_WAIT] = {"--wait", NULL, NULL, CLI_SECONDS, 0},
    [CLI_SOURCE] = {"--source", NULL, NULL, CLI_LIST, 0},
    [CLI_SINCE] = {"--since", NULL, NULL, CLI_TIME, 0},
    [CLI_RULE] = {"--rule", NULL, NULL, CLI_LIST, 0},   /* eval reads them all, others the last */
    [CLI_CHANNEL] = {"--channel", NULL, NULL, CLI_TEXT, 0},
    [CLI_KEY] = {"--key", NULL, NULL, CLI_TEXT, 0},
    [CLI_FOR] = {"--for", NULL, NULL, CLI_TEXT, 0},
    [CLI_UNTIL] = {"--until", NULL, NULL, CLI_TEXT, 0},   /* replay and silence check it */
    [CLI_REASON] = {"--reason", NULL, NULL, CLI_TEXT, 0},
    [CLI_LIMIT] = {"--limit", NULL, NULL, CLI_COUNT, 0},
    [CLI_MIN_PRECISION] = {"--min-precision", NULL, NULL, CLI_TEXT, 0},   /* eval checks it */
    [CLI_MIN_RECALL] = {"--min-recall", NULL, NULL, CLI_TEXT, 0},
    [CLI_FORCE] = {"--force", NULL, NULL, CLI_FLAG, 0},
    [CLI_CHANGE] = {"--change", NULL, NULL, CLI_TEXT, 0},   /* events checks it */
    [CLI_FILE] = {"--file", NULL, NULL, CLI_TEXT, 0},
    [CLI_FLAGS] = {"--flags", NULL, NULL, CLI_FLAG, 0},
    [CLI_OLDER_THAN] = {"--older-than", NULL, NULL, CLI_TEXT, 0},
    [CLI_LISTEN] = {"--listen", NULL, NULL, CLI_TEXT, 0},
    [CLI_NOTE] = {"--note", NULL, NULL, CLI_TEXT, 0},
    [CLI_AS] = {"--as", NULL, NULL, CLI_TEXT, 0},
    [CLI_FROM] = {"--from", NULL, NULL, CLI_TEXT, 0},
    [CLI_TO] = {"--to", NULL, NULL, CLI_TEXT, 0},
};
_Static_assert(CLI_N_OPTS <= CLI_MAX_OPTS, "an option is a bit of a command's mask");

#define O(id) CLI_OPT(CLI_##id)

/* Every command: the order is the order of `vane --help`. */
static const cli_command_t commands[] = {
    {.name = "run", .fn = cmd_run, .max_words = 0,
     .options = O(ALL) | O(SOURCE) | O(DRY_RUN) | O(NO_ALERTS) | O(WAIT),
     .usage =
     "vane run [--all] [--source ID]... [--dry-run] [--no-alerts] [--wait S] [--json]\n"
     "  One monitoring run: fetch the due sources, extract items, store what changed,\n"
     "  evaluate the rules and print the new flags.\n"
     "  --all          fetch every source, due or not\n"
     "  --source ID    fetch only this source (repeatable)\n"
     "  --dry-run      do everything but keep nothing: the database is left as it was\n"
     "  --no-alerts    record flags but deliver none\n"
     "  --wait S       if another run holds the lock, wait up to S seconds (else exit 75)\n"},
    {.name = "preview", .fn = cmd_preview, .max_words = 1, .options = O(FILE), .usage = cmd_preview_usage},
    {.name = "check", .fn = cmd_check, .max_words = 0,
     .options = 0,
     .usage =
     "vane check\n"
     "  Load and validate the configuration, the source scripts and the rules, and\n"
     "  show what each channel's format and match make of a sample flag.\n"
     "  Exit 0, or print every problem as file:line: message and exit 2.\n"},
    {.name = "test", .fn = cmd_test, .max_words = CLI_MAX_LIST,
     .options = 0,
     .usage =
     "vane test [RULE]...\n"
     "  Run the rules' inline tests (all rules, or those named). One line per failing\n"
     "  case with its file:line, then `N passed, N failed`. Exit 1 if any failed,\n"
     "  2 if a RULE named is not a loaded rule.\n"},
    {.name = "events", .fn = cmd_events, .max_words = 0,
     .options = O(SINCE) | O(SOURCE) | O(LIMIT) | O(KEY) | O(CHANGE),
     .usage =
     "vane events [--since T] [--source ID] [--key K] [--change C] [--limit N] [--json]\n"
     "  The changes runs have seen: new, changed (with the fields that changed),\n"
     "  removed; each with its item's title (--json: the item and the field diff).\n"
     "  --source ID    only this source's (a source of vane.lua or of the database)\n"
     "  --key K        only this item's\n"
     "  --change C     only new, changed or removed\n"
     "  --since T      only rows from T on: a time (2024-11-20T23:00:00Z) or a duration\n"
     "                 before now (30m, 12h, 7d)\n"
     "  --limit N      only the newest N rows (N a whole number, 1 or more), still\n"
     "                 printed oldest first like the rest: the newest is the last line\n"},
    {.name = "flags", .fn = cmd_flags, .max_words = 3,
     .options = O(SINCE) | O(SOURCE) | O(RULE) | O(KEY) | O(LIMIT) | O(NOTE) | O(AS),
     .usage =
     "vane flags [--since T] [--source ID] [--rule ID] [--key K] [--limit N] [--json]\n"
     "  The flags rules have raised (a silenced one with its silence).\n"
     "  --source ID    only this source's (a source of vane.lua or of the database)\n"
     "  --rule ID      only this rule's\n"
     "  --key K        only this item's\n"
     "  --since T      only rows from T on: a time (2024-11-20T23:00:00Z) or a duration\n"
     "                 before now (30m, 12h, 7d)\n"
     "  --limit N      only the newest N rows (N a whole number, 1 or more), still\n"
     "                 printed oldest first like the rest: the newest is the last line\n"
     "vane flags mark ID useful|noise [--note TEXT] [--as NAME]\n"
     "  Record an analyst's verdict on flag ID (a second one replaces the first);\n"
     "  by NAME, else $USER, else cli (--json: the verdict as stored). vane rules\n"
     "  shows each rule's precision.\n"},
    {.name = "rules", .fn = cmd_rules, .max_words = 0,
     .options = 0,
     .usage =
     "vane rules [--json]\n"
     "  Each loaded rule: its id, flags, the verdicts on them (vane flags mark) and\n"
     "  its precision, useful / (useful + noise) (\"—\" before any verdict), its file\n"
     "  and title. --json: one object per line (precision null before any verdict).\n"},
    {.name = "silence", .fn = cmd_silence, .max_words = CLI_MAX_LIST,
     .options = O(RULE) | O(SOURCE) | O(KEY) | O(FOR) | O(UNTIL) | O(REASON) | O(ALL) | O(FORCE),
     .usage =
     "vane silence add --rule RULE [--source ID] [--key KEY] (--for D | --until T) --reason TEXT\n"
     "                 [--force]\n"
     "  Keep a rule's flags from being delivered for a while (they are still recorded).\n"
     "vane silence list [--all] [--json]      the active silences (--all: every one ever added)\n"
     "vane silence remove ID                  end a silence now\n"
     "  --rule RULE    a rule id, or '*' for every rule\n"
     "  --source ID    only flags of this source      --key KEY   only flags of this item key\n"
     "  --for D        for this long (30m, 12h, 7d)   --until T   until this ISO-8601 time\n"
     "  --reason TEXT  why (shown by vane silence list and vane flags)\n"
     "  --force        add it even though no loaded rule or no source of vane.lua has\n"
     "                 that id (without it, an unknown --rule or --source is refused:\n"
     "                 a silence that silences nothing is a typo)\n"},
    {.name = "sources", .fn = cmd_sources, .max_words = 0,
     .options = O(SOURCE),
     .usage =
     "vane sources [--source ID] [--json]\n"
     "  Each source's health: last attempt and success, HTTP status, failures in a row,\n"
     "  items, when it is next due, the last error.\n"
     "  --source ID    only this source (a source of vane.lua or of the database)\n"},
    {.name = "runs", .fn = cmd_runs, .max_words = 0,
     .options = O(SINCE) | O(LIMIT),
     .usage =
     "vane runs [--since T] [--limit N] [--json]\n"
     "  The record of past runs: counts, exit status, errors.\n"
     "  --since T      only rows from T on: a time (2024-11-20T23:00:00Z) or a duration\n"
     "                 before now (30m, 12h, 7d)\n"
     "  --limit N      only the newest N rows (N a whole number, 1 or more), still\n"
     "                 printed oldest first like the rest: the newest is the last line\n"},
    {.name = "show", .fn = cmd_show, .max_words = 1,
     .options = 0,
     .usage =
     "vane show FLAG [--json]\n"
     "  One flag's story: what happened and where it went.\n"
     "    The flag, its event, the item before and now with what changed, its rule,\n"
     "    the silence that held it back, and each channel's delivery (status,\n"
     "    attempts, last error, next try, sent at). FLAG is a flag id (vane flags\n"
     "    lists them); an unknown id exits 2. --json: one object with flag, event,\n"
     "    item, rule, silence and deliveries.\n"},
    {.name = "history", .fn = cmd_history, .max_words = 2,
     .options = 0,
     .usage =
     "vane history SOURCE KEY [--json]\n"
     "  Every version of one item, newest first, with what changed.\n"
     "    Each event (id, observed, change) with the fields that changed (old → new),\n"
     "    a new item's fields or a removed one's last, and the flags raised on it.\n"
     "    `vane events --source SOURCE` lists the keys; an unknown source or key\n"
     "    exits 2. --json: one line per version, the event with its \"flags\".\n"},
    {.name = "serve", .fn = cmd_serve, .max_words = 0,
     .options = O(LISTEN),
     .usage =
     "vane serve [--listen ADDR:PORT] [--db FILE]\n"
     "  A read-only web view of the flags, items, sources and rules, with analysts'\n"
     "  verdicts, until SIGINT or SIGTERM. vane.lua's serve { listen, url, token,\n"
     "  users } sets the address (default 127.0.0.1:8080), the public address and who\n"
     "  may sign in; beyond a loopback address a token or users are required.\n"
     "  --listen ADDR:PORT   listen here (over serve { listen })\n"},
    {.name = "replay", .fn = cmd_replay, .max_words = 0,
     .options = O(RULE) | O(SINCE) | O(UNTIL),
     .usage =
     "vane replay --rule ID [--since T] [--until TIME] [--json]\n"
     "  What the rule would have flagged on the stored history (events observed in\n"
     "  [since, until)), printed like a run's flags. Nothing is stored or delivered:\n"
     "  try a new or edited rule on past events before it alerts anyone.\n"
     "  --rule ID      a loaded rule (an unknown id is an error, exit 2)\n"
     "  --since T      events from T on: a time or a duration before now (7d)\n"
     "  --until TIME   events before this ISO-8601 time\n"},
    {.name = "reextract", .fn = cmd_reextract, .max_words = 1, .options = O(SINCE) | O(FLAGS) | O(WAIT), .usage = "vane reextract SOURCE [--since TIME] [--flags] [--wait S] [--json]\n  Run the source's current script over its kept documents, oldest first, and\n  rebuild its items and events: earlier events are kept, marked superseded; the\n  rebuilt ones are marked rederived. Rules see them only with --flags (then the\n  next run evaluates them as new). --since: documents from TIME on, the first a\n  new baseline.\n"},
    {.name = "prune", .fn = cmd_prune, .max_words = 0, .options = O(OLDER_THAN) | O(WAIT), .usage = "vane prune --older-than DURATION [--wait S] [--json]\n  Remove events, kept documents and sent outbox rows older than DURATION (365d).\n  Items' current state, flags and the events flags point to, and runs stay.\n"},
    {.name = "eval", .fn = cmd_eval, .max_words = 1,
     .options = O(RULE) | O(MIN_PRECISION) | O(MIN_RECALL),
     .usage =
     "vane eval FILE [--rule ID]... [--min-precision P] [--min-recall R] [--json]\n"
     "  Measure the rules on a labelled set of titles (TSV: id, lang, source, title,\n"
     "  labels): per rule the labelled positives, flags, true and false positives,\n"
     "  misses, errors, precision and recall, then every miss, false flag and error.\n"
     "  Each title is a new item { title, lang } of the row's source; a rule's\n"
     "  `sources` restriction is not applied. Nothing is stored.\n"
     "  --rule ID          only this rule (repeatable; default: the rules the file labels)\n"
     "  --min-precision P  exit 1 when a rule's precision is below P (0 to 1)\n"
     "  --min-recall R     exit 1 when a rule's recall is below R (0 to 1)\n"
     "  Exit 1 also when a rule failed on a row or did not load; 2 for a bad FILE.\n"},
    {.name = "init", .fn = cmd_init, .max_words = CLI_MAX_LIST,
     .options = 0,
     .usage =
     "vane init DIR\n"
     "  A new monitor folder: DIR/vane.lua to edit, DIR/rules/ with copies of the\n"
     "  shipped rules and phrase lists, DIR/scripts/ for scripts of your own.\n"
     "  Nothing that exists is overwritten.\n"},
    {.name = "deliver", .fn = cmd_deliver, .max_words = 0,
     .options = O(WAIT),
     .usage =
     "vane deliver [--wait S]\n"
     "  Deliver what is due in the outbox (flags a channel has not taken yet), with\n"
     "  the same retries and back-off as a run. Runs deliver too; this is for\n"
     "  delivering between runs or after fixing a channel.\n"},
    {.name = "outbox", .fn = cmd_outbox, .max_words = CLI_MAX_LIST,
     .options = O(ALL) | O(CHANNEL) | O(SOURCE) | O(RULE) | O(SINCE) | O(LIMIT),
     .usage =
     "vane outbox [retry] [--channel ID] [--source ID] [--rule ID] [--since T] [--limit N]\n"
     "            [--all] [--json]\n"
     "  Alerts not delivered yet: pending ones (attempts, next try, last error) and\n"
     "  dead ones (given up after max_attempts). `vane outbox retry` makes dead\n"
     "  alerts pending again.\n"
     "  --channel ID   only this channel's\n"
     "  --source ID    only flags of this source      --rule ID   only this rule's\n"
     "  --all          delivered alerts too\n"
     "  --since T      only rows from T on: a time (2024-11-20T23:00:00Z) or a duration\n"
     "                 before now (30m, 12h, 7d)\n"
     "  --limit N      only the newest N rows (N a whole number, 1 or more), still\n"
     "                 printed oldest first like the rest: the newest is the last line\n"},
    {.name = "backup", .fn = cmd_backup, .max_words = 1, .options = O(FORCE),
     .usage =
     "vane backup FILE [--force]\n"
     "  Copy the database to FILE, consistent even while a run writes (SQLite's\n"
     "  online backup). An existing FILE is refused unless --force.\n"},
    {.name = "migrate-store", .fn = cmd_migrate_store, .max_words = 0, .options = O(FROM) | O(TO),
     .usage =
     "vane migrate-store --from SOURCE --to TARGET [--json]\n"
     "  Copy a whole store into another, ids kept: a SQLite file into a PostgreSQL\n"
     "  database, or back. The target is written in one transaction, and its row\n"
     "  counts checked against the source's before the commit.\n"
     "  --from SOURCE  the store to copy: a SQLite file or a postgresql:// URL\n"
     "  --to TARGET    an empty PostgreSQL database (postgresql://…), or a SQLite\n"
     "                 file not there yet; a target with rows is refused\n"},
    {.name = "channel", .fn = cmd_channel, .max_words = 2, .options = 0, .usage = cmd_channel_usage},
};


#undef O

static const cli_table_t table = {options, CLI_N_OPTS, commands,
                                  sizeof commands / sizeof commands[0]};

const cli_table_t *cli_table(void)
{
    return &table;
}

static const char common_help[] =
    "Common options:\n"
    "  -c FILE          the configuration (default ./vane.lua)\n"
    "  --db FILE        the database (default: the configuration's `database`, or $VANE_DB)\n"
    "  --now TIME       fix the clock (ISO-8601, e.g. 2024-11-20T23:00:00Z)\n"
    "  --json           machine-readable output, one JSON object per line\n"
    "  -q, -v           quieter, more verbose\n"
    "  -h, --help       this help\n";

/* A command's description, whole: the lines of its usage after the synopsis
 * (and its continuation lines, indented further) up to the first option
 * line ("  --…") or the next synopsis; a name wider than its column has
 * a line of its own. */
static void print_summary(const cli_command_t *c)
{
    const char *line = strchr(c->usage, '\n');
    const char *lead = c->name;
    if (strlen(lead) > 8) {   /* wider than the column: a line of its own */
        printf("  %s\n", lead);
        lead = "";
    }
    while (line && strncmp(line, "\n   ", 4) == 0)   /* the synopsis continued */
        line = strchr(line + 1, '\n');
    while (line && line[1] == ' ' && line[2] == ' ' && line[3] != '-' && line[3] != ' ') {
        line += 3;
        int n = (int)strcspn(line, "\n");
        printf("  %-8s %.*s\n", lead, n, line);
        lead = "";
        line = line[n] ? line + n : NULL;
    }
}

static void print_help(void)
{
    printf("vane %s — a monitoring rules engine: watch public sources, flag developments.\n\n"
           "Usage: vane [options] COMMAND [command options]\n\nCommands:\n", VANE_VERSION);
    for (size_t i = 0; i < table.n_commands; i++)
        print_summary(&commands[i]);
    printf("\n%s\nExit status: 0 all well; 1 the run finished but a source, rule or channel failed;\n"
           "2 usage or configuration error; 75 another run holds the lock.\n"
           "`vane COMMAND --help` tells more. See README.md for the guide.\n", common_help);
}

static void print_version(void)
{
    const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
    printf("vane %s (%s, libcurl %s, %s)\n", VANE_VERSION, LUA_RELEASE,
           curl ? curl->version : "not found", store_backend());
}

/* --version wins wherever it is, even as another option's value. */
static int wants_version(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0)
            return 1;
    return 0;
}

int cli_main(int argc, char **argv)
{
    cli_args_t a = {0};
    const cli_command_t *cmd;
    if (wants_version(argc, argv)) {
        print_version();
        return VANE_EXIT_OK;
    }
    if (argc >= 3 && strcmp(argv[1], "help") == 0 &&
        (strcmp(argv[2], "--names") == 0 || strcmp(argv[2], "--ids") == 0))
        return cli_help_listing(argc, argv);
    if (cli_parse(&table, argc, argv, &a, &cmd) != 0)
        return VANE_EXIT_USAGE;
    int help = cli_flag(&a, CLI_HELP);
    if (help || !cmd) {
        if (cmd)
            printf("Usage: %s\n%s", cmd->usage, common_help);
        else
            print_help();
        return help ? VANE_EXIT_OK : VANE_EXIT_USAGE;
    }
    const char *now = cli_text(&a, CLI_NOW);
    if (now) {
        vtime_t t;
        if (clock_parse_iso(now, &t) != 0)
            return cli_usage_error("--now needs an ISO-8601 time, not '%s'", now);
        clock_set_now(t);
    }
    cli_resolve_times(&table, &a, clock_now());
    return cmd->fn(&a);
}

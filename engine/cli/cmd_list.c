/* cmd_list.c — the listings of the database: `vane events`, `flags`,
 * `sources`, `runs` and `outbox` (with `outbox retry`), as a table for
 * people (feed text's control characters escaped, one row a line:
 * util/termtext.h) or JSON lines. */
#include "cli/command.h"
#include "cli/names.h"
#include "cli/table.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/exitcode.h"

typedef struct listing {
    int json;
    long rows;
    table_t table;   /* for people: printed once every row is in */
    int out_of_memory;
} listing_t;

static int print_row(void *ud, const char *json, int ncols, const char *const *names,
                     const char *const *cols)
{
    listing_t *l = ud;
    l->rows++;
    if (l->json) {
        printf("%s\n", json);
        return 0;
    }
    return l->out_of_memory = table_add(&l->table, ncols, names, cols) != 0;
}

/* ---- --source: a source of vane.lua or one the database has rows of ---- */

typedef struct known {
    const char **names;
    size_t n, cap;
} known_t;

static int add_known(known_t *k, const char *name)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 16;
        const char **grown = realloc(k->names, cap * sizeof *grown);
        if (!grown)
            return -1;
        k->names = grown;
        k->cap = cap;
    }
    k->names[k->n++] = name;
    return 0;
}

static int add_stored_source(void *ud, const char *json, int ncols, const char *const *names,
                             const char *const *cols)
{
    (void)json, (void)names;
    char *id = ncols > 0 && cols[0] ? strdup(cols[0]) : NULL;
    if (id && add_known(ud, id) == 0)
        return 0;
    free(id);
    return 1;
}

/* 0 when --source (if given) is a source of cfg (may be NULL) or of the
 * database, else VANE_EXIT_USAGE (said). */
static int source_known(const cli_args_t *a, const config_t *cfg, store_t *st)
{
    const char *id = cli_text(a, CLI_SOURCE);
    if (!id)
        return 0;
    known_t k = {0};
    err_t e;
    int rc = store_list(st, STORE_LIST_SOURCES, NULL, add_stored_source, &k, &e);
    size_t stored = k.n;
    for (size_t i = 0; rc == 0 && cfg && i < cfg->n_sources; i++)
        rc = add_known(&k, cfg->sources[i].id);
    size_t unknown = rc == 0 ? cli_unknown_names("--source", &id, 1, "source",
                                                 cfg ? "vane.lua or the database" : "the database",
                                                 k.names, k.n) : 0;
    for (size_t i = 0; i < stored; i++)
        free((char *)k.names[i]);
    free(k.names);
    return unknown ? VANE_EXIT_USAGE : 0;
}

/* List the rows of one kind from the database at path. */
static int list_from(const cli_args_t *a, const config_t *cfg, const char *path,
                     store_list_kind_t kind)
{
    err_t e;
    store_t *st = store_open(path, &e);
    if (!st) {
        fprintf(stderr, "vane: %s\n", e.msg);
        return VANE_EXIT_FAILED;
    }
    int code = source_known(a, cfg, st);
    if (code != 0) {
        store_close(st);
        return code;
    }
    store_filter_t f = {.since = cli_text(a, CLI_SINCE), .source = cli_text(a, CLI_SOURCE),
                        .rule = cli_text(a, CLI_RULE), .channel = cli_text(a, CLI_CHANNEL),
                        .key = cli_text(a, CLI_KEY), .change = cli_text(a, CLI_CHANGE),
                        .all = cli_flag(a, CLI_ALL), .limit = a->opt[CLI_LIMIT].count};
    listing_t l = {cli_flag(a, CLI_JSON), 0, {0}, 0};
    int rc = store_list(st, kind, &f, print_row, &l, &e);
    if (rc != 0 || l.out_of_memory) {
        fprintf(stderr, "vane: %s\n", rc ? e.msg : "listing: out of memory");
        code = VANE_EXIT_FAILED;
    } else if (l.rows == 0 && !l.json && !cli_flag(a, CLI_QUIET)) {
        fprintf(stderr, "vane: nothing to show\n");
    }
    if (code == VANE_EXIT_OK)
        table_print(&l.table, stdout, isatty(fileno(stdout)));
    table_free(&l.table);
    store_close(st);
    return code;
}

/* The configuration is read only to find the database (no --db, no $VANE_DB). */
static int list(const cli_args_t *a, store_list_kind_t kind)
{
    config_t cfg;
    int have_cfg = !cli_db_given(a);
    if (have_cfg && cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    const char *path = cli_db_path(a, have_cfg ? &cfg : NULL);
    int code = cli_need_database(path);
    if (code == 0)
        code = list_from(a, have_cfg ? &cfg : NULL, path, kind);
    if (have_cfg)
        config_free(&cfg);
    return code;
}

int cmd_events(const cli_args_t *a)
{
    const char *change = cli_text(a, CLI_CHANGE);
    if (change && strcmp(change, "new") != 0 && strcmp(change, "changed") != 0 &&
        strcmp(change, "removed") != 0)
        return cli_usage_error("--change needs new, changed or removed, not '%s'", change);
    return list(a, STORE_LIST_EVENTS);
}

int cmd_flags(const cli_args_t *a)
{
    if (a->n_words > 0 && strcmp(a->words[0], "mark") == 0)
        return cmd_flags_mark(a);
    if (a->n_words > 0) {
        fprintf(stderr, "vane: flags: unexpected argument '%s' (vane flags mark ID useful|noise?)\n",
                a->words[0]);
        return VANE_EXIT_USAGE;
    }
    if (cli_text(a, CLI_NOTE) || cli_text(a, CLI_AS)) {
        fprintf(stderr, "vane: flags: --note and --as are for vane flags mark\n");
        return VANE_EXIT_USAGE;
    }
    return list(a, STORE_LIST_FLAGS);
}
int cmd_sources(const cli_args_t *a) { return list(a, STORE_LIST_SOURCES); }
int cmd_runs(const cli_args_t *a) { return list(a, STORE_LIST_RUNS); }

/* `vane outbox retry [--channel ID]`: dead rows pending again. */
static int outbox_retry(const cli_args_t *a)
{
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    err_t e;
    long n = 0;
    store_t *st = store_open(cli_db_path(a, &cfg), &e);
    int ok = st && store_outbox_revive(st, cli_text(a, CLI_CHANNEL), &n, &e) == 0;
    if (!ok)
        fprintf(stderr, "vane: %s\n", e.msg);
    else if (!cli_flag(a, CLI_QUIET))
        printf("%ld dead alert%s pending again; `vane deliver` sends them\n", n, n == 1 ? "" : "s");
    store_close(st);
    config_free(&cfg);
    return ok ? VANE_EXIT_OK : VANE_EXIT_FAILED;
}

int cmd_outbox(const cli_args_t *a)
{
    if (a->n_words == 0)
        return list(a, STORE_LIST_OUTBOX);
    if (a->n_words == 1 && strcmp(a->words[0], "retry") == 0)
        return outbox_retry(a);
    return cli_usage_error("outbox: unknown action '%s' (retry)", a->words[0]);
}

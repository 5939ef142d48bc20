/* cmd_migrate_store.c — `vane migrate-store --from SOURCE --to TARGET`:
 * the whole store copied into another (store_copy), typically a SQLite
 * file into a new PostgreSQL database. SOURCE must exist; TARGET is a
 * PostgreSQL URL whose database is empty, or a SQLite file not there yet
 * (removed again when the copy fails). One line per table, then one for
 * the whole. */
#include "cli/command.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/exitcode.h"
#include "util/json.h"

/* Remove a SQLite file this command created, with what SQLite left beside it. */
static void remove_new_file(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        char name[4200];
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        unlink(name);
    }
}

/* {"from":…,"to":…,"rows":N,"tables":{"sources":N,…}} on stdout. */
static void print_json(const store_t *from, const store_t *to, const store_copy_report_t *r,
                       long long total)
{
    buf_t b = {0};
    int rc = buf_puts(&b, "{\"from\":") ||
             json_put_string(&b, store_name(from), strlen(store_name(from))) ||
             buf_puts(&b, ",\"to\":") || json_put_string(&b, store_name(to), strlen(store_name(to))) ||
             buf_printf(&b, ",\"rows\":%lld,\"tables\":{", total);
    for (size_t i = 0; rc == 0 && i < r->n; i++)
        rc = (i ? buf_putc(&b, ',') : 0) ||
             json_put_string(&b, r->table[i].table, strlen(r->table[i].table)) ||
             buf_printf(&b, ":%lld", r->table[i].rows);
    if (rc == 0 && buf_puts(&b, "}}\n") == 0)
        fwrite(b.p, 1, b.len, stdout);
    buf_free(&b);
}

static void print_report(const cli_args_t *a, const store_t *from, const store_t *to,
                         const store_copy_report_t *r)
{
    long long total = 0;
    for (size_t i = 0; i < r->n; i++)
        total += r->table[i].rows;
    if (cli_flag(a, CLI_JSON)) {
        print_json(from, to, r, total);
        return;
    }
    if (cli_flag(a, CLI_QUIET))
        return;
    for (size_t i = 0; i < r->n; i++)
        printf("%s: %lld copied\n", r->table[i].table, r->table[i].rows);
    printf("copied %lld rows of %zu tables from %s to %s\n", total, r->n, store_name(from),
           store_name(to));
}

/* The names given, checked: 0 or an exit status. */
static int check_names(const char *from, const char *to)
{
    if (!from || !to)
        return cli_usage_error("migrate-store needs --from SOURCE and --to TARGET");
    if (strcmp(from, to) == 0)
        return cli_usage_error("migrate-store needs two databases, not %s twice", from);
    int code = cli_need_database(from);
    if (code != 0)
        return code;
    if (!store_is_server(to) && access(to, F_OK) == 0) {
        fprintf(stderr, "vane: %s exists; migrate-store writes a new SQLite file "
                        "or into an empty PostgreSQL database\n", to);
        return VANE_EXIT_FAILED;
    }
    return 0;
}

/* Open both stores and copy; 0 or an exit status, the error in e. */
static int migrate(const cli_args_t *a, const char *from_name, const char *to_name, err_t *e)
{
    store_t *from = store_open(from_name, e);
    if (!from)
        return VANE_EXIT_FAILED;
    store_t *to = store_open(to_name, e);
    int code = to ? VANE_EXIT_OK : VANE_EXIT_FAILED;
    store_copy_report_t report;
    if (to && store_copy(from, to, &report, e) != 0)
        code = VANE_EXIT_FAILED;
    if (code == VANE_EXIT_OK)
        print_report(a, from, to, &report);
    store_close(to);
    store_close(from);
    return code;
}

int cmd_migrate_store(const cli_args_t *a)
{
    const char *from = cli_text(a, CLI_FROM), *to = cli_text(a, CLI_TO);
    int code = check_names(from, to);
    if (code != 0)
        return code;
    err_t e = {{0}};
    code = migrate(a, from, to, &e);
    if (code != VANE_EXIT_OK) {
        if (!store_is_server(to))
            remove_new_file(to);
        fprintf(stderr, "vane: %s\n", e.msg);
    }
    return code;
}

/* cmd_backup.c — `vane backup FILE [--force]`: a consistent copy of the
 * database (store_backup), safe while a run writes; an existing FILE is
 * refused unless --force. */
#include "cli/command.h"

#include <string.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/exitcode.h"
#include "util/json.h"

/* {"database":PATH,"backup":FILE} on stdout. */
static void print_json(const char *path, const char *to)
{
    buf_t b = {0};
    int rc = buf_puts(&b, "{\"database\":") || json_put_string(&b, path, strlen(path)) ||
             buf_puts(&b, ",\"backup\":") || json_put_string(&b, to, strlen(to)) ||
             buf_puts(&b, "}\n");
    if (rc == 0)
        fwrite(b.p, 1, b.len, stdout);
    buf_free(&b);
}

/* The database: --db or $VANE_DB without reading vane.lua, else the
 * configuration's. Copies the path into path (size n); 0 or an exit status. */
static int database_path(const cli_args_t *a, char *path, size_t n)
{
    if (cli_db_given(a)) {
        snprintf(path, n, "%s", cli_db_path(a, NULL));
        return 0;
    }
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    snprintf(path, n, "%s", cli_db_path(a, &cfg));
    config_free(&cfg);
    return 0;
}

int cmd_backup(const cli_args_t *a)
{
    if (a->n_words != 1)
        return cli_usage_error("backup needs the FILE to write (vane backup FILE)");
    const char *to = a->words[0];
    char path[4096];
    int code = database_path(a, path, sizeof path);
    if (code == 0)
        code = cli_need_database(path);
    if (code != 0)
        return code;
    err_t e;
    int rc = store_backup(path, to, cli_flag(a, CLI_FORCE), &e);
    if (rc == 1) {
        fprintf(stderr, "vane: %s exists; use --force to replace it\n", to);
        return VANE_EXIT_USAGE;
    }
    if (rc != 0) {
        fprintf(stderr, "vane: %s\n", e.msg);
        return VANE_EXIT_FAILED;
    }
    if (cli_flag(a, CLI_JSON))
        print_json(path, to);
    else if (!cli_flag(a, CLI_QUIET))
        printf("backed up %s to %s\n", path, to);
    return VANE_EXIT_OK;
}

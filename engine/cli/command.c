/* command.c — what the commands share: the configuration, the database,
 * printing a problem (see command.h). */
#include "cli/command.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/exitcode.h"
#include "util/json.h"

int cli_load_config(const cli_args_t *a, config_t *cfg)
{
    const char *path = cli_text(a, CLI_CONFIG);
    errlist_t errs = {0};
    int rc = config_load(path ? path : "vane.lua", cfg, &errs);
    for (size_t i = 0; i < errs.len; i++)
        fprintf(stderr, "vane: %s\n", errs.msgs[i]);
    errlist_free(&errs);
    return rc;
}

int cli_db_given(const cli_args_t *a)
{
    return cli_text(a, CLI_DB) || getenv("VANE_DB");
}

const char *cli_db_path(const cli_args_t *a, const config_t *cfg)
{
    if (cli_text(a, CLI_DB))
        return cli_text(a, CLI_DB);
    const char *env = getenv("VANE_DB");
    if (env && *env)
        return env;
    return cfg ? cfg->database : "vane.db";
}

int cli_need_database(const char *path)
{
    if (store_is_server(path) || access(path, F_OK) == 0)
        return 0;
    fprintf(stderr, "vane: no database at %s yet (run `vane run` first)\n", path);
    return VANE_EXIT_FAILED;
}

/* The name a message proposes ("… (did you mean 'X'?)") as
 * ,"suggestion":"X". */
static void put_suggestion(buf_t *b, const char *msg)
{
    static const char mark[] = "(did you mean '";
    const char *p = strstr(msg, mark);
    const char *end = p ? strstr(p + sizeof mark - 1, "'?)") : NULL;
    if (!end)
        return;
    buf_puts(b, ",\"suggestion\":");
    json_put_string(b, p + sizeof mark - 1, (size_t)(end - (p + sizeof mark - 1)));
}

void cli_print_problem(int json, FILE *to, const char *msg)
{
    if (!json) {
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
    put_suggestion(&b, msg);
    buf_puts(&b, "}");
    printf("%s\n", buf_str(&b));
    buf_free(&b);
}

/* cmd_reextract.c — `vane reextract SOURCE [--since T] [--flags]`: the
 * command line's side of run/reextract.c. */
#include "cli/command.h"

#include <string.h>

#include "run/reextract.h"
#include "util/exitcode.h"

/* The configured source closest to a mistyped id (differing in at most
 * two letters, or one a prefix of the other), or NULL. */
static const char *close_source(const config_t *cfg, const char *id)
{
    size_t n = strlen(id);
    for (size_t i = 0; i < cfg->n_sources; i++) {
        const char *s = cfg->sources[i].id;
        size_t m = strlen(s), same = 0;
        for (size_t k = 0; k < n && k < m; k++)
            same += s[k] == id[k];
        if ((n > m ? n : m) - same <= 2 || strncmp(s, id, n < m ? n : m) == 0)
            return s;
    }
    return NULL;
}

int cmd_reextract(const cli_args_t *a)
{
    if (a->n_words != 1)
        return cli_usage_error("reextract needs one SOURCE (see vane sources)");
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    const char *id = a->words[0];
    int code = VANE_EXIT_USAGE;
    if (!config_source(&cfg, id)) {
        const char *near = close_source(&cfg, id);
        fprintf(stderr, "vane: reextract: no source '%s' in %s%s%s%s\n", id, cfg.path,
                near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    } else {
        const char *path = cli_db_path(a, &cfg);
        code = cli_need_database(path);
        reextract_opts_t o = {id, cli_text(a, CLI_SINCE), cli_flag(a, CLI_FLAGS),
                              a->opt[CLI_WAIT].given ? a->opt[CLI_WAIT].seconds : 0,
                              cli_flag(a, CLI_JSON), stdout, stderr};
        if (code == 0)
            code = reextract_main(&cfg, path, &o);
    }
    config_free(&cfg);
    return code;
}

/* cmd_init.c — `vane init DIR`: the command line's side of init.c, which
 * writes the folder. */
#include "cli/command.h"

#include "cli/init.h"
#include "util/exitcode.h"

int cmd_init(const cli_args_t *a)
{
    if (a->n_words != 1)
        return cli_usage_error("init needs one folder");
    const char *dir = a->words[0];
    err_t e;
    int written;
    if (init_folder(dir, &written, &e) != 0) {
        fprintf(stderr, "vane: init: %s\n", e.msg);
        return VANE_EXIT_FAILED;
    }
    if (!cli_flag(a, CLI_QUIET))
        printf("%s: a monitor with %d files (vane.lua, rules/, scripts/).\n"
               "Next: cd %s && vane check && vane run\n",
               dir, written, dir);
    return VANE_EXIT_OK;
}

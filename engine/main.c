/* main.c — the vane program: set up libcurl, hand over to the CLI. */
#include <stdio.h>

#include "cli/cli.h"
#include "fetch/fetch.h"
#include "util/exitcode.h"

int main(int argc, char **argv)
{
    err_t e;
    if (fetch_global_init(&e) != 0) {
        fprintf(stderr, "vane: %s\n", e.msg);
        return VANE_EXIT_FAILED;
    }
    int code = cli_main(argc, argv);
    fetch_global_cleanup();
    return code;
}

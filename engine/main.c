/* main.c — the vane program: hand over to the CLI; libcurl, set up when
 * first needed (fetch_global_init), is cleaned up at the end. */

#include "cli/cli.h"
#include "fetch/fetch.h"

int main(int argc, char **argv)
{
    int code = cli_main(argc, argv);
    fetch_global_cleanup();
    return code;
}

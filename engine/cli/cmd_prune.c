/* cmd_prune.c — `vane prune --older-than D`: remove what is older than D
 * and nothing needs (store_prune), under the run lock, and say what was
 * freed. */
#include "cli/command.h"

#include <string.h>

#include "config/units.h"
#include "run/lock.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/exitcode.h"

static int prune(const char *path, const char *before, store_pruned_t *p, err_t *e)
{
    store_t *st = store_open(path, e);
    if (!st)
        return -1;
    int rc = store_begin(st, e);
    if (rc == 0 && (rc = store_prune(st, before, p, e)) == 0)
        rc = store_commit(st, e);
    if (rc != 0)
        store_rollback(st);
    store_close(st);
    return rc;
}

static void report(int json, const char *before, const store_pruned_t *p)
{
    if (json)
        printf("{\"before\":\"%s\",\"events\":%ld,\"documents\":%ld,\"outbox\":%ld,"
               "\"bytes\":%lld}\n",
               before, p->events, p->documents, p->outbox, p->bytes);
    else
        printf("removed what was older than %s: %ld events, %ld documents, %ld sent outbox rows; "
               "%lld bytes freed for reuse (VACUUM shrinks the file)\n",
               before, p->events, p->documents, p->outbox, p->bytes);
}

/* Prune under the run lock and report; an exit status. */
static int prune_locked(const cli_args_t *a, const char *path, const char *before)
{
    err_t e;
    int fd = -1;
    int held = lock_acquire(path, a->opt[CLI_WAIT].seconds, &fd, &e);
    if (held == LOCK_HELD) {
        fprintf(stderr, "vane: a run holds the lock on %s; try again later or use --wait\n", path);
        return VANE_EXIT_LOCKED;
    }
    store_pruned_t p;
    int rc = held == 0 ? prune(path, before, &p, &e) : -1;
    if (rc != 0)
        fprintf(stderr, "vane: %s\n", e.msg);
    else
        report(cli_flag(a, CLI_JSON), before, &p);
    if (fd >= 0)
        lock_release(fd);
    return rc != 0 ? VANE_EXIT_FAILED : VANE_EXIT_OK;
}

int cmd_prune(const cli_args_t *a)
{
    const char *age = cli_text(a, CLI_OLDER_THAN);
    long long seconds;
    if (!age)
        return cli_usage_error("prune needs --older-than DURATION (e.g. 365d)");
    size_t digits = strspn(age, "0123456789");
    if (units_duration(age, &seconds) != 0 || seconds <= 0 || age[digits] == '\0')
        return cli_usage_error("--older-than needs a duration such as 365d or 12w, not '%s'", age);
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    const char *path = cli_db_path(a, &cfg);
    int code = cli_need_database(path);
    char before[32];
    clock_format_iso(clock_now() - (vtime_t)seconds, before);
    if (code == 0)
        code = prune_locked(a, path, before);
    config_free(&cfg);
    return code;
}

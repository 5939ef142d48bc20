/* decl_settings.c — `settings { … }` in vane.lua: the sandbox's limits and
 * the fetcher's manners (config.h, config_t). */
#include <stdlib.h>

#include "config/keys.h"
#include "config/loader.h"

static void sandbox_settings(decl_t *d, sandbox_limits_t *lim)
{
    lim->instructions = decl_count(d, "instructions", 1000, DECL_COUNT_MAX, lim->instructions);
    lim->pattern_steps = decl_count(d, "pattern_steps", 1000, DECL_COUNT_MAX, lim->pattern_steps);
    lim->timeout_ms = (long)decl_duration(d, "call_timeout", lim->timeout_ms / 1000) * 1000;
    long long mem = decl_size(d, "memory", 0);
    if (mem > 0 && mem < (1 << 20))
        decl_problem(d, "settings: memory must be at least 1MB");
    else if (mem > 0)
        lim->memory = (size_t)mem;
}

static void fetch_settings(decl_t *d, fetch_opts_t *fo)
{
    fo->max_parallel = decl_count(d, "max_parallel", 1, DECL_COUNT_MAX, fo->max_parallel);
    fo->per_host = decl_count(d, "per_host", 1, DECL_COUNT_MAX, fo->per_host);
    fo->retries = decl_count(d, "retries", 0, DECL_COUNT_MAX, fo->retries);
    fo->connect_timeout = (long)decl_duration(d, "connect_timeout", fo->connect_timeout);
    fo->max_retry_wait = (long)decl_duration(d, "max_retry_wait", fo->max_retry_wait);
    fo->allow_file = decl_bool(d, "allow_file", fo->allow_file);
}

/* metrics_file: resolved against vane.lua's folder. */
static void metrics_file_setting(decl_t *d, config_t *cfg)
{
    char *path = decl_string(d, "metrics_file", NULL);
    if (!path)
        return;
    if (!*path) {
        decl_problem(d, "settings: metrics_file needs a file name");
    } else {
        free(cfg->metrics_file);
        cfg->metrics_file = config_resolve(cfg->dir, path);
    }
    free(path);
}

const char *const decl_settings_keys[] = {"instructions", "memory", "pattern_steps", "max_parallel",
                                          "per_host", "retries", "user_agent", "connect_timeout",
                                          "max_retry_wait", "allow_file", "failing_after",
                                          "max_item_bytes", "max_flags", "call_timeout",
                                          "keep_documents", "metrics_file", NULL};

int decl_settings(lua_State *L)
{
    decl_t d;
    if (loader_begin(L, &d, "settings") != 0)
        return 0;
    decl_check_keys(&d, decl_settings_keys);
    config_t *cfg = loader_of(L)->cfg;
    sandbox_settings(&d, &cfg->limits);
    fetch_settings(&d, &cfg->fetch);
    cfg->failing_after = (int)decl_count(&d, "failing_after", 1, DECL_COUNT_MAX, cfg->failing_after);
    cfg->max_item_bytes = decl_size(&d, "max_item_bytes", cfg->max_item_bytes);
    cfg->max_flags = decl_count(&d, "max_flags", 1, DECL_COUNT_MAX, cfg->max_flags);
    cfg->keep_documents = decl_duration_or_false(&d, "keep_documents", cfg->keep_documents);
    metrics_file_setting(&d, cfg);
    char *ua = decl_string(&d, "user_agent", NULL);
    if (ua) {
        free((char *)cfg->fetch.user_agent);
        cfg->fetch.user_agent = ua;
    }
    return 0;
}

/* config.h — vane.lua: loading it in a sandbox, validating it, and the
 * resulting configuration.
 *
 * vane.lua is Lua evaluated with only declaration helpers and `env`:
 *   database "vane.db"       rules { "rules", "/srv/more-rules" }
 *                            (without `rules`: the folder rules/ beside vane.lua
 *                            when there is one, else the shipped rules)
 *   settings { instructions = N, memory = "64MB", pattern_steps = N,
 *              max_parallel = 16, per_host = 6, retries = 2, user_agent = "…",
 *              connect_timeout = "10s", max_retry_wait = "30s",
 *              allow_file = false, failing_after = 3,
 *              metrics_file = "vane.prom" }
 *   source { id =, url =, script =, every =, timeout =, max_bytes =,
 *            removals =, ignore = { … }, options = { … } }
 *   channel { id =, kind = "stdout" | "file" | "webhook" | "email" | "exec",
 *             min_severity =, rules = { … }, sources = { … },
 *             exclude_rules = { … }, exclude_sources = { … }, digest =,
 *             max_attempts =, retry_after =, timeout =,
 *             format = function(flag), match = function(flag),
 *             quiet = { "22:00-07:00", tz = "Asia/Shanghai" },
 *             and the kind's own keys (channel/kind_KIND.c) }
 *   watch { id =, terms = { … }, sources = { … }, fields = { … },
 *           severity =, changes = { "new", "changed" } }
 *                            a keyword watch list, read by the keyword-watch rule
 *   serve { listen = "127.0.0.1:8080", url = "https://vane.example.org",
 *           token = env "NAME", users = { ana = "$2b$…" } }
 *                            `vane serve`, the web view (config/decl_serve.c)
 *   env "NAME"               the value of an environment variable (or nil)
 * Every problem is reported as "vane.lua:LINE: message" into an errlist;
 * relative paths are resolved against the configuration file's folder. */
#ifndef VANE_CONFIG_H
#define VANE_CONFIG_H

#include <stddef.h>

#include "config/severity.h"
#include "util/err.h"
#include "fetch/fetch.h"
#include "sandbox/sandbox.h"

typedef struct source_cfg {
    char *id, *url, *script;
    char *name;           /* what people call it ("State Department advisories"); NULL: the id */
    char *url_shown;      /* url with its secrets as "…" (config/redact.h): what is stored and shown */
    long long every, timeout, max_bytes;  /* seconds, seconds, bytes */
    int removals;
    long max_follow;      /* detail pages fetched per run at most (default 50) */
    long long max_item_bytes; /* cap on one item's encoded size; 0: the settings' */
    long long keep_documents; /* seconds fetched bodies are kept; 0: none; -1: the settings' */
    char **ignore;
    size_t n_ignore;
    char *options_json;   /* canonical JSON of `options`, "{}" when absent */
    char **option_keys;   /* the names in `options`, NULL-terminated; NULL when none */
    /* what it sends (config/decl_request.c): headers, cookies and
     * Accept-Language as header lines, method and body, user and password,
     * proxy, ca_file, insecure_tls. Any of them may hold a secret: never
     * stored nor shown, only hashed into the definition (run/definition.h) */
    fetch_http_t http;
    int line;             /* where it was declared */
} source_cfg_t;

struct channel_kind;       /* channel/kind.h */

typedef struct channel_cfg {
    char *id;
    const struct channel_kind *kind;   /* channel/kinds.c lists them */
    /* routing */
    int min_severity;     /* severity_rank() of min_severity */
    char **rules, **sources;                   /* NULL-terminated; NULL = all */
    char **exclude_rules, **exclude_sources;   /* NULL-terminated; NULL = none */
    int digest;           /* one message per run listing all its flags */
    /* delivery */
    int max_attempts;     /* failed attempts before a row is dead (default 10) */
    long long retry_after;/* seconds before the first retry, doubling (default 60) */
    long long timeout;    /* seconds one attempt may take (default 30) */
    void *data;           /* the kind's own settings, read and freed by the kind */
    /* vane.lua's functions (alert/template.h): registry refs in
     * config_t.sandbox, 0 when absent, and the lines defining them */
    int format_ref, match_ref;
    int format_line, match_line;
    struct quiet *quiet;  /* quiet hours (alert/quiet.h), or NULL */
    int line;
} channel_cfg_t;

/* A keyword watch: flag items whose fields contain one of the terms. */
typedef struct watch_cfg {
    char *id;
    char **terms;         /* NULL-terminated, at least one; "re:…" = a regex */
    size_t n_terms;
    char **sources;       /* NULL-terminated; NULL = every source */
    char **fields;        /* NULL-terminated; default title, summary */
    int severity;         /* severity_rank(); default medium */
    int on_new, on_changed;   /* which changes it looks at; default new only */
    int line;
} watch_cfg_t;

/* serve { … }: `vane serve`'s address, public address and who may sign in. */
typedef struct serve_cfg {
    char *listen;         /* "ADDR:PORT", or NULL (127.0.0.1:8080) */
    char *url;            /* the public address ("https://vane.example.org"), or NULL */
    char *token;          /* a secret for Authorization: Bearer, or NULL */
    char **user_names;    /* n_users names and their crypt(3) hashes */
    char **user_hashes;
    size_t n_users;
    int line;             /* where it was declared; 0: not declared */
} serve_cfg_t;

typedef struct config {
    char *path;           /* the file as given */
    char *dir;            /* its folder, for relative paths */
    char *database;       /* absolute or relative to the cwd, resolved */
    char **rule_dirs;     /* resolved folders */
    size_t n_rule_dirs;
    int shipped_rules;    /* no rules folder: the rules built into vane are used */
    sandbox_limits_t limits;
    fetch_opts_t fetch;   /* user_agent is owned by the config */
    int failing_after;    /* failed runs in a row that raise source-failing */
    long long max_item_bytes; /* cap on one item's encoded size; 0: 1 MB */
    long max_flags;       /* flags one rule may raise in one run before a summary */
    long long keep_documents; /* seconds fetched bodies are kept (default 90 days); 0: none */
    char *metrics_file;   /* settings' metrics_file, resolved: where each run writes its
                             Prometheus metrics (metrics/metrics.h); NULL: nowhere */
    source_cfg_t *sources;
    size_t n_sources;
    channel_cfg_t *channels;
    size_t n_channels;
    watch_cfg_t *watches;
    size_t n_watches;
    serve_cfg_t serve;
    /* vane.lua's sandbox, kept when a channel has a function (format,
     * match) to call later, with the settings' limits; else NULL */
    sandbox_t *sandbox;
    /* what went wrong calling those functions where no error list is at
     * hand (match, at queue time): reported by the next delivery */
    errlist_t *pending_errs;
} config_t;

/* Load and validate `path`. Returns 0, or -1 with every problem in errs
 * (the config is then freed and zeroed). */
int config_load(const char *path, config_t *cfg, errlist_t *errs);
void config_free(config_t *cfg);

const source_cfg_t *config_source(const config_t *cfg, const char *id);

/* The name of the source with this id: its `name`, else the id itself
 * (NULL for NULL). */
const char *config_source_name(const config_t *cfg, const char *id);

/* How long s's fetched bodies are kept, in seconds (0: not kept): its own
 * keep_documents, else the settings'. */
long long config_keep_documents(const config_t *cfg, const source_cfg_t *s);

/* Join dir and a relative path (an absolute path is returned as is). The
 * result is malloc'ed. */
char *config_resolve(const char *dir, const char *path);

#endif

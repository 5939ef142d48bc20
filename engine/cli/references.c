/* references.c — gathering what config/xref.c checks the configuration
 * against: the loaded rules' ids and sources, the scripts' declarations
 * (see references.h). */
#include "cli/references.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/xref.h"
#include "util/buf.h"
#include "util/version.h"

size_t references_check(const config_t *cfg, const rules_t *rules, extract_t *x, errlist_t *errs)
{
    size_t n_rules = rules ? rules_count(rules) : 0;
    xref_rule_t *rv = calloc(n_rules + 1, sizeof *rv);
    xref_script_t *sv = calloc(cfg->n_sources + 1, sizeof *sv);
    size_t added = 0;
    if (!rv || !sv) {
        errlist_add(errs, "out of memory");
        added = 1;
    } else {
        for (size_t i = 0; i < n_rules; i++)
            rules_xref(rules, i, &rv[i]);
        for (size_t i = 0; x && i < cfg->n_sources; i++)
            extract_declared(x, cfg->sources[i].script, &sv[i]);
        xref_known_t k = {rv, n_rules, rules && rules_load_errors(rules) == 0, sv,
                          x ? cfg->n_sources : 0};
        added = xref_check(cfg, &k, errs);
    }
    free(rv);
    free(sv);
    return added;
}

size_t references_check_config(const config_t *cfg, errlist_t *errs, int *complete)
{
    errlist_t ignored = {0};
    err_t e;
    int scripts_ok = 1;
    extract_t *x = extract_new(cfg, &e);
    for (size_t i = 0; x && i < cfg->n_sources; i++)
        scripts_ok &= extract_prepare(x, cfg->sources[i].script, &e) == 0;
    rules_t *rules = rules_load(cfg, &ignored, &e);
    size_t added = 0;
    int all = x && rules && rules_load_errors(rules) == 0;
    if (all)
        added = references_check(cfg, rules, x, errs);
    if (complete)
        *complete = all && scripts_ok;
    rules_free(rules);
    extract_free(x);
    errlist_free(&ignored);
    return added;
}

/* A file as its path, size, time and inode (or "absent"), into c. */
static void digest_file(sha256_t *c, const char *path)
{
    struct stat sb;
    buf_t b = {0};
    if (stat(path, &sb) == 0)
        buf_printf(&b, "%s\x1f%lld\x1f%lld.%09ld\x1f%llu", path, (long long)sb.st_size,
                   (long long)sb.st_mtim.tv_sec, (long)sb.st_mtim.tv_nsec,
                   (unsigned long long)sb.st_ino);
    else
        buf_printf(&b, "%s\x1f" "absent", path);
    sha256_update(c, buf_str(&b), b.len + 1);
    buf_free(&b);
}

/* How many of the distinct scripts last seen digest_scripts remembers. */
#define RECENT_SCRIPTS 8

static int seen_recently(const char *const *recent, const char *name)
{
    for (size_t k = 0; k < RECENT_SCRIPTS && recent[k]; k++)
        if (strcmp(recent[k], name) == 0)
            return 1;
    return 0;
}

/* The files of the scripts the sources use (extract.c reads
 * DIR/scripts/NAME.lua, else the shipped script of that name), in the
 * sources' order, a script again only when it is not among the last few
 * distinct ones (sources mostly share a handful of scripts). */
static void digest_scripts(sha256_t *c, const config_t *cfg)
{
    const char *recent[RECENT_SCRIPTS] = {0};
    size_t slot = 0;
    for (size_t i = 0; i < cfg->n_sources; i++) {
        const char *name = cfg->sources[i].script;
        if (seen_recently(recent, name))
            continue;
        recent[slot++ % RECENT_SCRIPTS] = name;
        buf_t path = {0};
        buf_printf(&path, "%s/scripts/%s.lua", cfg->dir, name);
        digest_file(c, buf_str(&path));
        buf_free(&path);
    }
}

void references_fingerprint(const config_t *cfg, const char *rules, char out[65])
{
    sha256_t c;
    unsigned char d[32];
    sha256_init(&c);
    sha256_update(&c, "vane " VANE_VERSION, sizeof "vane " VANE_VERSION);
    digest_file(&c, "/proc/self/exe");
    xref_digest(cfg, &c);
    sha256_update(&c, rules, strlen(rules) + 1);
    digest_scripts(&c, cfg);
    sha256_final(&c, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

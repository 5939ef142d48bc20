/* metrics.c — the Prometheus text exposition of vane's state (see
 * metrics.h): runs, sources' health, flags, the outbox, the database's
 * size, each family with its HELP and TYPE lines, read from the store. */
#include "util/replace.h"
#include "metrics/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/metrics_reads.h"

int metrics_label(buf_t *out, const char *s)
{
    int rc = 0;
    for (; s && *s && rc == 0; s++) {
        if (*s == '\\')
            rc = buf_puts(out, "\\\\");
        else if (*s == '"')
            rc = buf_puts(out, "\\\"");
        else if (*s == '\n')
            rc = buf_puts(out, "\\n");
        else
            rc = buf_putc(out, *s);
    }
    return rc;
}

static int family(buf_t *out, const char *name, const char *type, const char *help)
{
    return buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{l1="v1"[,l2="v2"]} n */
static int sample(buf_t *out, const char *name, const char *l1, const char *v1, const char *l2,
                  const char *v2, long long n)
{
    int rc = buf_puts(out, name);
    if (l1) {
        rc |= buf_printf(out, "{%s=\"", l1);
        rc |= metrics_label(out, v1);
        if (l2) {
            rc |= buf_printf(out, "\",%s=\"", l2);
            rc |= metrics_label(out, v2);
        }
        rc |= buf_puts(out, "\"}");
    }
    rc |= buf_printf(out, " %lld\n", n);
    return rc;
}

/* ---- runs ----------------------------------------------------------------------- */

static int on_run_count(void *ud, const char *status, const char *unused, long long n)
{
    (void)unused;
    return sample(ud, "vane_runs_total", "status", status, NULL, NULL, n);
}

static int runs(store_t *st, buf_t *out, err_t *e)
{
    int rc = family(out, "vane_runs_total", "counter", "Runs recorded, by status.");
    if (rc == 0 && store_metrics_runs(st, on_run_count, out, e) != 0)
        return -1;
    store_last_run_t last;
    int found = store_metrics_last_run(st, &last, e);
    if (found < 0)
        return -1;
    if (found) {
        rc |= family(out, "vane_last_run_timestamp_seconds", "gauge",
                     "When the last finished run ended, in seconds since the epoch.");
        rc |= sample(out, "vane_last_run_timestamp_seconds", NULL, NULL, NULL, NULL, last.finished);
        rc |= family(out, "vane_last_run_duration_seconds", "gauge",
                     "How long the last finished run took.");
        rc |= sample(out, "vane_last_run_duration_seconds", NULL, NULL, NULL, NULL,
                     last.finished - last.started);
        rc |= family(out, "vane_last_run_exit_code", "gauge",
                     "The exit status of the last finished run (0 ok, 1 failed, 2 configuration).");
        rc |= sample(out, "vane_last_run_exit_code", NULL, NULL, NULL, NULL, last.exit_code);
    }
    return rc ? err_set(e, "metrics: out of memory") : 0;
}

/* ---- sources -------------------------------------------------------------------- */

typedef struct sources_ctx {
    const config_t *cfg;
    store_source_health_t *v;
    char **ids;
    size_t n, cap;
    int oom;
} sources_ctx_t;

static int on_source(void *ud, const store_source_health_t *h)
{
    sources_ctx_t *c = ud;
    if (c->cfg && !config_source(c->cfg, h->id))
        return 0;   /* no longer declared */
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        store_source_health_t *v = realloc(c->v, cap * sizeof *v);
        if (v)
            c->v = v;
        char **ids = v ? realloc(c->ids, cap * sizeof *ids) : NULL;
        if (!ids)
            return c->oom = 1;
        c->ids = ids;
        c->cap = cap;
    }
    c->ids[c->n] = strdup(h->id);
    if (!c->ids[c->n])
        return c->oom = 1;
    c->v[c->n] = *h;
    c->v[c->n].id = c->ids[c->n];
    c->n++;
    return 0;
}

static int source_families(const sources_ctx_t *c, buf_t *out)
{
    int rc = family(out, "vane_source_up", "gauge", "1 when the source's last attempt succeeded.");
    for (size_t i = 0; i < c->n; i++)
        rc |= sample(out, "vane_source_up", "source", c->v[i].id, NULL, NULL, c->v[i].up);
    rc |= family(out, "vane_source_last_success_timestamp_seconds", "gauge",
                 "When the source was last fetched successfully, in seconds since the epoch.");
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].last_success)
            rc |= sample(out, "vane_source_last_success_timestamp_seconds", "source", c->v[i].id,
                         NULL, NULL, c->v[i].last_success);
    rc |= family(out, "vane_source_failures", "gauge", "Failed attempts in a row at the source.");
    for (size_t i = 0; i < c->n; i++)
        rc |= sample(out, "vane_source_failures", "source", c->v[i].id, NULL, NULL,
                     c->v[i].failures);
    rc |= family(out, "vane_source_items", "gauge", "Items the source's last extraction gave.");
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].items >= 0)
            rc |= sample(out, "vane_source_items", "source", c->v[i].id, NULL, NULL,
                         c->v[i].items);
    return rc;
}

static int sources(store_t *st, const config_t *cfg, buf_t *out, err_t *e)
{
    sources_ctx_t c = {.cfg = cfg};
    int rc = store_metrics_sources(st, on_source, &c, e);
    if (rc == 0 && (c.oom || source_families(&c, out) != 0))
        rc = err_set(e, "metrics: out of memory");
    for (size_t i = 0; i < c.n; i++)
        free(c.ids[i]);
    free(c.ids);
    free(c.v);
    return rc;
}

/* ---- flags ---------------------------------------------------------------------- */

static int on_flag_count(void *ud, const char *rule, const char *severity, long long n)
{
    return sample(ud, "vane_flags_total", "rule", rule, "severity", severity, n);
}

static int flags(store_t *st, buf_t *out, err_t *e)
{
    if (family(out, "vane_flags_total", "counter", "Flags raised, by rule and severity.") != 0)
        return err_set(e, "metrics: out of memory");
    return store_metrics_flags(st, on_flag_count, out, e);
}

/* ---- the outbox ----------------------------------------------------------------- */

typedef struct outbox_row {
    char *channel;
    long long pending, dead;
} outbox_row_t;

typedef struct outbox_ctx {
    outbox_row_t *v;
    size_t n, cap;
    int oom;
} outbox_ctx_t;

static outbox_row_t *outbox_row(outbox_ctx_t *c, const char *channel)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].channel, channel) == 0)
            return &c->v[i];
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        outbox_row_t *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return NULL;
        c->v = v;
        c->cap = cap;
    }
    outbox_row_t *r = &c->v[c->n];
    *r = (outbox_row_t){.channel = strdup(channel)};
    if (!r->channel)
        return NULL;
    c->n++;
    return r;
}

static int on_outbox_count(void *ud, const char *channel, const char *status, long long n)
{
    outbox_ctx_t *c = ud;
    outbox_row_t *r = outbox_row(c, channel);
    if (!r)
        return c->oom = 1;
    if (strcmp(status, "dead") == 0)
        r->dead += n;
    else
        r->pending += n;
    return 0;
}

static int by_channel(const void *a, const void *b)
{
    return strcmp(((const outbox_row_t *)a)->channel, ((const outbox_row_t *)b)->channel);
}

static int outbox_families(const outbox_ctx_t *c, buf_t *out)
{
    int rc = family(out, "vane_outbox_pending", "gauge",
                    "Deliveries waiting to be sent (or retried), by channel.");
    for (size_t i = 0; i < c->n; i++)
        rc |= sample(out, "vane_outbox_pending", "channel", c->v[i].channel, NULL, NULL,
                     c->v[i].pending);
    rc |= family(out, "vane_outbox_dead", "gauge",
                 "Deliveries given up after their last attempt, by channel.");
    for (size_t i = 0; i < c->n; i++)
        rc |= sample(out, "vane_outbox_dead", "channel", c->v[i].channel, NULL, NULL,
                     c->v[i].dead);
    return rc;
}

static int outbox(store_t *st, const config_t *cfg, buf_t *out, err_t *e)
{
    outbox_ctx_t c = {0};
    int rc = store_metrics_outbox(st, on_outbox_count, &c, e);
    for (size_t i = 0; rc == 0 && !c.oom && cfg && i < cfg->n_channels; i++)
        if (!outbox_row(&c, cfg->channels[i].id))
            c.oom = 1;
    if (rc == 0 && !c.oom && c.n)
        qsort(c.v, c.n, sizeof *c.v, by_channel);
    if (rc == 0 && (c.oom || outbox_families(&c, out) != 0))
        rc = err_set(e, "metrics: out of memory");
    for (size_t i = 0; i < c.n; i++)
        free(c.v[i].channel);
    free(c.v);
    return rc;
}

/* ---- the whole ------------------------------------------------------------------ */

int metrics_build(store_t *st, const config_t *cfg, buf_t *out, err_t *e)
{
    if (runs(st, out, e) != 0 || sources(st, cfg, out, e) != 0 || flags(st, out, e) != 0 ||
        outbox(st, cfg, out, e) != 0)
        return -1;
    long long bytes;
    if (store_database_bytes(st, &bytes, e) != 0)
        return -1;
    int rc = family(out, "vane_database_bytes", "gauge",
                    "The size of the database: its file and its write-ahead log.");
    rc |= sample(out, "vane_database_bytes", NULL, NULL, NULL, NULL, bytes);
    return rc ? err_set(e, "metrics: out of memory") : 0;
}

/* ---- the file ------------------------------------------------------------------- */

int metrics_file_write(const char *path, const buf_t *text, err_t *e)
{
    err_t why;
    if (replace_file(path, text, 0644, &why) != 0)
        return err_set(e, "metrics_file %s: %s", path, why.msg);
    return 0;
}

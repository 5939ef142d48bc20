/* alert.c — routing flags into the outbox and delivering it (see alert.h). */
#include "alert.h"

#include <string.h>

#include "clock.h"
#include "silence.h"

static int listed(char *const *list, const char *value)
{
    if (!list)
        return 1;
    for (size_t i = 0; list[i]; i++)
        if (value && strcmp(list[i], value) == 0)
            return 1;
    return 0;
}

static int routes(const channel_cfg_t *c, const store_flag_t *f)
{
    return severity_rank(f->severity) >= c->min_severity && listed(c->rules, f->rule) &&
           listed(c->sources, f->source);
}

int alert_route(store_t *st, const config_t *cfg, const store_flag_t *f, err_t *e)
{
    long long silence_id;
    if (silence_match(st, f, &silence_id, e) != 0)
        return -1;
    if (silence_id) /* recorded under its silence, never delivered (silence.h) */
        return silence_mark(st, f->id, silence_id, e);
    if (store_outbox_add(st, f->id, ALERT_STDOUT, e) != 0)
        return -1;
    for (size_t i = 0; i < cfg->n_channels; i++)
        if (routes(&cfg->channels[i], f) && store_outbox_add(st, f->id, cfg->channels[i].id, e) != 0)
            return -1;
    return 0;
}

void alert_format_text(FILE *out, const char *severity, const char *rule, const char *source,
                       const char *message)
{
    fprintf(out, "[%s] %s %s: %s\n", severity, rule, source ? source : "-", message);
}

/* Hand one row to a channel. Returns 0 when the channel took it. */
static int send_row(const channel_cfg_t *c, const alert_out_t *o, const store_outbox_row_t *r,
                    err_t *e)
{
    if (!c || strcmp(c->kind, "stdout") == 0) {
        FILE *out = o->out ? o->out : stdout;
        if (o->json)
            fprintf(out, "%s\n", r->flag_json);
        else
            alert_format_text(out, r->severity, r->rule, r->source, r->message);
        return fflush(out) == 0 ? 0 : err_set(e, "cannot write to standard output");
    }
    FILE *f = fopen(c->path, "a");
    if (!f)
        return err_set(e, "channel %s: cannot open %s: %m", c->id, c->path);
    fprintf(f, "%s\n", r->flag_json);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return err_set(e, "channel %s: cannot write %s", c->id, c->path);
    return 0;
}

static int deliver_channel(store_t *st, const char *name, const channel_cfg_t *c,
                           const alert_out_t *o, errlist_t *errs, long *delivered, err_t *e)
{
    store_outbox_row_t *rows;
    size_t n;
    if (store_outbox_pending(st, name, &rows, &n, e) != 0)
        return -1;
    int status = 0;
    char now[32];
    clock_format_iso(clock_now(), now);
    for (size_t i = 0; i < n; i++) {
        err_t ce;
        if (send_row(c, o, &rows[i], &ce) != 0) {
            errlist_add(errs, "%s", ce.msg);
            status = 1;
            break; /* keep order: the rest waits for the next delivery */
        }
        if (store_outbox_sent(st, rows[i].id, now, e) != 0) {
            status = -1;
            break;
        }
        (*delivered)++;
    }
    store_outbox_free(rows, n);
    return status;
}

int alert_deliver(store_t *st, const config_t *cfg, const alert_out_t *o, errlist_t *errs,
                  long *delivered, err_t *e)
{
    *delivered = 0;
    int status = deliver_channel(st, ALERT_STDOUT, NULL, o, errs, delivered, e);
    for (size_t i = 0; status >= 0 && i < cfg->n_channels; i++) {
        int rc = deliver_channel(st, cfg->channels[i].id, &cfg->channels[i], o, errs, delivered, e);
        status = rc < 0 ? rc : (rc > status ? rc : status);
    }
    return status;
}

/* alert.c — routing flags into the outbox and delivering it (see alert.h). */
#include "alert/alert.h"

#include <stdlib.h>
#include <string.h>

#include "alert/quiet.h"
#include "alert/silence.h"
#include "alert/template.h"
#include "channel/channel.h"
#include "channel/kind.h"
#include "util/clock.h"
#include "util/json.h"

#define MAX_RETRY_DELAY (24LL * 3600) /* seconds */

static int listed(char *const *list, const char *value)
{
    if (!list)
        return 1;
    for (size_t i = 0; list[i]; i++)
        if (value && strcmp(list[i], value) == 0)
            return 1;
    return 0;
}

static int excluded(char *const *list, const char *value)
{
    return list && listed(list, value);
}

/* The built-in channel "stdout", of the stdout kind: it takes every flag
 * (min_severity below every rank, no lists) and comes before the
 * configured channels, which are otherwise like it. */
static const channel_cfg_t *builtin_stdout(void)
{
    static channel_cfg_t c;
    if (!c.kind)
        c = (channel_cfg_t){.id = ALERT_STDOUT, .kind = channel_kind_find(ALERT_STDOUT),
                            .min_severity = -1, .max_attempts = 10, .retry_after = 60};
    return &c;
}

/* The run's channels: 0 is the built-in one, then the configuration's. */
static size_t channel_count(const config_t *cfg)
{
    return 1 + cfg->n_channels;
}

static const channel_cfg_t *channel_at(const config_t *cfg, size_t i)
{
    return i == 0 ? builtin_stdout() : &cfg->channels[i - 1];
}

static int routes(const channel_cfg_t *c, const store_flag_t *f)
{
    return severity_rank(f->severity) >= c->min_severity && listed(c->rules, f->rule) &&
           listed(c->sources, f->source) && !excluded(c->exclude_rules, f->rule) &&
           !excluded(c->exclude_sources, f->source);
}

/* c's match on f: 1 when it takes the flag. An error in match is kept in
 * cfg->pending_errs for the delivery to report, and the flag is taken:
 * an analyst's mistake never loses an alert. */
static int matches(const config_t *cfg, const channel_cfg_t *c, const store_flag_t *f)
{
    if (c->match_ref <= 0)
        return 1;
    buf_t json = {0};
    err_t e;
    int takes = 1;
    if (template_flag_json(f, &json) != 0)
        err_set(&e, "%s:%d: channel %s: match: out of memory", cfg->path, c->match_line, c->id);
    else if (template_match(cfg, c, buf_str(&json), &takes, &e) == 0) {
        buf_free(&json);
        return takes;
    }
    buf_free(&json);
    if (cfg->pending_errs)
        errlist_add(cfg->pending_errs, "%s (flag %lld queued anyway)", e.msg, f->id);
    return 1;
}

int alert_route(store_t *st, const config_t *cfg, const store_flag_t *f, int queue, err_t *e)
{
    long long silence_id;
    if (silence_match(st, f, &silence_id, e) != 0)
        return -1;
    if (silence_id) /* recorded under its silence, never delivered (silence.h) */
        return silence_mark(st, f->id, silence_id, e);
    if (!queue)
        return 0;
    for (size_t i = 0; i < channel_count(cfg); i++) {
        const channel_cfg_t *c = channel_at(cfg, i);
        if (routes(c, f) && matches(cfg, c, f) && store_outbox_add(st, f->id, c->id, e) != 0)
            return -1;
    }
    return 0;
}

void alert_format_text(FILE *out, const char *severity, const char *rule, const char *source,
                       const char *message)
{
    channel_format_text(out, severity, rule, source, message);
}

static void to_channel_flag(const store_outbox_row_t *r, channel_flag_t *f)
{
    *f = (channel_flag_t){.id = r->flag_id, .json = r->flag_json, .severity = r->severity,
                          .rule = r->rule, .source = r->source, .key = r->key,
                          .message = r->message, .created_at = r->created_at,
                          .title = r->title, .link = r->link, .source_name = r->source_name,
                          .rule_title = r->rule_title, .change = r->change,
                          .observed_at = r->observed_at, .changes = r->changes,
                          .page = r->page};
}

/* c's format applied to the n flags of a message: each text it returns
 * becomes flags[i].text (kept in texts[i]); a table, for a one-flag
 * message of a JSON-posting kind, becomes the body (*body_json). A
 * failure is reported into errs and counted, and the flag keeps the
 * kind's own format. */
static void apply_format(const config_t *cfg, const channel_cfg_t *c, channel_flag_t *flags,
                         size_t n, buf_t *texts, const char **body_json, errlist_t *errs,
                         alert_report_t *rep)
{
    int table_ok = n == 1 && !c->digest && template_table_ok(c);
    for (size_t i = 0; c->format_ref > 0 && i < n; i++) {
        template_result_t what;
        err_t e;
        if (template_format(cfg, c, flags[i].json, table_ok, &texts[i], &what, &e) != 0) {
            errlist_add(errs, "%s (flag %lld sent in the channel's own format)", e.msg,
                        flags[i].id);
            rep->template_errors++;
        } else if (what == TEMPLATE_JSON) {
            *body_json = buf_str(&texts[i]);
        } else {
            flags[i].text = buf_str(&texts[i]);
        }
    }
}

static void free_texts(buf_t *texts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_free(&texts[i]);
}

/* When to try a row again after its attempts-th failure. */
static void next_attempt_at(const channel_cfg_t *c, int attempts, char out[32])
{
    long long delay = c->retry_after > 0 ? c->retry_after : 60;
    for (int i = 1; i < attempts && delay < MAX_RETRY_DELAY; i++)
        delay *= 2;
    if (delay > MAX_RETRY_DELAY)
        delay = MAX_RETRY_DELAY;
    clock_format_iso(clock_now() + delay, out);
}

static int is_due(const store_outbox_row_t *r, const char *now)
{
    return !r->next_attempt || strcmp(r->next_attempt, now) <= 0;
}

/* Record a failed attempt of one row. Returns -1 on a store error. */
static int row_failed(store_t *st, const channel_cfg_t *c, const store_outbox_row_t *r,
                      const char *why, errlist_t *errs, alert_report_t *rep, err_t *e)
{
    int attempts = r->attempts + 1, dead = attempts >= c->max_attempts;
    char next[32];
    next_attempt_at(c, attempts, next);
    if (store_outbox_failed(st, r->id, attempts, why, next, dead, e) != 0)
        return -1;
    if (dead) {
        rep->dead++;
        errlist_add(errs, "channel %s: flag %lld is dead after %d attempts: %s", c->id, r->flag_id,
                    attempts, why);
    } else {
        rep->failed++;
    }
    return 0;
}

/* One message per row, in order; the first failure holds back the rest. */
static int deliver_each(store_t *st, const config_t *cfg, const channel_cfg_t *c,
                        const alert_out_t *o, store_outbox_row_t *rows, size_t n, errlist_t *errs,
                        alert_report_t *rep, err_t *e)
{
    char now[32];
    clock_format_iso(clock_now(), now);
    for (size_t i = 0; i < n; i++) {
        if (!is_due(&rows[i], now)) {
            rep->waiting += (long)(n - i);
            return 0;
        }
        err_t ce;
        channel_flag_t f;
        to_channel_flag(&rows[i], &f);
        channel_msg_t m = {.flags = &f, .n = 1};
        buf_t text = {0};
        apply_format(cfg, c, &f, 1, &text, &m.body_json, errs, rep);
        channel_out_t out = {o->out, o->json};
        int sent = channel_send(c, &m, &out, &ce) == 0;
        buf_free(&text);
        if (sent) {
            if (store_outbox_sent(st, rows[i].id, now, e) != 0)
                return -1;
            rep->delivered++;
            continue;
        }
        errlist_add(errs, "%s", ce.msg);
        if (row_failed(st, c, &rows[i], ce.msg, errs, rep, e) != 0)
            return -1;
        if (rows[i].attempts + 1 < c->max_attempts) { /* still pending: keep the order */
            rep->waiting += (long)(n - i - 1);
            return 1;
        }
    }
    return 0;
}

/* All due rows as one message. */
static int deliver_digest(store_t *st, const config_t *cfg, const channel_cfg_t *c,
                          store_outbox_row_t *rows, size_t n, errlist_t *errs, alert_report_t *rep,
                          err_t *e)
{
    char now[32];
    clock_format_iso(clock_now(), now);
    if (n == 0)
        return 0;
    if (!is_due(&rows[0], now)) {
        rep->waiting += (long)n;
        return 0;
    }
    channel_flag_t *flags = calloc(n, sizeof *flags);
    buf_t *texts = calloc(n, sizeof *texts);
    if (!flags || !texts) {
        free(flags);
        free(texts);
        return err_set(e, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        to_channel_flag(&rows[i], &flags[i]);
    channel_msg_t m = {.flags = flags, .n = n, .digest = 1};
    apply_format(cfg, c, flags, n, texts, &m.body_json, errs, rep);
    err_t ce;
    int sent = channel_send(c, &m, NULL, &ce) == 0;
    free_texts(texts, n);
    free(texts);
    free(flags);
    if (!sent)
        errlist_add(errs, "%s", ce.msg);
    for (size_t i = 0; i < n; i++) {
        int rc = sent ? store_outbox_sent(st, rows[i].id, now, e)
                      : row_failed(st, c, &rows[i], ce.msg, errs, rep, e);
        if (rc != 0)
            return -1;
        rep->delivered += sent;
    }
    return sent ? 0 : 1;
}

/* Whether c is in its quiet hours now: its n pending rows then wait, and
 * the run's notes say until when. */
static int quiet_now(const channel_cfg_t *c, size_t n, const alert_out_t *o, alert_report_t *rep)
{
    vtime_t until;
    if (!c->quiet || !quiet_active(c->quiet, clock_now(), &until))
        return 0;
    rep->waiting += (long)n;
    rep->quiet++;
    if (o->notes && n > 0) {
        char when[96];
        quiet_until_text(c->quiet, until, when);
        errlist_add(o->notes, "channel %s: quiet until %s: %zu alert%s wait%s", c->id, when, n,
                    n == 1 ? "" : "s", n == 1 ? "s" : "");
    }
    return 1;
}

/* With serve { url = … }, each flag links to its page in the web view:
 * the row's page, and "page" in its JSON object. */
static int add_pages(const config_t *cfg, store_outbox_row_t *rows, size_t n)
{
    const char *base = cfg->serve.url;
    size_t blen = base ? strlen(base) : 0;
    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    for (size_t i = 0; blen && i < n; i++) {
        store_outbox_row_t *r = &rows[i];
        size_t jlen = strlen(r->flag_json);
        buf_t page = {0}, json = {0};
        int rc = buf_printf(&page, "%.*s/flags/%lld", (int)blen, base, r->flag_id);
        rc |= buf_append(&json, r->flag_json, jlen ? jlen - 1 : 0); /* without its '}' */
        rc |= buf_puts(&json, ",\"page\":") | json_put_string(&json, page.p, page.len);
        rc |= buf_putc(&json, '}');
        if (rc != 0) {
            buf_free(&page);
            buf_free(&json);
            return -1;
        }
        free(r->flag_json);
        r->flag_json = buf_steal(&json);
        r->page = buf_steal(&page);
    }
    return 0;
}

static int deliver_pending(store_t *st, const config_t *cfg, const channel_cfg_t *c,
                           const alert_out_t *o, errlist_t *errs, alert_report_t *rep, err_t *e)
{
    store_outbox_row_t *rows;
    size_t n;
    if (store_outbox_pending(st, c->id, &rows, &n, e) != 0)
        return -1;
    if (add_pages(cfg, rows, n) != 0) {
        store_outbox_free(rows, n);
        return err_set(e, "out of memory");
    }
    int status = 0; /* in quiet hours, the rows wait for the window's end */
    if (!quiet_now(c, n, o, rep))
        status = c->digest && !c->kind->one_by_one
                     ? deliver_digest(st, cfg, c, rows, n, errs, rep, e)
                     : deliver_each(st, cfg, c, o, rows, n, errs, rep, e);
    store_outbox_free(rows, n);
    return status;
}

/* The channel's outbox, delivered while holding its lock: on a shared
 * store one run at a time delivers it, in flag order (store.h). */
static int deliver_channel(store_t *st, const config_t *cfg, const channel_cfg_t *c,
                           const alert_out_t *o, errlist_t *errs, alert_report_t *rep, err_t *e)
{
    if (store_channel_lock(st, c->id, e) != 0)
        return -1;
    int status = deliver_pending(st, cfg, c, o, errs, rep, e);
    store_channel_unlock(st, c->id);
    return status;
}

int alert_deliver(store_t *st, const config_t *cfg, const alert_out_t *o, errlist_t *errs,
                  alert_report_t *rep, err_t *e)
{
    *rep = (alert_report_t){0};
    int status = 0;
    for (size_t i = 0; cfg->pending_errs && i < cfg->pending_errs->len; i++) {
        errlist_add(errs, "%s", cfg->pending_errs->msgs[i]);
        rep->template_errors++;
    }
    if (cfg->pending_errs)
        errlist_free(cfg->pending_errs);
    for (size_t i = 0; status >= 0 && i < channel_count(cfg); i++) {
        int rc = deliver_channel(st, cfg, channel_at(cfg, i), o, errs, rep, e);
        status = rc < 0 ? rc : (rc > status ? rc : status);
    }
    if (status == 0 && (rep->dead > 0 || rep->template_errors > 0))
        status = 1;
    return status;
}

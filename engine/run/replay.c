/* replay.c — a rule over stored history (see replay.h). */
#include "run/replay.h"

#include <string.h>

#include "alert/alert.h"
#include "util/buf.h"
#include "util/json.h"
#include "rules/rules.h"
#include "util/exitcode.h"
#include "store/store.h"

#define PAGE 500

typedef struct replay {
    const replay_opts_t *o;
    const store_event_t *ev;    /* the event being evaluated */
    long flags;
} replay_t;

static int print_flag(void *ud, const rules_flag_t *f)
{
    const char *rule = f->rule, *severity = f->severity, *message = f->message;
    replay_t *rp = ud;
    const store_event_t *ev = rp->ev;
    rp->flags++;
    if (!rp->o->json) {
        alert_format_text(rp->o->out, severity, rule, ev->source, message);
        return 0;
    }
    buf_t b = {0};
    buf_puts(&b, "{\"rule\":");
    json_put_string(&b, rule, strlen(rule));
    buf_puts(&b, ",\"severity\":");
    json_put_string(&b, severity, strlen(severity));
    buf_puts(&b, ",\"message\":");
    json_put_string(&b, message, strlen(message));
    buf_puts(&b, ",\"source\":");
    json_put_string(&b, ev->source, strlen(ev->source));
    buf_puts(&b, ",\"key\":");
    json_put_string(&b, ev->key, strlen(ev->key));
    buf_puts(&b, ",\"change\":");
    json_put_string(&b, ev->change, strlen(ev->change));
    buf_printf(&b, ",\"event_id\":%lld,\"observed_at\":", ev->id);
    json_put_string(&b, ev->observed_at, strlen(ev->observed_at));
    buf_puts(&b, "}");
    fprintf(rp->o->out, "%s\n", buf_str(&b));
    buf_free(&b);
    return 0;
}

/* Evaluate one page of events; returns the last id, or -1 on a store error. */
static long long replay_page(rules_t *rules, replay_t *rp, store_event_t *evs, size_t n,
                             errlist_t *errs, err_t *e)
{
    long long last = 0;
    for (size_t i = 0; i < n; i++) {
        rp->ev = &evs[i];
        if (rules_eval(rules, &evs[i], print_flag, rp, errs, e) < 0)
            return -1;
        last = evs[i].id;
    }
    return last;
}

static int replay_events(store_t *st, rules_t *rules, replay_t *rp, errlist_t *errs, err_t *e)
{
    store_range_t range = {.since = rp->o->since, .until = rp->o->until};
    while (!range.done) {
        store_event_t *evs;
        size_t n;
        if (store_events_range(st, &range, PAGE, &evs, &n, e) != 0)
            return -1;
        long long last = replay_page(rules, rp, evs, n, errs, e);
        store_events_free(evs, n);
        if (last < 0)
            return -1;
    }
    return 0;
}

static void print_errors(FILE *err, const errlist_t *errs, int verbose)
{
    for (size_t i = 0; i < errs->len; i++) {
        const char *m = errs->msgs[i];
        const char *nl = verbose ? NULL : strchr(m, '\n');
        fprintf(err, "vane: %.*s\n", nl ? (int)(nl - m) : (int)strlen(m), m);
    }
}

int replay_main(const config_t *cfg, const char *db_path, const replay_opts_t *o)
{
    errlist_t errs = {0};
    err_t e;
    int code = VANE_EXIT_OK;
    rules_t *rules = rules_load(cfg, &errs, &e);
    store_t *st = NULL;
    if (!rules) {
        errlist_add(&errs, "%s", e.msg);
        code = VANE_EXIT_FAILED;
    } else if (rules_only(rules, o->rule) != 0) {
        fprintf(o->err, "vane: replay: no rule '%s' in the rule folders\n", o->rule);
        code = VANE_EXIT_USAGE;
    } else if (!(st = store_open(db_path, &e))) {
        errlist_add(&errs, "%s", e.msg);
        code = VANE_EXIT_FAILED;
    } else {
        rules_attach_store(rules, st);
        replay_t rp = {o, NULL, 0};
        size_t before = errs.len;
        if (replay_events(st, rules, &rp, &errs, &e) != 0) {
            errlist_add(&errs, "%s", e.msg);
            code = VANE_EXIT_FAILED;
        } else if (errs.len > before) {
            code = VANE_EXIT_FAILED;
        }
        rules_attach_store(rules, NULL);
        if (!o->json)
            fprintf(o->err, "vane: replay of %s: %ld flag%s\n", o->rule, rp.flags, rp.flags == 1 ? "" : "s");
    }
    print_errors(o->err, &errs, o->verbose);
    rules_free(rules);
    store_close(st);
    errlist_free(&errs);
    return code;
}

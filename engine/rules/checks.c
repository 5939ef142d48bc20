/* checks.c — episodes and re-alerts of the rules' checks (see checks.h). */
#include "rules/checks.h"

#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "util/buf.h"
#include "util/clock.h"

typedef struct checks {
    const checks_opts_t *o;
    long flags;
} checks_t;

int checks_decide(int has_state, int active, const char *last_flagged, const char *now,
                  long long realert)
{
    vtime_t last, t;
    if (!has_state || !active)
        return CHECK_NEW_EPISODE;
    if (realert < 0 || clock_parse_iso(last_flagged, &last) != 0 || clock_parse_iso(now, &t) != 0)
        return CHECK_QUIET;
    return t - last >= realert ? CHECK_REALERT : CHECK_QUIET;
}

/* What the stored state of (rule, key) calls for. */
static int decide(checks_t *c, const char *rule, const rules_check_flag_t *f, long long realert,
                  int *what, err_t *e)
{
    store_check_state_t state;
    if (store_check_get(c->o->st, rule, f->key, &state, e) != 0)
        return -1;
    *what = checks_decide(state.found, state.active, state.last_flagged_at, c->o->now, realert);
    free(state.last_flagged_at);
    return 0;
}

/* Store the flag, mark the state, route the flag: all in the caller's
 * transaction. */
static int raise_flag(checks_t *c, const rules_check_result_t *res, const rules_check_flag_t *f,
                      int new_episode, err_t *e)
{
    const checks_opts_t *o = c->o;
    const char *rule = res->rule;
    buf_t dedup = {0};
    buf_printf(&dedup, "%s\x1f" "check\x1f%s\x1f%s", rule, f->key, o->now);
    store_flag_t flag = {.run_id = o->run_id, .rule = rule, .severity = f->severity,
                         .message = f->message, .source = f->source, .key = f->key,
                         .observed_at = o->now, .created_at = o->now, .dedup = buf_str(&dedup),
                         .title = f->title, .link = f->link, .rule_title = res->rule_title,
                         .source_name = config_source_name(o->cfg, f->source)};
    int inserted = 0;
    int rc = store_flag_add(o->st, &flag, &inserted, e);
    if (rc == 0)
        rc = store_check_flagged(o->st, rule, f->key, o->now, new_episode, e);
    if (rc == 0 && inserted) {
        c->flags++;
        rc = alert_route(o->st, o->cfg, &flag, !o->no_alerts, e);
    }
    buf_free(&dedup);
    return rc;
}

static int returned(const rules_check_result_t *res, const char *key)
{
    for (size_t i = 0; i < res->n; i++)
        if (strcmp(res->flags[i].key, key) == 0)
            return 1;
    return 0;
}

/* The rule's active keys that its check left out, NUL-separated: ending
 * them while reading would disturb the read. */
typedef struct left_out {
    const rules_check_result_t *res;
    buf_t keys;
    size_t n;
    int out_of_memory;
} left_out_t;

static int collect_left_out(void *ud, const char *key)
{
    left_out_t *l = ud;
    if (returned(l->res, key))
        return 0;
    l->n++;
    return l->out_of_memory = buf_append(&l->keys, key, strlen(key) + 1) != 0;
}

/* End the episodes of the rule's active keys that the check left out. */
static int end_episodes(checks_t *c, const rules_check_result_t *res, err_t *e)
{
    left_out_t l = {.res = res};
    int rc = store_check_active(c->o->st, res->rule, collect_left_out, &l, e);
    if (rc == 0 && l.out_of_memory)
        rc = err_set(e, "ending a check's episode: out of memory");
    const char *key = l.keys.p;
    for (size_t i = 0; i < l.n && rc == 0; i++, key += strlen(key) + 1)
        rc = store_check_end(c->o->st, res->rule, key, e);
    buf_free(&l.keys);
    return rc;
}

static int on_result(void *ud, const rules_check_result_t *res, err_t *e)
{
    checks_t *c = ud;
    for (size_t i = 0; i < res->n; i++) {
        int what;
        if (decide(c, res->rule, &res->flags[i], res->realert, &what, e) != 0)
            return -1;
        if (what != CHECK_QUIET &&
            raise_flag(c, res, &res->flags[i], what == CHECK_NEW_EPISODE, e) != 0)
            return -1;
    }
    return end_episodes(c, res, e);
}

int checks_run(rules_t *rules, const checks_opts_t *o, errlist_t *errs, long *flags, err_t *e)
{
    checks_t c = {.o = o};
    *flags = 0;
    int rc = rules_check(rules, o->now, o->run_id, on_result, &c, errs, e);
    *flags = c.flags;
    return rc;
}

int checks_known_none(store_t *st, const char *fingerprint, int *none, err_t *e)
{
    int known, has_checks;
    *none = 0;
    if (store_check_rules_get(st, fingerprint, &known, &has_checks, e) != 0)
        return -1;
    *none = known && !has_checks;
    return 0;
}

int checks_remember(store_t *st, const char *fingerprint, int has_checks, err_t *e)
{
    return store_check_rules_put(st, fingerprint, has_checks, e);
}

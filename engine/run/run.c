/* run.c — one monitoring run, step by step (see run.h and docs/design.md,
 * "The pipeline"). Errors of single sources, rules and channels are
 * collected and printed here, at the top; the run goes on without them. */
#include "run/run.h"

#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "alert/alert.h"
#include "alert/context.h"
#include "util/buf.h"
#include "fetch/charset.h"
#include "rules/checks.h"
#include "util/clock.h"
#include "diff/diff.h"
#include "extract/extract.h"
#include "fetch/fetch.h"
#include "util/json.h"
#include "util/termtext.h"
#include "run/definition.h"
#include "run/follow.h"
#include "run/lock.h"
#include "metrics/metrics.h"
#include "run/reextract.h"
#include "rules/rules.h"
#include "util/sha256.h"
#include "store/store.h"

#define EVENT_BATCH 256
#define RETRY_BATCH 1000
#define RETRY_MAX_TRIES 5   /* evaluations of a pair that failed on a limit */
#define MAX_RECORDED_WARNINGS 200 /* per run, in runs.warnings; the rest are counted */

typedef struct source_run {
    const source_cfg_t *cfg;
    source_state_t state;
    int script_ok;
    /* a source whose items name detail pages waits for them (read_pages) */
    follow_t *follow;
    diff_item_t *items;
    size_t n_items;
    fetch_res_t kept;        /* what store_document needs of its response */
    char hash[65];
    int partial;   /* the script said its list is one page (no removals) */
    buf_t definition;  /* its fingerprint now (run/definition.h) */
    buf_t redefined;   /* the parts changed since its items were extracted, or empty */
    buf_t why_empty;   /* the warnings of its extraction, for source-empty */
} source_run_t;

typedef struct run {
    const config_t *cfg;
    const run_opts_t *o;
    store_t *st;
    extract_t *x;
    rules_t *rules;
    long long run_id;
    char now[32];
    source_run_t *due;
    size_t n_due;
    size_t not_taken;             /* due here, but claimed by a run beside this one */
    errlist_t errs, warns;
    size_t finished;              /* sources whose fetch has ended, for the progress line */
    int progress;                 /* show a progress line (a terminal, not -q) */
    struct timespec shown;        /* when the progress line was last drawn */
    long fetched, unchanged, failed, events, flags, delivered, dead;
    int rule_errors, channel_errors;
    int rules_unloaded;           /* a rule file did not load: nothing evaluated, exit 2 */
    const store_event_t *ev;      /* the event the rules are on (their failures) */
    errlist_t notes;              /* what the retries did, always said */
    int unchanged_open;           /* the unchanged sources' transaction is open */
    char rules_fp[65];            /* rules_fingerprint, once taken (rules_print) */
} run_t;

/* The rule files' fingerprint (rules.h), taken once a run. */
static const char *rules_print(run_t *r)
{
    if (!r->rules_fp[0])
        rules_fingerprint(r->cfg, r->rules_fp);
    return r->rules_fp;
}

/* ---- transactions: the whole run is one, rolled back, with --dry-run ------ */

static int txn_begin(run_t *r, err_t *e)
{
    return r->o->dry_run ? 0 : store_begin(r->st, e);
}

static int txn_commit(run_t *r, err_t *e)
{
    return r->o->dry_run ? 0 : store_commit(r->st, e);
}

static void txn_rollback(run_t *r)
{
    if (!r->o->dry_run)
        store_rollback(r->st);
}

/* ---- step 2: load ---------------------------------------------------------- */

/* The configuration is loaded by the caller. Scripts and rules are loaded
 * when first needed, so a run with nothing due and nothing pending (cron
 * calling every minute) costs only the store's start-up. */
static int load(run_t *r, const char *db_path, err_t *e)
{
    r->st = store_open(db_path, e);
    if (!r->st)
        return -1;
    return r->o->dry_run ? store_begin(r->st, e) : 0;
}

/* ---- step 2b: the configuration's references -------------------------------- */

/* The cross-reference check: 0 when it passed (*complete when every
 * reference could be checked), 1 when the configuration is refused (its
 * problems printed, as a command's). */
static int check_references(const run_t *r, int *complete)
{
    errlist_t errs = {0};
    size_t n = r->o->check_references(r->cfg, &errs, complete);
    for (size_t i = 0; i < errs.len; i++)
        fprintf(r->o->err, "vane: %s\n", errs.msgs[i]);
    errlist_free(&errs);
    return n > 0;
}

/* Remember a passing check that could check every reference, by the
 * fingerprint of what it read. */
static int remember_checked(run_t *r, const char *fp, int complete, err_t *e)
{
    char mine[65];
    if (!complete)
        return 0;
    if (!fp)
        r->o->references_fingerprint(r->cfg, rules_print(r), mine);
    return store_config_checked_put(r->st, fp ? fp : mine, e);
}

/* Check the references unless they passed on this very fingerprint (it
 * loads every rule and script: a run with nothing due would load them for
 * nothing). 0 to go on, 1 when refused, -1 on a store error. */
static int vet(run_t *r, err_t *e)
{
    char fp[65];
    int known = 0, complete = 0;
    r->o->references_fingerprint(r->cfg, rules_print(r), fp);
    if (store_config_checked_get(r->st, fp, &known, e) != 0)
        return -1;
    if (known)
        return 0;
    if (check_references(r, &complete))
        return 1;
    return remember_checked(r, fp, complete, e);
}

/* Open the store, refusing a configuration whose references are wrong
 * before the run starts; a new database is made only for a configuration
 * that passed. 0, 1 when refused, -1 on error. */
static int open_checked(run_t *r, const char *db_path, err_t *e)
{
    int fresh = !store_is_server(db_path) && access(db_path, F_OK) != 0, complete = 0;
    if (!r->o->check_references)
        return load(r, db_path, e);
    if (fresh && check_references(r, &complete))
        return 1;
    if (load(r, db_path, e) != 0)
        return -1;
    return fresh ? remember_checked(r, NULL, complete, e) : vet(r, e);
}

static int load_scripts(run_t *r, err_t *e)
{
    if (!r->x)
        r->x = extract_new(r->cfg, e);
    return r->x ? 0 : -1;
}

/* A rule did not finish on the event r->ev: keep the pair for a retry. */
static int on_rule_failed(void *ud, const char *rule, const char *fingerprint, const char *kind,
                          const char *message)
{
    run_t *r = ud;
    store_retry_t rt = {(char *)rule, r->ev->id, (char *)kind, 0, (char *)fingerprint,
                        (char *)message};
    err_t e;
    if (store_retry_failed(r->st, &rt, r->now, &e) != 0) {
        errlist_add(&r->errs, "%s", e.msg);
        return -1;
    }
    return 0;
}

static int load_rules(run_t *r, err_t *e)
{
    if (r->rules)
        return 0;
    size_t before = r->errs.len;
    r->rules = rules_load(r->cfg, &r->errs, e);
    if (!r->rules)
        return -1;
    rules_attach_store(r->rules, r->st);
    rules_limit_flags(r->rules);
    rules_on_failure(r->rules, on_rule_failed, r);
    r->rule_errors += r->errs.len > before;
    if (rules_load_errors(r->rules) > 0 && !r->rules_unloaded) {
        r->rules_unloaded = 1;
        errlist_add(&r->errs, "the rules did not all load: no event was evaluated and no check "
                    "run; the events stay pending until the rule files are fixed");
    }
    return 0;
}

/* ---- step 3: choose the due sources -------------------------------------- */

static int wanted(const run_t *r, const source_cfg_t *s, const char *next_due)
{
    if (r->o->n_only) {
        for (size_t i = 0; i < r->o->n_only; i++)
            if (strcmp(r->o->only[i], s->id) == 0)
                return 1;
        return 0;
    }
    return r->o->all || !next_due || strcmp(next_due, r->now) <= 0;
}

/* The source's definition now, and what changed since its items were
 * extracted: an edit takes effect at once (run/definition.h). */
static int note_definition(run_t *r, source_run_t *d, err_t *e)
{
    const char *text = NULL;
    size_t len = 0;
    extract_script_text(r->x, d->cfg->script, &text, &len);
    if (definition_fingerprint(d->cfg, text, len, &d->definition) != 0)
        return err_set(e, "out of memory");
    if (d->state.baselined)
        definition_changes(d->state.definition, buf_str(&d->definition), &d->redefined);
    return 0;
}

/* Which stored sources are due (store_sources_read's question). */
typedef struct choosing {
    const run_t *r;
    unsigned char *due;
} choosing_t;

static int want_due(void *ud, size_t i, const char *next_due)
{
    choosing_t *c = ud;
    c->due[i] = (unsigned char)wanted(c->r, &c->r->cfg->sources[i], next_due);
    return c->due[i];
}

/* The state of the due sources among the configured ones (due[i] and
 * states[i] for the configuration's source i), in one read of the sources
 * table. Rows are written only for new sources and changed urls, in one
 * transaction: a thousand sources must not cost a thousand statements, let
 * alone commits. */
static int read_states(run_t *r, source_state_t *states, unsigned char *due, err_t *e)
{
    size_t n = r->cfg->n_sources, stale = 0;
    const char **ids = calloc(n + 1, sizeof *ids), **urls = calloc(n + 1, sizeof *urls);
    unsigned char *known = calloc(n + 1, 1);
    choosing_t c = {r, due};
    int rc = ids && urls && known ? 0 : err_set(e, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ids[i] = r->cfg->sources[i].id;
        urls[i] = r->cfg->sources[i].url_shown;
    }
    if (rc == 0)
        rc = store_sources_read(r->st, ids, urls, n, want_due, &c, states, known, e);
    for (size_t i = 0; rc == 0 && i < n; i++)
        stale += !known[i];
    if (rc == 0 && stale)
        rc = txn_begin(r, e);
    for (size_t i = 0; rc == 0 && stale && i < n; i++) {
        if (known[i])
            continue;
        rc = store_source_get(r->st, ids[i], urls[i], &states[i], e);
        due[i] = rc == 0 && wanted(r, &r->cfg->sources[i], states[i].next_due);
    }
    if (stale && rc == 0)
        rc = txn_commit(r, e);
    free(ids);
    free(urls);
    free(known);
    return rc;
}

/* Take the due source s, whose state moves from *st into r->due. */
static int add_due(run_t *r, const source_cfg_t *s, source_state_t *st, err_t *e)
{
    source_run_t *d = &r->due[r->n_due];
    d->cfg = s;
    d->state = *st;
    *st = (source_state_t){0};
    r->n_due++;
    if (load_scripts(r, e) != 0)
        return -1;
    err_t se;
    d->script_ok = extract_prepare(r->x, s->script, &se) == 0;
    if (!d->script_ok)
        errlist_add(&r->errs, "source %s: %s", s->id, se.msg);
    return d->script_ok ? note_definition(r, d, e) : 0;
}

static int choose_due(run_t *r, err_t *e)
{
    size_t n = r->cfg->n_sources;
    source_state_t *states = calloc(n + 1, sizeof *states);
    unsigned char *due = calloc(n + 1, 1);
    r->due = calloc(n + 1, sizeof *r->due);
    int rc = states && due && r->due ? read_states(r, states, due, e)
                                     : err_set(e, "out of memory");
    for (size_t i = 0; i < n && states && due; i++) {
        if (rc == 0 && due[i])
            rc = add_due(r, &r->cfg->sources[i], &states[i], e);
        source_state_free(&states[i]);
    }
    free(states);
    free(due);
    return rc;
}

/* ---- steps 4 and 5: extract, diff, store ---------------------------------- */

static void next_due(const source_run_t *d, int ok, char out[32])
{
    long long wait = d->cfg->every;
    if (!ok) {
        int n = d->state.failures + 1;
        long long cap = 24 * d->cfg->every;
        for (int i = 0; i < n && wait < cap; i++)
            wait *= 2;
        if (wait > cap)
            wait = cap;
    }
    clock_format_iso(clock_now() + wait, out);
}

/* The source's URL as a flag's link, unless it holds a secret. */
static const char *public_link(const source_cfg_t *s)
{
    int secret = !s->url_shown || strcmp(s->url, s->url_shown) != 0;
    return !secret && flag_context_is_link(s->url) ? s->url : NULL;
}

/* Raise a built-in flag about a source's health (source-failing,
 * source-empty, source-reshaped) inside the caller's transaction, and set
 * the marker that keeps it to once per episode. */
static int health_flag(run_t *r, const source_run_t *d, const char *rule, const char *severity,
                       const char *marker, const char *message, err_t *e)
{
    /* The marker, set in the same transaction, keeps this to once per
     * episode; the key only has to be unique, and a source is flagged at
     * most once per run (the clock may stand still under --now). */
    buf_t dedup = {0};
    buf_printf(&dedup, "%s\x1f%s\x1frun %lld", rule, d->cfg->id, r->run_id);
    store_flag_t f = {.run_id = r->run_id, .rule = rule, .severity = severity, .message = message,
                      .source = d->cfg->id, .observed_at = r->now, .created_at = r->now,
                      .dedup = buf_str(&dedup), .source_name = config_source_name(r->cfg, d->cfg->id),
                      .link = public_link(d->cfg)};
    int inserted = 0;
    int rc = store_flag_add(r->st, &f, &inserted, e);
    if (rc == 0 && inserted) {
        r->flags++;
        rc = alert_route(r->st, r->cfg, &f, !r->o->no_alerts, e);
    }
    if (rc == 0)
        rc = store_source_mark(r->st, d->cfg->id, marker, 1, e);
    buf_free(&dedup);
    return rc;
}

/* After this failure, has the source failed often enough to be flagged? */
static int maybe_flag_failing(run_t *r, const source_run_t *d, const char *why, err_t *e)
{
    int failures = d->state.failures + 1;
    if (failures < r->cfg->failing_after || d->state.failing_flagged)
        return 0;
    buf_t msg = {0};
    int first_line = (int)strcspn(why, "\n"); /* a script's traceback stays in the run's errors */
    buf_printf(&msg, "source %s has failed %d runs in a row: %.*s", d->cfg->id, failures, first_line,
               why);
    int rc = health_flag(r, d, "source-failing", "high", "failing_flagged", buf_str(&msg), e);
    buf_free(&msg);
    return rc;
}

/* What source-empty says of a source that yielded no items: why, as its
 * script's warnings tell (a selector or path that matched nothing). */
static void empty_message(const source_run_t *d, buf_t *msg)
{
    if (!d->state.baselined)
        buf_printf(msg, "source %s yielded no items at its first fetch", d->cfg->id);
    else if (d->redefined.len)
        buf_printf(msg, "source %s yielded no items with its new definition (%s)", d->cfg->id,
                   buf_str(&d->redefined));
    else
        buf_printf(msg, "source %s yielded no items (it had %ld)", d->cfg->id, d->state.items);
    if (d->why_empty.len)
        buf_printf(msg, ": %s", buf_str(&d->why_empty));
    else
        buf_printf(msg, "; its page or its script may have changed (vane preview %s shows what "
                   "the script extracts)", d->cfg->id);
}

/* A source that yielded no items: a new source or an edit whose script
 * matches nothing, or a redesigned page that broke its script, most
 * likely. Once per episode: until the source yields items again. A source
 * whose items were all removed one by one is not this: its last list had
 * items. */
static int maybe_flag_empty(run_t *r, const source_run_t *d, size_t n, err_t *e)
{
    int had_items = d->state.items > 0 || !d->state.baselined || d->redefined.len;
    if (n > 0 || !had_items || d->state.empty_flagged)
        return 0;
    buf_t msg = {0};
    empty_message(d, &msg);
    int rc = health_flag(r, d, "source-empty", "medium", "empty_flagged", buf_str(&msg), e);
    buf_free(&msg);
    return rc;
}

/* ---- the unchanged sources' health: one transaction ------------------------ */

/* Commit the unchanged sources' health updates recorded so far. Called
 * before anything else is written (a changed document, a failure) and at
 * the end of the fetch, so a killed run loses at most the last_success
 * stamps of some unchanged sources, never an event or a flag. */
static void unchanged_flush(run_t *r)
{
    err_t e;
    if (!r->unchanged_open)
        return;
    r->unchanged_open = 0;
    if (txn_commit(r, &e) != 0) {
        txn_rollback(r);
        errlist_add(&r->errs, "recording the unchanged sources: %s", e.msg);
    }
}

/* A source whose document did not change: only its health is recorded,
 * in the transaction all unchanged sources share until the next flush. */
static void source_unchanged(run_t *r, source_run_t *d, const fetch_res_t *res)
{
    char due[32];
    err_t e;
    next_due(d, 1, due);
    source_outcome_t o = {.attempted_at = r->now, .ok = 1, .status = res->status,
                          .etag = res->etag, .last_modified = res->last_modified, .items = -1,
                          .next_due = due, .definition = buf_str(&d->definition)};
    r->unchanged++;
    if (!r->unchanged_open && txn_begin(r, &e) != 0) {
        errlist_add(&r->errs, "source %s: %s", d->cfg->id, e.msg);
        return;
    }
    r->unchanged_open = 1;
    if (store_source_record(r->st, d->cfg->id, &o, &e) != 0)
        errlist_add(&r->errs, "source %s: %s", d->cfg->id, e.msg);
}

/* Record a failed attempt (its own small transaction). */
static void source_failed(run_t *r, source_run_t *d, long status, const char *why)
{
    char due[32];
    err_t e;
    unchanged_flush(r);
    next_due(d, 0, due);
    source_outcome_t o = {.attempted_at = r->now, .status = status, .error = why, .items = -1,
                          .next_due = due};
    errlist_add(&r->errs, "source %s: %s", d->cfg->id, why);
    r->failed++;
    if (txn_begin(r, &e) != 0 || store_source_record(r->st, d->cfg->id, &o, &e) != 0 ||
        maybe_flag_failing(r, d, why, &e) != 0 || txn_commit(r, &e) != 0) {
        txn_rollback(r);
        errlist_add(&r->errs, "source %s: %s", d->cfg->id, e.msg);
    }
}

/* A fetch that reshaped the source (diff/reshape.h): one source-reshaped
 * flag per episode. The episode starts with the fetch that reshaped it and
 * ends with the first later fetch that does not; a fetch that reshapes it
 * again within the episode (a list that turns over wholesale every time,
 * not a redesign) is stored as news as usual and raises no second flag. */
static int maybe_flag_reshaped(run_t *r, const source_run_t *d, const diff_result_t *dr, err_t *e)
{
    if (!dr->reshaped)
        return d->state.reshaped_flagged
                   ? store_source_mark(r->st, d->cfg->id, "reshaped_flagged", 0, e)
                   : 0;
    if (d->state.reshaped_flagged)
        return 0;
    buf_t msg = {0};
    int rc = reshape_message(&dr->reshape, d->cfg->id, &msg) == 0
                 ? health_flag(r, d, "source-reshaped", "high", "reshaped_flagged", buf_str(&msg), e)
                 : err_set(e, "out of memory");
    buf_free(&msg);
    return rc;
}

/* The line a re-extraction for a new definition leaves in the run's output
 * and its record. */
static void note_redefined(run_t *r, const source_run_t *d, size_t n, long events)
{
    if (n > 0)
        errlist_add(&r->notes, "source %s: definition changed (%s): re-extracted, %ld item%s "
                    "changed", d->cfg->id, buf_str(&d->redefined), events, events == 1 ? "" : "s");
    else
        errlist_add(&r->notes, "source %s: definition changed (%s): re-extracted, no items; "
                    "the stored ones are kept until it yields some", d->cfg->id,
                    buf_str(&d->redefined));
    errlist_add(&r->warns, "%s", r->notes.msgs[r->notes.len - 1]); /* kept with the run */
}

/* Diff the items against the stored state and store everything, the
 * document and the source's health in one transaction. An empty list is a
 * broken page far more often than news: it is not diffed, so nothing is
 * marked removed or absent (source-empty says so). */
/* Where diff_store records the source: a first fetch and the first under a
 * new definition are a baseline. */
static diff_target_t target_of(const run_t *r, const source_run_t *d)
{
    return (diff_target_t){r->st, d->cfg->id, r->run_id,
                           !d->state.baselined || d->redefined.len > 0, r->now,
                           {(const char *const *)d->cfg->ignore, d->cfg->n_ignore,
                            d->cfg->removals && !d->partial},
                           !d->state.reshaped_flagged};
}

/* The source's state after a stored extraction of n items. Its definition
 * is recorded unless a new one gave nothing (the stored items, from the
 * old one, wait for the re-baseline). */
static source_outcome_t outcome_of(const run_t *r, const source_run_t *d, const fetch_res_t *res,
                                   const char *hash, size_t n, const char *due)
{
    int keep = n > 0 || !d->redefined.len;
    return (source_outcome_t){.attempted_at = r->now, .ok = 1, .status = res->status,
                              .etag = res->etag, .last_modified = res->last_modified,
                              .body_hash = hash, .items = (long)n, .baselined = n > 0,
                              .next_due = due,
                              .definition = keep ? buf_str(&d->definition) : NULL};
}

static int store_document(run_t *r, source_run_t *d, const fetch_res_t *res, const char *hash,
                          diff_item_t *items, size_t n, err_t *e)
{
    char due[32];
    unchanged_flush(r);
    next_due(d, 1, due);
    diff_target_t t = target_of(r, d);
    if (n == 0 && t.opts.removals)
        errlist_add(&r->warns, "source %s: no items; removals skipped this time", d->cfg->id);
    source_outcome_t o = outcome_of(r, d, res, hash, n, due);
    diff_result_t dr = {0};
    int rc = txn_begin(r, e);
    if (rc == 0)
        rc = follow_settle(d->follow, r->st, r->now, e);
    if (rc == 0 && n > 0)
        rc = diff_store(&t, items, n, &dr, e);
    if (rc == 0)
        rc = store_document_add(r->st, r->run_id, d->cfg->id, r->now, res->status, hash, res->etag,
                                res->last_modified, (long long)res->body.len, e);
    if (rc == 0)
        rc = reextract_keep(r->st, r->cfg, d->cfg, r->run_id, r->now, res, e);
    if (rc == 0)
        rc = store_source_record(r->st, d->cfg->id, &o, e);
    if (rc == 0)
        rc = follow_finish(d->follow, r->st, e);
    if (rc == 0)
        rc = maybe_flag_empty(r, d, n, e);
    if (rc == 0)
        rc = maybe_flag_reshaped(r, d, &dr, e);
    if (rc == 0)
        rc = txn_commit(r, e);
    if (rc != 0)
        txn_rollback(r);
    else
        r->events += dr.events;
    if (rc == 0 && d->redefined.len)
        note_redefined(r, d, n, dr.events);
    return rc;
}

/* The fetcher's callback: steps 4 and 5 for one finished transfer. */
/* Redraw the progress line at most ten times a second. */
static void show_progress(run_t *r)
{
    if (!r->progress)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - r->shown.tv_sec) * 1000 + (now.tv_nsec - r->shown.tv_nsec) / 1000000;
    if (ms < 100 && r->finished < r->n_due)
        return;
    r->shown = now;
    fprintf(r->o->err, "\rvane: fetched %zu/%zu, %ld failed ", r->finished, r->n_due, r->failed);
}

static void process(run_t *r, source_run_t *d, const fetch_req_t *req, fetch_res_t *res);

static void on_fetched(void *ud, const fetch_req_t *req, fetch_res_t *res)
{
    run_t *r = ud;
    r->finished++;
    process(r, req->ud, req, res);
    show_progress(r);
}

/* The body as UTF-8 in text (the script's doc.body), its charset label in
 * charset; undecodable bytes and unknown labels become warnings. */
static int decode_body(run_t *r, source_run_t *d, const fetch_res_t *res, buf_t *text,
                       char *charset, size_t n, err_t *e)
{
    char ctype[256];
    const char *body = res->body.p ? res->body.p : "";
    charset_detect(body, res->body.len, charset_header(buf_str(&res->headers), ctype, sizeof ctype),
                   charset, n, NULL);
    charset_report_t rep;
    if (charset_to_utf8(body, res->body.len, charset, text, &rep, e) != 0) {
        buf_free(text);
        return -1;
    }
    if (rep.warning[0])
        errlist_add(&r->warns, "source %s: %s", d->cfg->id, rep.warning);
    if (rep.replaced)
        errlist_add(&r->warns, "source %s: invalid %s bytes on line %d (%zu replaced with U+FFFD)",
                    d->cfg->id, charset, rep.first_line, rep.replaced);
    return 0;
}

/* ---- detail pages: read after the first round, then the source is stored -- */

/* A source whose items name pages to read is kept, with its items and what
 * store_document needs of its response, until read_pages. Returns 1 when
 * kept (or failed), 0 when it is to be stored now. */
static int wants_pages(run_t *r, source_run_t *d, fetch_res_t *res, const char *hash,
                       diff_item_t *items, size_t n)
{
    err_t e;
    if (follow_plan(&d->follow, r->st, r->x, d->cfg, items, n, &r->warns, &e) != 0) {
        source_failed(r, d, res->status, e.msg);
        extract_items_free(items, n);
        return 1;
    }
    if (!d->follow)
        return 0;
    r->fetched++;
    d->items = items;
    d->n_items = n;
    memcpy(d->hash, hash, sizeof d->hash);
    d->kept = (fetch_res_t){.status = res->status, .etag = res->etag,
                            .last_modified = res->last_modified};
    d->kept.body.len = res->body.len; /* its size is recorded; its bytes are not needed */
    res->etag = res->last_modified = NULL; /* taken: res is freed after the callback */
    return 1;
}

static void release_kept(source_run_t *d)
{
    follow_free(d->follow);
    extract_items_free(d->items, d->n_items);
    free(d->kept.etag);
    free(d->kept.last_modified);
    d->follow = NULL;
    d->items = NULL;
    d->n_items = 0;
    d->kept = (fetch_res_t){0};
}

/* The pages every kept source asked for, as one batch of transfers; then
 * each of those sources is diffed and stored as any other. */
static void read_pages(run_t *r)
{
    follow_t **plans = calloc(r->n_due + 1, sizeof *plans);
    size_t n = 0;
    err_t e;
    for (size_t i = 0; plans && i < r->n_due; i++)
        if (r->due[i].follow)
            plans[n++] = r->due[i].follow;
    if (n && follow_round(plans, n, r->x, &r->cfg->fetch, &r->warns, &e) != 0)
        errlist_add(&r->errs, "detail pages: %s", e.msg);
    for (size_t i = 0; i < r->n_due; i++) {
        source_run_t *d = &r->due[i];
        if (!d->follow)
            continue;
        if (!plans)
            source_failed(r, d, d->kept.status, "out of memory");
        else if (store_document(r, d, &d->kept, d->hash, d->items, d->n_items, &e) != 0)
            source_failed(r, d, d->kept.status, e.msg);
        release_kept(d);
    }
    free(plans);
}

/* Past "scripts/NAME.lua:LINE: " at the head of a warning: the script's
 * line helps its author in the run's record, not an analyst reading a flag. */
static const char *past_script_line(const char *w)
{
    if (strncmp(w, "scripts/", 8) != 0)
        return w;
    const char *colon = strstr(w, ".lua:");
    if (!colon)
        return w;
    const char *p = colon + 5;
    while (*p >= '0' && *p <= '9')
        p++;
    return p > colon + 5 && strncmp(p, ": ", 2) == 0 ? p + 2 : w;
}

/* Keep a warning of an extraction that gave no items, without its
 * "source ID: " (the flag names the source) or the script's line. */
static void note_why_empty(source_run_t *d, const char *warning)
{
    size_t n = strlen(d->cfg->id);
    if (strncmp(warning, "source ", 7) == 0 && strncmp(warning + 7, d->cfg->id, n) == 0 &&
        strncmp(warning + 7 + n, ": ", 2) == 0)
        warning += 9 + n;
    warning = past_script_line(warning);
    buf_printf(&d->why_empty, "%s%s", d->why_empty.len ? "; " : "", warning);
}

/* Nothing to extract: the document is the one the source's items came
 * from, and they came from its definition as it is (a new one reads even
 * the same page again). */
static int unchanged(const source_run_t *d, const fetch_res_t *res, const char *hash)
{
    if (d->redefined.len)
        return 0;
    return res->not_modified || (d->state.body_hash && strcmp(d->state.body_hash, hash) == 0 &&
                                 d->state.baselined);
}

static void process(run_t *r, source_run_t *d, const fetch_req_t *req, fetch_res_t *res)
{
    if (res->error[0])
        return source_failed(r, d, res->status, res->error);
    char hash[65];
    sha256_hex(res->body.p ? res->body.p : "", res->body.len, hash);
    if (unchanged(d, res, hash))
        return source_unchanged(r, d, res);
    unchanged_flush(r); /* a changed document's script and pages may write */
    buf_t text = {0};
    char charset[64];
    err_t e;
    if (decode_body(r, d, res, &text, charset, sizeof charset, &e) != 0)
        return source_failed(r, d, res->status, e.msg);
    extract_doc_t doc = {d->cfg->id, res->effective_url ? res->effective_url : req->url,
                         res->status, text.p, text.len, buf_str(&res->headers),
                         d->cfg->options_json, charset, d->cfg->max_item_bytes};
    diff_item_t *items;
    size_t n;
    size_t warned = r->warns.len;
    int rc = extract_items(r->x, d->cfg->script, &doc, &items, &n, &r->warns, &e);
    buf_free(&text);
    for (size_t i = warned; rc == 0 && n == 0 && i < r->warns.len; i++)
        note_why_empty(d, r->warns.msgs[i]);
    if (rc != 0)
        return source_failed(r, d, res->status, e.msg);
    d->partial = !extract_complete(r->x);
    if (wants_pages(r, d, res, hash, items, n))
        return; /* stored by read_pages */
    r->fetched++;
    if (store_document(r, d, res, hash, items, n, &e) != 0)
        source_failed(r, d, res->status, e.msg);
    extract_items_free(items, n);
}

static int fetch_due(run_t *r, err_t *e)
{
    fetch_req_t *reqs = calloc(r->n_due + 1, sizeof *reqs);
    size_t n = 0;
    if (!reqs)
        return err_set(e, "out of memory");
    for (size_t i = 0; i < r->n_due; i++) {
        source_run_t *d = &r->due[i];
        if (!d->script_ok) {
            r->failed++;
            continue;
        }
        /* the old definition's validators say nothing now, and a source
         * without a baseline yet (it yielded nothing) is read in full */
        int fresh = d->redefined.len > 0 || !d->state.baselined;
        reqs[n++] = (fetch_req_t){.url = d->cfg->url, .http = &d->cfg->http, .etag = fresh ? NULL : d->state.etag,
                                  .last_modified = fresh ? NULL : d->state.last_modified,
                                  .timeout = (long)d->cfg->timeout,
                                  .max_bytes = d->cfg->max_bytes, .ud = d};
    }
    r->progress = !r->o->quiet && n > 0 && isatty(fileno(r->o->err));
    int rc = fetch_all(reqs, n, &r->cfg->fetch, on_fetched, r, e);
    unchanged_flush(r);
    if (r->progress)
        fputs("\r\033[K", r->o->err);
    if (rc == 0)
        read_pages(r);
    free(reqs);
    return rc;
}

/* The sources r->due lists that are still unclaimed, by id (ids[k] is
 * r->due[slot[k]]); their number. */
static size_t unclaimed(const run_t *r, const unsigned char *decided, const char **ids,
                        size_t *slot)
{
    size_t m = 0;
    for (size_t i = 0; i < r->n_due; i++)
        if (!decided[i]) {
            ids[m] = r->due[i].cfg->id;
            slot[m++] = i;
        }
    return m;
}

/* Fetch the k sources of r->due at slots[0..k) as a turn of their own:
 * fetch_due on them alone, then back in their places. */
static int fetch_turn(run_t *r, const size_t *slots, size_t k, source_run_t *turn, err_t *e)
{
    source_run_t *all = r->due;
    size_t n = r->n_due;
    for (size_t j = 0; j < k; j++)
        turn[j] = all[slots[j]];
    r->due = turn;
    r->n_due = k;
    int rc = fetch_due(r, e);
    for (size_t j = 0; j < k; j++)
        all[slots[j]] = turn[j];
    r->due = all;
    r->n_due = n;
    return rc;
}

/* On a shared store (store.h) the due sources are fetched in turns, each
 * turn those this run could claim: an eighth of what is left (at least
 * CLAIM_MIN), so that runs started together share the sources out. A
 * source another run has claimed, or has fetched since this one read the
 * sources, is not fetched here. */
#define CLAIM_MIN 32
#define LEASE_SECONDS (15 * 60)

static int fetch_claimed(run_t *r, err_t *e)
{
    if (!store_shared(r->st) || r->o->dry_run)
        return fetch_due(r, e);
    size_t n = r->n_due, taken_in_all = 0, m;
    unsigned char *decided = calloc(n + 1, 1), *claimed = calloc(n + 1, 1);
    const char **ids = calloc(n + 1, sizeof *ids);
    size_t *slot = calloc(n + 1, sizeof *slot), *turn_slots = calloc(n + 1, sizeof *turn_slots);
    source_run_t *turn = calloc(n + 1, sizeof *turn);
    char until[32];
    vtime_t now = clock_now();
    clock_parse_iso(r->now, &now);
    clock_format_iso(now + LEASE_SECONDS, until);
    store_claim_t c = {r->run_id, r->now, until, r->o->all || r->o->n_only};
    int rc = decided && claimed && ids && slot && turn_slots && turn ? 0 : err_set(e, "out of memory");
    while (rc == 0 && (m = unclaimed(r, decided, ids, slot)) > 0) {
        size_t taken = 0, k = 0, limit = m / 8 > CLAIM_MIN ? m / 8 : CLAIM_MIN;
        rc = store_sources_claim(r->st, &c, ids, m, limit, claimed, &taken, e);
        if (rc != 0 || taken == 0)
            break;
        for (size_t j = 0; j < m; j++) {
            decided[slot[j]] = claimed[j] != 0;
            if (claimed[j] == STORE_CLAIMED)
                turn_slots[k++] = slot[j];
        }
        taken_in_all += k;
        rc = fetch_turn(r, turn_slots, k, turn, e);
    }
    r->not_taken = n - taken_in_all;
    free(decided);
    free(claimed);
    free(ids);
    free(slot);
    free(turn_slots);
    free(turn);
    return rc;
}

/* ---- step 6: rules --------------------------------------------------------- */

typedef struct flagging {
    run_t *r;
    const store_event_t *ev;
    int failed;
    err_t *e;
    flag_context_t ctx;   /* the event's context, made at its first flag */
    int have_ctx;
} flagging_t;

/* Done with one event's flags. */
static void flagging_done(flagging_t *fl)
{
    if (fl->have_ctx)
        flag_context_free(&fl->ctx);
    fl->have_ctx = 0;
}

static int on_flag(void *ud, const rules_flag_t *rf)
{
    flagging_t *fl = ud;
    run_t *r = fl->r;
    if (fl->failed)
        return 0;
    /* the same for every flag of the event: its word diffs made once */
    if (!fl->have_ctx && flag_context_of_event(fl->ev, &fl->ctx) != 0) {
        fl->failed = 1;
        return err_set(fl->e, "out of memory");
    }
    fl->have_ctx = 1;
    const flag_context_t *ctx = &fl->ctx;
    buf_t dedup = {0};
    buf_printf(&dedup, "%s\x1f%lld\x1f%s", rf->rule, fl->ev->id, rf->message);
    store_flag_t f = {.run_id = r->run_id, .event_id = fl->ev->id, .rule = rf->rule,
                      .severity = rf->severity, .message = rf->message, .source = fl->ev->source,
                      .key = fl->ev->key, .change = fl->ev->change,
                      .observed_at = fl->ev->observed_at, .created_at = r->now,
                      .dedup = buf_str(&dedup),
                      .title = rf->title ? rf->title : ctx->title,
                      .link = rf->link ? rf->link : ctx->link,
                      .source_name = config_source_name(r->cfg, fl->ev->source),
                      .rule_title = rf->rule_title, .changes = ctx->changes};
    int inserted = 0;
    int rc = store_flag_add(r->st, &f, &inserted, fl->e);
    if (rc == 0 && inserted) {
        r->flags++;
        rc = alert_route(r->st, r->cfg, &f, !r->o->no_alerts, fl->e);
    }
    buf_free(&dedup);
    fl->failed = rc != 0;
    return 0;
}

/* The rules on each event. */
static int eval_events(run_t *r, const store_event_t *evs, size_t n, err_t *e)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        flagging_t fl = {.r = r, .ev = &evs[i], .e = e};
        r->ev = &evs[i];
        int status = rules_eval(r->rules, &evs[i], on_flag, &fl, &r->errs, e);
        flagging_done(&fl);
        if (status < 0 || fl.failed)
            rc = -1;
        else
            r->rule_errors += status;
    }
    return rc;
}

/* With no rules, the pending events are evaluated by moving the watermark
 * past them; nothing is read. */
static int evaluate_none(run_t *r, err_t *e)
{
    int rc = txn_begin(r, e);
    if (rc == 0)
        rc = store_events_evaluated_all(r->st, e);
    if (rc == 0)
        rc = txn_commit(r, e);
    else
        txn_rollback(r);
    return rc;
}

/* Evaluate one batch of pending events; flags, the retry rows of rules
 * that did not finish and the evaluation watermark past the batch commit
 * together, so a killed run redoes the batch and the dedup key keeps
 * flags single. Returns the number of events, or -1. */
static long evaluate_batch(run_t *r, err_t *e)
{
    store_event_t *evs;
    size_t n;
    long long first;
    if (store_events_pending_first(r->st, &first, e) != 0)
        return -1;
    if (!first)
        return 0;
    if (load_rules(r, e) != 0)
        return -1;
    if (r->rules_unloaded)
        return 0; /* they stay pending */
    if (rules_count(r->rules) == 0)
        return evaluate_none(r, e);
    /* read inside the transaction: on a shared store that locks them
     * (store.h, "sharing the work") */
    int rc = txn_begin(r, e);
    if (rc != 0)
        return -1;
    if (store_events_pending(r->st, EVENT_BATCH, &evs, &n, e) != 0) {
        txn_rollback(r);
        return -1;
    }
    rc = eval_events(r, evs, n, e);
    if (rc == 0)
        rc = store_events_evaluated(r->st, evs, n, e);
    if (rc == 0)
        rc = txn_commit(r, e);
    else
        txn_rollback(r);
    store_events_free(evs, n);
    return rc == 0 ? (long)n : -1;
}

/* Is this pair due for another evaluation with the rules as loaded? A
 * limit (budget, time, memory) may pass: each run, RETRY_MAX_TRIES times
 * in all. The rule's own error comes back the same until its file
 * changes. */
static int retry_due(const store_retry_t *rt, const char *fingerprint)
{
    if (strcmp(rt->kind, "error") == 0)
        return strcmp(rt->fingerprint, fingerprint) != 0;
    return rt->tries < RETRY_MAX_TRIES;
}

typedef struct retried {
    const char *rule;
    long events, flags;
} retried_t;

/* Evaluate one pair again. Returns 0, or -1. */
static int retry_one(run_t *r, const store_retry_t *rt, retried_t *count, err_t *e)
{
    store_event_t *ev = NULL;
    int found = store_event_get(r->st, rt->event_id, &ev, e);
    if (found <= 0)
        return found < 0 ? -1 : store_retry_done(r->st, rt->rule, rt->event_id, e);
    long flags_before = r->flags;
    flagging_t fl = {.r = r, .ev = ev, .e = e};
    r->ev = ev;
    int status = rules_eval_rule(r->rules, rt->rule, ev, on_flag, &fl, &r->errs, e);
    flagging_done(&fl);
    int rc = status < 0 || fl.failed ? -1 : 0;
    if (rc == 0 && status != 1)
        rc = store_retry_done(r->st, rt->rule, rt->event_id, e);
    if (rc == 0 && status == 1) {
        r->rule_errors++;
        if (strcmp(rt->kind, "error") != 0 && rt->tries + 1 >= RETRY_MAX_TRIES)
            errlist_add(&r->errs, "rule %s failed on event %lld (%s %s) %d times: not retried "
                        "again; see vane replay", rt->rule, ev->id, ev->source, ev->key,
                        rt->tries + 1);
    }
    if (rc == 0 && status == 0) {
        count->events++;
        count->flags += r->flags - flags_before;
    }
    store_events_free(ev, 1);
    return rc;
}

static void note_retried(run_t *r, const retried_t *c)
{
    if (!c->rule || !c->events)
        return;
    errlist_add(&r->notes, "retried %ld event%s for %s: %ld flag%s", c->events,
                c->events == 1 ? "" : "s", c->rule, c->flags, c->flags == 1 ? "" : "s");
    errlist_add(&r->warns, "%s", r->notes.msgs[r->notes.len - 1]); /* kept with the run */
}

/* Evaluate again the pairs of rows that are due. */
static int retry_rows(run_t *r, const store_retry_t *rows, size_t n, err_t *e)
{
    int rc = 0;
    retried_t count = {0};
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *fp = rules_file_fingerprint(r->rules, rows[i].rule);
        if (fp && !retry_due(&rows[i], fp))
            continue;
        if (!count.rule || strcmp(count.rule, rows[i].rule) != 0) {
            note_retried(r, &count);
            count = (retried_t){rows[i].rule, 0, 0};
        }
        /* a rule no longer loaded has nothing to retry */
        rc = fp ? retry_one(r, &rows[i], &count, e)
                : store_retry_done(r->st, rows[i].rule, rows[i].event_id, e);
    }
    note_retried(r, &count);
    return rc;
}

/* The pairs earlier runs left pending, before the new events, in one
 * transaction. */
static int retry_pending(run_t *r, err_t *e)
{
    store_retry_t *rows = NULL;
    size_t n = 0;
    if (store_retries(r->st, RETRY_BATCH, &rows, &n, e) != 0)
        return -1;
    int rc = n ? load_rules(r, e) : 0;
    if (rc == 0 && n && !r->rules_unloaded) {
        rc = txn_begin(r, e);
        if (rc == 0)
            rc = retry_rows(r, rows, n, e);
        if (rc == 0)
            rc = txn_commit(r, e);
        else
            txn_rollback(r);
    }
    store_retries_free(rows, n);
    return rc;
}

/* One summary flag per rule that went past max_flags this run. */
static int on_summary(void *ud, const rules_flag_t *rf)
{
    run_t *r = ud;
    err_t e;
    buf_t dedup = {0};
    buf_printf(&dedup, "%s\x1fmax_flags\x1frun %lld", rf->rule, r->run_id);
    store_flag_t f = {.run_id = r->run_id, .rule = rf->rule, .severity = rf->severity,
                      .message = rf->message, .rule_title = rf->rule_title,
                      .observed_at = r->now, .created_at = r->now, .dedup = buf_str(&dedup)};
    int inserted = 0;
    int rc = store_flag_add(r->st, &f, &inserted, &e);
    if (rc == 0 && inserted) {
        r->flags++;
        rc = alert_route(r->st, r->cfg, &f, !r->o->no_alerts, &e);
    }
    if (rc != 0)
        errlist_add(&r->errs, "%s", e.msg);
    buf_free(&dedup);
    return rc;
}

static int summarize_overflow(run_t *r, err_t *e)
{
    if (!r->rules)
        return 0;
    int rc = txn_begin(r, e);
    if (rc == 0 && rules_flag_overflow(r->rules, on_summary, r) < 0) {
        txn_rollback(r);
        return err_set(e, "recording a max_flags summary failed");
    }
    return rc == 0 ? txn_commit(r, e) : -1;
}

static int evaluate_rules(run_t *r, err_t *e)
{
    long n;
    if (retry_pending(r, e) != 0)
        return -1;
    /* In a dry run nothing is marked evaluated for good, so one pass only. */
    do {
        n = evaluate_batch(r, e);
    } while (n == EVENT_BATCH && !r->o->dry_run);
    return n < 0 ? -1 : summarize_overflow(r, e);
}

/* The rules' per-run checks (checks.h), after the events: one transaction
 * for their flags and episodes. A run with no events loads the rules only
 * for their checks, unless the same rule files were seen to have none. */
static int run_checks(run_t *r, err_t *e)
{
    const char *fingerprint = rules_print(r);
    int none = 0;
    if (!r->rules && checks_known_none(r->st, fingerprint, &none, e) != 0)
        return -1;
    if (none)
        return 0;
    if (load_rules(r, e) != 0)
        return -1;
    if (r->rules_unloaded)
        return 0;
    if (checks_remember(r->st, fingerprint, rules_has_checks(r->rules), e) != 0)
        return -1;
    if (!rules_has_checks(r->rules))
        return 0;
    checks_opts_t co = {r->st, r->cfg, r->run_id, r->now, r->o->no_alerts};
    long flags = 0;
    int rc = txn_begin(r, e);
    if (rc == 0) {
        int status = checks_run(r->rules, &co, &r->errs, &flags, e);
        rc = status < 0 ? -1 : txn_commit(r, e);
        r->rule_errors += status > 0;
    }
    if (rc != 0)
        txn_rollback(r);
    else
        r->flags += flags;
    return rc;
}

/* ---- step 7: deliver --------------------------------------------------------- */

static int deliver(run_t *r, err_t *e)
{
    if (r->o->no_alerts)
        return 0;
    alert_out_t ao = {r->o->out, r->o->json, &r->notes};
    alert_report_t rep;
    int rc = alert_deliver(r->st, r->cfg, &ao, &r->errs, &rep, e);
    r->delivered = rep.delivered;
    r->dead = rep.dead;
    if (rc > 0)
        r->channel_errors++;
    return rc < 0 ? -1 : 0;
}

/* ---- step 8: record and report ------------------------------------------------ */

static int exit_status(const run_t *r)
{
    if (r->rules_unloaded)
        return VANE_EXIT_USAGE; /* like any other configuration error */
    return (r->failed || r->rule_errors || r->channel_errors) ? VANE_EXIT_FAILED : VANE_EXIT_OK;
}

/* How many times msgs[i] occurs, or 0 if it occurred before i (printed then). */
static size_t occurrences(const errlist_t *l, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (strcmp(l->msgs[k], l->msgs[i]) == 0)
            return 0;
    size_t n = 1;
    for (size_t k = i + 1; k < l->len; k++)
        n += strcmp(l->msgs[k], l->msgs[i]) == 0;
    return n;
}

/* "vane: PREFIX" and len bytes of m with their control characters
 * escaped (util/termtext.h): a message may quote a page or a script. With
 * lines, newlines and tabs are kept (an error's traceback under -v). */
static void print_message(FILE *err, const char *prefix, const char *m, size_t len, int lines)
{
    buf_t b = {0};
    int rc = lines ? termtext_put_lines(&b, m, len) : termtext_put(&b, m, len);
    fprintf(err, "vane: %s%s", prefix, rc == 0 ? buf_str(&b) : "(out of memory)");
    buf_free(&b);
}

/* A rule that fails on every event would repeat itself a thousand times:
 * each distinct message is printed once, with its count. */
static void print_errors(const run_t *r)
{
    FILE *err = r->o->err;
    for (size_t i = 0; i < r->errs.len; i++) {
        size_t n = occurrences(&r->errs, i);
        if (n == 0)
            continue;
        const char *m = r->errs.msgs[i];
        const char *nl = r->o->verbose ? NULL : strchr(m, '\n');
        print_message(err, "", m, nl ? (size_t)(nl - m) : strlen(m), r->o->verbose);
        if (n > 1)
            fprintf(err, " (%zu times)", n);
        fputc('\n', err);
    }
    for (size_t i = 0; !r->o->quiet && i < r->notes.len; i++)
        fprintf(err, "vane: %s\n", r->notes.msgs[i]);
    int show_warnings = r->o->verbose || (!r->o->quiet && isatty(fileno(err)));
    for (size_t i = 0; show_warnings && i < r->warns.len; i++) {
        print_message(err, "warning: ", r->warns.msgs[i], strlen(r->warns.msgs[i]), 0);
        fputc('\n', err);
    }
}

/* The messages of l as a JSON array, at most max of them and then one
 * saying how many more there were. */
static void json_messages(const errlist_t *l, size_t max, buf_t *out)
{
    buf_putc(out, '[');
    for (size_t i = 0; i < l->len && i < max; i++) {
        if (i)
            buf_putc(out, ',');
        json_put_string(out, l->msgs[i], strlen(l->msgs[i]));
    }
    if (l->len > max)
        buf_printf(out, ",\"%zu more warnings\"", l->len - max);
    buf_putc(out, ']');
}

static void record(run_t *r, int code)
{
    buf_t errors = {0}, warnings = {0};
    err_t e;
    json_messages(&r->errs, r->errs.len, &errors);
    json_messages(&r->warns, MAX_RECORDED_WARNINGS, &warnings);
    char finished[32];
    clock_format_iso(clock_now(), finished);
    if (store_sources_release(r->st, r->run_id, &e) != 0)
        errlist_add(&r->errs, "%s", e.msg);
    store_run_t rec = {r->run_id, r->now, finished, code, (long)(r->n_due - r->not_taken),
                       r->fetched, r->unchanged,
                       r->failed, r->events, r->flags, buf_str(&errors), buf_str(&warnings)};
    if (store_run_finish(r->st, &rec, &e) != 0)
        errlist_add(&r->errs, "%s", e.msg);
    buf_free(&errors);
    buf_free(&warnings);
}

/* "3 warnings, 2 silenced — see vane runs", or nothing when there are
 * neither: what a run kept for later that a cron mail should mention. */
static void kept_for_later(const run_t *r, buf_t *out)
{
    long silenced = 0;
    err_t e;
    if (r->st && r->run_id && store_run_silenced(r->st, r->run_id, &silenced, &e) != 0)
        silenced = 0;
    size_t warns = r->warns.len;
    if (warns == 0 && silenced == 0)
        return;
    if (warns)
        buf_printf(out, "%zu warning%s", warns, warns == 1 ? "" : "s");
    if (silenced)
        buf_printf(out, "%s%ld silenced", warns ? ", " : "", silenced);
    buf_puts(out, r->o->dry_run ? "" : " \xE2\x80\x94 see vane runs");
}

/* On a terminal, one line of counts; without one (cron), a line only when
 * the run has warnings or silenced flags, so they are not lost unseen. */
static void summary(const run_t *r)
{
    if (r->o->quiet)
        return;
    buf_t kept = {0};
    kept_for_later(r, &kept);
    if (isatty(fileno(r->o->err)))
        fprintf(r->o->err, "vane: %zu due, %ld fetched, %ld unchanged, %ld failed; %ld events, %ld flags%s%s%s\n",
                r->n_due - r->not_taken, r->fetched, r->unchanged, r->failed, r->events, r->flags,
                kept.len ? "; " : "", buf_str(&kept),
                r->o->dry_run ? " (dry run: nothing stored)" : "");
    else if (kept.len)
        fprintf(r->o->err, "vane: %s\n", buf_str(&kept));
    buf_free(&kept);
}

/* settings' metrics_file: the metrics as the run leaves the database (so
 * after it is recorded). Not being able to write it is a warning, not a
 * failed run: kept with the run by recording it again. */
static void write_metrics(run_t *r, int code)
{
    if (!r->cfg->metrics_file || r->o->dry_run)
        return;
    buf_t text = {0};
    err_t e;
    if (metrics_build(r->st, r->cfg, &text, &e) != 0 ||
        metrics_file_write(r->cfg->metrics_file, &text, &e) != 0) {
        errlist_add(&r->warns, "%s", e.msg);
        record(r, code);
    }
    buf_free(&text);
}

static void run_free(run_t *r)
{
    for (size_t i = 0; i < r->n_due; i++) {
        release_kept(&r->due[i]);
        source_state_free(&r->due[i].state);
        buf_free(&r->due[i].definition);
        buf_free(&r->due[i].redefined);
        buf_free(&r->due[i].why_empty);
    }
    free(r->due);
    rules_free(r->rules);
    extract_free(r->x);
    if (r->st && r->o->dry_run)
        store_rollback(r->st);
    store_close(r->st);
    errlist_free(&r->errs);
    errlist_free(&r->warns);
    errlist_free(&r->notes);
}

/* The database's lock, waiting as --wait says. VANE_EXIT_OK, or the exit
 * status to return (VANE_EXIT_LOCKED when another run holds it), said on o->err. */
static int take_lock(const char *db_path, const run_opts_t *o, int *fd)
{
    err_t e;
    int held = lock_acquire(db_path, o->wait, fd, &e);
    if (held == LOCK_HELD) {
        fprintf(o->err, "vane: another run holds the lock on %s; try again later or use --wait\n", db_path);
        return VANE_EXIT_LOCKED;
    }
    if (held != 0) {
        fprintf(o->err, "vane: %s\n", e.msg);
        return VANE_EXIT_FAILED;
    }
    return VANE_EXIT_OK;
}

int run_main(const config_t *cfg, const char *db_path, const run_opts_t *o)
{
    run_t r = {.cfg = cfg, .o = o};
    err_t e;
    int lock_fd = -1, code;
    clock_format_iso(clock_now(), r.now);

    /* 1. the lock */
    int locked = take_lock(db_path, o, &lock_fd);
    if (locked != VANE_EXIT_OK)
        return locked;
    /* 2. load; 3. choose and fetch; 4–5. extract, diff, store (per source,
     * as transfers finish); 6. rules; 7. deliver */
    int rc = open_checked(&r, db_path, &e);
    if (rc == 1) {
        run_free(&r);
        lock_release(lock_fd);
        return VANE_EXIT_USAGE;
    }
    if (rc == 0)
        rc = store_run_begin(r.st, r.now, &r.run_id, &e);
    if (rc == 0)
        rc = choose_due(&r, &e);
    if (rc == 0)
        rc = fetch_claimed(&r, &e);
    if (rc == 0)
        rc = evaluate_rules(&r, &e);
    if (rc == 0)
        rc = run_checks(&r, &e);
    if (rc == 0)
        rc = deliver(&r, &e);
    if (rc != 0) {
        errlist_add(&r.errs, "%s", e.msg);
        if (r.st && !o->dry_run)
            store_rollback(r.st);
    }
    code = rc != 0 ? VANE_EXIT_FAILED : exit_status(&r);
    /* 8. record the run and report */
    if (r.st && r.run_id) {
        record(&r, code);
        write_metrics(&r, code);
    }
    print_errors(&r);
    summary(&r);
    run_free(&r);
    lock_release(lock_fd);
    return code;
}

/* ---- vane deliver ---------------------------------------------------------------- */

int run_deliver(const config_t *cfg, const char *db_path, const run_opts_t *o)
{
    run_t r = {.cfg = cfg, .o = o};
    err_t e;
    int lock_fd = -1;
    int locked = take_lock(db_path, o, &lock_fd);
    if (locked != VANE_EXIT_OK)
        return locked;
    r.st = store_open(db_path, &e);
    int rc = r.st ? deliver(&r, &e) : -1;
    if (rc != 0)
        errlist_add(&r.errs, "%s", e.msg);
    int code = rc != 0 ? VANE_EXIT_FAILED : exit_status(&r);
    print_errors(&r);
    if (!o->quiet && isatty(fileno(o->err)))
        fprintf(o->err, "vane: %ld delivered, %ld dead\n", r.delivered, r.dead);
    run_free(&r);
    lock_release(lock_fd);
    return code;
}

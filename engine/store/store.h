/* store.h — vane's store, the one interface to the database: sources'
 * state and health, documents, items' current state, events, flags, the
 * alert outbox, runs, silences, the check rules' episodes, and the history
 * rules read. Every statement runs behind these functions; no other module
 * writes SQL or sees the database's own types.
 *
 * The interface is backend-neutral: the SQL is written once (sql_*.c,
 * sharing db.h) and runs on SQLite (sqlite_*.c) or PostgreSQL (pg_*.c)
 * through a driver; the formatting of listings is backend-neutral
 * (listing.c). store_open applies the embedded db/NNN_*.sql
 * migrations in order, each in its own transaction, and refuses a database
 * written by a newer vane. Every function returns 0, or -1 with e set; none
 * prints. Strings handed back are owned by the caller unless said. */
#ifndef VANE_STORE_H
#define VANE_STORE_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

typedef struct store store_t;

/* Open the store named path: a PostgreSQL URL (postgresql://… or
 * postgres://…, store_is_server) or a SQLite file. */
store_t *store_open(const char *path, err_t *e);
int store_is_server(const char *path);
/* Connect again to a PostgreSQL store whose connection was lost (the
 * server restarted), for a long-lived reader: `vane serve` asks before each
 * page. A run never does: its work was in transactions that died with the
 * connection, so it fails and the next run starts afresh. 1 when it
 * connected again, 0 when there was nothing to do (SQLite, or a live
 * connection), -1 with e set when the server is still away. */
int store_revive(store_t *st, err_t *e);
/* How messages name the store: its file, or its URL without a password. */
const char *store_name(const store_t *st);
void store_close(store_t *st);
/* The schema version the database is at, and the newest this build knows. */
int store_version(store_t *st);
int store_latest_version(void);

/* The database library and its version, for `vane --version`
 * ("SQLite 3.40.1"); a static string. */
const char *store_backend(void);

int store_begin(store_t *st, err_t *e);
int store_commit(store_t *st, err_t *e);
void store_rollback(store_t *st);

/* ---- sources ------------------------------------------------------------ */

typedef struct source_state {
    int baselined;
    char *etag, *last_modified, *body_hash;
    char *last_attempt, *last_success, *next_due;
    int failures;
    long items;               /* items the last extraction gave, -1 if never */
    int failing_flagged;      /* source-failing raised for this run of failures */
    int empty_flagged;        /* source-empty raised since items were last seen */
    int reshaped_flagged;     /* source-reshaped raised, and every fetch since reshaped it */
    char *definition;         /* what its items were extracted with (run/definition.h), or NULL */
} source_state_t;

/* Make sure the source has a row (recording its url) and read its state. A
 * url other than the stored one forgets the validators and the body hash:
 * another address's ETag or date must never make a 304 stand for it. */
int store_source_get(store_t *st, const char *id, const char *url,
                     source_state_t *out, err_t *e);
/* The state of n sources in one read of the sources table, writing
 * nothing: out[i] for ids[i], whose stored url should be urls[i]. known[i]
 * is 1 when its row was found with that url; 0 when there is no row yet or
 * the url changed: out[i] is then left empty, and store_source_get (in the
 * caller's transaction) records it and reads it. want (NULL: every one)
 * is asked of each row found, with its next_due (NULL if none): a row not
 * wanted is read no further and out[i] stays empty. The ids are distinct. */
typedef int (*store_source_want_fn)(void *ud, size_t i, const char *next_due);
int store_sources_read(store_t *st, const char *const *ids, const char *const *urls, size_t n,
                       store_source_want_fn want, void *ud, source_state_t *out,
                       unsigned char *known, err_t *e);
void source_state_free(source_state_t *s);

/* What one attempt at a source came to. */
typedef struct source_outcome {
    const char *attempted_at;
    int ok;                    /* fetched (and extracted when the body was new) */
    long status;               /* HTTP status, 0 if none */
    const char *error;         /* NULL when ok */
    const char *etag, *last_modified, *body_hash;  /* kept when ok; NULL leaves as is */
    long items;                /* items extracted, -1 when not extracted */
    int baselined;             /* this attempt stored the baseline */
    const char *next_due;
    const char *definition;    /* the definition extracted with; NULL leaves as is */
} source_outcome_t;

int store_source_record(store_t *st, const char *id, const source_outcome_t *o, err_t *e);

/* Set a health marker: which is "failing_flagged", "empty_flagged" or
 * "reshaped_flagged". */
int store_source_mark(store_t *st, const char *id, const char *which, int value, err_t *e);

/* Forget the source's validators and body hash, so that its next fetch is
 * read and extracted in full even if the document did not change (detail
 * pages still to read, run/follow.h). */
int store_source_refetch(store_t *st, const char *id, err_t *e);

int store_document_add(store_t *st, long long run_id, const char *source,
                       const char *fetched_at, long status, const char *hash,
                       const char *etag, const char *last_modified,
                       long long bytes, err_t *e);

/* ---- kept documents (sql_documents.c) --------------------------------- */

/* A fetched body as it arrived, with what reading it again needs. */
typedef struct store_body {
    const char *body;
    size_t len;
    const char *headers;    /* the response's header lines (for the charset) */
    const char *url;        /* where it came from, in its shown form (util/redact.h) */
} store_body_t;

/* Keep b, compressed, with the document the source's run just recorded
 * (store_document_add with the same source and run_id). */
int store_document_keep(store_t *st, const char *source, long long run_id,
                        const store_body_t *b, err_t *e);

/* Drop the bodies of the source's documents fetched before `before` (ISO
 * time); their rows stay. */
int store_documents_expire(store_t *st, const char *source, const char *before, err_t *e);

typedef struct store_document {
    long long id;
    const char *fetched_at;
    long status;
    store_body_t body;      /* decompressed; valid during the call only */
} store_document_t;

/* Call fn with each kept document of the source fetched at or after since
 * (NULL: all), oldest first; fn returns 0 to go on, >0 to stop, <0 for an
 * error it set in e. 0, or -1 with e set. */
typedef int (*store_document_fn)(void *ud, const store_document_t *d, err_t *e);
int store_documents_each(store_t *st, const char *source, const char *since,
                         store_document_fn fn, void *ud, err_t *e);

/* What `vane prune` removed: rows, and the bytes of their contents (item
 * JSON, compressed bodies, …): space SQLite reuses; the file shrinks only
 * with VACUUM. */
typedef struct store_pruned {
    long events, documents, outbox;
    long long bytes;
} store_pruned_t;

/* Remove what is older than `before`: events no flag points to and no rule
 * still waits for, documents, and outbox rows already sent. Items' current
 * state, flags and runs stay. Call inside a transaction. */
int store_prune(store_t *st, const char *before, store_pruned_t *out, err_t *e);

/* `vane reextract`: forget the source's items and mark its events observed
 * at or after since (NULL: all) superseded by run_id (*superseded: how
 * many); they stay, for the flags that point to them, but listings and
 * rules' history skip them. */
int store_reextract_begin(store_t *st, const char *source, const char *since,
                          long long run_id, long *superseded, err_t *e);
/* Mark the events run_id wrote for the source rederived, and evaluated
 * unless for_rules (then the next run's rules see them as new). */
int store_reextract_finish(store_t *st, const char *source, long long run_id, int for_rules,
                           err_t *e);

/* ---- items and events --------------------------------------------------- */

typedef struct store_item {
    char *key;
    char *fields;   /* canonical JSON object */
    int removed;    /* a `removed` event was stored for it */
    int absent;     /* missing from the last list, without removals (no event) */
} store_item_t;

/* All stored items of a source, sorted by key (bytewise). */
int store_items_load(store_t *st, const char *source, store_item_t **items,
                     size_t *n, err_t *e);
void store_items_free(store_item_t *items, size_t n);

/* Insert or replace an item's current fields (clears removed_at and
 * absent_since). */
int store_item_put(store_t *st, const char *source, const char *key,
                   const char *fields, const char *now, err_t *e);
int store_item_mark_removed(store_t *st, const char *source, const char *key,
                            const char *now, err_t *e);
/* The item was missing from the source's list at `now` (no event made). */
int store_item_mark_absent(store_t *st, const char *source, const char *key,
                           const char *now, err_t *e);

typedef struct store_event {
    long long id, run_id;
    char *source, *key, *change;
    int baseline;
    char *item, *prev, *diff;   /* JSON or NULL */
    char *observed_at;
} store_event_t;

/* Store an event (its id is set on return). The strings are not taken. */
int store_event_add(store_t *st, store_event_t *ev, err_t *e);

/* Up to `max` events not yet evaluated by the rules, oldest first. */
int store_events_pending(store_t *st, size_t max, store_event_t **evs,
                         size_t *n, err_t *e);
/* The id of the oldest event not yet evaluated (*first: 0 when none). */
int store_events_pending_first(store_t *st, long long *first, err_t *e);
/* A walk through history for `vane replay`: the events observed in
 * [since, until) (NULL: unbounded), oldest first, superseded ones left
 * out. Set since and until, zero the rest; each store_events_range call
 * hands back the next up to `max` of them (none once the walk is done). */
typedef struct store_range {
    const char *since, *until;
    long long after;      /* the last id handed back */
    long long last;       /* the highest id the window has, once known (0: unbounded) */
    int started, done;
} store_range_t;

int store_events_range(store_t *st, store_range_t *r, size_t max, store_event_t **evs, size_t *n,
                       err_t *e);
void store_events_free(store_event_t *evs, size_t n);
/* Every event up to event_id is evaluated: every rule finished on it or has
 * a retry row (the watermark; event rows are not touched). Call in the
 * transaction of the flags and retry rows. */
int store_events_evaluated_through(store_t *st, long long event_id, err_t *e);
/* Every event stored so far is evaluated (a run with no rules). */
int store_events_evaluated_all(store_t *st, err_t *e);

/* ---- rules' retries: (rule, event) pairs a rule did not finish ----------- */

typedef struct store_retry {
    char *rule;
    long long event_id;
    char *kind;           /* error | budget | time | memory */
    int tries;
    char *fingerprint;    /* of the rule file's text when it failed */
    char *message;
} store_retry_t;

/* Record that rule failed on the event: a new row with tries = 1, or the
 * row's tries + 1 and the new kind, fingerprint and message. */
int store_retry_failed(store_t *st, const store_retry_t *r, const char *now, err_t *e);
/* The rule finished on the event: forget the pair. */
int store_retry_done(store_t *st, const char *rule, long long event_id, err_t *e);
/* Every pair, oldest event first, at most max. */
int store_retries(store_t *st, size_t max, store_retry_t **rows, size_t *n, err_t *e);
void store_retries_free(store_retry_t *rows, size_t n);
/* One event by id, as an array of one to free with store_events_free(ev,
 * 1): 1 found, 0 not (*ev NULL), -1 with e set. */
int store_event_get(store_t *st, long long id, store_event_t **ev, err_t *e);

/* ---- flags and the outbox ----------------------------------------------- */

typedef struct store_flag {
    long long id, run_id, event_id;   /* event_id 0: none */
    const char *rule, *severity, *message, *source, *key, *change;
    const char *observed_at, *created_at;
    const char *dedup;
    /* its context (channel/channel.h, channel_flag_t): each may be NULL */
    const char *title, *link, *source_name, *rule_title;
    const char *changes;              /* JSON array (channel/changes.h) */
} store_flag_t;

/* Record a flag unless one with the same dedup key exists. *inserted is 1
 * and f->id set when it was new, 0 for a duplicate. */
int store_flag_add(store_t *st, store_flag_t *f, int *inserted, err_t *e);

int store_outbox_add(store_t *st, long long flag_id, const char *channel, err_t *e);

/* A pending outbox row with its flag as a JSON object (see README). */
typedef struct store_outbox_row {
    long long id, flag_id;
    char *flag_json;
    char *severity, *rule, *source, *message, *key, *created_at;
    char *title, *link, *source_name, *rule_title, *change, *observed_at, *changes;
    char *page;           /* set by the caller (alert.c): the flag's web page, or NULL */
    int attempts;         /* failed attempts so far */
    char *next_attempt;   /* ISO time before which not to retry, or NULL */
} store_outbox_row_t;

int store_outbox_pending(store_t *st, const char *channel,
                         store_outbox_row_t **rows, size_t *n, err_t *e);
void store_outbox_free(store_outbox_row_t *rows, size_t n);
int store_outbox_sent(store_t *st, long long outbox_id, const char *now, err_t *e);
/* A failed attempt: the row keeps `attempts`, the error and when to try
 * again, or becomes dead (never tried again until revived). */
int store_outbox_failed(store_t *st, long long outbox_id, int attempts, const char *error,
                        const char *next_attempt, int dead, err_t *e);
/* Dead rows of one channel (NULL: all) pending again with a fresh count;
 * *n says how many. */
int store_outbox_revive(store_t *st, const char *channel, long *n, err_t *e);

/* ---- runs ---------------------------------------------------------------- */

typedef struct store_run {
    long long id;
    const char *started_at, *finished_at;
    int exit_code;
    long sources, fetched, unchanged, failed, events, flags;
    const char *errors_json;  /* JSON array of messages */
    const char *warnings_json; /* JSON array of messages (warnings: the run went on) */
} store_run_t;

/* Record a run that starts now ('running'). Called holding the run lock
 * (run/lock.h), it first marks every run still 'running' as 'aborted':
 * with the lock held, none of them is alive; their finished_at stays
 * NULL (the end is unknown). */
int store_run_begin(store_t *st, const char *started_at, long long *run_id, err_t *e);
int store_run_finish(store_t *st, const store_run_t *r, err_t *e);

/* *n: how many flags the run raised under an active silence (recorded,
 * never delivered). 0, or -1 with e set. */
int store_run_silenced(store_t *st, long long run_id, long *n, err_t *e);

/* ---- silences (alert/silence.c) ------------------------------------------ */

typedef struct store_silence {
    long long id;
    const char *rule;                 /* a rule id or "*" */
    const char *source, *key;         /* NULL: any */
    const char *created_at, *until;   /* ISO-8601 UTC */
    const char *reason;
    const char *removed_at;           /* NULL while not removed */
    int active;                       /* when listed: active at the time asked */
    const char *json;                 /* when listed: the row as a JSON object */
} store_silence_t;

/* Store a new silence (id, removed_at, active and json are ignored); set
 * *id. */
int store_silence_add(store_t *st, const store_silence_t *s, long long *id, err_t *e);
/* Mark silence id removed at `now`; *found is 0 when there is no such
 * silence or it was removed before. */
int store_silence_remove(store_t *st, long long id, const char *now, int *found, err_t *e);
/* Call fn for each silence active at `now` — not removed, created_at <= now
 * < until — or, with all, for every one; by id. The strings live until fn
 * returns; fn returns non-zero to stop. */
typedef int (*store_silence_fn)(void *ud, const store_silence_t *s);
int store_silence_list(store_t *st, const char *now, int all, store_silence_fn fn, void *ud,
                       err_t *e);
/* Record on flag flag_id the silence that kept it from delivery. */
int store_flag_silence(store_t *st, long long flag_id, long long silence_id, err_t *e);

/* ---- the check rules' episodes (rules/checks.c) --------------------------- */

typedef struct store_check_state {
    int found;                 /* the (rule, key) has a row */
    int active;                /* its episode is ongoing */
    char *last_flagged_at;     /* when it was last flagged; free() it */
} store_check_state_t;

int store_check_get(store_t *st, const char *rule, const char *key, store_check_state_t *out,
                    err_t *e);
/* (rule, key) was flagged at `now`: its episode is active, and starts now
 * when new_episode (or when it had no row). */
int store_check_flagged(store_t *st, const char *rule, const char *key, const char *now,
                        int new_episode, err_t *e);
/* Call fn with each key of the rule whose episode is active. Ending one
 * (store_check_end) must wait until this returns. fn returns non-zero to
 * stop. */
typedef int (*store_key_fn)(void *ud, const char *key);
int store_check_active(store_t *st, const char *rule, store_key_fn fn, void *ud, err_t *e);
int store_check_end(store_t *st, const char *rule, const char *key, err_t *e);
/* The rule files last loaded: their fingerprint, and whether any had a
 * check. *known is 0 when this fingerprint is not the one remembered. */
int store_check_rules_get(store_t *st, const char *fingerprint, int *known, int *has_checks,
                          err_t *e);
int store_check_rules_put(store_t *st, const char *fingerprint, int has_checks, err_t *e);
/* The configuration last seen to pass the cross-reference check, by its
 * fingerprint (cli/references.h): *known is 1 when it is this one. */
int store_config_checked_get(store_t *st, const char *fingerprint, int *known, err_t *e);
int store_config_checked_put(store_t *st, const char *fingerprint, err_t *e);

/* ---- history for rules (vane.history, vane.events): read only ------------ */

/* The newest `max` events of one item, handed back oldest first. */
int store_history_item(store_t *st, const char *source, const char *key, size_t max,
                       store_event_t **evs, size_t *n, err_t *e);

typedef struct store_history_query {
    const char *source;   /* NULL: every source */
    const char *since;    /* ISO time, NULL: unbounded */
    const char *change;   /* "new", "changed", "removed" or NULL */
    int baseline;         /* 0 leaves out first-fetch events */
    size_t limit;         /* the newest this many */
} store_history_query_t;

/* The newest q->limit events matching q, handed back oldest first. */
int store_history_events(store_t *st, const store_history_query_t *q, store_event_t **evs,
                         size_t *n, err_t *e);

/* ---- reading history (vane events / flags / sources / runs / outbox) --- */

typedef enum store_list_kind {
    STORE_LIST_EVENTS, STORE_LIST_FLAGS, STORE_LIST_SOURCES, STORE_LIST_RUNS, STORE_LIST_OUTBOX
} store_list_kind_t;

typedef struct store_filter {
    const char *since;    /* ISO time or NULL */
    const char *source;   /* source id or NULL */
    const char *rule;     /* rule id or NULL (flags, outbox) */
    const char *channel;  /* channel id or NULL (outbox) */
    const char *key;      /* item key or NULL (events, flags) */
    const char *change;   /* "new", "changed", "removed" or NULL (events) */
    int all;              /* outbox: sent rows too */
    long limit;           /* the newest this many, in id order; 0: no limit */
} store_filter_t;

/* Called once per row with the row as a JSON object (README, "Output") and
 * its columns for a table for people (cols[0..ncols-1], NULL for none).
 * Return non-zero to stop. The strings live until fn returns. */
typedef int (*store_row_fn)(void *ud, const char *json, int ncols,
                            const char *const *names, const char *const *cols);

int store_list(store_t *st, store_list_kind_t kind, const store_filter_t *f,
               store_row_fn fn, void *ud, err_t *e);

/* ---- one flag's story, one item's versions (`vane show`, `vane history`;
 * sql_show.c): read only, each read an index seek ---------------------- */

/* A flag as stored, every string a copy to free (store_flag_row_free). */
typedef struct store_flag_row {
    long long id, run_id, event_id, silence_id;   /* 0: none */
    char *rule, *severity, *message, *source, *key, *change, *observed_at, *created_at;
    char *title, *link, *source_name, *rule_title, *changes;
} store_flag_row_t;

/* Flag id: 1 found (*out filled), 0 not, -1 with e set. */
int store_flag_get(store_t *st, long long id, store_flag_row_t *out, err_t *e);
void store_flag_row_free(store_flag_row_t *f);

/* An item's current state: its fields (JSON), when first and last seen,
 * when removed (a `removed` event) or missing from the list (NULL: not). */
typedef struct store_item_now {
    char *fields, *first_seen, *last_seen, *removed_at, *absent_since;
} store_item_now_t;

/* 1 found, 0 not, -1 with e set. */
int store_item_get(store_t *st, const char *source, const char *key, store_item_now_t *out,
                   err_t *e);
void store_item_now_free(store_item_now_t *it);

/* A silence by id, every string a copy (store_silence_row_free). */
typedef struct store_silence_row {
    long long id;
    char *rule, *source, *key, *created_at, *until, *reason, *removed_at;
} store_silence_row_t;

/* 1 found, 0 not, -1 with e set. */
int store_silence_get(store_t *st, long long id, store_silence_row_t *out, err_t *e);
void store_silence_row_free(store_silence_row_t *s);

/* Where a flag went: its outbox row for one channel. */
typedef struct store_delivery {
    long long id;
    char *channel;
    char *status;                   /* pending | sent | dead */
    int attempts;                   /* failed attempts so far */
    char *last_error, *next_attempt, *sent_at;   /* NULL: none */
} store_delivery_t;

/* The flag's deliveries, by channel id. */
int store_deliveries_get(store_t *st, long long flag_id, store_delivery_t **rows, size_t *n,
                         err_t *e);
void store_deliveries_free(store_delivery_t *rows, size_t n);

/* Every version of one item: its events, superseded ones left out, newest
 * first (free with store_events_free). */
int store_item_versions(store_t *st, const char *source, const char *key, store_event_t **evs,
                        size_t *n, err_t *e);

/* A flag raised on one of an item's events. */
typedef struct store_event_flag {
    long long event_id, id;
    char *rule, *severity, *message;
} store_event_flag_t;

/* The flags raised on the item's events (superseded ones left out), newest
 * event first, then by flag id. */
int store_item_flags(store_t *st, const char *source, const char *key, store_event_flag_t **rows,
                     size_t *n, err_t *e);
void store_event_flags_free(store_event_flag_t *rows, size_t n);

/* *known: 1 when the database has a row for the source. */
int store_source_known(store_t *st, const char *source, int *known, err_t *e);

/* ---- analysts' verdicts (sql_verdicts.c) ------------------------------ */

typedef struct store_verdict {
    long long flag_id;
    char *verdict;              /* "useful" or "noise" */
    char *note;                 /* or NULL */
    char *who, *at;
} store_verdict_t;

/* Record what who said of flag_id at `at` (replacing an earlier verdict).
 * verdict is "useful" or "noise", note may be NULL. 0, 1 when there is no
 * such flag, -1 with e set. */
int store_verdict_set(store_t *st, long long flag_id, const char *verdict, const char *note,
                      const char *who, const char *at, err_t *e);
/* The verdict on flag_id: 1 found (free it with store_verdict_free), 0
 * none, -1 with e set. */
int store_verdict_get(store_t *st, long long flag_id, store_verdict_t *out, err_t *e);
void store_verdict_free(store_verdict_t *v);

/* Per rule that raised a flag: its flags, and how many were judged useful
 * and noise; rules by id. */
typedef struct store_rule_verdicts {
    char *rule;
    long flags, useful, noise;
} store_rule_verdicts_t;
int store_rules_verdicts(store_t *st, store_rule_verdicts_t **rows, size_t *n, err_t *e);
void store_rules_verdicts_free(store_rule_verdicts_t *rows, size_t n);

/* ---- sharing the work among runs (pg_work.c) ------------------------------
 * On PostgreSQL any number of runs, on any hosts, may work at once: each
 * claims the due sources it fetches with a lease, evaluates the events it
 * locks, and delivers a channel's outbox only while it holds that
 * channel's lock. On SQLite one run works at a time (run/lock.h): these
 * give every source and event to it, and lock nothing. */

/* 1 when several runs may share the store (PostgreSQL). */
int store_shared(const store_t *st);

/* What a run claims sources as: its id and time, when its leases end, and
 * whether due times are set aside (--all, --only). */
typedef struct store_claim {
    long long run_id;
    const char *now;
    const char *until;
    int forced;
} store_claim_t;

/* Claim up to limit of the n sources ids (ones the run found due). Each
 * claimed[i] is set to STORE_CLAIMED for a source taken, STORE_GONE for
 * one another live run holds or that is no longer due (ask no more), 0 for
 * one to ask for again (beyond the limit, or being claimed by another run
 * this moment); *taken counts the STORE_CLAIMED. A source is taken when no
 * live lease holds it and it is still due: its next_due has come (the run
 * that fetched it last set the next), or, forced, no run that ran beside
 * this one has claimed it. SQLite: all n are taken. */
enum { STORE_CLAIMED = 1, STORE_GONE = 2 };
int store_sources_claim(store_t *st, const store_claim_t *c, const char *const *ids, size_t n,
                        size_t limit, unsigned char *claimed, size_t *taken, err_t *e);
/* End the run's leases (its sources are done). */
int store_sources_release(store_t *st, long long run_id, err_t *e);

/* Record that the rules finished on the n events of a batch (read with
 * store_events_pending in the same transaction). */
int store_events_evaluated(store_t *st, const store_event_t *evs, size_t n, err_t *e);

/* Hold the channel's delivery lock, waiting for a run that holds it;
 * release it. */
int store_channel_lock(store_t *st, const char *channel, err_t *e);
void store_channel_unlock(store_t *st, const char *channel);

/* ---- backup (sqlite_backup.c) ------------------------------------------- */

/* Copy the database at db_path, whole and consistent even while a run
 * writes it, to a new file beside `to` and then put it at `to`: an existing
 * `to` is replaced only when force is non-zero (else 1 is returned, nothing
 * written). The copy is one self-contained file (no -wal) readable by its
 * owner only. 0, 1, or -1 with e set. */
int store_backup(const char *db_path, const char *to, int force, err_t *e);

/* ---- copying a store into another (copy.c, `vane migrate-store`) -------- */

#define STORE_COPY_TABLES 16

/* How many rows one table has on both sides after a copy. */
typedef struct store_copy_table {
    const char *table;        /* a static string */
    long long rows;
} store_copy_table_t;

typedef struct store_copy_report {
    store_copy_table_t table[STORE_COPY_TABLES];
    size_t n;
} store_copy_report_t;

/* Copy every table of from (all but the schema's version) into to, which
 * must be empty, keeping ids; either may be SQLite or PostgreSQL. to is
 * written in one transaction and left as it was on any failure; the row
 * counts of every table are compared on both sides before the commit and
 * handed back in *out. A target with rows is refused naming the table, a
 * column of from with data that to lacks naming the table and column. 0,
 * or -1 with e set. */
int store_copy(store_t *from, store_t *to, store_copy_report_t *out, err_t *e);

#endif

/* reextract.h — fetched documents kept, and history derived again from
 * them.
 *
 * A run keeps each fetched body (compressed, by the store) for the
 * source's keep_documents and forgets older ones. `vane reextract SOURCE`
 * runs the source's current script over its kept documents, oldest first,
 * with the run's extract and diff steps: the source's items are rebuilt
 * from nothing (the first document is a baseline), the events observed in
 * that span are kept but marked superseded, and the rebuilt ones, stored
 * with their documents' fetch times, are marked rederived. Rules do not
 * see them unless --flags (then the next run evaluates them as new). */
#ifndef VANE_REEXTRACT_H
#define VANE_REEXTRACT_H

#include <stdio.h>

#include "config/config.h"
#include "fetch/fetch.h"
#include "store/store.h"
#include "util/err.h"

/* Keep res's body with the document just recorded for s in run_id, and
 * forget the source's bodies fetched more than keep_documents before now
 * (ISO). When s keeps none, every kept body of s is forgotten; a response
 * whose bytes are gone (a source with detail pages, run.c's wants_pages)
 * is not kept. 0, or -1 with e set. */
int reextract_keep(store_t *st, const config_t *cfg, const source_cfg_t *s, long long run_id,
                   const char *now, const fetch_res_t *res, err_t *e);

typedef struct reextract_opts {
    const char *source;   /* the source's id (it is in the configuration) */
    const char *since;    /* ISO time, or NULL for every kept document */
    int flags;            /* let the next run's rules see the rebuilt events */
    double wait;          /* seconds to wait for the run lock */
    int json;
    FILE *out, *err;
} reextract_opts_t;

/* `vane reextract`. Returns an exit status (util/exitcode.h). */
int reextract_main(const config_t *cfg, const char *db_path, const reextract_opts_t *o);

#endif

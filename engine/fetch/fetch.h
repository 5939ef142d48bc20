/* fetch.h — getting documents over HTTP(S) with libcurl.
 *
 * One call fetches a batch of requests concurrently with the curl multi
 * interface — at most max_parallel transfers at once and per_host per host,
 * connections reused, HTTP/2 where offered, compressed bodies accepted —
 * and reports each one through a callback as it finishes, so the caller
 * extracts and stores a document while others are still in flight.
 *
 * Requests are conditional when an ETag or Last-Modified is known; a 304
 * comes back as not_modified. Transient failures (timeouts, resets, 429,
 * 502, 503, 504) are retried a few times, honouring Retry-After when it fits
 * in max_retry_wait. Only http and https are allowed (and file with
 * allow_file), redirects are capped, and a body larger than max_bytes is cut
 * off with an error. */
#ifndef VANE_FETCH_H
#define VANE_FETCH_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

typedef struct fetch_req {
    const char *url;
    const char *etag, *last_modified;   /* validators from the last fetch, or NULL */
    long timeout;                       /* seconds for the whole transfer */
    long long max_bytes;
    void *ud;                           /* the caller's, handed back */
} fetch_req_t;

typedef struct fetch_res {
    long status;            /* HTTP status, 0 when no response */
    int not_modified;       /* 304 */
    buf_t body;
    buf_t headers;          /* the final response's header lines, "name: value\n" */
    char *etag, *last_modified, *content_type;
    char *effective_url;
    double seconds;
    int attempts;           /* 1 + retries made */
    char error[512];        /* empty when the fetch succeeded */
} fetch_res_t;

typedef struct fetch_opts {
    const char *user_agent;    /* NULL: "vane/VERSION" */
    long max_redirects;        /* 0: 5 */
    long max_parallel;         /* 0: 16 */
    long per_host;             /* 0: 4 */
    long retries;              /* extra attempts after a transient failure; -1: 0 */
    long max_retry_wait;       /* seconds a retry may be put off; 0: 30 */
    long connect_timeout;      /* seconds; 0: 10 */
    int allow_file;
} fetch_opts_t;

/* Called once per request, in completion order. res is freed after the
 * callback returns (steal what you keep). */
typedef void (*fetch_done_fn)(void *ud, const fetch_req_t *req, fetch_res_t *res);

/* Fetch all requests. Returns 0, or -1 with e set if fetching could not
 * start at all (each request's own failure is reported in its result). */
int fetch_all(const fetch_req_t *reqs, size_t n, const fetch_opts_t *opts,
              fetch_done_fn done, void *ud, err_t *e);

/* libcurl's global set-up (TLS libraries and all), done when first
 * needed: by fetch_all and by the channels that send with libcurl before
 * their first transfer, so a run with nothing to fetch or deliver never
 * pays for it. Again after it is done: nothing. fetch_global_cleanup
 * undoes it when it was done (at exit). */
int fetch_global_init(err_t *e);
void fetch_global_cleanup(void);

#endif

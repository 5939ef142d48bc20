/* fetch.h — getting documents over HTTP(S) with libcurl.
 *
 * One call fetches a batch of requests concurrently with the curl multi
 * interface — at most max_parallel transfers at once and per_host per host,
 * connections reused, HTTP/2 where offered, compressed bodies accepted —
 * and reports each one through a callback as it finishes, so the caller
 * extracts and stores a document while others are still in flight.
 *
 * A GET is conditional when an ETag or Last-Modified is known; a 304
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

/* What a source sends beyond a plain GET (vane.lua's headers, cookies,
 * method and body, auth, proxy and TLS keys; config/decl_request.c). Every
 * field may be NULL/0: a plain GET with libcurl's defaults. A proxy unset
 * here leaves libcurl reading http_proxy, https_proxy and no_proxy from
 * the environment. */
typedef struct fetch_http {
    char **headers;        /* "Name: value" lines (Cookie and Accept-Language
                              included), NULL-terminated; NULL: none */
    char *method;          /* "POST", "PUT"…; NULL: GET */
    char *body;            /* sent as is, body_len bytes; NULL: none */
    size_t body_len;
    char *content_type;    /* the body's Content-Type */
    char *user, *password; /* HTTP authentication; NULL: none */
    int digest;            /* Digest instead of Basic */
    char *proxy;           /* "http://host:3128", "socks5h://host:1080"; NULL: none */
    char *ca_file;         /* CA bundle to verify the server with; NULL: the system's */
    int insecure_tls;      /* do not verify the server's certificate (an explicit opt-in) */
} fetch_http_t;

typedef struct fetch_req {
    const char *url;
    const fetch_http_t *http;           /* what to send beyond a GET, or NULL */
    const char *page_of;                /* a detail page: the source's url. It is a GET
                                           without body, with http's proxy and TLS, and
                                           its headers, cookies and credentials when on
                                           the source's host; NULL: the source itself */
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

/* http.h — one HTTP request of a channel (the kinds that talk to a web
 * service: webhook, slack, teams, discord, telegram, matrix, ntfy,
 * pushover).
 *
 * Redirects are not followed (a moved hook is an error to fix, not
 * something to chase with a signed body), only http and https are spoken,
 * the attempt is bounded by the channel's timeout, and the request always
 * carries User-Agent: vane/VERSION (unless a header of the request's own
 * sets it) and no Expect: 100-continue. Accepted means a 2xx answer.
 * Errors give the service, the status and the start of the answer, or
 * curl's message; never the URL (hook URLs and bot tokens in paths are
 * secrets) nor a header's value. */
#ifndef VANE_HTTP_H
#define VANE_HTTP_H

#include <stddef.h>

#include "config/config.h"
#include "util/buf.h"
#include "util/err.h"

#define HTTP_ANSWER_KEEP 4096   /* bytes of the answer kept */

typedef struct http_req {
    const char *service;       /* "slack": names the service in errors */
    const char *method;        /* "POST" (NULL) or "PUT" */
    const char *url;
    const char *content_type;  /* NULL: application/json */
    char *const *headers;      /* more "Name: value" lines, NULL-terminated; may be NULL */
    const char *body;
    size_t len;
} http_req_t;

typedef struct http_resp {
    long status;               /* 0 when no answer came */
    buf_t body;                /* the first HTTP_ANSWER_KEEP bytes of the answer; buf_free it */
} http_resp_t;

/* Send r for channel c. 0 on a 2xx answer; -1 with e set to
 * "channel ID: SERVICE answered HTTP N: start of the answer" or
 * "channel ID: SERVICE: curl's message" otherwise. resp may be NULL;
 * when given it is filled in either case (free its body). */
int http_send(const channel_cfg_t *c, const http_req_t *r, http_resp_t *resp, err_t *e);

/* Does one of the "Name: value" lines set header name (any case)? */
int http_has_header(char *const *headers, const char *name);

#endif

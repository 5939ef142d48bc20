/* api.h — the machine-readable parts of `vane serve`, one table of routes
 * (serve_routes_api in api.c): the JSON API (api.c), the Atom feed of
 * flags (feed.c) and the Prometheus metrics (metrics_page.c). Private to
 * engine/serve/. */
#ifndef VANE_SERVE_API_H
#define VANE_SERVE_API_H

#include "serve/serve.h"
#include "store/flag_query.h"

/* The flags page's filters from r's query: rule, source, severity (the
 * least), since and until (ISO times or dates; until a date means to its
 * end), q (in the message or title), limit (up to 500; def_limit when not
 * given), before (a flag id). An empty parameter counts as not given. */
typedef struct api_flags_asked {
    store_web_filter_t q;
    char since[32], until[32];  /* the times as ISO, which q points to */
} api_flags_asked_t;

/* 0; or 1 with *why saying which parameter is wrong. */
int api_flag_query(const serve_req_t *r, long def_limit, api_flags_asked_t *a, const char **why);

/* The public address (serve { url }) without its trailing slashes, or
 * NULL; a copy to free. */
char *api_base_url(const serve_req_t *r);

int feed_flags(const serve_req_t *r, serve_resp_t *out);      /* GET /flags.atom */
int metrics_page(const serve_req_t *r, serve_resp_t *out);    /* GET /metrics */

#endif

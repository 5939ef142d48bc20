/* api.h — the machine-readable parts of `vane serve`, one table of routes
 * (serve_routes_api in api.c): the JSON API (api.c), the Atom feed of
 * flags (feed.c) and the Prometheus metrics (metrics_page.c). Private to
 * engine/serve/. */
#ifndef VANE_SERVE_API_H
#define VANE_SERVE_API_H

#include "serve/serve.h"
#include "store/flag_query.h"

/* The flags page's filters from r's query (rule, source, severity — the
 * minimum —, since, q, limit up to 500, before), with def_limit when no
 * limit is given. 0; or 1 with *why saying which parameter is wrong. An
 * empty parameter counts as not given. */
int api_flag_query(const serve_req_t *r, long def_limit, store_flag_query_t *q,
                   const char **why);

/* The public address (serve { url }) without its trailing slashes, or
 * NULL; a copy to free. */
char *api_base_url(const serve_req_t *r);

int feed_flags(const serve_req_t *r, serve_resp_t *out);      /* GET /flags.atom */
int metrics_page(const serve_req_t *r, serve_resp_t *out);    /* GET /metrics */

#endif

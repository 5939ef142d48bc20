/* pages_charts.h — the handlers of the advisories, sources and rules
 * pages (page_advisories.c, page_sources.c, page_rules.c), listed in
 * serve_routes_charts (charts_routes.c), and what they share. */
#ifndef VANE_PAGES_CHARTS_H
#define VANE_PAGES_CHARTS_H

#include "serve/serve.h"

extern const serve_route_t serve_routes_charts[];

int page_advisories(const serve_req_t *r, serve_resp_t *out);   /* GET /advisories */
int page_advisory(const serve_req_t *r, serve_resp_t *out);     /* GET /advisories/{}/{} */
int page_sources(const serve_req_t *r, serve_resp_t *out);      /* GET /sources */
int page_rules(const serve_req_t *r, serve_resp_t *out);        /* GET /rules */

/* An ISO time as seconds since the epoch; `otherwise` when it is NULL or
 * not a time. */
long long pages_epoch(const char *iso, long long otherwise);

#endif

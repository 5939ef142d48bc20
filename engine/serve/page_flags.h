/* page_flags.h — the handlers of the pages of flags and items (the table
 * serve_routes_flags in page_flags.c): the list of flags, one flag with
 * its verdict form, the verdict's POST, one item's history. */
#ifndef VANE_PAGE_FLAGS_H
#define VANE_PAGE_FLAGS_H

#include "serve/serve.h"

/* GET /flags (page_flags.c) */
int page_flags(const serve_req_t *r, serve_resp_t *out);
/* GET /flags/{id} and POST /flags/{id}/verdict (page_flag.c) */
int page_flag(const serve_req_t *r, serve_resp_t *out);
int page_flag_verdict(const serve_req_t *r, serve_resp_t *out);
/* GET /items/{source}/{key}, or /items/{source}?key=KEY (page_item.c) */
int page_item(const serve_req_t *r, serve_resp_t *out);

/* A flag id from a path segment: 1..LLONG_MAX, or 0 when it is not one. */
long long page_flag_id(const char *s);

#endif

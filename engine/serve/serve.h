/* serve.h — `vane serve`, the desk's read-only web view: what a request
 * handler is given and gives back, and the table of routes.
 *
 * The server (server.c) runs libmicrohttpd with one thread that polls
 * every connection and calls the handlers, so a handler runs alone, with
 * the server's one database connection (ctx->st), and never blocks on a
 * client: the request is whole (body read, limits checked, the session
 * and CSRF token checked for a POST) before its handler is called, and
 * the response is written by the server after it returns.
 *
 * A handler fills out (status, content type, body, Location) and returns
 * 0, or -1 when it failed (memory, the database): the server then answers
 * 500 with a page saying so, and the error is printed on the server's
 * standard error. A handler never prints. Every text that comes from the
 * database, a feed or a person is escaped for where it goes (html.h). */
#ifndef VANE_SERVE_H
#define VANE_SERVE_H

#include <stddef.h>

#include "config/config.h"
#include "store/store.h"
#include "util/buf.h"

struct rules;

typedef struct serve_ctx {
    store_t *st;                /* the database, opened read-write (verdicts), WAL */
    const config_t *cfg;        /* the configuration in effect */
    struct rules *rules;        /* the rules loaded from it (titles, files), or NULL */
    const char *url;            /* serve { url = … }: the public address, or NULL */
} serve_ctx_t;

typedef struct serve_param {
    const char *name, *value;   /* decoded */
} serve_param_t;

typedef struct serve_req {
    const serve_ctx_t *ctx;
    const char *method;         /* "GET", "HEAD" or "POST" */
    const char *path;           /* decoded, without the query: "/flags/12" */
    const serve_param_t *query; /* the query string's parameters, decoded, in order */
    size_t n_query;
    const serve_param_t *form;  /* a POST's form fields (application/x-www-form-urlencoded) */
    size_t n_form;
    const char *const *args;    /* the route's captured segments, decoded ("12") */
    size_t n_args;
    const char *user;           /* who is signed in: a user's name, "token", or "local"
                                   when the server needs no sign-in */
    const char *csrf;           /* the value a form must send as field "csrf" */
} serve_req_t;

typedef struct serve_resp {
    int status;                 /* 0 means 200 */
    const char *content_type;   /* NULL means "text/html; charset=utf-8" */
    buf_t body;
    char *location;             /* malloc'd, for 303 See Other after a POST; or NULL */
    int cache_seconds;          /* > 0: Cache-Control max-age (static assets) */
} serve_resp_t;

/* 0, or -1 when the handler failed (the server answers 500). */
typedef int (*serve_handler_fn)(const serve_req_t *r, serve_resp_t *out);

typedef struct serve_route {
    const char *method;         /* "GET" (also answers HEAD) or "POST" */
    const char *pattern;        /* "/flags/{}": each {} captures one non-empty segment */
    serve_handler_fn fn;
} serve_route_t;

/* Each part of the view has its own table of routes, ended by {NULL},
 * in its own file (serve_routes_core in server.c, …); routes.c lists the
 * tables, so a new part adds one table and one line there. */
extern const serve_route_t *const serve_route_tables[];

#define SERVE_MAX_ARGS 4

/* The route for method and path, with its captured segments (decoded,
 * malloc'd into args, at most SERVE_MAX_ARGS; free them with
 * serve_args_free). NULL when no route has the path (*path_known 0: 404)
 * or only for another method (*path_known 1: 405). */
const serve_route_t *serve_route_find(const char *method, const char *path,
                                      char *args[SERVE_MAX_ARGS], size_t *n_args,
                                      int *path_known);
void serve_args_free(char *args[SERVE_MAX_ARGS], size_t n);

/* The value of a query parameter or form field (the first of that name),
 * or NULL. */
const char *serve_query(const serve_req_t *r, const char *name);
const char *serve_form(const serve_req_t *r, const char *name);

/* A query parameter's value, NULL when absent or empty (an empty form
 * field means "not given"). */
const char *serve_query_given(const serve_req_t *r, const char *name);

/* A date ("2024-11-27") or ISO time of a since/until filter as an ISO
 * time into iso; an `until` given as a date means the end of that day.
 * 0, or -1 when v is neither. */
int serve_time_bound(const char *v, int is_until, char iso[32]);

/* A page for an error: status and a short message, as HTML. 0, or -1
 * when memory ran out. */
int serve_error_page(serve_resp_t *out, int status, const char *message);

/* A JSON body (content type application/json). */
void serve_json(serve_resp_t *out);

#endif

/* routes.c — the tables of routes of `vane serve` and finding the one for
 * a request (see serve.h). */
#include "serve/serve.h"

#include <stdlib.h>
#include <string.h>

extern const serve_route_t serve_routes_core[];   /* server.c */
extern const serve_route_t serve_routes_flags[];  /* page_flags.c, page_flag.c, page_item.c */
extern const serve_route_t serve_routes_api[];    /* api.c, feed.c, metrics_page.c */
extern const serve_route_t serve_routes_charts[]; /* charts_routes.c */

/* The parts' tables; a part adds its table here. */
const serve_route_t *const serve_route_tables[] = {
    serve_routes_core,
    serve_routes_flags,
    serve_routes_api,
    serve_routes_charts,
    NULL,
};

/* Does path match pattern? Captures each {} segment into args. */
static int match(const char *pattern, const char *path, char *args[SERVE_MAX_ARGS], size_t *n)
{
    *n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (p[0] == '{' && p[1] == '}') {
            size_t len = strcspn(s, "/");
            if (len == 0 || *n == SERVE_MAX_ARGS)
                return 0;
            args[*n] = strndup(s, len);
            if (!args[*n])
                return 0;
            (*n)++;
            s += len;
            p += 2;
        } else if (*p++ != *s++) {
            return 0;
        }
    }
    return *p == '\0' && *s == '\0';
}

void serve_args_free(char *args[SERVE_MAX_ARGS], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(args[i]);
        args[i] = NULL;
    }
}

static int same_method(const serve_route_t *rt, const char *method)
{
    return strcmp(rt->method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0);
}

const serve_route_t *serve_route_find(const char *method, const char *path,
                                      char *args[SERVE_MAX_ARGS], size_t *n_args,
                                      int *path_known)
{
    *path_known = 0;
    *n_args = 0;
    for (size_t t = 0; serve_route_tables[t]; t++) {
        for (const serve_route_t *rt = serve_route_tables[t]; rt->pattern; rt++) {
            size_t n = 0;
            if (!match(rt->pattern, path, args, &n)) {
                serve_args_free(args, n);
                continue;
            }
            *path_known = 1;
            if (same_method(rt, method)) {
                *n_args = n;
                return rt;
            }
            serve_args_free(args, n);
        }
    }
    return NULL;
}

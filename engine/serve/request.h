/* request.h — reading what a client sent to `vane serve`: the path and
 * query of the request line, a form body, the listening address. Pure
 * functions, no server: the server (server.c) calls them and answers 400
 * when they refuse. */
#ifndef VANE_SERVE_REQUEST_H
#define VANE_SERVE_REQUEST_H

#include <stddef.h>
#include <sys/socket.h>

#include "serve/serve.h"

#define REQUEST_MAX_PARAMS 100   /* query or form fields at most */

/* The path of a request target ("/flags/a%20b?x=1" → "/flags/a b"), %-
 * decoded, malloc'd into *out. -1 (nothing to free) when it does not start
 * with '/', has a bad %-escape, decodes to a NUL, a control character,
 * ill-formed UTF-8, or has a "." or ".." segment. */
int request_path(const char *target, char **out);

/* The query string of a request target (after '?', before '#'), or "". */
const char *request_query_string(const char *target);

/* Parse "a=1&b=x+y&c" (a query or an application/x-www-form-urlencoded
 * body, len bytes) into *out (malloc'd, names and values decoded: '+' is a
 * space; "c" has the value ""). 0; -1 when a %-escape is bad, a name or
 * value is not UTF-8 or holds a NUL, or there are more than max fields.
 * Free with request_params_free. */
int request_params(const char *s, size_t len, size_t max, serve_param_t **out, size_t *n);
void request_params_free(serve_param_t *v, size_t n);

/* "ADDR:PORT" / "[V6]:PORT" as a socket address. 0, or -1 when it is not
 * a numeric address with a port from 1 to 65535. */
int request_listen_addr(const char *listen, struct sockaddr_storage *sa, socklen_t *len);

/* Is the address loopback (127.0.0.0/8, ::1)? */
int request_is_loopback(const struct sockaddr *sa);

/* The origin ("https://host:port") of a URL, malloc'd; NULL when it has
 * no scheme://host. */
char *request_origin_of(const char *url);

#endif

/* server.h — `vane serve`'s HTTP server: libmicrohttpd (mhd_lazy.h) with
 * one internal polling thread that reads every request whole, checks it
 * (limits, path, sign-in, CSRF, Origin), calls its route's handler
 * (serve.h) and sends the answer with the security headers every response
 * carries. Also the core routes: /, /static/vane.css, /static/vane.js,
 * /login and /logout.
 *
 * Limits: 64 connections (16 per client address), 15 s of silence closes
 * a connection, a URL of 8 KB (414), a body of 64 KB (413), 100 query or
 * form fields (400). */
#ifndef VANE_SERVE_SERVER_H
#define VANE_SERVE_SERVER_H

#include "serve/serve.h"
#include "util/err.h"

#define SERVER_DEFAULT_LISTEN "127.0.0.1:8080"
#define SERVER_MAX_CONNECTIONS 64
#define SERVER_MAX_PER_IP 16
#define SERVER_TIMEOUT_SECONDS 15
#define SERVER_MAX_URL 8192
#define SERVER_MAX_BODY 65536

typedef struct server server_t;

typedef struct server_opts {
    const char *listen;      /* "ADDR:PORT"; NULL: serve { listen }, else the default */
    serve_ctx_t ctx;         /* the store, configuration and rules handlers see */
} server_opts_t;

/* Start serving in the server's own thread. NULL with e set, and *usage 1
 * when the fault is the configuration's (a bad address; no token or users
 * while listening beyond loopback), 0 when it is the system's. */
server_t *server_start(const server_opts_t *o, int *usage, err_t *e);

/* The address it listens on ("127.0.0.1:8080"). */
const char *server_address(const server_t *s);

/* Stop: no new connections, the running request finished, all freed. */
void server_stop(server_t *s);

#endif

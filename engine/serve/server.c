/* server.c — the HTTP side of `vane serve` (see server.h): libmicrohttpd
 * driven by one internal polling thread, each request read whole and
 * checked, then handed to its route's handler; the security headers; the
 * core routes (/, static assets, sign-in and sign-out). */
#include "serve/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve/auth.h"
#include "serve/html.h"
#include "serve/mhd_lazy.h"
#include "serve/request.h"
#include "util/url.h"

#define CSP "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; " \
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

struct server {
    serve_ctx_t ctx;            /* first: a core handler finds its server from r->ctx */
    struct MHD_Daemon *daemon;
    auth_t *auth;
    char *own_origin;           /* of serve { url }, or NULL */
    char address[80];
    /* the request being handled (one at a time) */
    const char *cookie;         /* its session cookie, or NULL */
    char set_cookie[256];       /* a Set-Cookie a core handler asks for, or "" */
    char client[112];           /* its address, for the log */
};

/* What is kept of one request between the calls libmicrohttpd makes. */
typedef struct pending {
    char *target;               /* the request target as sent: path and query */
    buf_t body;
    int started, too_large;
} pending_t;

/* A line on the server's standard error: what went wrong serving. */
static void say(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, fmt, a, b);
    fflush(stderr);
}

/* ---- sending ---------------------------------------------------------------------- */

static int add_headers(struct MHD_Response *m, const serve_resp_t *out, const server_t *s)
{
    char cache[48];
    if (out->cache_seconds > 0)
        snprintf(cache, sizeof cache, "public, max-age=%d", out->cache_seconds);
    else
        snprintf(cache, sizeof cache, "no-store");
    int ok = MHD_add_response_header(m, "Content-Security-Policy", CSP) == MHD_YES &&
             MHD_add_response_header(m, "X-Content-Type-Options", "nosniff") == MHD_YES &&
             MHD_add_response_header(m, "Referrer-Policy", "same-origin") == MHD_YES &&
             MHD_add_response_header(m, "X-Frame-Options", "DENY") == MHD_YES &&
             MHD_add_response_header(m, "Cache-Control", cache) == MHD_YES &&
             MHD_add_response_header(m, "Content-Type", out->content_type ? out->content_type
                                                        : "text/html; charset=utf-8") == MHD_YES;
    if (ok && out->location)
        ok = MHD_add_response_header(m, "Location", out->location) == MHD_YES;
    if (ok && s->set_cookie[0])
        ok = MHD_add_response_header(m, "Set-Cookie", s->set_cookie) == MHD_YES;
    if (ok && out->status == 401 && s->ctx.cfg && s->ctx.cfg->serve.token)
        ok = MHD_add_response_header(m, "WWW-Authenticate", "Bearer realm=\"vane\"") == MHD_YES;
    return ok ? 0 : -1;
}

/* Queue out (its body copied) with the headers every answer carries. */
static enum MHD_Result send_resp(server_t *s, struct MHD_Connection *c, const serve_resp_t *out)
{
    struct MHD_Response *m = MHD_create_response_from_buffer(out->body.len, out->body.p,
                                                             MHD_RESPMEM_MUST_COPY);
    if (!m)
        return MHD_NO;
    enum MHD_Result rc = MHD_NO;
    if (add_headers(m, out, s) == 0)
        rc = MHD_queue_response(c, out->status ? (unsigned)out->status : 200, m);
    MHD_destroy_response(m);
    return rc;
}

static void resp_free(serve_resp_t *out)
{
    buf_free(&out->body);
    free(out->location);
    memset(out, 0, sizeof *out);
}

/* An error page with the usual headers. */
static enum MHD_Result send_error(server_t *s, struct MHD_Connection *c, int status,
                                  const char *message)
{
    serve_resp_t out = {0};
    enum MHD_Result rc = serve_error_page(&out, status, message) == 0 ? send_resp(s, c, &out) : MHD_NO;
    resp_free(&out);
    return rc;
}

static enum MHD_Result send_redirect(server_t *s, struct MHD_Connection *c, const char *to)
{
    serve_resp_t out = {.status = 303, .location = strdup(to)};
    enum MHD_Result rc = out.location ? send_resp(s, c, &out) : MHD_NO;
    resp_free(&out);
    return rc;
}

/* ---- who is asking -------------------------------------------------------------------- */

/* The request's user and CSRF token, or NULL for nobody. */
static const char *who(server_t *s, struct MHD_Connection *c, const char **csrf)
{
    *csrf = auth_server_csrf(s->auth);
    if (!auth_required(s->auth))
        return "local";
    if (auth_bearer_ok(s->auth, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization")))
        return "token";
    return s->cookie ? auth_session_user(s->auth, s->cookie, time(NULL), csrf) : NULL;
}

/* Pages anyone may load: the stylesheet, the script, the sign-in form. */
static int is_public(const char *path)
{
    return strncmp(path, "/static/", 8) == 0 || strcmp(path, "/login") == 0;
}

/* Machine-read paths answer 401 rather than sending people to /login. */
static int is_api(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
           strcmp(path, "/metrics") == 0;
}

/* Does a POST's Origin (when it has one) name this server? */
static int origin_ok(const server_t *s, struct MHD_Connection *c)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (!origin)
        return 1;
    if (s->own_origin && strcasecmp(origin, s->own_origin) == 0)
        return 1;
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!host)
        return 0;
    const char *rest = strncasecmp(origin, "http://", 7) == 0    ? origin + 7
                       : strncasecmp(origin, "https://", 8) == 0 ? origin + 8
                                                                 : NULL;
    return rest && strcasecmp(rest, host) == 0;
}

/* /login?next=TARGET, TARGET escaped. */
static enum MHD_Result to_login(server_t *s, struct MHD_Connection *c, const char *target)
{
    buf_t to = {0};
    int rc = buf_puts(&to, "/login?next=") | url_encode_component(&to, target);
    enum MHD_Result r = rc == 0 ? send_redirect(s, c, to.p) : MHD_NO;
    buf_free(&to);
    return r;
}

/* ---- one request ---------------------------------------------------------------------- */

/* A printable copy of what a client sent, for the log. */
static void loggable(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (const char *c = in ? in : ""; *c && o + 1 < size; c++)
        out[o++] = (unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f ? '?' : *c;
    out[o] = '\0';
}

/* The client's address for the log; behind a reverse proxy on this
 * machine, the address the proxy says it forwards for (X-Forwarded-For). */
static void client_address(server_t *s, struct MHD_Connection *c)
{
    char peer[INET6_ADDRSTRLEN] = "?";
    const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = i ? i->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, peer,
                  sizeof peer);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, peer,
                  sizeof peer);
    const char *fwd = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!fwd || !sa || !request_is_loopback(sa)) {
        snprintf(s->client, sizeof s->client, "%s", peer);
        return;
    }
    char shown[48];
    loggable(fwd, shown, sizeof shown);
    snprintf(s->client, sizeof s->client, "%.47s (via %s)", shown, peer);
}

/* The form of a POST: application/x-www-form-urlencoded only. */
static int read_form(struct MHD_Connection *c, const pending_t *p, serve_param_t **form, size_t *n)
{
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0 || !p->body.len)
        return 0;
    return request_params(p->body.p, p->body.len, REQUEST_MAX_PARAMS, form, n);
}

static int csrf_ok(const serve_req_t *r)
{
    const char *sent = serve_form(r, "csrf");
    return sent && r->csrf && auth_equal(sent, r->csrf);
}

/* Find the request's route; for a POST check where it comes from and its
 * CSRF token; call the handler, send what it gives. */
/* The page's answer in out. A database that restarted since the last
 * page is connected to again, before the page or, when the loss shows only
 * as the page's failure, before it is made once more. 0, or -1. */
static int page(server_t *s, const serve_route_t *rt, serve_req_t *r, serve_resp_t *out)
{
    if (store_revive(s->ctx.st, NULL) < 0)
        return -1;
    if (rt->fn(r, out) == 0)
        return 0;
    if (store_revive(s->ctx.st, NULL) != 1)
        return -1;
    resp_free(out);
    *out = (serve_resp_t){0};
    return rt->fn(r, out);
}

static enum MHD_Result route(server_t *s, struct MHD_Connection *c, const char *method,
                             serve_req_t *r)
{
    char *args[SERVE_MAX_ARGS] = {0};
    size_t n_args = 0;
    int known = 0;
    const serve_route_t *rt = serve_route_find(method, r->path, args, &n_args, &known);
    if (!rt)
        return send_error(s, c, known ? 405 : 404,
                          known ? "This page does not take that method." : "There is no such page.");
    r->args = (const char *const *)args;
    r->n_args = n_args;
    serve_resp_t out = {0};
    enum MHD_Result rc;
    int post = strcmp(method, "POST") == 0;
    if (post && !origin_ok(s, c)) {
        rc = send_error(s, c, 403, "This form was sent from another site.");
    } else if (post && strcmp(r->path, "/login") != 0 && !csrf_ok(r)) {
        rc = send_error(s, c, 403, "The form's CSRF token is missing or stale: reload the page.");
    } else if (page(s, rt, r, &out) != 0) {
        say("vane: %s %s: the page failed (out of memory, or the database failed)\n", method,
            r->path);
        rc = send_error(s, c, 500, "This page failed; the server's log says so.");
    } else {
        rc = send_resp(s, c, &out);
    }
    resp_free(&out);
    serve_args_free(args, n_args);
    return rc;
}

/* Check a request that is whole (method, who is asking), then answer
 * it. Someone unknown learns nothing of which paths exist. */
static enum MHD_Result answer(server_t *s, struct MHD_Connection *c, const char *method,
                              const pending_t *p, serve_req_t *r)
{
    int post = strcmp(method, "POST") == 0;
    if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_error(s, c, 405, "vane serve answers GET, HEAD and POST only.");
    if (!r->user && !is_public(r->path))
        return !post && !is_api(r->path)
                   ? to_login(s, c, p->target)
                   : send_error(s, c, 401, "Sign in first, or send the bearer token.");
    return route(s, c, method, r);
}

/* Decode the request line and form, find who is asking, answer. */
static enum MHD_Result handle(server_t *s, struct MHD_Connection *c, const char *method,
                              const pending_t *p)
{
    s->set_cookie[0] = '\0';
    s->cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, AUTH_COOKIE);
    client_address(s, c);
    char *path = NULL;
    serve_param_t *query = NULL, *form = NULL;
    size_t n_query = 0, n_form = 0;
    enum MHD_Result rc;
    if (request_path(p->target, &path) != 0)
        rc = send_error(s, c, 400, "The path is not valid (a bad %-escape, a NUL, or ..).");
    else if (request_params(request_query_string(p->target), strlen(request_query_string(p->target)),
                            REQUEST_MAX_PARAMS, &query, &n_query) != 0)
        rc = send_error(s, c, 400, "The query is not valid, or has more than 100 parameters.");
    else if (strcmp(method, "POST") == 0 && read_form(c, p, &form, &n_form) != 0)
        rc = send_error(s, c, 400, "The form is not valid, or has more than 100 fields.");
    else {
        serve_req_t r = {.ctx = &s->ctx, .method = method, .path = path, .query = query,
                         .n_query = n_query, .form = form, .n_form = n_form};
        r.user = who(s, c, &r.csrf);
        rc = answer(s, c, method, p, &r);
    }
    free(path);
    request_params_free(query, n_query);
    request_params_free(form, n_form);
    return rc;
}

/* libmicrohttpd's first look at a request: keep its target as sent. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    pending_t *p = calloc(1, sizeof *p);
    if (p)
        p->target = strdup(uri ? uri : "");
    return p;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)c;
    (void)why;
    pending_t *p = *con_cls;
    if (p) {
        free(p->target);
        buf_free(&p->body);
        free(p);
    }
    *con_cls = NULL;
}

/* Called first with the headers, then with each piece of the body, then
 * once more when the request is whole. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)url;
    (void)version;
    server_t *s = cls;
    pending_t *p = *con_cls;
    if (!p || !p->target)
        return MHD_NO;
    if (!p->started) {
        p->started = 1;
        if (strlen(p->target) > SERVER_MAX_URL)
            return send_error(s, c, 414, "The URL is longer than 8 KB.");
        const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (length && strtoull(length, NULL, 10) > SERVER_MAX_BODY)
            return send_error(s, c, 413, "The request's body is larger than 64 KB.");
        return MHD_YES;
    }
    if (*upload_size) {
        if (p->too_large || p->body.len + *upload_size > SERVER_MAX_BODY)
            p->too_large = 1;
        else if (buf_append(&p->body, upload, *upload_size) != 0)
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (p->too_large)
        return send_error(s, c, 413, "The request's body is larger than 64 KB.");
    return handle(s, c, method, p);
}

/* ---- the core routes ------------------------------------------------------------------ */

static server_t *server_of(const serve_req_t *r)
{
    return (server_t *)(void *)r->ctx;   /* ctx is the server's first member */
}

static int static_file(serve_resp_t *out, const char *type, const char *text)
{
    out->content_type = type;
    out->cache_seconds = 3600;
    return buf_puts(&out->body, text) ? -1 : 0;
}

static int get_css(const serve_req_t *r, serve_resp_t *out)
{
    (void)r;
    return static_file(out, "text/css; charset=utf-8", html_css);
}

static int get_js(const serve_req_t *r, serve_resp_t *out)
{
    (void)r;
    return static_file(out, "text/javascript; charset=utf-8", html_js);
}

static int get_root(const serve_req_t *r, serve_resp_t *out)
{
    (void)r;
    out->status = 303;
    out->location = strdup("/flags");
    return out->location ? 0 : -1;
}

/* Where to go after signing in: a path of this site only. */
static const char *next_of(const serve_req_t *r)
{
    const char *next = serve_form(r, "next");
    if (!next)
        next = serve_query(r, "next");
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return "/flags";
    for (const char *c = next; *c; c++)   /* browsers drop tabs: "/\t/evil" is "//evil" */
        if ((unsigned char)*c <= ' ' || *c == 0x7f || *c == '\\')
            return "/flags";
    return next;
}

static int login_page(const serve_req_t *r, serve_resp_t *out, const char *problem)
{
    buf_t *b = &out->body;
    const server_t *s = server_of(r);
    int rc = html_page_begin(b, r, "Sign in", NULL) | buf_puts(b, "<h1>Sign in</h1>\n");
    if (problem)
        rc |= buf_puts(b, "<p class=\"bad\">") | html_text(b, problem) | buf_puts(b, "</p>\n");
    if (r->user)
        rc |= buf_puts(b, "<p>Signed in as ") | html_text(b, r->user) | buf_puts(b, ".</p>\n");
    if (!auth_has_users(s->auth))
        rc |= buf_puts(b, "<p>This server has no users to sign in: it takes a bearer token, "
                          "or needs no sign-in.</p>\n");
    else
        rc |= buf_puts(b, "<form method=\"post\" action=\"/login\">\n"
                          "<p><label>Name <input name=\"user\" autocomplete=\"username\" required>"
                          "</label></p>\n<p><label>Password <input name=\"password\" type=\"password\""
                          " autocomplete=\"current-password\" required></label></p>\n"
                          "<input type=\"hidden\" name=\"next\" value=\"") |
              html_text(b, next_of(r)) |
              buf_puts(b, "\">\n<p><button>Sign in</button></p>\n</form>\n");
    return (rc | html_page_end(b)) ? -1 : 0;
}

static int get_login(const serve_req_t *r, serve_resp_t *out)
{
    return login_page(r, out, NULL);
}

static int post_login(const serve_req_t *r, serve_resp_t *out)
{
    server_t *s = server_of(r);
    const char *name = auth_password(s->auth, serve_form(r, "user"), serve_form(r, "password"));
    if (!name) {
        char shown[64];
        loggable(serve_form(r, "user"), shown, sizeof shown);
        say("vane: sign-in refused for '%s' from %s\n", shown, s->client);
        out->status = 401;
        serve_req_t anonymous = *r;
        anonymous.user = NULL;
        return login_page(&anonymous, out, "Wrong name or password.");
    }
    const char *cookie;
    if (auth_session_start(s->auth, name, time(NULL), &cookie) != 0 ||
        auth_cookie_header(s->auth, cookie, s->set_cookie, sizeof s->set_cookie) != 0)
        return -1;
    out->status = 303;
    out->location = strdup(next_of(r));
    return out->location ? 0 : -1;
}

static int get_logout(const serve_req_t *r, serve_resp_t *out)
{
    buf_t *b = &out->body;
    int rc = html_page_begin(b, r, "Sign out", NULL) |
             buf_puts(b, "<h1>Sign out</h1>\n<form method=\"post\" action=\"/logout\">"
                         "<input type=\"hidden\" name=\"csrf\" value=\"") |
             html_text(b, r->csrf) | buf_puts(b, "\"><button>Sign out</button></form>\n");
    return (rc | html_page_end(b)) ? -1 : 0;
}

static int post_logout(const serve_req_t *r, serve_resp_t *out)
{
    server_t *s = server_of(r);
    if (s->cookie)
        auth_session_end(s->auth, s->cookie);
    if (auth_cookie_header(s->auth, NULL, s->set_cookie, sizeof s->set_cookie) != 0)
        return -1;
    out->status = 303;
    out->location = strdup("/login");
    return out->location ? 0 : -1;
}

const serve_route_t serve_routes_core[] = {
    {"GET", "/", get_root},
    {"GET", "/static/vane.css", get_css},
    {"GET", "/static/vane.js", get_js},
    {"GET", "/login", get_login},
    {"POST", "/login", post_login},
    {"GET", "/logout", get_logout},
    {"POST", "/logout", post_logout},
    {NULL, NULL, NULL},
};

/* ---- starting and stopping ------------------------------------------------------------ */

static int refuse(int *usage, int is_usage)
{
    *usage = is_usage;
    return -1;
}

/* Where to listen, and whether that is allowed without sign-in. */
static int address(server_t *s, const server_opts_t *o, struct sockaddr_storage *sa,
                   socklen_t *len, int *usage, err_t *e)
{
    const serve_cfg_t *sc = &o->ctx.cfg->serve;
    const char *listen = o->listen ? o->listen : sc->listen ? sc->listen : SERVER_DEFAULT_LISTEN;
    if (request_listen_addr(listen, sa, len) != 0) {
        err_set(e, "serve: cannot listen on '%s': give ADDR:PORT with a numeric address "
                   "(127.0.0.1:8080, [::1]:8080, 0.0.0.0:8080)", listen);
        return refuse(usage, 1);
    }
    if (!auth_required(s->auth) && !request_is_loopback((const struct sockaddr *)sa)) {
        err_set(e, "serve: refusing to listen on %s without sign-in: that address is reachable "
                   "from other machines; set serve { token = env \"VANE_SERVE_TOKEN\" } or "
                   "serve { users = { … } } in vane.lua, or listen on 127.0.0.1", listen);
        return refuse(usage, 1);
    }
    snprintf(s->address, sizeof s->address, "%s", listen);
    return 0;
}

server_t *server_start(const server_opts_t *o, int *usage, err_t *e)
{
    *usage = 0;
    server_t *s = calloc(1, sizeof *s);
    if (!s) {
        err_set(e, "serve: out of memory");
        return NULL;
    }
    s->ctx = o->ctx;
    const serve_cfg_t *sc = &o->ctx.cfg->serve;
    s->auth = auth_new(sc, sc->url && strncasecmp(sc->url, "https://", 8) == 0, e);
    s->own_origin = request_origin_of(sc->url);
    struct sockaddr_storage sa;
    socklen_t len = 0;
    if (!s->auth || address(s, o, &sa, &len, usage, e) != 0) {
        server_stop(s);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVER_MAX_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)SERVER_MAX_PER_IP,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVER_TIMEOUT_SECONDS,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
        MHD_OPTION_END);
    if (!s->daemon) {
        const char *why = mhd_lazy_error();
        if (why)
            err_set(e, "serve: %s", why);
        else
            err_set(e, "serve: cannot listen on %s (in use, or not an address of this machine?)",
                    s->address);
        server_stop(s);
        return NULL;
    }
    return s;
}

const char *server_address(const server_t *s)
{
    return s->address;
}

void server_stop(server_t *s)
{
    if (!s)
        return;
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    auth_free(s->auth);
    free(s->own_origin);
    free(s);
}

/* decl_request.c — a source's request keys in vane.lua: headers, cookies,
 * accept_language, method with body/form/json, user/password/auth, proxy,
 * ca_file and insecure_tls (decl_request.h). */
#include "config/decl_request.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/json.h"

const char *const decl_request_keys[] = {
    "headers", "cookies", "accept_language", "method", "body", "content_type", "form", "json",
    "user", "password", "auth", "insecure_auth", "proxy", "ca_file", "insecure_tls", NULL};

typedef struct pair {
    char *name, *value;
} pair_t;

static int cmp_pair(const void *a, const void *b)
{
    return strcmp(((const pair_t *)a)->name, ((const pair_t *)b)->name);
}

/* An HTTP token (RFC 9110 tchar): a header or cookie name. */
static int is_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("!#$%&'*+-.^_`|~", *s)))
            return 0;
    return 1;
}

/* A value that cannot end a header line early: no CR, LF or NUL. */
static int line_safe(const char *s, size_t len)
{
    return memchr(s, '\r', len) == NULL && memchr(s, '\n', len) == NULL && strlen(s) == len;
}

/* The table at key `name` as pairs sorted by name (a string or a number as
 * value), *n set, *given whether it is there; NULL when absent, empty or
 * bad (reported, never quoting a value). */
static pair_t *read_pairs_given(decl_t *d, const char *name, size_t *n, int *given)
{
    *n = 0;
    int t = lua_getfield(d->L, d->idx, name);
    *given = t == LUA_TTABLE;
    if (t != LUA_TTABLE) {
        if (t != LUA_TNIL)
            decl_problem(d, "%s: '%s' must be a table of names and values, not a %s", d->what, name,
                         luaL_typename(d->L, -1));
        lua_pop(d->L, 1);
        return NULL;
    }
    size_t cap = 0;
    pair_t *v = NULL;
    lua_pushnil(d->L);
    while (lua_next(d->L, -2)) {
        int kt = lua_type(d->L, -2), vt = lua_type(d->L, -1);
        if (kt != LUA_TSTRING || (vt != LUA_TSTRING && vt != LUA_TNUMBER)) {
            decl_problem(d, "%s: '%s' must map names to strings (got a %s key with a %s value)",
                         d->what, name, lua_typename(d->L, kt), lua_typename(d->L, vt));
            lua_pop(d->L, 1);
            continue;
        }
        if (*n == cap) {
            pair_t *more = realloc(v, (cap = cap ? 2 * cap : 8) * sizeof *v);
            if (!more) {
                lua_pop(d->L, 2);
                break;
            }
            v = more;
        }
        size_t len;
        lua_pushvalue(d->L, -1); /* lua_tolstring on a copy: a number key stays a number */
        const char *val = lua_tolstring(d->L, -1, &len);
        v[*n].name = strdup(lua_tostring(d->L, -3));
        v[*n].value = line_safe(val, len) ? strdup(val) : NULL;
        if (!v[*n].value)
            decl_problem(d, "%s: %s '%s': the value holds a line break or a NUL", d->what, name,
                         v[*n].name);
        (*n)++;
        lua_pop(d->L, 2);
    }
    lua_pop(d->L, 1);
    if (v)
        qsort(v, *n, sizeof *v, cmp_pair);
    return v;
}

static pair_t *read_pairs(decl_t *d, const char *name, size_t *n)
{
    int given;
    return read_pairs_given(d, name, n, &given);
}

static void free_pairs(pair_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].value);
    }
    free(v);
}

/* Header lines being built: a NULL-terminated array. */
typedef struct lines {
    char **v;
    size_t n, cap;
} lines_t;

static void add_line(lines_t *l, buf_t *b)
{
    if (l->n + 1 >= l->cap) {
        char **more = realloc(l->v, (l->cap = l->cap ? 2 * l->cap : 8) * sizeof *more);
        if (!more) {
            buf_free(b);
            return;
        }
        l->v = more;
    }
    l->v[l->n++] = buf_steal(b);
    l->v[l->n] = NULL;
}

static int has_header(const pair_t *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(h[i].name, name) == 0)
            return 1;
    return 0;
}

/* headers = { … }: each "Name: value" ("Name;" sends an empty value). */
static void read_headers(decl_t *d, lines_t *l, pair_t **out, size_t *n)
{
    pair_t *h = read_pairs(d, "headers", n);
    for (size_t i = 0; i < *n; i++) {
        buf_t b = {0};
        if (!is_token(h[i].name)) {
            decl_problem(d, "%s: headers: '%s' is not a header name", d->what, h[i].name);
        } else if (strcasecmp(h[i].name, "Content-Type") == 0 ||
                   strcasecmp(h[i].name, "Content-Length") == 0 || strcasecmp(h[i].name, "Host") == 0) {
            decl_problem(d, "%s: headers: %s is set by vane (use content_type for a body's type)",
                         d->what, h[i].name);
        } else if (h[i].value) {
            if (*h[i].value)
                buf_printf(&b, "%s: %s", h[i].name, h[i].value);
            else
                buf_printf(&b, "%s;", h[i].name);
            add_line(l, &b);
        }
    }
    *out = h;
}

/* cookies = { name = value }: one "Cookie: a=1; b=2" line. */
static void read_cookies(decl_t *d, lines_t *l, const pair_t *h, size_t nh)
{
    size_t n;
    pair_t *c = read_pairs(d, "cookies", &n);
    buf_t b = {0};
    if (c && has_header(h, nh, "Cookie"))
        decl_problem(d, "%s: both 'cookies' and a Cookie header: give one", d->what);
    for (size_t i = 0; i < n; i++) {
        if (!is_token(c[i].name))
            decl_problem(d, "%s: cookies: '%s' is not a cookie name", d->what, c[i].name);
        else if (c[i].value && strpbrk(c[i].value, ";, \t\""))
            decl_problem(d, "%s: cookies: the value of '%s' holds a ';', ',', '\"' or a space",
                         d->what, c[i].name);
        else if (c[i].value)
            buf_printf(&b, "%s%s=%s", b.len ? "; " : "Cookie: ", c[i].name, c[i].value);
    }
    if (b.len)
        add_line(l, &b);
    buf_free(&b);
    free_pairs(c, n);
}

static void read_accept_language(decl_t *d, lines_t *l, const pair_t *h, size_t nh)
{
    char *v = decl_string(d, "accept_language", NULL);
    buf_t b = {0};
    if (v && has_header(h, nh, "Accept-Language"))
        decl_problem(d, "%s: both 'accept_language' and an Accept-Language header: give one", d->what);
    else if (v && !line_safe(v, strlen(v)))
        decl_problem(d, "%s: 'accept_language' holds a line break", d->what);
    else if (v) {
        buf_printf(&b, "Accept-Language: %s", v);
        add_line(l, &b);
    }
    free(v);
}

int form_encode_pair(buf_t *out, const char *key, const char *value, int first)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = first ? 0 : buf_putc(out, '&');
    for (int part = 0; part < 2 && rc == 0; part++) {
        const unsigned char *s = (const unsigned char *)(part ? value : key);
        if (part)
            rc = buf_putc(out, '=');
        for (; *s && rc == 0; s++) {
            if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
                strchr("-._*", *s))
                rc = buf_putc(out, (char)*s);
            else if (*s == ' ')
                rc = buf_putc(out, '+');
            else
                rc = buf_printf(out, "%%%c%c", hex[*s >> 4], hex[*s & 15]) < 0 ? -1 : 0;
        }
    }
    return rc;
}

/* form = { q = "China" }, keys sorted. */
static char *read_form(decl_t *d)
{
    size_t n;
    int given;
    pair_t *f = read_pairs_given(d, "form", &n, &given);
    buf_t b = {0};
    for (size_t i = 0; i < n; i++)
        if (f[i].value)
            form_encode_pair(&b, f[i].name, f[i].value, b.len == 0);
    free_pairs(f, n);
    if (!given) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

/* json = { … }: canonical JSON (util/json.h). */
static char *read_json(decl_t *d)
{
    buf_t b = {0};
    err_t e = {{0}};
    int t = lua_getfield(d->L, d->idx, "json");
    char *v = NULL;
    if (t != LUA_TNIL && json_encode_lua(d->L, -1, &b, &e) != 0)
        decl_problem(d, "%s: 'json' cannot be sent as JSON: %.400s", d->what, e.msg);
    else if (t != LUA_TNIL)
        v = buf_steal(&b);
    buf_free(&b);
    lua_pop(d->L, 1);
    return v;
}

/* body = "…" as given (it may hold any byte). */
static char *read_body(decl_t *d, size_t *len)
{
    int t = lua_getfield(d->L, d->idx, "body");
    char *v = NULL;
    if (t == LUA_TSTRING) {
        const char *s = lua_tolstring(d->L, -1, len);
        if ((v = malloc(*len + 1)) != NULL) {
            memcpy(v, s, *len);
            v[*len] = '\0';
        }
    } else if (t != LUA_TNIL) {
        decl_problem(d, "%s: 'body' must be a string, not a %s", d->what, luaL_typename(d->L, -1));
    }
    lua_pop(d->L, 1);
    return v;
}

static int known_method(const char *m)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", NULL};
    return decl_listed(methods, m);
}

/* What is wrong with the method, the bodies given and content_type, or
 * NULL. */
static const char *body_problem(const char *method, int bodies, int raw, const char *ctype)
{
    if (method && !known_method(method))
        return "'method' must be \"GET\", \"POST\", \"PUT\" or \"PATCH\"";
    if (bodies > 1)
        return "give one of 'body', 'form' and 'json', not two";
    if (bodies && (!method || strcmp(method, "GET") == 0))
        return "a body is not sent with GET: add method = \"POST\"";
    if (!bodies && method && strcmp(method, "GET") != 0)
        return "a method other than GET needs one of 'body', 'form' or 'json'";
    if (ctype && !raw)
        return "'content_type' goes with 'body' (form and json set their own)";
    if (ctype && !line_safe(ctype, strlen(ctype)))
        return "'content_type' holds a line break";
    return NULL;
}

/* method, and one of body, form or json with its Content-Type. */
static void read_method_body(decl_t *d, fetch_http_t *h)
{
    char *method = decl_string(d, "method", NULL);
    char *ctype = decl_string(d, "content_type", NULL);
    size_t blen = 0;
    char *body = read_body(d, &blen), *form = read_form(d), *json = read_json(d);
    int bodies = !!body + !!form + !!json;
    const char *problem = body_problem(method, bodies, body != NULL, ctype);
    if (problem)
        decl_problem(d, "%s: %s", d->what, problem);
    else if (bodies) {
        h->content_type = strdup(body ? (ctype ? ctype : "text/plain; charset=utf-8")
                                 : form ? "application/x-www-form-urlencoded" : "application/json");
        h->method = method;
        method = NULL;
        h->body = body ? body : form ? form : json;
        h->body_len = body ? blen : strlen(h->body);
        body = form = json = NULL;
    }
    free(method);
    free(ctype);
    free(body);
    free(form);
    free(json);
}

/* user, password and auth; credentials over http:// only when asked. */
static void read_auth(decl_t *d, fetch_http_t *h, const char *url)
{
    char *user = decl_string(d, "user", NULL), *password = decl_string(d, "password", NULL);
    char *auth = decl_string(d, "auth", NULL);
    int insecure = decl_bool(d, "insecure_auth", 0);
    if ((password || auth) && !user)
        decl_problem(d, "%s: 'password' and 'auth' need a 'user'", d->what);
    else if (auth && strcmp(auth, "basic") != 0 && strcmp(auth, "digest") != 0)
        decl_problem(d, "%s: 'auth' must be \"basic\" or \"digest\"", d->what);
    else if (user && strchr(user, ':'))
        decl_problem(d, "%s: 'user' holds a ':'", d->what);
    else if (user && url && strncasecmp(url, "https://", 8) != 0 && !insecure)
        decl_problem(d, "%s: a user and password would cross the network in clear: use an "
                     "https:// url, or insecure_auth = true", d->what);
    else if (user) {
        h->user = user;
        h->password = password;
        h->digest = auth && strcmp(auth, "digest") == 0;
        user = password = NULL;
    }
    free(user);
    free(password);
    free(auth);
}

static const char *const proxy_schemes[] = {"http://", "https://", "socks4://", "socks4a://",
                                            "socks5://", "socks5h://", NULL};

/* proxy, ca_file and insecure_tls. */
static void read_transport(decl_t *d, fetch_http_t *h)
{
    char *proxy = decl_string(d, "proxy", NULL);
    int ok = 0;
    for (size_t i = 0; proxy && proxy_schemes[i]; i++)
        ok |= strncasecmp(proxy, proxy_schemes[i], strlen(proxy_schemes[i])) == 0;
    if (proxy && (!ok || !line_safe(proxy, strlen(proxy))))
        decl_problem(d, "%s: 'proxy' must start with http://, https://, socks4://, socks4a://, "
                     "socks5:// or socks5h://", d->what);
    else {
        h->proxy = proxy;
        proxy = NULL;
    }
    free(proxy);
    h->ca_file = decl_path(d, "ca_file");
    if (h->ca_file && access(h->ca_file, R_OK) != 0)
        decl_problem(d, "%s: ca_file: cannot read %s", d->what, h->ca_file);
    h->insecure_tls = decl_bool(d, "insecure_tls", 0);
    if (h->insecure_tls && h->ca_file)
        decl_problem(d, "%s: 'ca_file' and 'insecure_tls' together: a CA file verifies, "
                     "insecure_tls turns verifying off; keep ca_file", d->what);
}

void decl_request(decl_t *d, source_cfg_t *s)
{
    fetch_http_t *h = &s->http;
    lines_t l = {0};
    size_t nh;
    pair_t *hp;
    read_headers(d, &l, &hp, &nh);
    read_cookies(d, &l, hp, nh);
    read_accept_language(d, &l, hp, nh);
    free_pairs(hp, nh);
    read_method_body(d, h);
    h->headers = l.v;
    read_auth(d, h, s->url);
    read_transport(d, h);
}

void decl_request_free(fetch_http_t *h)
{
    decl_free_strings(h->headers);
    DECL_FREE(h->method, h->body, h->content_type, h->user, h->password, h->proxy, h->ca_file);
    memset(h, 0, sizeof *h);
}

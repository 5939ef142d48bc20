/* request.c — reading the request line and form bodies of `vane serve`
 * (see request.h). */
#include "serve/request.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* %-decode s (len bytes; '+' as a space when plus) into a new string.
 * NULL when an escape is bad, or the result holds a NUL or is not UTF-8. */
static char *decode(const char *s, size_t len, int plus)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int a = i + 1 < len ? hex((unsigned char)s[i + 1]) : -1;
            int b = i + 2 < len ? hex((unsigned char)s[i + 2]) : -1;
            int h = a < 0 || b < 0 ? -1 : a * 16 + b;
            if (h < 0) {
                free(out);
                return NULL;
            }
            c = h;
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    if (memchr(out, '\0', o) || utf8_valid(out, o, UTF8_NUL_BAD, NULL) != o) {
        free(out);
        return NULL;
    }
    return out;
}

/* A segment "." or "..", or a control character anywhere. */
static int bad_path(const char *p)
{
    for (const char *c = p; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return 1;
    for (const char *seg = p; seg; seg = strchr(seg + 1, '/')) {
        size_t len = strcspn(seg + 1, "/");
        if ((len == 1 && seg[1] == '.') || (len == 2 && seg[1] == '.' && seg[2] == '.'))
            return 1;
    }
    return 0;
}

int request_path(const char *target, char **out)
{
    *out = NULL;
    if (!target || target[0] != '/')
        return -1;
    char *p = decode(target, strcspn(target, "?#"), 0);
    if (!p)
        return -1;
    if (bad_path(p)) {
        free(p);
        return -1;
    }
    *out = p;
    return 0;
}

const char *request_query_string(const char *target)
{
    const char *q = strchr(target, '?');
    const char *hash = strchr(target, '#');
    if (!q || (hash && hash < q))
        return "";
    return q + 1;
}

void request_params_free(serve_param_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)v[i].name);
        free((char *)v[i].value);
    }
    free(v);
}

int request_params(const char *s, size_t len, size_t max, serve_param_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const char *hash = memchr(s, '#', len);
    if (hash)
        len = (size_t)(hash - s);
    serve_param_t *v = NULL;
    size_t count = 0;
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && s[end] != '&')
            end++;
        if (end > i) {
            const char *eq = memchr(s + i, '=', end - i);
            size_t name_len = eq ? (size_t)(eq - (s + i)) : end - i;
            serve_param_t *grown = count < max ? realloc(v, (count + 1) * sizeof *v) : NULL;
            if (!grown) {
                request_params_free(v, count);
                return -1;
            }
            v = grown;
            v[count].name = decode(s + i, name_len, 1);
            v[count].value = eq ? decode(eq + 1, (size_t)(s + end - eq - 1), 1) : strdup("");
            count++;
            if (!v[count - 1].name || !v[count - 1].value) {
                request_params_free(v, count);
                return -1;
            }
        }
        i = end + 1;
    }
    *out = v;
    *n = count;
    return 0;
}

int request_listen_addr(const char *listen, struct sockaddr_storage *sa, socklen_t *len)
{
    memset(sa, 0, sizeof *sa);
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    if (!colon)
        return -1;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
        return -1;
    char host[64];
    size_t hl = (size_t)(colon - listen);
    if (hl >= 2 && listen[0] == '[' && listen[hl - 1] == ']') {
        listen++;
        hl -= 2;
    }
    if (hl == 0 || hl >= sizeof host)
        return -1;
    memcpy(host, listen, hl);
    host[hl] = '\0';
    struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
        return 0;
    }
    return -1;
}

int request_is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)(const void *)sa;
        return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)(const void *)sa;
        return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
    }
    return 0;
}

char *request_origin_of(const char *url)
{
    const char *sep = url ? strstr(url, "://") : NULL;
    if (!sep || sep == url)
        return NULL;
    const char *host = sep + 3;
    size_t host_len = strcspn(host, "/?#");
    if (host_len == 0)
        return NULL;
    return strndup(url, (size_t)(host - url) + host_len);
}

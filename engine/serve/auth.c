/* auth.c — the bearer token, password hashes, sessions and CSRF tokens of
 * `vane serve` (see auth.h). */
#include "serve/auth.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define ID_HEX 65   /* 32 bytes as hex, and a NUL */

typedef struct session {
    char id[ID_HEX];
    char csrf[ID_HEX];
    const char *user;   /* the configuration's name */
    time_t expires;     /* 0: a free slot */
} session_t;

struct auth {
    const serve_cfg_t *cfg;
    int secure;
    char csrf[ID_HEX];
    session_t sessions[AUTH_MAX_SESSIONS];
};

int auth_random_hex(char *out, size_t n)
{
    unsigned char raw[64];
    if (n > sizeof raw)
        return -1;
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(raw + got, n - got, 0);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    out[2 * n] = '\0';
    return 0;
}

auth_t *auth_new(const serve_cfg_t *cfg, int secure, err_t *e)
{
    auth_t *a = calloc(1, sizeof *a);
    if (!a) {
        err_set(e, "serve: out of memory");
        return NULL;
    }
    a->cfg = cfg;
    a->secure = secure;
    if (auth_random_hex(a->csrf, 32) != 0) {
        free(a);
        err_set(e, "serve: no random bytes for the CSRF token (getrandom: %m)");
        return NULL;
    }
    return a;
}

void auth_free(auth_t *a)
{
    if (a)
        explicit_bzero(a, sizeof *a);
    free(a);
}

int auth_required(const auth_t *a)
{
    return a->cfg->token || a->cfg->n_users > 0;
}

int auth_has_users(const auth_t *a)
{
    return a->cfg->n_users > 0;
}

int auth_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[lb ? i % lb : 0]);
    return diff == 0;
}

int auth_bearer_ok(const auth_t *a, const char *authorization)
{
    if (!a->cfg->token || !authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return 0;
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    return auth_equal(t, a->cfg->token);
}

int auth_hash_ok(const char *hash, const char *password)
{
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (!cd)
        return 0;
    const char *out = crypt_r(password, hash, cd);
    /* a failed crypt_r returns NULL or a string starting with '*' */
    int ok = out && out[0] != '*' && auth_equal(out, hash);
    explicit_bzero(cd, sizeof *cd);
    free(cd);
    return ok;
}

const char *auth_password(const auth_t *a, const char *user, const char *password)
{
    const serve_cfg_t *c = a->cfg;
    if (c->n_users == 0 || !user || !password)
        return NULL;
    size_t found = c->n_users;
    for (size_t i = 0; i < c->n_users; i++)
        if (auth_equal(c->user_names[i], user))
            found = i;
    /* an unknown name costs a hash of the same kind as a known one */
    const char *hash = c->user_hashes[found < c->n_users ? found : 0];
    int ok = auth_hash_ok(hash, password);
    return ok && found < c->n_users ? c->user_names[found] : NULL;
}

/* The slot of a cookie's session, or NULL. */
static session_t *find(auth_t *a, const char *cookie)
{
    if (!cookie || strlen(cookie) != ID_HEX - 1)
        return NULL;
    session_t *hit = NULL;
    for (size_t i = 0; i < AUTH_MAX_SESSIONS; i++)
        if (a->sessions[i].expires && auth_equal(a->sessions[i].id, cookie))
            hit = &a->sessions[i];
    return hit;
}

int auth_session_start(auth_t *a, const char *user, time_t now, const char **cookie)
{
    const char *name = NULL;
    for (size_t i = 0; i < a->cfg->n_users; i++)
        if (strcmp(a->cfg->user_names[i], user) == 0)
            name = a->cfg->user_names[i];
    if (!name)
        return -1;
    session_t *slot = &a->sessions[0];
    for (size_t i = 0; i < AUTH_MAX_SESSIONS; i++) {
        session_t *s = &a->sessions[i];
        if (s->expires && s->expires <= now)
            s->expires = 0;
        if (s->expires < slot->expires)
            slot = s;
    }
    if (auth_random_hex(slot->id, 32) != 0 || auth_random_hex(slot->csrf, 32) != 0) {
        slot->expires = 0;
        return -1;
    }
    slot->user = name;
    slot->expires = now + AUTH_SESSION_SECONDS;
    *cookie = slot->id;
    return 0;
}

const char *auth_session_user(auth_t *a, const char *cookie, time_t now, const char **csrf)
{
    session_t *s = find(a, cookie);
    if (!s)
        return NULL;
    if (s->expires <= now) {
        explicit_bzero(s, sizeof *s);
        return NULL;
    }
    *csrf = s->csrf;
    return s->user;
}

void auth_session_end(auth_t *a, const char *cookie)
{
    session_t *s = find(a, cookie);
    if (s)
        explicit_bzero(s, sizeof *s);
}

const char *auth_server_csrf(const auth_t *a)
{
    return a->csrf;
}

int auth_cookie_header(const auth_t *a, const char *value, char *out, size_t size)
{
    int clear = !value || !*value;
    int n = snprintf(out, size, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", AUTH_COOKIE,
                     clear ? "" : value, a->secure ? "; Secure" : "",
                     clear ? "; Max-Age=0" : "; Max-Age=43200");
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

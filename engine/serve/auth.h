/* auth.h — who may use `vane serve`: the bearer token, users' passwords
 * (crypt(3) hashes: bcrypt $2b$, yescrypt $y$, sha512crypt $6$ …),
 * sessions kept in memory behind a cookie, and the CSRF tokens forms carry.
 *
 * Modes: with neither token nor users, everyone is "local" (the server
 * refuses to start so unless it listens on a loopback address). With a
 * token, "Authorization: Bearer TOKEN" is "token". With users, a signed-in
 * person has a session: 32 random bytes (getrandom) as the cookie
 * vane_session, valid 12 hours, with its own CSRF token. Without a session
 * the CSRF token is the server's own, random per start. Secrets are
 * compared in constant time and never printed. */
#ifndef VANE_SERVE_AUTH_H
#define VANE_SERVE_AUTH_H

#include <stddef.h>
#include <time.h>

#include "config/config.h"
#include "util/err.h"

#define AUTH_COOKIE "vane_session"
#define AUTH_SESSION_SECONDS (12 * 3600)
#define AUTH_MAX_SESSIONS 1024

typedef struct auth auth_t;

/* From serve { token, users }; secure: the cookie gets Secure (url is
 * https). NULL with e set when randomness or memory failed. The cfg must
 * outlive the auth. */
auth_t *auth_new(const serve_cfg_t *cfg, int secure, err_t *e);
void auth_free(auth_t *a);

/* Is anyone asked who they are (a token or users configured)? */
int auth_required(const auth_t *a);
/* Are there users who sign in with a password? */
int auth_has_users(const auth_t *a);

/* Does an Authorization header carry the token ("Bearer TOKEN")? */
int auth_bearer_ok(const auth_t *a, const char *authorization);

/* The user name when password matches user's hash, else NULL. An unknown
 * user's password is checked against a hash of the same cost, so a wrong
 * name or password takes as long as a right one. */
const char *auth_password(const auth_t *a, const char *user, const char *password);

/* Does password match the crypt(3) hash? (constant-time compare) */
int auth_hash_ok(const char *hash, const char *password);

/* Compare two strings in time that depends on their lengths only. */
int auth_equal(const char *a, const char *b);

/* A new session for user: its cookie value (hex, in *cookie, static to
 * the auth until the next call). 0, or -1 when randomness failed. The
 * oldest session goes when AUTH_MAX_SESSIONS are open. */
int auth_session_start(auth_t *a, const char *user, time_t now, const char **cookie);

/* The session of a cookie value: its user and CSRF token, or NULL
 * (unknown or expired; an expired one is dropped). */
const char *auth_session_user(auth_t *a, const char *cookie, time_t now, const char **csrf);

/* End the session of a cookie value (nothing when unknown). */
void auth_session_end(auth_t *a, const char *cookie);

/* The server's own CSRF token (token and local modes). */
const char *auth_server_csrf(const auth_t *a);

/* The Set-Cookie value for a cookie value (NULL or "" clears it). */
int auth_cookie_header(const auth_t *a, const char *value, char *out, size_t size);

/* Fill out with 2*n hex digits of n random bytes and a NUL. 0, or -1. */
int auth_random_hex(char *out, size_t n);

#endif

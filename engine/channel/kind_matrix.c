/* kind_matrix.c — the matrix kind: a message in a room, through the
 * client-server API.
 *
 *   PUT {homeserver}/_matrix/client/v3/rooms/{room}/send/m.room.message/{txnId}
 *   Authorization: Bearer {token}
 *   {"msgtype": "m.text", "body": plain text,
 *    "format": "org.matrix.custom.html", "formatted_body": HTML}
 *
 * The room id ("!abc:example.org") is percent-encoded in the path. The
 * transaction id depends only on the flags — "vane-<flag id>", for a
 * digest (or a part of one) "vane-<first flag id>-<flags in it>" — so the
 * homeserver recognises a retried delivery and does not post it twice. A
 * digest goes in parts of at most PUSH_MATRIX_LIMIT bytes (an event may have
 * 65536). A template's table is sent as the body as it is. The token is a
 * secret (`token = env "…"`), sent only in its header. */
#include "channel/kind.h"

#include <stdlib.h>
#include <string.h>

#include "channel/http.h"
#include "channel/push_body.h"
#include "channel/render_push.h"
#include "channel/split.h"
#include "channel/transport.h"
#include "util/buf.h"
#include "util/url.h"

typedef struct matrix {
    char *homeserver;   /* https://matrix.example.org */
    char *room;         /* !abc:example.org */
    char *token;
} matrix_t;

static int render(const channel_msg_t *part, void *ud, buf_t *out, size_t *size)
{
    (void)ud;
    return push_matrix_body(part, out, size);
}

/* The URL of the message for part: the room and transaction id encoded. */
static int message_url(const matrix_t *mx, const channel_msg_t *part, buf_t *url)
{
    buf_t txn = {0};
    int rc = push_matrix_txn(part, &txn);
    rc |= buf_printf(url, "%s/_matrix/client/v3/rooms/", mx->homeserver);
    rc |= url_encode_component(url, mx->room);
    rc |= buf_puts(url, "/send/m.room.message/");
    rc |= url_encode_component(url, buf_str(&txn));
    buf_free(&txn);
    return rc;
}

static int put(const channel_msg_t *part, const buf_t *body, void *ud, err_t *e)
{
    const channel_cfg_t *c = ud;
    const matrix_t *mx = c->data;
    buf_t url = {0}, auth = {0};
    int rc;
    if (message_url(mx, part, &url) != 0 ||
        buf_printf(&auth, "Authorization: Bearer %s", mx->token) != 0) {
        rc = err_set(e, "channel %s: out of memory", c->id);
    } else {
        char *headers[] = {auth.p, NULL};
        http_req_t req = {.service = "matrix", .method = "PUT", .url = url.p, .headers = headers,
                          .body = body->p, .len = body->len};
        rc = http_send(c, &req, NULL, e);
    }
    buf_free(&url);
    buf_free(&auth);
    return rc;
}

static int matrix_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                       err_t *e)
{
    (void)o;
    const matrix_t *mx = c->data;
    if (!mx || !mx->homeserver || !mx->room || !mx->token)
        return err_set(e, "channel %s: needs homeserver, room and token", c->id);
    if (!m->body_json)
        return split_send(m, PUSH_MATRIX_LIMIT, render, put, (void *)c, e);
    buf_t body = {0};
    int rc = buf_puts(&body, m->body_json) != 0 ? err_set(e, "channel %s: out of memory", c->id)
                                                : put(m, &body, (void *)c, e);
    buf_free(&body);
    return rc;
}

/* ---- the declaration ------------------------------------------------------------ */

static const char *const matrix_keys[] = {"homeserver", "room", "token", NULL};

static void *matrix_parse(decl_t *d)
{
    matrix_t *mx = calloc(1, sizeof *mx);
    if (!mx)
        return NULL;
    mx->homeserver = decl_string(d, "homeserver", NULL);
    mx->room = decl_string(d, "room", NULL);
    mx->token = decl_string(d, "token", NULL);
    size_t n = mx->homeserver ? strlen(mx->homeserver) : 0;
    while (n > 0 && mx->homeserver[n - 1] == '/')
        mx->homeserver[--n] = '\0';
    return mx;
}

static void matrix_check(decl_t *d, const void *data)
{
    static const matrix_t none = {0};
    const matrix_t *mx = data ? data : &none;
    if (!transport_starts_with(mx->homeserver, "http://") &&
        !transport_starts_with(mx->homeserver, "https://"))
        decl_problem(d, "%s: a matrix channel needs homeserver = \"https://…\"", d->what);
    if (!mx->room || mx->room[0] != '!' || !strchr(mx->room, ':'))
        decl_problem(d, "%s: a matrix channel needs room = \"!id:server\" (the room's id, "
                        "not an alias)", d->what);
    if (!mx->token || !*mx->token)
        decl_problem(d, "%s: a matrix channel needs token = env \"NAME\" (an access token; "
                        "the variable is unset or empty)", d->what);
    else if (strpbrk(mx->token, "\r\n"))
        decl_problem(d, "%s: the matrix token has a line break (it is not shown)", d->what);
}

static void matrix_free(void *data)
{
    matrix_t *mx = data;
    if (!mx)
        return;
    DECL_FREE(mx->homeserver, mx->room, mx->token);
    free(mx);
}

const channel_kind_t channel_kind_matrix = {CHANNEL_KIND_FIELDS(matrix), .json_body = 1};

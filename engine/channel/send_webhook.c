/* send_webhook.c — the webhook channel: one HTTP POST of JSON per message.
 *
 * The body is payload_json (or payload_slack for format "slack"), sent with
 * Content-Type: application/json, User-Agent: vane/VERSION, X-Vane-Flag-Ids
 * and, when the channel has a secret, X-Vane-Signature: sha256=HEX — the
 * HMAC-SHA256 of the exact body bytes under the secret, so a receiver can
 * tell vane's posts from anyone else's. The channel's own headers follow
 * (a Content-Type or User-Agent of theirs replaces ours).
 *
 * Accepted means a 2xx answer. Redirects are not followed (a moved hook is
 * an error to fix, not something to chase with a signed body), only http
 * and https are spoken, and the whole attempt is bounded by the channel's
 * timeout. Errors give the status and the start of the answer, or curl's
 * message; never the URL (hook URLs are often secrets themselves) nor the
 * secret. */
#include "channel/send.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/hmac.h"
#include "channel/payload.h"
#include "util/version.h"

#define ANSWER_KEEP 512    /* bytes of the answer kept for an error message */
#define ANSWER_SHOW 200    /* bytes of it shown */

static size_t keep_answer(char *data, size_t size, size_t nmemb, void *userp)
{
    buf_t *b = userp;
    size_t n = size * nmemb;
    if (b->len < ANSWER_KEEP) {
        size_t k = ANSWER_KEEP - b->len < n ? ANSWER_KEEP - b->len : n;
        if (buf_append(b, data, k) != 0)
            return 0;
    }
    return n;
}

/* Does one of the channel's "Name: value" lines set header `name`? */
static int has_header(char *const *headers, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; headers && headers[i]; i++)
        if (strncasecmp(headers[i], name, n) == 0 && headers[i][n] == ':')
            return 1;
    return 0;
}

/* The request headers; NULL when memory ran out. */
static struct curl_slist *request_headers(const channel_cfg_t *c, const channel_msg_t *m,
                                          const buf_t *body)
{
    struct curl_slist *h = NULL, *t;
    buf_t line = {0};
    int rc = 0;
#define ADD(s) ((t = curl_slist_append(h, (s))) ? (h = t, 0) : -1)
    if (!has_header(c->headers, "Content-Type"))
        rc |= ADD("Content-Type: application/json");
    if (!has_header(c->headers, "User-Agent"))
        rc |= ADD("User-Agent: vane/" VANE_VERSION);
    rc |= ADD("Expect:"); /* no 100-continue round trip */
    rc |= buf_puts(&line, "X-Vane-Flag-Ids: ") | payload_flag_ids(m, &line);
    rc |= rc ? -1 : ADD(buf_str(&line));
    if (c->secret) {
        char hex[65];
        hmac_sha256_hex(c->secret, strlen(c->secret), body->p, body->len, hex);
        buf_reset(&line);
        rc |= buf_printf(&line, "X-Vane-Signature: sha256=%s", hex);
        rc |= rc ? -1 : ADD(buf_str(&line));
    }
    for (size_t i = 0; c->headers && c->headers[i]; i++)
        rc |= ADD(c->headers[i]);
#undef ADD
    buf_free(&line);
    if (rc != 0) {
        curl_slist_free_all(h);
        return NULL;
    }
    return h;
}

static int configure(CURL *h, const channel_cfg_t *c, const buf_t *body, struct curl_slist *hdrs,
                     buf_t *answer, char *errbuf)
{
    long timeout = send_timeout(c);
    int bad = 0;
    bad |= curl_easy_setopt(h, CURLOPT_URL, c->url) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_POST, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->p) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_answer) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, answer) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
    return bad ? -1 : 0;
}

/* The outcome of a finished request as 0 or an error. */
static int judge(CURL *h, CURLcode res, const channel_cfg_t *c, const buf_t *answer,
                 const char *errbuf, err_t *e)
{
    if (res != CURLE_OK)
        return err_set(e, "channel %s: webhook: %s", c->id, *errbuf ? errbuf : curl_easy_strerror(res));
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300)
        return 0;
    char snippet[ANSWER_SHOW + 8];
    send_snippet(buf_str(answer), answer->len, ANSWER_SHOW, snippet, sizeof snippet);
    return err_set(e, "channel %s: webhook answered HTTP %ld%s%s", c->id, status,
                   *snippet ? ": " : "", snippet);
}

int send_webhook(const channel_cfg_t *c, const channel_msg_t *m, err_t *e)
{
    if (!c->url)
        return err_set(e, "channel %s: no url", c->id);
    buf_t body = {0}, answer = {0};
    int slack = c->format && strcmp(c->format, "slack") == 0;
    if ((slack ? payload_slack(m, &body) : payload_json(m, &body)) != 0) {
        buf_free(&body);
        return err_set(e, "channel %s: out of memory", c->id);
    }
    struct curl_slist *hdrs = request_headers(c, m, &body);
    CURL *h = hdrs ? curl_easy_init() : NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    int rc;
    if (!h)
        rc = err_set(e, "channel %s: cannot set up the request (out of memory)", c->id);
    else if (configure(h, c, &body, hdrs, &answer, errbuf) != 0)
        rc = err_set(e, "channel %s: this libcurl cannot send webhooks as asked", c->id);
    else
        rc = judge(h, curl_easy_perform(h), c, &answer, errbuf, e);
    if (h)
        curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    buf_free(&body);
    buf_free(&answer);
    return rc;
}

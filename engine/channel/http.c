/* http.c — one HTTP request of a channel (see http.h). */
#include "channel/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "channel/transport.h"
#include "fetch/fetch.h"
#include "util/version.h"

#define ANSWER_SHOW 200    /* bytes of the answer shown in an error */

static size_t keep_answer(char *data, size_t size, size_t nmemb, void *userp)
{
    buf_t *b = userp;
    size_t n = size * nmemb;
    if (b->len < HTTP_ANSWER_KEEP) {
        size_t k = HTTP_ANSWER_KEEP - b->len < n ? HTTP_ANSWER_KEEP - b->len : n;
        if (buf_append(b, data, k) != 0)
            return 0;
    }
    return n;
}

int http_has_header(char *const *headers, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; headers && headers[i]; i++)
        if (strncasecmp(headers[i], name, n) == 0 && headers[i][n] == ':')
            return 1;
    return 0;
}

/* The request's header list; NULL when memory ran out. */
static struct curl_slist *request_headers(const http_req_t *r)
{
    struct curl_slist *h = NULL, *t;
    buf_t line = {0};
    int rc = 0;
#define ADD(s) ((t = curl_slist_append(h, (s))) ? (h = t, 0) : -1)
    if (!http_has_header(r->headers, "Content-Type")) {
        rc |= buf_printf(&line, "Content-Type: %s",
                         r->content_type ? r->content_type : "application/json");
        rc |= rc ? -1 : ADD(buf_str(&line));
    }
    if (!http_has_header(r->headers, "User-Agent"))
        rc |= ADD("User-Agent: vane/" VANE_VERSION);
    rc |= ADD("Expect:"); /* no 100-continue round trip */
    for (size_t i = 0; r->headers && r->headers[i]; i++)
        rc |= ADD(r->headers[i]);
#undef ADD
    buf_free(&line);
    if (rc != 0) {
        curl_slist_free_all(h);
        return NULL;
    }
    return h;
}

static int configure(CURL *h, const channel_cfg_t *c, const http_req_t *r,
                     struct curl_slist *hdrs, buf_t *answer, char *errbuf)
{
    int bad = transport_curl_setup(h, c, r->url, "http,https", errbuf) != 0;
    bad |= curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_POST, 1L) != CURLE_OK;
    if (r->method && strcmp(r->method, "POST") != 0)
        bad |= curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body ? r->body : "") != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_answer) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_WRITEDATA, answer) != CURLE_OK;
    return bad ? -1 : 0;
}

/* The outcome of a finished request as 0 or an error. */
static int judge(CURL *h, CURLcode res, const channel_cfg_t *c, const http_req_t *r,
                 const buf_t *answer, const char *errbuf, long *status, err_t *e)
{
    const char *service = r->service ? r->service : "webhook";
    *status = 0;
    if (res != CURLE_OK)
        return err_set(e, "channel %s: %s: %s", c->id, service, transport_curl_error(res, errbuf));
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    if (*status >= 200 && *status < 300)
        return 0;
    char snippet[ANSWER_SHOW + 8];
    transport_snippet(buf_str(answer), answer->len, ANSWER_SHOW, snippet, sizeof snippet);
    return err_set(e, "channel %s: %s answered HTTP %ld%s%s", c->id, service, *status,
                   *snippet ? ": " : "", snippet);
}

int http_send(const channel_cfg_t *c, const http_req_t *r, http_resp_t *resp, err_t *e)
{
    if (!r->url)
        return err_set(e, "channel %s: no url", c->id);
    buf_t answer = {0};
    struct curl_slist *hdrs = request_headers(r);
    err_t ie;
    CURL *h = hdrs && fetch_global_init(&ie) == 0 ? curl_easy_init() : NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    long status = 0;
    int rc;
    if (!h)
        rc = err_set(e, "channel %s: cannot set up the request (out of memory)", c->id);
    else if (configure(h, c, r, hdrs, &answer, errbuf) != 0)
        rc = err_set(e, "channel %s: this libcurl cannot send requests as asked", c->id);
    else
        rc = judge(h, curl_easy_perform(h), c, r, &answer, errbuf, &status, e);
    if (h)
        curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    if (resp) {
        resp->status = status;
        resp->body = answer;
    } else {
        buf_free(&answer);
    }
    return rc;
}

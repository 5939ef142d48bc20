/* fetch.c — HTTP(S) fetching with libcurl (see fetch.h). */
#include "fetch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "version.h"

typedef struct transfer {
    const fetch_req_t *req;
    fetch_res_t res;
    int too_big;
} transfer_t;

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    transfer_t *t = ud;
    size_t n = size * nmemb;
    if ((long long)(t->res.body.len + n) > t->req->max_bytes) {
        t->too_big = 1;
        return 0; /* makes curl abort with CURLE_WRITE_ERROR */
    }
    return buf_append(&t->res.body, data, n) == 0 ? n : 0;
}

static char *header_value(const char *line, size_t len, const char *name)
{
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return NULL;
    const char *v = line + nl + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    return strndup(v, (size_t)(end - v));
}

static void keep_header(char **slot, char *value)
{
    if (!value)
        return;
    free(*slot);
    *slot = value;
}

/* Headers of every response in a redirect chain arrive here; a status line
 * starts a new response, so only the final one's are kept. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    transfer_t *t = ud;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        buf_reset(&t->res.headers);
        return n;
    }
    keep_header(&t->res.etag, header_value(data, n, "ETag"));
    keep_header(&t->res.last_modified, header_value(data, n, "Last-Modified"));
    keep_header(&t->res.content_type, header_value(data, n, "Content-Type"));
    size_t len = n;
    while (len && (data[len - 1] == '\r' || data[len - 1] == '\n'))
        len--;
    if (len) {
        buf_append(&t->res.headers, data, len);
        buf_putc(&t->res.headers, '\n');
    }
    return n;
}

static struct curl_slist *conditional_headers(const fetch_req_t *r)
{
    struct curl_slist *h = NULL;
    char line[1024];
    if (r->etag) {
        snprintf(line, sizeof line, "If-None-Match: %s", r->etag);
        h = curl_slist_append(h, line);
    }
    if (r->last_modified) {
        snprintf(line, sizeof line, "If-Modified-Since: %s", r->last_modified);
        h = curl_slist_append(h, line);
    }
    return h;
}

static void describe_failure(transfer_t *t, CURLcode rc, const char *curl_msg)
{
    fetch_res_t *r = &t->res;
    if (t->too_big)
        snprintf(r->error, sizeof r->error, "body larger than %lld bytes (max_bytes); transfer stopped",
                 t->req->max_bytes);
    else if (rc != CURLE_OK)
        snprintf(r->error, sizeof r->error, "%s", curl_msg[0] ? curl_msg : curl_easy_strerror(rc));
    else if (r->status == 304)
        r->not_modified = 1;
    else if (r->status < 200 || r->status > 299)
        snprintf(r->error, sizeof r->error, "HTTP %ld", r->status);
}

static void fetch_one(CURL *c, const fetch_opts_t *opts, transfer_t *t)
{
    char curl_msg[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = conditional_headers(t->req);
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, t->req->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, opts && opts->max_redirects ? opts->max_redirects : 5L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, t->req->timeout > 0 ? t->req->timeout : 30L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_USERAGENT,
                     opts && opts->user_agent ? opts->user_agent : "vane/" VANE_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_msg);
    if (t->req->max_bytes > 0)
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->req->max_bytes);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t->res.status);
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &t->res.seconds);
    char *eff = NULL;
    if (curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
        t->res.effective_url = strdup(eff);
    if (rc == CURLE_FILESIZE_EXCEEDED)
        t->too_big = 1;
    describe_failure(t, rc, curl_msg);
    curl_slist_free_all(hdrs);
}

static void result_free(fetch_res_t *r)
{
    buf_free(&r->body);
    buf_free(&r->headers);
    free(r->etag);
    free(r->last_modified);
    free(r->content_type);
    free(r->effective_url);
}

int fetch_all(const fetch_req_t *reqs, size_t n, const fetch_opts_t *opts, fetch_done_fn done,
              void *ud, err_t *e)
{
    CURL *c = curl_easy_init();
    if (!c)
        return err_set(e, "cannot start libcurl");
    for (size_t i = 0; i < n; i++) {
        transfer_t t = {.req = &reqs[i]};
        fetch_one(c, opts, &t);
        done(ud, &reqs[i], &t.res);
        result_free(&t.res);
    }
    curl_easy_cleanup(c);
    return 0;
}

int fetch_global_init(err_t *e)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return err_set(e, "cannot initialise libcurl");
    return 0;
}

void fetch_global_cleanup(void)
{
    curl_global_cleanup();
}

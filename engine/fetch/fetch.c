/* fetch.c — concurrent HTTP(S) fetching with the curl multi interface
 * (see fetch.h).
 *
 * One loop, as in curl's multi-app example: start transfers up to the caps,
 * wait for activity, read finished transfers, hand each to the caller or
 * queue it for a retry, start more. A transfer waiting for a retry is not
 * counted against the caps. */
#include "fetch/fetch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config/units.h"
#include "fetch/curl_lazy.h"
#include "util/version.h"

enum { WAITING, ACTIVE, DONE };

typedef struct transfer {
    const fetch_req_t *req;
    CURL *easy;
    struct curl_slist *headers;
    fetch_res_t res;
    char host[256];
    char curl_msg[CURL_ERROR_SIZE];
    int state;
    int too_big;
    long status_now;       /* the status of the response whose headers arrive */
    int cross_host;        /* refused a redirect to another host (it sends secrets) */
    double not_before;     /* monotonic seconds: a retry waits until then */
    long retry_after;      /* seconds the server asked for, -1 if none */
} transfer_t;

/* Transfers grouped by host: a queue of the ones not yet started. */
typedef struct host {
    size_t *queue;         /* indexes into fetcher.t */
    size_t len, next;
    size_t active;
} host_t;

typedef struct fetcher {
    CURLM *multi;
    const fetch_opts_t *o;
    transfer_t *t;
    size_t n, active, done;
    host_t *hosts;
    size_t n_hosts, rr;    /* rr: where the round-robin over hosts resumes */
    size_t *host_of_t;     /* host index of each transfer */
    size_t *retry;         /* transfers waiting to be retried */
    size_t n_retry;
    fetch_done_fn done_fn;
    void *ud;
} fetcher_t;

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long opt(long v, long def)
{
    return v > 0 ? v : def;
}

/* ---- callbacks ---------------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    transfer_t *t = ud;
    size_t n = size * nmemb;
    if (t->req->max_bytes > 0 && (long long)(t->res.body.len + n) > t->req->max_bytes) {
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

/* Retry-After: delay-seconds or an HTTP date. */
static long parse_retry_after(const char *v)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (end != v && *end == '\0')
        return n < 0 ? 0 : n;
    time_t when = curl_getdate(v, NULL);
    if (when < 0)
        return -1;
    long d = (long)(when - time(NULL));
    return d < 0 ? 0 : d;
}

static int sends_secrets(const fetch_req_t *r);
static void host_of(const char *url, char *out, size_t size);

/* A redirect to another host from a request carrying the source's headers,
 * cookies or credentials: libcurl would pass custom headers on, so it is
 * not followed. */
static int leaves_host(const transfer_t *t, const char *location)
{
    char from[256], to[256];
    if (t->status_now < 300 || t->status_now > 399 || !sends_secrets(t->req) ||
        (!t->req->http->headers && !t->req->http->user) || !strstr(location, "://"))
        return 0;
    host_of(location, to, sizeof to);
    host_of(t->req->url, from, sizeof from);
    return strcasecmp(from, to) != 0;
}

/* Headers of every response in a redirect chain arrive here; a status line
 * starts a new response, so only the final one's are kept. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    transfer_t *t = ud;
    size_t n = size * nmemb;
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        const char *sp = memchr(data, ' ', n);
        t->status_now = sp ? strtol(sp + 1, NULL, 10) : 0;
        buf_reset(&t->res.headers);
        return n;
    }
    char *location = header_value(data, n, "Location");
    int leaves = location && leaves_host(t, location);
    free(location);
    if (leaves) {
        t->cross_host = 1;
        return 0; /* makes curl abort with CURLE_WRITE_ERROR */
    }
    keep_header(&t->res.etag, header_value(data, n, "ETag"));
    keep_header(&t->res.last_modified, header_value(data, n, "Last-Modified"));
    keep_header(&t->res.content_type, header_value(data, n, "Content-Type"));
    char *ra = header_value(data, n, "Retry-After");
    if (ra) {
        t->retry_after = parse_retry_after(ra);
        free(ra);
    }
    size_t len = n;
    while (len && (data[len - 1] == '\r' || data[len - 1] == '\n'))
        len--;
    if (len) {
        buf_append(&t->res.headers, data, len);
        buf_putc(&t->res.headers, '\n');
    }
    return n;
}

/* ---- setting a transfer up -------------------------------------------------------- */

static void host_of(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/?#");
    const char *at = memchr(p, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    snprintf(out, size, "%.*s", (int)n, p);
}

/* A request with a method or a body of its own (a POST): no validators,
 * no Expect: 100-continue. */
static int sends_body(const fetch_req_t *r)
{
    return r->http && !r->page_of && (r->http->method || r->http->body);
}

/* Headers, cookies and credentials go to the source's own host only: a
 * detail page elsewhere gets none of them. */
static int sends_secrets(const fetch_req_t *r)
{
    char a[256], b[256];
    if (!r->http || !r->page_of)
        return r->http != NULL;
    host_of(r->url, a, sizeof a);
    host_of(r->page_of, b, sizeof b);
    return strcasecmp(a, b) == 0 && strncasecmp(r->url, r->page_of, 5) == 0;
}

/* The source's own header lines, then the validators of a GET. */
static struct curl_slist *request_headers(const fetch_req_t *r)
{
    struct curl_slist *h = NULL;
    char line[1024];
    for (char **p = sends_secrets(r) ? r->http->headers : NULL; p && *p; p++)
        h = curl_slist_append(h, *p);
    if (sends_body(r)) {
        if (r->http->content_type) {
            snprintf(line, sizeof line, "Content-Type: %s", r->http->content_type);
            h = curl_slist_append(h, line);
        }
        return curl_slist_append(h, "Expect:");
    }
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

/* The method and body (not for a detail page), then authentication, proxy
 * and TLS: what fetch_http_t asks of the transfer. */
static void apply_http(CURL *c, const fetch_req_t *r)
{
    const fetch_http_t *h = r->http;
    if (sends_body(r)) {
        if (h->body) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)h->body_len);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, h->body);
        }
        if (h->method && (!h->body || strcmp(h->method, "POST") != 0))
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, h->method);
        /* a 301/302/303 after a POST is followed with a GET, as browsers do */
    }
    if (h->user && sends_secrets(r)) {
        curl_easy_setopt(c, CURLOPT_USERNAME, h->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, h->password ? h->password : "");
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, h->digest ? (long)CURLAUTH_DIGEST : (long)CURLAUTH_BASIC);
    }
    if (h->proxy)
        curl_easy_setopt(c, CURLOPT_PROXY, h->proxy);
    if (h->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
    if (h->insecure_tls) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

static void result_free(fetch_res_t *r)
{
    buf_free(&r->body);
    buf_free(&r->headers);
    free(r->etag);
    free(r->last_modified);
    free(r->content_type);
    free(r->effective_url);
    memset(r, 0, sizeof *r);
}

static void teardown(transfer_t *t);

static int setup(fetcher_t *f, transfer_t *t)
{
    const fetch_opts_t *o = f->o;
    const char *protocols = o->allow_file ? "http,https,file" : "http,https";
    int attempts = t->res.attempts;
    result_free(&t->res);
    t->res.attempts = attempts + 1;
    t->too_big = 0;
    t->cross_host = 0;
    t->status_now = 0;
    t->retry_after = -1;
    t->curl_msg[0] = '\0';
    t->easy = curl_easy_init();
    if (!t->easy)
        return -1;
    t->headers = request_headers(t->req);
    CURL *c = t->easy;
    curl_easy_setopt(c, CURLOPT_URL, t->req->url);
    curl_easy_setopt(c, CURLOPT_PRIVATE, t);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, opt(o->max_redirects, 5));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, t->req->timeout > 0 ? t->req->timeout : 30L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, opt(o->connect_timeout, 10));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(c, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, o->user_agent ? o->user_agent : "vane/" VANE_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->curl_msg);
    if (t->req->max_bytes > 0)
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->req->max_bytes);
    if (t->req->http)
        apply_http(c, t->req);
    return 0;
}

static void teardown(transfer_t *t)
{
    if (t->easy)
        curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    t->easy = NULL;
    t->headers = NULL;
}

/* ---- the loop ----------------------------------------------------------------------- */

static void finish(fetcher_t *f, transfer_t *t);

/* Start transfer i; a transfer that cannot start is reported as failed. */
static void start(fetcher_t *f, size_t i)
{
    transfer_t *t = &f->t[i];
    if (setup(f, t) != 0 || curl_multi_add_handle(f->multi, t->easy) != CURLM_OK) {
        teardown(t);
        snprintf(t->res.error, sizeof t->res.error, "cannot start the transfer");
        finish(f, t);
        return;
    }
    t->state = ACTIVE;
    f->active++;
    f->hosts[f->host_of_t[i]].active++;
}

/* Start due retries, then new transfers round-robin over the hosts, while
 * the caps allow. */
static void start_more(fetcher_t *f, double now)
{
    size_t cap = (size_t)opt(f->o->max_parallel, 16), per_host = (size_t)opt(f->o->per_host, 6);
    for (size_t k = 0; k < f->n_retry && f->active < cap;) {
        size_t i = f->retry[k];
        if (f->t[i].not_before <= now && f->hosts[f->host_of_t[i]].active < per_host) {
            f->retry[k] = f->retry[--f->n_retry];
            start(f, i);
        } else {
            k++;
        }
    }
    size_t idle = 0; /* hosts in a row that could start nothing */
    while (f->active < cap && idle < f->n_hosts) {
        host_t *h = &f->hosts[f->rr];
        f->rr = (f->rr + 1) % f->n_hosts;
        if (h->next < h->len && h->active < per_host) {
            start(f, h->queue[h->next++]);
            idle = 0;
        } else {
            idle++;
        }
    }
}

static int cmp_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_host(const void *a, const void *b, void *ctx)
{
    const transfer_t *t = ctx;
    return strcmp(t[*(const size_t *)a].host, t[*(const size_t *)b].host);
}

/* Group the transfers by host, keeping each host's requests in order. */
static int group_hosts(fetcher_t *f)
{
    size_t *order = malloc(f->n * sizeof *order);
    f->host_of_t = malloc(f->n * sizeof *f->host_of_t);
    f->hosts = calloc(f->n, sizeof *f->hosts);
    size_t *slots = malloc(f->n * sizeof *slots);
    if (!order || !f->host_of_t || !f->hosts || !slots) {
        free(order);
        free(slots);
        return -1;
    }
    for (size_t i = 0; i < f->n; i++)
        order[i] = i;
    qsort_r(order, f->n, sizeof *order, cmp_host, f->t);
    for (size_t k = 0; k < f->n; k++) {
        if (k == 0 || strcmp(f->t[order[k]].host, f->t[order[k - 1]].host) != 0) {
            f->hosts[f->n_hosts].queue = slots + k;
            f->n_hosts++;
        }
        host_t *h = &f->hosts[f->n_hosts - 1];
        f->host_of_t[order[k]] = f->n_hosts - 1;
        h->queue[h->len++] = order[k];
    }
    /* qsort is not stable: put each host's queue back in request order */
    for (size_t h = 0; h < f->n_hosts; h++)
        qsort(f->hosts[h].queue, f->hosts[h].len, sizeof(size_t), cmp_index);
    free(order);
    return 0;
}

static void describe_failure(transfer_t *t, CURLcode rc)
{
    fetch_res_t *r = &t->res;
    r->error[0] = '\0';
    r->not_modified = 0;
    if (t->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        char size[48];
        units_format_size(t->req->max_bytes, size, sizeof size);
        snprintf(r->error, sizeof r->error, "body larger than %s (max_bytes); transfer stopped", size);
    }
    else if (t->cross_host)
        snprintf(r->error, sizeof r->error, "HTTP %ld redirects to another host; not followed, "
                 "as the source's headers, cookies and credentials are not sent there (give "
                 "the new url)", r->status);
    else if (rc != CURLE_OK)
        snprintf(r->error, sizeof r->error, "%s", t->curl_msg[0] ? t->curl_msg : curl_easy_strerror(rc));
    else if (r->status == 304)
        r->not_modified = 1;
    else if (r->status >= 300 || (r->status < 200 && r->status != 0))
        snprintf(r->error, sizeof r->error, "HTTP %ld", r->status);
}

static int transient(CURLcode rc, long status)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        return 1;
    case CURLE_OK:
        return status == 429 || status == 502 || status == 503 || status == 504;
    default:
        return 0;
    }
}

/* Seconds to wait before retrying, or -1 not to retry. */
static double retry_delay(const fetcher_t *f, const transfer_t *t, CURLcode rc)
{
    long retries = f->o->retries < 0 ? 0 : f->o->retries;
    if (!transient(rc, t->res.status) || t->res.attempts > retries)
        return -1;
    long max_wait = opt(f->o->max_retry_wait, 30);
    if (t->retry_after >= 0)
        return t->retry_after <= max_wait ? (double)t->retry_after : -1;
    double d = 0.5 * (double)(1L << (t->res.attempts - 1)); /* 0.5 s, 1 s, 2 s, … */
    return d <= (double)max_wait ? d : -1;
}

static void finish(fetcher_t *f, transfer_t *t)
{
    t->state = DONE;
    f->done++;
    f->done_fn(f->ud, t->req, &t->res);
    result_free(&t->res);
}

/* A transfer ended: report it, or put it back in the queue for a retry. */
static void ended(fetcher_t *f, CURLMsg *msg)
{
    transfer_t *t;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
    CURLcode rc = msg->data.result;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->res.status);
    curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME, &t->res.seconds);
    char *eff = NULL;
    if (curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
        t->res.effective_url = strdup(eff);
    describe_failure(t, rc);
    curl_multi_remove_handle(f->multi, t->easy);
    teardown(t);
    f->active--;
    f->hosts[f->host_of_t[t - f->t]].active--;
    double wait = t->res.error[0] ? retry_delay(f, t, rc) : -1;
    if (wait >= 0) {
        t->state = WAITING;
        t->not_before = monotonic() + wait;
        f->retry[f->n_retry++] = (size_t)(t - f->t);
        return;
    }
    if (t->res.error[0] && t->res.attempts > 1) {
        size_t len = strlen(t->res.error);
        snprintf(t->res.error + len, sizeof t->res.error - len, " (after %d attempts)", t->res.attempts);
    }
    finish(f, t);
}

/* Milliseconds until the next retry is due, capped at 1 s. */
static int poll_timeout(const fetcher_t *f, double now)
{
    double soonest = 1.0;
    for (size_t k = 0; k < f->n_retry; k++)
        if (f->t[f->retry[k]].not_before - now < soonest)
            soonest = f->t[f->retry[k]].not_before - now;
    return soonest <= 0 ? 0 : (int)(soonest * 1000) + 1;
}

static void fetcher_free(fetcher_t *f)
{
    for (size_t i = 0; f->t && i < f->n; i++) {
        if (f->t[i].easy)
            curl_multi_remove_handle(f->multi, f->t[i].easy);
        teardown(&f->t[i]);
        result_free(&f->t[i].res);
    }
    if (f->multi)
        curl_multi_cleanup(f->multi);
    if (f->hosts && f->n_hosts)
        free(f->hosts[0].queue); /* the slots all queues point into */
    free(f->hosts);
    free(f->host_of_t);
    free(f->retry);
    free(f->t);
}

int fetch_all(const fetch_req_t *reqs, size_t n, const fetch_opts_t *opts, fetch_done_fn done,
              void *ud, err_t *e)
{
    static const fetch_opts_t defaults = {0};
    fetcher_t f = {.o = opts ? opts : &defaults, .n = n, .done_fn = done, .ud = ud};
    if (n == 0)
        return 0;
    if (fetch_global_init(e) != 0)
        return -1;
    f.t = calloc(n, sizeof *f.t);
    f.retry = calloc(n, sizeof *f.retry);
    f.multi = curl_multi_init();
    for (size_t i = 0; f.t && i < n; i++) {
        f.t[i].req = &reqs[i];
        f.t[i].state = WAITING;
        host_of(reqs[i].url, f.t[i].host, sizeof f.t[i].host);
    }
    if (!f.t || !f.retry || !f.multi || group_hosts(&f) != 0) {
        fetcher_free(&f);
        return err_set(e, "cannot start libcurl (out of memory)");
    }
    curl_multi_setopt(f.multi, CURLMOPT_MAXCONNECTS, opt(f.o->max_parallel, 16));
    curl_multi_setopt(f.multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    start_more(&f, monotonic());
    while (f.done < n) {
        int running = 0;
        curl_multi_perform(f.multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(f.multi, &left)))
            if (msg->msg == CURLMSG_DONE)
                ended(&f, msg);
        /* refill before waiting: with every slot just freed, the wait would
         * otherwise sleep its whole timeout with nothing in flight */
        start_more(&f, monotonic());
        if (f.done < n)
            curl_multi_poll(f.multi, NULL, 0, poll_timeout(&f, monotonic()), NULL);
    }
    fetcher_free(&f);
    return 0;
}

static int curl_ready; /* curl_global_init done (the program has one thread) */

int fetch_global_init(err_t *e)
{
    if (curl_ready)
        return 0;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return err_set(e, "cannot initialise libcurl%s%s", curl_lazy_error() ? ": " : "",
                       curl_lazy_error() ? curl_lazy_error() : "");
    curl_ready = 1;
    return 0;
}

void fetch_global_cleanup(void)
{
    if (curl_ready)
        curl_global_cleanup();
    curl_ready = 0;
}

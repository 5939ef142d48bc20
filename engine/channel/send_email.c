/* send_email.c — the email channel: one message per flag (or digest) over
 * SMTP with libcurl.
 *
 * smtps://host[:port] speaks TLS from the start; smtp://host[:port] upgrades
 * with STARTTLS and refuses to go on without it when `starttls` is set (the
 * default), and stays plain when it is false (a relay on localhost). user
 * and password, when set, log in. The message (payload_email) is uploaded
 * through a read callback; libcurl does the dot-stuffing, and reports
 * success only after the server's 250 to the end of data — that is
 * "accepted". A refused sender or recipient, or any other answer, is an
 * error with the server's reply code; the password is never part of it. */
#include "channel/send.h"

#include <curl/curl.h>
#include <string.h>

#include "util/buf.h"
#include "util/clock.h"
#include "channel/payload.h"

typedef struct upload {
    const char *p;
    size_t left;
} upload_t;

static size_t read_message(char *dest, size_t size, size_t nmemb, void *userp)
{
    upload_t *u = userp;
    size_t n = size * nmemb;
    if (n > u->left)
        n = u->left;
    memcpy(dest, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

/* "<addr>" for the envelope. */
static int envelope(const char *mailbox, buf_t *out)
{
    buf_reset(out);
    return buf_putc(out, '<') | payload_address(mailbox, out) | buf_putc(out, '>');
}

static struct curl_slist *recipients(const channel_cfg_t *c)
{
    struct curl_slist *list = NULL;
    buf_t addr = {0};
    for (size_t i = 0; c->to && c->to[i]; i++) {
        struct curl_slist *t = envelope(c->to[i], &addr) == 0
                                   ? curl_slist_append(list, buf_str(&addr)) : NULL;
        if (!t) {
            curl_slist_free_all(list);
            buf_free(&addr);
            return NULL;
        }
        list = t;
    }
    buf_free(&addr);
    return list;
}

static int configure(CURL *h, const channel_cfg_t *c, const char *from, struct curl_slist *rcpt,
                     upload_t *up, curl_off_t size, char *errbuf)
{
    long timeout = send_timeout(c);
    int implicit_tls = strncmp(c->smtp, "smtps://", 8) == 0;
    long use_ssl = implicit_tls || c->starttls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE;
    int bad = 0;
    bad |= curl_easy_setopt(h, CURLOPT_URL, c->smtp) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps") != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_MAIL_FROM, from) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_UPLOAD, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_READFUNCTION, read_message) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_READDATA, up) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, size) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout < 10 ? timeout : 10L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
    if (c->user)
        bad |= curl_easy_setopt(h, CURLOPT_USERNAME, c->user) != CURLE_OK;
    if (c->password)
        bad |= curl_easy_setopt(h, CURLOPT_PASSWORD, c->password) != CURLE_OK;
    return bad ? -1 : 0;
}

static int judge(CURL *h, CURLcode res, const channel_cfg_t *c, const char *errbuf, err_t *e)
{
    if (res == CURLE_OK)
        return 0;
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    const char *why = *errbuf ? errbuf : curl_easy_strerror(res);
    if (code >= 400)
        return err_set(e, "channel %s: SMTP server answered %ld: %s", c->id, code, why);
    return err_set(e, "channel %s: SMTP: %s", c->id, why);
}

int send_email(const channel_cfg_t *c, const channel_msg_t *m, err_t *e)
{
    if (!c->smtp || !c->from || !c->to || !c->to[0])
        return err_set(e, "channel %s: needs smtp, from and to", c->id);
    buf_t msg = {0}, from = {0};
    if (payload_email(c, m, clock_now(), &msg) != 0 || envelope(c->from, &from) != 0) {
        buf_free(&msg);
        buf_free(&from);
        return err_set(e, "channel %s: out of memory", c->id);
    }
    struct curl_slist *rcpt = recipients(c);
    CURL *h = rcpt ? curl_easy_init() : NULL;
    upload_t up = {msg.p, msg.len};
    char errbuf[CURL_ERROR_SIZE] = "";
    int rc;
    if (!h)
        rc = err_set(e, "channel %s: cannot set up the connection (out of memory)", c->id);
    else if (configure(h, c, buf_str(&from), rcpt, &up, (curl_off_t)msg.len, errbuf) != 0)
        rc = err_set(e, "channel %s: this libcurl cannot send email as asked", c->id);
    else
        rc = judge(h, curl_easy_perform(h), c, errbuf, e);
    if (h)
        curl_easy_cleanup(h);
    curl_slist_free_all(rcpt);
    buf_free(&msg);
    buf_free(&from);
    return rc;
}

/* kind_email.c — the email kind: one message per flag (or digest) over
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
#include "channel/kind.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "channel/payload.h"
#include "channel/transport.h"
#include "fetch/fetch.h"
#include "util/buf.h"
#include "util/clock.h"

typedef struct email {
    char *smtp;           /* smtp://host[:port] or smtps://host[:port] */
    int starttls;         /* smtp://: 1 = require STARTTLS (default), 0 = plain */
    char *user, *password;
    char *from;
    char **to;            /* NULL-terminated, at least one */
    char *subject_prefix; /* default "[vane]" */
} email_t;

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

static struct curl_slist *recipients(const email_t *m)
{
    struct curl_slist *list = NULL;
    buf_t addr = {0};
    for (size_t i = 0; m->to && m->to[i]; i++) {
        struct curl_slist *t = envelope(m->to[i], &addr) == 0
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
    const email_t *m = c->data;
    int implicit_tls = strncmp(m->smtp, "smtps://", 8) == 0;
    long use_ssl = implicit_tls || m->starttls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE;
    int bad = transport_curl_setup(h, c, m->smtp, "smtp,smtps", errbuf) != 0;
    bad |= curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_MAIL_FROM, from) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_UPLOAD, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_READFUNCTION, read_message) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_READDATA, up) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, size) != CURLE_OK;
    if (m->user)
        bad |= curl_easy_setopt(h, CURLOPT_USERNAME, m->user) != CURLE_OK;
    if (m->password)
        bad |= curl_easy_setopt(h, CURLOPT_PASSWORD, m->password) != CURLE_OK;
    return bad ? -1 : 0;
}

static int judge(CURL *h, CURLcode res, const channel_cfg_t *c, const char *errbuf, err_t *e)
{
    if (res == CURLE_OK)
        return 0;
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    const char *why = transport_curl_error(res, errbuf);
    if (code >= 400)
        return err_set(e, "channel %s: SMTP server answered %ld: %s", c->id, code, why);
    return err_set(e, "channel %s: SMTP: %s", c->id, why);
}

static int email_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                      err_t *e)
{
    (void)o;
    const email_t *em = c->data;
    if (!em || !em->smtp || !em->from || !em->to || !em->to[0])
        return err_set(e, "channel %s: needs smtp, from and to", c->id);
    buf_t msg = {0}, from = {0};
    payload_mail_t head = {em->from, em->to, em->subject_prefix};
    if (payload_email(&head, m, clock_now(), &msg) != 0 || envelope(em->from, &from) != 0) {
        buf_free(&msg);
        buf_free(&from);
        return err_set(e, "channel %s: out of memory", c->id);
    }
    struct curl_slist *rcpt = recipients(em);
    err_t ie;
    CURL *h = rcpt && fetch_global_init(&ie) == 0 ? curl_easy_init() : NULL;
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

/* ---- the declaration ------------------------------------------------------------ */

static const char *const email_keys[] = {"smtp", "starttls", "user", "password", "from", "to",
                                         "subject_prefix", NULL};

static void *email_parse(decl_t *d)
{
    email_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->smtp = decl_string(d, "smtp", NULL);
    m->starttls = decl_bool(d, "starttls", 1);
    m->user = decl_string(d, "user", NULL);
    m->password = decl_string(d, "password", NULL);
    m->from = decl_string(d, "from", NULL);
    m->to = decl_strings(d, "to", NULL);
    m->subject_prefix = decl_string(d, "subject_prefix", "[vane]");
    return m;
}

static void email_check(decl_t *d, const void *data)
{
    static const email_t none = {0};
    const email_t *m = data ? data : &none;
    if (!transport_starts_with(m->smtp, "smtp://") && !transport_starts_with(m->smtp, "smtps://"))
        decl_problem(d, "%s: an email channel needs smtp = \"smtp://host:port\" or \"smtps://…\"",
                     d->what);
    if (!m->from || !strchr(m->from, '@'))
        decl_problem(d, "%s: an email channel needs a from address", d->what);
    if (!m->to || !m->to[0])
        decl_problem(d, "%s: an email channel needs to = { address, … }", d->what);
}

static void email_free(void *data)
{
    email_t *m = data;
    if (!m)
        return;
    DECL_FREE(m->smtp, m->user, m->password, m->from, m->subject_prefix);
    decl_free_strings(m->to);
    free(m);
}

const channel_kind_t channel_kind_email = {CHANNEL_KIND_FIELDS(email)};

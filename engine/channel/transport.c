/* transport.c — helpers shared by the kinds' transports (see transport.h). */
#include "channel/transport.h"
#include "util/utf8.h"

#include <string.h>

long transport_timeout(const channel_cfg_t *c)
{
    return c->timeout > 0 ? (long)c->timeout : TRANSPORT_DEFAULT_TIMEOUT;
}

int transport_curl_setup(CURL *h, const channel_cfg_t *c, const char *url, const char *protocols,
                         char *errbuf)
{
    long timeout = transport_timeout(c);
    long connect = timeout < TRANSPORT_CONNECT_TIMEOUT ? timeout : TRANSPORT_CONNECT_TIMEOUT;
    int bad = 0;
    bad |= curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, connect) != CURLE_OK;
    bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
    return bad ? -1 : 0;
}

const char *transport_curl_error(CURLcode res, const char *errbuf)
{
    return *errbuf ? errbuf : curl_easy_strerror(res);
}

void transport_snippet(const char *s, size_t len, size_t max, char *out, size_t outsize)
{
    size_t o = 0, i = 0;
    if (outsize == 0)
        return;
    while (i < len && o + 4 < outsize) {
        unsigned char c = (unsigned char)s[i];
        size_t n = utf8_step(s + i, len - i);
        if (i + n > max || o + n + 4 > outsize) {
            memcpy(out + o, "\xe2\x80\xa6", 3);   /* … */
            o += 3;
            break;
        }
        for (size_t k = 0; k < n; k++)
            out[o++] = (n == 1 && (c < 0x20 || c == 0x7f)) ? ' ' : s[i + k];
        i += n;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

int transport_starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

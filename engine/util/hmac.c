/* hmac.c — HMAC-SHA256 on top of sha256.c (see hmac.h).
 *
 * H((K ^ opad) || H((K ^ ipad) || data)), K the key padded with zeros to
 * the 64-byte block (or its digest when longer). The padded key is wiped
 * before returning: it is the channel's secret. */
#include "util/hmac.h"

#include <string.h>

#include "util/sha256.h"

#define BLOCK 64

/* Wipe memory the compiler may not elide. */
static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

void hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
                 unsigned char out[32])
{
    unsigned char k[BLOCK] = {0}, pad[BLOCK], inner[32];
    sha256_t c;
    if (keylen > BLOCK) {
        sha256_init(&c);
        sha256_update(&c, key, keylen);
        sha256_final(&c, k);
    } else if (keylen > 0) {
        memcpy(k, key, keylen);
    }
    for (int i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    sha256_init(&c);
    sha256_update(&c, pad, BLOCK);
    sha256_update(&c, data, len);
    sha256_final(&c, inner);
    for (int i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    sha256_init(&c);
    sha256_update(&c, pad, BLOCK);
    sha256_update(&c, inner, sizeof inner);
    sha256_final(&c, out);
    wipe(k, sizeof k);
    wipe(pad, sizeof pad);
}

void hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len,
                     char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[32];
    hmac_sha256(key, keylen, data, len, md);
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

/* hmac.h — HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256), for the
 * X-Vane-Signature header a webhook receiver checks with the channel's
 * shared secret. Tested against the vectors of RFC 4231. */
#ifndef VANE_HMAC_H
#define VANE_HMAC_H

#include <stddef.h>

/* The 32-byte MAC of data under key (any length; keys longer than the
 * 64-byte block are hashed first). */
void hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
                 unsigned char out[32]);

/* The same as lowercase hex, NUL-terminated. */
void hmac_sha256_hex(const void *key, size_t keylen, const void *data, size_t len,
                     char out[65]);

#endif

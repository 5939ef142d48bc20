/* sha256.h — SHA-256 (FIPS 180-4), for content hashes.
 *
 * Incremental use: sha256_init, any number of sha256_update calls, then
 * sha256_final. sha256_hex hashes one buffer in a single call. */
#ifndef VANE_SHA256_H
#define VANE_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256 {
    uint32_t h[8];          /* chaining state */
    uint64_t len;           /* bytes hashed so far */
    unsigned char buf[64];  /* pending partial block */
    size_t n;               /* bytes in buf */
} sha256_t;

void sha256_init(sha256_t *c);
void sha256_update(sha256_t *c, const void *data, size_t len);
/* Writes the digest; c must be initialised again before reuse. */
void sha256_final(sha256_t *c, unsigned char out[32]);
/* Lowercase hex digest of data, NUL-terminated. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif

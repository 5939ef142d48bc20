/* utf8.c — checking, repairing and writing UTF-8 (the policy is in utf8.h). */
#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

/* The bytes that may follow lead byte c: how many (0 when c starts no
 * sequence) and the range the first of them must be in, which is what
 * rules out overlong forms, surrogates and values past U+10FFFF. */
static size_t lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        return 1;
    if (c >= 0xE0 && c <= 0xEF) {
        *lo = c == 0xE0 ? 0xA0 : 0x80;
        *hi = c == 0xED ? 0x9F : 0xBF;
        return 2;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        *lo = c == 0xF0 ? 0x90 : 0x80;
        *hi = c == 0xF4 ? 0x8F : 0xBF;
        return 3;
    }
    return 0;
}

size_t utf8_seq(const char *s, size_t n, utf8_nul_t nul, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char lo, hi;
    if (u[0] < 0x80) {
        if (u[0] || nul == UTF8_NUL_OK)
            return 1;
        *bad = 1;
        return 0;
    }
    size_t need = lead(u[0], &lo, &hi);
    if (need == 0) {
        *bad = 1;
        return 0;
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= n || u[i] < lo || u[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

/* Eight bytes at s are all ASCII and none is NUL when NUL is bad? */
static int ascii8(const unsigned char *s, utf8_nul_t nul)
{
    uint64_t w;
    memcpy(&w, s, 8);
    if (w & 0x8080808080808080ULL)
        return 0;
    if (nul == UTF8_NUL_OK)
        return 1;
    /* no zero byte: the classic "has a zero byte" test, negated */
    return ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) == 0;
}

size_t utf8_step(const char *s, size_t n)
{
    size_t bad = 1;
    size_t len = utf8_seq(s, n, UTF8_NUL_OK, &bad);
    return len ? len : bad;
}

size_t utf8_valid(const char *s, size_t n, utf8_nul_t nul, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, b = 0;
    while (i < n) {
        if (i + 8 <= n && ascii8(u + i, nul)) {
            i += 8;
            continue;
        }
        size_t k = utf8_seq(s + i, n - i, nul, &b);
        if (k == 0)
            break;
        i += k;
    }
    if (i < n && bad)
        *bad = b;
    return i;
}

long utf8_repair(const char *s, size_t n, utf8_nul_t nul, buf_t *out, size_t *bad_bytes)
{
    long replaced = 0;
    size_t i = 0;
    while (i < n) {
        size_t bad = 0, ok = utf8_valid(s + i, n - i, nul, &bad);
        if (buf_append(out, s + i, ok) != 0)
            return -1;
        i += ok;
        if (i == n)
            break;
        if (buf_append(out, UTF8_REPLACEMENT, 3) != 0)
            return -1;
        replaced++;
        i += bad;
        if (bad_bytes)
            *bad_bytes += bad;
    }
    return replaced;
}

size_t utf8_put(unsigned long cp, char out[4])
{
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t utf8_count(const char *s)
{
    size_t n = 0, len = strlen(s);
    for (size_t i = 0; i < len; i += utf8_step(s + i, len - i))
        n++;
    return n;
}

int utf8_put_oneline(buf_t *out, const char *s, size_t max_chars)
{
    size_t chars = 0, len = strlen(s), i = 0;
    int rc = 0;
    while (i < len) {
        size_t n = utf8_step(s + i, len - i), bad = 0;
        if (chars + 1 >= max_chars && i + n < len) {
            rc |= buf_puts(out, "\xe2\x80\xa6");
            break;
        }
        if (utf8_seq(s + i, len - i, UTF8_NUL_OK, &bad) == 0)
            rc |= buf_puts(out, UTF8_REPLACEMENT);
        else if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            rc |= buf_putc(out, ' ');
        else
            rc |= buf_append(out, s + i, n);
        i += n;
        chars++;
    }
    return rc ? -1 : 0;
}

/* utf8.h — the one home of UTF-8 reading and writing: checking text for
 * well-formed UTF-8, repairing it, and writing one code point.
 *
 * Policy. Well-formed UTF-8 is what Unicode (chapter 3, table 3-7) and
 * RFC 3629 allow: the shortest form of a scalar value, so no overlong
 * forms (C0, C1, E0 80..9F, F0 80..8F), no surrogates (ED A0..BF), nothing
 * past U+10FFFF (F4 90..BF, F5..FF). U+0000 is a scalar value like any
 * other, so a NUL byte is well-formed under UTF8_NUL_OK; a caller that
 * hands text to something that stops at NUL (libxml2's parsers) passes
 * UTF8_NUL_BAD, and a NUL byte is then read as a one-byte ill-formed
 * subpart. Ill-formed input is cut into maximal subparts as Unicode
 * ("U+FFFD substitution of maximal subparts") and the WHATWG UTF-8 decoder
 * define them: the longest prefix of a well-formed sequence that the next
 * byte (or the end of the text) breaks off, else the single byte; each one
 * becomes one U+FFFD. "\xE4\xB8" at the end is one subpart, "\xE0\x80" two
 * (E0 may not be followed by 80), "\xF4\x90\x80\x80" four.
 *
 * Writing: utf8_put never writes a NUL, a surrogate or a value past
 * U+10FFFF (they become U+FFFD): HTML character references and CSS escapes
 * want exactly that. */
#ifndef VANE_UTF8_H
#define VANE_UTF8_H

#include <stddef.h>

#include "util/buf.h"

#define UTF8_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

typedef enum utf8_nul {
    UTF8_NUL_OK,  /* U+0000 is well-formed */
    UTF8_NUL_BAD, /* a NUL byte is an ill-formed subpart of one byte */
} utf8_nul_t;

/* The length (1..4) of the well-formed sequence at s (n > 0 bytes left),
 * or 0 with *bad set to the length (1..3) of the maximal ill-formed
 * subpart there. */
size_t utf8_seq(const char *s, size_t n, utf8_nul_t nul, size_t *bad);

/* The length (1..n) of what starts at s (n > 0 bytes left): the
 * well-formed sequence there, else the maximal ill-formed subpart (NUL is
 * well-formed). A walk over any bytes with it moves one character, or one
 * ill-formed subpart, at a time and never cuts a character in two. */
size_t utf8_step(const char *s, size_t n);

/* The length of the longest well-formed prefix of s (n bytes); when it is
 * less than n, *bad (may be NULL) is set to the length of the maximal
 * ill-formed subpart that follows it. */
size_t utf8_valid(const char *s, size_t n, utf8_nul_t nul, size_t *bad);

/* Append s (n bytes) to out with each maximal ill-formed subpart replaced
 * by one U+FFFD. Returns the number of replacements, or -1 when memory ran
 * out (out then holds part of the text). When bad_bytes is not NULL, the
 * bytes replaced are added to it. */
long utf8_repair(const char *s, size_t n, utf8_nul_t nul, buf_t *out, size_t *bad_bytes);

/* Write cp as 1 to 4 bytes into out and return how many. NUL, surrogates
 * and values past U+10FFFF become U+FFFD. */
size_t utf8_put(unsigned long cp, char out[4]);

/* Code points in s (each ill-formed subpart counted as one, as
 * utf8_step steps). */
size_t utf8_count(const char *s);

/* Append s as one line for people: control characters (tabs and newlines
 * too) as spaces, each ill-formed subpart as U+FFFD, at most max_chars
 * code points, "…" marking a cut. 0, or -1 when memory ran out. */
int utf8_put_oneline(buf_t *out, const char *s, size_t max_chars);

#endif

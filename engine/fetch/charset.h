/* charset.h — response bodies to UTF-8 before scripts see them.
 *
 * charset_detect decides what a body is encoded in, in the order browsers
 * use: a byte-order mark, the charset of the HTTP Content-Type, the XML
 * declaration, an HTML <meta> in the first 4096 bytes, else UTF-8.
 * charset_to_utf8 converts with iconv(3), mapping labels the way the WHATWG
 * Encoding Standard does (gb2312 is decoded as GB18030, iso-8859-1 as
 * windows-1252, big5 as Big5-HKSCS, …). It never fails on bad input: every
 * byte sequence that cannot be decoded becomes U+FFFD and decoding goes on.
 *
 * UTF-8 bodies (the common case) skip iconv: a valid one is copied as is;
 * in an invalid one each maximal subpart of an ill-formed sequence becomes
 * one U+FFFD, as util/utf8.h states (NUL is kept: it is well-formed):
 * "\xE4\xB8" at the end of a body is one replacement, a lone "\xFF" one.
 *
 * Known difference from browsers: glibc's WINDOWS-1252 has no mapping for
 * 0x81, 0x8D, 0x8F, 0x90 and 0x9D, which browsers pass through as C1
 * controls; here they become U+FFFD (and are reported). */
#ifndef VANE_CHARSET_H
#define VANE_CHARSET_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

/* The Content-Type value among "name: value\n" header lines (name matched
 * without regard to case), copied into out (n bytes, truncated, trimmed).
 * Returns out, or NULL (out = "") when there is no such header. */
const char *charset_header(const char *headers, char *out, size_t n);

/* The encoding label of body, lower case, in label (n bytes); *from_bom
 * (may be NULL) says whether a byte-order mark decided. content_type is the
 * Content-Type header's value or NULL. Returns label. Labels are as found
 * ("gb2312", "iso-8859-1"); charset_to_utf8 maps them. A meta or XML
 * declaration saying utf-16 in a document readable as ASCII means utf-8. */
const char *charset_detect(const char *body, size_t len, const char *content_type, char *label,
                           size_t n, int *from_bom);

typedef struct charset_report {
    size_t replaced;        /* U+FFFD written for undecodable bytes */
    int first_line;         /* 1-based line of the first replacement; 0 if none */
    const char *decoder;    /* what decoded: "UTF-8" or an iconv name (static) */
    char warning[160];      /* "" or "unknown charset 'x', read as UTF-8" */
} charset_report_t;

/* Convert body from the encoding `label` (as from charset_detect; NULL
 * means utf-8) to UTF-8, appended to out; a byte-order mark, if any, decides
 * the encoding and is left out. Fills rep. Returns 0, or -1 with e set only
 * when memory ran out or iconv could not be set up at all. */
int charset_to_utf8(const char *body, size_t len, const char *label, buf_t *out,
                    charset_report_t *rep, err_t *e);

/* Append text that should be UTF-8 to out with each ill-formed subpart
 * replaced by one U+FFFD, as charset_to_utf8 does for UTF-8 but without
 * looking for a byte-order mark. Fills rep. Returns 0, or -1 when memory
 * ran out. */
int charset_repair_utf8(const char *text, size_t len, buf_t *out, charset_report_t *rep);

#endif

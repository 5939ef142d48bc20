/* termtext.c — escaping text for a terminal (the policy is in termtext.h). */
#include "util/termtext.h"

#include <string.h>

#include "util/utf8.h"

/* A C1 control: U+0080..U+009F, written C2 80..C2 9F. */
static int is_c1(const unsigned char *u, size_t k)
{
    return k == 2 && u[0] == 0xC2 && u[1] < 0xA0;
}

/* The length of the run at s (n bytes) printed as it is: printable ASCII
 * and well-formed UTF-8 but C1 controls; newlines and tabs too when
 * layout is kept. */
static size_t plain_run(const char *s, size_t n, int layout)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, bad = 0;
    while (i < n) {
        if ((u[i] >= 0x20 && u[i] < 0x7f) || (layout && (u[i] == '\n' || u[i] == '\t'))) {
            i++;
            continue;
        }
        size_t k = u[i] >= 0x80 ? utf8_seq(s + i, n - i, UTF8_NUL_OK, &bad) : 0;
        if (k == 0 || is_c1(u + i, k))
            break;
        i += k;
    }
    return i;
}

static int put_byte(buf_t *out, unsigned char c)
{
    switch (c) {
    case '\n': return buf_puts(out, "\\n");
    case '\r': return buf_puts(out, "\\r");
    case '\t': return buf_puts(out, "\\t");
    default: return buf_printf(out, "\\x%02x", c);
    }
}

/* The escape of what plain_run stopped at (a control, or an ill-formed
 * subpart); *used says how many bytes it stands for. */
static int put_escape(buf_t *out, const char *s, size_t n, size_t *used)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t bad = 1, k = utf8_seq(s, n, UTF8_NUL_OK, &bad);
    if (is_c1(u, k)) {
        *used = 2;
        return buf_printf(out, "\\u%04x", (unsigned)(((u[0] & 0x1F) << 6) | (u[1] & 0x3F)));
    }
    *used = k == 1 ? 1 : bad;
    int rc = 0;
    for (size_t i = 0; i < *used && rc == 0; i++)
        rc = put_byte(out, u[i]);
    return rc;
}

static int put_text(buf_t *out, const char *s, size_t n, int layout)
{
    size_t i = 0;
    int rc = 0;
    while (i < n && rc == 0) {
        size_t run = plain_run(s + i, n - i, layout), used = 0;
        rc = buf_append(out, s + i, run);
        i += run;
        if (i < n && rc == 0) {
            rc = put_escape(out, s + i, n - i, &used);
            i += used;
        }
    }
    return rc;
}

int termtext_put(buf_t *out, const char *s, size_t n)
{
    return put_text(out, s, n, 0);
}

int termtext_put_lines(buf_t *out, const char *s, size_t n)
{
    return put_text(out, s, n, 1);
}

int termtext_fputs(const char *s, FILE *f)
{
    buf_t b = {0};
    int rc = termtext_put(&b, s, strlen(s));
    if (rc == 0 && b.len > 0 && fwrite(b.p, 1, b.len, f) != b.len)
        rc = -1;
    buf_free(&b);
    return rc;
}

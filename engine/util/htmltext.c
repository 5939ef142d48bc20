/* htmltext.c — plain text from HTML fragments (see htmltext.h).
 *
 * One pass over the input with a small writer that collapses white space
 * as it appends: a run of spaces only sets a flag, and one ASCII space is
 * written before the next visible character. Tags are found with forward
 * scans only (a quoted attribute value may hold '>'), so the cost is linear
 * in the input whatever it contains. */
#include "util/htmltext.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/utf8.h"

#define MAX_REF 32 /* longest "&...;" looked at */

typedef struct writer {
    buf_t *out;
    size_t start; /* out->len when we began: nothing before it is ours */
    int space;    /* white space seen since the last visible character */
    int oom;
    int keep;     /* white space is written as it is (htmltext_decode) */
} writer_t;

/* Latin-1 named references, U+00A0 to U+00FF in order. */
static const char *const latin1[96] = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",
    "uml",    "copy",   "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",
    "deg",    "plusmn", "sup2",   "sup3",   "acute",  "micro",  "para",   "middot",
    "cedil",  "sup1",   "ordm",   "raquo",  "frac14", "frac12", "frac34", "iquest",
    "Agrave", "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil",
    "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave", "Iacute", "Icirc",  "Iuml",
    "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",   "times",
    "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",  "szlig",
    "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil",
    "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",
    "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide",
    "oslash", "ugrave", "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml",
};

static const struct {
    const char *name;
    unsigned cp;
} named[] = {
    {"amp", 38},        {"lt", 60},         {"gt", 62},         {"quot", 34},
    {"apos", 39},       {"AMP", 38},        {"LT", 60},         {"GT", 62},
    {"QUOT", 34},       {"ndash", 0x2013},  {"mdash", 0x2014},  {"lsquo", 0x2018},
    {"rsquo", 0x2019},  {"sbquo", 0x201A},  {"ldquo", 0x201C},  {"rdquo", 0x201D},
    {"bdquo", 0x201E},  {"hellip", 0x2026}, {"bull", 0x2022},   {"trade", 0x2122},
    {"euro", 0x20AC},   {"dagger", 0x2020}, {"Dagger", 0x2021}, {"permil", 0x2030},
    {"lsaquo", 0x2039}, {"rsaquo", 0x203A}, {"prime", 0x2032},  {"Prime", 0x2033},
    {"oline", 0x203E},  {"frasl", 0x2044},  {"OElig", 0x152},   {"oelig", 0x153},
    {"Scaron", 0x160},  {"scaron", 0x161},  {"Yuml", 0x178},    {"fnof", 0x192},
    {"circ", 0x2C6},    {"tilde", 0x2DC},   {"ensp", 0x2002},   {"emsp", 0x2003},
    {"thinsp", 0x2009}, {"zwnj", 0x200C},   {"zwj", 0x200D},    {"lrm", 0x200E},
    {"rlm", 0x200F},    {"minus", 0x2212},  {"larr", 0x2190},   {"uarr", 0x2191},
    {"rarr", 0x2192},   {"darr", 0x2193},   {"harr", 0x2194},   {"le", 0x2264},
    {"ge", 0x2265},     {"ne", 0x2260},     {"infin", 0x221E},
};

/* Windows-1252 for U+0080..U+009F (0: the byte has no character there). */
static const unsigned short cp1252[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* A code point as UTF-8; what is no character becomes U+FFFD. */
static size_t utf8(unsigned long cp, char out[4])
{
    if (cp >= 0x80 && cp <= 0x9F && cp1252[cp - 0x80])
        cp = cp1252[cp - 0x80];
    return utf8_put(cp, out);
}

/* name (len bytes) equals the NUL-terminated candidate? */
static int same(const char *name, size_t len, const char *candidate)
{
    return candidate[0] == name[0] && strncmp(candidate, name, len) == 0 && candidate[len] == '\0';
}

size_t htmltext_entity(const char *name, size_t len, char out[4])
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (same(name, len, named[i].name))
            return utf8(named[i].cp, out);
    for (unsigned i = 0; i < 96; i++)
        if (same(name, len, latin1[i]))
            return utf8(0xA0 + i, out);
    return 0;
}

/* "#8217", "#x2019" (without & and ;) to UTF-8; 0 if not a number. */
static size_t numeric_ref(const char *s, size_t len, char out[4])
{
    int hex = len > 1 && (s[1] == 'x' || s[1] == 'X');
    size_t i = hex ? 2 : 1, max = hex ? 8 : 9;
    if (len <= i || len - i > max)
        return 0;
    unsigned long cp = 0;
    for (; i < len; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0'
                : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                : -1;
        if (d < 0)
            return 0;
        cp = cp * (hex ? 16 : 10) + (unsigned long)d;
    }
    return utf8(cp, out);
}

static int is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Bytes of white space at s (ASCII, U+00A0, U+2000-200A, U+202F, U+205F,
 * U+3000), or 0. */
static size_t space_at(const unsigned char *s, size_t n)
{
    if (*s > ' ' && *s < 0xC2)
        return 0; /* the common case: visible ASCII */
    if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        return 1;
    if (n >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
        return 2;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && ((s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xAF))
        return 3;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)
        return 3;
    if (n >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
        return 3;
    return 0;
}

/* Append text, collapsing white space (or as it is, when w->keep). */
static void write_text(writer_t *w, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    if (w->keep) {
        if (buf_append(w->out, s, n) != 0)
            w->oom = 1;
        return;
    }
    while (i < n) {
        size_t sp = space_at(u + i, n - i);
        if (sp) {
            w->space = 1;
            i += sp;
            continue;
        }
        size_t j = i + 1;
        while (j < n && ((u[j] > ' ' && u[j] < 0xC2) || !space_at(u + j, n - j)))
            j++;
        if (w->space && w->out->len > w->start && buf_putc(w->out, ' ') != 0)
            w->oom = 1;
        w->space = 0;
        if (buf_append(w->out, s + i, j - i) != 0)
            w->oom = 1;
        i = j;
    }
}

/* At s[0] == '&': write what the reference stands for and return the
 * bytes it used, or 0 when it is not a reference we decode. */
static size_t write_ref(writer_t *w, const char *s, size_t n)
{
    size_t i = 1;
    if (i < n && s[i] == '#')
        i++;
    while (i < n && i < MAX_REF && is_alnum(s[i]))
        i++;
    if (i >= n || s[i] != ';' || i < 2)
        return 0;
    char u[4];
    size_t len = s[1] == '#' ? numeric_ref(s + 1, i - 1, u) : htmltext_entity(s + 1, i - 1, u);
    if (len == 0)
        return 0;
    write_text(w, u, len);
    return i + 1;
}

/* Text between tags: references decoded. */
static void write_decoded(writer_t *w, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t run = amp ? (size_t)(amp - (s + i)) : n - i;
        write_text(w, s + i, run);
        i += run;
        if (i < n) {
            size_t used = write_ref(w, s + i, n - i);
            if (used == 0) {
                write_text(w, "&", 1);
                used = 1;
            }
            i += used;
        }
    }
}

/* The first occurrence of needle in s[0..n), or NULL. */
static const char *find(const char *s, size_t n, const char *needle)
{
    return memmem(s, n, needle, strlen(needle));
}

/* The '>' that ends a tag whose name ends at s[i], stepping over quoted
 * attribute values; n when there is none. */
static size_t tag_end(const char *s, size_t n, size_t i)
{
    while (i < n) {
        char c = s[i];
        if (c == '>')
            return i;
        if (c == '"' || c == '\'') {
            const char *close = memchr(s + i + 1, c, n - i - 1);
            if (!close)
                return n;
            i = (size_t)(close - s);
        }
        i++;
    }
    return n;
}

/* Where the raw text of <script>/<style> ends: after "</name ...>". */
static size_t skip_raw(const char *s, size_t n, size_t i, const char *name)
{
    size_t len = strlen(name);
    while (i < n) {
        const char *lt = find(s + i, n - i, "</");
        if (!lt)
            return n;
        i = (size_t)(lt - s) + 2;
        if (n - i >= len && strncasecmp(s + i, name, len) == 0) {
            const char *gt = memchr(s + i, '>', n - i);
            return gt ? (size_t)(gt - s) + 1 : n;
        }
    }
    return n;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Tags after which words do not run together (sorted for bsearch). */
static int is_block(const char *name)
{
    static const char *const block[] = {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "dd",
        "details", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
        "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "li",
        "main", "nav", "ol", "option", "p", "pre", "section", "summary", "table", "tbody",
        "td", "tfoot", "th", "thead", "title", "tr", "ul",
    };
    return bsearch(&name, block, sizeof block / sizeof block[0], sizeof block[0],
                   compare_names) != NULL;
}

/* At s[i] == '<': handle the markup and return where the text goes on. */
static size_t markup(writer_t *w, const char *s, size_t n, size_t i)
{
    if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
        const char *e = find(s + i + 4, n - i - 4, "-->");
        return e ? (size_t)(e - s) + 3 : n;
    }
    if (n - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
        const char *e = find(s + i + 9, n - i - 9, "]]>");
        size_t end = e ? (size_t)(e - s) : n;
        write_decoded(w, s + i + 9, end - i - 9);
        return e ? end + 3 : n;
    }
    if (i + 1 < n && (s[i + 1] == '!' || s[i + 1] == '?')) {
        const char *gt = memchr(s + i, '>', n - i);
        return gt ? (size_t)(gt - s) + 1 : n;
    }
    int closing = i + 1 < n && s[i + 1] == '/';
    size_t p = i + 1 + (size_t)closing;
    if (p >= n || !((s[p] >= 'a' && s[p] <= 'z') || (s[p] >= 'A' && s[p] <= 'Z'))) {
        write_text(w, "<", 1); /* a lone '<' as in "a < b" is text */
        return i + 1;
    }
    char name[16];
    size_t len = 0;
    for (; p < n && (is_alnum(s[p]) || s[p] == ':' || s[p] == '-'); p++)
        if (len + 1 < sizeof name)
            name[len++] = (char)(s[p] >= 'A' && s[p] <= 'Z' ? s[p] + 32 : s[p]);
    name[len] = '\0';
    size_t gt = tag_end(s, n, p);
    if (gt >= n)
        return n; /* a torn tag at the end: drop it */
    if (is_block(name))
        w->space = 1;
    if (!closing && s[gt - 1] != '/' && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0))
        return skip_raw(s, n, gt + 1, name);
    return gt + 1;
}

int htmltext_to_text(const char *html, size_t len, buf_t *out)
{
    writer_t w = {out, out->len, 0, 0, 0};
    if (buf_reserve(out, len + 1) != 0)
        return -1;
    size_t i = 0;
    while (i < len && !w.oom) {
        const char *lt = memchr(html + i, '<', len - i);
        size_t run = lt ? (size_t)(lt - (html + i)) : len - i;
        write_decoded(&w, html + i, run);
        i += run;
        if (i < len)
            i = markup(&w, html, len, i);
    }
    return w.oom ? -1 : 0;
}

int htmltext_squish(const char *s, size_t len, buf_t *out)
{
    writer_t w = {out, out->len, 0, 0, 0};
    write_text(&w, s, len);
    return w.oom ? -1 : 0;
}

int htmltext_decode(const char *s, size_t len, buf_t *out)
{
    writer_t w = {out, out->len, 0, 0, 1};
    write_decoded(&w, s, len);
    return w.oom ? -1 : 0;
}

int htmltext_escape(const char *s, size_t len, buf_t *out)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        const char *ref = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;"
                        : s[i] == '"' ? "&quot;" : NULL;
        if (!ref)
            continue;
        if (buf_append(out, s + run, i - run) != 0 || buf_puts(out, ref) != 0)
            return -1;
        run = i + 1;
    }
    return buf_append(out, s + run, len - run);
}

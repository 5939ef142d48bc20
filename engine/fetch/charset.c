/* charset.c — detecting a body's encoding and converting it to UTF-8
 * (see charset.h). */
#include "fetch/charset.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/utf8.h"

#define PRESCAN_BYTES 4096
#define XML_DECL_BYTES 1024
#define LABEL_MAX 64

/* ---- detection ------------------------------------------------------------ */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Copy [s, end) into label, trimmed and in lower case. Returns 1 if it is
 * not empty and fits. */
static int set_label(const char *s, const char *end, char *label, size_t n)
{
    size_t from = 0, to = (size_t)(end - s);
    while (from < to && is_space(s[from]))
        from++;
    while (to > from && is_space(s[to - 1]))
        to--;
    if (to == from || to - from >= n || to - from >= LABEL_MAX)
        return 0;
    for (size_t i = from; i < to; i++)
        label[i - from] = lower(s[i]);
    label[to - from] = '\0';
    return 1;
}

/* The encoding a byte-order mark names, its length in *bom_len; NULL if none. */
static const char *bom_label(const unsigned char *s, size_t len, size_t *bom_len)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *label;
    } boms[] = {
        {"\xEF\xBB\xBF", 3, "utf-8"},        {"\xFF\xFE\x00\x00", 4, "utf-32le"},
        {"\x00\x00\xFE\xFF", 4, "utf-32be"}, {"\xFF\xFE", 2, "utf-16le"},
        {"\xFE\xFF", 2, "utf-16be"},
    };
    for (size_t i = 0; i < sizeof boms / sizeof boms[0]; i++)
        if (len >= boms[i].len && memcmp(s, boms[i].bytes, boms[i].len) == 0) {
            *bom_len = boms[i].len;
            return boms[i].label;
        }
    return NULL;
}

static const char *find_ci(const char *s, const char *end, const char *word)
{
    size_t n = strlen(word);
    for (; s + n <= end; s++)
        if (strncasecmp(s, word, n) == 0)
            return s;
    return NULL;
}

/* The value of "charset=" in a Content-Type or meta content value: the
 * WHATWG "extract a character encoding from a meta element" algorithm. */
static int param_charset(const char *s, const char *end, char *label, size_t n)
{
    for (const char *p = s; (p = find_ci(p, end, "charset")) != NULL;) {
        p += 7;
        while (p < end && is_space(*p))
            p++;
        if (p >= end || *p != '=')
            continue;
        p++;
        while (p < end && is_space(*p))
            p++;
        const char *v = p;
        if (p < end && (*p == '"' || *p == '\'')) {
            const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
            return q ? set_label(p + 1, q, label, n) : 0;
        }
        while (p < end && !is_space(*p) && *p != ';')
            p++;
        return set_label(v, p, label, n);
    }
    return 0;
}

/* encoding="…" in an XML declaration at the very start of the body. */
static int xml_decl_charset(const char *s, size_t len, char *label, size_t n)
{
    if (len < 6 || memcmp(s, "<?xml", 5) != 0 || !is_space(s[5]))
        return 0;
    const char *end = s + (len < XML_DECL_BYTES ? len : XML_DECL_BYTES);
    const char *close = s;
    while (close + 1 < end && !(close[0] == '?' && close[1] == '>'))
        close++;
    if (close + 1 >= end)
        return 0;
    const char *p = find_ci(s, close, "encoding");
    if (!p)
        return 0;
    p += 8;
    while (p < close && is_space(*p))
        p++;
    if (p >= close || *p++ != '=')
        return 0;
    while (p < close && is_space(*p))
        p++;
    if (p >= close || (*p != '"' && *p != '\''))
        return 0;
    const char *q = memchr(p + 1, *p, (size_t)(close - p - 1));
    return q ? set_label(p + 1, q, label, n) : 0;
}

typedef struct span {
    const char *s, *e;
} span_t;

static int span_is(span_t v, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(v.e - v.s) == n && strncasecmp(v.s, word, n) == 0;
}

/* One attribute at *pp (name and value, the value empty if none); advances
 * *pp. Returns 0 at the end of the tag. */
static int next_attr(const char **pp, const char *end, span_t *name, span_t *value)
{
    const char *p = *pp;
    while (p < end && (is_space(*p) || *p == '/'))
        p++;
    if (p >= end || *p == '>')
        return 0;
    name->s = p;
    while (p < end && !is_space(*p) && *p != '=' && *p != '>' && *p != '/')
        p++;
    if (p == name->s)
        p++; /* a stray '=': skip it */
    name->e = p;
    while (p < end && is_space(*p))
        p++;
    value->s = value->e = p;
    if (p < end && *p == '=') {
        p++;
        while (p < end && is_space(*p))
            p++;
        if (p < end && (*p == '"' || *p == '\'')) {
            const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));
            value->s = p + 1;
            value->e = q ? q : end;
            p = q ? q + 1 : end;
        } else {
            value->s = p;
            while (p < end && !is_space(*p) && *p != '>')
                p++;
            value->e = p;
        }
    }
    *pp = p;
    return 1;
}

/* The charset a <meta> tag declares (p is just after "<meta"). */
static int meta_tag_charset(const char **pp, const char *end, char *label, size_t n)
{
    char charset[LABEL_MAX] = "", from_content[LABEL_MAX] = "";
    int pragma = 0, got_content = 0;
    span_t name, value;
    while (next_attr(pp, end, &name, &value)) {
        if (span_is(name, "charset") && !charset[0])
            set_label(value.s, value.e, charset, sizeof charset);
        else if (span_is(name, "http-equiv"))
            pragma = pragma || span_is(value, "content-type");
        else if (span_is(name, "content") && !got_content) {
            got_content = 1;
            param_charset(value.s, value.e, from_content, sizeof from_content);
        }
    }
    const char *found = charset[0] ? charset : pragma && from_content[0] ? from_content : NULL;
    return found ? set_label(found, found + strlen(found), label, n) : 0;
}

/* The first <meta> in the first 4096 bytes that declares a charset;
 * comments are skipped. */
static int meta_charset(const char *s, size_t len, char *label, size_t n)
{
    const char *end = s + (len < PRESCAN_BYTES ? len : PRESCAN_BYTES);
    for (const char *p = s; (p = memchr(p, '<', (size_t)(end - p))) != NULL;) {
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *c = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
            if (!c)
                return 0;
            p = c + 3;
        } else if (end - p >= 6 && strncasecmp(p + 1, "meta", 4) == 0 &&
                   (is_space(p[5]) || p[5] == '/')) {
            p += 5;
            if (meta_tag_charset(&p, end, label, n))
                return 1;
        } else {
            p++;
        }
        if (p >= end)
            break;
    }
    return 0;
}

const char *charset_header(const char *headers, char *out, size_t n)
{
    if (n)
        out[0] = '\0';
    for (const char *p = headers; p && *p;) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            nl = p + strlen(p);
        if (nl - p > 13 && strncasecmp(p, "content-type:", 13) == 0) {
            const char *v = p + 13, *e = nl;
            while (v < e && is_space(*v))
                v++;
            while (e > v && is_space(e[-1]))
                e--;
            size_t len = (size_t)(e - v) < n ? (size_t)(e - v) : n - 1;
            memcpy(out, v, len);
            out[len] = '\0';
            return out;
        }
        p = *nl ? nl + 1 : nl;
    }
    return NULL;
}

/* A declaration inside the document that says UTF-16 was read as ASCII,
 * so the document is not UTF-16 (WHATWG: such a meta means UTF-8). */
static void not_utf16(char *label, size_t n)
{
    if (strncmp(label, "utf-16", 6) == 0 || strcmp(label, "unicode") == 0)
        snprintf(label, n, "utf-8");
}

const char *charset_detect(const char *body, size_t len, const char *content_type, char *label,
                           size_t n, int *from_bom)
{
    size_t bom_len;
    const char *bom = bom_label((const unsigned char *)body, len, &bom_len);
    if (from_bom)
        *from_bom = bom != NULL;
    if (bom) {
        snprintf(label, n, "%s", bom);
        return label;
    }
    if (content_type && param_charset(content_type, content_type + strlen(content_type), label, n))
        return label;
    if (xml_decl_charset(body, len, label, n) || meta_charset(body, len, label, n)) {
        not_utf16(label, n);
        return label;
    }
    snprintf(label, n, "utf-8");
    return label;
}

/* ---- conversion ------------------------------------------------------------ */

typedef struct decoder {
    const char *name;   /* for iconv_open; "UTF-8" is the built-in validator */
    const char *alt;    /* tried when iconv lacks name, or NULL */
    size_t unit;        /* bytes skipped after an undecodable sequence */
} decoder_t;

static const decoder_t d_utf8 = {"UTF-8", NULL, 1}, d_gb18030 = {"GB18030", NULL, 1},
                       d_big5 = {"BIG5-HKSCS", "BIG5", 1}, d_sjis = {"CP932", "SHIFT_JIS", 1},
                       d_eucjp = {"EUC-JP", NULL, 1}, d_iso2022jp = {"ISO-2022-JP", NULL, 1},
                       d_euckr = {"CP949", "EUC-KR", 1}, d_1252 = {"WINDOWS-1252", NULL, 1},
                       d_utf16le = {"UTF-16LE", NULL, 2}, d_utf16be = {"UTF-16BE", NULL, 2},
                       d_utf32le = {"UTF-32LE", NULL, 4}, d_utf32be = {"UTF-32BE", NULL, 4},
                       d_koi8r = {"KOI8-R", NULL, 1}, d_koi8u = {"KOI8-U", NULL, 1},
                       d_mac = {"MACINTOSH", NULL, 1}, d_874 = {"CP874", NULL, 1},
                       d_1250 = {"WINDOWS-1250", NULL, 1}, d_1251 = {"WINDOWS-1251", NULL, 1},
                       d_1253 = {"WINDOWS-1253", NULL, 1}, d_1254 = {"WINDOWS-1254", NULL, 1},
                       d_1255 = {"WINDOWS-1255", NULL, 1}, d_1256 = {"WINDOWS-1256", NULL, 1},
                       d_1257 = {"WINDOWS-1257", NULL, 1}, d_1258 = {"WINDOWS-1258", NULL, 1},
                       d_iso2 = {"ISO-8859-2", NULL, 1}, d_iso3 = {"ISO-8859-3", NULL, 1},
                       d_iso4 = {"ISO-8859-4", NULL, 1}, d_iso5 = {"ISO-8859-5", NULL, 1},
                       d_iso6 = {"ISO-8859-6", NULL, 1}, d_iso7 = {"ISO-8859-7", NULL, 1},
                       d_iso8 = {"ISO-8859-8", NULL, 1}, d_iso10 = {"ISO-8859-10", NULL, 1},
                       d_iso13 = {"ISO-8859-13", NULL, 1}, d_iso14 = {"ISO-8859-14", NULL, 1},
                       d_iso15 = {"ISO-8859-15", NULL, 1}, d_iso16 = {"ISO-8859-16", NULL, 1};

/* Labels as in the WHATWG Encoding Standard (the common ones). */
static const struct {
    const char *label;
    const decoder_t *dec;
} labels[] = {
    {"utf-8", &d_utf8}, {"utf8", &d_utf8}, {"unicode-1-1-utf-8", &d_utf8},
    {"unicode11utf8", &d_utf8}, {"unicode20utf8", &d_utf8}, {"x-unicode20utf8", &d_utf8},
    {"gb2312", &d_gb18030}, {"gbk", &d_gb18030}, {"x-gbk", &d_gb18030},
    {"chinese", &d_gb18030}, {"csgb2312", &d_gb18030}, {"iso-ir-58", &d_gb18030},
    {"gb_2312", &d_gb18030}, {"gb_2312-80", &d_gb18030}, {"csiso58gb231280", &d_gb18030},
    {"gb18030", &d_gb18030}, {"cp936", &d_gb18030}, {"windows-936", &d_gb18030},
    {"big5", &d_big5}, {"big5-hkscs", &d_big5}, {"cn-big5", &d_big5}, {"csbig5", &d_big5},
    {"x-x-big5", &d_big5},
    {"shift_jis", &d_sjis}, {"shift-jis", &d_sjis}, {"sjis", &d_sjis}, {"csshiftjis", &d_sjis},
    {"ms932", &d_sjis}, {"ms_kanji", &d_sjis}, {"windows-31j", &d_sjis}, {"x-sjis", &d_sjis},
    {"euc-jp", &d_eucjp}, {"x-euc-jp", &d_eucjp}, {"cseucpkdfmtjapanese", &d_eucjp},
    {"iso-2022-jp", &d_iso2022jp}, {"csiso2022jp", &d_iso2022jp},
    {"euc-kr", &d_euckr}, {"cseuckr", &d_euckr}, {"csksc56011987", &d_euckr},
    {"iso-ir-149", &d_euckr}, {"korean", &d_euckr}, {"ks_c_5601-1987", &d_euckr},
    {"ks_c_5601-1989", &d_euckr}, {"ksc5601", &d_euckr}, {"ksc_5601", &d_euckr},
    {"windows-949", &d_euckr},
    {"iso-8859-1", &d_1252}, {"iso8859-1", &d_1252}, {"iso88591", &d_1252},
    {"iso_8859-1", &d_1252}, {"iso_8859-1:1987", &d_1252}, {"latin1", &d_1252},
    {"l1", &d_1252}, {"cp819", &d_1252}, {"ibm819", &d_1252}, {"csisolatin1", &d_1252},
    {"iso-ir-100", &d_1252}, {"us-ascii", &d_1252}, {"ascii", &d_1252},
    {"ansi_x3.4-1968", &d_1252}, {"windows-1252", &d_1252}, {"cp1252", &d_1252},
    {"x-cp1252", &d_1252},
    {"iso-8859-2", &d_iso2}, {"iso8859-2", &d_iso2}, {"iso_8859-2", &d_iso2},
    {"latin2", &d_iso2}, {"l2", &d_iso2}, {"csisolatin2", &d_iso2},
    {"iso-8859-3", &d_iso3}, {"iso8859-3", &d_iso3}, {"latin3", &d_iso3},
    {"iso-8859-4", &d_iso4}, {"iso8859-4", &d_iso4}, {"latin4", &d_iso4},
    {"iso-8859-5", &d_iso5}, {"iso8859-5", &d_iso5}, {"cyrillic", &d_iso5},
    {"iso-8859-6", &d_iso6}, {"iso8859-6", &d_iso6}, {"arabic", &d_iso6},
    {"iso-8859-7", &d_iso7}, {"iso8859-7", &d_iso7}, {"greek", &d_iso7},
    {"iso-8859-8", &d_iso8}, {"iso8859-8", &d_iso8}, {"hebrew", &d_iso8},
    {"iso-8859-8-i", &d_iso8},
    {"iso-8859-9", &d_1254}, {"iso8859-9", &d_1254}, {"latin5", &d_1254},
    {"iso-8859-10", &d_iso10}, {"iso8859-10", &d_iso10}, {"latin6", &d_iso10},
    {"iso-8859-11", &d_874}, {"iso8859-11", &d_874}, {"windows-874", &d_874},
    {"tis-620", &d_874},
    {"iso-8859-13", &d_iso13}, {"iso8859-13", &d_iso13},
    {"iso-8859-14", &d_iso14}, {"iso8859-14", &d_iso14},
    {"iso-8859-15", &d_iso15}, {"iso8859-15", &d_iso15}, {"iso_8859-15", &d_iso15},
    {"latin9", &d_iso15}, {"l9", &d_iso15}, {"csisolatin9", &d_iso15},
    {"iso-8859-16", &d_iso16},
    {"windows-1250", &d_1250}, {"cp1250", &d_1250}, {"x-cp1250", &d_1250},
    {"windows-1251", &d_1251}, {"cp1251", &d_1251}, {"x-cp1251", &d_1251},
    {"windows-1253", &d_1253}, {"cp1253", &d_1253}, {"x-cp1253", &d_1253},
    {"windows-1254", &d_1254}, {"cp1254", &d_1254}, {"x-cp1254", &d_1254},
    {"windows-1255", &d_1255}, {"cp1255", &d_1255}, {"x-cp1255", &d_1255},
    {"windows-1256", &d_1256}, {"cp1256", &d_1256}, {"x-cp1256", &d_1256},
    {"windows-1257", &d_1257}, {"cp1257", &d_1257}, {"x-cp1257", &d_1257},
    {"windows-1258", &d_1258}, {"cp1258", &d_1258}, {"x-cp1258", &d_1258},
    {"koi8-r", &d_koi8r}, {"koi8", &d_koi8r}, {"koi", &d_koi8r}, {"cskoi8r", &d_koi8r},
    {"koi8_r", &d_koi8r}, {"koi8-u", &d_koi8u}, {"koi8-ru", &d_koi8u},
    {"macintosh", &d_mac}, {"mac", &d_mac}, {"x-mac-roman", &d_mac}, {"csmacintosh", &d_mac},
    {"utf-16", &d_utf16le}, {"utf-16le", &d_utf16le}, {"unicode", &d_utf16le},
    {"ucs-2", &d_utf16le}, {"csunicode", &d_utf16le}, {"iso-10646-ucs-2", &d_utf16le},
    {"unicodefeff", &d_utf16le}, {"utf-16be", &d_utf16be}, {"unicodefffe", &d_utf16be},
    {"utf-32", &d_utf32le}, {"utf-32le", &d_utf32le}, {"utf-32be", &d_utf32be},
};

static const decoder_t *decoder_of(const char *label)
{
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcasecmp(labels[i].label, label) == 0)
            return labels[i].dec;
    return NULL;
}

/* Write U+FFFD for undecodable input; the first one's line is the number
 * of newlines written so far (from start) plus one. */
static int replace(buf_t *out, size_t start, charset_report_t *rep)
{
    if (rep->replaced++ == 0) {
        int line = 1;
        for (size_t i = start; i < out->len; i++)
            line += out->p[i] == '\n';
        rep->first_line = line;
    }
    return buf_append(out, UTF8_REPLACEMENT, 3);
}

/* Validate UTF-8, copying valid runs whole and each ill-formed subpart as
 * one U+FFFD (utf8.h); the first one's line is counted in the input, which
 * is the output up to there. */
static int from_utf8(const char *in, size_t len, buf_t *out, charset_report_t *rep)
{
    size_t valid = utf8_valid(in, len, UTF8_NUL_OK, NULL);
    if (valid == len)
        return buf_append(out, in, len);
    long n = utf8_repair(in, len, UTF8_NUL_OK, out, NULL);
    if (n < 0)
        return -1;
    rep->replaced += (size_t)n;
    rep->first_line = 1;
    for (const char *p = in; (p = memchr(p, '\n', (size_t)(in + valid - p))) != NULL; p++)
        rep->first_line++;
    return 0;
}

static iconv_t open_decoder(const decoder_t *d, const char **name)
{
    *name = d->name;
    iconv_t cd = iconv_open("UTF-8", d->name);
    if (cd == (iconv_t)-1 && d->alt) {
        *name = d->alt;
        cd = iconv_open("UTF-8", d->alt);
    }
    return cd;
}

/* Convert with iconv; at each undecodable sequence write U+FFFD, skip one
 * code unit, reset the decoder and go on. */
static int from_iconv(iconv_t cd, size_t unit, const char *in, size_t len, buf_t *out,
                      charset_report_t *rep, err_t *e)
{
    size_t start = out->len;
    char *ip = (char *)in;
    size_t il = len;
    while (il > 0) {
        if (buf_reserve(out, il * 3 + 16) != 0)
            return err_set(e, "out of memory");
        char *op = out->p + out->len;
        size_t ol = out->cap - out->len - 1;
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        int why = errno;
        out->len = (size_t)(op - out->p);
        out->p[out->len] = '\0';
        if (r != (size_t)-1 || why == E2BIG)
            continue;
        if (why != EILSEQ && why != EINVAL)
            return err_set(e, "iconv: %s", strerror(why));
        if (replace(out, start, rep) != 0)
            return err_set(e, "out of memory");
        size_t skip = unit < il ? unit : il;
        ip += skip;
        il -= skip;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    if (buf_reserve(out, 16) != 0) /* a stateful decoder's last bytes */
        return err_set(e, "out of memory");
    char *op = out->p + out->len;
    size_t ol = out->cap - out->len - 1;
    iconv(cd, NULL, NULL, &op, &ol);
    out->len = (size_t)(op - out->p);
    out->p[out->len] = '\0';
    return 0;
}

int charset_repair_utf8(const char *text, size_t len, buf_t *out, charset_report_t *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->decoder = d_utf8.name;
    return buf_reserve(out, len) == 0 ? from_utf8(text, len, out, rep) : -1;
}

int charset_to_utf8(const char *body, size_t len, const char *label, buf_t *out,
                    charset_report_t *rep, err_t *e)
{
    memset(rep, 0, sizeof *rep);
    size_t bom_len = 0;
    const char *bom = bom_label((const unsigned char *)body, len, &bom_len);
    if (bom) {
        label = bom;
        body += bom_len;
        len -= bom_len;
    }
    const decoder_t *d = decoder_of(label && *label ? label : "utf-8");
    if (!d) {
        snprintf(rep->warning, sizeof rep->warning, "unknown charset '%.100s', read as UTF-8",
                 label);
        d = &d_utf8;
    }
    rep->decoder = d->name;
    if (buf_reserve(out, len) != 0)
        return err_set(e, "out of memory");
    if (d == &d_utf8)
        return from_utf8(body, len, out, rep) == 0 ? 0 : err_set(e, "out of memory");
    const char *name;
    iconv_t cd = open_decoder(d, &name);
    if (cd == (iconv_t)-1) {
        snprintf(rep->warning, sizeof rep->warning,
                 "charset '%.100s' not supported here, read as UTF-8", label);
        rep->decoder = d_utf8.name;
        return from_utf8(body, len, out, rep) == 0 ? 0 : err_set(e, "out of memory");
    }
    rep->decoder = name;
    int rc = from_iconv(cd, d->unit, body, len, out, rep, e);
    iconv_close(cd);
    return rc;
}

/* css.c — the CSS selector compiler and matcher (see css.h).
 *
 * A compiled selector is a list of complex selectors; each is an array of
 * compounds read left to right, each compound a linked list of simple
 * selectors and the combinator that joins it to the compound on its left.
 * Everything is allocated from one arena freed by css_free, so the parser's
 * error paths free nothing themselves.
 *
 * Matching goes right to left from the candidate element, the way browsers
 * do: test the rightmost compound on the element, then look for the next
 * compound to the left among its ancestors or earlier siblings. A failed
 * search says how far back the caller must restart (Servo's "restart from
 * the closest descendant / later sibling" results), which keeps chains like
 * `a > b c d` from retrying every pair of ancestors.
 *
 * :nth-child needs an element's position among its siblings; counting from
 * the first sibling each time would be quadratic on a long list, so the
 * last position computed under each parent is remembered for the walk. */
#include "lib/css.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

enum simple_kind {
    S_TYPE, S_ID, S_CLASS, S_ATTR, S_FIRST, S_LAST, S_ONLY, S_NTH, S_NTH_LAST, S_NOT
};

enum attr_op { A_EXISTS, A_EQ, A_INCLUDES, A_DASH, A_PREFIX, A_SUFFIX, A_SUBSTR };

struct compound;

struct simple {
    enum simple_kind kind;
    enum attr_op op;
    int icase;             /* attribute value compared ASCII case-insensitively */
    const char *name;      /* type, id, class or attribute name */
    const char *value;     /* attribute value */
    long a, b;             /* an+b */
    struct compound *not;  /* :not(...) */
    struct simple *next;
};

struct compound {
    char comb;             /* joins it to the compound on its left: ' ', '>', '+', '~' */
    struct simple *first;  /* NULL for a bare `*` */
};

struct complex {
    struct compound *parts[CSS_MAX_PARTS];
    int n;
    struct complex *next;
};

struct block {
    struct block *next;
    max_align_t data[];
};

struct css_selector {
    struct complex *first;
    struct block *arena;
    int parts;
};

/* ---- compiling ---------------------------------------------------------- */

typedef struct parser {
    const char *src;
    size_t pos, len;
    css_selector_t *sel;
    char *err;
    size_t errsize;
} parser_t;

static void *arena_alloc(css_selector_t *sel, size_t size)
{
    struct block *b = calloc(1, sizeof *b + size);
    if (!b)
        return NULL;
    b->next = sel->arena;
    sel->arena = b;
    return b->data;
}

/* Fill the error message with the position (1-based) and return -1. */
static int fail_at(parser_t *p, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_at(parser_t *p, size_t at, const char *fmt, ...)
{
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(p->err, p->errsize, "bad CSS selector '%s' at character %zu: %s", p->src, at + 1, why);
    return -1;
}

static int oom(parser_t *p)
{
    return fail_at(p, p->pos, "out of memory");
}

static int peek(const parser_t *p)
{
    return p->pos < p->len ? (unsigned char)p->src[p->pos] : 0;
}

static int peek_at(const parser_t *p, size_t k)
{
    return p->pos + k < p->len ? (unsigned char)p->src[p->pos + k] : 0;
}

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int skip_ws(parser_t *p)
{
    size_t start = p->pos;
    while (is_ws(peek(p)))
        p->pos++;
    return p->pos > start;
}

static int is_name_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c >= 0x80;
}

static int is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Can an identifier start here? A letter, '_', a non-ASCII byte or an
 * escape, after an optional '-' ("--x" too); not a digit. */
static int ident_starts(const parser_t *p)
{
    size_t k = peek(p) == '-';
    int c = peek_at(p, k);
    if (c == '\\')
        return peek_at(p, k + 1) != 0 && peek_at(p, k + 1) != '\n';
    if (k && c == '-')
        return 1;
    return is_name_char(c) && !(c >= '0' && c <= '9') && c != '-';
}

/* One backslash escape at p->pos (on the backslash) written to out:
 * up to six hex digits and one optional space, or the next character. */
static int read_escape(parser_t *p, char *out, size_t *n)
{
    size_t at = p->pos++;
    int c = peek(p);
    if (c == 0 || c == '\n')
        return fail_at(p, at, "unfinished escape");
    if (!is_hex(c)) {
        out[(*n)++] = (char)c;
        p->pos++;
        return 0;
    }
    unsigned long cp = 0;
    for (int i = 0; i < 6 && is_hex(peek(p)); i++, p->pos++) {
        int h = peek(p);
        cp = cp * 16 + (unsigned long)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    if (is_ws(peek(p)))
        p->pos++;
    *n += utf8_put(cp, out + *n);
    return 0;
}

/* A copy of the text of an identifier (escapes decoded) or NULL with the
 * error set; `what` names it in the message when none is there. An escape
 * decodes to at most 1.5 times the bytes it is written with ("\\0" is
 * U+FFFD), so twice the rest of the selector is room enough. */
static char *read_ident(parser_t *p, const char *what)
{
    if (!ident_starts(p)) {
        fail_at(p, p->pos, "expected %s", what);
        return NULL;
    }
    char *out = arena_alloc(p->sel, 2 * (p->len - p->pos) + 1);
    if (!out) {
        oom(p);
        return NULL;
    }
    size_t n = 0;
    for (;;) {
        int c = peek(p);
        if (c == '\\') {
            if (read_escape(p, out, &n) != 0)
                return NULL;
        } else if (is_name_char(c)) {
            out[n++] = (char)c;
            p->pos++;
        } else {
            break;
        }
    }
    out[n] = '\0';
    return out;
}

/* An attribute value: a quoted string, or (leniently) a run of characters
 * up to whitespace or ']'. */
static char *read_value(parser_t *p)
{
    int q = peek(p);
    size_t at = p->pos;
    char *out = arena_alloc(p->sel, 2 * (p->len - p->pos) + 1);
    size_t n = 0;
    if (!out) {
        oom(p);
        return NULL;
    }
    if (q == '"' || q == '\'') {
        p->pos++;
        for (;;) {
            int c = peek(p);
            if (c == 0) {
                fail_at(p, at, "unterminated string");
                return NULL;
            }
            if (c == q) {
                p->pos++;
                break;
            }
            if (c == '\\' && peek_at(p, 1) == '\n') {
                p->pos += 2;
            } else if (c == '\\') {
                if (read_escape(p, out, &n) != 0)
                    return NULL;
            } else {
                out[n++] = (char)c;
                p->pos++;
            }
        }
    } else {
        for (int c; (c = peek(p)) != 0 && !is_ws(c) && c != ']';) {
            if (c == '"' || c == '\'' || c == '[') {
                fail_at(p, p->pos, "unexpected '%c' in attribute value", c);
                return NULL;
            }
            if (c == '\\') {
                if (read_escape(p, out, &n) != 0)
                    return NULL;
            } else {
                out[n++] = (char)c;
                p->pos++;
            }
        }
        if (n == 0) {
            fail_at(p, p->pos, "expected an attribute value");
            return NULL;
        }
    }
    out[n] = '\0';
    return out;
}

/* A new simple selector appended at *tail. */
static struct simple *add_simple(parser_t *p, struct simple ***tail, enum simple_kind kind)
{
    struct simple *s = arena_alloc(p->sel, sizeof *s);
    if (!s) {
        oom(p);
        return NULL;
    }
    s->kind = kind;
    **tail = s;
    *tail = &s->next;
    return s;
}

static int read_attr_op(parser_t *p, enum attr_op *op)
{
    static const struct {
        char c;
        enum attr_op op;
    } ops[] = { { '~', A_INCLUDES }, { '|', A_DASH }, { '^', A_PREFIX },
                { '$', A_SUFFIX }, { '*', A_SUBSTR } };
    int c = peek(p);
    if (c == '=') {
        p->pos++;
        *op = A_EQ;
        return 0;
    }
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (c == ops[i].c && peek_at(p, 1) == '=') {
            p->pos += 2;
            *op = ops[i].op;
            return 0;
        }
    return fail_at(p, p->pos, "expected ']' or an operator such as '=' in attribute selector");
}

/* [name], [name op value], [name op value i] — p->pos on the '['. */
static int parse_attr(parser_t *p, struct simple *s)
{
    size_t open = p->pos++;
    skip_ws(p);
    if (!(s->name = read_ident(p, "an attribute name")))
        return -1;
    skip_ws(p);
    s->op = A_EXISTS;
    if (peek(p) != ']' && peek(p) != 0) {
        if (read_attr_op(p, &s->op) != 0)
            return -1;
        skip_ws(p);
        if (!(s->value = read_value(p)))
            return -1;
        skip_ws(p);
        int f = peek(p) | 0x20;
        if ((f == 'i' || f == 's') && !is_name_char(peek_at(p, 1))) {
            s->icase = f == 'i';
            p->pos++;
            skip_ws(p);
        }
    }
    if (peek(p) != ']')
        return peek(p) ? fail_at(p, p->pos, "expected ']'")
                       : fail_at(p, open, "'[' is never closed");
    p->pos++;
    return 0;
}

static int read_number(parser_t *p, long *v)
{
    size_t start = p->pos;
    long n = 0;
    while (peek(p) >= '0' && peek(p) <= '9') {
        if (p->pos - start >= 9)
            return fail_at(p, start, "number too large");
        n = n * 10 + (peek(p) - '0');
        p->pos++;
    }
    *v = n;
    return p->pos > start;
}

static int word_here(const parser_t *p, const char *w)
{
    size_t n = strlen(w);
    return p->len - p->pos >= n && strncasecmp(p->src + p->pos, w, n) == 0 &&
           !is_name_char(peek_at(p, n));
}

/* odd | even | an+b | b, with p->pos after the '(' and blanks. */
static int parse_nth(parser_t *p, long *a, long *b)
{
    if (word_here(p, "odd") || word_here(p, "even")) {
        *a = 2;
        *b = (p->src[p->pos] | 0x20) == 'o';
        p->pos += *b ? 3 : 4;
        return 0;
    }
    size_t start = p->pos;
    long sign = 1, num = 0;
    if (peek(p) == '+' || peek(p) == '-')
        sign = p->src[p->pos++] == '-' ? -1 : 1;
    int digits = read_number(p, &num);
    if (digits < 0)
        return -1;
    if ((peek(p) | 0x20) != 'n') {
        if (!digits)
            return fail_at(p, start, "expected an+b, odd or even");
        *a = 0;
        *b = sign * num;
        return 0;
    }
    p->pos++;
    *a = sign * (digits ? num : 1);
    *b = 0;
    skip_ws(p);
    if (peek(p) == '+' || peek(p) == '-') {
        long s2 = p->src[p->pos++] == '-' ? -1 : 1;
        skip_ws(p);
        int d = read_number(p, &num);
        if (d <= 0)
            return d < 0 ? -1 : fail_at(p, p->pos, "expected a number after the sign");
        *b = s2 * num;
    }
    return 0;
}

static int expect_close(parser_t *p, const char *what)
{
    skip_ws(p);
    if (peek(p) != ')')
        return fail_at(p, p->pos, "expected ')' to close %s", what);
    p->pos++;
    return 0;
}

static int parse_compound(parser_t *p, struct compound **out, int in_not);

/* :name or :name(...) — p->pos on the ':'. */
static int parse_pseudo(parser_t *p, struct simple *s, int in_not)
{
    static const struct {
        const char *name;
        enum simple_kind kind;
        int args;
    } known[] = {
        { "first-child", S_FIRST, 0 }, { "last-child", S_LAST, 0 },
        { "only-child", S_ONLY, 0 },   { "nth-child", S_NTH, 1 },
        { "nth-last-child", S_NTH_LAST, 1 }, { "not", S_NOT, 1 },
    };
    size_t at = p->pos++;
    if (peek(p) == ':')
        return fail_at(p, at, "pseudo-elements are not supported");
    const char *name = read_ident(p, "a pseudo-class name after ':'");
    if (!name)
        return -1;
    size_t i = 0, n = sizeof known / sizeof known[0];
    while (i < n && strcasecmp(name, known[i].name) != 0)
        i++;
    if (i == n)
        return fail_at(p, at, "unknown pseudo-class ':%s'", name);
    s->kind = known[i].kind;
    if (!known[i].args)
        return peek(p) == '(' ? fail_at(p, p->pos, "':%s' takes no argument", name) : 0;
    if (peek(p) != '(')
        return fail_at(p, p->pos, "expected '(' after ':%s'", name);
    p->pos++;
    skip_ws(p);
    if (s->kind != S_NOT) {
        if (parse_nth(p, &s->a, &s->b) != 0)
            return -1;
        return expect_close(p, name);
    }
    if (in_not)
        return fail_at(p, at, ":not() inside :not() is not supported");
    int r = parse_compound(p, &s->not, 1);
    if (r > 0)
        return fail_at(p, p->pos, "expected a selector inside :not()");
    return r < 0 ? -1 : expect_close(p, ":not()");
}

/* The type selector or '*' that may open a compound. Returns 0 or -1. */
static int parse_type(parser_t *p, struct simple ***tail)
{
    if (peek(p) == '*') {
        p->pos++;
        return 0;
    }
    if (!ident_starts(p))
        return 0;
    struct simple *s = add_simple(p, tail, S_TYPE);
    return s && (s->name = read_ident(p, "a type")) ? 0 : -1;
}

/* One #id, .class, [attr] or :pseudo at p->pos (its first character is ch)
 * appended to the compound. Returns 0 or -1. */
static int parse_subclass(parser_t *p, struct simple ***tail, int ch, int in_not)
{
    struct simple *s = add_simple(p, tail, ch == '#' ? S_ID : ch == '.' ? S_CLASS : S_ATTR);
    if (!s)
        return -1;
    if (ch == '[')
        return parse_attr(p, s);
    if (ch == ':')
        return parse_pseudo(p, s, in_not);
    p->pos++;
    s->name = read_ident(p, ch == '#' ? "a name after '#'" : "a class name after '.'");
    return s->name ? 0 : -1;
}

/* A compound selector at p->pos into *out. Returns 0, 1 when there is none
 * here (nothing consumed), or -1 on error. */
static int parse_compound(parser_t *p, struct compound **out, int in_not)
{
    struct compound *c = arena_alloc(p->sel, sizeof *c);
    if (!c)
        return oom(p);
    struct simple **tail = &c->first;
    size_t start = p->pos;
    if (parse_type(p, &tail) != 0)
        return -1;
    for (int ch = peek(p); ch == '#' || ch == '.' || ch == '[' || ch == ':'; ch = peek(p))
        if (parse_subclass(p, &tail, ch, in_not) != 0)
            return -1;
    if (p->pos == start)
        return 1;
    if (++p->sel->parts > CSS_MAX_PARTS)
        return fail_at(p, start, "more than %d compound selectors", CSS_MAX_PARTS);
    *out = c;
    return 0;
}

/* compound (combinator compound)* */
static int parse_complex(parser_t *p, struct complex *cx)
{
    int r = parse_compound(p, &cx->parts[0], 0);
    if (r < 0)
        return -1;
    if (r > 0)
        return peek(p) ? fail_at(p, p->pos, "unexpected '%c'", peek(p))
                       : fail_at(p, p->pos, "expected a selector");
    cx->n = 1;
    for (;;) {
        size_t before = p->pos;
        int blank = skip_ws(p);
        int comb = peek(p);
        if (comb == '>' || comb == '+' || comb == '~') {
            p->pos++;
            skip_ws(p);
        } else if (blank && comb && comb != ',') {
            comb = ' ';
        } else {
            p->pos = before;
            return 0;
        }
        struct compound *c = NULL;
        r = parse_compound(p, &c, 0);
        if (r < 0)
            return -1;
        if (r > 0) {
            if (comb == ' ')
                return fail_at(p, p->pos, "unexpected '%c'", peek(p));
            return fail_at(p, p->pos, "expected a selector after '%c'", comb);
        }
        c->comb = (char)comb;
        cx->parts[cx->n++] = c;  /* parts never exceeds CSS_MAX_PARTS: counted above */
    }
}

static int parse_list(parser_t *p)
{
    struct complex **tail = &p->sel->first;
    skip_ws(p);
    for (;;) {
        struct complex *cx = arena_alloc(p->sel, sizeof *cx);
        if (!cx)
            return oom(p);
        if (parse_complex(p, cx) != 0)
            return -1;
        *tail = cx;
        tail = &cx->next;
        skip_ws(p);
        if (peek(p) == 0)
            return 0;
        if (peek(p) != ',')
            return fail_at(p, p->pos, "unexpected '%c'", peek(p));
        p->pos++;
        skip_ws(p);
    }
}

int css_compile(const char *src, css_selector_t **out, char *err, size_t errsize)
{
    *out = NULL;
    size_t len = strlen(src);
    if (len > CSS_MAX_LEN) {
        snprintf(err, errsize, "bad CSS selector '%.40s...': longer than %d characters", src,
                 CSS_MAX_LEN);
        return -1;
    }
    parser_t p = { .src = src, .len = len, .err = err, .errsize = errsize };
    p.sel = calloc(1, sizeof *p.sel);
    if (!p.sel) {
        snprintf(err, errsize, "bad CSS selector '%s': out of memory", src);
        return -1;
    }
    if (parse_list(&p) != 0) {
        css_free(p.sel);
        return -1;
    }
    *out = p.sel;
    return 0;
}

void css_free(css_selector_t *sel)
{
    if (!sel)
        return;
    for (struct block *b = sel->arena, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(sel);
}

/* ---- matching ----------------------------------------------------------- */

#define NTH_SLOTS 64

/* The last element at some depth whose position among its siblings is
 * known. In a document-order walk every element looked at, at one depth,
 * has the same parent until the walk moves on, so one memo per depth
 * finds the last position computed a few siblings back. */
typedef struct nth_memo {
    xmlNodePtr node;
    long pos;
} nth_memo_t;

typedef struct match_ctx {
    nth_memo_t from_start[NTH_SLOTS], from_end[NTH_SLOTS];
    long steps;  /* compounds tested and siblings counted so far */
    long max_steps;
    int over;    /* steps went past max_steps: everything fails now */
} match_ctx_t;

enum { M_MATCHED, M_RESTART_SIBLING, M_RESTART_DESCENDANT, M_NOT_GLOBAL };

static int is_element(xmlNodePtr n)
{
    return n && n->type == XML_ELEMENT_NODE;
}

static xmlNodePtr prev_element(xmlNodePtr n)
{
    for (n = n->prev; n && n->type != XML_ELEMENT_NODE; n = n->prev) {
    }
    return n;
}

static xmlNodePtr next_element(xmlNodePtr n)
{
    for (n = n->next; n && n->type != XML_ELEMENT_NODE; n = n->next) {
    }
    return n;
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int same_text(const char *a, const char *b, size_t n, int icase)
{
    if (!icase)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

static int contains(const char *hay, const char *needle, int icase)
{
    size_t h = strlen(hay), n = strlen(needle);
    for (size_t i = 0; n <= h && i <= h - n; i++)
        if (same_text(hay + i, needle, n, icase))
            return 1;
    return 0;
}

/* Is word one of the whitespace-separated words of list? */
static int has_word(const char *list, const char *word, int icase)
{
    size_t n = strlen(word);
    if (n == 0)
        return 0;
    for (const char *w = list; *w;) {
        while (*w && is_ws((unsigned char)*w))
            w++;
        const char *e = w;
        while (*e && !is_ws((unsigned char)*e))
            e++;
        if ((size_t)(e - w) == n && same_text(w, word, n, icase))
            return 1;
        w = e;
    }
    return 0;
}

static int in_html(xmlNodePtr n)
{
    return n->doc && n->doc->type == XML_HTML_DOCUMENT_NODE;
}

/* Is the attribute's qualified name ("prefix:local" or "local") name? */
static int qname_is(xmlAttrPtr a, const char *name)
{
    const char *prefix = a->ns && a->ns->prefix ? (const char *)a->ns->prefix : NULL;
    size_t k = prefix ? strlen(prefix) : 0;
    if (prefix && (strncmp(name, prefix, k) != 0 || name[k] != ':'))
        return 0;
    return strcmp(name + (prefix ? k + 1 : 0), (const char *)a->name) == 0;
}

xmlAttrPtr css_attr(xmlNodePtr el, const char *name)
{
    int html = in_html(el);
    for (xmlAttrPtr a = el->properties; a; a = a->next)
        if (a->type == XML_ATTRIBUTE_NODE &&
            (html ? xmlStrcasecmp(a->name, (const xmlChar *)name) == 0 : qname_is(a, name)))
            return a;
    return NULL;
}

/* The attribute's value; *tofree is set when it had to be assembled. */
static const char *attr_text(xmlAttrPtr a, xmlChar **tofree)
{
    *tofree = NULL;
    xmlNodePtr t = a->children;
    if (!t)
        return "";
    if (!t->next && t->type == XML_TEXT_NODE && t->content)
        return (const char *)t->content;
    *tofree = xmlNodeListGetString(a->doc, t, 1);
    return *tofree ? (const char *)*tofree : "";
}

static int value_matches(const struct simple *s, const char *v)
{
    if (s->op == A_EXISTS)
        return 1;
    const char *want = s->value;
    size_t vl = strlen(v), wl = strlen(want);
    switch (s->op) {
    case A_EXISTS:
        return 1;
    case A_EQ:
        return vl == wl && same_text(v, want, wl, s->icase);
    case A_INCLUDES:
        return has_word(v, want, s->icase);
    case A_DASH:
        return vl >= wl && same_text(v, want, wl, s->icase) && (vl == wl || v[wl] == '-');
    case A_PREFIX:
        return wl > 0 && vl >= wl && same_text(v, want, wl, s->icase);
    case A_SUFFIX:
        return wl > 0 && vl >= wl && same_text(v + vl - wl, want, wl, s->icase);
    case A_SUBSTR:
        return wl > 0 && contains(v, want, s->icase);
    }
    return 0;
}

static int attr_matches(const struct simple *s, xmlNodePtr el, const char *name)
{
    xmlAttrPtr a = css_attr(el, name);
    if (!a)
        return 0;
    xmlChar *tofree;
    const char *v = attr_text(a, &tofree);
    int ok;
    if (s->kind == S_ID)
        ok = strcmp(v, s->name) == 0;
    else if (s->kind == S_CLASS)
        ok = has_word(v, s->name, 0);
    else
        ok = value_matches(s, v);
    xmlFree(tofree);
    return ok;
}

static int spend(match_ctx_t *ctx, long n)
{
    ctx->steps += n;
    if (ctx->steps > ctx->max_steps)
        ctx->over = 1;
    return !ctx->over;
}

static long depth(xmlNodePtr el)
{
    long d = 0;
    for (xmlNodePtr n = el->parent; n; n = n->parent)
        d++;
    return d;
}

/* el's position (1-based) among its element siblings, counted from the
 * start or, with from_end, from the end. The memo for el's depth is found
 * by walking back from el: d steps back it gives the answer; when it is
 * not there the walk back has counted the position from the start. */
static long position(match_ctx_t *ctx, xmlNodePtr el, int from_end)
{
    long level = depth(el);
    unsigned slot = (unsigned)(level % NTH_SLOTS);
    nth_memo_t *m = from_end ? &ctx->from_end[slot] : &ctx->from_start[slot];
    long d = 0, pos;
    xmlNodePtr n = el;
    while (n && n != m->node) {
        n = prev_element(n);
        d++;
    }
    if (n) {
        pos = from_end ? m->pos - d : m->pos + d;
    } else if (!from_end) {
        pos = d;
    } else {
        pos = 1;
        for (n = next_element(el); n; n = next_element(n))
            pos++;
    }
    spend(ctx, level + d + (from_end && !n ? pos : 0));
    m->node = el;
    m->pos = pos;
    return pos;
}

static int nth_matches(long a, long b, long i)
{
    if (a == 0)
        return i == b;
    long d = i - b;
    return d % a == 0 && d / a >= 0;
}

static int compound_matches(match_ctx_t *ctx, const struct compound *c, xmlNodePtr el);

static int simple_matches(match_ctx_t *ctx, const struct simple *s, xmlNodePtr el)
{
    switch (s->kind) {
    case S_TYPE:
        if (in_html(el))
            return xmlStrcasecmp(el->name, (const xmlChar *)s->name) == 0;
        return xmlStrEqual(el->name, (const xmlChar *)s->name);
    case S_ID:
        return attr_matches(s, el, "id");
    case S_CLASS:
        return attr_matches(s, el, "class");
    case S_ATTR:
        return attr_matches(s, el, s->name);
    case S_FIRST:
        return prev_element(el) == NULL;
    case S_LAST:
        return next_element(el) == NULL;
    case S_ONLY:
        return prev_element(el) == NULL && next_element(el) == NULL;
    case S_NTH:
        return nth_matches(s->a, s->b, position(ctx, el, 0));
    case S_NTH_LAST:
        return nth_matches(s->a, s->b, position(ctx, el, 1));
    case S_NOT:
        return !compound_matches(ctx, s->not, el);
    }
    return 0;
}

static int compound_matches(match_ctx_t *ctx, const struct compound *c, xmlNodePtr el)
{
    if (!spend(ctx, 1))
        return 0;
    for (const struct simple *s = c->first; s; s = s->next)
        if (!simple_matches(ctx, s, el))
            return 0;
    return 1;
}

/* The element the combinator leads to from el (leftwards), or NULL. */
static xmlNodePtr step(xmlNodePtr el, char comb)
{
    if (comb == '+' || comb == '~')
        return prev_element(el);
    return is_element(el->parent) ? el->parent : NULL;
}

/* Does parts[0..i] match with parts[i] on el? */
static int match_from(match_ctx_t *ctx, const struct complex *cx, int i, xmlNodePtr el)
{
    if (!compound_matches(ctx, cx->parts[i], el))
        return M_RESTART_SIBLING;
    if (i == 0)
        return M_MATCHED;
    char comb = cx->parts[i]->comb;
    int none = (comb == '+' || comb == '~') ? M_RESTART_DESCENDANT : M_NOT_GLOBAL;
    for (xmlNodePtr n = step(el, comb); n; n = step(n, comb)) {
        int r = match_from(ctx, cx, i - 1, n);
        if (ctx->over)
            return M_NOT_GLOBAL;
        if (r == M_MATCHED || r == M_NOT_GLOBAL || comb == '+')
            return r;
        if (comb == '>')
            return M_RESTART_DESCENDANT;
        if (comb == '~' && r == M_RESTART_DESCENDANT)
            return r;
    }
    return none;
}

static int matches_in(match_ctx_t *ctx, const css_selector_t *sel, xmlNodePtr el)
{
    for (const struct complex *cx = sel->first; cx; cx = cx->next)
        if (match_from(ctx, cx, cx->n - 1, el) == M_MATCHED)
            return 1;
    return 0;
}

int css_matches(const css_selector_t *sel, xmlNodePtr el)
{
    match_ctx_t ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.max_steps = CSS_MAX_STEPS;
    return is_element(el) && matches_in(&ctx, sel, el);
}

xmlNodePtr css_walk_next(xmlNodePtr n, xmlNodePtr scope)
{
    int into = n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE ||
               n->type == XML_HTML_DOCUMENT_NODE;
    if (into && n->children)
        return n->children;
    while (n != scope && !n->next)
        n = n->parent;
    return n == scope ? NULL : n->next;
}

int css_select_counted(const css_selector_t *sel, xmlNodePtr scope, css_visit_fn visit, void *ud,
                       long max_steps, long *steps)
{
    match_ctx_t ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.max_steps = max_steps;
    int r = 0;
    long nodes = 0;
    for (xmlNodePtr n = css_walk_next(scope, scope); n; n = css_walk_next(n, scope)) {
        nodes++;
        if (n->type != XML_ELEMENT_NODE || !matches_in(&ctx, sel, n)) {
            if (ctx.over) {
                r = CSS_OVER_BUDGET;
                break;
            }
            continue;
        }
        r = visit(n, ud);
        if (r)
            break;
    }
    *steps = ctx.steps + nodes;
    return r;
}

int css_select(const css_selector_t *sel, xmlNodePtr scope, css_visit_fn visit, void *ud)
{
    long steps;
    return css_select_counted(sel, scope, visit, ud, CSS_MAX_STEPS, &steps);
}

/* pg_sql.c — the store's SQL in PostgreSQL's form (see pg_sql.h). */
#include "store/pg_sql.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"

#define MAX_PARAMS 999

static int ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The end of the quoted text that starts at p (' or "), doubled quotes
 * inside it included. */
static const char *quoted_end(const char *p)
{
    char q = *p++;
    while (*p) {
        if (*p == q && p[1] == q)
            p += 2;
        else if (*p == q)
            return p + 1;
        else
            p++;
    }
    return p;
}

/* The number name has (a new name gets the next one). */
static int name_number(pg_sql_t *s, const char *name, size_t len, int *largest)
{
    for (int i = 0; i < s->nparams; i++)
        if (s->names[i] && strlen(s->names[i]) == len && strncmp(s->names[i], name, len) == 0)
            return i + 1;
    return ++*largest;
}

/* Make room for parameters up to n, names NULL. */
static int grow_names(pg_sql_t *s, int n)
{
    if (n <= s->nparams)
        return 0;
    char **more = realloc(s->names, (size_t)n * sizeof *more);
    if (!more)
        return -1;
    for (int i = s->nparams; i < n; i++)
        more[i] = NULL;
    s->names = more;
    s->nparams = n;
    return 0;
}

/* The last character written that is not a space, or 0. */
static char last_written(const buf_t *out)
{
    for (size_t i = out->len; i > 0; i--)
        if (!isspace((unsigned char)out->p[i - 1]))
            return out->p[i - 1];
    return 0;
}

/* 1 when a + written next to what out ends with is a unary plus: after
 * an operator, an opening parenthesis, a comma or a keyword, not after a
 * name, a number, a quoted text or a closing parenthesis. */
static int unary(const buf_t *out)
{
    static const char *const keywords[] = {"WHERE", "AND", "OR", "NOT", "ON", "SELECT", "BY",
                                           "WHEN", "THEN", "ELSE", "HAVING", "SET", "RETURNING"};
    char before = last_written(out);
    if (!before)
        return 1;
    if (before == ')' || before == '\'' || before == '"')
        return 0;
    if (!ident_char(before))
        return 1;
    size_t end = out->len;
    while (end > 0 && isspace((unsigned char)out->p[end - 1]))
        end--;
    size_t start = end;
    while (start > 0 && ident_char(out->p[start - 1]))
        start--;
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (strlen(keywords[i]) == end - start && strncasecmp(out->p + start, keywords[i], end - start) == 0)
            return 1;
    return 0;
}

/* 1 when p starts the words "INDEXED BY" (not inside a name). */
static int at_indexed_by(const char *start, const char *p)
{
    if (p > start && ident_char(p[-1]))
        return 0;
    if (strncasecmp(p, "INDEXED", 7) != 0 || ident_char(p[7]))
        return 0;
    const char *q = p + 7;
    while (isspace((unsigned char)*q))
        q++;
    return strncasecmp(q, "BY", 2) == 0 && !ident_char(q[2]);
}

/* Past "INDEXED BY name" at p. */
static const char *skip_indexed_by(const char *p)
{
    p += 7;
    while (isspace((unsigned char)*p))
        p++;
    p += 2;
    while (isspace((unsigned char)*p))
        p++;
    while (ident_char(*p))
        p++;
    return p;
}

/* A parameter at p (? ?NNN :name @name $name); writes $N to out and
 * returns the text after it, NULL on error. */
static const char *parameter(const char *p, pg_sql_t *s, int *largest, buf_t *out)
{
    int n;
    const char *end = p + 1;
    if (*p == '?') {
        while (isdigit((unsigned char)*end))
            end++;
        n = end > p + 1 ? atoi(p + 1) : ++*largest;
        if (n > *largest)
            *largest = n;
    } else {
        while (ident_char(*end))
            end++;
        n = name_number(s, p, (size_t)(end - p), largest);
    }
    if (n < 1 || n > MAX_PARAMS || grow_names(s, n) != 0)
        return NULL;
    if (*p != '?' && !s->names[n - 1] && !(s->names[n - 1] = strndup(p, (size_t)(end - p))))
        return NULL;
    return buf_printf(out, "$%d", n) == 0 ? end : NULL;
}

/* 1 when p, in sql, starts a parameter (not PostgreSQL's :: cast). */
static int is_parameter(const char *sql, const char *p)
{
    if (*p == '?')
        return 1;
    return (*p == ':' || *p == '@' || *p == '$') && (isalpha((unsigned char)p[1]) || p[1] == '_') &&
           !(p[0] == ':' && p > sql && p[-1] == ':');
}

/* 1 when the statement only reads. */
static int reads_only(const char *sql)
{
    while (isspace((unsigned char)*sql) || *sql == '(')
        sql++;
    return strncasecmp(sql, "SELECT", 6) == 0 || strncasecmp(sql, "WITH", 4) == 0 ||
           strncasecmp(sql, "VALUES", 6) == 0;
}

/* Copy one piece of sql at p to out, rewritten; the text after it, NULL on
 * error. */
static const char *piece(const char *sql, const char *p, pg_sql_t *s, int *largest, buf_t *out)
{
    if (*p == '\'' || *p == '"') {
        const char *end = quoted_end(p);
        return buf_append(out, p, (size_t)(end - p)) == 0 ? end : NULL;
    }
    if (p[0] == '-' && p[1] == '-') {
        const char *end = p + strcspn(p, "\n");
        return buf_append(out, p, (size_t)(end - p)) == 0 ? end : NULL;
    }
    if (is_parameter(sql, p))
        return parameter(p, s, largest, out);
    if (at_indexed_by(sql, p))
        return skip_indexed_by(p);
    if (*p == '+' && ident_char(p[1]) && !isdigit((unsigned char)p[1]) && unary(out))
        return p + 1; /* a unary plus: SQLite's index hint */
    return buf_append(out, p, 1) == 0 ? p + 1 : NULL;
}

int pg_sql_translate(const char *sql, pg_sql_t *out)
{
    *out = (pg_sql_t){0};
    out->readonly = reads_only(sql);
    const char *p = sql;
    while (isspace((unsigned char)*p))
        p++;
    if (strncasecmp(p, "BEGIN IMMEDIATE", 15) == 0 && !ident_char(p[15]))
        return (out->text = strdup("BEGIN")) ? 0 : -1;
    buf_t b = {0};
    int largest = 0;
    p = sql;
    while (p && *p)
        p = piece(sql, p, out, &largest, &b);
    if (!p || grow_names(out, largest) != 0 || !(out->text = buf_steal(&b))) {
        buf_free(&b);
        pg_sql_free(out);
        return -1;
    }
    return 0;
}

void pg_sql_free(pg_sql_t *s)
{
    for (int i = 0; i < s->nparams; i++)
        free(s->names[i]);
    free(s->names);
    free(s->text);
    *s = (pg_sql_t){0};
}

int pg_sql_param_index(const pg_sql_t *s, const char *name)
{
    for (int i = 0; i < s->nparams; i++)
        if (s->names[i] && strcmp(s->names[i], name) == 0)
            return i + 1;
    return 0;
}

/* Append url[from, to) to out with the value of each password=… query
 * parameter replaced. */
static int put_query(buf_t *out, const char *q)
{
    int rc = 0;
    while (*q) {
        size_t n = strcspn(q, "&");
        if (strncmp(q, "password=", 9) == 0)
            rc |= buf_puts(out, "password=\xe2\x80\xa6");
        else
            rc |= buf_append(out, q, n);
        q += n;
        if (*q == '&')
            rc |= buf_append(out, q++, 1);
    }
    return rc;
}

char *pg_url_shown(const char *url)
{
    buf_t b = {0};
    const char *auth = strstr(url, "://");
    auth = auth ? auth + 3 : url;
    size_t host_end = strcspn(auth, "/?");
    const char *at = memchr(auth, '@', host_end);
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    int rc = 0;
    if (colon) {
        rc |= buf_append(&b, url, (size_t)(colon - url));
        rc |= buf_puts(&b, ":\xe2\x80\xa6");
        rc |= buf_append(&b, at, (size_t)(auth + host_end - at));
    } else {
        rc |= buf_append(&b, url, (size_t)(auth + host_end - url));
    }
    const char *rest = auth + host_end;
    const char *q = strchr(rest, '?');
    rc |= buf_append(&b, rest, q ? (size_t)(q - rest) + 1 : strlen(rest));
    if (q)
        rc |= put_query(&b, q + 1);
    char *s = rc == 0 ? buf_steal(&b) : NULL;
    buf_free(&b);
    return s;
}

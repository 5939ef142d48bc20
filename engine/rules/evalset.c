/* evalset.c — reading a labelled set of titles (TSV) and counting what the
 * rules did on it (see evalset.h). */
#include "rules/evalset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/utf8.h"

/* The columns a set must have, in the order of the fields of a row. */
enum { COL_ID, COL_LANG, COL_SOURCE, COL_TITLE, COL_LABELS, N_COLS };
static const char *const col_names[N_COLS] = {"id", "lang", "source", "title", "labels"};

#define MAX_FIELDS 64

typedef struct reader {
    const char *name;
    errlist_t *errs, *warns;
    int col[N_COLS];        /* field index of each column, -1 until the header */
    int have_header, header_ok;
    int failed;
} reader_t;

/* Split line (modified in place) at tabs; returns the number of fields. */
static int split_tabs(char *line, char **fields)
{
    int n = 0;
    fields[n++] = line;
    for (char *p = line; *p; p++) {
        if (*p == '\t') {
            *p = '\0';
            if (n == MAX_FIELDS)
                break;
            fields[n++] = p + 1;
        }
    }
    return n;
}

static char *trimmed_dup(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

static int bad(reader_t *rd, int line, const char *what)
{
    errlist_add(rd->errs, "%s:%d: %s", rd->name, line, what);
    rd->failed = 1;
    return -1;
}

static int read_header(reader_t *rd, char **f, int n, int line)
{
    rd->have_header = 1;
    for (int c = 0; c < N_COLS; c++) {
        rd->col[c] = -1;
        for (int i = 0; i < n; i++)
            if (strcmp(f[i], col_names[c]) == 0)
                rd->col[c] = i;
        if (rd->col[c] < 0) {
            errlist_add(rd->errs, "%s:%d: the header has no '%s' column (it needs id, lang, "
                        "source, title and labels, tab-separated)", rd->name, line, col_names[c]);
            rd->failed = 1;
        }
    }
    rd->header_ok = !rd->failed;
    return rd->header_ok ? 0 : -1;
}

/* "a, b" → {"a", "b"}; "-" → none. Empty ids are a mistake. */
static int read_labels(reader_t *rd, evalset_row_t *row, const char *s)
{
    if (strcmp(s, "-") == 0)
        return 0;
    if (!*s)
        return bad(rd, row->line, "the labels field is empty (write '-' for no label)");
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += *p == ',';
    row->labels = calloc(n, sizeof *row->labels);
    if (!row->labels)
        return bad(rd, row->line, "out of memory");
    for (const char *p = s;; p++) {
        size_t len = strcspn(p, ",");
        char *id = trimmed_dup(p, len);
        if (!id)
            return bad(rd, row->line, "out of memory");
        row->labels[row->n_labels++] = id;
        if (!*id)
            return bad(rd, row->line, "an empty rule id in the labels (write 'a,b' or '-')");
        p += len;
        if (!*p)
            return 0;
    }
}

static void free_row(evalset_row_t *row)
{
    free(row->id);
    free(row->lang);
    free(row->source);
    free(row->title);
    for (size_t i = 0; i < row->n_labels; i++)
        free(row->labels[i]);
    free(row->labels);
    memset(row, 0, sizeof *row);
}

/* qsort order of row indexes: by id, then by line. */
static const evalset_t *sorting;
static int by_id_then_line(const void *a, const void *b)
{
    const evalset_row_t *x = &sorting->rows[*(const size_t *)a];
    const evalset_row_t *y = &sorting->rows[*(const size_t *)b];
    int c = strcmp(x->id, y->id);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Warn for each row whose id an earlier row has (sorted: n log n, for
 * large sets). */
static void warn_duplicates(reader_t *rd, const evalset_t *set)
{
    size_t *order = malloc((set->n ? set->n : 1) * sizeof *order);
    if (!order)
        return;
    for (size_t i = 0; i < set->n; i++)
        order[i] = i;
    sorting = set;
    qsort(order, set->n, sizeof *order, by_id_then_line);
    size_t first = 0;
    for (size_t i = 1; i < set->n; i++) {
        const evalset_row_t *row = &set->rows[order[i]], *head = &set->rows[order[first]];
        if (strcmp(row->id, head->id) != 0)
            first = i;
        else
            errlist_add(rd->warns, "%s:%d: row id '%s' already used on line %d", rd->name,
                        row->line, row->id, head->line);
    }
    free(order);
}

static int fill_row(reader_t *rd, evalset_row_t *row, char **f)
{
    row->id = trimmed_dup(f[rd->col[COL_ID]], strlen(f[rd->col[COL_ID]]));
    row->lang = trimmed_dup(f[rd->col[COL_LANG]], strlen(f[rd->col[COL_LANG]]));
    row->source = trimmed_dup(f[rd->col[COL_SOURCE]], strlen(f[rd->col[COL_SOURCE]]));
    row->title = trimmed_dup(f[rd->col[COL_TITLE]], strlen(f[rd->col[COL_TITLE]]));
    if (!row->id || !row->lang || !row->source || !row->title)
        return bad(rd, row->line, "out of memory");
    if (!*row->id)
        return bad(rd, row->line, "the id field is empty");
    if (!*row->title)
        return bad(rd, row->line, "the title field is empty");
    const char *labels = f[rd->col[COL_LABELS]];
    char *l = trimmed_dup(labels, strlen(labels));
    int rc = l ? read_labels(rd, row, l) : bad(rd, row->line, "out of memory");
    free(l);
    return rc;
}

static int read_row(reader_t *rd, evalset_t *set, char **f, int n, int line)
{
    int need = 0;
    for (int c = 0; c < N_COLS; c++)
        if (rd->col[c] >= need)
            need = rd->col[c] + 1;
    if (n < need) {
        char what[128];
        snprintf(what, sizeof what, "only %d tab-separated fields (the header's columns need %d)", n,
                 need);
        return bad(rd, line, what);
    }
    evalset_row_t row = {.line = line};
    if (fill_row(rd, &row, f) != 0) {
        free_row(&row);
        return -1;
    }
    if (set->n == set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 64;
        evalset_row_t *grown = realloc(set->rows, cap * sizeof *grown);
        if (!grown) {
            free_row(&row);
            return bad(rd, line, "out of memory");
        }
        set->rows = grown;
        set->cap = cap;
    }
    set->rows[set->n++] = row;
    return 0;
}

/* One line (without its end), NUL-terminated and ours to modify. */
static void read_line(reader_t *rd, evalset_t *set, char *s, size_t len, int line)
{
    if (len && s[len - 1] == '\r')
        s[--len] = '\0';
    if (len == 0 || s[0] == '#' || strspn(s, " \t") == len)
        return;
    size_t badlen;
    if (utf8_valid(s, len, UTF8_NUL_BAD, &badlen) != len) {
        bad(rd, line, "not UTF-8 text");
        return;
    }
    char *f[MAX_FIELDS];
    int n = split_tabs(s, f);
    if (!rd->have_header)
        read_header(rd, f, n, line);
    else if (rd->header_ok)
        read_row(rd, set, f, n, line);
}

int evalset_parse(const char *text, size_t len, const char *name, evalset_t *set,
                  errlist_t *errs, errlist_t *warns)
{
    reader_t rd = {.name = name, .errs = errs, .warns = warns};
    set->name = strdup(name);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { /* a byte-order mark */
        text += 3;
        len -= 3;
    }
    buf_t line = {0};
    char empty[1] = "";
    int n = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        buf_reset(&line);
        if (buf_append(&line, text + at, end - at) != 0) {
            bad(&rd, n + 1, "out of memory");
            break;
        }
        read_line(&rd, set, line.p ? line.p : empty, end - at, ++n);
        at = end + 1;
    }
    buf_free(&line);
    warn_duplicates(&rd, set);
    if (!rd.have_header)
        bad(&rd, n > 0 ? n : 1, "no header line (id, lang, source, title, labels, tab-separated)");
    return rd.failed || !set->name ? -1 : 0;
}

int evalset_read(const char *path, evalset_t *set, errlist_t *errs, errlist_t *warns)
{
    size_t len;
    char *text = buf_read_all(path, &len);
    if (!text) {
        errlist_add(errs, "%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    int rc = evalset_parse(text, len, path, set, errs, warns);
    free(text);
    return rc;
}

void evalset_free(evalset_t *set)
{
    for (size_t i = 0; i < set->n; i++)
        free_row(&set->rows[i]);
    free(set->rows);
    free(set->name);
    memset(set, 0, sizeof *set);
}

int evalset_has_label(const evalset_row_t *row, const char *rule)
{
    for (size_t i = 0; i < row->n_labels; i++)
        if (strcmp(row->labels[i], rule) == 0)
            return 1;
    return 0;
}

/* ---- scoring ------------------------------------------------------------ */

int evalset_score_init(evalset_score_t *s, const char *const *rules, size_t n)
{
    memset(s, 0, sizeof *s);
    s->rules = calloc(n ? n : 1, sizeof *s->rules);
    if (!s->rules)
        return -1;
    for (size_t i = 0; i < n; i++) {
        s->rules[i].rule = strdup(rules[i]);
        if (!s->rules[i].rule) {
            s->n_rules = i;
            evalset_score_free(s);
            return -1;
        }
    }
    s->n_rules = n;
    return 0;
}

void evalset_score_free(evalset_score_t *s)
{
    for (size_t i = 0; i < s->n_rules; i++)
        free(s->rules[i].rule);
    for (size_t i = 0; i < s->n_cases; i++)
        free(s->cases[i].message);
    free(s->rules);
    free(s->cases);
    memset(s, 0, sizeof *s);
}

static int add_case(evalset_score_t *s, size_t rule, size_t row, evalset_outcome_t outcome,
                    const char *message)
{
    if (s->n_cases == s->cap_cases) {
        size_t cap = s->cap_cases ? 2 * s->cap_cases : 32;
        evalset_case_t *grown = realloc(s->cases, cap * sizeof *grown);
        if (!grown)
            return -1;
        s->cases = grown;
        s->cap_cases = cap;
    }
    evalset_case_t *c = &s->cases[s->n_cases];
    c->rule = rule;
    c->row = row;
    c->outcome = outcome;
    c->message = message ? strdup(message) : NULL;
    if (message && !c->message)
        return -1;
    s->n_cases++;
    return 0;
}

int evalset_record(evalset_score_t *s, const evalset_t *set, size_t rule, size_t row,
                   int flagged, const char *error)
{
    evalset_rule_score_t *r = &s->rules[rule];
    int labelled = evalset_has_label(&set->rows[row], r->rule);
    if (error) {
        r->errors++;
        flagged = 0;
        if (add_case(s, rule, row, EVALSET_ERROR, error) != 0)
            return -1;
    }
    r->positives += labelled;
    r->flagged += flagged != 0;
    if (flagged && labelled) {
        r->true_pos++;
    } else if (flagged) {
        r->false_pos++;
        return add_case(s, rule, row, EVALSET_FALSE_FLAG, NULL);
    } else if (labelled) {
        r->misses++;
        return add_case(s, rule, row, EVALSET_MISS, NULL);
    }
    return 0;
}

double evalset_precision(const evalset_rule_score_t *r)
{
    return r->flagged ? (double)r->true_pos / (double)r->flagged : -1;
}

double evalset_recall(const evalset_rule_score_t *r)
{
    return r->positives ? (double)r->true_pos / (double)r->positives : -1;
}

int evalset_below(const evalset_rule_score_t *r, double min_precision, double min_recall)
{
    double p = evalset_precision(r), rc = evalset_recall(r);
    return (min_precision >= 0 && p >= 0 && p < min_precision) ||
           (min_recall >= 0 && rc >= 0 && rc < min_recall);
}

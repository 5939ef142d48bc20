/* table.c — aligned text columns for the listings (see table.h). */
#include "cli/table.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/termtext.h"

/* Characters in well-formed UTF-8 text (termtext's output): the bytes
 * that do not continue a sequence. */
static size_t width_of(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* The byte length of s's first n characters. */
static size_t bytes_of(const char *s, size_t n)
{
    size_t i = 0;
    for (size_t chars = 0; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == n)
            break;
    }
    return i;
}

static char *escaped(const char *s)
{
    buf_t b = {0};
    if (termtext_put(&b, s ? s : "-", strlen(s ? s : "-")) != 0) {
        buf_free(&b);
        return NULL;
    }
    return b.p ? buf_steal(&b) : strdup("");
}

int table_add(table_t *t, int ncols, const char *const *names, const char *const *cols)
{
    if (t->rows == 0 && !t->cells) {
        t->ncols = ncols < TABLE_MAX_COLUMNS ? ncols : TABLE_MAX_COLUMNS;
        for (int i = 0; i < t->ncols; i++)
            t->headings[i] = names[i];
    }
    if (t->rows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        char **grown = realloc(t->cells, cap * (size_t)t->ncols * sizeof *grown);
        if (!grown)
            return -1;
        t->cells = grown;
        t->cap = cap;
    }
    char **row = &t->cells[t->rows * (size_t)t->ncols];
    int rc = 0;
    for (int i = 0; i < t->ncols; i++)
        rc |= !(row[i] = escaped(i < ncols ? cols[i] : NULL));
    t->rows++;
    return rc ? -1 : 0;
}

/* One cell: padded to width unless last, cut to cap when cut. */
static void print_cell(FILE *f, const char *s, size_t width, size_t cap, int last, int cut)
{
    size_t w = width_of(s);
    if (cut && w > cap) {
        fprintf(f, "%.*s…", (int)bytes_of(s, cap - 1), s);
        w = cap;
    } else {
        fputs(s, f);
    }
    for (; !last && w < width; w++)
        fputc(' ', f);
}

static void print_line(FILE *f, const table_t *t, const char *const *cells, const size_t *widths,
                       int cut)
{
    for (int i = 0; i < t->ncols; i++) {
        int last = i == t->ncols - 1;
        fputs(i ? "  " : "", f);
        print_cell(f, cells[i] ? cells[i] : "", widths[i], last ? TABLE_CAP_LAST : TABLE_CAP,
                   last, cut);
    }
    fputc('\n', f);
}

void table_print(const table_t *t, FILE *f, int cut)
{
    size_t widths[TABLE_MAX_COLUMNS];
    for (int i = 0; i < t->ncols; i++) {
        widths[i] = width_of(t->headings[i]);
        for (size_t r = 0; r < t->rows; r++) {
            size_t w = width_of(t->cells[r * (size_t)t->ncols + (size_t)i]);
            if (w > widths[i])
                widths[i] = w < TABLE_CAP ? w : TABLE_CAP;
        }
    }
    if (t->rows == 0)
        return;
    print_line(f, t, t->headings, widths, 0);
    for (size_t r = 0; r < t->rows; r++)
        print_line(f, t, (const char *const *)&t->cells[r * (size_t)t->ncols], widths, cut);
}

void table_free(table_t *t)
{
    for (size_t i = 0; i < t->rows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

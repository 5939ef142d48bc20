/* table.h — a listing's rows as aligned text columns for people.
 *
 * The rows are kept (escaped for a terminal, util/termtext.h) until the
 * table is printed, so that each column is as wide as its widest cell, up
 * to a cap; the last column is not padded. On a terminal a cell wider
 * than its column's cap is cut with "…"; elsewhere (a pipe, a file) every
 * cell is printed whole, and only the rows after a long cell shift. */
#ifndef VANE_CLI_TABLE_H
#define VANE_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

#define TABLE_MAX_COLUMNS 12
#define TABLE_CAP 40        /* widest a column other than the last (characters) */
#define TABLE_CAP_LAST 100  /* widest the last column is on a terminal */

typedef struct table {
    int ncols;
    const char *headings[TABLE_MAX_COLUMNS];   /* not copied: static text */
    char **cells;                              /* rows * ncols, escaped */
    size_t rows, cap;
} table_t;

/* Keep a row of ncols cells (NULL shows as "-"); the first row's names
 * are the headings. Returns 0, or -1 out of memory. */
int table_add(table_t *t, int ncols, const char *const *names, const char *const *cols);

/* Print the headings and the rows; cut: cut long cells with "…". */
void table_print(const table_t *t, FILE *f, int cut);

void table_free(table_t *t);

#endif

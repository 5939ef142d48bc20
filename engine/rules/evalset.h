/* evalset.h — a labelled set of titles and the scores rules get on it
 * (`vane eval`).
 *
 * The file is tab-separated: lines starting with '#' are comments, blank
 * lines are skipped, the first other line is the header, which must name
 * the columns id, lang, source, title and labels (in any order; other
 * columns are ignored). `labels` is a comma-separated list of rule ids, or
 * '-' for none. No quoting: a field is everything between two tabs.
 *
 * Scoring: for each rule, a row labelled with it is a positive; a row the
 * rule flags is a true positive when labelled, else a false positive; a
 * labelled row it does not flag is a miss. A rule that fails on a row
 * (error) has not flagged it: the row counts as a miss when labelled, and
 * the error is kept with the row for the report. Precision and recall
 * without a denominator (nothing flagged, nothing labelled) are undefined,
 * reported as such and never below a threshold. Pure C, no Lua: the rules
 * are run by rules_eval_set (rules.h). */
#ifndef VANE_EVALSET_H
#define VANE_EVALSET_H

#include <stddef.h>

#include "util/err.h"

typedef struct evalset_row {
    char *id, *lang, *source, *title;
    char **labels;          /* rule ids; none for '-' */
    size_t n_labels;
    int line;               /* in the file */
} evalset_row_t;

typedef struct evalset {
    char *name;             /* the file, as named in messages */
    evalset_row_t *rows;
    size_t n, cap;
} evalset_t;

/* Parse the text (len bytes) of the file `name` into *set (zeroed by the
 * caller; free with evalset_free). Every malformed line is added to errs
 * as "NAME:LINE: message"; a duplicate row id is added to warns (the row
 * is kept). Returns 0, or -1 when some line was malformed or the header is
 * missing a column (the rows read so far stay in *set). */
int evalset_parse(const char *text, size_t len, const char *name, evalset_t *set,
                  errlist_t *errs, errlist_t *warns);

/* Read and parse the file at path; an unreadable file is one error
 * "PATH: cannot read: REASON". Same return as evalset_parse. */
int evalset_read(const char *path, evalset_t *set, errlist_t *errs, errlist_t *warns);

void evalset_free(evalset_t *set);

/* Does the row carry this label? */
int evalset_has_label(const evalset_row_t *row, const char *rule);

/* ---- scoring ------------------------------------------------------------ */

typedef enum evalset_outcome {
    EVALSET_MISS,           /* labelled, not flagged */
    EVALSET_FALSE_FLAG,     /* flagged, not labelled */
    EVALSET_ERROR           /* the rule failed on the row */
} evalset_outcome_t;

/* One row worth showing: a miss, a false flag or an error. */
typedef struct evalset_case {
    size_t rule, row;       /* indexes into the score's rules and the set's rows */
    evalset_outcome_t outcome;
    char *message;          /* the error (EVALSET_ERROR), else NULL */
} evalset_case_t;

typedef struct evalset_rule_score {
    char *rule;
    long positives, flagged, true_pos, false_pos, misses, errors;
} evalset_rule_score_t;

typedef struct evalset_score {
    evalset_rule_score_t *rules;
    size_t n_rules;
    evalset_case_t *cases;  /* in the order recorded */
    size_t n_cases, cap_cases;
} evalset_score_t;

/* Start scoring these rules (ids copied). Returns 0, or -1 out of memory. */
int evalset_score_init(evalset_score_t *s, const char *const *rules, size_t n);
void evalset_score_free(evalset_score_t *s);

/* Record what rule number `rule` did on row number `row` of set: flagged
 * or not, or failed with `error` (not NULL: the row counts as not
 * flagged). Returns 0, or -1 out of memory. */
int evalset_record(evalset_score_t *s, const evalset_t *set, size_t rule, size_t row,
                   int flagged, const char *error);

/* Precision and recall in [0, 1], or -1 when undefined (no denominator). */
double evalset_precision(const evalset_rule_score_t *r);
double evalset_recall(const evalset_rule_score_t *r);

/* Is the rule below either threshold (a negative threshold is not set)?
 * An undefined measure is never below. */
int evalset_below(const evalset_rule_score_t *r, double min_precision, double min_recall);

#endif

/* rules_verdicts.c — the loaded rules beside the verdicts on their flags,
 * for `vane rules` and the web view's /rules (rules.h, rules_rows). */
#include "rules/rules.h"

#include <stdlib.h>
#include <string.h>

#include "config/xref.h"

rules_row_t *rules_rows(const rules_t *r, const store_rule_verdicts_t *v, size_t nv, size_t *n)
{
    size_t nr = r ? rules_count(r) : 0;
    rules_row_t *rows = calloc(nr + nv + 1, sizeof *rows);
    char *used = calloc(nv + 1, 1);
    if (!rows || !used) {
        free(rows);
        free(used);
        return NULL;
    }
    *n = 0;
    for (size_t i = 0; i < nr; i++) {
        xref_rule_t x;
        rules_xref(r, i, &x);
        rules_row_t *row = &rows[(*n)++];
        *row = (rules_row_t){.id = rules_id(r, i), .title = rules_title(r, i), .file = x.chunk};
        for (size_t j = 0; j < nv; j++)
            if (!used[j] && strcmp(v[j].rule, row->id) == 0) {
                used[j] = 1;
                row->flags = v[j].flags;
                row->useful = v[j].useful;
                row->noise = v[j].noise;
            }
    }
    for (size_t j = 0; j < nv; j++)
        if (!used[j])
            rows[(*n)++] = (rules_row_t){.id = v[j].rule, .flags = v[j].flags,
                                         .useful = v[j].useful, .noise = v[j].noise};
    free(used);
    return rows;
}

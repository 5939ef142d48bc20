/* cmd_rules.c — analysts' verdicts at the command line: `vane flags mark
 * ID useful|noise [--note TEXT] [--as NAME]` records what a person said of
 * a flag (the last word counts), and `vane rules [--json]` lists each rule
 * with its flags, its verdicts and its precision, useful / (useful +
 * noise). */
#include "cli/command.h"
#include "cli/table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/exitcode.h"
#include "util/json.h"
#include "util/termtext.h"

/* ---- vane flags mark ---------------------------------------------------- */

static int mark_usage(const char *fmt, const char *arg)
{
    fputs("vane: flags mark: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see vane flags --help)\n", stderr);
    return VANE_EXIT_USAGE;
}

/* A flag id: a whole number, 1 or more. */
static int parse_id(const char *s, long long *id)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    *id = strtoll(s, &end, 10);
    return errno || *end || *id < 1 ? -1 : 0;
}

/* Who is giving the verdict: --as, else $USER, else "cli". */
static const char *mark_who(const cli_args_t *a)
{
    const char *as = cli_text(a, CLI_AS);
    if (as && *as)
        return as;
    const char *user = getenv("USER");
    return user && *user ? user : "cli";
}

static int put_json(buf_t *b, const char *name, const char *value);

/* {"flag":42,"verdict":"noise","note":…,"who":"ana","at":"…"} */
static void print_mark_json(long long id, const char *verdict, const char *note, const char *who,
                            const char *at)
{
    buf_t b = {0};
    int rc = buf_printf(&b, "{\"flag\":%lld,", id) || put_json(&b, "verdict", verdict) ||
             buf_putc(&b, ',') || put_json(&b, "note", note) || buf_putc(&b, ',') ||
             put_json(&b, "who", who) || buf_putc(&b, ',') || put_json(&b, "at", at) ||
             buf_putc(&b, '}');
    if (!rc)
        printf("%s\n", buf_str(&b));
    buf_free(&b);
}

/* The words and options of `flags mark`: 0 with *id set, or
 * VANE_EXIT_USAGE after saying what is wrong. */
static int mark_validate(const cli_args_t *a, long long *id)
{
    if (a->n_words != 3)
        return mark_usage("%s", "needs a flag id and a verdict: vane flags mark ID useful|noise");
    if (parse_id(a->words[1], id) != 0)
        return mark_usage("'%s' is not a flag id (a whole number, see vane flags)", a->words[1]);
    const char *verdict = a->words[2];
    if (strcmp(verdict, "useful") != 0 && strcmp(verdict, "noise") != 0)
        return mark_usage("the verdict is useful or noise, not '%s'", verdict);
    const char *as = cli_text(a, CLI_AS);
    if (as && !*as)
        return mark_usage("%s", "--as needs a name");
    return 0;
}

/* Record the verdict in st and say so: an exit status. */
static int mark_record(const cli_args_t *a, store_t *st, long long id)
{
    const char *verdict = a->words[2], *note = cli_text(a, CLI_NOTE);
    if (note && !*note)
        note = NULL;
    char now[32];
    clock_format_iso(clock_now(), now);
    err_t e;
    int rc = store_verdict_set(st, id, verdict, note, mark_who(a), now, &e);
    if (rc < 0) {
        fprintf(stderr, "vane: %s\n", e.msg);
        return VANE_EXIT_FAILED;
    }
    if (rc == 1) {
        fprintf(stderr, "vane: flags mark: no flag %lld (see vane flags)\n", id);
        return VANE_EXIT_USAGE;
    }
    if (cli_flag(a, CLI_JSON)) {
        print_mark_json(id, verdict, note, mark_who(a), now);
    } else if (!cli_flag(a, CLI_QUIET)) {
        printf("flag %lld marked %s by ", id, verdict);
        termtext_fputs(mark_who(a), stdout);
        putchar('\n');
    }
    return VANE_EXIT_OK;
}

int cmd_flags_mark(const cli_args_t *a)
{
    long long id;
    int code = mark_validate(a, &id);
    if (code != 0)
        return code;
    config_t cfg;
    int have_cfg = !cli_db_given(a);
    if (have_cfg && cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    const char *path = cli_db_path(a, have_cfg ? &cfg : NULL);
    code = cli_need_database(path);
    if (code == 0) {
        err_t e;
        store_t *st = store_open(path, &e);
        if (st) {
            code = mark_record(a, st, id);
            store_close(st);
        } else {
            fprintf(stderr, "vane: %s\n", e.msg);
            code = VANE_EXIT_FAILED;
        }
    }
    if (have_cfg)
        config_free(&cfg);
    return code;
}

/* ---- vane rules --------------------------------------------------------- */

/* "0.50", or "—" with no verdicts. */
static void precision_text(const rules_row_t *r, char out[16])
{
    long judged = r->useful + r->noise;
    if (judged == 0)
        snprintf(out, 16, "—");
    else
        snprintf(out, 16, "%.2f", (double)r->useful / (double)judged);
}

static int put_json(buf_t *b, const char *name, const char *value)
{
    if (buf_printf(b, "\"%s\":", name) != 0)
        return -1;
    return value ? json_put_string(b, value, strlen(value)) : buf_puts(b, "null");
}

static int print_json_row(const rules_row_t *r)
{
    buf_t b = {0};
    int rc = buf_putc(&b, '{') || put_json(&b, "id", r->id) || buf_putc(&b, ',') ||
             put_json(&b, "title", r->title) || buf_putc(&b, ',') ||
             put_json(&b, "file", r->file) ||
             buf_printf(&b, ",\"flags\":%ld,\"useful\":%ld,\"noise\":%ld,\"unjudged\":%ld,"
                        "\"precision\":", r->flags, r->useful, r->noise,
                        r->flags - r->useful - r->noise);
    if (!rc && r->useful + r->noise > 0)
        rc = buf_printf(&b, "%.4f}", (double)r->useful / (double)(r->useful + r->noise));
    else if (!rc)
        rc = buf_puts(&b, "null}");
    if (!rc)
        printf("%s\n", buf_str(&b));
    buf_free(&b);
    return rc ? -1 : 0;
}

static int table_row(table_t *t, const rules_row_t *r)
{
    static const char *const names[] = {"RULE", "FLAGS", "USEFUL", "NOISE", "PRECISION",
                                        "FILE", "TITLE"};
    char flags[24], useful[24], noise[24], prec[16];
    snprintf(flags, sizeof flags, "%ld", r->flags);
    snprintf(useful, sizeof useful, "%ld", r->useful);
    snprintf(noise, sizeof noise, "%ld", r->noise);
    precision_text(r, prec);
    const char *cols[] = {r->id, flags, useful, noise, prec, r->file, r->title};
    return table_add(t, 7, names, cols);
}

static int print_rules(const cli_args_t *a, const rules_t *rules, const store_rule_verdicts_t *v,
                       size_t nv)
{
    size_t n;
    rules_row_t *rows = rules_rows(rules, v, nv, &n);
    if (!rows) {
        fprintf(stderr, "vane: rules: out of memory\n");
        return VANE_EXIT_FAILED;
    }
    int json = cli_flag(a, CLI_JSON), rc = 0;
    table_t t = {0};
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = json ? print_json_row(&rows[i]) : table_row(&t, &rows[i]);
    if (!json && rc == 0 && n > 0)
        table_print(&t, stdout, isatty(fileno(stdout)));
    else if (!json && rc == 0 && !cli_flag(a, CLI_QUIET))
        printf("no rules\n");
    table_free(&t);
    free(rows);
    if (rc != 0)
        fprintf(stderr, "vane: rules: out of memory\n");
    return rc ? VANE_EXIT_FAILED : VANE_EXIT_OK;
}

/* Each rule's counts from the database at path; none when there is no
 * database yet. 0, or -1 after saying why. */
static int read_verdicts(const char *path, store_rule_verdicts_t **v, size_t *nv)
{
    *v = NULL;
    *nv = 0;
    if (!store_is_server(path) && access(path, F_OK) != 0)
        return 0;
    err_t e;
    store_t *st = store_open(path, &e);
    int rc = st ? store_rules_verdicts(st, v, nv, &e) : -1;
    if (rc != 0)
        fprintf(stderr, "vane: %s\n", e.msg);
    if (st)
        store_close(st);
    return rc;
}

int cmd_rules(const cli_args_t *a)
{
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    errlist_t errs = {0};
    err_t e;
    rules_t *rules = rules_load(&cfg, &errs, &e);
    int code = VANE_EXIT_OK;
    if (!rules) {
        fprintf(stderr, "vane: %s\n", e.msg);
        code = VANE_EXIT_FAILED;
    }
    for (size_t i = 0; i < errs.len; i++)
        fprintf(stderr, "vane: %s\n", errs.msgs[i]);
    if (errs.len)
        code = VANE_EXIT_FAILED;
    store_rule_verdicts_t *v = NULL;
    size_t nv = 0;
    if (rules && read_verdicts(cli_db_path(a, &cfg), &v, &nv) != 0)
        code = VANE_EXIT_FAILED;
    else if (rules) {
        int printed = print_rules(a, rules, v, nv);
        if (printed != VANE_EXIT_OK)
            code = printed;
    }
    store_rules_verdicts_free(v, nv);
    rules_free(rules);
    errlist_free(&errs);
    config_free(&cfg);
    return code;
}

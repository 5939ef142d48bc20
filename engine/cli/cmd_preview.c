/* cmd_preview.c — `vane preview SOURCE [--file PATH] [--json]`: the items a
 * source's script extracts now, as an aligned table (or JSON lines), with
 * the script's warnings; nothing is stored (run/preview.h). */
#include "cli/command.h"

#include <stdlib.h>
#include <string.h>

#include "cli/names.h"
#include "run/preview.h"
#include "util/buf.h"
#include "util/exitcode.h"
#include "util/json.h"
#include "util/termtext.h"

const char cmd_preview_usage[] =
    "vane preview SOURCE [--file PATH] [--json]\n"
    "  The items a source's script extracts now, before they count; stores nothing.\n"
    "  Fetches the page (without validators) or reads a saved one, runs the script\n"
    "  and prints the items as a table (key, title, published, the other fields\n"
    "  shortened; --json: every field) with the script's warnings, such as a\n"
    "  selector that matched nothing. No database is opened.\n"
    "  --file PATH    run the script on this saved page instead (links resolve against\n"
    "                 the source's url)\n"
    "  Exit 0 with items; 1 when the fetch or the script failed or nothing matched.\n";

#define MAX_COLUMNS 16
#define WIDE 60     /* code points shown of a title */
#define NARROW 40   /* ... of the key and the other fields */

typedef struct table {
    const char *names[MAX_COLUMNS];
    char *owned[MAX_COLUMNS];   /* the names read from the items */
    size_t n;
    size_t width[MAX_COLUMNS];
} table_t;

static int lead(char c)
{
    return ((unsigned char)c & 0xC0) != 0x80;
}

/* Code points in s. */
static size_t points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += lead(*s);
    return n;
}

/* Append s escaped for a terminal, cut to max code points with "…". */
static void put_cut(buf_t *out, const char *s, size_t max)
{
    size_t i = 0, n = 0;
    if (points(s) <= max) {
        termtext_put(out, s, strlen(s));
        return;
    }
    for (; s[i]; i++) {
        if (lead(s[i]) && n++ == max - 1)
            break;
    }
    termtext_put(out, s, i);
    buf_puts(out, "…");
}

/* The text of a JSON value for a cell: a string without its quotes and
 * with its escapes read (a newline or tab as a space); any other value as
 * written. */
static void cell_text(const char *v, size_t len, buf_t *out)
{
    if (len < 2 || v[0] != '"') {
        buf_append(out, v, len);
        return;
    }
    for (size_t i = 1; i + 1 < len; i++) {
        char c = v[i];
        if (c == '\\' && i + 2 < len) {
            c = v[++i];
            c = c == 'n' || c == 't' || c == 'r' ? ' ' : c;
        }
        buf_putc(out, c);
    }
}

/* The cell of column name for an item, shortened. */
static void cell(const diff_item_t *it, const char *name, size_t max, buf_t *out)
{
    buf_t raw = {0};
    const char *cur = it->fields;
    json_member_t m;
    if (strcmp(name, "key") == 0)
        buf_puts(&raw, it->key);
    else
        while (json_object_next(&cur, &m) > 0)
            if (m.keylen == strlen(name) && memcmp(m.key, name, m.keylen) == 0)
                cell_text(m.val, m.vallen, &raw);
    put_cut(out, buf_str(&raw), max);
    buf_free(&raw);
}

static void add_column(table_t *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->n; i++)
        if (strlen(t->names[i]) == len && memcmp(t->names[i], name, len) == 0)
            return;
    if (t->n == MAX_COLUMNS || !(t->owned[t->n] = strndup(name, len)))
        return;
    t->names[t->n] = t->owned[t->n];
    t->n++;
}

/* key, title, published, then every other field in the order met. */
static void columns(const preview_t *p, table_t *t)
{
    add_column(t, "key", 3);
    add_column(t, "title", 5);
    add_column(t, "published", 9);
    for (size_t i = 0; i < p->n; i++) {
        const char *cur = p->items[i].fields;
        json_member_t m;
        while (json_object_next(&cur, &m) > 0)
            add_column(t, m.key, m.keylen);
    }
}

static void print_row(const table_t *t, const char *const *cells)
{
    for (size_t c = 0; c < t->n; c++) {
        const char *s = *cells[c] ? cells[c] : "-";
        int pad = c + 1 < t->n ? (int)(t->width[c] - points(s)) : 0;
        printf("%s%s%*s", c ? "  " : "", s, pad, "");
    }
    putchar('\n');
}

static void print_table(const preview_t *p)
{
    table_t t = {0};
    columns(p, &t);
    buf_t *cells = calloc(p->n * t.n + 1, sizeof *cells);
    const char *row[MAX_COLUMNS];
    for (size_t c = 0; c < t.n; c++)
        t.width[c] = points(t.names[c]);
    for (size_t i = 0; cells && i < p->n; i++)
        for (size_t c = 0; c < t.n; c++) {
            buf_t *b = &cells[i * t.n + c];
            cell(&p->items[i], t.names[c], strcmp(t.names[c], "title") ? NARROW : WIDE, b);
            size_t w = b->len ? points(buf_str(b)) : 1;
            t.width[c] = w > t.width[c] ? w : t.width[c];
        }
    print_row(&t, t.names);
    for (size_t i = 0; cells && i < p->n; i++) {
        for (size_t c = 0; c < t.n; c++)
            row[c] = buf_str(&cells[i * t.n + c]);
        print_row(&t, row);
    }
    for (size_t i = 0; cells && i < p->n * t.n; i++)
        buf_free(&cells[i]);
    for (size_t c = 0; c < t.n; c++)
        free(t.owned[c]);
    free(cells);
}

/* One JSON object per item: its key and every field. */
static void print_json(const preview_t *p)
{
    buf_t b = {0};
    for (size_t i = 0; i < p->n; i++) {
        const char *f = p->items[i].fields;
        buf_reset(&b);
        buf_puts(&b, "{\"key\":");
        json_put_string(&b, p->items[i].key, strlen(p->items[i].key));
        if (strcmp(f, "{}") != 0)
            buf_putc(&b, ','), buf_puts(&b, f + 1);
        else
            buf_putc(&b, '}');
        printf("%s\n", buf_str(&b));
    }
    buf_free(&b);
}

static void print_warnings(const preview_t *p)
{
    for (size_t i = 0; i < p->warnings.len; i++) {
        fputs("vane: warning: ", stderr);
        termtext_fputs(p->warnings.msgs[i], stderr);
        fputc('\n', stderr);
    }
}

/* The line that ends a preview, on stderr. */
static void say_what(const source_cfg_t *s, const preview_t *p, const char *file)
{
    buf_t from = {0};
    if (file)
        buf_printf(&from, "the file %s", file);
    else
        buf_printf(&from, "%s (HTTP %ld)", p->url, p->status);
    fprintf(stderr, "vane: source %s: ", s->id);
    if (p->n)
        fprintf(stderr, "%zu item%s from ", p->n, p->n == 1 ? "" : "s");
    else
        fprintf(stderr, "nothing matched: script %s gave no items from ", s->script);
    termtext_fputs(buf_str(&from), stderr);
    if (!p->n && !p->warnings.len)
        fputs("; the script did not say why (a script can tell with vane.warn)", stderr);
    fputs("; nothing stored\n", stderr);
    buf_free(&from);
}

int cmd_preview(const cli_args_t *a)
{
    config_t cfg;
    if (a->n_words != 1) {
        fprintf(stderr, "vane: preview: name one source: vane preview SOURCE\n");
        return VANE_EXIT_USAGE;
    }
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    const source_cfg_t *s = config_source(&cfg, a->words[0]);
    if (!s) {
        cli_unknown_sources(&cfg, "preview", &a->words[0], 1);
        config_free(&cfg);
        return VANE_EXIT_USAGE;
    }
    preview_t p;
    err_t e;
    const char *file = cli_text(a, CLI_FILE);
    int rc = preview_source(&cfg, s, file, &p, &e);
    if (rc == 0 && cli_flag(a, CLI_JSON))
        print_json(&p);
    else if (rc == 0 && p.n)
        print_table(&p);
    print_warnings(&p);
    if (rc != 0) {
        fputs("vane: ", stderr);
        termtext_fputs(e.msg, stderr);
        fputc('\n', stderr);
    } else {
        say_what(s, &p, file);
    }
    int code = rc == 0 && p.n ? VANE_EXIT_OK : VANE_EXIT_FAILED;
    preview_free(&p);
    config_free(&cfg);
    return code;
}

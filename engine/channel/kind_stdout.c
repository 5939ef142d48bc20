/* kind_stdout.c — the stdout kind: each flag printed on the run's output,
 * as the line a person reads (its control characters escaped, so it stays
 * one line: util/termtext.h) or (with --json) as its JSON object. The
 * built-in channel "stdout" is of this kind; it takes no keys of its own
 * and sends every flag on its own, even with digest = true. */
#include "channel/kind.h"

#include <string.h>

#include "util/termtext.h"

static int put_text(buf_t *b, const char *s)
{
    s = s ? s : "-";
    return termtext_put(b, s, strlen(s));
}

/* One line whatever the texts hold: their controls are escaped. */
void channel_format_text(FILE *out, const char *severity, const char *rule, const char *source,
                         const char *message)
{
    buf_t b = {0};
    int rc = buf_putc(&b, '[') | put_text(&b, severity) | buf_puts(&b, "] ") | put_text(&b, rule) |
             buf_putc(&b, ' ') | put_text(&b, source) | buf_puts(&b, ": ") |
             put_text(&b, message ? message : "") | buf_putc(&b, '\n');
    if (rc == 0)
        fwrite(b.p, 1, b.len, out);
    buf_free(&b);
}

static const char *const stdout_keys[] = {NULL};

static void *stdout_parse(decl_t *d)
{
    (void)d;
    return NULL;
}

static void stdout_check(decl_t *d, const void *data)
{
    (void)d;
    (void)data;
}

static int stdout_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                       err_t *e)
{
    (void)c;
    FILE *out = o && o->out ? o->out : stdout;
    for (size_t i = 0; i < m->n; i++) {
        const channel_flag_t *f = &m->flags[i];
        if (o && o->json)
            fprintf(out, "%s\n", f->json);
        else
            channel_format_text(out, f->severity, f->rule, f->source, f->message);
    }
    return fflush(out) == 0 ? 0 : err_set(e, "cannot write to standard output");
}

static void stdout_free(void *data)
{
    (void)data;
}

const channel_kind_t channel_kind_stdout = {CHANNEL_KIND_FIELDS(stdout), .one_by_one = 1};

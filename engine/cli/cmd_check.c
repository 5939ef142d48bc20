/* cmd_check.c — `vane check`: load the configuration, prepare every
 * source's script, load the rules, check the references between them,
 * render every channel's format on the sample flag (alert/template.h);
 * print every problem at once (as JSON objects with --json). */
#include "cli/command.h"

#include <string.h>
#include <strings.h>

#include "alert/template.h"
#include "cli/references.h"
#include "extract/extract.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/exitcode.h"
#include "util/json.h"
#include "util/termtext.h"

static void print_result(const cli_args_t *a, const config_t *cfg, size_t problems,
                         size_t n_rules)
{
    if (cli_flag(a, CLI_JSON)) {
        printf("{\"ok\":%s,\"problems\":%zu,\"sources\":%zu,\"rules\":%zu,\"channels\":%zu,"
               "\"shipped_rules\":%s}\n",
               problems ? "false" : "true", problems, cfg->n_sources, n_rules, cfg->n_channels,
               cfg->shipped_rules ? "true" : "false");
        return;
    }
    if (problems || cli_flag(a, CLI_QUIET))
        return;
    if (cfg->shipped_rules)
        printf("rules: the %zu shipped rule%s (no rules folder)\n", n_rules, n_rules == 1 ? "" : "s");
    printf("%s: ok: %zu source%s, %zu rule%s, %zu channel%s\n", cfg->path, cfg->n_sources,
           cfg->n_sources == 1 ? "" : "s", n_rules, n_rules == 1 ? "" : "s", cfg->n_channels,
           cfg->n_channels == 1 ? "" : "s");
}

static void print_problems(const cli_args_t *a, const errlist_t *errs)
{
    for (size_t i = 0; i < errs->len; i++)
        cli_print_problem(cli_flag(a, CLI_JSON), stderr, errs->msgs[i]);
}

/* What vane.lua opted into that weakens a source's transport (insecure_tls,
 * credentials over http://): said, not counted as problems. */
static void print_warnings(const cli_args_t *a, const config_t *cfg)
{
    for (size_t i = 0; !cli_flag(a, CLI_JSON) && !cli_flag(a, CLI_QUIET) && i < cfg->n_sources; i++) {
        const source_cfg_t *s = &cfg->sources[i];
        if (s->http.insecure_tls)
            fprintf(stderr, "%s:%d: warning: source '%s': insecure_tls = true: the server's "
                    "certificate is not verified (prefer ca_file)\n", cfg->path, s->line, s->id);
        if (s->http.user && strncasecmp(s->url, "https://", 8) != 0)
            fprintf(stderr, "%s:%d: warning: source '%s': insecure_auth = true: its user and "
                    "password cross the network in clear\n", cfg->path, s->line, s->id);
    }
}

/* The configuration itself, its problems printed like the others. */
static int load_config(const cli_args_t *a, config_t *cfg)
{
    const char *path = cli_text(a, CLI_CONFIG);
    errlist_t errs = {0};
    int rc = config_load(path ? path : "vane.lua", cfg, &errs);
    print_problems(a, &errs);
    if (rc != 0 && cli_flag(a, CLI_JSON))
        printf("{\"ok\":false,\"problems\":%zu}\n", errs.len);
    errlist_free(&errs);
    return rc;
}

/* What c's format and match make of the sample flag, for people: the
 * text indented under "channel ID: format on the sample flag:". */
static void print_render(const channel_cfg_t *c, const char *rendered, template_result_t what,
                         int takes, buf_t *out)
{
    buf_printf(out, "channel %s:", c->id);
    if (c->match_ref > 0)
        buf_printf(out, " match %s the sample flag%s", takes ? "takes" : "does not take",
                   c->format_ref > 0 ? ";" : "");
    if (c->format_ref > 0) {
        buf_printf(out, " format on the sample flag (%s):\n    ",
                   what == TEMPLATE_JSON ? "JSON body" : "text");
        for (const char *p = rendered; *p; p++) {
            size_t n = strcspn(p, "\n");
            termtext_put(out, p, n);
            p += n;
            if (!*p)
                break;
            buf_puts(out, "\n    ");
        }
    }
    buf_putc(out, '\n');
}

/* The same as one JSON object: {"channel":…,"match":…,"text"|"body":…}. */
static void json_render(const channel_cfg_t *c, const char *rendered, template_result_t what,
                        int takes, buf_t *out)
{
    buf_puts(out, "{\"channel\":");
    json_put_string(out, c->id, strlen(c->id));
    if (c->match_ref > 0)
        buf_printf(out, ",\"match\":%s", takes ? "true" : "false");
    if (c->format_ref > 0 && what == TEMPLATE_JSON)
        buf_printf(out, ",\"body\":%s", rendered);
    if (c->format_ref > 0 && what == TEMPLATE_TEXT) {
        buf_puts(out, ",\"text\":");
        json_put_string(out, rendered, strlen(rendered));
    }
    buf_puts(out, "}\n");
}

/* Every channel's format and match on the sample flag: what they make
 * into out, their errors (vane.lua:LINE) into errs. */
static void render_channels(const cli_args_t *a, const config_t *cfg, buf_t *out, errlist_t *errs)
{
    for (size_t i = 0; i < cfg->n_channels; i++) {
        const channel_cfg_t *c = &cfg->channels[i];
        if (c->format_ref <= 0 && c->match_ref <= 0)
            continue;
        buf_t text = {0};
        template_result_t what;
        err_t e;
        int takes = 1, ok = 1;
        channel_flag_t sample;
        template_sample(&sample);
        if (c->match_ref > 0 && template_match(cfg, c, sample.json, &takes, &e) != 0) {
            errlist_add(errs, "%s", e.msg);
            ok = 0;
        }
        if (template_render_sample(cfg, c, &text, &what, &e) != 0) {
            errlist_add(errs, "%s", e.msg);
            ok = 0;
        }
        if (ok)
            (cli_flag(a, CLI_JSON) ? json_render : print_render)(c, buf_str(&text), what, takes,
                                                                 out);
        buf_free(&text);
    }
}

int cmd_check(const cli_args_t *a)
{
    config_t cfg;
    if (load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    errlist_t errs = {0};
    err_t e;
    extract_t *x = extract_new(&cfg, &e);
    if (!x)
        errlist_add(&errs, "%s", e.msg);
    for (size_t i = 0; x && i < cfg.n_sources; i++)
        if (extract_prepare(x, cfg.sources[i].script, &e) != 0)
            errlist_add(&errs, "%s:%d: source %s: %s", cfg.path, cfg.sources[i].line,
                        cfg.sources[i].id, e.msg);
    rules_t *rules = rules_load(&cfg, &errs, &e);
    if (!rules)
        errlist_add(&errs, "%s", e.msg);
    references_check(&cfg, rules, x, &errs);
    buf_t rendered = {0};
    render_channels(a, &cfg, &rendered, &errs);
    if (!cli_flag(a, CLI_QUIET))
        fputs(buf_str(&rendered), stdout);
    buf_free(&rendered);
    print_problems(a, &errs);
    print_warnings(a, &cfg);
    print_result(a, &cfg, errs.len, rules ? rules_count(rules) : 0);
    int code = errs.len ? VANE_EXIT_USAGE : VANE_EXIT_OK;
    rules_free(rules);
    extract_free(x);
    errlist_free(&errs);
    config_free(&cfg);
    return code;
}

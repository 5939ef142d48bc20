/* cmd_channel.c — `vane channel test ID [--json]`: send the sample flag
 * (alert/template.h) through one channel now, with its format, not via
 * the outbox, and say what happened: "channel ID: sent" (exit 0) or the
 * channel's error (exit 1). Nothing is stored. */
#include "cli/command.h"

#include <string.h>

#include "alert/template.h"
#include "channel/channel.h"
#include "channel/kind.h"
#include "util/buf.h"
#include "util/exitcode.h"
#include "util/json.h"

const char cmd_channel_usage[] =
    "vane channel test ID [--json]\n"
    "  Send a sample flag (an advisory's level lowered, every field filled; id 0)\n"
    "  through the channel ID now, with its format, and say whether the channel took\n"
    "  it (exit 0) or why not (exit 1). Quiet hours and match do not apply; nothing\n"
    "  is stored.\n";

/* The channel called id: a configured one, or the built-in stdout. */
static const channel_cfg_t *find_channel(const config_t *cfg, const char *id,
                                         channel_cfg_t *builtin)
{
    for (size_t i = 0; i < cfg->n_channels; i++)
        if (strcmp(cfg->channels[i].id, id) == 0)
            return &cfg->channels[i];
    if (strcmp(id, "stdout") != 0)
        return NULL;
    *builtin = (channel_cfg_t){.id = "stdout", .kind = channel_kind_find("stdout"),
                               .max_attempts = 1, .timeout = 30};
    return builtin;
}

static int unknown_channel(const config_t *cfg, const char *id)
{
    buf_t ids = {0};
    buf_puts(&ids, "stdout");
    for (size_t i = 0; i < cfg->n_channels; i++)
        buf_printf(&ids, ", %s", cfg->channels[i].id);
    fprintf(stderr, "vane: channel %s: no such channel in %s (channels: %s)\n", id, cfg->path,
            buf_str(&ids));
    buf_free(&ids);
    return VANE_EXIT_USAGE;
}

/* What happened, for people or as {"channel":…,"sent":…,"error":…}. */
static void say(const cli_args_t *a, const channel_cfg_t *c, const char *format_error,
                const char *send_error)
{
    if (!cli_flag(a, CLI_JSON)) {
        if (format_error)
            fprintf(stderr, "vane: %s\n", format_error);
        if (send_error)
            fprintf(stderr, "vane: %s\n", send_error);
        else if (!cli_flag(a, CLI_QUIET))
            printf("channel %s: sent%s\n", c->id, format_error ? " in its own format" : "");
        return;
    }
    buf_t b = {0};
    buf_puts(&b, "{\"channel\":");
    json_put_string(&b, c->id, strlen(c->id));
    buf_printf(&b, ",\"sent\":%s", send_error ? "false" : "true");
    if (format_error) {
        buf_puts(&b, ",\"format_error\":");
        json_put_string(&b, format_error, strlen(format_error));
    }
    if (send_error) {
        buf_puts(&b, ",\"error\":");
        json_put_string(&b, send_error, strlen(send_error));
    }
    printf("%s}\n", buf_str(&b));
    buf_free(&b);
}

/* Send the sample through c, formatted as a delivery would. */
static int test_channel(const cli_args_t *a, const config_t *cfg, const channel_cfg_t *c)
{
    channel_flag_t f;
    template_sample(&f);
    buf_t rendered = {0};
    template_result_t what;
    err_t fe, se;
    int format_failed = template_render_sample(cfg, c, &rendered, &what, &fe) != 0;
    int formatted = !format_failed && c->format_ref > 0;
    if (formatted && what == TEMPLATE_TEXT)
        f.text = buf_str(&rendered);
    channel_msg_t m = {.flags = &f, .n = 1,
                       .body_json = formatted && what == TEMPLATE_JSON ? buf_str(&rendered) : NULL};
    int sent = channel_send(c, &m, NULL, &se) == 0;
    say(a, c, format_failed ? fe.msg : NULL, sent ? NULL : se.msg);
    buf_free(&rendered);
    return sent && !format_failed ? VANE_EXIT_OK : VANE_EXIT_FAILED;
}

int cmd_channel(const cli_args_t *a)
{
    if (a->n_words != 2 || strcmp(a->words[0], "test") != 0)
        return cli_usage_error("usage: vane channel test ID [--json]");
    config_t cfg;
    if (cli_load_config(a, &cfg) != 0)
        return VANE_EXIT_USAGE;
    channel_cfg_t builtin;
    const channel_cfg_t *c = find_channel(&cfg, a->words[1], &builtin);
    int code = c ? test_channel(a, &cfg, c) : unknown_channel(&cfg, a->words[1]);
    config_free(&cfg);
    return code;
}

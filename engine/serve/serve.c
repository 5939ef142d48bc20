/* serve.c — the small helpers every handler of `vane serve` uses (see
 * serve.h). */
#include "serve/serve.h"

#include <string.h>

#include "serve/html.h"
#include "util/clock.h"

static const char *param(const serve_param_t *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return v[i].value;
    return NULL;
}

const char *serve_query(const serve_req_t *r, const char *name)
{
    return param(r->query, r->n_query, name);
}

const char *serve_form(const serve_req_t *r, const char *name)
{
    return param(r->form, r->n_form, name);
}

const char *serve_query_given(const serve_req_t *r, const char *name)
{
    const char *v = serve_query(r, name);
    return v && *v ? v : NULL;
}

int serve_time_bound(const char *v, int is_until, char iso[32])
{
    vtime_t t;
    if (clock_parse_iso(v, &t) != 0)
        return -1;
    if (is_until && strlen(v) == 10)
        t += 86400;
    clock_format_iso(t, iso);
    return 0;
}

static const char *status_text(int status)
{
    switch (status) {
    case 400: return "Bad request";
    case 401: return "Sign-in needed";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 413: return "Request too large";
    case 414: return "Address too long";
    case 429: return "Too many requests";
    case 503: return "Unavailable";
    default: return status >= 500 ? "Server error" : "Error";
    }
}

int serve_error_page(serve_resp_t *out, int status, const char *message)
{
    out->status = status;
    out->content_type = NULL;
    buf_reset(&out->body);
    buf_t *b = &out->body;
    int rc = buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                           "<title>%d %s — vane</title>"
                           "<link rel=\"stylesheet\" href=\"/static/vane.css\"></head>\n"
                           "<body><main><h1>%d %s</h1>\n<p>",
                        status, status_text(status), status, status_text(status));
    rc |= html_text(b, message);
    rc |= buf_puts(b, "</p>\n<p><a href=\"/flags\">Flags</a></p></main></body></html>\n");
    return rc ? -1 : 0;
}

void serve_json(serve_resp_t *out)
{
    out->content_type = "application/json";
}

/* html.c — escaping, links and the page around every view of `vane
 * serve` (see html.h), and the stylesheet and script it serves. */
#include "serve/html.h"

#include <stdarg.h>
#include <string.h>

#include "util/url.h"
#include "util/utf8.h"

const char html_css[] =
    ":root{--fg:#1d232a;--muted:#5c6670;--line:#d8dde2;--bg:#fff;--soft:#f4f6f8;"
    "--critical:#7a0012;--high:#b3261e;--medium:#a15c00;--low:#2e7d32;--info:#1e5aa8}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:var(--fg);background:var(--bg)}\n"
    "header.top{display:flex;gap:1.5em;align-items:baseline;padding:.6em 1.2em;"
    "border-bottom:1px solid var(--line);background:var(--soft)}\n"
    "header.top .brand{font-weight:700;color:var(--fg);text-decoration:none}\n"
    "header.top nav a{margin-right:1em;color:var(--muted);text-decoration:none}\n"
    "header.top nav a.here{color:var(--fg);font-weight:600;border-bottom:2px solid var(--fg)}\n"
    "main{padding:1em 1.2em;max-width:80em}\n"
    "h1{font-size:1.35em;margin:.2em 0 .6em}h2{font-size:1.1em;margin:1.4em 0 .5em}\n"
    "a{color:#0b57d0}\n"
    "table{border-collapse:collapse;width:100%;margin:.4em 0}\n"
    "th,td{text-align:left;vertical-align:top;padding:.35em .6em;border-bottom:1px solid var(--line)}\n"
    "th{font-weight:600;color:var(--muted);white-space:nowrap}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".muted{color:var(--muted)}\n"
    ".sev{display:inline-block;padding:0 .45em;border-radius:.25em;color:#fff;font-size:.85em;"
    "font-weight:600}\n"
    ".sev-critical{background:var(--critical)}.sev-high{background:var(--high)}"
    ".sev-medium{background:var(--medium)}.sev-low{background:var(--low)}"
    ".sev-info{background:var(--info)}\n"
    "del{background:#fde2e1;color:#8a1c14}ins{background:#dcf3dc;color:#1b5e20;"
    "text-decoration:none}\n"
    "form.filters{display:flex;flex-wrap:wrap;gap:.5em;align-items:end;margin:.4em 0 1em}\n"
    "form.filters label{display:flex;flex-direction:column;font-size:.85em;color:var(--muted)}\n"
    "input,select,textarea,button{font:inherit;padding:.25em .4em}\n"
    ".pager{display:flex;gap:1em;margin:1em 0}\n"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25em 1em}\n"
    "dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}\n"
    "pre{white-space:pre-wrap;background:var(--soft);padding:.6em;border-radius:.3em}\n"
    "svg.chart{max-width:100%;height:auto;background:var(--soft);border-radius:.3em}\n"
    "svg.chart text{font-size:11px;fill:var(--muted)}\n"
    ".ok{color:var(--low)}.bad{color:var(--high)}\n"
    /* part P: the pages of flags, a flag and an item */
    "form.verdict{display:flex;flex-wrap:wrap;gap:.6em 1em;align-items:end;margin:.6em 0}\n"
    "form.verdict label{display:flex;gap:.3em;align-items:center}\n"
    "form.verdict textarea{min-width:20em}\n"
    "blockquote.note{margin:.3em 0;padding:.3em .8em;border-left:3px solid var(--line);"
    "white-space:pre-wrap}\n"
    "table.fields th{width:12em}table.changes td,table.fields td{overflow-wrap:anywhere}\n"
    "section.version{border-top:1px solid var(--line);margin-top:1em}\n"
    "ul.raised{margin:.3em 0;padding-left:1.2em}\n"
    "p.empty{color:var(--muted);font-style:italic}\n"
    /* part K: advisories, sources and rules charts */
    "svg.chart .axis{fill:none;stroke:var(--muted)}svg.chart .grid{stroke:var(--line)}\n"
    "svg.chart .step{fill:none;stroke:var(--info);stroke-width:2}\n"
    "svg.chart .pt{fill:var(--info);stroke:#fff}svg.chart .span{fill:var(--medium)}\n"
    "svg.chart .bar{fill:var(--info)}svg.chart .bar2{fill:var(--high)}\n"
    "td.chart svg.chart{width:24em}td.letters{font-family:monospace}\n"
    "td.error{color:var(--high);max-width:24em;overflow-wrap:anywhere}\n"
    ".lvl{display:inline-block;padding:0 .45em;border-radius:.25em;font-weight:600}\n"
    ".lvl-1{background:#dcf3dc}.lvl-2{background:#fff1c2}.lvl-3{background:#ffd9b0}"
    ".lvl-4{background:#fde2e1}\n"
    "th a.here{color:var(--fg)}.added{color:var(--high)}.removed{color:var(--low)}\n";

/* A little help for people with JavaScript on: nothing needs it. */
const char html_js[] =
    "document.addEventListener('DOMContentLoaded',function(){\n"
    "  document.querySelectorAll('form.filters select').forEach(function(s){\n"
    "    s.addEventListener('change',function(){s.form.submit();});\n"
    "  });\n"
    "});\n";

int html_text(buf_t *out, const char *s)
{
    if (!s)
        return 0;
    size_t len = strlen(s);
    int rc = 0;
    for (size_t i = 0; i < len;) {
        size_t bad = 0, n = utf8_seq(s + i, len - i, UTF8_NUL_OK, &bad);
        unsigned char c = (unsigned char)s[i];
        if (n == 0) {
            rc |= buf_puts(out, UTF8_REPLACEMENT);
            i += bad ? bad : 1;
            continue;
        }
        switch (c) {
        case '&': rc |= buf_puts(out, "&amp;"); break;
        case '<': rc |= buf_puts(out, "&lt;"); break;
        case '>': rc |= buf_puts(out, "&gt;"); break;
        case '"': rc |= buf_puts(out, "&quot;"); break;
        case '\'': rc |= buf_puts(out, "&#39;"); break;
        default:
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                rc |= buf_puts(out, UTF8_REPLACEMENT);
            else
                rc |= buf_append(out, s + i, n);
        }
        i += n;
    }
    return rc ? -1 : 0;
}


static const struct {
    const char *path, *label;
} sections[] = {
    {"/flags", "Flags"}, {"/advisories", "Advisories"}, {"/sources", "Sources"}, {"/rules", "Rules"},
};

int html_page_begin(buf_t *out, const serve_req_t *r, const char *title, const char *section)
{
    int rc = buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                           "<title>");
    rc |= html_text(out, title);
    rc |= buf_puts(out, " — vane</title><link rel=\"stylesheet\" href=\"/static/vane.css\">"
                        "<script src=\"/static/vane.js\" defer></script></head>\n<body>\n"
                        "<header class=\"top\"><a class=\"brand\" href=\"/flags\">vane</a><nav>");
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        rc |= buf_printf(out, "<a href=\"%s\"%s>%s</a>", sections[i].path,
                         section && strcmp(section, sections[i].path) == 0 ? " class=\"here\"" : "",
                         sections[i].label);
    rc |= buf_puts(out, "</nav>");
    if (r && r->user && strcmp(r->user, "local") != 0) {
        rc |= buf_puts(out, "<span class=\"muted\">");
        rc |= html_text(out, r->user);
        rc |= buf_puts(out, "</span>");
    }
    rc |= buf_puts(out, "</header>\n<main>\n");
    return rc ? -1 : 0;
}

int html_page_end(buf_t *out)
{
    return buf_puts(out, "</main>\n</body></html>\n");
}

int html_time(buf_t *out, const char *iso)
{
    if (!iso || !*iso)
        return buf_puts(out, "\xe2\x80\x94");
    int rc = buf_puts(out, "<time datetime=\"");
    rc |= html_text(out, iso);
    rc |= buf_puts(out, "\">");
    /* "2024-11-27T23:30:00Z" → "2024-11-27 23:30 UTC" */
    size_t len = strlen(iso);
    if (len >= 16 && iso[10] == 'T') {
        char shown[32];
        memcpy(shown, iso, 10);
        shown[10] = ' ';
        memcpy(shown + 11, iso + 11, 5);
        memcpy(shown + 16, " UTC", 5);
        rc |= html_text(out, shown);
    } else {
        rc |= html_text(out, iso);
    }
    return rc | buf_puts(out, "</time>");
}

int html_href(buf_t *out, const char *path, ...)
{
    buf_t url = {0};
    int rc = buf_puts(&url, path);
    char sep = '?';
    va_list ap;
    va_start(ap, path);
    for (;;) {
        const char *name = va_arg(ap, const char *);
        if (!name)
            break;
        const char *value = va_arg(ap, const char *);
        if (!value || !*value)
            continue;
        rc |= buf_putc(&url, sep) | url_encode_component(&url, name) | buf_putc(&url, '=') |
              url_encode_component(&url, value);
        sep = '&';
    }
    va_end(ap);
    rc |= html_text(out, buf_str(&url));
    buf_free(&url);
    return rc ? -1 : 0;
}

int html_severity(buf_t *out, const char *severity)
{
    const char *s = severity ? severity : "info";
    int known = strcmp(s, "critical") == 0 || strcmp(s, "high") == 0 || strcmp(s, "medium") == 0 ||
                strcmp(s, "low") == 0 || strcmp(s, "info") == 0;
    int rc = buf_printf(out, "<span class=\"sev sev-%s\">", known ? s : "info");
    rc |= html_text(out, s);
    return rc | buf_puts(out, "</span>");
}

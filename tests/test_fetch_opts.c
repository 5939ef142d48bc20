/* test_fetch_opts.c — what a source sends, as vane.lua declares it:
 * header lines, cookies, bodies and their types, credentials and
 * transport keys read into fetch_http_t; every mistake refused with its
 * line and no secret quoted; the definition covering the request. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/decl_request.h"
#include "run/definition.h"

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/vane-test-fetchopts-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* Load vane.lua holding one source with the given keys. */
static int load(const char *keys, config_t *cfg, errlist_t *errs)
{
    char path[128];
    snprintf(path, sizeof path, "%s/vane.lua", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "database 'v.db'\n"
               "source { id = 'a', url = 'https://example.org/api', script = 'rss',\n"
               "         %s }\n", keys);
    fclose(f);
    memset(cfg, 0, sizeof *cfg);
    return config_load(path, cfg, errs);
}

/* The one problem of a load that must fail, checked for its line and text. */
static void refused(const char *keys, const char *message)
{
    config_t cfg;
    errlist_t errs = {0};
    assert_int_not_equal(load(keys, &cfg, &errs), 0);
    int found = 0;
    for (size_t i = 0; i < errs.len; i++) {
        found |= strstr(errs.msgs[i], "vane.lua:2: source 'a': ") && strstr(errs.msgs[i], message);
        assert_null(strstr(errs.msgs[i], "TOPSECRET"));
    }
    if (!found)
        fail_msg("no \"%s\" in %zu problem(s): %s", message, errs.len, errs.len ? errs.msgs[0] : "");
    errlist_free(&errs);
}

static void headers_cookies_and_language_become_sorted_lines(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("headers = { ['X-Api-Key'] = 'k', Referer = 'https://r/', Empty = '' },\n"
                          "cookies = { sid = 'TOPSECRET', lang = 'en' },\n"
                          "accept_language = 'en-US,en;q=0.8'", &cfg, &errs), 0);
    char **h = cfg.sources[0].http.headers;
    assert_non_null(h);
    assert_string_equal(h[0], "Empty;");
    assert_string_equal(h[1], "Referer: https://r/");
    assert_string_equal(h[2], "X-Api-Key: k");
    assert_string_equal(h[3], "Cookie: lang=en; sid=TOPSECRET");
    assert_string_equal(h[4], "Accept-Language: en-US,en;q=0.8");
    assert_null(h[5]);
    assert_null(cfg.sources[0].http.method);
    assert_null(cfg.sources[0].http.body);
    config_free(&cfg);
}

static void a_plain_source_sends_nothing_more(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("every = '1h'", &cfg, &errs), 0);
    const fetch_http_t *h = &cfg.sources[0].http;
    assert_true(!h->headers && !h->method && !h->body && !h->user && !h->proxy && !h->ca_file);
    config_free(&cfg);
}

static void form_is_url_encoded_with_sorted_keys(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("method = 'POST', form = { q = 'China', a = 'x y&z=1/é', n = 3 }", &cfg,
                          &errs), 0);
    const fetch_http_t *h = &cfg.sources[0].http;
    assert_string_equal(h->method, "POST");
    assert_string_equal(h->body, "a=x+y%26z%3D1%2F%C3%A9&n=3&q=China");
    assert_int_equal(h->body_len, strlen(h->body));
    assert_string_equal(h->content_type, "application/x-www-form-urlencoded");
    assert_null(h->headers);
    config_free(&cfg);
}

static void json_body_is_canonical(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("method = 'POST', json = { z = { 1, 2 }, a = { y = true, b = 'é' } }",
                          &cfg, &errs), 0);
    const fetch_http_t *h = &cfg.sources[0].http;
    assert_string_equal(h->body, "{\"a\":{\"b\":\"é\",\"y\":true},\"z\":[1,2]}");
    assert_string_equal(h->content_type, "application/json");
    config_free(&cfg);
}

static void a_raw_body_keeps_every_byte_and_its_type(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("method = 'PUT', body = 'a\\0b', content_type = 'application/octet-stream'",
                          &cfg, &errs), 0);
    const fetch_http_t *h = &cfg.sources[0].http;
    assert_int_equal(h->body_len, 3);
    assert_memory_equal(h->body, "a\0b", 3);
    assert_string_equal(h->method, "PUT");
    assert_string_equal(h->content_type, "application/octet-stream");
    config_free(&cfg);
}

static void credentials_and_transport_are_kept(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    char ca[128];
    snprintf(ca, sizeof ca, "%s/ca.pem", dir);
    FILE *f = fopen(ca, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(load("user = 'u', password = 'TOPSECRET', auth = 'digest',\n"
                          "proxy = 'socks5h://127.0.0.1:1080', ca_file = 'ca.pem'", &cfg, &errs), 0);
    const fetch_http_t *h = &cfg.sources[0].http;
    assert_string_equal(h->user, "u");
    assert_string_equal(h->password, "TOPSECRET");
    assert_int_equal(h->digest, 1);
    assert_string_equal(h->proxy, "socks5h://127.0.0.1:1080");
    assert_string_equal(h->ca_file, ca);
    assert_int_equal(h->insecure_tls, 0);
    config_free(&cfg);
}

static void mistakes_are_refused_with_their_line(void **state)
{
    (void)state;
    refused("body = 'x'", "a body is not sent with GET");
    refused("method = 'GET', form = { q = 'x' }", "a body is not sent with GET");
    refused("method = 'POST'", "a method other than GET needs one of");
    refused("method = 'POST', body = 'x', form = { a = 'b' }", "give one of 'body', 'form' and 'json'");
    refused("method = 'DELETE', body = 'x'", "'method' must be");
    refused("method = 'POST', form = { a = 'b' }, content_type = 'x/y'", "'content_type' goes with 'body'");
    refused("headers = { ['X-Key'] = 'TOPSECRET\\r\\nX-Evil: 1' }", "headers 'X-Key': the value holds a line break");
    refused("headers = { ['X-Key'] = 'TOPSECRET\\n' }", "the value holds a line break");
    refused("headers = { ['Bad Name'] = 'v' }", "headers: 'Bad Name' is not a header name");
    refused("headers = { ['Content-Type'] = 'x/y' }", "use content_type");
    refused("headers = 'x'", "'headers' must be a table");
    refused("headers = { Cookie = 'TOPSECRET' }, cookies = { a = 'b' }", "both 'cookies' and a Cookie header");
    refused("cookies = { a = 'TOPSECRET; b=c' }", "the value of 'a' holds a ';'");
    refused("accept_language = 'en\\r\\nX: y'", "'accept_language' holds a line break");
    refused("password = 'TOPSECRET'", "'password' and 'auth' need a 'user'");
    refused("user = 'u', auth = 'ntlm'", "'auth' must be \"basic\" or \"digest\"");
    refused("proxy = 'ftp://p:21'", "'proxy' must start with");
    refused("ca_file = 'missing.pem'", "ca_file: cannot read");
    refused("insecure_tls = 'yes'", "insecure_tls");
}

static void credentials_over_http_need_insecure_auth(void **state)
{
    (void)state;
    char path[128];
    config_t cfg;
    errlist_t errs = {0};
    snprintf(path, sizeof path, "%s/vane.lua", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("database 'v.db'\n"
          "source { id = 'a', url = 'http://example.org/', script = 'rss', user = 'u', password = 'TOPSECRET' }\n"
          "source { id = 'b', url = 'http://example.org/', script = 'rss', user = 'u', password = 'p',\n"
          "         insecure_auth = true }\n", f);
    fclose(f);
    assert_int_not_equal(config_load(path, &cfg, &errs), 0);
    assert_int_equal(errs.len, 1);
    assert_non_null(strstr(errs.msgs[0], "vane.lua:2: source 'a': a user and password would cross"));
    assert_null(strstr(errs.msgs[0], "TOPSECRET"));
    errlist_free(&errs);
}

/* The fingerprint of the single source of keys. */
static void fingerprint_of(const char *keys, buf_t *out)
{
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load(keys, &cfg, &errs), 0);
    assert_int_equal(definition_fingerprint(&cfg.sources[0], "x", 1, out), 0);
    config_free(&cfg);
}

static void the_definition_covers_the_request_without_its_secrets(void **state)
{
    (void)state;
    buf_t plain = {0}, a = {0}, b = {0}, c = {0}, proxied = {0}, changes = {0};
    fingerprint_of("every = '1h'", &plain);
    fingerprint_of("headers = { ['X-Api-Key'] = 'TOPSECRET' }", &a);
    fingerprint_of("headers = { ['X-Api-Key'] = 'TOPSECRET2' }", &b);
    fingerprint_of("user = 'u', password = 'TOPSECRET'", &c);
    fingerprint_of("proxy = 'http://127.0.0.1:3128'", &proxied);
    assert_null(strstr(buf_str(&plain), "request="));   /* fingerprints of old stay the same */
    assert_string_equal(buf_str(&plain), buf_str(&proxied));
    assert_non_null(strstr(buf_str(&a), ";request="));
    assert_null(strstr(buf_str(&a), "TOPSECRET"));
    assert_string_not_equal(buf_str(&a), buf_str(&b));
    assert_int_equal(definition_changes(buf_str(&a), buf_str(&b), &changes), 1);
    assert_string_equal(buf_str(&changes), "request");
    buf_reset(&changes);
    assert_int_equal(definition_changes(buf_str(&plain), buf_str(&c), &changes), 1);
    assert_string_equal(buf_str(&changes), "request");
    buf_reset(&changes);
    assert_int_equal(definition_changes(buf_str(&plain), buf_str(&proxied), &changes), 0);
    buf_free(&plain);
    buf_free(&a);
    buf_free(&b);
    buf_free(&c);
    buf_free(&proxied);
    buf_free(&changes);
}

static void form_encoding_escapes_every_reserved_byte(void **state)
{
    (void)state;
    buf_t b = {0};
    assert_int_equal(form_encode_pair(&b, "k y", "a+b~c*d-e._\x01", 1), 0);
    assert_int_equal(form_encode_pair(&b, "", "", 0), 0);
    assert_string_equal(buf_str(&b), "k+y=a%2Bb%7Ec*d-e._%01&=");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(headers_cookies_and_language_become_sorted_lines),
        cmocka_unit_test(a_plain_source_sends_nothing_more),
        cmocka_unit_test(form_is_url_encoded_with_sorted_keys),
        cmocka_unit_test(json_body_is_canonical),
        cmocka_unit_test(a_raw_body_keeps_every_byte_and_its_type),
        cmocka_unit_test(credentials_and_transport_are_kept),
        cmocka_unit_test(mistakes_are_refused_with_their_line),
        cmocka_unit_test(credentials_over_http_need_insecure_auth),
        cmocka_unit_test(the_definition_covers_the_request_without_its_secrets),
        cmocka_unit_test(form_encoding_escapes_every_reserved_byte),
    };
    return cmocka_run_group_tests_name("fetch_opts", tests, make_dir, remove_dir);
}

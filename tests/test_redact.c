/* test_redact.c — util/redact.c: the shown form of a source URL keeps
 * scheme, host, port and path and hides credentials, query values and a
 * fragment. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/redact.h"

#define H "\xE2\x80\xA6"

static void shown(const char *url, const char *want)
{
    char *got = redact_url_dup(url);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void plain_urls_are_shown_as_they_are(void **state)
{
    (void)state;
    shown("https://example.org/feed.xml", "https://example.org/feed.xml");
    shown("http://127.0.0.1:8080/a/b", "http://127.0.0.1:8080/a/b");
    shown("file:///srv/page.html", "file:///srv/page.html");
}

static void query_values_are_hidden_names_kept(void **state)
{
    (void)state;
    shown("https://api.example.org/v1?key=abc123&lang=en", "https://api.example.org/v1?key=" H "&lang=" H);
    shown("https://h/p?abc123", "https://h/p?" H);
    shown("https://h/p?", "https://h/p?");
    shown("https://h/p?a=&b", "https://h/p?a=&" H);
}

static void credentials_and_fragments_are_hidden(void **state)
{
    (void)state;
    shown("https://bob:hunter2@example.org/x", "https://" H "@example.org/x");
    shown("https://token@example.org:8443/x#frag", "https://" H "@example.org:8443/x#" H);
}

static void what_is_not_a_url_shows_only_its_scheme(void **state)
{
    (void)state;
    shown("htps://h/p?token=abc", "htps://h/p?token=" H);
    shown("https://h:99999/p?token=abc", "https://" H);
    shown("no scheme \x01 here", H);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_urls_are_shown_as_they_are),
        cmocka_unit_test(query_values_are_hidden_names_kept),
        cmocka_unit_test(credentials_and_fragments_are_hidden),
        cmocka_unit_test(what_is_not_a_url_shows_only_its_scheme),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

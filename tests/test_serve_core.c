/* test_serve_core.c — the checks `vane serve` makes before a handler runs:
 * decoding the path and query (request.c), the route matcher (routes.c),
 * listening addresses and loopback, password hashes made here with
 * libcrypt (bcrypt $2b$, yescrypt $y$, sha512crypt $6$), the bearer token,
 * sessions and their CSRF tokens (auth.c), and serve { … } in vane.lua. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "serve/auth.h"
#include "serve/request.h"
#include "serve/serve.h"

static void path_ok(const char *target, const char *want)
{
    char *p = NULL;
    assert_int_equal(request_path(target, &p), 0);
    assert_string_equal(p, want);
    free(p);
}

static void path_bad(const char *target)
{
    char *p = (char *)"x";
    assert_int_equal(request_path(target, &p), -1);
    assert_null(p);
}

static void paths_are_decoded_and_bad_ones_refused(void **state)
{
    (void)state;
    path_ok("/flags", "/flags");
    path_ok("/flags/12?x=1#top", "/flags/12");
    path_ok("/items/a%20b/%E2%86%92", "/items/a b/\xe2\x86\x92");
    path_ok("/a+b", "/a+b");   /* '+' is a space in queries only */
    path_ok("/a..b/.c", "/a..b/.c");
    path_bad("flags");
    path_bad("/x%00y");
    path_bad("/x%zz");
    path_bad("/x%4");
    path_bad("/x%");
    path_bad("/a/../etc/passwd");
    path_bad("/a/%2e%2e/b");
    path_bad("/..");
    path_bad("/./x");
    path_bad("/x%0a");
    path_bad("/x%ff");            /* not UTF-8 */
    path_bad("/x%c0%af");         /* overlong '/' */
}

static void queries_and_forms_are_decoded(void **state)
{
    (void)state;
    assert_string_equal(request_query_string("/f?a=1&b=2#x"), "a=1&b=2#x");
    assert_string_equal(request_query_string("/f"), "");
    assert_string_equal(request_query_string("/f#a?b"), "");
    serve_param_t *v;
    size_t n;
    const char *q = "rule=a%2Fb&q=x+y&empty=&flag&&page=2#frag";
    assert_int_equal(request_params(q, strlen(q), 100, &v, &n), 0);
    assert_int_equal(n, 5);
    assert_string_equal(v[0].name, "rule");
    assert_string_equal(v[0].value, "a/b");
    assert_string_equal(v[1].value, "x y");
    assert_string_equal(v[2].name, "empty");
    assert_string_equal(v[2].value, "");
    assert_string_equal(v[3].name, "flag");
    assert_string_equal(v[3].value, "");
    assert_string_equal(v[4].value, "2");
    serve_req_t r = {.query = v, .n_query = n, .form = v, .n_form = n};
    assert_string_equal(serve_query(&r, "q"), "x y");
    assert_string_equal(serve_form(&r, "page"), "2");
    assert_null(serve_query(&r, "nope"));
    request_params_free(v, n);
    assert_int_equal(request_params("", 0, 100, &v, &n), 0);
    assert_int_equal(n, 0);
    const char *bad[] = {"a=%zz", "a=%00", "a%=1", "a=%ff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(request_params(bad[i], strlen(bad[i]), 100, &v, &n), -1);
}

static void at_most_max_fields(void **state)
{
    (void)state;
    char s[1024] = "";
    for (int i = 0; i < 101; i++)
        snprintf(s + strlen(s), sizeof s - strlen(s), "%sf%d=1", i ? "&" : "", i);
    serve_param_t *v;
    size_t n;
    assert_int_equal(request_params(s, strlen(s), 101, &v, &n), 0);
    assert_int_equal(n, 101);
    request_params_free(v, n);
    assert_int_equal(request_params(s, strlen(s), 100, &v, &n), -1);
}

static void the_route_matcher_finds_core_routes(void **state)
{
    (void)state;
    char *args[SERVE_MAX_ARGS] = {0};
    size_t n = 9;
    int known = -1;
    const serve_route_t *rt = serve_route_find("GET", "/static/vane.css", args, &n, &known);
    assert_non_null(rt);
    assert_string_equal(rt->pattern, "/static/vane.css");
    assert_int_equal(n, 0);
    assert_int_equal(known, 1);
    rt = serve_route_find("HEAD", "/login", args, &n, &known);   /* HEAD answers like GET */
    assert_non_null(rt);
    assert_string_equal(rt->method, "GET");
    rt = serve_route_find("POST", "/login", args, &n, &known);
    assert_non_null(rt);
    assert_string_equal(rt->method, "POST");
    assert_null(serve_route_find("POST", "/static/vane.css", args, &n, &known));
    assert_int_equal(known, 1);                                  /* 405 */
    assert_null(serve_route_find("GET", "/static/nope.css", args, &n, &known));
    assert_int_equal(known, 0);                                  /* 404 */
    assert_null(serve_route_find("GET", "/login/", args, &n, &known));
    assert_int_equal(known, 0);
    assert_null(serve_route_find("GET", "", args, &n, &known));
}

static void listen_addresses_and_loopback(void **state)
{
    (void)state;
    struct sockaddr_storage sa;
    socklen_t len;
    assert_int_equal(request_listen_addr("127.0.0.1:8080", &sa, &len), 0);
    assert_true(request_is_loopback((struct sockaddr *)&sa));
    assert_int_equal(request_listen_addr("127.3.4.5:1", &sa, &len), 0);
    assert_true(request_is_loopback((struct sockaddr *)&sa));
    assert_int_equal(request_listen_addr("[::1]:8080", &sa, &len), 0);
    assert_true(request_is_loopback((struct sockaddr *)&sa));
    assert_int_equal(request_listen_addr("0.0.0.0:8080", &sa, &len), 0);
    assert_false(request_is_loopback((struct sockaddr *)&sa));
    assert_int_equal(request_listen_addr("[::]:8080", &sa, &len), 0);
    assert_false(request_is_loopback((struct sockaddr *)&sa));
    assert_int_equal(request_listen_addr("192.168.1.2:80", &sa, &len), 0);
    assert_false(request_is_loopback((struct sockaddr *)&sa));
    const char *bad[] = {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                         "localhost:8080", ":8080", "127.0.0.1:80x", "[::1:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(request_listen_addr(bad[i], &sa, &len), -1);
    char *o = request_origin_of("https://desk.example.org/vane");
    assert_string_equal(o, "https://desk.example.org");
    free(o);
    o = request_origin_of("http://127.0.0.1:8080");
    assert_string_equal(o, "http://127.0.0.1:8080");
    free(o);
    assert_null(request_origin_of("desk.example.org"));
}

/* A hash of password made here with libcrypt: prefix "$2b$", "$y$", "$6$". */
static char *make_hash(const char *prefix, const char *password)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    assert_non_null(crypt_gensalt_rn(prefix, 0, NULL, 0, salt, sizeof salt));
    struct crypt_data *cd = calloc(1, sizeof *cd);
    const char *h = crypt_r(password, salt, cd);
    assert_non_null(h);
    assert_int_equal(strncmp(h, prefix, strlen(prefix)), 0);
    char *copy = strdup(h);
    free(cd);
    return copy;
}

static void password_hashes_are_verified(void **state)
{
    (void)state;
    const char *prefixes[] = {"$2b$", "$2y$", "$y$", "$6$"};   /* $2y$: htpasswd -B */
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        char *h = make_hash(prefixes[i], "correct horse");
        assert_true(auth_hash_ok(h, "correct horse"));
        assert_false(auth_hash_ok(h, "correct hors"));
        assert_false(auth_hash_ok(h, ""));
        free(h);
    }
    assert_false(auth_hash_ok("not a hash", "not a hash"));
    assert_false(auth_hash_ok("", ""));
}

static void strings_compare_whole(void **state)
{
    (void)state;
    assert_true(auth_equal("abc", "abc"));
    assert_true(auth_equal("", ""));
    assert_false(auth_equal("abc", "abd"));
    assert_false(auth_equal("abc", "ab"));
    assert_false(auth_equal("ab", "abc"));
    assert_false(auth_equal("", "a"));
    assert_false(auth_equal("a", ""));
}

static void users_sessions_and_csrf(void **state)
{
    (void)state;
    char *names[] = {"ana", "li"};
    char *hashes[] = {make_hash("$2b$", "ana's secret"), make_hash("$y$", "li's secret")};
    serve_cfg_t cfg = {.token = "0123456789abcdef-token", .user_names = names,
                       .user_hashes = hashes, .n_users = 2};
    err_t e;
    auth_t *a = auth_new(&cfg, 1, &e);
    assert_non_null(a);
    assert_true(auth_required(a));
    assert_true(auth_has_users(a));
    assert_string_equal(auth_password(a, "ana", "ana's secret"), "ana");
    assert_string_equal(auth_password(a, "li", "li's secret"), "li");
    assert_null(auth_password(a, "ana", "li's secret"));
    assert_null(auth_password(a, "bob", "ana's secret"));
    assert_null(auth_password(a, NULL, "x"));

    assert_true(auth_bearer_ok(a, "Bearer 0123456789abcdef-token"));
    assert_true(auth_bearer_ok(a, "bearer 0123456789abcdef-token"));
    assert_false(auth_bearer_ok(a, "Bearer 0123456789abcdef-toke"));
    assert_false(auth_bearer_ok(a, "Basic 0123456789abcdef-token"));
    assert_false(auth_bearer_ok(a, NULL));

    const char *cookie, *csrf = NULL, *csrf2 = NULL;
    assert_int_equal(auth_session_start(a, "ana", 1000, &cookie), 0);
    char ana[65];
    snprintf(ana, sizeof ana, "%s", cookie);
    assert_int_equal(strlen(ana), 64);
    assert_string_equal(auth_session_user(a, ana, 1001, &csrf), "ana");
    assert_int_equal(strlen(csrf), 64);
    assert_string_not_equal(csrf, auth_server_csrf(a));
    assert_int_equal(auth_session_start(a, "li", 1000, &cookie), 0);
    assert_string_not_equal(cookie, ana);
    assert_string_equal(auth_session_user(a, cookie, 1001, &csrf2), "li");
    assert_string_not_equal(csrf, csrf2);
    assert_null(auth_session_user(a, "00", 1001, &csrf));
    /* 12 hours later it is gone */
    assert_null(auth_session_user(a, ana, 1000 + AUTH_SESSION_SECONDS, &csrf));
    assert_null(auth_session_user(a, ana, 1001, &csrf));
    auth_session_end(a, cookie);
    assert_null(auth_session_user(a, cookie, 1001, &csrf));
    assert_int_equal(auth_session_start(a, "nobody", 1000, &cookie), -1);

    char header[256];
    assert_int_equal(auth_cookie_header(a, ana, header, sizeof header), 0);
    assert_non_null(strstr(header, "vane_session="));
    assert_non_null(strstr(header, "; HttpOnly"));
    assert_non_null(strstr(header, "; SameSite=Strict"));
    assert_non_null(strstr(header, "; Secure"));
    assert_non_null(strstr(header, "; Path=/"));
    auth_free(a);
    free(hashes[0]);
    free(hashes[1]);
}

static void no_token_no_users_is_local(void **state)
{
    (void)state;
    serve_cfg_t cfg = {0};
    err_t e;
    auth_t *a = auth_new(&cfg, 0, &e);
    assert_false(auth_required(a));
    assert_false(auth_bearer_ok(a, "Bearer "));
    assert_null(auth_password(a, "ana", "x"));
    assert_int_equal(strlen(auth_server_csrf(a)), 64);
    char header[256];
    assert_int_equal(auth_cookie_header(a, NULL, header, sizeof header), 0);
    assert_null(strstr(header, "Secure"));
    assert_non_null(strstr(header, "Max-Age=0"));
    auth_t *b = auth_new(&cfg, 0, &e);
    assert_string_not_equal(auth_server_csrf(a), auth_server_csrf(b));
    auth_free(a);
    auth_free(b);
}

/* Load vane.lua text; 0 or -1, errors in errs. */
static int load(const char *text, config_t *cfg, errlist_t *errs)
{
    char path[] = "/tmp/vane-serve-cfg-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    int rc = config_load(path, cfg, errs);
    unlink(path);
    return rc;
}

static int has_error(const errlist_t *errs, const char *needle)
{
    for (size_t i = 0; i < errs->len; i++)
        if (strstr(errs->msgs[i], needle))
            return 1;
    return 0;
}

static void serve_in_vane_lua(void **state)
{
    (void)state;
    config_t cfg;
    errlist_t errs = {0};
    assert_int_equal(load("serve { listen = \"0.0.0.0:9000\", url = \"https://desk.example.org/v\",\n"
                          "  token = \"0123456789abcdef\", users = { ana = \"$2b$05$abc\" } }\n",
                          &cfg, &errs), 0);
    assert_string_equal(cfg.serve.listen, "0.0.0.0:9000");
    assert_string_equal(cfg.serve.url, "https://desk.example.org/v");
    assert_string_equal(cfg.serve.token, "0123456789abcdef");
    assert_int_equal(cfg.serve.n_users, 1);
    assert_string_equal(cfg.serve.user_names[0], "ana");
    assert_int_equal(cfg.serve.line, 1);
    config_free(&cfg);

    assert_int_equal(load("\nserve { listen = \"nowhere\", url = \"desk\", token = \"short\",\n"
                          "  users = { ana = \"hunter2\" }, port = 1 }\n", &cfg, &errs), -1);
    assert_true(has_error(&errs, ":2: serve: listen must be"));
    assert_true(has_error(&errs, "serve: url must start with http"));
    assert_true(has_error(&errs, "serve: token must be a string of 16"));
    assert_true(has_error(&errs, "'ana' needs a password hash"));
    assert_true(has_error(&errs, "unknown key 'port'"));
    assert_false(has_error(&errs, "hunter2"));   /* a password is never printed */
    errlist_free(&errs);
    errlist_t e2 = {0};
    assert_int_equal(load("serve { }\nserve { }\n", &cfg, &e2), -1);
    assert_true(has_error(&e2, ":2: serve: declared twice (first at line 1)"));
    errlist_free(&e2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_are_decoded_and_bad_ones_refused),
        cmocka_unit_test(queries_and_forms_are_decoded),
        cmocka_unit_test(at_most_max_fields),
        cmocka_unit_test(the_route_matcher_finds_core_routes),
        cmocka_unit_test(listen_addresses_and_loopback),
        cmocka_unit_test(password_hashes_are_verified),
        cmocka_unit_test(strings_compare_whole),
        cmocka_unit_test(users_sessions_and_csrf),
        cmocka_unit_test(no_token_no_users_is_local),
        cmocka_unit_test(serve_in_vane_lua),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_channel.c — the table of channel kinds, and the stdout, file and
 * exec kinds through channel_send, on real files and real processes (the
 * webhook and email kinds are tested end to end against receivers,
 * tests/e2e/test_channels.py). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "channel/channel.h"
#include "channel/kind.h"
#include "util/buf.h"

typedef struct fixture {
    char dir[256];
    char path[300];
} fixture_t;

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(fx->dir, sizeof fx->dir, "%s/vane-channel-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/out.jsonl", fx->dir);
    *state = fx;
    return 0;
}

/* The channels a test declared, freed by teardown. */
static channel_cfg_t declared[4];
static size_t n_declared;

/* A channel declared as channel { id = id, kind = kind, KEY = value },
 * read by its kind's own parse and check as vane.lua would be; value is a
 * string, or a list of strings when list is set. */
static channel_cfg_t declare(const char *id, const char *kind, long long timeout, const char *key,
                             const void *value, int list)
{
    lua_State *L = luaL_newstate();
    assert_non_null(L);
    lua_newtable(L);
    if (list) {
        char *const *v = value;
        lua_newtable(L);
        for (int i = 0; v[i]; i++) {
            lua_pushstring(L, v[i]);
            lua_rawseti(L, -2, i + 1);
        }
    } else {
        lua_pushstring(L, value);
    }
    lua_setfield(L, -2, key);
    errlist_t errs = {0};
    decl_t d = {.L = L, .idx = 1, .line = 1, .what = id, .chunk = "vane.lua", .dir = "/",
                .errs = &errs};
    channel_cfg_t c = {.id = (char *)id, .kind = channel_kind_find(kind), .timeout = timeout};
    assert_non_null(c.kind);
    c.data = c.kind->parse(&d);
    c.kind->check(&d, c.data);
    lua_close(L);
    assert_int_equal(errs.len, 0);
    assert_true(n_declared < sizeof declared / sizeof declared[0]);
    declared[n_declared++] = c;
    return c;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    for (size_t i = 0; i < n_declared; i++)
        declared[i].kind->free(declared[i].data);
    n_declared = 0;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    int rc = system(cmd);
    free(fx);
    return rc == 0 ? 0 : -1;
}

static channel_flag_t flag(long long id, const char *json)
{
    return (channel_flag_t){.id = id, .json = json, .severity = "high", .rule = "r",
                            .source = "s", .key = "k", .message = "m",
                            .created_at = "2024-11-22T23:00:00Z"};
}

static char *slurp(const char *path)
{
    size_t len;
    return buf_read_all(path, &len);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- file ------------------------------------------------------------------------ */

static void file_two_sends_append_two_whole_lines(void **state)
{
    fixture_t *fx = *state;
    channel_cfg_t c = declare("log", "file", 5, "path", fx->path, 0);
    channel_flag_t a = flag(1, "{\"id\":1}"), b = flag(2, "{\"id\":2,\"message\":\"\xe4\xb8\xad\"}");
    channel_msg_t m1 = {.flags = &a, .n = 1}, m2 = {.flags = &b, .n = 1};
    err_t e;
    assert_int_equal(channel_send(&c, &m1, NULL, &e), 0);
    assert_int_equal(channel_send(&c, &m2, NULL, &e), 0);
    char *text = slurp(fx->path);
    assert_non_null(text);
    assert_string_equal(text, "{\"id\":1}\n{\"id\":2,\"message\":\"\xe4\xb8\xad\"}\n");
    free(text);
}

static void file_digest_writes_one_line_per_flag(void **state)
{
    fixture_t *fx = *state;
    channel_cfg_t c = declare("log", "file", 0, "path", fx->path, 0);
    channel_flag_t f[3] = {flag(1, "{\"id\":1}"), flag(2, "{\"id\":2}"), flag(3, "{\"id\":3}")};
    channel_msg_t m = {.flags = f, .n = 3, .digest = 1};
    err_t e;
    assert_int_equal(channel_send(&c, &m, NULL, &e), 0);
    char *text = slurp(fx->path);
    assert_string_equal(text, "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n");
    free(text);
}

static void file_in_a_missing_folder_is_an_error_naming_the_channel(void **state)
{
    fixture_t *fx = *state;
    char path[400];
    snprintf(path, sizeof path, "%s/no/such/folder/out.jsonl", fx->dir);
    channel_cfg_t c = declare("archive", "file", 0, "path", path, 0);
    channel_flag_t a = flag(1, "{\"id\":1}");
    channel_msg_t m = {.flags = &a, .n = 1, .digest = 0};
    err_t e;
    assert_int_equal(channel_send(&c, &m, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "channel archive: "));
    assert_non_null(strstr(e.msg, "No such file"));
}

static void jsonl_is_the_file_kind(void **state)
{
    fixture_t *fx = *state;
    channel_cfg_t c = declare("old", "jsonl", 0, "path", fx->path, 0);
    channel_flag_t a = flag(9, "{\"id\":9}");
    channel_msg_t m = {.flags = &a, .n = 1, .digest = 0};
    err_t e;
    assert_int_equal(channel_send(&c, &m, NULL, &e), 0);
    char *text = slurp(fx->path);
    assert_string_equal(text, "{\"id\":9}\n");
    free(text);
}

/* ---- exec ------------------------------------------------------------------------ */

static void exec_gets_the_json_on_stdin(void **state)
{
    fixture_t *fx = *state;
    char script[400];
    snprintf(script, sizeof script, "cat > '%s'", fx->path);
    char *argv[] = {"/bin/sh", "-c", script, NULL};
    channel_cfg_t c = declare("hook", "exec", 10, "command", argv, 1);
    channel_flag_t a = flag(5, "{\"id\":5,\"rule\":\"r\"}");
    channel_msg_t m = {.flags = &a, .n = 1, .digest = 0};
    err_t e;
    assert_int_equal(channel_send(&c, &m, NULL, &e), 0);
    char *text = slurp(fx->path);
    assert_string_equal(text, "{\"id\":5,\"rule\":\"r\"}\n");
    free(text);

    channel_flag_t f[2] = {flag(6, "{\"id\":6}"), flag(7, "{\"id\":7}")};
    channel_msg_t d = {.flags = f, .n = 2, .digest = 1};
    assert_int_equal(channel_send(&c, &d, NULL, &e), 0);
    text = slurp(fx->path);
    assert_string_equal(text, "{\"digest\":true,\"count\":2,\"flags\":[{\"id\":6},{\"id\":7}]}\n");
    free(text);
}

static void exec_nonzero_exit_is_an_error_with_status_and_stderr(void **state)
{
    (void)state;
    char *argv[] = {"/bin/sh", "-c", "cat >/dev/null; echo 'quota exceeded' >&2; exit 3", NULL};
    channel_cfg_t c = declare("pager", "exec", 10, "command", argv, 1);
    channel_flag_t a = flag(5, "{\"id\":5}");
    channel_msg_t m = {.flags = &a, .n = 1, .digest = 0};
    err_t e;
    assert_int_equal(channel_send(&c, &m, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "channel pager: "));
    assert_non_null(strstr(e.msg, "status 3"));
    assert_non_null(strstr(e.msg, "quota exceeded"));
}

static void exec_is_stopped_after_the_timeout(void **state)
{
    (void)state;
    char *argv[] = {"sleep", "10", NULL};   /* found on PATH: no shell involved */
    channel_cfg_t c = declare("slow", "exec", 1, "command", argv, 1);
    channel_flag_t a = flag(5, "{\"id\":5}");
    channel_msg_t m = {.flags = &a, .n = 1, .digest = 0};
    err_t e;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(channel_send(&c, &m, NULL, &e), -1);
    double took = seconds_since(&t0);
    assert_true(took >= 0.9 && took < 2.5);
    assert_non_null(strstr(e.msg, "channel slow: "));
    assert_non_null(strstr(e.msg, "timed out after 1s"));
}

static void exec_stops_a_whole_shell_pipeline(void **state)
{
    (void)state;
    char *argv[] = {"/bin/sh", "-c", "sleep 10 | cat; sleep 10", NULL};
    channel_cfg_t c = declare("slow", "exec", 1, "command", argv, 1);
    channel_flag_t a = flag(5, "{\"id\":5}");
    channel_msg_t m = {.flags = &a, .n = 1, .digest = 0};
    err_t e;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(channel_send(&c, &m, NULL, &e), -1);
    assert_true(seconds_since(&t0) < 2.5);
    assert_non_null(strstr(e.msg, "timed out"));
}

static void exec_of_a_missing_program_is_an_error(void **state)
{
    (void)state;
    char *argv[] = {"/nonexistent/vane-notify", "--flag", NULL};
    channel_cfg_t c = declare("gone", "exec", 5, "command", argv, 1);
    channel_flag_t a = flag(5, "{\"id\":5}");
    channel_msg_t m = {.flags = &a, .n = 1, .digest = 0};
    err_t e;
    assert_int_equal(channel_send(&c, &m, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "channel gone: "));
    assert_non_null(strstr(e.msg, "/nonexistent/vane-notify"));
}

/* A command that exits without reading a large input: no SIGPIPE for us. */
static void exec_that_ignores_its_input_does_not_kill_us(void **state)
{
    (void)state;
    enum { BIG = 1 << 20 };
    char *json = malloc(BIG);
    assert_non_null(json);
    memset(json, ' ', BIG - 1);
    json[0] = '{';
    json[BIG - 2] = '}';
    json[BIG - 1] = '\0';
    char *argv[] = {"/bin/true", NULL};
    channel_cfg_t c = declare("quick", "exec", 5, "command", argv, 1);
    channel_flag_t a = flag(5, json);
    channel_msg_t m = {.flags = &a, .n = 1, .digest = 0};
    err_t e;
    assert_int_equal(channel_send(&c, &m, NULL, &e), 0);
    sigset_t pending;
    sigpending(&pending);
    assert_false(sigismember(&pending, SIGPIPE));
    free(json);
}

/* Is fd open here (and so inherited by children, unless close-on-exec)? */
static int fd_open_here(int fd)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return access(path, F_OK) == 0;
}

/* Nothing of ours leaks into the command: besides 0, 1, 2 and what the test
 * program itself was started with, it sees at most ls's own directory. */
static void exec_sees_only_its_three_descriptors(void **state)
{
    fixture_t *fx = *state;
    char script[400];
    snprintf(script, sizeof script, "cat >/dev/null; ls /proc/self/fd > '%s'", fx->path);
    char *argv[] = {"/bin/sh", "-c", script, NULL};
    channel_cfg_t c = declare("fds", "exec", 5, "command", argv, 1);
    channel_flag_t a = flag(5, "{\"id\":5}");
    channel_msg_t m = {.flags = &a, .n = 1, .digest = 0};
    err_t e;
    assert_int_equal(channel_send(&c, &m, NULL, &e), 0);
    char *text = slurp(fx->path);
    assert_non_null(text);
    int extra = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        int fd = atoi(line);
        extra += fd > 2 && !fd_open_here(fd);
    }
    assert_true(extra <= 1);   /* ls's directory; our six pipe ends would be more */
    free(text);
}

/* ---- stdout ---------------------------------------------------------------------- */

/* What the stdout kind prints of flag for o (json or text). */
static char *printed(int json)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    channel_cfg_t c = {.id = "stdout", .kind = channel_kind_find("stdout")};
    channel_flag_t a = flag(5, "{\"id\":5}");
    channel_msg_t m = {.flags = &a, .n = 1, .digest = 0};
    channel_out_t o = {out, json};
    err_t e;
    assert_int_equal(channel_send(&c, &m, &o, &e), 0);
    fclose(out);
    return text;
}

static void stdout_prints_the_text_line_or_the_json(void **state)
{
    (void)state;
    char *text = printed(0), *json = printed(1);
    assert_string_equal(text, "[high] r s: m\n");
    assert_string_equal(json, "{\"id\":5}\n");
    free(text);
    free(json);
}

/* ---- the table of kinds ------------------------------------------------------------ */

static void every_kind_has_a_name_keys_and_all_its_functions(void **state)
{
    (void)state;
    size_t n = 0;
    for (; channel_kinds[n]; n++) {
        const channel_kind_t *k = channel_kinds[n];
        assert_non_null(k->name);
        assert_non_null(k->keys);
        assert_non_null(k->parse);
        assert_non_null(k->check);
        assert_non_null(k->send);
        assert_non_null(k->free);
        assert_ptr_equal(channel_kind_find(k->name), k);
        for (size_t i = 0; i < n; i++)
            assert_string_not_equal(channel_kinds[i]->name, k->name);
    }
    assert_int_equal(n, 13);
    assert_string_equal(channel_kind_names(),
                        "stdout, file, webhook, email, exec, slack, teams, discord, atom, "
                        "telegram, matrix, ntfy, pushover");
}

static void jsonl_finds_the_file_kind_and_unknown_names_nothing(void **state)
{
    (void)state;
    assert_ptr_equal(channel_kind_find("jsonl"), channel_kind_find("file"));
    assert_null(channel_kind_find("pigeon"));
    assert_null(channel_kind_find(NULL));
    assert_true(channel_kind_key("path"));
    assert_true(channel_kind_key("command"));
    assert_false(channel_kind_key("colour"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(file_two_sends_append_two_whole_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(file_digest_writes_one_line_per_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(file_in_a_missing_folder_is_an_error_naming_the_channel,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(jsonl_is_the_file_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_gets_the_json_on_stdin, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_nonzero_exit_is_an_error_with_status_and_stderr,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(exec_is_stopped_after_the_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_stops_a_whole_shell_pipeline, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_of_a_missing_program_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(exec_that_ignores_its_input_does_not_kill_us, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(exec_sees_only_its_three_descriptors, setup, teardown),
        cmocka_unit_test_setup_teardown(stdout_prints_the_text_line_or_the_json, setup, teardown),
        cmocka_unit_test(every_kind_has_a_name_keys_and_all_its_functions),
        cmocka_unit_test(jsonl_finds_the_file_kind_and_unknown_names_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

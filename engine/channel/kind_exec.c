/* kind_exec.c — the exec kind: run a command (argv, no shell) with the
 * message's JSON on its standard input (payload_body: the flag object with
 * its context, a digest's object, or what the channel's template made).
 *
 * The command is started with posix_spawnp in a process group of its own,
 * with default signal dispositions and an empty mask, and with only its
 * three standard descriptors: pipes we make with O_CLOEXEC, so nothing else
 * of vane's leaks into it. One poll loop feeds stdin (then closes it, so the
 * command sees end of input), collects the start of stdout and stderr
 * (OUTPUT_KEEP bytes each, the rest read and dropped so the command never
 * blocks on a full pipe) and watches the clock. A command that does not read
 * its input is no crash of ours: SIGPIPE is blocked while we write and a
 * pending one is taken back, the write just fails with EPIPE.
 *
 * Accepted means exit status 0. After the channel's timeout the group gets
 * SIGTERM, and SIGKILL if it is still there KILL_GRACE_MS later. The child
 * is always reaped. */
#include "channel/kind.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channel/payload.h"
#include "channel/transport.h"
#include "util/buf.h"

#define OUTPUT_KEEP 4096   /* bytes of stdout and of stderr kept */
#define OUTPUT_SHOW 200    /* bytes of it in an error message */
#define KILL_GRACE_MS 1000 /* between SIGTERM and SIGKILL */
#define TICK_MS 100        /* how often a child with no open pipes is checked */

extern char **environ;

typedef struct child {
    pid_t pid;
    int in, out, err;        /* our ends, -1 once closed */
    const char *data;        /* what is left to write to stdin */
    size_t left;
    buf_t got_out, got_err;
} child_t;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* ---- starting ----------------------------------------------------------------- */

static int make_pipes(int p[3][2])
{
    for (int i = 0; i < 3; i++)
        p[i][0] = p[i][1] = -1;
    for (int i = 0; i < 3; i++)
        if (pipe2(p[i], O_CLOEXEC) != 0)
            return -1;
    return 0;
}

static void close_pipes(int p[3][2])
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
            close_fd(&p[i][j]);
}

/* Spawn argv with p[0][0], p[1][1], p[2][1] as its stdin, stdout, stderr.
 * Returns 0 or an errno value. */
static int spawn(char *const *argv, int p[3][2], pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if (posix_spawn_file_actions_init(&fa) != 0)
        return ENOMEM;
    if (posix_spawnattr_init(&at) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return ENOMEM;
    }
    int rc = posix_spawn_file_actions_adddup2(&fa, p[0][0], 0);
    rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, p[1][1], 1);
    rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, p[2][1], 2);
    rc = rc ? rc : posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                     POSIX_SPAWN_SETSIGDEF);
    rc = rc ? rc : posix_spawnattr_setpgroup(&at, 0);
    rc = rc ? rc : posix_spawnattr_setsigmask(&at, &none);
    rc = rc ? rc : posix_spawnattr_setsigdefault(&at, &all);
    rc = rc ? rc : posix_spawnp(pid, argv[0], &fa, &at, argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/* ---- talking to it -------------------------------------------------------------- */

/* Write what stdin can take now; close it when done or when the command
 * stopped reading (EPIPE). */
static void feed(child_t *ch)
{
    while (ch->left > 0) {
        ssize_t n = write(ch->in, ch->data, ch->left);
        if (n > 0) {
            ch->data += n;
            ch->left -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            break; /* EPIPE: it does not want the rest */
        }
    }
    close_fd(&ch->in);
}

/* Read what fd has now into b (up to OUTPUT_KEEP bytes kept); close it at
 * end of file. */
static void drain(int *fd, buf_t *b)
{
    char tmp[4096];
    for (;;) {
        ssize_t n = read(*fd, tmp, sizeof tmp);
        if (n > 0) {
            size_t room = b->len < OUTPUT_KEEP ? OUTPUT_KEEP - b->len : 0;
            if (room)
                buf_append(b, tmp, (size_t)n < room ? (size_t)n : room);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        close_fd(fd);
        return;
    }
}

/* Wait for events on the open pipes for at most ms milliseconds. */
static void pump(child_t *ch, int ms)
{
    struct pollfd pf[3];
    int n = 0;
    if (ch->in >= 0)
        pf[n++] = (struct pollfd){.fd = ch->in, .events = POLLOUT};
    if (ch->out >= 0)
        pf[n++] = (struct pollfd){.fd = ch->out, .events = POLLIN};
    if (ch->err >= 0)
        pf[n++] = (struct pollfd){.fd = ch->err, .events = POLLIN};
    if (ms > TICK_MS)
        ms = TICK_MS; /* look at the child again: a grandchild may hold the pipes */
    if (poll(pf, (nfds_t)n, ms) <= 0)
        return;
    for (int i = 0; i < n; i++) {
        if (!pf[i].revents)
            continue;
        if (pf[i].fd == ch->in)
            feed(ch);
        else if (pf[i].fd == ch->out)
            drain(&ch->out, &ch->got_out);
        else if (pf[i].fd == ch->err)
            drain(&ch->err, &ch->got_err);
    }
}

/* SIGTERM to the group, SIGKILL after the grace period; reaps the child. */
static int stop(pid_t pid)
{
    int status = 0;
    kill(-pid, SIGTERM);
    long long until = now_ms() + KILL_GRACE_MS;
    while (now_ms() < until) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

/* Run the conversation until the child exits or the deadline passes.
 * Returns 0 with *status set, or 1 when it timed out (and was stopped). */
static int converse(child_t *ch, long long deadline, int *status)
{
    for (;;) {
        pid_t r = waitpid(ch->pid, status, WNOHANG);
        if (r == ch->pid) {
            if (ch->out >= 0)
                drain(&ch->out, &ch->got_out);
            if (ch->err >= 0)
                drain(&ch->err, &ch->got_err);
            return 0;
        }
        long long left = deadline - now_ms();
        if (left <= 0) {
            *status = stop(ch->pid);
            return 1;
        }
        pump(ch, (int)left);
    }
}

/* ---- the channel ------------------------------------------------------------------ */

/* The channel's argv (its private data), or NULL. */
static char *const *command_of(const channel_cfg_t *c)
{
    return c->data;
}

static int verdict(const channel_cfg_t *c, const child_t *ch, int timed_out, int status, err_t *e)
{
    if (timed_out)
        return err_set(e, "channel %s: command %s timed out after %lds", c->id, command_of(c)[0],
                       transport_timeout(c));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    const buf_t *say = ch->got_err.len ? &ch->got_err : &ch->got_out;
    char snippet[OUTPUT_SHOW + 8];
    transport_snippet(buf_str(say), say->len, OUTPUT_SHOW, snippet, sizeof snippet);
    const char *sep = *snippet ? ": " : "";
    if (WIFSIGNALED(status))
        return err_set(e, "channel %s: command %s killed by signal %d%s%s", c->id, command_of(c)[0],
                       WTERMSIG(status), sep, snippet);
    return err_set(e, "channel %s: command %s exited with status %d%s%s", c->id, command_of(c)[0],
                   WEXITSTATUS(status), sep, snippet);
}

/* Start the command and talk to it, SIGPIPE held back meanwhile. */
static int run_child(const channel_cfg_t *c, child_t *ch, err_t *e)
{
    int p[3][2];
    if (make_pipes(p) != 0) {
        int rc = err_set(e, "channel %s: cannot make pipes: %m", c->id);
        close_pipes(p);
        return rc;
    }
    int rc = spawn(command_of(c), p, &ch->pid);
    if (rc != 0) {
        close_pipes(p);
        return err_set(e, "channel %s: cannot run %s: %s", c->id, command_of(c)[0], strerror(rc));
    }
    ch->in = p[0][1], ch->out = p[1][0], ch->err = p[2][0];
    p[0][1] = p[1][0] = p[2][0] = -1;
    close_pipes(p); /* the child's ends */
    fcntl(ch->in, F_SETFL, O_NONBLOCK);
    fcntl(ch->out, F_SETFL, O_NONBLOCK);
    fcntl(ch->err, F_SETFL, O_NONBLOCK);

    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);

    int status = 0;
    int timed_out = converse(ch, now_ms() + transport_timeout(c) * 1000LL, &status);

    sigpending(&pending);
    if (!was_pending && sigismember(&pending, SIGPIPE)) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close_fd(&ch->in);
    close_fd(&ch->out);
    close_fd(&ch->err);
    return verdict(c, ch, timed_out, status, e);
}

static int exec_send(const channel_cfg_t *c, const channel_msg_t *m, const channel_out_t *o,
                     err_t *e)
{
    (void)o;
    if (!command_of(c) || !command_of(c)[0])
        return err_set(e, "channel %s: no command", c->id);
    buf_t input = {0};
    if (payload_body(m, &input) != 0 || buf_putc(&input, '\n') != 0) {
        buf_free(&input);
        return err_set(e, "channel %s: out of memory", c->id);
    }
    child_t ch = {.pid = -1, .in = -1, .out = -1, .err = -1, .data = input.p, .left = input.len};
    int rc = run_child(c, &ch, e);
    buf_free(&ch.got_out);
    buf_free(&ch.got_err);
    buf_free(&input);
    return rc;
}

/* ---- the declaration ------------------------------------------------------------ */

static const char *const exec_keys[] = {"command", NULL};

/* The private data is the argv itself: a NULL-terminated list of strings. */
static void *exec_parse(decl_t *d)
{
    return decl_strings(d, "command", NULL);
}

static void exec_check(decl_t *d, const void *data)
{
    char *const *command = data;
    if (!command || !command[0] || !*command[0])
        decl_problem(d, "%s: an exec channel needs command = { \"program\", args… }", d->what);
}

static void exec_free(void *data)
{
    decl_free_strings(data);
}

const channel_kind_t channel_kind_exec = {CHANNEL_KIND_FIELDS(exec), .json_body = 1};

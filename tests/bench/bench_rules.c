/* bench_rules.c — rule evaluation speed (make bench, docs/design.md "Performance,
 * and how it is measured"): event×rule evaluations per second through rules_eval, with the
 * sandbox limits on, beside its anchor measured in the same process: a bare
 * lua_pcall of a trivial function(ev) on a prebuilt table in a plain
 * luaL_newstate.
 *
 * usage: bench_rules [EVENTS [REPS [DIR]]]   (defaults 10000, 9, a new temp dir)
 * Prints "key value" lines (run.sh reads them): rules, events, flags,
 * vane_evals_per_s, bare_calls_per_s, bare_over_vane, and, to show where
 * the time goes, event_tables_per_s: events per second through rules_eval
 * with no rules loaded, its fixed cost per event (the event table). Rates
 * are medians over REPS repetitions. The rule files are written into DIR
 * and removed. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "rules/rules.h"
#include "store/store.h"

#define N_RULES 10
#define MAX_REPS 64

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Ten rules in the shipped rules' style: `when` reads ev.change and ev.diff
 * (a field each); one of them fires on a level change. */
static int write_rules(const char *dir)
{
    static const char *const fields[N_RULES] = {"level", "label", "notations", "title",
                                                "summary", "country", "link", "region",
                                                "risk", "url"};
    for (int i = 0; i < N_RULES; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/bench_rule_%02d.lua", dir, i);
        FILE *f = fopen(path, "w");
        if (!f)
            return -1;
        fprintf(f,
                "-- bench rule %d\n"
                "return {\n"
                "  id = \"bench-rule-%02d\", severity = \"medium\",\n"
                "  when = function(ev)\n"
                "    if ev.change ~= \"changed\" or type(ev.diff) ~= \"table\" then return false end\n"
                "    local d = ev.diff.%s\n"
                "    return d ~= nil and d.old ~= d.new and %s\n"
                "  end,\n"
                "  message = function(ev) return ev.key .. \": %s changed\" end,\n"
                "}\n",
                i, i, fields[i], i == 0 ? "ev.key == \"country-0007\"" : "false", fields[i]);
        if (fclose(f) != 0)
            return -1;
    }
    return 0;
}

static void remove_rules(const char *dir)
{
    for (int i = 0; i < N_RULES; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/bench_rule_%02d.lua", dir, i);
        unlink(path);
    }
}

/* M events like a travel-advisory change: item, prev and the field diff. */
static store_event_t *make_events(size_t m)
{
    static const char *const labels[4] = {"Exercise Normal Precautions", "Exercise Increased Caution",
                                          "Reconsider Travel", "Do Not Travel"};
    store_event_t *evs = calloc(m, sizeof *evs);
    if (!evs)
        return NULL;
    for (size_t i = 0; i < m; i++) {
        char key[32], item[1024], prev[1024], diff[512];
        int old = 1 + (int)(i % 4), new = old == 4 ? 1 : old + 1;
        snprintf(key, sizeof key, "country-%04zu", i);
        const char *fmt = "{\"country\":\"Country %04zu\",\"label\":\"%s\",\"level\":%d,"
                          "\"link\":\"https://travel.example.org/advisories/country-%04zu.html\","
                          "\"notations\":[\"C\",\"T\"],\"title\":\"Country %04zu - Level %d: %s\"}";
        snprintf(item, sizeof item, fmt, i, labels[new - 1], new, i, i, new, labels[new - 1]);
        snprintf(prev, sizeof prev, fmt, i, labels[old - 1], old, i, i, old, labels[old - 1]);
        snprintf(diff, sizeof diff,
                 "{\"label\":{\"new\":\"%s\",\"old\":\"%s\"},\"level\":{\"new\":%d,\"old\":%d},"
                 "\"title\":{\"new\":\"Country %04zu - Level %d: %s\",\"old\":\"Country %04zu - Level %d: %s\"}}",
                 labels[new - 1], labels[old - 1], new, old, i, new, labels[new - 1], i, old,
                 labels[old - 1]);
        evs[i] = (store_event_t){.id = (long long)i + 1, .run_id = 1, .source = strdup("advisories"),
                                 .key = strdup(key), .change = strdup("changed"),
                                 .item = strdup(item), .prev = strdup(prev), .diff = strdup(diff),
                                 .observed_at = strdup("2024-11-27T23:30:00Z")};
    }
    return evs;
}

static int count_flag(void *ud, const rules_flag_t *f)
{
    (void)f;
    (*(long *)ud)++;
    return 0;
}

/* Evaluations per second through vane's rules in dir (want of them), median
 * of reps. With no rules, *rate counts events: what rules_eval does once
 * per event (the event table) is then all there is. */
static int bench_vane(const char *dir, size_t want, const store_event_t *evs, size_t m, int reps,
                      double *rate, long *flags, size_t *n_rules)
{
    char *dirs[1] = {(char *)dir};
    config_t cfg = {0};
    cfg.rule_dirs = dirs;
    cfg.n_rule_dirs = 1;
    cfg.limits = (sandbox_limits_t){SANDBOX_DEFAULT_INSTRUCTIONS, SANDBOX_DEFAULT_MEMORY,
                                    SANDBOX_DEFAULT_PATTERN_STEPS, SANDBOX_DEFAULT_TIMEOUT_MS};
    errlist_t errs = {0};
    err_t e;
    rules_t *rs = rules_load(&cfg, &errs, &e);
    if (!rs || errs.len || rules_count(rs) != want) {
        fprintf(stderr, "bench_rules: loading rules: %s\n",
                !rs ? e.msg : errs.len ? errs.msgs[0] : "wrong number of rules");
        rules_free(rs);
        errlist_free(&errs);
        return -1;
    }
    *n_rules = rules_count(rs);
    double rates[MAX_REPS] = {0};
    for (int r = 0; r < reps; r++) {
        *flags = 0;
        double t0 = now_s();
        for (size_t i = 0; i < m; i++) {
            if (rules_eval(rs, &evs[i], count_flag, flags, &errs, &e) != 0) {
                fprintf(stderr, "bench_rules: rules_eval: %s\n", errs.len ? errs.msgs[0] : e.msg);
                rules_free(rs);
                errlist_free(&errs);
                return -1;
            }
        }
        rates[r] = (double)(m * (*n_rules ? *n_rules : 1)) / (now_s() - t0);
    }
    *rate = median(rates, reps);
    rules_free(rs);
    errlist_free(&errs);
    return 0;
}

/* The anchor: a bare call of a trivial Lua function from C. */
static int bench_bare(size_t calls, int reps, double *rate)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return -1;
    luaL_openlibs(L);
    if (luaL_dostring(L, "return function(ev) return ev.change == \"changed\" end") != LUA_OK) {
        fprintf(stderr, "bench_rules: %s\n", lua_tostring(L, -1));
        lua_close(L);
        return -1;
    }
    int fn = lua_gettop(L);
    lua_createtable(L, 0, 6);
    lua_pushstring(L, "changed");
    lua_setfield(L, -2, "change");
    lua_pushstring(L, "country-0001");
    lua_setfield(L, -2, "key");
    int ev = lua_gettop(L);
    double rates[MAX_REPS] = {0};
    long hits = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now_s();
        for (size_t i = 0; i < calls; i++) {
            lua_pushvalue(L, fn);
            lua_pushvalue(L, ev);
            if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
                lua_close(L);
                return -1;
            }
            hits += lua_toboolean(L, -1);
            lua_pop(L, 1);
        }
        rates[r] = (double)calls / (now_s() - t0);
    }
    lua_close(L);
    *rate = median(rates, reps);
    return hits == (long)calls * reps ? 0 : -1;
}

int main(int argc, char **argv)
{
    size_t m = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 10000;
    int reps = argc > 2 ? atoi(argv[2]) : 9;
    char tmpl[] = "/tmp/vane-bench-rules.XXXXXX";
    const char *dir = argc > 3 ? argv[3] : NULL;
    if (m == 0 || reps < 1 || reps > MAX_REPS) {
        fprintf(stderr, "usage: bench_rules [EVENTS [REPS (1..%d) [DIR]]]\n", MAX_REPS);
        return 2;
    }
    int own_dir = !dir;
    if (own_dir && !(dir = mkdtemp(tmpl))) {
        perror("bench_rules: mkdtemp");
        return 1;
    }
    store_event_t *evs = make_events(m);
    int rc = evs && write_rules(dir) == 0 ? 0 : -1;
    double vane = 0, bare = 0, built = 0;
    long flags = 0, no_flags = 0;
    size_t n_rules = 0, none = 0;
    char empty[4096];
    snprintf(empty, sizeof empty, "%s/no-rules", dir);
    if (rc == 0 && mkdir(empty, 0700) != 0)
        rc = -1;
    if (rc == 0)
        rc = bench_vane(dir, N_RULES, evs, m, reps, &vane, &flags, &n_rules);
    if (rc == 0)
        rc = bench_vane(empty, 0, evs, m, reps, &built, &no_flags, &none);
    if (rc == 0)
        rc = bench_bare(m * N_RULES, reps, &bare);
    rmdir(empty);
    remove_rules(dir);
    if (own_dir)
        rmdir(dir);
    if (evs)
        store_events_free(evs, m);
    if (rc != 0) {
        fprintf(stderr, "bench_rules: failed\n");
        return 1;
    }
    printf("rules %zu\nevents %zu\nreps %d\nflags %ld\n", n_rules, m, reps, flags);
    printf("vane_evals_per_s %.0f\nbare_calls_per_s %.0f\nbare_over_vane %.2f\n", vane, bare,
           bare / vane);
    printf("event_tables_per_s %.0f\n", built);
    return 0;
}

/* bench_store.c — diff-and-store speed (make bench, docs/design.md "Performance,
 * and how it is measured"): items per second through diff_items and the store calls run.c
 * makes for a fetched document (store_document and store_change: one
 * transaction per document with items_load, item_put + event_add per
 * difference, document_add, source_record), into an on-disk WAL database;
 * beside its anchor measured in the same process: raw prepared INSERTs of
 * as many rows, of an item row's size, in one transaction, into another
 * on-disk WAL database.
 *
 * usage: bench_store [ITEMS [REPS [DIR]]]   (defaults 20000, 5, a new temp dir)
 * ITEMS are spread over documents of PER_SOURCE items (one source each).
 * Two phases per repetition, each on a fresh database: "new" (every item
 * new: a first fetch) and "changed" (every item's level changed). Prints
 * "key value" lines for run.sh: medians over REPS. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diff/diff.h"
#include "store/store.h"

#define PER_SOURCE 200
#define MAX_REPS 64
#define NOW "2024-11-27T23:30:00Z"
#define DUE "2024-11-28T00:30:00Z"

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

/* Item i of a feed-like source, canonical JSON (keys sorted); `bump`
 * raises its level. Keys are scattered, so diff_items has sorting to do. */
static void make_item(size_t i, int bump, diff_item_t *it)
{
    static const char *const labels[4] = {"Exercise Normal Precautions", "Exercise Increased Caution",
                                          "Reconsider Travel", "Do Not Travel"};
    char key[32], fields[512];
    int level = 1 + (int)((i + (size_t)bump) % 4);
    snprintf(key, sizeof key, "item-%08lx", (unsigned long)((i * 2654435761UL) & 0xffffffffUL));
    snprintf(fields, sizeof fields,
             "{\"country\":\"Country %06zu\",\"label\":\"%s\",\"level\":%d,"
             "\"link\":\"https://travel.example.org/advisories/country-%06zu.html\","
             "\"notations\":[\"C\",\"T\"],\"title\":\"Country %06zu - Level %d: %s\"}",
             i, labels[level - 1], level, i, i, level, labels[level - 1]);
    it->key = strdup(key);
    it->fields = strdup(fields);
}

static diff_item_t *make_items(size_t n, int bump)
{
    diff_item_t *items = calloc(n, sizeof *items);
    for (size_t i = 0; items && i < n; i++)
        make_item(i, bump, &items[i]);
    return items;
}

static void free_items(diff_item_t *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++) {
        free(items[i].key);
        free(items[i].fields);
    }
    free(items);
}

typedef struct doc {
    store_t *st;
    const char *source;
    long long run_id;
    int baseline;
    long events;
    err_t *e;
} doc_t;

/* run.c's store_document for one fetched document of n items: the same
 * diff_store call, document row and source record in one transaction. */
static int store_document(doc_t *d, diff_item_t *items, size_t n)
{
    diff_target_t t = {d->st, d->source, d->run_id, d->baseline, NOW, {NULL, 0, 0}, 1};
    source_outcome_t o = {.attempted_at = NOW, .ok = 1, .status = 200,
                          .last_modified = "Wed, 27 Nov 2024 23:00:00 GMT",
                          .body_hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                          .items = (long)n, .baselined = 1, .next_due = DUE};
    diff_result_t res = {0};
    int rc = store_begin(d->st, d->e);
    if (rc == 0)
        rc = diff_store(&t, items, n, &res, d->e);
    if (rc == 0)
        rc = store_document_add(d->st, d->run_id, d->source, NOW, 200, o.body_hash, NULL,
                                o.last_modified, 3000, d->e);
    if (rc == 0)
        rc = store_source_record(d->st, d->source, &o, d->e);
    if (rc == 0)
        rc = store_commit(d->st, d->e);
    if (rc != 0)
        store_rollback(d->st);
    d->events += res.events;
    return rc;
}

static void remove_db(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

/* One repetition on a fresh database: the time of the "new" phase and of
 * the "changed" phase, each over all items. */
static int vane_rep(const char *db, diff_item_t *first, diff_item_t *second, size_t n,
                    double *t_new, double *t_changed, long *events)
{
    err_t e;
    remove_db(db);
    store_t *st = store_open(db, &e);
    long long run_id = 0;
    size_t n_src = (n + PER_SOURCE - 1) / PER_SOURCE;
    int rc = st ? store_run_begin(st, NOW, &run_id, &e) : -1;
    /* the sources' rows exist before anything is stored, as after choose_due */
    if (rc == 0)
        rc = store_begin(st, &e);
    for (size_t s = 0; rc == 0 && s < n_src; s++) {
        char id[32], url[64];
        source_state_t state;
        snprintf(id, sizeof id, "src-%04zu", s);
        snprintf(url, sizeof url, "http://127.0.0.1:1/%s.xml", id);
        rc = store_source_get(st, id, url, &state, &e);
        source_state_free(&state);
    }
    if (rc == 0)
        rc = store_commit(st, &e);
    *events = 0;
    for (int phase = 0; rc == 0 && phase < 2; phase++) {
        diff_item_t *items = phase == 0 ? first : second;
        double t0 = now_s();
        for (size_t s = 0; rc == 0 && s < n_src; s++) {
            char id[32];
            snprintf(id, sizeof id, "src-%04zu", s);
            size_t lo = s * PER_SOURCE, cnt = n - lo < PER_SOURCE ? n - lo : PER_SOURCE;
            doc_t d = {st, id, run_id, phase == 0, 0, &e};
            rc = store_document(&d, items + lo, cnt);
            *events += d.events;
        }
        *(phase == 0 ? t_new : t_changed) = now_s() - t0;
    }
    if (rc != 0)
        fprintf(stderr, "bench_store: %s\n", st ? e.msg : "cannot open the store");
    store_close(st);
    remove_db(db);
    return rc;
}

/* The anchor: n raw prepared INSERTs of item-sized rows, one transaction,
 * on-disk WAL with the store's synchronous setting. */
static int raw_rep(const char *db, const diff_item_t *items, size_t n, double *t)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *ins = NULL;
    remove_db(db);
    int rc = sqlite3_open(db, &h);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                             "CREATE TABLE rows(source TEXT, key TEXT, fields TEXT, "
                             "first_seen TEXT, last_seen TEXT);", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(h, "INSERT INTO rows VALUES(?1, ?2, ?3, ?4, ?4)", -1, &ins, NULL);
    double t0 = now_s();
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        char src[32];
        snprintf(src, sizeof src, "src-%04zu", i / PER_SOURCE);
        sqlite3_bind_text(ins, 1, src, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, items[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, items[i].fields, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, NOW, -1, SQLITE_STATIC);
        rc = sqlite3_step(ins) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_reset(ins);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
    *t = now_s() - t0;
    if (rc != SQLITE_OK)
        fprintf(stderr, "bench_store: raw inserts: %s\n", h ? sqlite3_errmsg(h) : "no memory");
    sqlite3_finalize(ins);
    sqlite3_close(h);
    remove_db(db);
    return rc == SQLITE_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 20000;
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    char tmpl[] = "/tmp/vane-bench-store.XXXXXX";
    const char *dir = argc > 3 ? argv[3] : NULL;
    if (n == 0 || reps < 1 || reps > MAX_REPS) {
        fprintf(stderr, "usage: bench_store [ITEMS [REPS (1..%d) [DIR]]]\n", MAX_REPS);
        return 2;
    }
    int own_dir = !dir;
    if (own_dir && !(dir = mkdtemp(tmpl))) {
        perror("bench_store: mkdtemp");
        return 1;
    }
    char vdb[4096], rdb[4096];
    snprintf(vdb, sizeof vdb, "%s/bench-store.db", dir);
    snprintf(rdb, sizeof rdb, "%s/bench-raw.db", dir);
    diff_item_t *first = make_items(n, 0), *second = make_items(n, 1);
    double r_new[MAX_REPS] = {0}, r_changed[MAX_REPS] = {0}, r_raw[MAX_REPS] = {0};
    long events = 0;
    int rc = first && second ? 0 : -1;
    for (int r = 0; rc == 0 && r < reps; r++) {
        double t_new, t_changed, t_raw;
        /* alternate which goes first, so neither always finds a warm cache */
        if (r % 2)
            rc = raw_rep(rdb, first, n, &t_raw) ||
                 vane_rep(vdb, first, second, n, &t_new, &t_changed, &events);
        else
            rc = vane_rep(vdb, first, second, n, &t_new, &t_changed, &events) ||
                 raw_rep(rdb, first, n, &t_raw);
        r_new[r] = (double)n / t_new;
        r_changed[r] = (double)n / t_changed;
        r_raw[r] = (double)n / t_raw;
    }
    free_items(first, n);
    free_items(second, n);
    if (own_dir)
        rmdir(dir);
    if (rc != 0 || events != 2 * (long)n) {
        fprintf(stderr, "bench_store: failed (events %ld, expected %zu)\n", events, 2 * n);
        return 1;
    }
    double vn = median(r_new, reps), vc = median(r_changed, reps), raw = median(r_raw, reps);
    printf("items %zu\nper_source %d\nreps %d\n", n, PER_SOURCE, reps);
    printf("vane_new_items_per_s %.0f\nvane_changed_items_per_s %.0f\nraw_rows_per_s %.0f\n", vn,
           vc, raw);
    printf("raw_over_new %.2f\nraw_over_changed %.2f\n", raw / vn, raw / vc);
    return 0;
}

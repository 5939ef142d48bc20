#!/usr/bin/env python3
"""pgbench.py — the PostgreSQL cluster and databases of `make bench`'s pg part.

usage: pgbench.py start DIR                 (prints the cluster's base URL)
       pgbench.py stop DIR
       pgbench.py create DIR DB             (an empty database)
       pgbench.py keep DIR DB TEMPLATE [--due]
       pgbench.py restore DIR TEMPLATE DB
       pgbench.py count DIR DB OUT.tsv PREFIX -- COMMAND...
       pgbench.py version DIR               (the server's version and settings)

The cluster is tests/e2e/pg.py's (initdb in DIR, a Unix socket there, no
TCP), started with the settings a deployment keeps instead of the tests'
speed ones: fsync and full_page_writes on, so that a commit is on disk at
the next WAL flush; synchronous_commit off, the same promise SQLite's WAL
with synchronous = NORMAL makes (a crash loses at most the last moments,
never the database's consistency). A vane.lua can ask for a flush at every
commit with its URL's options=-csynchronous_commit=on. pg_stat_statements
is loaded to count the statements a run sends.

`keep` makes DB's current state a template, TEMPLATE (VACUUM ANALYZE'd
first, as autovacuum would have by then); with --due every source in the
template is due (next_due in the past). `restore` puts a fresh copy of
TEMPLATE in place as DB, checkpointed, so that no timed run pays for
flushing the copy. `count` runs COMMAND once between two readings of the
server's counters about DB (after its connections have all closed) and
appends their differences to OUT.tsv as `kv PREFIX_NAME VALUE` lines:
commits, rows inserted, updated and deleted, statements (calls, from
pg_stat_statements), WAL bytes, the command's wall seconds, its CPU
seconds (the command and what it waited for: the workers) and the
server's (the backends that served it, reaped by the postmaster).
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import pg  # noqa: E402  (tests/e2e/pg.py: the throw-away cluster)

BENCH_SETTINGS = {
    "fsync": "on",
    "full_page_writes": "on",
    "synchronous_commit": "off",
    "shared_preload_libraries": "pg_stat_statements",
    "max_connections": "200",
}
PAST = "2000-01-01T00:00:00Z"


def cluster(folder):
    c = pg.PgCluster(folder)
    c.owned = False
    return c


def start(folder):
    """Start the cluster with BENCH_SETTINGS (a restart: the statement
    counter is a library loaded at start); print its base URL."""
    c = cluster(folder)
    c.start()
    for k, v in BENCH_SETTINGS.items():
        c.psql("postgres", "ALTER SYSTEM SET %s = '%s'" % (k, v))
    c._run(c._server_cmd("pg_ctl", "restart", "-w", "-t", "60", "-D", c.data, "-l", c.log))
    c.psql("postgres", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    print(c.url(""))


def keep(c, db, template, due):
    """TEMPLATE: a copy of DB's current state (every source due with --due)."""
    c.drop_database(template)
    c.psql("postgres", "CREATE DATABASE %s TEMPLATE %s STRATEGY FILE_COPY"
           % (pg.quote_ident(template), pg.quote_ident(db)))
    if due:
        c.psql(template, "UPDATE sources SET next_due = ?", (PAST,))
    c.psql(template, "VACUUM ANALYZE")


def restore(c, template, db):
    """DB: a fresh copy of TEMPLATE, connected to once (a new database's
    first connection builds its catalog cache file, which a deployment's
    database has long had), then checkpointed."""
    c.drop_database(db)
    c.psql("postgres", "CREATE DATABASE %s TEMPLATE %s STRATEGY FILE_COPY"
           % (pg.quote_ident(db), pg.quote_ident(template)))
    c.psql(db, "SELECT count(*) FROM sources")
    c.psql("postgres", "CHECKPOINT")


def counters(c, db):
    """The server's counters about db, once none of its connections is left."""
    end = time.monotonic() + 30
    while c.psql("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = ?", (db,))[0][0]:
        if time.monotonic() > end:
            raise pg.PgError("connections to %s are still open after 30 s" % db)
        time.sleep(0.05)
    row = c.psql("postgres", """
        SELECT d.xact_commit, d.tup_inserted, d.tup_updated, d.tup_deleted,
               (SELECT coalesce(sum(s.calls), 0)::bigint FROM pg_stat_statements s WHERE s.dbid = d.datid),
               pg_current_wal_insert_lsn() - '0/0'::pg_lsn
        FROM pg_stat_database d WHERE d.datname = ?""", (db,))[0]
    names = ("commits", "inserted", "updated", "deleted", "statements", "wal_bytes")
    return dict(zip(names, (int(float(v)) for v in row)))


def children(pid):
    """The processes whose parent is pid: (pid, state, title) each."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open("/proc/%s/cmdline" % name, "rb") as f:
                title = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append((int(name), fields[0], title))
    return out


def wait_for_clients(c, known=None):
    """Until the server's children are `known` ones only (by default: no
    backend serves a client), every exited one reaped: its CPU time is
    then in the postmaster's cutime and cstime. Read from /proc, as a psql
    to ask would itself be such a backend. Returns the children's pids."""
    pid, end = c.running(), time.monotonic() + 30
    while True:
        kids = children(pid)
        if known is None:
            busy = [k for k in kids if k[1] == "Z" or "[local]" in k[2]]
        else:
            busy = [k for k in kids if k[1] == "Z" or k[0] not in known]
        if not busy:
            return {k[0] for k in kids}
        if time.monotonic() > end:
            raise pg.PgError("the server's backends are still busy after 30 s: %s" % busy)
        time.sleep(0.02)


def server_cpu(c):
    """CPU seconds of the postmaster and the children it has reaped (the
    backends that served closed connections, autovacuum workers): Linux's
    /proc/PID/stat utime, stime, cutime, cstime."""
    with open("/proc/%d/stat" % c.running(), encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def run_child(argv):
    """Run argv; its exit status and its CPU seconds (with those of the
    processes it waited for: the workers)."""
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
    _, status, use = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, use.ru_utime + use.ru_stime


def count(c, db, out, prefix, argv):
    c.psql("postgres", "SELECT pg_stat_statements_reset()")
    before = counters(c, db)
    known = wait_for_clients(c)
    cpu0 = server_cpu(c)
    t0 = time.perf_counter()
    rc, client = run_child(argv)
    secs = time.perf_counter() - t0
    wait_for_clients(c, known)
    cpu1 = server_cpu(c)
    after = counters(c, db)
    with open(out, "a", encoding="utf-8") as f:
        for k in before:
            f.write("kv\t%s_%s\t%d\n" % (prefix, k, after[k] - before[k]))
        f.write("kv\t%s_seconds\t%.3f\n" % (prefix, secs))
        f.write("kv\t%s_client_cpu\t%.3f\n" % (prefix, client))
        f.write("kv\t%s_server_cpu\t%.3f\n" % (prefix, cpu1 - cpu0))
        f.write("kv\t%s_exit\t%d\n" % (prefix, rc))
    return rc


def version(c):
    """The server's version and the settings that matter to the figures."""
    v = c.psql("postgres", "SHOW server_version")[0][0]
    names = ("fsync", "synchronous_commit", "full_page_writes", "shared_buffers")
    got = ", ".join("%s = %s" % (k, c.psql("postgres", "SHOW %s" % k)[0][0]) for k in names)
    return "PostgreSQL %s (%s; a Unix socket)" % (str(v).split()[0], got)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("start", "stop", "create", "keep", "restore", "count", "version"):
        sys.exit(__doc__.split("\n\n")[1])
    cmd, folder, rest = argv[1], argv[2], argv[3:]
    try:
        if cmd == "start":
            start(folder)
        elif cmd == "stop":
            cluster(folder).stop()
        elif cmd == "create" and len(rest) == 1:
            cluster(folder).drop_database(rest[0])
            cluster(folder).create_database(rest[0])
        elif cmd == "keep" and len(rest) in (2, 3):
            keep(cluster(folder), rest[0], rest[1], rest[2:] == ["--due"])
        elif cmd == "restore" and len(rest) == 2:
            restore(cluster(folder), rest[0], rest[1])
        elif cmd == "version" and not rest:
            print(version(cluster(folder)))
        elif cmd == "count" and len(rest) > 4 and rest[3] == "--":
            return 1 if count(cluster(folder), rest[0], rest[1], rest[2], rest[4:]) else 0
        else:
            sys.exit(__doc__.split("\n\n")[1])
    except (pg.PgError, subprocess.SubprocessError, OSError) as e:
        print("pgbench.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""The bench's PostgreSQL part (tests/bench/pgbench.py, workers.sh, report.py's
pg section): the cluster runs with a deployment's durable settings, a
restored database is the kept state with every source due, `count` reads
exactly the writes and statements of the command it runs, workers start
together and fail together, and the report's rates and ratios follow from
the samples."""

import os
import subprocess
import sys
import tempfile
import time
import unittest

import pg
from vanetest import TOP

BENCH = os.path.join(TOP, "tests", "bench")
PGBENCH = os.path.join(BENCH, "pgbench.py")
WORKERS = os.path.join(BENCH, "workers.sh")
REPORT = os.path.join(BENCH, "report.py")


def pgbench(*args):
    return subprocess.run([sys.executable, PGBENCH] + list(args), capture_output=True, text=True,
                          timeout=180)


def cells(line):
    """The cells of a Markdown table row."""
    return [c.strip() for c in line.strip().strip("|").split("|")]


def kv_lines(path):
    with open(path, encoding="utf-8") as f:
        return {p[1]: p[2] for p in (line.rstrip("\n").split("\t") for line in f) if p[0] == "kv"}


class BenchCluster(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        ok, why = pg.available()
        if not ok:
            raise unittest.SkipTest(why)
        cls.tmp = tempfile.TemporaryDirectory(prefix="vane-test-pgbench-")
        os.chmod(cls.tmp.name, 0o755)    # as root, the server (user postgres) works in it
        cls.dir = os.path.join(cls.tmp.name, "cluster")
        r = pgbench("start", cls.dir)
        if r.returncode != 0:
            pgbench("stop", cls.dir)
            cls.tmp.cleanup()
            raise AssertionError("pgbench.py start: " + r.stderr)
        cls.base = r.stdout.strip()
        cls.cluster = pg.PgCluster.attach(cls.dir)

    @classmethod
    def tearDownClass(cls):
        pgbench("stop", cls.dir)
        cls.tmp.cleanup()

    def fresh(self, name):
        """A database `name` holding sources 1..10, none due."""
        r = pgbench("create", self.dir, name)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.cluster.psql(name, "CREATE TABLE sources (id text PRIMARY KEY, next_due text)")
        self.cluster.psql(name, "INSERT INTO sources SELECT g::text, '2999-01-01T00:00:00Z' "
                                "FROM generate_series(1, 10) g")

    def psql_argv(self, db, *commands):
        argv = [os.path.join(self.cluster.bin, "psql"), "-X", "-q", "-d", self.cluster.url(db)]
        for c in commands:
            argv += ["-c", c]
        return argv

    def test_the_cluster_keeps_a_deployments_durable_settings(self):
        self.assertEqual(self.base, self.cluster.url(""))
        r = pgbench("version", self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("fsync = on", r.stdout)
        self.assertIn("full_page_writes = on", r.stdout)
        self.assertIn("synchronous_commit = off", r.stdout)

    def test_count_reads_exactly_the_writes_and_statements_of_the_command(self):
        self.fresh("counted")
        out = os.path.join(self.tmp.name, "counted.tsv")
        r = pgbench("count", self.dir, "counted", out, "x", "--", *self.psql_argv(
            "counted",
            "BEGIN; INSERT INTO sources VALUES ('a', 'b'), ('c', 'd'), ('e', 'f'); COMMIT",
            "UPDATE sources SET next_due = 'y' WHERE id IN ('1', '2')",
            "DELETE FROM sources WHERE id = '3'"))
        self.assertEqual(r.returncode, 0, r.stderr)
        kv = kv_lines(out)
        self.assertEqual((kv["x_inserted"], kv["x_updated"], kv["x_deleted"]), ("3", "2", "1"))
        self.assertEqual(kv["x_statements"], "5")      # BEGIN, INSERT, COMMIT, UPDATE, DELETE
        self.assertEqual(kv["x_commits"], "4")         # 3, and the connection's start-up one
        self.assertGreater(int(kv["x_wal_bytes"]), 0)
        self.assertEqual(kv["x_exit"], "0")
        for k in ("x_seconds", "x_client_cpu", "x_server_cpu"):
            self.assertGreaterEqual(float(kv[k]), 0.0, k)

    def test_count_passes_on_a_failed_command(self):
        self.fresh("failing")
        out = os.path.join(self.tmp.name, "failing.tsv")
        r = pgbench("count", self.dir, "failing", out, "f", "--", "sh", "-c", "exit 3")
        self.assertEqual(r.returncode, 1)
        kv = kv_lines(out)
        self.assertEqual(kv["f_exit"], "3")
        self.assertEqual((kv["f_statements"], kv["f_commits"]), ("0", "0"))

    def test_a_restored_database_is_the_kept_state_with_every_source_due(self):
        self.fresh("kept")
        self.assertEqual(pgbench("keep", self.dir, "kept", "kept_due", "--due").returncode, 0)
        self.assertEqual(pgbench("keep", self.dir, "kept", "kept_asis").returncode, 0)
        self.cluster.psql("kept", "DELETE FROM sources WHERE id <> '1'")
        r = pgbench("restore", self.dir, "kept_due", "kept")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.cluster.psql("kept", "SELECT count(*), min(next_due), max(next_due) FROM sources"),
                         [(10, "2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z")])
        r = pgbench("restore", self.dir, "kept_asis", "kept")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.cluster.psql("kept", "SELECT count(*), min(next_due) FROM sources"),
                         [(10, "2999-01-01T00:00:00Z")])


class Workers(unittest.TestCase):

    def test_workers_start_together_and_the_script_waits_for_all(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "log")
            t0 = time.monotonic()
            r = subprocess.run(["sh", WORKERS, "3", "sh", "-c", 'sleep 0.5; echo $$ >> "$0"', log],
                               capture_output=True, text=True, timeout=30)
            took = time.monotonic() - t0
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(log, encoding="utf-8") as f:
                pids = f.read().split()
        self.assertEqual(len(set(pids)), 3)
        self.assertGreaterEqual(took, 0.5)          # it waited for them
        self.assertLess(took, 1.4)                  # not one after another

    def test_one_failed_worker_fails_the_run(self):
        with tempfile.TemporaryDirectory() as d:
            lock = os.path.join(d, "lock")
            r = subprocess.run(["sh", WORKERS, "3", "sh", "-c", 'mkdir "$0" 2>/dev/null || exit 4', lock],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 1)
            self.assertTrue(os.path.isdir(lock))
            ok = subprocess.run(["sh", WORKERS, "2", "true"], timeout=30)
            self.assertEqual(ok.returncode, 0)


class Report(unittest.TestCase):

    def test_rates_and_ratios_follow_from_the_samples(self):
        rows = ["env\tmachine\t2 CPUs (test)", "kv\tpg_sources\t1000", "kv\tpg_workers\t1 2"]
        for tool, secs, ok in (("sqlite", 2.0, "yes"), ("pg-1", 4.0, "yes"), ("pg-2", 2.5, "no"),
                               ("floor", 1.0, "yes")):
            rows.append(f"sample\tpg:unchanged\t{tool}\t0\t{secs}\t0\t{ok}\t0")
        for m, v in (("statements", 5000), ("commits", 2001), ("inserted", 0), ("updated", 1000),
                     ("deleted", 0), ("wal_bytes", 300000), ("client_cpu", 1.5), ("server_cpu", 0.5)):
            rows.append(f"kv\tpg_count_unchanged_1_{m}\t{v}")
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
            f.write("\n".join(rows) + "\n")
        try:
            r = subprocess.run([sys.executable, REPORT, f.name], capture_output=True, text=True, timeout=30)
        finally:
            os.unlink(f.name)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        one = next(x for x in lines if x.startswith("| unchanged | PostgreSQL, 1 worker |"))
        self.assertEqual(cells(one)[3:8], ["2.00×", "4.00×", "1.00×", "250", "250"])
        two = next(x for x in lines if x.startswith("| unchanged | PostgreSQL, 2 workers |"))
        self.assertIn("(!)", two)                  # a run whose counts were wrong is marked
        self.assertEqual(cells(two)[5:8], ["0.62×", "400", "200"])
        counted = next(x for x in lines if x.startswith("| unchanged | 1 |"))
        self.assertEqual(cells(counted)[2:8],
                         ["5.00", "2.00", "1.00 (0.00 / 1.00 / 0.00)", "300", "1,500", "500"])
        self.assertTrue(any("2 CPUs" in x and "cannot show" in x for x in lines))


if __name__ == "__main__":
    unittest.main()

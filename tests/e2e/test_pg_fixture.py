"""test_pg_fixture.py — the throw-away PostgreSQL of the tests (pg.py) and
the monitors' use of it (vanetest.py) do what the suite relies on.

Runs on both stores: the cluster tests start a cluster of their own; the
monitor test checks the run's store (a file on SQLite, a database of its own
in the run's cluster on PostgreSQL).
"""

import os
import subprocess
import sys
import tempfile
import unittest

import pg
from vanetest import VaneCase, on_postgresql, pg_cluster

READY, WHY = pg.available()


def processes_naming(text):
    """pids of the processes whose command line mentions text."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmd and pg.alive(int(d)):
            pids.append(int(d))
    return pids


class Helpers(unittest.TestCase):
    def test_bind_quotes_params_and_leaves_quoted_marks(self):
        self.assertEqual(pg.bind("SELECT ?, ?, '?', ?", ("it's", None, 7)),
                         "SELECT 'it''s', NULL, '?', 7")
        with self.assertRaises(pg.PgError):
            pg.bind("SELECT ?", ())
        with self.assertRaises(pg.PgError):
            pg.bind("SELECT 1", (1,))

    def test_parse_rows(self):
        out = "1\x1fa\x1e-2\x1f\x01NULL\x02\x1e\x1f3.5\n"
        self.assertEqual(pg.parse_rows(out), [(1, "a"), (-2, None), ("", "3.5")])
        self.assertEqual(pg.parse_rows(""), [])
        self.assertEqual(pg.parse_rows("\\x28b52ffd\x1f\\x\x1f\\xyz\n"),
                         [(b"\x28\xb5\x2f\xfd", b"", "\\xyz")])


@unittest.skipUnless(READY, WHY)
class Cluster(unittest.TestCase):
    """A cluster of its own: start, databases, SQL, restart, stop."""

    def setUp(self):
        self.c = pg.PgCluster()
        self.addCleanup(self.c.stop)
        self.c.start()

    def test_listens_only_on_its_socket(self):
        self.assertTrue(os.path.exists(self.c.socket()), "the socket is in the folder")
        rows = self.c.psql("postgres", "SELECT current_user, inet_server_port() IS NULL, "
                           "current_setting('listen_addresses'), current_setting('fsync'), "
                           "current_setting('max_connections')::int >= 100, "
                           "pg_encoding_to_char(encoding) FROM pg_database "
                           "WHERE datname = current_database()")
        self.assertEqual(rows, [("vane", "t", "", "off", "t", "UTF8")])

    def test_url_works_with_libpq(self):
        url = self.c.create_database("by_url")
        self.assertEqual(url, "postgresql:///by_url?host=%s&user=vane" % self.c.dir)
        r = subprocess.run([os.path.join(self.c.bin, "psql"), "-X", "-A", "-t", url, "-c",
                            "SELECT current_database()"], capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "by_url"), r.stderr)

    def test_two_databases_sql_restart_and_drop(self):
        self.c.create_database("one")
        self.c.create_database("two")
        self.assertEqual([d for d in self.c.databases() if d in ("one", "two")], ["one", "two"])
        self.c.psql("one", "CREATE TABLE t (id bigint, name text)")
        self.c.psql("one", "INSERT INTO t VALUES (?, ?), (?, ?), (?, ?)",
                    (1, "it's", 2, None, 3, "two\nlines|and\x1dthings"))
        self.c.psql("two", "CREATE TABLE t (id bigint)")
        self.assertEqual(self.c.psql("one", "SELECT id, name FROM t ORDER BY id"),
                         [(1, "it's"), (2, None), (3, "two\nlines|and\x1dthings")])
        self.assertEqual(self.c.psql("two", "SELECT count(*) FROM t"), [(0,)],
                         "the databases are apart")
        with self.assertRaises(pg.PgError):
            self.c.psql("one", "SELECT * FROM missing")
        self.assertEqual(self.c.psql("one", "SELECT ?::bytea, 2.5", (b"\x00zstd",)),
                         [(b"\x00zstd", "2.5")])

        pid = self.c.running()
        self.c.restart()
        self.assertNotEqual(self.c.running(), pid, "a new server")
        self.assertEqual(self.c.psql("one", "SELECT count(*), max(id) FROM t"), [(3, 3)],
                         "committed rows outlive an immediate stop")

        self.c.drop_database("two")
        self.assertNotIn("two", self.c.databases())
        self.c.drop_database("two")      # dropping a missing database is no error

    def test_stop_removes_folder_and_process(self):
        folder, pid = self.c.dir, self.c.running()
        self.assertIsNotNone(pid)
        self.assertTrue(processes_naming(folder))
        self.c.stop()
        self.assertFalse(os.path.exists(folder), "the folder is removed")
        self.assertIsNone(self.c.running())
        self.assertFalse(pg.alive(pid), "the server has exited")
        self.assertEqual(processes_naming(folder), [], "no process of it is left")


@unittest.skipUnless(READY, WHY)
class ShellCommands(unittest.TestCase):
    """python3 tests/e2e/pg.py start|stop DIR, as the benchmarks use it."""

    def test_start_prints_base_url_and_stop_cleans_up(self):
        folder = tempfile.mkdtemp(prefix="vane-pg-cli-")
        self.addCleanup(lambda: pg.PgCluster(folder).halt("immediate")
                        if os.path.isdir(folder) else None)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pg.py")
        r = subprocess.run([sys.executable, script, "start", folder], capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "postgresql:///?host=%s&user=vane" % folder)
        self.assertEqual(pg.PgCluster.attach(folder).psql("postgres", "SELECT 40 + 2"), [(42,)])
        r = subprocess.run([sys.executable, script, "stop", folder], capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(folder))
        self.assertEqual(processes_naming(folder), [])


class MonitorStore(VaneCase):
    """A monitor's database is the run's store."""

    def test_monitor_database(self):
        m = self.monitor()
        with open(m.config, encoding="utf-8") as f:
            first = f.readline().strip()
        if not on_postgresql():
            self.assertEqual(first, 'database "vane.db"')
            self.assertEqual(m.db, os.path.join(m.dir, "vane.db"))
            return
        self.assertEqual(first, 'database "%s"' % m.db)
        self.assertTrue(m.db.startswith("postgresql:///vane_e2e_"), m.db)
        other = self.monitor()
        self.assertNotEqual(other.db, m.db, "each monitor has a database of its own")
        m.sql("CREATE TABLE probe (n bigint, s text)")
        m.sql("INSERT INTO probe VALUES (?, ?)", (5, None))
        self.assertEqual(m.sql("SELECT n, s FROM probe"), [(5, None)])
        m.close()
        self.assertNotIn(m.pg_name, pg_cluster().databases(), "close() drops it")

    def test_store_helpers_work_on_either_store(self):
        """What tests use to look at the store, before and after a write."""
        m = self.monitor()
        self.assertFalse(m.db_exists(), "a new monitor has no database yet")
        m.write_sql("CREATE TABLE probe (id integer PRIMARY KEY, note text, n bigint)")
        self.assertTrue(m.db_exists())
        self.assertEqual(m.tables(), ["probe"])
        self.assertEqual(m.table_columns("probe"), ["id", "note", "n"])
        before = m.db_fingerprint()
        self.assertEqual(m.db_fingerprint(), before, "reading changes nothing")
        m.write_sql("INSERT INTO probe (id, note, n) VALUES (?, ?, ?)", (1, "marker-7f3a", None))
        self.assertNotEqual(m.db_fingerprint(), before, "a written row changes it")
        self.assertEqual(m.sql("SELECT id, note, n FROM probe WHERE note = ?", ("marker-7f3a",)),
                         [(1, "marker-7f3a", None)])
        self.assertTrue(any(b"marker-7f3a" in data for _, data in m.stored_data()),
                        "stored_data holds the rows")
        self.assertGreater(m.data_bytes(), 0)
        self.assertGreaterEqual(m.db_bytes(), m.data_bytes())
        copy = m.copy_db(os.path.join(m.dir, "copy.db"))
        m.write_sql("DELETE FROM probe")
        self.assertEqual(m.sql("SELECT note FROM probe", db=copy), [("marker-7f3a",)],
                         "the copy is apart from the database")
        self.assertEqual(m.sql("SELECT count(*) FROM probe"), [(0,)])


if __name__ == "__main__":
    unittest.main()

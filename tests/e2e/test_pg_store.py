"""The PostgreSQL store as a user meets it: chosen by `database`, `--db` or
VANE_DB; its schema version kept in vane_schema, a database from a newer
vane refused; a password never shown; libpq named by `vane --version`.

In the PostgreSQL pass the monitors' own databases are used; in the SQLite
pass these tests start a cluster of their own (tests/e2e/pg.py)."""

import os
import unittest

import pg
from vanetest import Monitor, describe, on_postgresql, pg_cluster, pg_dbname

READY, WHY = pg.available()
NOW = "2024-11-20T23:00:00Z"


@unittest.skipUnless(READY, WHY)
class PgStore(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if on_postgresql():
            cls.cluster, cls.own = pg_cluster(), None
        else:
            cls.own = cls.cluster = pg.PgCluster()
            cls.cluster.start()

    @classmethod
    def tearDownClass(cls):
        if cls.own:
            cls.own.stop()

    def database(self):
        name = pg.unique_name("vane_store")
        url = self.cluster.create_database(name)
        self.addCleanup(self.cluster.drop_database, name)
        return name, url

    def monitor(self):
        m = Monitor(self)
        self.addCleanup(m.close)
        return m

    def test_db_option_and_environment_choose_the_database(self):
        m = self.monitor()
        name, url = self.database()
        m.step(1, db=url)
        self.assertGreater(self.cluster.psql(name, "SELECT count(*) FROM items")[0][0], 0)
        self.assertEqual(self.cluster.psql(name, "SELECT version FROM vane_schema"), [(1,)])
        # VANE_DB reads the same database
        r = m.vane("sources", "--json", env={"VANE_DB": url})
        self.assertEqual(r.returncode, 0, describe(r))
        self.assertIn('"id":"travel-advisories"', r.stdout.replace(" ", ""))

    def test_a_database_from_a_newer_vane_is_refused(self):
        m = self.monitor()
        name, url = self.database()
        m.step(1, db=url)
        self.cluster.psql(name, "UPDATE vane_schema SET version = 999")
        r = m.vane("flags", "--db", url)
        self.assertEqual(r.returncode, 1, describe(r))
        self.assertIn("schema version 999, newer than this vane knows", r.stderr)
        self.assertIn("postgresql:///%s" % name, r.stderr)

    def test_the_password_is_never_shown(self):
        m = self.monitor()
        secret = "s3cret-do-not-print"
        # no server listens at this socket folder: connecting fails
        url = "postgresql://vane:%s@/nowhere?host=%s&password=%s" % (
            secret, os.path.join(m.dir, "no-socket-here"), secret)
        r = m.vane("run", "--all", "--now", NOW, "--db", url)
        self.assertEqual(r.returncode, 1, describe(r))
        self.assertIn("database postgresql://vane:\u2026@/nowhere", r.stderr)
        self.assertIn("cannot connect", r.stderr)
        self.assertNotIn(secret, r.stderr + r.stdout)

    def test_backup_points_to_pg_dump(self):
        m = self.monitor()
        name, url = self.database()
        m.step(1, db=url)
        r = m.vane("backup", os.path.join(m.dir, "copy.db"), "--db", url)
        self.assertEqual(r.returncode, 1, describe(r))
        self.assertIn("pg_dump", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(m.dir, "copy.db")))

    @unittest.skipUnless(on_postgresql(), "restarts the suite's own cluster")
    def test_serve_connects_again_after_a_database_restart(self):
        from test_serve import TOKEN, Server
        m = Monitor(self, env={"VANE_SERVE_TOKEN": TOKEN})
        self.addCleanup(m.close)
        m.step(1)
        with open(m.config, "a", encoding="utf-8") as f:
            f.write('serve { token = env "VANE_SERVE_TOKEN" }\n')
        s = Server(self, m, env={"VANE_SERVE_TOKEN": TOKEN})
        auth = {"Authorization": "Bearer " + TOKEN}
        self.assertEqual(s.get("/api/flags", headers=auth).status, 200)
        pg_cluster().restart()
        self.assertEqual(s.get("/api/flags", headers=auth).status, 200,
                         "the page after the database came back")

    def test_version_names_libpq(self):
        m = self.monitor()
        r = m.vane("--version")
        self.assertEqual(r.returncode, 0, describe(r))
        self.assertRegex(r.stdout, r"libpq \d+\.\d+")

    def test_the_run_lock_is_not_taken(self):
        m = self.monitor()
        name, url = self.database()
        m.step(1, db=url)
        self.assertFalse([f for f in os.listdir(m.dir) if f.endswith(".lock")],
                         "no lock file beside a PostgreSQL store")


if __name__ == "__main__":
    unittest.main()

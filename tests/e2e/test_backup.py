"""vane backup FILE: a whole, consistent copy of the database, taken with
SQLite's online backup API, even while a run writes; an existing FILE is
refused unless --force."""

import os
import sqlite3
import unittest

from vanetest import STEPS, VaneCase, describe, kill_process, sqlite_only

N_SOURCES = 12   # sources of the same feed: a run that writes for a while


def integrity(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0], \
            con.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        con.close()


@sqlite_only("vane backup copies the SQLite file through SQLite's online backup API")
class Backup(VaneCase):

    def busy_monitor(self):
        m = self.monitor()
        m.sources = [m.advisory_source(id="advisories-%02d" % i, query="?n=%d" % i)
                     for i in range(N_SOURCES)]
        m.write_config()
        return m

    def test_backup_copies_the_database_and_reads_like_it(self):
        m = self.monitor()
        m.step(1)
        m.step(2)
        out = os.path.join(m.dir, "copy.db")
        r = m.vane("backup", out)
        self.assertExit(r, 0, "vane backup")
        self.assertIn(out, r.stdout)
        self.assertEqual(integrity(out), ("ok", "delete"), "one self-contained file")
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600, "readable by its owner only")
        self.assertFalse(os.path.exists(out + "-wal"))
        self.assertEqual(m.flags(db=out), m.flags())
        self.assertEqual(m.events(db=out), m.events())
        self.assertGreater(len(m.flags()), 0, "the steps should have raised flags")

    def test_existing_file_refused_unless_force(self):
        m = self.monitor()
        m.step(1)
        out = os.path.join(m.dir, "copy.db")
        with open(out, "w") as f:
            f.write("keep me")
        r = m.vane("backup", out)
        self.assertExit(r, 2, "an existing FILE without --force")
        self.assertIn("exists", r.stderr)
        self.assertIn("--force", r.stderr)
        with open(out) as f:
            self.assertEqual(f.read(), "keep me", "the file must be left as it was")
        r = m.vane("backup", out, "--force", "--json")
        self.assertExit(r, 0, "--force")
        self.assertIn('"backup":', r.stdout)
        self.assertEqual(integrity(out)[0], "ok")
        left = [n for n in os.listdir(m.dir) if n.startswith("copy.db.")]
        self.assertEqual(left, [], "no temporary copy left behind")

    def test_no_database_and_no_file_are_clear_errors(self):
        m = self.monitor()
        r = m.vane("backup", os.path.join(m.dir, "copy.db"))
        self.assertExit(r, 1, "no database yet")
        self.assertIn("no database", r.stderr)
        r = m.vane("backup")
        self.assertExit(r, 2, "no FILE")
        self.assertIn("backup needs the FILE", r.stderr)

    def test_backups_during_a_run_are_consistent(self):
        m = self.busy_monitor()
        m.step(1)
        now, snap = STEPS[2]
        m.serve(snap)
        p = m.popen("run", "--all", "--now", now)
        self.addCleanup(kill_process, p)
        copies, running = [], 0
        while p.poll() is None or not copies:
            running += p.poll() is None
            out = os.path.join(m.dir, "during-%03d.db" % len(copies))
            r = m.vane("backup", out, db=m.db)
            self.assertExit(r, 0, "a backup while a run writes")
            copies.append(out)
        _, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 0, err)
        self.assertGreaterEqual(running, 2, "backups should start while the run goes on")
        for out in copies:
            self.assertEqual(integrity(out)[0], "ok", out)
            r = m.vane("flags", db=out)
            self.assertExit(r, 0, "vane flags --db %s" % out)
            runs = m.query("runs", db=out)
            self.assertGreaterEqual(len(runs), 1, out)
        last = os.path.join(m.dir, "after.db")
        self.assertExit(m.vane("backup", last), 0)
        self.assertEqual(m.flags(db=last), m.flags())


if __name__ == "__main__":
    unittest.main()

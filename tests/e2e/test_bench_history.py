"""The bench's long history (tests/bench/history.py): a database grown from
real runs by older copies of them has the size asked for, ids and times
rising together, every reference whole, the real runs' rows as a database
without copies has them, and no copy waiting for the rules."""

import os
import subprocess
import sys

from vanetest import STEPS, TOP, VaneCase, describe, sqlite_only

HISTORY = os.path.join(TOP, "tests", "bench", "history.py")


def history(*args):
    return subprocess.run([sys.executable, HISTORY] + list(args), capture_output=True, text=True,
                          timeout=120)


@sqlite_only("tests/bench/history.py reads and grows SQLite files")
class BenchHistory(VaneCase):

    def grow(self, m, size):
        """The four steps into the monitor's database (the seed), then a fresh
        database of SIZE events grown around the same four runs."""
        for n in (1, 2, 3, 4):
            m.step(n)
        grown = os.path.join(m.dir, "grown.db")
        os.makedirs(os.path.join(m.dir, "norules"))
        empty = os.path.join(m.dir, "empty.lua")
        with open(empty, "w", encoding="utf-8") as f:
            f.write('database "unused.db"\nrules { "norules" }\n')
        r = m.vane("-c", empty, "--db", grown, "--now", "2000-01-01T00:00:00Z", "run")
        self.assertEqual(r.returncode, 0, describe(r))
        r = history("placeholders", m.db, grown, str(size))
        self.assertEqual(r.returncode, 0, r.stderr)
        for n in (1, 2, 3, 4):
            m.step(n, db=grown)
        r = history("grow", m.db, grown, str(size))
        self.assertEqual(r.returncode, 0, r.stderr)
        return grown

    def test_grown_history_has_the_size_and_rises_with_its_ids(self):
        m = self.monitor()
        grown = self.grow(m, 2000)
        r = history("finish", grown)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("events=2000 bytes="), r.stdout)
        self.assertNotIn("WARNING", r.stderr)       # times going back, references to nothing
        self.assertEqual(m.sql("SELECT count(*) FROM events", db=grown), [(2000,)])
        first_real = m.sql("SELECT min(id) FROM events WHERE observed_at >= ?", (STEPS[1][0],), db=grown)[0][0]
        newest_copy = m.sql("SELECT max(id) FROM events WHERE observed_at < ?", (STEPS[1][0],), db=grown)[0][0]
        self.assertLess(newest_copy, first_real)
        # a unique column of a copy (a flag's dedup) is not the original's
        self.assertEqual(m.sql("SELECT count(*) - count(DISTINCT dedup) FROM flags", db=grown), [(0,)])

    def test_real_runs_read_the_same_and_no_copy_is_pending(self):
        m = self.monitor()
        grown = self.grow(m, 1500)
        since = STEPS[1][0]
        real = [(e["source"], e["key"], e["change"]) for e in m.events("--since", since)]
        self.assertEqual([(e["source"], e["key"], e["change"]) for e in m.events("--since", since, db=grown)],
                         real)
        self.assertGreater(len(m.events(db=grown)), len(real))
        # the same flags over the real runs; a run now raises nothing new
        self.assertEqual(len(m.flags("--since", since, db=grown)), len(m.flags("--since", since)))
        r = m.run("2024-12-04T00:00:00Z", db=grown)
        self.assertEqual(r.flags, [])

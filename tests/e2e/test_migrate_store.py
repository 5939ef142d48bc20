"""vane migrate-store --from SOURCE --to TARGET: a monitor's history built
on SQLite by the advisory series (flags, a silence, a verdict, outbox
rows) moved to a PostgreSQL database reads the same there, goes on there
without raising a flag twice and with ids after the copied ones, and a
second copy into the same database is refused with nothing changed. The
PostgreSQL database is the monitor's own on the PostgreSQL store, else
one of a cluster started here (tests/e2e/pg.py). And the command's
refusals: no --from, a --from that does not exist, a SQLite --to that
does, a source table it does not know (the new file removed again)."""

import os
import sqlite3
import unittest

import pg
from vanetest import (LEVEL_RULE, NOTATION_RULE, STEPS, VaneCase, describe, on_postgresql,
                      parse_json_lines)

# After step 3, the same snapshot again: nothing changed.
STEP_3_AGAIN = "2024-11-28T06:00:00Z"
LATER = "2024-12-10T00:00:00Z"    # when the listings are read


class MigrateStoreCommand(VaneCase):
    """The refusals, SQLite to SQLite: no PostgreSQL needed."""

    def history(self, m):
        path = os.path.join(m.dir, "history.db")
        m.step(1, db=path)
        return path

    def test_copies_into_a_new_sqlite_file(self):
        m = self.monitor()
        src = self.history(m)
        dst = os.path.join(m.dir, "copy.db")
        r = m.vane("migrate-store", "--from", src, "--to", dst)
        self.assertExit(r, 0, "migrate-store to a new SQLite file")
        n_events = len(m.events(db=src))
        self.assertGreater(n_events, 0)
        self.assertIn("events: %d copied" % n_events, r.stdout.splitlines())
        self.assertIn("to %s" % dst, r.stdout.splitlines()[-1])
        self.assertEqual(m.events(db=dst), m.events(db=src))
        self.assertEqual(m.source_rows(db=dst), m.source_rows(db=src))
        r = m.vane("migrate-store", "--from", dst, "--to", os.path.join(m.dir, "again.db"),
                   "--json")
        self.assertExit(r, 0, "migrate-store --json")
        out = parse_json_lines(r.stdout, "migrate-store --json")
        self.assertEqual(len(out), 1)
        self.assertEqual(out[0]["tables"]["events"], n_events)
        self.assertEqual(out[0]["rows"], sum(out[0]["tables"].values()))
        self.assertEqual((out[0]["from"], out[0]["to"]), (dst, os.path.join(m.dir, "again.db")))

    def test_refusals(self):
        m = self.monitor()
        src = self.history(m)
        r = m.vane("migrate-store", "--to", os.path.join(m.dir, "x.db"))
        self.assertExit(r, 2, "no --from")
        self.assertIn("--from", r.stderr)
        missing = os.path.join(m.dir, "missing.db")
        r = m.vane("migrate-store", "--from", missing, "--to", os.path.join(m.dir, "x.db"))
        self.assertExit(r, 1, "a --from that does not exist")
        self.assertIn("no database at %s" % missing, r.stderr)
        self.assertFalse(os.path.exists(missing), "--from is not created")
        self.assertFalse(os.path.exists(os.path.join(m.dir, "x.db")))
        other = os.path.join(m.dir, "other.db")
        with open(other, "w") as f:
            f.write("keep me")
        r = m.vane("migrate-store", "--from", src, "--to", other)
        self.assertExit(r, 1, "an existing SQLite --to")
        self.assertIn("%s exists" % other, r.stderr)
        with open(other) as f:
            self.assertEqual(f.read(), "keep me")

    def test_a_table_it_does_not_know_fails_and_leaves_no_file(self):
        m = self.monitor()
        src = self.history(m)
        with sqlite3.connect(src) as db:
            db.execute("CREATE TABLE notes (x TEXT)")
        dst = os.path.join(m.dir, "copy.db")
        r = m.vane("migrate-store", "--from", src, "--to", dst)
        self.assertExit(r, 1, "a source with a table migrate-store does not know")
        self.assertIn("table notes", r.stderr)
        self.assertIn(src, r.stderr, "the message names the database")
        self.assertEqual([n for n in os.listdir(m.dir) if n.startswith("copy.db")], [],
                         "the new file is removed again")


class MigrateStoreToPostgreSQL(VaneCase):
    """SQLite to PostgreSQL, on a real server."""

    cluster = None

    @classmethod
    def setUpClass(cls):
        if on_postgresql():
            return   # each monitor has a PostgreSQL database of its own
        ok, why = pg.available()
        if not ok:
            raise unittest.SkipTest("no PostgreSQL server to start: " + why)
        cls.cluster = pg.PgCluster().start()

    @classmethod
    def tearDownClass(cls):
        if cls.cluster:
            cls.cluster.stop()

    def target(self, m):
        """An empty PostgreSQL database: the monitor's own, or a new one."""
        if on_postgresql():
            return m.db
        name = pg.unique_name("vane_migrate")
        url = self.cluster.create_database(name)
        self.addCleanup(self.cluster.drop_database, name)
        return url

    def listings(self, m, db):
        """What the commands show of a store, as JSON rows."""
        def rows(*args):
            r = m.vane(*args, "--json", "--now", LATER, db=db)
            self.assertEqual(r.returncode, 0, "vane %s\n%s" % (" ".join(args), describe(r)))
            return parse_json_lines(r.stdout, " ".join(args))
        return {"flags": rows("flags"), "events": rows("events"), "sources": rows("sources"),
                "runs": rows("runs"), "outbox": rows("outbox", "--all"),
                "silences": rows("silence", "list", "--all"), "rules": rows("rules")}

    def history(self, m, db):
        """Steps 1 to 3 with a silence on the notation rule and a verdict."""
        m.step(1, db=db)
        m.step(2, db=db)
        r = m.vane("silence", "add", "--rule", NOTATION_RULE, "--for", "30d", "--reason",
                   "notation review", "--now", STEPS[2][0], db=db)
        self.assertExit(r, 0, "silence add")
        m.step(3, db=db)
        level = sorted(f["id"] for f in m.flags(db=db) if f["rule"] == LEVEL_RULE)
        self.assertGreaterEqual(len(level), 2, "the series raises level changes")
        r = m.vane("flags", "mark", str(level[0]), "useful", "--note", "right", "--as", "ana",
                   db=db)
        self.assertExit(r, 0, "flags mark")

    def test_history_moves_to_postgresql_and_goes_on_there(self):
        m = self.monitor(channels=[{"id": "desk-log", "kind": "file", "path": "flags.jsonl"}])
        lite = os.path.join(m.dir, "history.db")
        self.history(m, lite)
        silenced = m.sql("SELECT count(*) FROM flags WHERE silence_id IS NOT NULL", db=lite)[0][0]
        self.assertGreater(silenced, 0, "step 3's notation flag was held back by the silence")
        self.assertGreater(m.sql("SELECT count(*) FROM outbox", db=lite)[0][0], 0)
        url = self.target(m)

        r = m.vane("migrate-store", "--from", lite, "--to", url)
        self.assertExit(r, 0, "migrate-store to PostgreSQL")
        lines = r.stdout.splitlines()
        n_flags = len(m.flags(db=lite))
        self.assertIn("flags: %d copied" % n_flags, lines)
        self.assertIn("verdicts: 1 copied", lines)
        self.assertNotIn("password", r.stdout)
        before = self.listings(m, lite)
        self.assertEqual(self.listings(m, url), before)

        # the same snapshot again: no flag raised twice, on either store
        m.serve(STEPS[3][1])
        for db in (lite, url):
            self.assertEqual(m.run(STEP_3_AGAIN, db=db).flags, [], "nothing new on " + db)
        # the next step's flags, with the ids that follow the copied ones
        m.step(4, db=lite)
        new = m.step(4, db=url).flags
        self.assertTrue(new, "step 4 raises flags")
        self.assertGreater(min(f["id"] for f in new), max(f["id"] for f in before["flags"]))
        after = self.listings(m, url)
        self.assertEqual(after, self.listings(m, lite))

        # a second copy into it is refused, naming it without its password,
        # and changes nothing
        r = m.vane("migrate-store", "--from", lite, "--to", url + "&password=s3cret")
        self.assertExit(r, 1, "migrate-store into a database with rows")
        self.assertIn("not empty", r.stderr)
        self.assertIn("table sources", r.stderr)
        self.assertIn(url.split("?")[0], r.stderr, "the message names the database")
        self.assertNotIn("s3cret", r.stderr + r.stdout)
        self.assertEqual(self.listings(m, url), after)


if __name__ == "__main__":
    unittest.main()

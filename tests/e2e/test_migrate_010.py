"""db/sqlite/010_events_compact.sql on a database written before it, and the
packed events of today's writes: every event reads back the same.

tests/fixtures/db/v9.db was written by a vane of schema version 9
(tests/fixtures/db/make_v9.py, which also recorded what that vane said about
it): fixture set A's four steps, a reextract without --flags, and step 4's
events still pending behind a rule file that did not load. Migrated, it
must list the same events (item, prev and diff), replay every rule the
same (including vane.history, through tests/fixtures/db/rules), keep the
pending events pending and the rest evaluated. The same series written by
today's vane must give the same answers too."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

from vanetest import TOP, VaneCase, sqlite_only, vane_bin

DB_FIXTURES = os.path.join(TOP, "tests", "fixtures", "db")
sys.path.insert(0, DB_FIXTURES)

import make_v9  # noqa: E402


def read(name):
    with open(os.path.join(DB_FIXTURES, name), encoding="utf-8") as f:
        return f.read()


@sqlite_only("old SQLite databases (schema version 9) migrated by db/010")
class Migrate010Case(VaneCase):
    def folder(self):
        d = tempfile.mkdtemp(prefix="vane-010.")
        self.addCleanup(shutil.rmtree, d, ignore_errors=True)
        os.makedirs(os.path.join(d, "extra"))
        with open(os.path.join(d, "vane.lua"), "w", encoding="utf-8") as f:
            f.write(make_v9.config(None, os.path.join(d, "extra")))
        return d

    def old_database(self):
        d = self.folder()
        shutil.copy(os.path.join(DB_FIXTURES, "v9.db"), os.path.join(d, "vane.db"))
        return d

    def sql(self, folder, query):
        con = sqlite3.connect(os.path.join(folder, "vane.db"))
        try:
            return con.execute(query).fetchall()
        finally:
            con.close()

    def assertSameAnswers(self, folder, same=lambda text: text):
        """What today's vane says about folder's database is what the v9
        build said about v9.db (both through same())."""
        events, replay = make_v9.answers(vane_bin(), folder)
        self.assertEqual(same(events), same(read("v9.events.jsonl")))
        self.assertEqual(same(json.dumps(replay, indent=1, sort_keys=True, ensure_ascii=False)),
                         same(json.dumps(json.loads(read("v9.replay.json")), indent=1,
                                         sort_keys=True, ensure_ascii=False)))
        self.assertEqual(same(v9_fields(make_v9.evaluate_pending(vane_bin(), folder))),
                         same(read("v9.flags.jsonl")))


# What a flag carries since migration 013 (its context), which the v9
# build's flags did not have.
CONTEXT_FIELDS = ("title", "link", "source_name", "rule_title", "changes")


def v9_fields(jsonl):
    """The flags' JSON lines with only the fields the v9 build printed,
    in its order, written as vane writes them."""
    out = []
    for line in jsonl.splitlines():
        flag = json.loads(line)
        for k in CONTEXT_FIELDS:
            flag.pop(k, None)
        out.append(json.dumps(flag, ensure_ascii=False, separators=(",", ":")))
    return "".join(line + "\n" for line in out)


class TestMigrate010(Migrate010Case):
    def test_a_migrated_database_reads_every_event_as_before(self):
        d = self.old_database()
        before = self.sql(d, "SELECT id, evaluated FROM events ORDER BY id")
        first_pending = min(i for i, ev in before if ev == 0)
        make_v9.vane(vane_bin(), d, "events", "--limit", "1")
        self.assertGreaterEqual(self.sql(d, "PRAGMA user_version")[0][0], 10)
        self.assertEqual(self.sql(d, "SELECT through FROM evaluation"), [(first_pending - 1,)])
        self.assertEqual(self.sql(d, "SELECT count(*) FROM events WHERE change <> 'new' "
                                     "AND substr(diff, 1, 1) IS NOT '['"), [(0,)], "all packed")
        self.assertEqual(self.sql(d, "SELECT prev, diff FROM events WHERE change = 'removed'"),
                         [("{}", "[]")])
        self.assertEqual(self.sql(d, "SELECT count(*) FROM sqlite_master WHERE name = 'events_pending'"),
                         [(0,)])
        self.assertSameAnswers(d)
        self.assertEqual(self.sql(d, "SELECT count(*) FROM events WHERE id > "
                                     "(SELECT through FROM evaluation) AND evaluated = 0"), [(0,)])

    def test_a_failed_migration_leaves_the_database_as_it_was(self):
        d = self.old_database()
        con = sqlite3.connect(os.path.join(d, "vane.db"))
        con.execute("CREATE TABLE evaluation (x)")  # 010 cannot create its table
        con.commit()
        con.close()
        rows = self.sql(d, "SELECT * FROM events ORDER BY id")
        r = make_v9.vane(vane_bin(), d, "events", ok=(1, 2))
        self.assertEqual(r, "")
        self.assertEqual(self.sql(d, "PRAGMA user_version"), [(9,)])
        self.assertEqual(self.sql(d, "SELECT * FROM events ORDER BY id"), rows)
        self.assertEqual(self.sql(d, "SELECT count(*) FROM sqlite_master WHERE name = 'events_pending'"),
                         [(1,)])

    def test_a_killed_migration_leaves_the_old_version_or_the_new_one(self):
        d = self.old_database()
        con = sqlite3.connect(os.path.join(d, "vane.db"))
        cols = ("run_id, source, key, change, baseline, item, prev, diff, observed_at, "
                "evaluated, rederived, superseded_by")
        for _ in range(9):  # 12 changed events become 6,144: a migration that takes a while
            con.execute("INSERT INTO events(%s) SELECT %s FROM events WHERE change = 'changed'"
                        % (cols, cols))
        con.commit()
        con.close()
        old = self.sql(d, "SELECT * FROM events ORDER BY id")
        whole = os.path.join(d, "whole")
        os.makedirs(whole)
        shutil.copy(os.path.join(d, "vane.lua"), whole)
        shutil.copy(os.path.join(d, "vane.db"), whole)
        expected = make_v9.vane(vane_bin(), whole, "events", "--json", "--limit", "100000")
        for delay in (0.01, 0.03, 0.06, 0.12):
            k = os.path.join(d, "killed-%s" % delay)
            os.makedirs(k)
            shutil.copy(os.path.join(d, "vane.lua"), k)
            shutil.copy(os.path.join(d, "vane.db"), k)
            p = subprocess.Popen([vane_bin(), "-c", os.path.join(k, "vane.lua"), "events"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            p.kill()
            p.wait()
            version = self.sql(k, "PRAGMA user_version")[0][0]
            if version == 9:  # killed before its commit: nothing of 010 is left
                self.assertEqual(self.sql(k, "SELECT * FROM events ORDER BY id"), old)
                self.assertEqual(self.sql(k, "SELECT count(*) FROM sqlite_master "
                                             "WHERE name = 'evaluation'"), [(0,)])
            else:  # or after it: all of it
                self.assertEqual(self.sql(k, "SELECT count(*) FROM events WHERE change <> 'new' "
                                             "AND substr(diff, 1, 1) IS NOT '['"), [(0,)])
            self.assertEqual(make_v9.vane(vane_bin(), k, "events", "--json", "--limit", "100000"),
                             expected, "killed after %ss" % delay)

    def test_the_same_series_written_today_reads_the_same(self):
        d = self.folder()
        os.rmdir(os.path.join(d, "extra"))
        os.remove(os.path.join(d, "vane.lua"))
        make_v9.serve_series(vane_bin(), d)
        self.assertGreater(self.sql(d, "SELECT count(*) FROM events WHERE change = 'changed' "
                                       "AND substr(diff, 1, 1) = '['")[0][0], 0)
        self.assertEqual(self.sql(d, "SELECT count(*) FROM events WHERE change <> 'new' "
                                     "AND substr(diff, 1, 1) IS NOT '['"), [(0,)])
        # items of the list pages hold links with the fixture server's port
        self.assertSameAnswers(d, lambda text: re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text))

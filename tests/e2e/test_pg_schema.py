"""test_pg_schema.py — the PostgreSQL store's schema (db/postgresql/*.sql)
against SQLite's (db/sqlite/*.sql, or db/*.sql before the move): the same
tables, columns in the same order, types, NOT NULLs, defaults, keys,
foreign keys and indexes, apart from the PostgreSQL-only lease columns; and
the SQL functions the schema gives PostgreSQL answering as SQLite answers
the same expression (python's sqlite3 runs it).

A throw-away PostgreSQL cluster (initdb into a temporary folder, a Unix
socket only) is made for the class and removed after. Its default collation
is ICU en-US, as a real server's often is, so that a text column sorting by
locale instead of by bytes, as SQLite does, shows here.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Columns only the PostgreSQL store has: the leases of the many-worker run.
LEASE_COLUMNS = {"sources": ["leased_until", "leased_by"]}
LEASE_INDEXES = {"events_unevaluated"}
TYPES = {"INTEGER": "bigint", "TEXT": "text", "BLOB": "bytea"}
NULL = "<NULL>"
SEP = "\x1f"


def sqlite_migrations():
    files = sorted(glob.glob(os.path.join(ROOT, "db", "sqlite", "*.sql")))
    return files or sorted(glob.glob(os.path.join(ROOT, "db", "[0-9]*.sql")))


def fresh_sqlite():
    """A new in-memory database with SQLite's migrations applied in order."""
    db = sqlite3.connect(":memory:")
    # db/010 converts old events with functions of vane's connection; a new
    # database has none, but the statement needs the names.
    for name in ("event_pack_prev", "event_pack_diff"):
        db.create_function(name, 3, lambda item, prev, diff: prev)
    for path in sqlite_migrations():
        with open(path, encoding="utf-8") as f:
            db.executescript(f.read())
    return db


def pg_bindir():
    """The folder of initdb, pg_ctl and psql, or None."""
    given = os.environ.get("VANE_PG_BIN")
    candidates = [given] if given else []
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(out.stdout.strip())
    except OSError:
        pass
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for d in candidates:
        if d and all(os.access(os.path.join(d, p), os.X_OK) for p in ("initdb", "pg_ctl", "psql")):
            return d
    return None


class _Cluster:
    """A private PostgreSQL cluster in a temporary folder, reached through a
    Unix socket in that folder only (listen_addresses is empty). initdb
    refuses to run as root, so as root the server runs as the `postgres`
    user, which owns the folder."""

    def __init__(self, bindir):
        self.bin = bindir
        self.dir = tempfile.mkdtemp(prefix="vane-pgschema-")
        self.data = os.path.join(self.dir, "data")
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, user="postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _server(self, *args):
        cmd = self.as_user + list(args)
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError("%s failed: %s%s" % (args[0], out.stdout, out.stderr))

    def start(self):
        self._server(os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "vane",
                     "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8",
                     "--locale-provider=icu", "--icu-locale=en-US")
        opts = "-c listen_addresses='' -k %s -c fsync=off" % self.dir
        self._server(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-s", "-w",
                     "-l", os.path.join(self.dir, "log"), "-o", opts, "start")

    def stop(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            try:
                self._server(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-s", "-w",
                             "-m", "immediate", "stop")
            except RuntimeError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def psql(self, db, sql=None, path=None):
        """Run sql (or the file at path) in db, stopping at the first error;
        the rows as lists of text (NULL as <NULL>)."""
        cmd = [os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t", "-h", self.dir,
               "-U", "vane", "-d", db, "-v", "ON_ERROR_STOP=1", "-F", SEP,
               "-P", "null=" + NULL]
        cmd += ["-f", path or "-"]
        out = subprocess.run(cmd, input=None if path else sql + "\n", capture_output=True,
                             text=True, timeout=120)
        if out.returncode != 0:
            raise AssertionError("psql failed on %s: %s" % (path or sql, out.stderr.strip()))
        lines = out.stdout.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return [line.split(SEP) for line in lines]

    def psql_each(self, db, statements):
        """Run each statement in db in one session; the rows of each."""
        marker = "--- next statement ---"
        script = "".join("%s;\n\\echo '%s'\n" % (sql, marker) for sql in statements)
        answers, rows = [], []
        for row in self.psql(db, script):
            if row == [marker]:
                answers.append(rows)
                rows = []
            else:
                rows.append(row)
        return answers


def sqlite_text(v):
    """A value from python's sqlite3 written as psql writes PostgreSQL's."""
    if v is None:
        return NULL
    if isinstance(v, float):  # PostgreSQL writes 2460007.0 as 2460007
        return repr(v)[:-2] if repr(v).endswith(".0") else repr(v)
    return str(v)


class PgSchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        bindir = pg_bindir()
        if not bindir:
            raise unittest.SkipTest("PostgreSQL's initdb, pg_ctl and psql are not installed")
        cls.pg = _Cluster(bindir)
        try:
            cls.pg.start()
            cls.pg.psql("postgres", "CREATE DATABASE vane")
            files = sorted(glob.glob(os.path.join(ROOT, "db", "postgresql", "*.sql")))
            if not files:
                raise AssertionError("no migrations in db/postgresql/")
            for path in files:
                cls.pg.psql("vane", path=path)
        except BaseException:
            cls.pg.stop()
            raise
        cls.lite = fresh_sqlite()

    @classmethod
    def tearDownClass(cls):
        cls.pg.stop()
        cls.lite.close()

    # ---- what SQLite has ---------------------------------------------------

    def lite_tables(self):
        return [r[0] for r in self.lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]

    def lite_columns(self, table):
        """(name, type, not null, default, pk position) of each column, in order."""
        return [(r[1], r[2].upper(), bool(r[3]) or r[5] > 0, r[4], r[5])
                for r in self.lite.execute("PRAGMA table_info(%s)" % table)]

    # ---- what PostgreSQL has -----------------------------------------------

    def pg_columns(self, table):
        """(name, type, not null, default) of each column, in order (read
        once for every table)."""
        cls = type(self)
        if not hasattr(cls, "_pg_columns"):
            cls._pg_columns = {}
            for r in self.pg.psql("vane",
                                  "SELECT table_name, column_name, data_type, is_nullable, "
                                  "coalesce(column_default, '%s') FROM information_schema.columns "
                                  "WHERE table_schema = 'public' "
                                  "ORDER BY table_name, ordinal_position" % NULL):
                cls._pg_columns.setdefault(r[0], []).append(
                    (r[1], r[2], r[3] == "NO", None if r[4] == NULL else r[4]))
        return cls._pg_columns.get(table, [])

    def pg_constraint_columns(self, table, kind):
        """The column lists of table's constraints of kind (p, u), sorted."""
        rows = self.pg.psql("vane",
                            "SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_constraint c "
                            "CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) "
                            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
                            "WHERE c.conrelid = 'public.%s'::regclass AND c.contype = '%s' "
                            "GROUP BY c.oid" % (table, kind))
        return sorted(r[0] for r in rows)

    # ---- (a) the shape -----------------------------------------------------

    def test_tables_are_sqlites(self):
        lite = self.lite_tables()
        pg = sorted(r[0] for r in self.pg.psql(
            "vane", "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"))
        self.assertTrue(lite, "the SQLite migrations made no table")
        self.assertEqual(pg, lite, "tables only in SQLite: %s; only in PostgreSQL: %s"
                         % (sorted(set(lite) - set(pg)), sorted(set(pg) - set(lite))))

    def test_columns_in_sqlites_order(self):
        for table in self.lite_tables():
            with self.subTest(table=table):
                lite = [c[0] for c in self.lite_columns(table)]
                pg = [c[0] for c in self.pg_columns(table)]
                extra = LEASE_COLUMNS.get(table, [])
                self.assertEqual(pg[len(pg) - len(extra):], extra,
                                 "table %s: PostgreSQL's last columns should be the leases %s"
                                 % (table, extra))
                pg = pg[:len(pg) - len(extra)]
                differ = next((i for i in range(max(len(lite), len(pg)))
                               if i >= len(lite) or i >= len(pg) or lite[i] != pg[i]), None)
                if differ is not None:
                    self.fail("table %s: column %d is %s in SQLite but %s in PostgreSQL "
                              "(SQLite: %s; PostgreSQL: %s)"
                              % (table, differ + 1,
                                 lite[differ] if differ < len(lite) else "absent",
                                 pg[differ] if differ < len(pg) else "absent", lite, pg))

    def test_types_nulls_and_defaults(self):
        for table in self.lite_tables():
            pg = {c[0]: c for c in self.pg_columns(table)}
            for name, ltype, notnull, default, _ in self.lite_columns(table):
                if name not in pg:
                    continue  # test_columns_in_sqlites_order names it
                with self.subTest(column="%s.%s" % (table, name)):
                    _, ptype, pnotnull, pdefault = pg[name]
                    self.assertEqual(ptype, TYPES[ltype], "%s.%s: SQLite's %s should be %s, is %s"
                                     % (table, name, ltype, TYPES[ltype], ptype))
                    self.assertEqual(pnotnull, notnull, "%s.%s: NOT NULL in %s only"
                                     % (table, name, "SQLite" if notnull else "PostgreSQL"))
                    if pdefault is not None:  # '0'::bigint, 'pending'::text
                        pdefault = pdefault.split("::")[0]
                    self.assertEqual(pdefault, default, "%s.%s: default %s in SQLite, %s in "
                                     "PostgreSQL" % (table, name, default, pdefault))

    def test_keys_and_unique_columns(self):
        for table in self.lite_tables():
            with self.subTest(table=table):
                cols = self.lite_columns(table)
                pk = ",".join(c[0] for c in sorted((c for c in cols if c[4]), key=lambda c: c[4]))
                self.assertEqual(self.pg_constraint_columns(table, "p"), [pk],
                                 "table %s: primary key (%s) in SQLite" % (table, pk))
                unique = sorted(
                    ",".join(r[2] for r in self.lite.execute("PRAGMA index_info('%s')" % ix[1]))
                    for ix in self.lite.execute("PRAGMA index_list(%s)" % table) if ix[3] == "u")
                self.assertEqual(self.pg_constraint_columns(table, "u"), unique,
                                 "table %s: UNIQUE columns differ" % table)

    def test_row_ids_are_generated(self):
        """An INTEGER PRIMARY KEY that SQLite fills in is an identity; one
        always written (id = 1 tables, verdicts' flag id) is not."""
        for table in self.lite_tables():
            cols = self.lite_columns(table)
            for name, ltype, _, _, pk in cols:
                if pk != 1 or ltype != "INTEGER" or sum(1 for c in cols if c[4]) != 1:
                    continue
                sql = self.lite.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                        (table,)).fetchone()[0]
                written = "CHECK (id = 1)" in sql or "REFERENCES" in sql.split("\n")[1]
                identity = self.pg.psql("vane", "SELECT is_identity FROM information_schema.columns "
                                                "WHERE table_name = '%s' AND column_name = '%s'"
                                        % (table, name))[0][0]
                self.assertEqual(identity, "NO" if written else "YES",
                                 "%s.%s: identity should be %s" % (table, name, not written))

    def test_foreign_keys(self):
        for table in self.lite_tables():
            with self.subTest(table=table):
                lite = sorted("%s -> %s(%s) on delete %s" % (r[3], r[2], r[4], r[6].lower())
                              for r in self.lite.execute("PRAGMA foreign_key_list(%s)" % table))
                pg = sorted("%s -> %s(%s) on delete %s" % tuple(r) for r in self.pg.psql(
                    "vane",
                    "SELECT a.attname, f.relname, fa.attname, CASE c.confdeltype WHEN 'c' THEN "
                    "'cascade' WHEN 'a' THEN 'no action' ELSE c.confdeltype::text END "
                    "FROM pg_constraint c JOIN pg_class f ON f.oid = c.confrelid "
                    "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                    "JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] "
                    "WHERE c.conrelid = 'public.%s'::regclass AND c.contype = 'f'" % table))
                self.assertEqual(pg, lite, "table %s: foreign keys differ" % table)

    def test_indexes(self):
        lite = {}
        for name, table, sql in self.lite.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"):
            cols = ",".join(r[2] for r in self.lite.execute("PRAGMA index_info('%s')" % name))
            where = sql.split(" WHERE ", 1)[1].strip() if " WHERE " in sql else None
            lite[name] = (table, cols, where)
        pg = {}
        for name, table, cols, where in self.pg.psql(
                "vane",
                "SELECT i.relname, t.relname, (SELECT string_agg(a.attname, ',' ORDER BY k.n) "
                "FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) JOIN pg_attribute a "
                "ON a.attrelid = t.oid AND a.attnum = k.attnum), "
                "coalesce(pg_get_expr(x.indpred, t.oid), '%s') FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public' "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
                % NULL):
            pg[name] = (table, cols, None if where == NULL else where)
        self.assertEqual(sorted(set(pg) - set(lite)), sorted(LEASE_INDEXES),
                         "indexes only in PostgreSQL, besides the leases'")
        self.assertEqual(sorted(set(lite) - set(pg)), [], "indexes only in SQLite")
        for name, (table, cols, where) in lite.items():
            with self.subTest(index=name):
                ptable, pcols, pwhere = pg[name]
                self.assertEqual((ptable, pcols), (table, cols),
                                 "index %s: on %s(%s) in SQLite" % (name, table, cols))
                # PostgreSQL writes the condition back its own way:
                # "(status <> 'sent'::text)" for "status <> 'sent'"
                norm = (pwhere or "").replace("::text", "").strip("()")
                self.assertEqual(norm or None, where,
                                 "index %s: WHERE %s in SQLite, %s in PostgreSQL"
                                 % (name, where, pwhere))

    def test_lease_indexes_serve_the_claims(self):
        """A worker's claims walk indexes, not the tables: the sources it
        asks for by id, the events unevaluated in id order (sequential
        scans off, as on tables too large for one)."""
        now = "'2026-01-01T00:00:00Z'"
        claims = {
            "sources_pkey": "SELECT id FROM sources WHERE id = ANY(CAST('{a,b}' AS text[])) AND "
                            "(leased_until IS NULL OR leased_until < %s) ORDER BY id LIMIT 10 "
                            "FOR UPDATE SKIP LOCKED" % now,
            "events_unevaluated": "SELECT id FROM events WHERE id > 5 AND evaluated = 0 "
                                  "ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED",
        }
        plans = self.pg.psql_each("vane", ["SET enable_seqscan = off"] +
                                  ["EXPLAIN " + sql for sql in claims.values()])[1:]
        for (index, sql), plan in zip(claims.items(), plans):
            text = "\n".join(r[0] for r in plan)
            self.assertRegex(text, r"(Index Scan using|Index Only Scan using|Bitmap Index Scan on) %s\b" % index,
                             "the claim %s does not use %s:\n%s" % (sql, index, text))

    def test_new_database_has_the_watermark(self):
        lite = [tuple(sqlite_text(v) for v in r)
                for r in self.lite.execute("SELECT id, through FROM evaluation")]
        pg = [tuple(r) for r in self.pg.psql("vane", "SELECT id, through FROM evaluation")]
        self.assertEqual(pg, lite, "evaluation's rows in a new database")

    # ---- (b) the functions answer as SQLite's -------------------------------

    def same_answers(self, statements):
        """Each statement's rows in PostgreSQL are SQLite's rows for the
        same text (one session for them all)."""
        answers = self.pg.psql_each("vane", statements)
        for sql, pg in zip(statements, answers):
            with self.subTest(sql=sql):
                lite = [[sqlite_text(v) for v in r] for r in self.lite.execute(sql)]
                self.assertEqual(pg, lite, "PostgreSQL and SQLite differ on: %s" % sql)

    def test_json_extract(self):
        doc = ('{"country":"Chad","a":{"b":"deep","n":[10,20]},"level":3,"r":2.5,"t":true,'
               '"f":false,"z":null,"o":{"x":[1,"y"]},"u":"h\\u00e9 \\"q\\"","a b":{"c1":"sp"}}')
        paths = ("$.country", "$.a.b", "$.a.n[1]", "$.level", "$.r", "$.t", "$.f", "$.z", "$.o",
                 "$.o.x", "$.missing", "$.a.missing.deeper", "$.u", '$."a b".c1', "$.o.x[5]")
        self.same_answers(["SELECT json_extract('%s', '%s')" % (doc, p) for p in paths] +
                          ["SELECT json_extract('[\"first\",2]', '$[0]')",
                           "SELECT json_extract(NULL, '$.a')"])

    def test_json_each_and_group_concat(self):
        doc = ('{"notations":["B","A",3,null,"C",1.5,true,false,[1]],"none":[],"one":"x",'
               '"obj":{"k":"v","n":1}}')
        paths = ("$.notations", "$.none", "$.one", "$.obj", "$.missing")
        self.same_answers(
            ["SELECT group_concat(value, ' ') FROM json_each('%s', '%s')" % (doc, p) for p in paths] +
            ["SELECT key, value, type FROM json_each('%s', '%s')" % (doc, p) for p in paths] +
            ["SELECT group_concat(value) FROM json_each('[\"a\",\"b\",null,\"c\"]')",
             "SELECT count(*) FROM json_each(NULL)",
             # the charts' letters of an item without any
             "SELECT coalesce((SELECT group_concat(value, ' ') FROM "
             "json_each('{}', '$.notations')), '')"])

    def test_json_valid_never_raises(self):
        docs = ('[1,2]', '{"a":1}', '{', '', 'source x: failed', '[1,]', '"s"')
        self.same_answers(
            ["SELECT CASE WHEN json_valid('%s') THEN 'valid' ELSE 'not' END" % d for d in docs] +
            # the store's guard over a column of older, unchecked rows
            ["SELECT count(*) FROM json_each(CASE WHEN json_valid('oops') "
             "THEN 'oops' ELSE '[]' END)"])

    def test_json_array_length(self):
        docs = ("'[1,2,3]'", "'[]'", "'{\"a\":1}'", "'7'", "NULL")
        self.same_answers(["SELECT json_array_length(%s)" % d for d in docs])

    def test_julianday_and_strftime(self):
        times = ("2024-01-15", "2024-01-15T10:30:00Z", "2024-01-15T10:30:00", "2024-01-15 10:30",
                 "2024-02-29T23:59:59Z", "1969-12-31T23:59:59Z", "2024-01-15T10:30:00.250Z",
                 "2024-01-15T10:30:00+02:00", "2024-01-15T10:30:00-05:30", "2024-02-30",
                 "2023-02-31T12:00:00Z", "2024-13-01", "2024-01-32", "2024-01-15T25:00:00Z",
                 "2024-01-15 10:30:00.5", "not a time", "")
        statements = []
        for t in times:
            statements += ["SELECT julianday('%s')" % t, "SELECT strftime('%%s', '%s')" % t,
                           "SELECT CAST(strftime('%%s', '%s') AS INTEGER)" % t]
        self.same_answers(statements + [
            "SELECT strftime('%Y-%m-%dT%H:%M:%SZ %j %w %f %%', '2024-03-05T01:02:03.456Z')",
            "SELECT julianday(NULL), strftime('%s', NULL)",
            # a day number as the charts count them
            "SELECT CAST(julianday(substr('2024-03-10T08:00:00Z', 1, 10)) - "
            "julianday(substr('2024-02-20T23:00:00Z', 1, 10)) AS INTEGER)"])

    def test_instr(self):
        pairs = (("hello world", "o w"), ("hello", "z"), ("héllo", "llo"), ("", ""), ("abc", ""))
        self.same_answers(["SELECT instr('%s', '%s')" % p for p in pairs] +
                          ["SELECT instr(lower('A Flag About CHAD'), lower('chad'))"])

    def test_scalar_max_and_min(self):
        self.same_answers([
            "SELECT max(3, 5), min(3, 5), max(3, NULL), min(NULL, 2)",
            "SELECT max('2024-01-02', '2024-01-10'), min('b', 'a')",
            # the aggregates are still there beside them
            "WITH t(x) AS (VALUES (4), (9), (1)) SELECT max(x), min(x) FROM t"])

    def test_collate_nocase(self):
        self.same_answers([
            "WITH t(x) AS (VALUES ('banana'), ('Cherry'), ('apple'), ('Apricot'), ('cab')) "
            "SELECT x FROM t ORDER BY x COLLATE NOCASE",
            "SELECT CASE WHEN 'Chad' = 'CHAD' COLLATE NOCASE THEN 'same' ELSE 'differ' END"])

    def test_text_columns_sort_as_sqlite(self):
        """items are read in key order and merged with strcmp: PostgreSQL
        must order them by bytes, as SQLite does, not by the locale."""
        keys = ["b", "B", "a", "_x", "Z", "10", "9", "é", "a b"]
        values = ", ".join("('s', '%s', '{}', 't', 't')" % k for k in keys)
        setup = ("INSERT INTO sources(id, url) VALUES ('s', 'u'); "
                 "INSERT INTO items(source, key, fields, first_seen, last_seen) VALUES %s;" % values)
        self.lite.executescript(setup)
        self.pg.psql("vane", "BEGIN; %s COMMIT;" % setup)
        try:
            self.same_answers(["SELECT key FROM items WHERE source = 's' ORDER BY key",
                               "SELECT count(*) FROM items WHERE key > 'Z'"])
        finally:
            cleanup = "DELETE FROM items; DELETE FROM sources;"
            self.lite.executescript(cleanup)
            self.pg.psql("vane", cleanup)

    def test_functions_in_a_parallel_plan(self):
        """The functions that catch PostgreSQL's errors (json_valid, the
        date functions) cannot run in a parallel worker: they must not be
        marked safe for one, or a large table's scan fails."""
        setup = ("INSERT INTO runs(started_at, errors) VALUES ('2024-02-30', '{'), "
                 "('2024-01-15T10:30:00Z', '[\"source a: x\"]');")
        sql = ("SELECT count(*), sum(CASE WHEN json_valid(errors) THEN 1 ELSE 0 END), "
               "count(julianday(started_at)), count(strftime('%s', started_at)) FROM runs")
        self.lite.executescript(setup)
        self.pg.psql("vane", setup)
        try:
            lite = [[sqlite_text(v) for v in r] for r in self.lite.execute(sql)]
            pg = self.pg.psql_each("vane", ["SET force_parallel_mode = on", sql])[1]
            self.assertEqual(pg, lite, "under force_parallel_mode: %s" % sql)
        finally:
            cleanup = "DELETE FROM runs;"
            self.lite.executescript(cleanup)
            self.pg.psql("vane", cleanup)

    def test_event_prev_and_diff_give_the_stored_columns(self):
        rows = self.pg.psql("vane", "SELECT event_prev('{\"a\":2}', '{\"a\":1}', '{\"a\":{}}'), "
                                    "event_diff('{\"a\":2}', '{\"a\":1}', '{\"a\":{}}'), "
                                    "coalesce(event_diff('{}', NULL, NULL), 'none')")
        self.assertEqual(rows, [['{"a":1}', '{"a":{}}', "none"]])


if __name__ == "__main__":
    unittest.main()

"""vanetest.py — helpers for vane's end-to-end tests.

Everything is real: the `vane` binary named by $VANE_BIN, a fixture HTTP
server on 127.0.0.1 (tests/fixture_server.py), SQLite files in a temporary
monitor folder. Nothing here talks to any other machine.

The store: SQLite (vane.db in the monitor folder) unless run.py --store
postgresql set $VANE_TEST_STORE=postgresql and $VANE_TEST_PG_SOCKET (the
folder of the run's throw-away cluster, pg.py). Then each monitor gets a
fresh database of its own there, dropped when it closes; its vane.lua says
`database "<url>"`, m.db is that URL and m.sql() runs plain SQL on it through
psql. A test about the SQLite file itself is marked @sqlite_only("why").

    class T(VaneCase):
        def test_x(self):
            m = self.monitor()                  # temp folder + server + vane.lua
            m.step(1)                           # serve t1.xml, run --all --now …
            r = m.vane("flags", "--json")
"""

import glob
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests"))

from fixture_server import FixtureServer, max_overlap  # noqa: E402,F401
import pg  # noqa: E402

FIXTURES = os.path.join(TOP, "tests", "fixtures", "travel_advisories")
SHIPPED_RULES = os.path.join(TOP, "rules")
ADVISORY_PATH = "/travel_advisories.xml"
SOURCE_ID = "travel-advisories"

# MANIFEST.md: step -> (--now, travel advisories snapshot)
STEPS = {
    1: ("2024-11-20T23:00:00Z", "t1.xml"),
    2: ("2024-11-22T23:00:00Z", "t2.xml"),
    3: ("2024-11-27T23:30:00Z", "t3.xml"),
    4: ("2024-12-03T23:00:00Z", "t4.xml"),
}

LEVEL_RULE = "advisory-level-change"
NOTATION_RULE = "advisory-notation-change"

DEFAULT_TIMEOUT = float(os.environ.get("VANE_TEST_TIMEOUT", "120"))


def vane_bin():
    b = os.environ.get("VANE_BIN")
    if not b:
        raise unittest.SkipTest("VANE_BIN is not set (run through tests/e2e/run.py --bin PATH)")
    return os.path.abspath(b)


def store():
    """The store this run tests: "sqlite" or "postgresql" (run.py --store)."""
    return os.environ.get("VANE_TEST_STORE") or "sqlite"


def on_postgresql():
    return store() == "postgresql"


def sqlite_only(reason):
    """Skip a test (or a whole TestCase) on the PostgreSQL store, saying why:
    for tests about the SQLite file itself (its modes, its copies, PRAGMAs)."""
    return unittest.skipIf(on_postgresql(), "SQLite only: " + reason)


_cluster = None


def pg_cluster():
    """The run's PostgreSQL cluster (started by run.py --store postgresql)."""
    global _cluster
    if _cluster is None:
        sock = os.environ.get("VANE_TEST_PG_SOCKET")
        if not sock:
            raise unittest.SkipTest("VANE_TEST_PG_SOCKET is not set "
                                    "(run through tests/e2e/run.py --store postgresql)")
        _cluster = pg.PgCluster.attach(sock)
    return _cluster


def is_pg_url(db):
    return isinstance(db, str) and db.startswith(("postgresql:", "postgres:"))


def pg_dbname(url):
    """The database a postgresql:///NAME?… URL names."""
    return url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]


def lua_str(s):
    """A Lua string literal for s."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class LuaExpr(str):
    """Lua text written into vane.lua as is: LuaExpr('env "VANE_TEST_SECRET"')."""


def lua_key(k):
    """A table key: bare when it is a Lua name, ["…"] otherwise ("X-Team")."""
    return k if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", k) else "[%s]" % lua_str(k)


def lua_value(v):
    if isinstance(v, LuaExpr):
        return str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return lua_str(v)
    if isinstance(v, (list, tuple)):
        return "{ " + ", ".join(lua_value(x) for x in v) + " }"
    if isinstance(v, dict):
        return "{ " + ", ".join("%s = %s" % (lua_key(k), lua_value(x)) for k, x in v.items()) + " }"
    raise TypeError("no Lua form for %r" % (v,))


def fold(s):
    """Lower case without accents: "São Tomé" -> "sao tome"."""
    s = unicodedata.normalize("NFKD", s or "")
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def parse_json_lines(text, what="output"):
    """Every non-empty line must be one JSON object."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise AssertionError("%s line %d is not JSON (%s): %r" % (what, n, e, line))
        if not isinstance(obj, dict):
            raise AssertionError("%s line %d is not a JSON object: %r" % (what, n, line))
        out.append(obj)
    return out


def shipped_rule_ids():
    """The ids the shipped rule files declare (by reading their text)."""
    ids = {}
    if not os.path.isdir(SHIPPED_RULES):
        return ids
    for name in sorted(os.listdir(SHIPPED_RULES)):
        if name.endswith(".lua"):
            with open(os.path.join(SHIPPED_RULES, name), encoding="utf-8") as f:
                m = re.search(r'\bid\s*=\s*["\']([^"\']+)["\']', f.read())
            if m:
                ids[m.group(1)] = name
    return ids


def describe(r):
    return "exit %s\n--- stdout ---\n%s\n--- stderr ---\n%s" % (r.returncode, r.stdout, r.stderr)


class Monitor:
    """A monitor folder in a temp dir, served by its own fixture server."""

    def __init__(self, case, rules=None, sources=None, settings=None, serve_dir=FIXTURES,
                 channels=None, env=None):
        self.case = case
        self.dir = tempfile.mkdtemp(prefix="vane-e2e-")
        self.pg_name = None
        self.pg_copies = []                  # databases made by copy_db
        if on_postgresql():
            self.pg_name = pg.unique_name("vane_e2e")
            self.db = self.db_setting = pg_cluster().create_database(self.pg_name)
        else:
            self.db = os.path.join(self.dir, "vane.db")
            self.db_setting = "vane.db"      # relative to the monitor folder
        self.server = FixtureServer(serve_dir)
        self.port = self.server.start()
        self.config = os.path.join(self.dir, "vane.lua")
        self.rules = rules if rules is not None else [SHIPPED_RULES]
        self.settings = settings
        self.sources = sources if sources is not None else [self.advisory_source()]
        self.channels = list(channels or [])   # dicts, written as channel { … }
        self.env = dict(env or {})             # added to every vane's environment
        self.write_config()

    # ---- set-up --------------------------------------------------------------
    def advisory_source(self, id=SOURCE_ID, query="", **extra):
        src = {"id": id, "url": self.server.url(ADVISORY_PATH) + query,
               "script": "travel_advisories", "every": "1h", "timeout": "20s",
               "max_bytes": "5MB", "removals": True, "ignore": ["published"]}
        src.update(extra)
        return src

    def write_config(self, text=None):
        """Write vane.lua from the monitor's settings (or the given text)."""
        if text is None:
            lines = [self.database_line(),
                     "rules " + lua_value(list(self.rules))]
            if self.settings:
                lines.append("settings " + lua_value(self.settings))
            for s in self.sources:
                lines.append("source " + lua_value(s))
            for c in self.channels:
                lines.append("channel " + lua_value(c))
            text = "\n".join(lines) + "\n"
        with open(self.config, "w", encoding="utf-8") as f:
            f.write(text)
        return self.config

    def database_line(self):
        """vane.lua's database line for this monitor's store."""
        return "database " + lua_str(self.db_setting)

    def rules_copy(self, extra=None, name="rules"):
        """A rules/ folder in the monitor with copies of the shipped rules and
        the given extra files {name.lua: text}; the config then uses it."""
        d = os.path.join(self.dir, name)
        os.makedirs(d, exist_ok=True)
        if os.path.isdir(SHIPPED_RULES):
            for f in os.listdir(SHIPPED_RULES):
                if f.endswith(".lua"):
                    shutil.copy(os.path.join(SHIPPED_RULES, f), d)
        for fname, text in (extra or {}).items():
            with open(os.path.join(d, fname), "w", encoding="utf-8") as f:
                f.write(text)
        self.rules = [name]
        self.write_config()
        return d

    def add_script(self, name, text):
        """Write scripts/NAME.lua in the monitor folder."""
        d = os.path.join(self.dir, "scripts")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, name + ".lua")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def config_line(self, needle):
        """The 1-based line of vane.lua that contains `needle` (None if none)."""
        with open(self.config, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if needle in line:
                    return n
        return None

    def serve(self, snapshot, path=ADVISORY_PATH):
        self.server.alias(path, snapshot)

    def close(self):
        self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.pg_name:
            for name in self.pg_copies + [self.pg_name]:
                pg_cluster().drop_database(name)

    # ---- running vane ----------------------------------------------------------
    def argv(self, *args, db=None):
        a = [vane_bin(), "-c", self.config]
        if db:
            a += ["--db", db]
        return a + list(args)

    def vane(self, *args, db=None, timeout=DEFAULT_TIMEOUT, env=None):
        """Run vane with the monitor's config; returns CompletedProcess (text)."""
        e = dict(os.environ)
        e.update(self.env)
        if env:
            e.update(env)
        try:
            return subprocess.run(self.argv(*args, db=db), cwd=self.dir, env=e,
                                  stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, errors="replace", timeout=timeout)
        except subprocess.TimeoutExpired as ex:
            raise AssertionError("vane %s did not finish in %ss\nstdout: %s\nstderr: %s"
                                 % (" ".join(args), timeout, ex.stdout, ex.stderr))

    def popen(self, *args, db=None):
        return subprocess.Popen(self.argv(*args, db=db), cwd=self.dir,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, errors="replace")

    def run(self, now, *extra, db=None, expect=0, json_out=True, timeout=DEFAULT_TIMEOUT):
        """`vane run --all --now NOW [--json]`; asserts the exit code (None: any)."""
        args = ["run", "--all", "--now", now] + (["--json"] if json_out else []) + list(extra)
        r = self.vane(*args, db=db, timeout=timeout)
        if expect is not None:
            self.case.assertEqual(r.returncode, expect, "vane %s\n%s" % (" ".join(args), describe(r)))
        r.flags = parse_json_lines(r.stdout, "vane run --json stdout") if json_out else None
        return r

    def step(self, n, *extra, db=None, expect=0, json_out=True):
        """Serve step n's snapshot and run that step."""
        now, snap = STEPS[n]
        self.serve(snap)
        return self.run(now, *extra, db=db, expect=expect, json_out=json_out)

    def query(self, what, *extra, db=None):
        """`vane flags|events|sources|runs --json …` parsed; asserts exit 0."""
        r = self.vane(what, "--json", *extra, db=db)
        self.case.assertEqual(r.returncode, 0, "vane %s --json\n%s" % (what, describe(r)))
        return parse_json_lines(r.stdout, "vane %s --json" % what)

    def flags(self, *extra, db=None):
        return self.query("flags", *extra, db=db)

    def events(self, *extra, db=None):
        return self.query("events", *extra, db=db)

    def source_rows(self, *extra, db=None):
        """`vane sources --json` as {id: row}."""
        return {row["id"]: row for row in self.query("sources", *extra, db=db)}

    def last_run(self, db=None):
        """The newest row of `vane runs --json`."""
        runs = self.query("runs", db=db)
        self.case.assertTrue(runs, "vane runs --json lists no run")
        return max(runs, key=lambda r: r["id"])

    # ---- the database directly ------------------------------------------------
    def sql(self, query, params=(), db=None):
        """Rows of a query (? placeholders) on the monitor's database, or on
        the SQLite file db; on PostgreSQL integer-looking cells come back as
        int, a bytea as bytes and NULL as None, as from SQLite."""
        if db is None and self.pg_name:
            return pg_cluster().psql(self.pg_name, query, params)
        if is_pg_url(db):
            return pg_cluster().psql(pg_dbname(db), query, params)
        con = sqlite3.connect("file:%s?mode=ro" % (db or self.db), uri=True, timeout=10)
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()

    def write_sql(self, query, params=()):
        """Run one writing statement on the monitor's database (committed)."""
        if self.pg_name:
            return pg_cluster().psql(self.pg_name, query, params)
        con = sqlite3.connect(self.db, timeout=10)
        try:
            with con:
                return con.execute(query, params).fetchall()
        finally:
            con.close()

    # ---- the store, on either kind ---------------------------------------------
    def tables(self):
        """The names of the database's tables."""
        if self.pg_name:
            return [t for (t,) in self.sql(
                "SELECT table_name FROM information_schema.tables WHERE "
                "table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1")]
        return [t for (t,) in self.sql("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "ORDER BY 1")]

    def db_exists(self):
        """Whether vane has made its database: the SQLite file, or any table
        in the monitor's (otherwise empty) PostgreSQL database."""
        if self.pg_name:
            return bool(self.tables())
        return os.path.exists(self.db)

    def stored_data(self):
        """[(what, bytes)]: everything the store holds, to search for what
        must not be there: vane.db and its WAL and lock files, or a pg_dump
        of the PostgreSQL database."""
        if self.pg_name:
            c = pg_cluster()
            r = subprocess.run([os.path.join(c.bin, "pg_dump"), "-d", self.db, "--no-owner"],
                               capture_output=True, timeout=120)
            self.case.assertEqual(r.returncode, 0, r.stderr)
            return [("pg_dump of " + self.pg_name, r.stdout)]
        out = []
        for path in sorted(glob.glob(self.db + "*")):
            with open(path, "rb") as f:
                out.append((os.path.basename(path), f.read()))
        return out

    def db_fingerprint(self):
        """A hash of the database's contents: the SQLite file's bytes, or a
        data-only pg_dump; equal fingerprints mean nothing was written."""
        if self.pg_name:
            r = subprocess.run([os.path.join(pg_cluster().bin, "pg_dump"), "-d", self.db,
                                "--data-only"], capture_output=True, timeout=120)
            self.case.assertEqual(r.returncode, 0, r.stderr)
            # pg_dump fences its output with \restrict KEY, a new random KEY each time
            stable = b"\n".join(l for l in r.stdout.split(b"\n")
                                if not l.startswith((b"\\restrict", b"\\unrestrict")))
            return hashlib.sha256(stable).hexdigest()
        with open(self.db, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    def data_bytes(self):
        """What the stored rows take: the SQLite file's size, or the tables'
        total size with their indexes and TOAST on PostgreSQL."""
        if self.pg_name:
            return self.sql("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) "
                            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE c.relkind = 'r' AND n.nspname = current_schema()")[0][0]
        return os.path.getsize(self.db)

    def db_bytes(self):
        """The database's whole size: the file, or pg_database_size."""
        if self.pg_name:
            return self.sql("SELECT pg_database_size(current_database())")[0][0]
        return os.path.getsize(self.db)

    def pending_events(self):
        """How many events the rules have yet to evaluate: past the
        evaluation watermark and not marked evaluated (db/010)."""
        return self.sql("SELECT count(*) FROM events WHERE id > (SELECT through FROM evaluation) "
                        "AND evaluated = 0")[0][0]

    def table_columns(self, table, db=None):
        if (db is None and self.pg_name) or is_pg_url(db):
            return [r[0] for r in self.sql(
                "SELECT column_name FROM information_schema.columns WHERE "
                "table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
                (table,), db=db)]
        rows = self.sql("SELECT name FROM sqlite_master WHERE type='table' AND name=?", (table,), db=db)
        if not rows:
            return []
        return [r[1] for r in self.sql("PRAGMA table_info(%s)" % table, db=db)]

    def copy_db(self, dest, db=None):
        """A consistent copy of the database (SQLite's backup API). On
        PostgreSQL a database made from it as a template (no vane may be
        connected to it), dropped with the monitor; returns its URL."""
        if (db is None and self.pg_name) or is_pg_url(db):
            return self._copy_pg(dest, db)
        src = sqlite3.connect(db or self.db, timeout=10)
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return dest


    def _copy_pg(self, dest, db=None):
        src = pg_dbname(db) if db else self.pg_name
        name = "%s_%s" % (self.pg_name, re.sub(r"[^a-z0-9]+", "_",
                                               os.path.basename(dest).lower()))[:63]
        c = pg_cluster()
        c.psql("postgres", "CREATE DATABASE %s TEMPLATE %s STRATEGY FILE_COPY"
               % (pg.quote_ident(name), pg.quote_ident(src)))
        self.pg_copies.append(name)
        return c.url(name)


class VaneCase(unittest.TestCase):
    """A TestCase with monitors that clean up after themselves."""

    maxDiff = None

    def monitor(self, **kw):
        m = Monitor(self, **kw)
        self.addCleanup(m.close)
        return m

    # ---- assertions on flags ------------------------------------------------
    def country_of(self, message, countries):
        f = fold(message)
        hits = [c for c in countries if fold(c) in f]
        return hits[0] if len(hits) == 1 else None

    def assertExit(self, r, code, what=""):
        self.assertEqual(r.returncode, code, "%s\n%s" % (what, describe(r)))

    def stderr_lines(self, r):
        return [l for l in r.stderr.splitlines() if l.strip()]


# A rule that flags every event it sees ("change key"); baseline events are
# not seen (no baseline = true).
ANY_RULE = """
return {
  id = "any-event",
  title = "Any event",
  severity = "low",
  when = function(ev) return true end,
  message = function(ev) return ev.change .. " " .. ev.key end,
}
"""


def make_site(case, files):
    """A temporary folder of files {relative name: text or bytes} for a
    fixture server to serve; removed when the test ends."""
    d = tempfile.mkdtemp(prefix="vane-site-")
    case.addCleanup(shutil.rmtree, d, True)
    write_files(d, files)
    return d


def write_files(folder, files):
    """Write {relative name: text or bytes} under `folder` (new mtimes)."""
    for name, content in files.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
            f.write(content)


def timed(fn, *args, **kw):
    """(result, seconds) of fn(*args, **kw)."""
    start = time.monotonic()
    out = fn(*args, **kw)
    return out, time.monotonic() - start


def wait_for(pred, timeout=10.0, interval=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(interval)
    return pred()


def kill_process(p):
    """SIGKILL a Popen we started and reap it."""
    if p.poll() is None:
        try:
            p.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        return p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        return "", ""

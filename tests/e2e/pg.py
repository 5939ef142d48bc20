#!/usr/bin/env python3
"""pg.py — a throw-away PostgreSQL cluster for vane's tests and benchmarks.

A cluster of Debian's PostgreSQL server made with initdb in a folder of its
own, listening only on a Unix socket in that folder (no TCP port, no system
service), tuned for speed over durability (fsync, synchronous_commit and
full_page_writes off), with trust authentication and one superuser, `vane`.
initdb refuses to run as root: as root the server runs as the `postgres`
system user that the Debian package creates, and the folder is theirs.

    pg = PgCluster()            # a new temporary folder
    pg.start()
    pg.create_database("t1")
    pg.url("t1")                # postgresql:///t1?host=FOLDER&user=vane
    pg.psql("t1", "SELECT 1")   # [(1,)]
    pg.stop()                   # stops it and removes the folder

From the shell (benchmarks, by hand):

    python3 tests/e2e/pg.py start DIR    # prints the base URL, leaves it running
    python3 tests/e2e/pg.py stop DIR
"""

import glob
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

SUPERUSER = "vane"
PORT = 5432                    # only names the socket file: there is no TCP
FIELD_SEP = "\x1f"             # ASCII unit separator between cells
RECORD_SEP = "\x1e"            # ASCII record separator between rows
NULL_MARK = "\x01NULL\x02"     # how psql prints NULL (no text holds it)
INT_RE = re.compile(r"^-?[0-9]+$")
BYTEA_RE = re.compile(r"^\\x(?:[0-9a-f]{2})*$")   # psql's hex form of a bytea

SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",       # 8 concurrent vane workers and tests
    "shared_buffers": "32MB",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",
    "logging_collector": "off",
}


class PgError(Exception):
    """A PostgreSQL command (initdb, pg_ctl, psql) that failed."""


def bindir():
    """The folder of initdb, pg_ctl, postgres and psql."""
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True,
                             text=True, check=True).stdout.strip()
        if os.path.isfile(os.path.join(out, "initdb")):
            return out
    except (OSError, subprocess.CalledProcessError):
        pass
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[-3]) if p.split("/")[-3].isdigit() else 0)
    if not found:
        raise PgError("no PostgreSQL server found (Debian package postgresql)")
    return os.path.dirname(found[-1])


def available():
    """Whether a PostgreSQL server can be made here (its reason if not)."""
    try:
        bindir()
    except PgError as e:
        return False, str(e)
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return False, "running as root and there is no postgres user"
    return True, ""


def alive(pid):
    """Whether process pid runs (a zombie, exited but not yet reaped by
    whichever process inherited it, does not)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def quote_literal(v):
    """v as an SQL literal: NULL, a number or a quoted string."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"           # as SQLite stores them
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, bytes):
        return "'\\x%s'::bytea" % v.hex()
    return "'" + str(v).replace("'", "''") + "'"


def quote_ident(name):
    return '"' + name.replace('"', '""') + '"'


def bind(query, params):
    """query with each ? outside quotes replaced by the next param, quoted."""
    params = list(params)
    out = []
    quote = None
    n = 0
    for ch in query:
        if quote:
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
        elif ch == "?":
            if n >= len(params):
                raise PgError("too few parameters for %r" % query)
            out.append(quote_literal(params[n]))
            n += 1
            continue
        out.append(ch)
    if n != len(params):
        raise PgError("%d parameters for %d placeholders in %r" % (len(params), n, query))
    return "".join(out)


def cell(text):
    """One cell of psql's unaligned output as a Python value: None, int,
    bytes (a bytea) or str."""
    if text == NULL_MARK:
        return None
    if INT_RE.match(text):
        return int(text)
    if BYTEA_RE.match(text):
        return bytes.fromhex(text[2:])     # bytes, as SQLite gives a BLOB
    return text


def parse_rows(out):
    """psql -A -t -F<US> -R<RS> output as a list of tuples."""
    if out.endswith("\n"):
        out = out[:-1]
    if not out:
        return []
    return [tuple(cell(c) for c in rec.split(FIELD_SEP)) for rec in out.split(RECORD_SEP)]


class PgCluster:
    """One PostgreSQL cluster in `folder`: data in folder/data, its socket
    in folder. owned=True (a folder made here) removes the folder on stop."""

    def __init__(self, folder=None):
        self.owned = folder is None
        self.dir = os.path.abspath(folder or tempfile.mkdtemp(prefix="vane-pg-"))
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "postgresql.log")
        self.bin = bindir()
        self.as_postgres = os.geteuid() == 0

    @classmethod
    def attach(cls, folder):
        """A handle on a cluster already running in folder (not stopped by it)."""
        c = cls(folder)
        c.owned = False
        return c

    # ---- running the server's programs ---------------------------------------
    def _server_cmd(self, prog, *args):
        """argv of a server program, as the postgres user when we are root."""
        argv = [os.path.join(self.bin, prog)] + list(args)
        if self.as_postgres:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        return argv

    def _run(self, argv, timeout=120, check=True):
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           errors="replace", timeout=timeout, cwd=self.dir,
                           start_new_session=True)   # Ctrl-C in a test run does not reach it
        if check and r.returncode != 0:
            raise PgError("%s failed (exit %d): %s%s" % (" ".join(argv), r.returncode,
                                                       r.stdout, r.stderr))
        return r

    def _give_to_postgres(self):
        if not self.as_postgres:
            return
        pw = pwd.getpwnam("postgres")
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        for root, dirs, files in os.walk(self.dir):
            for n in dirs + files:
                os.lchown(os.path.join(root, n), pw.pw_uid, pw.pw_gid)
        os.chmod(self.dir, 0o755)     # the socket's folder: clients of any user reach it

    # ---- the cluster's life -----------------------------------------------------
    def initdb(self):
        os.makedirs(self.dir, exist_ok=True)
        self._give_to_postgres()
        self._run(self._server_cmd("initdb", "-D", self.data, "-U", SUPERUSER, "-A", "trust",
                                   "-N", "-E", "UTF8", "--locale=C.UTF-8"))
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as f:
            f.write("# vane's tests: a throw-away cluster\n")
            f.write("unix_socket_directories = '%s'\n" % self.dir.replace("'", "''"))
            for k, v in SETTINGS.items():
                f.write("%s = %s\n" % (k, v))
        self._give_to_postgres()

    def running(self):
        """The postmaster's pid when one runs on this data folder, else None."""
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                pid = int(f.readline().strip())
        except (OSError, ValueError):
            return None          # no pid file: the postmaster removes it on exit
        return pid if alive(pid) else None

    def start(self):
        """initdb when the folder has no cluster yet, then start it; returns self."""
        if not os.path.isfile(os.path.join(self.data, "PG_VERSION")):
            self.initdb()
        try:
            self._run(self._server_cmd("pg_ctl", "start", "-w", "-t", "60", "-D", self.data,
                                       "-l", self.log, "-o", "-p %d" % PORT))
        except PgError as e:
            raise PgError("%s\nthe server's log:\n%s" % (e, self.log_tail())) from None
        return self

    def log_tail(self, lines=20):
        """The server log's last lines (why it did not start)."""
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def _pg_ctl_stop(self, mode):
        return self._run(self._server_cmd("pg_ctl", "stop", "-w", "-t", "30", "-m", mode,
                                          "-D", self.data), check=False).returncode == 0

    def halt(self, mode="fast"):
        """Stop the server (mode fast, falling back to immediate, then to
        SIGKILL); the folder stays."""
        pid = self.running()
        if pid is None:
            return
        if mode == "immediate" or not self._pg_ctl_stop("fast"):
            self._pg_ctl_stop("immediate")
        end = time.monotonic() + 10
        while self.running() == pid and time.monotonic() < end:
            time.sleep(0.05)
        if self.running() == pid:
            os.kill(pid, 9)

    def restart(self):
        """A crash and a start again on the same socket: stop -m immediate
        (no shutdown checkpoint, as at a power cut), then start."""
        self.halt("immediate")
        return self.start()

    def stop(self):
        """Stop the server and remove what this made."""
        self.halt("fast")
        if self.owned:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            shutil.rmtree(self.data, ignore_errors=True)
            for f in (self.log, self.socket(), self.socket() + ".lock"):
                if os.path.lexists(f):
                    os.remove(f)

    def socket(self):
        return os.path.join(self.dir, ".s.PGSQL.%d" % PORT)

    # ---- databases ----------------------------------------------------------------
    def url(self, name="postgres"):
        """The libpq URL of a database of this cluster."""
        return "postgresql:///%s?host=%s&user=%s" % (name, self.dir, SUPERUSER)

    def psql(self, dbname, sql, params=(), timeout=120):
        """Run sql (? placeholders bound to params) on a database; its rows as
        tuples, integer-looking cells as int and NULL as None."""
        if params:
            sql = bind(sql, params)
        argv = [os.path.join(self.bin, "psql"), "-X", "-q", "-A", "-t", "-F", FIELD_SEP,
                "-R", RECORD_SEP, "-P", "null=" + NULL_MARK, "-v", "ON_ERROR_STOP=1",
                "-d", self.url(dbname), "-c", sql]
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           errors="replace", timeout=timeout)
        if r.returncode != 0:
            raise PgError("psql on %s: %s\n%s" % (dbname, sql, r.stderr.strip()))
        return parse_rows(r.stdout)

    def create_database(self, name):
        # FILE_COPY: a checkpoint and a copy of the folder, quicker than
        # WAL_LOG for the small, fresh databases of the tests (fsync is off)
        self.psql("postgres", "CREATE DATABASE %s STRATEGY FILE_COPY" % quote_ident(name))
        return self.url(name)

    def drop_database(self, name):
        self.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % quote_ident(name))

    def databases(self):
        return sorted(r[0] for r in self.psql(
            "postgres", "SELECT datname FROM pg_database WHERE NOT datistemplate"))


def unique_name(prefix="vane_test"):
    """A database name no other test of this run uses."""
    return "%s_%d_%s" % (prefix, os.getpid(), uuid.uuid4().hex[:10])


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print("usage: pg.py start|stop DIR", file=sys.stderr)
        return 2
    c = PgCluster(argv[2])
    c.owned = False
    try:
        if argv[1] == "start":
            c.start()
            print(c.url(""))
        else:
            c.stop()
            try:
                os.rmdir(c.dir)      # only when nothing else is in it
            except OSError:
                pass
    except PgError as e:
        print("pg.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

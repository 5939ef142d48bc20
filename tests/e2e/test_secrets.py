"""test_secrets.py — a secret in a source's URL stays out of everything
vane writes or prints (issue 13, item 8).

A token read with `env "…"` into a source's query, and a user:password
before its host, are stored and shown redacted (scheme, host and path; the
query's values and the credentials as "…"): in the database file and its
WAL, `vane sources` (text and --json), `vane runs`, run output and error
messages. The database, its lock, WAL and SHM files and a file channel's
output are created mode 0600.
"""

import glob
import os
import stat
import unittest

from vanetest import ADVISORY_PATH, LuaExpr, VaneCase, lua_str, on_postgresql, sqlite_only

TOKEN = "s3cr3t-T0KEN-4c1d"
PASSWORD = "pa55-W0RD-9e7f"
HIDDEN = "\u2026"


class SecretsCase(VaneCase):
    def secret_monitor(self, **kw):
        m = self.monitor(env={"VANE_TOKEN": TOKEN}, **kw)
        base = m.server.url(ADVISORY_PATH)
        m.sources = [m.advisory_source(
            url=LuaExpr(lua_str(base + "?lang=en&token=") + " .. env \"VANE_TOKEN\""))]
        m.write_config()
        return m

    def assertNoSecret(self, text, where):
        self.assertNotIn(TOKEN, text, "the token leaked into %s" % where)
        self.assertNotIn(PASSWORD, text, "the password leaked into %s" % where)

    def assertFilesClean(self, m):
        for what, data in m.stored_data():
            self.assertNotIn(TOKEN.encode(), data, "the token is in %s" % what)
            self.assertNotIn(PASSWORD.encode(), data, "the password is in %s" % what)


class TestRedactedUrls(SecretsCase):
    def test_token_from_env_is_stored_and_shown_redacted(self):
        m = self.secret_monitor()
        r = m.step(1)
        self.assertNoSecret(r.stdout + r.stderr, "vane run's output")
        rows = m.source_rows()
        shown = m.server.url(ADVISORY_PATH) + "?lang=" + HIDDEN + "&token=" + HIDDEN
        self.assertEqual(rows["travel-advisories"]["url"], shown)
        self.assertTrue(rows["travel-advisories"]["items"] > 0, "the real URL was fetched")
        for args in (("sources",), ("sources", "--json"), ("runs",), ("runs", "--json"),
                     ("events", "--json"), ("flags", "--json")):
            out = m.vane(*args)
            self.assertExit(out, 0, " ".join(args))
            self.assertNoSecret(out.stdout + out.stderr, "vane " + " ".join(args))
        self.assertFilesClean(m)

    def test_credentials_before_the_host_are_redacted(self):
        m = self.monitor()
        base = m.server.url(ADVISORY_PATH)
        with_user = base.replace("http://", "http://analyst:%s@" % PASSWORD)
        m.sources = [m.advisory_source(url=with_user)]
        m.write_config()
        m.step(1)
        url = m.source_rows()["travel-advisories"]["url"]
        self.assertEqual(url, base.replace("http://", "http://" + HIDDEN + "@"))
        self.assertFilesClean(m)

    def test_failed_fetch_does_not_echo_the_token(self):
        m = self.secret_monitor()
        m.sources[0]["url"] = LuaExpr(lua_str(m.server.url("/missing.xml") + "?token=")
                                      + " .. env \"VANE_TOKEN\"")
        m.write_config()
        r = m.run("2024-11-20T23:00:00Z", expect=None)
        self.assertNotEqual(r.returncode, 0, "a 404 is a failed source")
        self.assertNoSecret(r.stdout + r.stderr, "a failed run's output")
        runs = m.vane("runs", "--json")
        self.assertNoSecret(runs.stdout, "vane runs --json")
        self.assertFilesClean(m)

    def test_check_does_not_echo_a_token_with_a_scheme_typo(self):
        m = self.secret_monitor()
        m.sources[0]["url"] = LuaExpr(lua_str("htps://example.invalid/feed?token=")
                                      + " .. env \"VANE_TOKEN\"")
        m.write_config()
        r = m.vane("check")
        self.assertExit(r, 2, "a scheme typo")
        self.assertNoSecret(r.stdout + r.stderr, "vane check")
        line = m.config_line("htps://")
        self.assertIn("vane.lua:%d:" % line, r.stderr)
        self.assertIn("htps://example.invalid/feed?token=" + HIDDEN, r.stderr)


class TestPrivateFiles(SecretsCase):
    def mode(self, path):
        return stat.S_IMODE(os.stat(path).st_mode)

    def test_database_lock_wal_and_file_channel_are_0600(self):
        out = "alerts.log"
        m = self.secret_monitor(channels=[{"id": "archive", "kind": "file", "path": out}])
        old = os.umask(0o022)
        try:
            m.step(1)
            m.step(2)
            checked = []
            # the database's files are SQLite's; on PostgreSQL only the channel's file
            files = [] if on_postgresql() else glob.glob(os.path.join(m.dir, "vane.db*"))
            for path in files + [os.path.join(m.dir, out)]:
                self.assertEqual(self.mode(path), 0o600, "%s is mode %o"
                                 % (os.path.basename(path), self.mode(path)))
                checked.append(os.path.basename(path))
            if not on_postgresql():
                self.assertIn("vane.db", checked)
                self.assertIn("vane.db.lock", checked)
            self.assertIn(out, checked, "the file channel wrote nothing")
            with open(os.path.join(m.dir, out), encoding="utf-8") as f:
                self.assertNoSecret(f.read(), "the file channel's output")
        finally:
            os.umask(old)

    @sqlite_only("the file mode of an existing vane.db")
    def test_an_existing_database_keeps_its_mode(self):
        m = self.secret_monitor()
        open(m.db, "wb").close()
        os.chmod(m.db, 0o640)
        m.step(1)
        self.assertEqual(self.mode(m.db), 0o640)


if __name__ == "__main__":
    unittest.main()

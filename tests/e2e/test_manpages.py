"""The man pages (man/*.scd): built with scdoc, rendered by man without a
warning, and naming every command, option and configuration key the
program knows, read from its own tables (`vane help --names`)."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from vanetest import TOP, vane_bin

MAN = os.path.join(TOP, "man")
PAGES = ["vane.1", "vane.lua.5", "vane-rules.7", "vane-scripts.7"]


def names():
    out = subprocess.run([vane_bin(), "help", "--names"], capture_output=True, text=True,
                         check=True).stdout
    return [line.split() for line in out.splitlines()]


@unittest.skipUnless(shutil.which("scdoc") and shutil.which("man"), "needs scdoc and man")
class ManPages(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vane-man-")
        cls.roff, cls.text = {}, {}
        for page in PAGES:
            with open(os.path.join(MAN, page + ".scd"), "rb") as f:
                r = subprocess.run(["scdoc"], stdin=f, capture_output=True)
            if r.returncode != 0:
                raise AssertionError("scdoc %s: %s" % (page, r.stderr.decode()))
            path = os.path.join(cls.dir, page)
            with open(path, "wb") as f:
                f.write(r.stdout)
            cls.roff[page] = path
            env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
            out = subprocess.run(["man", "-l", "-Tutf8", path], capture_output=True, env=env)
            cls.text[page] = out.stdout.decode("utf-8", "replace")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def words(self, page):
        """The rendered page with overstrike and hyphenation undone."""
        t = re.sub(r".\x08", "", self.text[page])
        t = re.sub(r"\x1b\[[0-9;]*m", "", t)
        return re.sub(r"[\u2010-]\n\s*", "-", t).replace("\u2010", "-")

    def test_each_page_renders_without_warnings(self):
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
        for page, path in self.roff.items():
            r = subprocess.run(["man", "-l", "--warnings", "-Tutf8", path],
                               capture_output=True, env=env)
            self.assertEqual(r.returncode, 0, page)
            self.assertEqual(r.stderr.decode(), "", "warnings rendering %s" % page)
            self.assertIn("NAME", self.words(page))
            if shutil.which("groff"):
                r = subprocess.run(["groff", "-t", "-man", "-ww", "-z", "-Tutf8", path],
                                   capture_output=True)
                self.assertEqual(r.stderr.decode(), "", "groff -ww warnings in %s" % page)

    def test_every_command_and_option_in_vane_1(self):
        text = self.words("vane.1")
        missing = []
        for n in names():
            if n[0] == "command" and not re.search(r"(?m)^\s+%s\b" % re.escape(n[1]), text):
                missing.append("command " + n[1])
            if n[0] == "option":
                for name in n[2:4]:
                    if name != "-" and not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(name),
                                                     text):
                        missing.append("option %s (%s)" % (name, n[1]))
        self.assertEqual(missing, [], "vane(1) lacks these")

    def test_every_declaration_key_and_kind_in_vane_lua_5(self):
        text = self.words("vane.lua.5")
        sections = {"source": "SOURCE", "channel": "CHANNEL", "watch": "WATCH",
                    "settings": "SETTINGS", "serve": "SERVE"}
        missing = []
        for n in names():
            if n[0] in ("declaration", "kind") and not re.search(r"\b%s\b" % re.escape(n[1]), text):
                missing.append("%s %s" % (n[0], n[1]))
            if n[0] == "key":
                decl = n[1].split(".")[0]
                part = text.split("\n%s\n" % sections[decl], 1)[-1]
                if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(n[2]), part):
                    missing.append("key %s %s" % (n[1], n[2]))
        self.assertEqual(missing, [], "vane.lua(5) lacks these")

    def test_exit_statuses_and_environment_in_vane_1(self):
        text = self.words("vane.1")
        for word in ("EXIT STATUS", "ENVIRONMENT", "FILES", "VANE_DB", "75"):
            self.assertIn(word, text)

    def test_rules_and_scripts_pages_name_the_event_and_the_library(self):
        rules = self.words("vane-rules.7")
        for field in ("ev.change", "ev.item", "ev.prev", "ev.diff", "ev.observed_at",
                      "ev.baseline", "vane.history", "vane.events"):
            self.assertIn(field, rules)
        scripts = self.words("vane-scripts.7")
        for part in ("vane.feed", "vane.html", "vane.xml", "vane.regex", "vane.time",
                     "vane.url", "vane.json", "vane.text", "vane.hash", "vane.items",
                     "vane.advisory", "vane.phrase", "vane.warn", "doc.body"):
            self.assertIn(part, scripts)


if __name__ == "__main__":
    unittest.main()

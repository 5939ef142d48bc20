"""test_browser.py — the web view (`vane serve`) in a real browser.

A monitor is built through the demo series (the travel advisories, steps 1
to 4 of MANIFEST.md: Madagascar 2→3, China 3→2 with D removed, Kosovo new,
São Tomé 1→2…), `vane serve --listen 127.0.0.1:PORT` is started on it, and
headless Chromium (browser.py) visits every page: the flags, one flag with
what changed, an item's history, the advisories and one country's levels
over time, the sources and the rules. Each page must answer 200, show what
the database holds, and log no console error (a Content-Security-Policy
violation is one). A screenshot of each page is written under
build/test-output/screenshots/. A verdict is then given through the flag
page's form, by a click, and must be in the database and on the page.
A rule whose message, title and link carry markup (an <img onerror>, a
<script>, an <svg onload>) must have it shown as text on /flags, the
flag's page and /rules, and nothing of it run.

Skipped, with the reason, when chromium is missing (not where $CI or
$VANE_REQUIRE_BROWSER is set) or when the binary has no `serve` command.
"""

import re
import socket
import subprocess
import threading
import time
import unittest
import urllib.request

from browser import Browser, require_browser
from vanetest import SOURCE_ID, VaneCase, kill_process, lua_str, vane_bin

SERVE_TIMEOUT = 30


def has_serve_command():
    r = subprocess.run([vane_bin(), "--help"], capture_output=True, text=True,
                       errors="replace", timeout=30, stdin=subprocess.DEVNULL)
    return re.search(r"^\s+serve\s", r.stdout + r.stderr, re.M) is not None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VaneServe:
    """`vane serve` on a monitor, on a free port of 127.0.0.1; ready once it
    prints "vane: serving http://…" on stderr and the port answers."""

    def __init__(self, monitor, *extra):
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.proc = monitor.popen("serve", "--listen", "127.0.0.1:%d" % self.port, *extra)
        self.stderr = []
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.stderr.append(line)
            if line.startswith("vane: serving http://"):
                self._ready.set()

    def wait_ready(self):
        deadline = time.monotonic() + SERVE_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("vane serve exited with status %s:\n%s"
                                     % (self.proc.returncode, "".join(self.stderr)))
            if self._ready.wait(0.1):
                try:
                    with urllib.request.urlopen(self.base + "/flags", timeout=5) as r:
                        r.read()
                    return
                except OSError:
                    pass
        raise AssertionError("vane serve was not ready in %ss:\n%s"
                             % (SERVE_TIMEOUT, "".join(self.stderr)))

    def url(self, path):
        return self.base + path

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                kill_process(self.proc)
        self._reader.join(5)


class BrowserView(VaneCase):
    @classmethod
    def setUpClass(cls):
        require_browser()
        if not has_serve_command():
            raise unittest.SkipTest("this vane has no serve command (the web view is not in this build)")

    def start_view(self, extra_rules=None):
        """The demo series (with extra rule files {name: text}), vane serve
        on it, a browser."""
        self.m = self.monitor()
        if extra_rules:
            self.m.rules_copy(extra_rules)
        for n in (1, 2, 3, 4):
            self.m.step(n)
        self.flags = self.m.flags()
        self.assertTrue(self.flags, "the demo series raised no flag")
        self.china = self.flag_with("China: Level 3 → Level 2")
        self.server = VaneServe(self.m)
        self.addCleanup(self.server.stop)
        self.server.wait_ready()
        self.b = Browser(timeout=30)
        self.b.start()
        self.addCleanup(self.b.close)

    def flag_with(self, text):
        hits = [f for f in self.flags if text in f["message"]]
        self.assertEqual(len(hits), 1, "flags with %r: %r" % (text, [f["message"] for f in self.flags]))
        return hits[0]

    def visit(self, path, shot):
        """Load path, assert 200, no console error; write the screenshot;
        the page's text."""
        self.b.clear_errors()
        status = self.b.navigate(self.server.url(path))
        self.assertEqual(status, 200, "GET %s" % path)
        self.b.screenshot(shot)
        self.assertEqual(self.b.console_errors(), [], "console errors on %s" % path)
        return self.b.text()

    def test_every_page_in_the_browser(self):
        self.start_view()
        # /flags: every flag of the series, with a link to its page
        text = self.visit("/flags", "flags")
        for msg in ("China: Level 3 → Level 2", "China: D (wrongful detention) removed",
                    "Madagascar: Level 2 → Level 3", "Kosovo: new advisory"):
            self.assertIn(msg, text)
        self.assertGreaterEqual(self.b.count('a[href*="/flags/%d"]' % self.china["id"]), 1)

        # /flags/ID: what changed, as a word diff, and the verdict form
        text = self.visit("/flags/%d" % self.china["id"], "flag")
        self.assertIn("China: Level 3 → Level 2", text)
        self.assertIn("what changed", text.lower())
        self.assertGreaterEqual(self.b.count("del"), 1)
        self.assertGreaterEqual(self.b.count("ins"), 1)
        self.assertNotEqual(self.b.text("del").strip(), "")
        self.assertEqual(self.b.count('form input[type=radio][name=verdict]'), 2)
        self.assertEqual(self.b.count('form input[type=hidden][name=csrf]'), 1)

        # /items/SOURCE/KEY: China's versions, the old level and the new
        text = self.visit("/items/%s/%s" % (SOURCE_ID, self.china["key"]), "item")
        self.assertIn("Mainland China", text)
        self.assertIn("Level 3", text)
        self.assertIn("Level 2", text)

        # /advisories: the countries of the series
        text = self.visit("/advisories", "advisories")
        for country in ("China", "Madagascar", "Kosovo"):
            self.assertIn(country, text)

        # /advisories/SOURCE/KEY: China's level over time, drawn
        self.visit("/advisories/%s/%s" % (SOURCE_ID, self.china["key"]), "advisory-china")
        self.assertGreaterEqual(self.b.count("svg"), 1)
        self.assertGreaterEqual(self.b.count("svg circle, svg polyline, svg path, svg rect"), 2)

        # /sources and /rules
        self.assertIn(SOURCE_ID, self.visit("/sources", "sources"))
        text = self.visit("/rules", "rules")
        self.assertIn(self.china["rule"], text)

    def test_verdict_through_the_flag_form(self):
        self.start_view()
        fid = self.china["id"]
        self.visit("/flags/%d" % fid, "flag-before-verdict")
        self.assertEqual(self.m.sql("SELECT count(*) FROM verdicts"), [(0,)])
        form = 'form:has(input[name=verdict])'
        fields = {"verdict": "noise"}
        if self.b.count(form + ' [name=note]'):
            fields["note"] = "lowered, but «D» stays in mind"
        self.b.fill_and_submit(form, fields)
        self.assertEqual(self.b.console_errors(), [], "console errors after the verdict")
        self.b.screenshot("flag-after-verdict")
        rows = self.m.sql("SELECT flag_id, verdict, note FROM verdicts")
        self.assertEqual([(r[0], r[1]) for r in rows], [(fid, "noise")], describe_server(self.server))
        if "note" in fields:
            self.assertEqual(rows[0][2], fields["note"])
        # the page it lands on (or the flag's page again) shows the verdict
        self.b.navigate(self.server.url("/flags/%d" % fid))
        self.assertTrue(self.b.evaluate(
            "document.querySelector('input[name=verdict][value=noise]').checked"
            " || /noise/i.test(document.body.innerText)"))
        # the last word counts: useful replaces noise
        self.b.fill_and_submit(form, {"verdict": "useful"})
        rows = self.m.sql("SELECT flag_id, verdict FROM verdicts")
        self.assertEqual(rows, [(fid, "useful")])

    def test_markup_in_values_is_text(self):
        """A flag whose message, title and link carry markup: the browser
        shows the characters and runs nothing (no element, no console error)."""
        self.start_view({"markup.lua": MARKUP_RULE})
        hit = [f for f in self.m.flags() if f["rule"] == "markup-in-values"]
        self.assertEqual(len(hit), 1, [f["rule"] for f in self.m.flags()])
        fid = hit[0]["id"]
        for path, shot in (("/flags", "markup-flags"), ("/flags/%d" % fid, "markup-flag"),
                           ("/rules", "markup-rules")):
            text = self.visit(path, shot)
            if path != "/rules":
                self.assertIn(MARKUP_MESSAGE, text, path)
            else:    # the rule, by id; its title, if shown, as text (no element below)
                self.assertIn("markup-in-values", text)
            self.assertEqual(self.b.evaluate("window.__pwned === undefined"), True, path)
            self.assertEqual(self.b.count("img[src=x], svg[onload], b.injected, i.injected"), 0, path)
        links = self.b.evaluate("Array.from(document.links).map(function(a){return a.protocol})")
        self.assertNotIn("javascript:", links)


MARKUP_MESSAGE = ('Niger <img src=x onerror="window.__pwned=1"> & <b class="injected">bold</b> '
                  '<script>window.__pwned=2</script> "quoted" \'single\'')

MARKUP_RULE = """
return {
  id = "markup-in-values",
  title = "Flags <i class=\\"injected\\">markup</i>",
  severity = "low",
  when = function(ev) return ev.key == "MA" end,
  message = function(ev)
    return { message = %s,
             title = "<svg onload=\\"window.__pwned=3\\">Madagascar</svg>",
             link = "https://example.org/?a=1&b=%%22%%3E%%3Cscript%%3E" }
  end,
}
""" % lua_str(MARKUP_MESSAGE)


def describe_server(server):
    return "vane serve's stderr:\n" + "".join(server.stderr)


if __name__ == "__main__":
    unittest.main()

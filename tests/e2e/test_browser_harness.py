"""test_browser_harness.py — tests of browser.py itself, on static pages.

The pages are served by tests/fixture_server.py from a temporary folder: a
clean page, one whose external script logs console.error, one that throws,
one whose inline script its own Content-Security-Policy forbids (a CSP
violation must show as a console error: the web view's tests rely on it),
and a form like the flag page's verdict form (radio inputs named verdict,
a hidden csrf) submitted by a real mouse click.
"""

import os
import unittest

from browser import Browser, BrowserError, PNG_SIGNATURE, require_browser
from vanetest import FixtureServer, make_site, wait_for

CLEAN = """<!doctype html>
<html><head><meta charset="utf-8"><title>Flags — vane</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'">
<link rel="stylesheet" href="/style.css"></head>
<body><h1>Flags</h1>
<table><tr class="flag"><td>China: Level 3 → Level 2</td></tr>
<tr class="flag"><td>Niger: Level 4 &lt;Do Not Travel&gt;</td></tr></table>
</body></html>
"""

LOGS = """<!doctype html><html><head><meta charset="utf-8"><title>logs</title></head>
<body><p>x</p><script src="/logs.js"></script></body></html>
"""

THROWS = """<!doctype html><html><head><meta charset="utf-8"><title>throws</title></head>
<body><p>x</p><script src="/throws.js"></script></body></html>
"""

CSP = """<!doctype html><html><head><meta charset="utf-8"><title>csp</title>
<meta http-equiv="Content-Security-Policy" content="script-src 'self'"></head>
<body><p id="p">untouched</p><script>document.getElementById('p').textContent = 'ran';</script>
</body></html>
"""

FORM = """<!doctype html><html><head><meta charset="utf-8"><title>flag 7</title></head>
<body><h2>what changed</h2><p><del>Level 3</del> <ins>Level 2</ins></p>
<form class="verdict" method="get" action="/done.html">
<input type="hidden" name="csrf" value="tok-123">
<label><input type="radio" name="verdict" value="useful"> useful</label>
<label><input type="radio" name="verdict" value="noise"> noise</label>
<input type="text" name="note">
<button type="submit">Save</button>
</form></body></html>
"""

DONE = """<!doctype html><html><head><meta charset="utf-8"><title>done</title></head>
<body><p>saved</p></body></html>
"""


class BrowserHarness(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_browser()

    def setUp(self):
        site = make_site(self, {
            "index.html": CLEAN, "style.css": "h1 { color: #123; }\n",
            "logs.html": LOGS, "logs.js": "console.error('broken on purpose', 42);\n",
            "throws.html": THROWS, "throws.js": "null.nothing();\n",
            "csp.html": CSP, "form.html": FORM, "done.html": DONE,
        })
        self.server = FixtureServer(site)
        self.server.start()
        self.addCleanup(self.server.stop)
        self.b = Browser(timeout=30)
        self.b.start()
        self.addCleanup(self.b.close)

    def test_reads_the_dom_of_a_clean_page(self):
        status = self.b.navigate(self.server.url("/index.html"))
        self.assertEqual(status, 200)
        self.assertEqual(self.b.evaluate("document.title"), "Flags — vane")
        self.assertEqual(self.b.count("tr.flag"), 2)
        body = self.b.text()
        self.assertIn("China: Level 3 → Level 2", body)
        self.assertIn("Niger: Level 4 <Do Not Travel>", body)
        self.assertEqual(self.b.console_errors(), [])

    def test_a_404_is_reported_as_its_status(self):
        self.assertEqual(self.b.navigate(self.server.url("/missing.html")), 404)

    def test_console_error_is_caught(self):
        self.b.navigate(self.server.url("/logs.html"))
        errors = self.b.console_errors()
        self.assertTrue(any("broken on purpose 42" in e for e in errors), errors)

    def test_uncaught_exception_is_caught(self):
        self.b.navigate(self.server.url("/throws.html"))
        errors = self.b.console_errors()
        self.assertTrue(any(e.startswith("exception:") and "null" in e for e in errors), errors)

    def test_csp_violation_is_a_console_error(self):
        self.b.navigate(self.server.url("/csp.html"))
        self.assertEqual(self.b.text("#p"), "untouched")   # the inline script was refused
        errors = self.b.console_errors()
        self.assertTrue(any("Content Security Policy" in e for e in errors), errors)

    def test_screenshot_is_a_png_file(self):
        self.b.navigate(self.server.url("/index.html"))
        path = self.b.screenshot("harness-index")
        self.addCleanup(os.remove, path)
        self.assertTrue(path.endswith(os.path.join("screenshots", "harness-index.png")), path)
        with open(path, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(PNG_SIGNATURE))
        self.assertGreater(len(data), 1000)
        # the IHDR chunk: the page's width as the browser was told
        self.assertEqual(int.from_bytes(data[16:20], "big"), 1280)

    def test_form_submitted_with_a_click(self):
        self.b.navigate(self.server.url("/form.html"))
        self.assertEqual(self.b.count("form input[type=radio][name=verdict]"), 2)
        self.assertEqual(self.b.evaluate(
            "document.querySelector('form input[type=hidden][name=csrf]').value"), "tok-123")
        self.b.fill_and_submit("form.verdict", {"verdict": "noise", "note": "seen élan"})
        url = self.b.url()
        self.assertIn("/done.html?", url)
        self.assertIn("csrf=tok-123", url)
        self.assertIn("verdict=noise", url)
        self.assertIn("note=seen+%C3%A9lan", url)
        self.assertEqual(self.b.text(), "saved")

    def test_fill_names_a_missing_field(self):
        self.b.navigate(self.server.url("/form.html"))
        with self.assertRaisesRegex(BrowserError, "no value maybe for verdict"):
            self.b.fill("form.verdict", {"verdict": "maybe"})
        with self.assertRaisesRegex(BrowserError, "no field rating"):
            self.b.fill("form.verdict", {"rating": "5"})

    def test_unreachable_page_is_an_error_not_a_hang(self):
        self.server.stop()
        with self.assertRaisesRegex(BrowserError, "ERR_CONNECTION_REFUSED"):
            self.b.navigate(self.server.url("/index.html"))

    def test_close_stops_chromium_and_removes_its_profile(self):
        pid, profile = self.b.proc.pid, self.b.profile
        self.assertTrue(os.path.isdir(profile))
        self.b.close()
        self.assertIsNotNone(self.b.proc.poll())
        self.assertFalse(os.path.exists(profile))
        # its helpers, in its process group, are gone too (reaped within 5 s)
        def group_gone():
            try:
                os.killpg(pid, 0)
                return False
            except ProcessLookupError:
                return True
        self.assertTrue(wait_for(group_gone, timeout=5), "chromium's process group outlived close()")


if __name__ == "__main__":
    unittest.main()

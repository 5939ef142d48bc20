"""The pages of flags and items of `vane serve`, end to end: a real feed
(one item with a hostile title and link) run twice by the real binary, then
`vane serve --listen 127.0.0.1:PORT` answering GET /flags (with filters),
GET /flags/ID, POST /flags/ID/verdict (the csrf field read from the form)
and GET /items/SOURCE/KEY; the hostile title shows as text, never markup."""

import html
import http.cookiejar
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

from vanetest import VaneCase, kill_process, make_site

HOSTILE = "<script>alert(1)</script>"
LONG = ("The embassy reminds travellers that the northern border crossings are %s to all "
        "traffic until further notice, and that the roads leading to them are patrolled; "
        "register your stay, keep your documents with you and follow the local news.")


def feed(items):
    entries = "".join(
        "<item><title>%s</title><link>%s</link><guid>%s</guid><description>%s</description>"
        "</item>" % (html.escape(t), html.escape(link), html.escape(guid), html.escape(d))
        for guid, t, link, d in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>News</title><link>https://example.org/</link>%s</channel></rss>" % entries)


CALM = ("https://example.org/a", "Border notice", "https://example.org/a", LONG % "closed")
CALM_EDITED = ("https://example.org/a", "Border notice", "https://example.org/a", LONG % "open")
ODD = ("https://example.org/odd", HOSTILE, 'https://example.org/x"onmouseover=alert(1)', "odd")

EVERY_CHANGE = """
return {
  id = "every-change",
  title = "Every new or changed item",
  severity = "high",
  when = function(ev) return not ev.baseline and ev.change ~= "removed" end,
  message = function(ev) return ev.change .. ": " .. tostring(ev.item.title) end,
}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


class PagesOfFlags(VaneCase):

    def setUp(self):
        site = make_site(self, {"feed_1.xml": feed([CALM]),
                                "feed_2.xml": feed([CALM_EDITED, ODD])})
        m = self.monitor(serve_dir=site, sources=[], rules=[])
        m.sources = [{"id": "news", "name": "News & views", "url": m.server.url("/feed.xml"),
                      "script": "rss", "every": "1h", "timeout": "20s"}]
        m.rules_copy({"every_change.lua": EVERY_CHANGE})
        m.serve("feed_1.xml", path="/feed.xml")
        m.run("2024-11-20T23:00:00Z")
        m.serve("feed_2.xml", path="/feed.xml")
        r = m.run("2024-11-22T23:00:00Z")
        self.flags = {f["key"]: f for f in r.flags if f["rule"] == "every-change"}
        self.assertEqual(len(self.flags), 2, r.flags)
        self.m = m
        self.port = free_port()
        self.server = subprocess.Popen(
            m.argv("serve", "--listen", "127.0.0.1:%d" % self.port), cwd=m.dir,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(kill_process, self.server)
        self.base = "http://127.0.0.1:%d" % self.port
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.raw = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if self.server.poll() is not None or time.monotonic() > deadline:
                    out, err = self.server.communicate()
                    self.fail("vane serve did not answer: %s %s" % (out, err))
                time.sleep(0.05)

    def get(self, path, opener=None):
        try:
            with (opener or self.opener).open(self.base + path, timeout=10) as resp:
                return resp.status, resp.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.raw.open(self.base + path, data=data, timeout=10) as resp:
                return resp.status, resp.headers.get("Location")
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Location")

    def test_the_list_shows_the_flags_and_the_hostile_title_as_text(self):
        status, page = self.get("/flags")
        self.assertEqual(status, 200)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
        self.assertNotIn(HOSTILE, page)
        self.assertNotIn('"onmouseover=', page)
        self.assertIn('<a href="https://example.org/a" rel="noopener noreferrer">Border notice</a>',
                      page)
        self.assertIn("News &amp; views", page)
        for f in self.flags.values():
            self.assertIn('href="/flags/%d"' % f["id"], page)
        status, page = self.get("/flags?rule=every-change&q=SCRIPT")
        self.assertEqual(status, 200)
        self.assertEqual(page.count("<tr><td>"), 1)
        status, page = self.get("/flags?since=2030-01-01")
        self.assertIn("No flags match these filters.", page)

    def test_a_flag_page_takes_a_verdict(self):
        f = self.flags["https://example.org/a"]
        status, page = self.get("/flags/%d" % f["id"])
        self.assertEqual(status, 200)
        self.assertIn("<del>closed </del>", page)
        self.assertIn("<ins>open </ins>", page)
        self.assertIn("No verdict yet.", page)
        csrf = re.search(r'name="csrf" value="([^"]*)"', page)
        self.assertIsNotNone(csrf, page)
        status, where = self.post("/flags/%d/verdict" % f["id"],
                                  {"csrf": html.unescape(csrf.group(1)), "verdict": "useful",
                                   "note": "worth <knowing>"})
        self.assertEqual(status, 303)
        self.assertTrue(where.endswith("/flags/%d" % f["id"]), where)
        status, page = self.get("/flags/%d" % f["id"])
        self.assertIn("<strong>useful</strong>", page)
        self.assertIn("worth &lt;knowing&gt;", page)
        status, page = self.get("/flags")
        self.assertIn("<td>useful</td>", page)

        status, _ = self.post("/flags/%d/verdict" % f["id"],
                              {"csrf": html.unescape(csrf.group(1)), "verdict": "great"})
        self.assertEqual(status, 400)
        status, _ = self.get("/flags/999999")
        self.assertEqual(status, 404)

    def test_an_item_page_shows_its_versions(self):
        f = self.flags["https://example.org/a"]
        status, page = self.get("/flags/%d" % f["id"])
        link = re.search(r'href="(/items/[^"]*)"', page)
        self.assertIsNotNone(link, page)
        self.assertIn("https%3A%2F%2Fexample.org%2Fa", link.group(1))
        status, page = self.get(html.unescape(link.group(1)))
        self.assertEqual(status, 200, page)
        self.assertEqual(page.count('<section class="version"'), 2)
        self.assertIn('<a href="/flags/%d">' % f["id"], page)
        status, _ = self.get("/items/news/nothing-here")
        self.assertEqual(status, 404)

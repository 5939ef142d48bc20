"""test_contain_limits.py — issue 12: time and memory bounded for real.

Each reproduction of the issue runs as a rule in a real monitor beside a
canary: an RSS source whose second snapshot adds "Release of three detained
citizens", which the shipped prisoner-release rule flags. The hostile rule
must be stopped by a limit (instruction budget, wall-clock deadline or
memory ceiling) with a message naming its file and line and the kind of
limit, the run must finish in seconds, and the canary must still be stored
and flagged.
"""

import os
import resource
import time
import unittest

from vanetest import VaneCase, describe, make_site

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Canary news</title><link>https://news.example.org/</link>
%s
</channel></rss>
"""
ITEM = ("<item><title>%s</title><link>https://news.example.org/%s</link>"
        "<guid>https://news.example.org/%s</guid></item>")
FIRST = [("Ministers meet on trade", "a"), ("Weather warning for the coast", "b")]
SECOND = FIRST + [("Release of three detained citizens", "c")]
CANARY = "Release of three detained citizens"


def feed(items):
    return FEED % "\n".join(ITEM % (t, k, k) for t, k in items)


def hostile_rule(rule_id, body):
    """A rule file whose `when` runs body on every event: the body's first
    line is line 4 of the file."""
    return ("-- %s: a reproduction of issue 12\n"
            "return {\n"
            "  id = %r, title = 'hostile', when = function(ev)\n"
            "%s\n"
            "    return false\n"
            "  end,\n"
            "}\n") % (rule_id, rule_id, body)


class Limits(VaneCase):

    def run_with(self, files, settings=None, budget_s=60):
        """Two runs of a monitor with the shipped rules plus files, over the
        canary feed; returns the second run (the one with the canary) and
        how long it took."""
        site = make_site(self, {"feed1.xml": feed(FIRST), "feed2.xml": feed(SECOND)})
        m = self.monitor(serve_dir=site, sources=[], settings=settings)
        m.sources = [{"id": "canary", "url": m.server.url("/feed.xml"), "script": "rss"}]
        m.rules_copy(files)
        m.serve("feed1.xml", "/feed.xml")
        m.run("2026-01-01T00:00:00Z", expect=None, timeout=budget_s)
        m.serve("feed2.xml", "/feed.xml")
        t0 = time.monotonic()
        r = m.run("2026-01-02T00:00:00Z", expect=None, timeout=budget_s)
        took = time.monotonic() - t0
        self.monitor_ = m
        return m, r, took

    def assertContained(self, m, r, where, kind_text):
        """The run finished with the culprit named at file:line with the
        kind of limit, and the canary was stored and flagged."""
        self.assertIn(r.returncode, (0, 1), describe(r))
        self.assertIn(where, r.stderr, describe(r))
        self.assertIn(kind_text, r.stderr, describe(r))
        line = [l for l in r.stderr.splitlines() if where in l][0]
        self.assertIn(kind_text, line, describe(r))
        flags = m.flags()
        hits = [f for f in flags if f.get("rule") == "prisoner-release" and CANARY in (f.get("message") or "")]
        self.assertEqual(len(hits), 1, "canary flag missing: %r\n%s" % (flags, describe(r)))
        titles = [e.get("title") or (e.get("item") or {}).get("title") for e in m.events()]
        self.assertTrue(any(t and CANARY in t for t in titles) or hits, describe(r))

    def test_upper_over_twenty_megabytes_in_a_loop(self):
        m, r, took = self.run_with({"upper.lua": hostile_rule(
            "upper", "    local s = ('x'):rep(20e6) for i = 1, 1e7 do local u = s:upper() end")})
        self.assertContained(m, r, "upper.lua:4:", "instruction budget exhausted")
        self.assertLess(took, 30, describe(r))

    def test_pattern_at_its_step_limit_in_a_loop_behind_pcall(self):
        m, r, took = self.run_with({"pattern.lua": hostile_rule(
            "pattern", "    for i = 1, 1e9 do pcall(string.find, ('a'):rep(1e5), ('a*'):rep(20) .. 'b') end")})
        self.assertContained(m, r, "pattern.lua:4:", "instruction budget exhausted")
        self.assertLess(took, 30, describe(r))

    def test_regex_at_its_match_limit_in_a_loop_behind_pcall(self):
        m, r, took = self.run_with({"regex.lua": hostile_rule(
            "regex", "    for i = 1, 1e9 do pcall(vane.regex.test, ('a'):rep(30) .. 'b', '(a+)+$') end")})
        self.assertContained(m, r, "regex.lua:4:", "instruction budget exhausted")
        self.assertLess(took, 30, describe(r))

    def test_call_timeout_stops_what_the_budget_would_not(self):
        # two billion instructions take far longer than a second: the clock stops it
        m, r, took = self.run_with({"spin.lua": hostile_rule(
            "spin", "    while true do pcall(function() while true do end end) end")},
            settings={"instructions": 2000000000, "call_timeout": "1s"})
        self.assertContained(m, r, "spin.lua:4:", "call exceeded its time limit (1 s)")
        self.assertLess(took, 30, describe(r))

    def test_twelve_html_documents_kept_hit_the_memory_ceiling(self):
        m, r, took = self.run_with({"docs.lua": hostile_rule(
            "docs",
            "    local body = '<ul>' .. ('<li><a href=\"/x\">item</a></li>'):rep(129032) .. '</ul>'\n"
            "    local keep = {} for i = 1, 12 do keep[i] = vane.html(body) end")},
            settings={"memory": "64MB", "call_timeout": "2m"})   # parsing is slow under ASan
        self.assertContained(m, r, "docs.lua:5:", "not enough memory (limit")
        self.assertLess(took, 30, describe(r))
        # the children's peak resident memory stays near the ceiling, not gigabytes
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.assertLess(peak_kb, 400 * 1024, "peak resident %d KB" % peak_kb)


if __name__ == "__main__":
    unittest.main()

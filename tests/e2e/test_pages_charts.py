"""The advisories, sources and rules pages of `vane serve` over the demo
advisory series (steps 1–4), through the real binary and HTTP on
127.0.0.1: /advisories lists China at level 2 and sorts by level;
/advisories/SOURCE/CH draws an SVG step chart with a point per version and
the 3 → 2 step, indicator lanes and the change notes; /sources shows the
source's health with its chart; /rules shows each rule's flags per week and
its precision after `vane flags mark` (1 useful, 1 noise -> 0.50); an
unknown country is a 404.

Needs `vane serve --listen 127.0.0.1:PORT` (another part of issue 16): on
a binary without the serve command the tests are skipped, saying so."""

import re
import socket
import urllib.error
import urllib.request

from vanetest import (LEVEL_RULE, SOURCE_ID, VaneCase, describe, kill_process, wait_for)

NOW = "2024-12-04T00:00:00Z"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class PagesCharts(VaneCase):

    def setUp(self):
        self.m = self.monitor()
        r = self.m.vane("serve", "--help")
        if r.returncode != 0:
            self.skipTest("this vane has no serve command yet\n" + describe(r))
        for step in (1, 2, 3, 4):
            self.m.step(step, expect=None)
        self.port = free_port()
        self.server = self.m.popen("serve", "--listen", "127.0.0.1:%d" % self.port, "--now", NOW)
        self.addCleanup(kill_process, self.server)
        if not wait_for(lambda: answers(self.port) or self.server.poll() is not None, 20):
            self.fail("vane serve did not answer on port %d" % self.port)
        if self.server.poll() is not None:
            out, err = self.server.communicate()
            self.fail("vane serve exited %s\n%s\n%s" % (self.server.returncode, out, err))

    def get(self, path, status=200):
        url = "http://127.0.0.1:%d%s" % (self.port, path)
        try:
            with urllib.request.urlopen(url, timeout=20) as r:
                code, body, ctype = r.status, r.read().decode("utf-8"), r.headers["Content-Type"]
        except urllib.error.HTTPError as e:
            code, body, ctype = e.code, e.read().decode("utf-8", "replace"), e.headers["Content-Type"]
        self.assertEqual(code, status, "GET %s\n%s" % (path, body[:2000]))
        if status == 200:
            self.assertTrue(ctype.startswith("text/html"), ctype)
        return body

    def row(self, page, attr, value):
        m = re.search(r'<tr %s="%s">(.*?)</tr>' % (attr, re.escape(value)), page, re.S)
        self.assertIsNotNone(m, "no row %s=%s" % (attr, value))
        return m.group(1)

    def test_advisories_list_china_at_level_2(self):
        page = self.get("/advisories")
        ch = self.row(page, "data-key", "CH")
        self.assertIn('data-level="2"', ch)
        self.assertIn('href="/advisories/%s/CH"' % SOURCE_ID, ch)
        self.assertIn("China", ch)
        keys = re.findall(r'<tr data-key="([^"]+)">', page)
        self.assertGreaterEqual(len(keys), 10, "every country of the feed")
        by_level = self.get("/advisories?sort=level")
        levels = [int(x) for x in re.findall(r'data-level="(\d)"', by_level)]
        self.assertEqual(levels, sorted(levels, reverse=True))
        self.assertEqual(sorted(re.findall(r'<tr data-key="([^"]+)">', by_level)), sorted(keys))

    def test_china_has_a_point_per_version_and_the_3_to_2_step(self):
        versions = [e for e in self.m.events("--key", "CH") if e["source"] == SOURCE_ID]
        page = self.get("/advisories/%s/CH" % SOURCE_ID)
        svg = page[page.index("<svg"):page.index("</svg>")]
        points = re.findall(r'<circle class="pt"[^>]* data-t="([^"]+)" data-v="([^"]+)"', svg)
        self.assertEqual(len(points), len(versions), "a point per version")
        self.assertEqual([t for t, _ in points], [e["observed_at"] for e in versions])
        levels = [int(float(v)) for _, v in points]
        self.assertIn((3, 2), list(zip(levels, levels[1:])), "the step from level 3 to 2")
        self.assertIn('<path class="step"', svg)
        self.assertIn('data-lane="D"', page)
        self.assertIn("<del>", page)
        self.get("/advisories/%s/NO-SUCH" % SOURCE_ID, status=404)

    def test_sources_and_rules_pages(self):
        page = self.get("/sources")
        row = self.row(page, "data-source", SOURCE_ID)
        self.assertIn("<svg", row)
        self.assertEqual(row.count('<rect class="bar" x='), 14 + 1)   # 14 days + the legend

        flags = sorted(f["id"] for f in self.m.flags() if f["rule"] == LEVEL_RULE)
        self.assertGreaterEqual(len(flags), 2)
        page = self.get("/rules")
        self.assertIn("\u2014", self.row(page, "data-rule", LEVEL_RULE))
        for fid, verdict in ((flags[0], "useful"), (flags[1], "noise")):
            r = self.m.vane("flags", "mark", str(fid), verdict)
            self.assertExit(r, 0, "vane flags mark")
        row = self.row(self.get("/rules"), "data-rule", LEVEL_RULE)
        self.assertIn('<td class="num precision">0.50</td>', row)
        weeks = re.findall(r'<rect class="bar" x=[^>]* data-v="([^"]+)"', row)
        self.assertEqual(len(weeks), 12)
        self.assertEqual(sum(int(float(v)) for v in weeks), len(flags))

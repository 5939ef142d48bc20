"""`vane serve`'s machine-readable pages end to end, against the real
binary on 127.0.0.1: GET /api/flags (the flags page's filters, paging,
each flag exactly as `vane flags --json` prints it), /api/items/SOURCE/KEY
(as `vane history --json`), /api/sources (as `vane sources --json`), JSON
404s; /flags.atom a valid Atom feed whose entries link to the item and the
flag's page; /metrics in the text format promtool accepts, with the
content type Prometheus asks for. Skipped when the binary has no `serve`."""

import json
import socket
import subprocess
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

from test_metrics import parse, promtool_check
from vanetest import LEVEL_RULE, SOURCE_ID, VaneCase, describe, kill_process, wait_for

ATOM = "{http://www.w3.org/2005/Atom}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api(VaneCase):

    def setUp(self):
        self.m = self.monitor()
        for n in (1, 2, 3):
            self.m.step(n)
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.p = self.m.popen("serve", "--listen", "127.0.0.1:%d" % self.port)
        self.addCleanup(kill_process, self.p)
        answered = wait_for(self.answers, timeout=10)
        if not answered or self.p.poll() is not None:
            _, err = kill_process(self.p)
            if self.p.returncode == 2 and "serve" in err:
                self.skipTest("this vane has no serve command: %s" % err.strip())
            self.fail("vane serve did not answer on port %d: %s" % (self.port, err))

    def answers(self):
        if self.p.poll() is not None:
            return True
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def get(self, path):
        """(status, content type, body text) of GET path."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=20) as r:
                return r.status, r.headers.get("Content-Type"), r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type"), e.read().decode("utf-8")

    def get_json(self, path, status=200):
        code, ctype, body = self.get(path)
        self.assertEqual(code, status, body)
        self.assertTrue(ctype.startswith("application/json"), ctype)
        return json.loads(body)

    def test_api_flags_are_vane_flags_objects_newest_first_with_paging(self):
        want = self.m.flags()
        got = self.get_json("/api/flags?limit=500")
        self.assertEqual(got["flags"], list(reversed(want)))
        self.assertIsNone(got["next"])
        pages, path = [], "/api/flags?limit=2"
        while path:
            page = self.get_json(path)
            pages += page["flags"]
            self.assertLessEqual(len(page["flags"]), 2)
            path = "/api/flags?limit=2&before=%d" % page["next"] if page["next"] else None
        self.assertEqual([f["id"] for f in pages], [f["id"] for f in reversed(want)])

    def test_api_flags_filters(self):
        want = [f for f in self.m.flags() if f["rule"] == LEVEL_RULE]
        got = self.get_json("/api/flags?rule=%s&source=%s" % (LEVEL_RULE, SOURCE_ID))["flags"]
        self.assertEqual([f["id"] for f in got], [f["id"] for f in reversed(want)])
        self.assertGreater(len(got), 0)
        ranks = ["info", "low", "medium", "high", "critical"]
        high = self.get_json("/api/flags?severity=high")["flags"]
        self.assertTrue(all(ranks.index(f["severity"]) >= 3 for f in high))
        word = want[0]["message"].split()[0]
        q = self.get_json("/api/flags?q=" + urllib.request.quote(word))["flags"]
        self.assertIn(want[0]["id"], [f["id"] for f in q])
        self.assertTrue(all(word.lower() in json.dumps(f, ensure_ascii=False).lower() for f in q))
        first = want[0]["created_at"]
        before = self.get_json("/api/flags?until=" + urllib.request.quote(first))["flags"]
        self.assertTrue(all(f["created_at"] < first for f in before))
        after = self.get_json("/api/flags?since=" + urllib.request.quote(first))["flags"]
        self.assertTrue(all(f["created_at"] >= first for f in after))
        self.assertEqual(len(before) + len(after), len(self.m.flags()))
        bad = self.get_json("/api/flags?severity=urgent", status=400)
        self.assertIn("severity", bad["error"])

    def test_api_item_is_vane_history(self):
        f = self.m.flags()[0]
        h = self.m.vane("history", f["source"], f["key"], "--json")
        self.assertEqual(h.returncode, 0, describe(h))
        want = [json.loads(l) for l in h.stdout.splitlines()]
        got = self.get_json("/api/items/%s?key=%s" % (urllib.request.quote(f["source"], safe=""),
                                                      urllib.request.quote(f["key"], safe="")))
        self.assertEqual(got["versions"], want)
        if "/" not in f["key"]:
            path = "/api/items/%s/%s" % (f["source"], urllib.request.quote(f["key"], safe=""))
            self.assertEqual(self.get_json(path), got)
        self.assertEqual((got["source"], got["key"]), (f["source"], f["key"]))
        self.assertIsInstance(got["item"]["fields"], dict)
        missing = self.get_json("/api/items/%s/no-such-key" % SOURCE_ID, status=404)
        self.assertIn("error", missing)

    def test_api_sources_is_vane_sources(self):
        self.assertEqual(self.get_json("/api/sources")["sources"], self.m.query("sources"))

    def test_the_atom_feed_is_valid_and_links_items_and_flags(self):
        code, ctype, body = self.get("/flags.atom?limit=3")
        self.assertEqual(code, 200, body)
        self.assertTrue(ctype.startswith("application/atom+xml"), ctype)
        feed = ET.fromstring(body.encode("utf-8"))
        self.assertEqual(feed.tag, ATOM + "feed")
        entries = feed.findall(ATOM + "entry")
        newest = list(reversed(self.m.flags()))[:3]
        self.assertEqual(len(entries), len(newest))
        for entry, flag in zip(entries, newest):
            self.assertTrue(entry.find(ATOM + "id").text.endswith("/flag/%d" % flag["id"]))
            links = {l.get("rel"): l.get("href") for l in entry.findall(ATOM + "link")}
            self.assertEqual(links.get("related"), "/flags/%d" % flag["id"])
            if flag["link"]:
                self.assertEqual(links.get("alternate"), flag["link"])

    def test_metrics_are_the_text_format(self):
        code, ctype, body = self.get("/metrics")
        self.assertEqual(code, 200, body)
        self.assertTrue(ctype.startswith("text/plain; version=0.0.4"), ctype)
        promtool_check(self, body)
        s, _ = parse(body)
        self.assertEqual(s[("vane_runs_total", (("status", "ok"),))], 3)
        self.assertEqual(s[("vane_source_up", (("source", SOURCE_ID),))], 1)
        self.assertEqual(sum(v for k, v in s.items() if k[0] == "vane_flags_total"),
                         len(self.m.flags()))

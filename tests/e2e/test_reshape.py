"""A reshaped source is one flag, not hundreds: the real State Department
feed (tests/fixtures/real/) served again with every advisory's link moved
to another path, read by a script that keys advisories by their link (as
the shipped scripts once did). The move is one `source-reshaped` flag and a
re-baseline; a feed cut short is removals; real changes after the move are
flagged as usual."""

import os
import re
import xml.etree.ElementTree as ET

from vanetest import TOP, VaneCase, describe, make_site

REAL = os.path.join(TOP, "tests", "fixtures", "real", "travel_advisories")
PATH = "/adv.xml"

# Keyed by the link, as a script written before country keys would be.
ADV_SCRIPT = """
return function(doc)
  local items = {}
  for _, e in ipairs(vane.feed(doc.body, doc.url).items) do
    local country, level, label = vane.advisory.title(e.title)
    items[#items + 1] = { key = e.link, country = country or e.title, level = level,
                          label = label, link = e.link }
  end
  return items
end
"""

T = ["2025-10-07T22:00:00Z", "2025-10-08T00:00:00Z", "2025-10-08T02:00:00Z",
     "2025-10-08T18:00:00Z", "2025-10-09T00:00:00Z", "2025-10-09T06:00:00Z"]


def real(name):
    with open(os.path.join(REAL, name), encoding="utf-8") as f:
        return f.read()


def moved(text, prefix):
    """Every item's <link> moved under another path of the same host."""
    return re.sub(r"(<item>.*?<link>https?://[^/<]+)/", r"\1/%s/" % prefix, text, flags=re.S)


def cut(text, keep):
    """The feed with only its first `keep` items."""
    items = re.findall(r"<item>.*?</item>\s*", text, flags=re.S)
    head = text[:text.index("<item>")]
    return head + "".join(items[:keep]) + "  </channel>\n</rss>\n"


def links(text):
    """The distinct item links, read independently of vane."""
    return {i.findtext("link") for i in ET.fromstring(text.encode("utf-8")).iter("item")}


class Reshape(VaneCase):

    def adv_monitor(self, files, removals=True):
        site = make_site(self, files)
        m = self.monitor(sources=[], serve_dir=site)
        m.add_script("adv", ADV_SCRIPT)
        m.sources = [{"id": "adv", "url": m.server.url(PATH), "script": "adv", "every": "1h",
                      "removals": removals}]
        m.write_config()
        return m

    def serve_run(self, m, name, now):
        m.serve(name, PATH)
        return m.run(now)

    def reshaped(self, flags):
        return [f for f in flags if f["rule"] == "source-reshaped"]

    def test_links_moved_are_one_flag_and_a_rebaseline(self):
        a, b = real("2025-10-07T2108Z.xml"), real("2025-10-08T1736Z.xml")
        n = len(links(a))
        self.assertGreater(n, 200)
        m = self.adv_monitor({"a.xml": a, "moved.xml": moved(a, "v2"),
                              "moved_next.xml": moved(b, "v2")})
        r = self.serve_run(m, "a.xml", T[0])
        self.assertEqual(r.flags, [], describe(r))

        r = self.serve_run(m, "moved.xml", T[1])
        self.assertEqual([(f["rule"], f["severity"], f["source"]) for f in r.flags],
                         [("source-reshaped", "high", "adv")], describe(r))
        msg = r.flags[0]["message"]
        self.assertIn("%d of its %d items left and %d arrived" % (n, n, n), msg)
        left = re.search(r"\(left: (.*?); arrived: (.*?)\)", msg)
        self.assertIsNotNone(left, msg)
        self.assertEqual(len(left.group(1).split(", ")), 3, msg)
        self.assertEqual(len(left.group(2).split(", ")), 3, msg)
        self.assertNotIn("/v2/", left.group(1))
        self.assertIn("/v2/", left.group(2))

        evs = m.events("--since", T[1])
        self.assertEqual(sorted({(e["change"], e["baseline"]) for e in evs}),
                         [("new", True), ("removed", True)])
        self.assertEqual(sum(e["change"] == "new" for e in evs), n)
        self.assertEqual(sum(e["change"] == "removed" for e in evs), n)
        self.assertEqual(m.flags("--rule", "advisory-listed"), [])

        r = self.serve_run(m, "moved.xml", T[2])   # the same feed: nothing
        self.assertEqual(r.flags, [], describe(r))

        r = self.serve_run(m, "moved_next.xml", T[3])   # the next day's real feed, moved too
        self.assertEqual([(f["rule"], f["message"].split(":")[0]) for f in r.flags],
                         [("advisory-level-change", "Sao Tome and Principe")], describe(r))
        self.assertIn("Level 1 → Level 2", r.flags[0]["message"])

        rp = m.vane("replay", "--rule", "advisory-listed", "--json")
        self.assertEqual((rp.returncode, rp.stdout.strip()), (0, ""), describe(rp))
        self.assertEqual(len(self.reshaped(m.flags())), 1)

    def test_one_flag_per_episode_and_a_later_move_is_a_new_one(self):
        a, b = real("2025-10-07T2108Z.xml"), real("2025-10-08T1736Z.xml")
        n = len(links(a))
        m = self.adv_monitor({"a.xml": a, "v2.xml": moved(a, "v2"), "v3.xml": moved(a, "v3"),
                              "v3_next.xml": moved(b, "v3"), "v4_next.xml": moved(b, "v4")})
        self.serve_run(m, "a.xml", T[0])
        r = self.serve_run(m, "v2.xml", T[1])
        self.assertEqual([f["rule"] for f in r.flags], ["source-reshaped"], describe(r))
        # Reshaped again at once: a list that turns over wholesale, not a
        # redesign. No second flag; its changes are news as usual.
        r = self.serve_run(m, "v3.xml", T[2])
        self.assertEqual(self.reshaped(r.flags), [], describe(r))
        listed = [f for f in r.flags if f["rule"] == "advisory-listed"]
        self.assertEqual(len(listed), 2 * n)
        self.assertFalse(any(e["baseline"] for e in m.events("--since", T[2])))
        # A fetch that does not reshape ends the episode ...
        r = self.serve_run(m, "v3_next.xml", T[3])
        self.assertEqual([f["rule"] for f in r.flags], ["advisory-level-change"], describe(r))
        # ... so the next move is flagged again.
        r = self.serve_run(m, "v4_next.xml", T[4])
        self.assertEqual([f["rule"] for f in r.flags], ["source-reshaped"], describe(r))
        self.assertEqual(len(self.reshaped(m.flags())), 2)

    def test_without_removals_the_old_keys_are_neither_reported_nor_news_later(self):
        a, b = real("2025-10-07T2108Z.xml"), real("2025-10-08T1736Z.xml")
        n = len(links(a))
        m = self.adv_monitor({"a.xml": a, "moved.xml": moved(a, "v2"),
                              "moved_next.xml": moved(b, "v2")}, removals=False)
        self.serve_run(m, "a.xml", T[0])
        r = self.serve_run(m, "moved.xml", T[1])
        self.assertEqual([f["rule"] for f in r.flags], ["source-reshaped"], describe(r))
        evs = m.events("--since", T[1])
        self.assertEqual({(e["change"], e["baseline"]) for e in evs}, {("new", True)})
        self.assertEqual(len(evs), n)
        r = self.serve_run(m, "moved_next.xml", T[3])
        self.assertEqual([f["rule"] for f in r.flags], ["advisory-level-change"], describe(r))
        absent = m.sql("SELECT count(*) FROM items WHERE source = 'adv' AND absent_since IS NOT NULL")
        self.assertEqual(absent[0][0], n)

    def test_a_feed_cut_short_is_removals_and_an_empty_one_is_source_empty(self):
        a = real("2025-10-07T2108Z.xml")
        keep = 100
        gone = len(links(a)) - len(links(cut(a, keep)))
        self.assertGreater(gone, keep)   # more than half vanished, none arrived
        empty = cut(a, 0)
        m = self.adv_monitor({"a.xml": a, "cut.xml": cut(a, keep), "empty.xml": empty})
        self.serve_run(m, "a.xml", T[0])
        r = self.serve_run(m, "cut.xml", T[1])
        rules = [f["rule"] for f in r.flags]
        self.assertNotIn("source-reshaped", rules, describe(r))
        self.assertEqual(rules.count("advisory-listed"), gone)
        self.assertTrue(all("no longer listed" in f["message"] for f in r.flags))

        r = self.serve_run(m, "empty.xml", T[2])
        self.assertEqual([f["rule"] for f in r.flags], ["source-empty"], describe(r))
        r = self.serve_run(m, "a.xml", T[3])   # all back: removed before, so new again
        self.assertNotIn("source-reshaped", [f["rule"] for f in r.flags], describe(r))

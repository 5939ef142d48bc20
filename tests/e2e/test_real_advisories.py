"""The shipped advisory script on the State Department's real feed
(tests/fixtures/real/travel_advisories/): every advisory of both October
2025 captures read as an independent reader (xml.etree) reads it — one item
per advisory, keyed by its country code, at the level of its Threat-Level
category, named as its title names it; the change notes' indicators as a
person reads them; the 2025-10-07 → 08 replay flags Sao Tome and Principe's
level change and nothing else; the October 2026 excerpt gives Macau, Hong
Kong and (in 2025) China as three countries, and Iraq's new "Crime"
indicator is flagged once, when the note arrives."""

import os
import re
import unicodedata
import unittest
import xml.etree.ElementTree as ET

from vanetest import LEVEL_RULE, NOTATION_RULE, TOP, VaneCase, describe, make_site

REAL = os.path.join(TOP, "tests", "fixtures", "real", "travel_advisories")
OCT07, OCT08, EXCERPT = "2025-10-07T2108Z.xml", "2025-10-08T1736Z.xml", "2026-10-03-excerpt.xml"

# What a person reads in the change notes of the 2025 captures (identical
# in both): country → (letters added, letters removed). Every other
# advisory's note names no indicator change.
NOTES_2025 = {
    "Brazil": ("K", ""), "Cambodia": ("U", ""), "Cameroon": ("HU", ""),
    "Central African Republic": ("H", ""), "Djibouti": ("", "C"),
    "Equatorial Guinea": ("O", ""), "Gabon": ("H", ""), "Guinea": ("", "E"),
    "Guinea-Bissau": ("H", ""), "Haiti": ("T", ""), "Kenya": ("H", ""),
    "Namibia": ("H", ""), "Niger": ("H", ""), "Vanuatu": ("", "N"),
    "Benin": ("", "O"),
}

# The three advisories the feed titles "Mainland China, Hong Kong & Macau -
# See Summaries", by code; the untagged items of 2025 by their names.
SEE_SUMMARIES = {"CH": "China", "HK": "Hong Kong", "MC": "Macau"}
UNTAGGED = {"Hong Kong": "HK", "Macau": "MC"}


def norm(name):
    s = unicodedata.normalize("NFKD", name.replace("\u2019", "'"))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = re.sub(r"\s+travel advisory$", "", s.strip())
    return re.sub(r"^the ", "", " ".join(re.findall(r"[a-z0-9]+", s)))


def read_feed(name):
    """The feed's advisories as xml.etree reads them: [(code or None, title
    head, level, link)]."""
    out = []
    for it in ET.parse(os.path.join(REAL, name)).getroot().iter("item"):
        cats = {c.get("domain"): (c.text or "").strip() for c in it.findall("category")}
        title = it.findtext("title")
        level = int(re.match(r"Level (\d)", cats["Threat-Level"]).group(1))
        out.append((cats.get("Country-Tag"), title.split(" - Level")[0].strip(), level,
                    it.findtext("link")))
    return out


def expected_key(code, head):
    if code is None:
        return UNTAGGED[head]
    if code == "A1":   # Bonaire, Sint Eustatius and Saba share a code
        return "A1:" + norm(head)
    return code


def expected_country(code, head):
    return SEE_SUMMARIES[code] if "See Summaries" in head else head


class RealAdvisories(VaneCase):

    def feed_monitor(self, **extra):
        m = self.monitor(serve_dir=REAL, sources=[])
        src = {"id": "us-travel-advisories", "url": m.server.url("/feed.xml"),
               "script": "travel_advisories"}
        src.update(extra)
        m.sources = [src]
        m.write_config()
        return m

    def items_by_key(self, m):
        return {e["key"]: e["item"] for e in m.events()}

    def test_every_advisory_of_both_2025_captures_reads_as_an_independent_reader_reads_it(self):
        for name, now in ((OCT07, "2025-10-07T22:00:00Z"), (OCT08, "2025-10-08T18:00:00Z")):
            with self.subTest(capture=name):
                m = self.feed_monitor()
                m.serve(name, "/feed.xml")
                r = m.run(now)
                self.assertEqual(r.flags, [], describe(r))
                got = self.items_by_key(m)
                feed = read_feed(name)
                self.assertEqual(len(got), len(feed))
                self.assertEqual(len(feed), 211)
                for code, head, level, link in feed:
                    key = expected_key(code, head)
                    self.assertIn(key, got, "%s (%s)" % (head, code))
                    item = got[key]
                    self.assertEqual(item["level"], level, head)
                    self.assertEqual(item["link"], link, head)
                    self.assertEqual(norm(item["country"]), norm(expected_country(code, head)), head)
                    self.assertEqual(item["code"], key.split(":")[0], head)
                    want = NOTES_2025.get(item["country"], ("", ""))
                    self.assertEqual(("".join(item["indicators_added"]),
                                      "".join(item["indicators_removed"])), want, item["country"])
                    self.assertEqual(item["notations"], [], "the real feed has no indicator markup")
                # China, Hong Kong and Macau: three countries at their own levels
                levels = {h: lv for c, h, lv, _ in feed if c in ("CH", None)}
                self.assertEqual((got["CH"]["country"], got["HK"]["country"], got["MC"]["country"]),
                                 ("China", "Hong Kong", "Macau"))
                self.assertEqual(got["HK"]["level"], levels["Hong Kong"])
                self.assertEqual(got["MC"]["level"], levels["Macau"])
                self.assertEqual(got["CH"]["level"], [lv for c, _, lv, _ in feed if c == "CH"][0])

    def test_the_one_day_replay_flags_only_sao_tome_and_principe(self):
        m = self.feed_monitor(removals=True)
        m.serve(OCT07, "/feed.xml")
        m.run("2025-10-07T22:00:00Z")
        m.serve(OCT08, "/feed.xml")
        r = m.run("2025-10-08T18:00:00Z")
        self.assertEqual([(f["rule"], f["key"], f["message"]) for f in r.flags],
                         [(LEVEL_RULE, "TP", "Sao Tome and Principe: Level 1 → Level 2 "
                                         "(Exercise Normal Precautions → Exercise Increased Caution)")],
                         describe(r))
        later = [e for e in m.events() if e["observed_at"] >= "2025-10-08"]
        self.assertEqual([(e["change"], e["key"]) for e in later], [("changed", "TP")])
        # the alert carries the real item's title, link and what changed
        flag = r.flags[0]
        tp = [(h, link) for c, h, _, link in read_feed(OCT08) if c == "TP"]
        self.assertEqual(len(tp), 1)
        self.assertEqual(flag["link"], tp[0][1])
        self.assertTrue(flag["title"].startswith(tp[0][0]), flag["title"])
        level = [c for c in flag["changes"] if c["field"] == "level"]
        self.assertEqual([(c["old"], c["new"]) for c in level], [(1, 2)])

    def test_the_2026_excerpt_keeps_macau_and_hong_kong_apart_and_flags_iraqs_crime_indicator(self):
        m = self.feed_monitor(removals=False)
        m.serve(EXCERPT, "/feed.xml")
        r = m.run("2026-10-03T20:00:00Z", "-v")
        got = self.items_by_key(m)
        self.assertEqual({k: (i["country"], i["level"]) for k, i in got.items()},
                         {"NS": ("Suriname", 1), "MC": ("Macau", 3), "HK": ("Hong Kong", 2),
                          "IZ": ("Iraq", 4)})
        # the untagged "Macau - Level 3" gives way to the item tagged MC, with a word
        self.assertTrue(got["MC"]["link"].endswith("/macau-travel-advisory1.html"))
        self.assertRegex(r.stderr, r"us-travel-advisories.*Macau: two advisories with the key MC", describe(r))
        self.assertEqual(got["IZ"]["indicators_added"], ["C"])

        # the same excerpt arriving after the 2025 feed: Iraq's note is new
        with open(os.path.join(REAL, EXCERPT), encoding="utf-8") as f:
            excerpt = f.read()
        again = excerpt.replace("Sat, 29 Aug 2026", "Fri, 02 Oct 2026").replace(
            "changes to U.S. embassy operations.", "changes to U.S. embassy operations in Erbil.")
        self.assertNotEqual(again, excerpt)
        with open(os.path.join(REAL, OCT08), encoding="utf-8") as f:
            site = make_site(self, {"08.xml": f.read(), "excerpt.xml": excerpt,
                                    "republished.xml": again})
        m2 = self.monitor(serve_dir=site, sources=[])
        m2.sources = [{"id": "us-travel-advisories", "url": m2.server.url("/feed.xml"),
                       "script": "travel_advisories"}]
        m2.write_config()
        m2.serve("08.xml", "/feed.xml")
        m2.run("2025-10-08T18:00:00Z")
        m2.serve("excerpt.xml", "/feed.xml")
        r = m2.run("2026-10-03T20:00:00Z")
        self.assertEqual([(f["rule"], f["key"], f["message"]) for f in r.flags],
                         [(NOTATION_RULE, "IZ", "Iraq: C (crime) added")], describe(r))
        # republished with the same note and an edit: a change, not news
        m2.serve("republished.xml", "/feed.xml")
        r = m2.run("2026-10-04T20:00:00Z")
        self.assertEqual(r.flags, [], describe(r))
        iraq = [e for e in m2.events() if e["key"] == "IZ" and e["observed_at"] >= "2026-10-04"]
        self.assertEqual([e["change"] for e in iraq], ["changed"])


    def test_links_moved_to_https_and_other_paths_flag_only_the_real_level_change(self):
        # the 7 October capture as an older feed would have served it: every
        # link and guid on http://, every third advisory on another path
        with open(os.path.join(REAL, OCT07), encoding="utf-8") as f:
            old = f.read()
        moved = {"n": 0}

        def older(m):
            moved["n"] += 1
            url = m.group(0).replace("https://", "http://", 1)
            return url.replace(".html", "-old.html") if moved["n"] % 3 == 0 else url
        old = re.sub(r"https://travel\.state\.gov/[^<\s\"]+\.html", older, old)
        self.assertGreater(moved["n"], 400)   # links and guids of 211 advisories
        with open(os.path.join(REAL, OCT08), encoding="utf-8") as f:
            site = make_site(self, {"old.xml": old, "08.xml": f.read()})
        m = self.monitor(serve_dir=site, sources=[])
        m.sources = [{"id": "us-travel-advisories", "url": m.server.url("/feed.xml"),
                      "script": "travel_advisories", "removals": True}]
        m.write_config()
        m.serve("old.xml", "/feed.xml")
        m.run("2025-10-07T22:00:00Z")
        m.serve("08.xml", "/feed.xml")
        r = m.run("2025-10-08T18:00:00Z")
        self.assertEqual([(f["rule"], f["key"]) for f in r.flags], [(LEVEL_RULE, "TP")], describe(r))
        later = [e for e in m.events() if e["observed_at"] >= "2025-10-08"]
        self.assertEqual(sorted({e["change"] for e in later}), ["changed"])
        self.assertEqual(len(later), 211)     # every link moved back: a change, never news

    def test_a_source_extends_the_country_table_and_the_wording_with_options(self):
        with open(os.path.join(REAL, EXCERPT), encoding="utf-8") as f:
            text = f.read().replace("&#8220;Crime&#8221; risk indicator", "criminality indicator")
        m = self.monitor(serve_dir=make_site(self, {"feed.xml": text}), sources=[])
        m.sources = [{"id": "ta", "url": m.server.url("/feed.xml"), "script": "travel_advisories",
                      "options": {"countries": {"MC": ["Macao SAR", "Macau"]},
                                  "indicator_names": {"criminality": "C"}}}]
        m.write_config()
        r = m.run("2026-10-03T20:00:00Z")
        got = self.items_by_key(m)
        self.assertEqual(got["MC"]["country"], "Macao SAR", describe(r))
        self.assertEqual(got["IZ"]["indicators_added"], ["C"])


WORLDWIDE = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>travel.state.gov: Travel Advisories</title>
<link>https://travel.state.gov/</link>
<item><title>Worldwide Caution</title>
<link>https://travel.state.gov/content/travel/en/traveladvisories/ea/worldwide-caution.html</link>
<pubDate>%(date)s</pubDate><description><![CDATA[<p>%(text)s</p>]]></description>
<category domain="Keyword">advisory</category></item>
<item><title>Haiti - Level %(haiti)d: X</title>
<link>https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories/haiti-travel-advisory.html</link>
<pubDate>%(date)s</pubDate><description><![CDATA[<p>Reissued.</p>]]></description>
<category domain="Threat-Level">Level %(haiti)d: X</category>
<category domain="Country-Tag">HA</category></item>
</channel></rss>
"""


class WithoutALevel(VaneCase):

    def test_an_entry_without_a_level_is_kept_and_raises_no_level_flag(self):
        files = {}
        for n, (text, haiti) in enumerate((("Exercise caution.", 3), ("Exercise more caution.", 4)), 1):
            files["feed%d.xml" % n] = WORLDWIDE % {"date": "Thu, 01 Jan 2026", "text": text,
                                                   "haiti": haiti}
        m = self.monitor(serve_dir=make_site(self, files), sources=[])
        m.sources = [{"id": "ta", "url": m.server.url("/feed.xml"), "script": "travel_advisories",
                      "removals": True}]
        m.write_config()
        m.serve("feed1.xml", "/feed.xml")
        r = m.run("2026-01-01T00:00:00Z")
        self.assertEqual(r.flags, [], describe(r))
        m.serve("feed2.xml", "/feed.xml")
        r = m.run("2026-01-02T00:00:00Z")
        self.assertEqual([f["message"] for f in r.flags], ["Haiti: Level 3 → Level 4 (X → X)"],
                         describe(r))
        ww = [e for e in m.events() if e["key"] == "name:worldwide caution"]
        self.assertEqual(sorted(e["change"] for e in ww), ["changed", "new"])
        self.assertTrue(all(e["item"].get("level") is None for e in ww), ww)
        self.assertEqual(ww[0]["item"]["country"], "Worldwide Caution")


if __name__ == "__main__":
    unittest.main()

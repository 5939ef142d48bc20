"""Fixture set A end to end (tests/fixtures/MANIFEST.md, expected.md): eight
sources of six kinds — the advisory feed and its JSON API, a WordPress RSS
feed, an Atom feed, Federal Register and GDELT JSON, and two ministry list
pages, one in GBK — through the shipped scripts and rules, four steps, then
every bad input of expected.md's last table, and the two real captures of the
State Department's feed.

Each step must give exactly the events and the flags expected.md lists:
nothing missing, nothing more, each flag from the rule its kind names."""

import os
import re
import subprocess
import tempfile
import unittest

from vanetest import TOP, VaneCase, describe, parse_json_lines

FIXTURES = os.path.join(TOP, "tests", "fixtures")
REAL = os.path.join(FIXTURES, "real", "travel_advisories")

LEVEL, IND, LISTED = "advisory-level-change", "advisory-notation-change", "advisory-listed"
MEETING, PRISONER, REPATRIATION = "new-meeting", "prisoner-release", "repatriation"
CALL, REMOVAL, ENTRY, FR = "ministerial-call", "removal-flight", "entry-refusal", "federal-register-new"

# source id -> (script, removals, ignore, options)
SOURCES = {
    "travel_advisories": ("travel_advisories", True, [], None),
    "travel_advisories_api": ("travel_advisories_api", True, [], None),
    "press_releases": ("rss", False, [], None),
    "dhs_news": ("rss", False, [], None),
    "federal_register": ("federal_register", False, [], None),
    "mfa_en": ("html_links", False, [], None),
    "mfa_zh": ("html_links", False, [], None),
    "gdelt": ("gdelt", False, [], None),
}

# MANIFEST.md's steps: --now and the file each source serves.
STEPS = {
    1: ("2024-11-20T23:00:00Z", {"travel_advisories": "t1.xml", "travel_advisories_api": "api_t1.json",
                                 "press_releases": "p1.xml", "dhs_news": "d1.xml",
                                 "federal_register": "f1.json", "mfa_en": "s1.html",
                                 "mfa_zh": "s1.html", "gdelt": "g1.json"}),
    2: ("2024-11-22T23:00:00Z", {"travel_advisories": "t2.xml"}),
    3: ("2024-11-27T23:30:00Z", {"travel_advisories": "t3.xml", "travel_advisories_api": "api_t3.json",
                                 "press_releases": "p2.xml", "dhs_news": "d2.xml"}),
    4: ("2024-12-03T23:00:00Z", {"travel_advisories": "t4.xml", "press_releases": "p3.xml",
                                 "federal_register": "f2.json", "mfa_en": "s2.html",
                                 "mfa_zh": "s2.html", "gdelt": "g2.json"}),
}

BASELINE_COUNTS = {"travel_advisories": 14, "travel_advisories_api": 14, "press_releases": 6,
                   "dhs_news": 4, "federal_register": 5, "mfa_en": 8, "mfa_zh": 6, "gdelt": 5}

# expected.md, per step: (source, change, a fragment of the key).
EVENTS = {
    2: {("travel_advisories", "changed", "/madagascar-"),
        ("travel_advisories", "changed", "/equatorial-guinea-"),
        ("travel_advisories", "changed", "/venezuela-")},
    3: {("travel_advisories", "changed", "/china-"),
        ("travel_advisories", "new", "/kosovo-"),
        ("travel_advisories_api", "changed", "/china-"),
        ("travel_advisories_api", "changed", "/madagascar-"),
        ("travel_advisories_api", "changed", "/equatorial-guinea-"),
        ("travel_advisories_api", "changed", "/venezuela-"),
        ("travel_advisories_api", "new", "/kosovo-"),
        ("press_releases", "new", "?p=478560"),
        ("press_releases", "new", "?p=478611"),
        ("dhs_news", "new", "51961"),
        ("dhs_news", "new", "51970")},
    4: {("travel_advisories", "changed", "/sao-tome-and-principe-"),
        ("travel_advisories", "changed", "destination.mex.html"),
        ("travel_advisories", "changed", "/russia-"),
        ("travel_advisories", "removed", "/greenland-"),
        ("press_releases", "changed", "?p=478560"),
        ("press_releases", "new", "?p=478704"),
        ("federal_register", "new", "2024-28431"),
        ("federal_register", "new", "2024-28390"),
        ("mfa_en", "new", "t20241129_11534960"),
        ("mfa_en", "new", "t20241128_11534302"),
        ("mfa_en", "new", "t20241128_11534199"),
        ("mfa_en", "new", "t20241123_11531633"),
        ("mfa_zh", "new", "t20241129_11534955"),
        ("mfa_zh", "new", "t20241128_11534290"),
        ("mfa_zh", "new", "t20241123_11531502"),
        ("gdelt", "new", "us-china-prisoner-swap"),
        ("gdelt", "new", "fugitive-returned-from-us"),
        ("gdelt", "new", "student-sent-home-lax")},
}

# expected.md, per step: (rule, source, key fragment) -> words the message must hold.
FLAGS = {
    1: {},
    2: {(LEVEL, "travel_advisories", "/madagascar-"): ["Madagascar", "Level 2 → Level 3"],
        (IND, "travel_advisories", "/equatorial-guinea-"): ["Equatorial Guinea", "O (other) added"]},
    3: {(LEVEL, "travel_advisories", "/china-"):
            ["China: Level 3 → Level 2 (Reconsider Travel → Exercise Increased Caution)"],
        (IND, "travel_advisories", "/china-"): ["China: D (wrongful detention) removed"],
        (LISTED, "travel_advisories", "/kosovo-"): ["Kosovo", "Level 2"],
        (LEVEL, "travel_advisories_api", "/china-"): ["China", "Level 3 → Level 2"],
        (IND, "travel_advisories_api", "/china-"): ["China: D (wrongful detention) removed"],
        (LEVEL, "travel_advisories_api", "/madagascar-"): ["Madagascar", "Level 2 → Level 3"],
        (IND, "travel_advisories_api", "/equatorial-guinea-"): ["Equatorial Guinea", "O (other) added"],
        (LISTED, "travel_advisories_api", "/kosovo-"): ["Kosovo"],
        (MEETING, "press_releases", "?p=478560"):
            ["Senior Offic", "Meeting", "Counternarcotics Working Group"],
        (PRISONER, "press_releases", "?p=478611"): ["Release of Three U.S. Citizens"],
        (CALL, "dhs_news", "51961"): ["Minister of Public Security"],
        (REMOVAL, "dhs_news", "51970"): ["Removal Flight"]},
    4: {(LEVEL, "travel_advisories", "/sao-tome-and-principe-"):
            ["Sao Tome and Principe", "Level 1 → Level 2"],
        (IND, "travel_advisories", "/sao-tome-and-principe-"):
            ["Sao Tome and Principe", "H (health) added"],
        (IND, "travel_advisories", "destination.mex.html"): ["Mexico: T (terrorism) added"],
        (LISTED, "travel_advisories", "/greenland-"): ["Greenland"],
        (FR, "federal_register", "2024-28431"): ["2024-28431", "Nitazene"],
        (FR, "federal_register", "2024-28390"): ["2024-28390", "Visa Restrictions"],
        (REPATRIATION, "mfa_en", "t20241129_11534960"): ["Repatriation of a Fugitive Suspect"],
        (PRISONER, "mfa_en", "t20241128_11534302"): ["Exchange of Detained Nationals"],
        (MEETING, "mfa_en", "t20241123_11531633"): ["Counternarcotics Working Group"],
        (ENTRY, "mfa_zh", "t20241129_11534955"): ["王喆"],
        (PRISONER, "mfa_zh", "t20241128_11534290"): ["交换被拘押人员"],
        (MEETING, "mfa_zh", "t20241123_11531502"): ["禁毒合作工作组第二次高官会"],
        (PRISONER, "gdelt", "us-china-prisoner-swap"): ["swap detained citizens"],
        (REPATRIATION, "gdelt", "fugitive-returned-from-us"): ["Fugitive wanted for fraud"],
        (ENTRY, "gdelt", "student-sent-home-lax"): ["graduate student sent home"]},
}

AFTER_STEP4 = ["2024-12-04T01:00:00Z", "2024-12-04T02:00:00Z"]


def path_of(source):
    return "/src/" + source


class Series:
    """A monitor with the eight sources, each served from /src/<id>."""

    def __init__(self, case, max_bytes="5MB"):
        self.case = case
        self.served = {}
        self.m = case.monitor(serve_dir=FIXTURES, sources=[])
        self.m.sources = [self.source(sid, max_bytes) for sid in SOURCES]
        self.m.write_config()

    def source(self, sid, max_bytes):
        script, removals, ignore, options = SOURCES[sid]
        s = {"id": sid, "url": self.m.server.url(path_of(sid)), "script": script,
             "every": "1h", "timeout": "20s", "max_bytes": max_bytes, "removals": removals}
        if ignore:
            s["ignore"] = ignore
        if options:
            s["options"] = options
        return s

    def serve(self, sid, name):
        folder = "bad" if name.startswith("bad/") else sid
        rel = name if name.startswith("bad/") or os.path.isabs(name) else os.path.join(folder, name)
        self.served[sid] = rel
        self.m.serve(rel, path_of(sid))

    def step(self, n, expect=0):
        now, files = STEPS[n]
        for sid, name in files.items():
            self.serve(sid, name)
        return self.m.run(now, expect=expect)

    def run(self, now, *extra, expect=0):
        return self.m.run(now, *extra, expect=expect)


# The advisories' keys are their country codes; the fragments above name
# them as their pages do.
ADVISORY_CODES = {"/madagascar-": "MA", "/equatorial-guinea-": "EK", "/venezuela-": "VE",
                  "/china-": "CH", "/kosovo-": "KV", "/sao-tome-and-principe-": "TP",
                  "destination.mex.html": "MX", "/russia-": "RS", "/greenland-": "GL",
                  "/kenya-": "KE", "/nepal-": "NP"}


def key_matches(key, fragment):
    return fragment in (key or "") or ADVISORY_CODES.get(fragment) == key


class SeriesCase(VaneCase):

    def events_between(self, m, since_id):
        return [e for e in m.events() if e["id"] > since_id and not e["baseline"]]

    def max_event_id(self, m):
        evs = m.events()
        return max((e["id"] for e in evs), default=0)

    def assertEvents(self, got, want, step):
        seen = set()
        for e in got:
            hits = [w for w in want if w[0] == e["source"] and w[1] == e["change"] and key_matches(e["key"], w[2])]
            self.assertEqual(len(hits), 1, "step %d: unexpected event %s %s %s (diff %s)"
                             % (step, e["source"], e["change"], e["key"], e.get("diff")))
            self.assertNotIn(hits[0], seen, "step %d: event twice: %s" % (step, hits[0],))
            seen.add(hits[0])
        self.assertEqual(seen, set(want), "step %d: events missing: %s" % (step, set(want) - seen))

    def assertFlags(self, flags, want, step):
        got = {}
        for f in flags:
            hits = [w for w in want if w[0] == f["rule"] and w[1] == f["source"] and key_matches(f["key"], w[2])]
            self.assertEqual(len(hits), 1, "step %d: unexpected flag [%s] %s %s: %s"
                             % (step, f["rule"], f["source"], f["key"], f["message"]))
            self.assertNotIn(hits[0], got, "step %d: flagged twice: %s / %s"
                             % (step, got.get(hits[0]), f["message"]))
            got[hits[0]] = f["message"]
        self.assertEqual(set(got), set(want), "step %d: flags missing: %s" % (step, set(want) - set(got)))
        for k, words in want.items():
            for w in words:
                self.assertIn(w, got[k], "step %d: flag %s: message lacks %r" % (step, k, w))


class FixtureSeries(SeriesCase):
    """The four steps on one fresh database."""

    def test_four_steps_give_exactly_the_expected_events_and_flags(self):
        s = Series(self)
        m = s.m
        r = s.step(1)
        self.assertEqual(r.flags, [], "step 1 is the baseline\n" + describe(r))
        counts = {}
        for e in m.events():
            self.assertTrue(e["baseline"], e)
            self.assertEqual(e["change"], "new")
            counts[e["source"]] = counts.get(e["source"], 0) + 1
        self.assertEqual(counts, BASELINE_COUNTS)
        last = self.max_event_id(m)
        for n in (2, 3, 4):
            r = s.step(n)
            self.assertFlags(r.flags, FLAGS[n], n)
            evs = self.events_between(m, last)
            self.assertEvents(evs, EVENTS[n], n)
            last = self.max_event_id(m)
            # the same files again: nothing new at all
            again = s.run(STEPS[n][0].replace(":00:00Z", ":10:00Z").replace(":30:00Z", ":40:00Z"))
            self.assertEqual(again.flags, [], "step %d rerun flagged\n%s" % (n, describe(again)))
            self.assertEqual(self.max_event_id(m), last, "step %d rerun made events" % n)

        # what the stored items say
        def item(source, fragment):
            evs = [e for e in m.events("--source", source) if key_matches(e["key"], fragment)]
            self.assertTrue(evs, "%s %s has no events" % (source, fragment))
            return max(evs, key=lambda e: e["id"])["item"]

        wang = item("mfa_zh", "t20241129_11534955")
        self.assertIn("王喆", wang["title"])
        self.assertNotIn("\ufffd", wang["title"])
        self.assertEqual(item("travel_advisories", "/kosovo-")["notations"], ["T"])
        self.assertEqual(item("travel_advisories", "/china-")["notations"], ["O"])
        self.assertEqual(item("travel_advisories", "/china-")["country"], "China")
        mexico = item("travel_advisories", "destination.mex.html")
        self.assertEqual((mexico["country"], mexico["notations"]), ("Mexico", ["C", "K", "T"]))
        sao = item("travel_advisories", "/sao-tome-and-principe-")
        self.assertIn("São Tomé", sao["summary"])
        api_china = item("travel_advisories_api", "/china-")
        self.assertEqual(api_china["published"], "2024-11-27T00:00:00Z")
        self.assertEqual(item("press_releases", "?p=478560")["title"],
                         "Readout of the Second Senior Officials’ Meeting of the U.S.-China "
                         "Counternarcotics Working Group")
        fr = item("federal_register", "2024-28390")
        self.assertNotIn("public_inspection_pdf_url", fr)
        self.assertEqual(fr["published"], "2024-11-29T00:00:00Z")
        self.assertEqual(fr["agencies"], ["State Department"])
        en = item("mfa_en", "t20241128_11534302")
        self.assertEqual(en["title"], "Foreign Ministry Spokesperson’s Remarks on the China-U.S. "
                                      "Exchange of Detained Nationals")
        self.assertEqual(en["published"], "2024-11-28T00:00:00Z")


class BadInputs(SeriesCase):
    """expected.md's last table: each bad file served once in place of a
    source's document after step 4, then the good document again."""

    @classmethod
    def setUpClass(cls):
        cls.base_dir = tempfile.mkdtemp(prefix="vane-bad-")
        cls.big = os.path.join(cls.base_dir, "big_page.html")
        subprocess.run(["sh", os.path.join(FIXTURES, "gen_big.sh"), cls.big], check=True,
                       capture_output=True)

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.base_dir, ignore_errors=True)

    def at_step4(self, max_bytes="5MB"):
        s = Series(self, max_bytes=max_bytes)
        for n in (1, 2, 3, 4):
            s.step(n)
        return s

    def bad_run(self, s, sid, bad, expect=1, verbose=False):
        """Serve `bad` for source sid for one run; return (run, new events)."""
        last = self.max_event_id(s.m)
        good = s.served[sid]
        s.serve(sid, bad)
        extra = ("-v",) if verbose else ()
        r = s.run(AFTER_STEP4[0], *extra, expect=expect)
        evs = self.events_between(s.m, last)
        s.serve(sid, os.path.basename(good))
        return r, evs

    def follow_up(self, s):
        last = self.max_event_id(s.m)
        r = s.run(AFTER_STEP4[1])
        return r, self.events_between(s.m, last)

    def assertNamesSource(self, r, sid, *words):
        lines = [l for l in r.stderr.splitlines() if sid in l]
        self.assertTrue(lines, "no error names %s\n%s" % (sid, describe(r)))
        text = "\n".join(lines)
        for w in words:
            self.assertIn(w, text, describe(r))

    def assertQuiet(self, pair):
        r, evs = pair
        self.assertEqual(r.flags, [], describe(r))
        self.assertEqual(evs, [])

    def test_truncated_xml(self):
        s = self.at_step4()
        r, evs = self.bad_run(s, "travel_advisories", "bad/truncated.xml")
        self.assertNamesSource(r, "travel_advisories", "130")
        self.assertEqual((r.flags, evs), ([], []))
        health = s.m.source_rows()["travel_advisories"]
        self.assertIn("130", health["last_error"] or "")
        self.assertQuiet(self.follow_up(s))

    def test_empty_body(self):
        s = self.at_step4()
        r, evs = self.bad_run(s, "travel_advisories", "bad/empty.xml")
        self.assertNamesSource(r, "travel_advisories", "empty")
        self.assertEqual((r.flags, evs), ([], []))
        self.assertQuiet(self.follow_up(s))

    def test_blocked_page_served_as_a_feed(self):
        s = self.at_step4()
        r, evs = self.bad_run(s, "travel_advisories", "bad/blocked_200.html")
        self.assertNamesSource(r, "travel_advisories", "not a feed")
        self.assertEqual((r.flags, evs), ([], []))
        self.assertQuiet(self.follow_up(s))

    def test_invalid_utf8_is_replaced_with_a_warning(self):
        s = self.at_step4()
        r, evs = self.bad_run(s, "travel_advisories", "bad/bad_utf8.xml", expect=0, verbose=True)
        self.assertEqual(r.flags, [], describe(r))
        self.assertNamesSource(r, "travel_advisories", "line 301")
        for e in evs:
            self.assertEqual((e["change"], set(e["diff"])), ("changed", {"summary"}), e)
            self.assertEqual(e["key"], "KE")
        r2, evs2 = self.follow_up(s)
        self.assertEqual(r2.flags, [])
        self.assertTrue(all(set(e["diff"]) == {"summary"} and e["key"] == "KE" for e in evs2), evs2)

    def test_invalid_dates_warn_and_the_rest_is_read(self):
        s = self.at_step4()
        r, evs = self.bad_run(s, "travel_advisories", "bad/invalid_date.xml", expect=0, verbose=True)
        self.assertEqual([(f["rule"], f["message"]) for f in r.flags],
                         [(LEVEL, "Nepal: Level 2 → Level 3 (Exercise Increased Caution → Reconsider Travel)")])
        warned = [l for l in r.stderr.splitlines() if "warning" in l and "travel_advisories" in l]
        for line in ("line 7", "line 200", "line 297", "line 323"):
            self.assertTrue(any(line + ":" in w or line + " " in w for w in warned),
                            "no warning names %s\n%s" % (line, describe(r)))
        self.assertFalse(any("Burma" in w or "burma" in w for w in warned), warned)
        self.assertEqual([(e["change"], e["key"]) for e in evs if e["key"] != "NP"], [])
        r2, _ = self.follow_up(s)
        self.assertEqual([f["message"] for f in r2.flags],
                         ["Nepal: Level 3 → Level 2 (Reconsider Travel → Exercise Increased Caution)"])

    def test_entity_bomb_is_refused(self):
        s = self.at_step4()
        r, evs = self.bad_run(s, "travel_advisories", "bad/entity_bomb.xml")
        self.assertNamesSource(r, "travel_advisories", "entit")
        self.assertEqual((r.flags, evs), ([], []))
        self.assertQuiet(self.follow_up(s))

    def test_external_entities_are_never_fetched(self):
        s = self.at_step4()
        r, evs = self.bad_run(s, "travel_advisories", "bad/xxe.xml")
        self.assertEqual((r.flags, evs), ([], []))
        asked = [t for (_, _, t, _) in s.m.server.requests() if "xxe-probe" in t]
        self.assertEqual(asked, [])
        self.assertNotIn("LEAKED-SECRET", r.stdout + r.stderr)
        tables = s.m.tables()
        dump = "".join(str(row) for t in tables for row in s.m.sql("SELECT * FROM %s" % t))
        self.assertNotIn("LEAKED-SECRET", dump)
        if os.path.exists("/etc/hostname"):
            with open("/etc/hostname") as f:
                hostname = f.read().strip()
            if len(hostname) > 3:
                self.assertNotIn(hostname, dump)
        self.assertQuiet(self.follow_up(s))

    def test_deep_json_is_an_error(self):
        s = self.at_step4()
        r, evs = self.bad_run(s, "federal_register", "bad/deep.json")
        self.assertNamesSource(r, "federal_register", "nested too deep")
        self.assertEqual((r.flags, evs), ([], []))
        self.assertQuiet(self.follow_up(s))

    def test_a_page_past_max_bytes_is_cut_off(self):
        s = self.at_step4()
        r, evs = self.bad_run(s, "mfa_en", self.big)
        self.assertNamesSource(r, "mfa_en", "larger than 5 MB")
        self.assertEqual((r.flags, evs), ([], []))
        self.assertQuiet(self.follow_up(s))


class RealFeed(SeriesCase):
    """The two real captures in tests/fixtures/real."""

    def test_real_captures_read_every_advisory_and_flag_one_change(self):
        m = self.monitor(serve_dir=REAL, sources=[])
        m.sources = [{"id": "us-travel-advisories", "url": m.server.url("/feed.xml"),
                      "script": "travel_advisories", "removals": True}]
        m.write_config()
        m.serve("2025-10-07T2108Z.xml", "/feed.xml")
        r = m.run("2025-10-07T22:00:00Z")
        self.assertEqual(r.flags, [])
        items = [e["item"] for e in m.events()]
        self.assertEqual(len(items), 211)
        with open(os.path.join(REAL, "2025-10-07T2108Z.xml"), encoding="utf-8") as f:
            titles = re.findall(r"<item>.*?<title>(.*?)</title>", f.read(), re.S)
        stated = sorted(int(re.search(r"Level (\d)", t).group(1)) for t in titles)
        self.assertEqual(sorted(i["level"] for i in items), stated)
        self.assertTrue(all(i["country"] and "Level" not in i["country"] for i in items))
        china = [i for i in items if i["country"] == "China"]
        self.assertEqual(len(china), 1)
        m.serve("2025-10-08T1736Z.xml", "/feed.xml")
        r = m.run("2025-10-08T18:00:00Z")
        self.assertEqual([(f["rule"], f["message"]) for f in r.flags],
                         [(LEVEL, "Sao Tome and Principe: Level 1 → Level 2 "
                                  "(Exercise Normal Precautions → Exercise Increased Caution)")])


if __name__ == "__main__":
    unittest.main()

"""The travel advisories series t1..t4 (fixtures/expected.md) end to end:
the flags the two advisory rules raise, the events the diff stores, reruns."""

import json
import unittest

from vanetest import (LEVEL_RULE, NOTATION_RULE, SOURCE_ID, STEPS, VaneCase,
                      describe, fold, shipped_rule_ids)

# A time strictly between two steps' --now, to select one step's events.
AFTER_STEP = {1: "2024-11-21T00:00:00Z", 2: "2024-11-23T00:00:00Z", 3: "2024-11-28T00:00:00Z"}

LETTER_MEANING = {"C": "crime", "T": "terrorism", "U": "unrest", "H": "health",
                  "N": "natural disaster", "E": "time-limited event", "K": "kidnapping",
                  "D": "wrongful detention", "O": "other"}

# (rule, slug) -> what the message must say. Level: (country, old, new);
# notation: (country, letter, "added" | "removed").
EXPECTED_FLAGS = {
    1: {},
    2: {(LEVEL_RULE, "madagascar"): ("Madagascar", 2, 3),
        (NOTATION_RULE, "equatorial-guinea"): ("Equatorial Guinea", "O", "added")},
    3: {(LEVEL_RULE, "china"): ("China", 3, 2),
        (NOTATION_RULE, "china"): ("China", "D", "removed")},
    4: {(LEVEL_RULE, "sao-tome-and-principe"): ("Sao Tome and Principe", 1, 2),
        (NOTATION_RULE, "sao-tome-and-principe"): ("Sao Tome and Principe", "H", "added"),
        (NOTATION_RULE, "mexico"): ("Mexico", "T", "added")},
}

# (change, slug) per step, for the travel-advisories source.
EXPECTED_EVENTS = {
    2: {("changed", "madagascar"), ("changed", "equatorial-guinea"), ("changed", "venezuela")},
    3: {("changed", "china"), ("new", "kosovo")},
    4: {("changed", "sao-tome-and-principe"), ("changed", "mexico"), ("changed", "russia"),
        ("removed", "greenland")},
}

T1_SLUGS = {"greenland", "nepal", "sao-tome-and-principe", "russia", "burma", "mexico", "kenya",
            "venezuela", "equatorial-guinea", "yemen", "madagascar", "china", "hong-kong", "macau"}


# The fixture's advisories by the key the scripts give them: the country
# code of the feed's Country-Tag (the API's Category), or for the untagged
# Hong Kong and Macau items the code of their names.
SLUGS = {"GL": "greenland", "NP": "nepal", "TP": "sao-tome-and-principe", "RS": "russia",
         "BM": "burma", "MX": "mexico", "KE": "kenya", "VE": "venezuela",
         "EK": "equatorial-guinea", "YM": "yemen", "MA": "madagascar", "CH": "china",
         "HK": "hong-kong", "MC": "macau", "KV": "kosovo"}


def slug_of(key):
    """The advisory's name from its key (the country code)."""
    return SLUGS.get(key, key)


def as_obj(v):
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def pairs(flags, rules=(LEVEL_RULE, NOTATION_RULE)):
    return sorted((f.get("rule"), slug_of(f.get("key"))) for f in flags if f.get("rule") in rules)


class AdvisorySeries(VaneCase):

    def check_message(self, rule, msg, want):
        country, a, b = want
        fm = fold(msg)
        self.assertIn(fold(country), fm,
                      "message %r should name %s" % (msg, country))
        if rule == LEVEL_RULE:
            self.assertRegex(msg, r"(?i)level\s*%d\b.*?(→|->|to)\s*(level\s*)?%d\b" % (a, b),
                             "message should give the old and new level in order")
        else:
            self.assertRegex(msg, r"\b%s\b" % a, "message should name the letter %s" % a)
            self.assertIn(LETTER_MEANING[a], msg.lower(), "message should say what %s means" % a)
            self.assertIn(b, msg.lower())
            other = "removed" if b == "added" else "added"
            self.assertNotIn(other, msg.lower())

    def check_step_flags(self, step, flags, observed=True):
        now = STEPS[step][0]
        got = pairs(flags)
        want = sorted(EXPECTED_FLAGS[step])
        self.assertEqual(got, want, "step %d: flags of the two advisory rules:\n%s"
                         % (step, "\n".join(json.dumps(f) for f in flags)))
        for f in flags:
            if f.get("rule") not in (LEVEL_RULE, NOTATION_RULE):
                continue
            for k in ("id", "rule", "severity", "message", "source", "key", "change",
                      "event_id", "observed_at"):
                self.assertIn(k, f, "flag object lacks %r: %s" % (k, f))
            self.assertEqual(f["source"], SOURCE_ID)
            self.assertEqual(f["change"], "changed")
            self.assertIsInstance(f["event_id"], int)
            self.assertIn(f["severity"], ("info", "low", "medium", "high", "critical"))
            if observed:
                self.assertEqual(f["observed_at"], now)
            self.check_message(f["rule"], f["message"], EXPECTED_FLAGS[step][(f["rule"], slug_of(f["key"]))])

    def test_series_flags_exactly_the_expected_level_and_notation_changes(self):
        m = self.monitor()
        seen = []
        for step in (1, 2, 3, 4):
            r = m.step(step)
            with self.subTest(step=step):
                self.check_step_flags(step, r.flags)
                # each printed flag is one distinct flag
                self.assertEqual(len({f["id"] for f in r.flags}), len(r.flags))
            seen += r.flags
        # the stored flags are the same set, with the same ids
        stored = m.flags()
        key = lambda f: (f.get("id"), f.get("rule"), f.get("source"), f.get("key"), f.get("message"))
        self.assertEqual(sorted(map(key, stored)), sorted(map(key, seen)))
        for step in (2, 3, 4):
            since = AFTER_STEP[step - 1]
            later = [f for f in stored if f.get("observed_at", "") >= since]
            if step < 4:
                later = [f for f in later if f.get("observed_at", "") < AFTER_STEP[step]]
            self.check_step_flags(step, later)

    def test_kosovo_new_advisory_is_not_a_level_or_notation_change(self):
        m = self.monitor()
        for step in (1, 2):
            m.step(step)
        r = m.step(3)
        kosovo = [f for f in r.flags if slug_of(f.get("key")) == "kosovo"]
        self.assertFalse([f for f in kosovo if f["rule"] in (LEVEL_RULE, NOTATION_RULE)],
                         "a new advisory is not a level or notation change: %s" % kosovo)
        # China keeps O: only D goes
        china = [f["message"] for f in r.flags if f["rule"] == NOTATION_RULE]
        self.assertEqual(len(china), 1, china)
        self.assertNotRegex(china[0], r"\bO\b")

    def test_other_shipped_rules_flag_only_listing_changes(self):
        ids = shipped_rule_ids()
        for need in (LEVEL_RULE, NOTATION_RULE):
            self.assertIn(need, ids, "rules/ should ship %s" % need)
        listed = "advisory-listed" in ids
        # with advisory-listed shipped: Kosovo appears at step 3, Greenland goes at
        # step 4 (expected.md ADV-NEW / ADV-GONE); no other rule flags an advisory.
        want = {1: [], 2: [], 3: [("advisory-listed", "kosovo")] if listed else [],
                4: [("advisory-listed", "greenland")] if listed else []}
        m = self.monitor()
        for step in (1, 2, 3, 4):
            r = m.step(step)
            others = [f for f in r.flags if f.get("rule") not in (LEVEL_RULE, NOTATION_RULE)]
            got = sorted((f["rule"], slug_of(f.get("key"))) for f in others)
            self.assertEqual(got, want[step], "step %d, other rules:\n%s"
                             % (step, "\n".join(json.dumps(f) for f in others)))
            for f in others:
                self.assertIn(slug_of(f["key"]), fold(f["message"]).replace(" ", "-"),
                              "the message should name the country: %r" % f["message"])

    def test_flags_print_as_one_line_each_without_json(self):
        m = self.monitor()
        m.step(1, json_out=False)
        r = m.step(2, json_out=False)
        lines = [l for l in r.stdout.splitlines() if l.strip()]
        self.assertEqual(len(lines), 2, r.stdout)
        for l in lines:
            self.assertRegex(l, r"^\[(info|low|medium|high|critical)\] (%s|%s) %s: \S"
                             % (LEVEL_RULE, NOTATION_RULE, SOURCE_ID))
        self.assertTrue(any("Madagascar" in l for l in lines), lines)
        self.assertTrue(any("Equatorial Guinea" in l for l in lines), lines)

    def test_filters_of_vane_flags_select_by_rule_and_source(self):
        m = self.monitor()
        for step in (1, 2, 3):
            m.step(step)
        by_rule = m.flags("--rule", LEVEL_RULE)
        self.assertEqual(sorted(slug_of(f["key"]) for f in by_rule), ["china", "madagascar"])
        self.assertEqual(len(pairs(m.flags("--source", SOURCE_ID))), 4)
        r = m.vane("flags", "--source", "no-such-source")   # a typo is named (test_commands)
        self.assertEqual(r.returncode, 2, describe(r))
        since = m.flags("--since", AFTER_STEP[2])
        self.assertEqual(pairs(since), sorted(EXPECTED_FLAGS[3]))


class AdvisoryEvents(VaneCase):

    def step_events(self, m, step):
        evs = m.events("--since", AFTER_STEP[step - 1])
        if step < 4:
            evs = [e for e in evs if e.get("observed_at", "") < AFTER_STEP[step]]
        return evs

    def test_baseline_stores_every_advisory_as_new_and_flags_nothing(self):
        m = self.monitor()
        r = m.step(1)
        self.assertEqual(r.flags, [])
        evs = m.events()
        self.assertEqual(sorted(slug_of(e["key"]) for e in evs), sorted(T1_SLUGS))
        for e in evs:
            self.assertEqual(e["change"], "new")
            self.assertTrue(e["baseline"], "step 1 events are the baseline: %s" % e)
            self.assertEqual(e["source"], SOURCE_ID)
            self.assertEqual(e["observed_at"], STEPS[1][0])
            item = as_obj(e["item"])
            self.assertIsInstance(item, dict)
        china = as_obj([e for e in evs if slug_of(e["key"]) == "china"][0]["item"])
        self.assertEqual(china.get("level"), 3, china)
        self.assertEqual(sorted(china.get("notations") or []), ["D", "O"], china)

    def test_each_step_stores_exactly_the_expected_events(self):
        m = self.monitor()
        m.step(1)
        total = 14
        for step in (2, 3, 4):
            m.step(step)
            evs = self.step_events(m, step)
            with self.subTest(step=step):
                got = sorted((e["change"], slug_of(e["key"])) for e in evs)
                self.assertEqual(got, sorted(EXPECTED_EVENTS[step]),
                                 "\n".join(json.dumps(e)[:300] for e in evs))
                for e in evs:
                    for k in ("id", "run_id", "source", "key", "change", "baseline", "item",
                              "prev", "diff", "observed_at"):
                        self.assertIn(k, e)
                    self.assertFalse(e["baseline"])
                    self.assertEqual(e["observed_at"], STEPS[step][0])
                self.assertEqual(len({e["run_id"] for e in evs}), 1, "one run per step")
            total += len(EXPECTED_EVENTS[step])
            self.assertEqual(len(m.events()), total, "no events beyond the expected ones")

    def test_step2_changes_madagascar_equatorial_guinea_venezuela_not_nepal(self):
        m = self.monitor()
        m.step(1)
        before = len(m.events())
        m.step(2)
        evs = self.step_events(m, 2)
        self.assertEqual(len(m.events()) - before, 3)
        by = {slug_of(e["key"]): e for e in evs}
        self.assertEqual(set(by), {"madagascar", "equatorial-guinea", "venezuela"})
        self.assertNotIn("nepal", by, "a new pubDate alone is no change")
        self.assertTrue(all(e["change"] == "changed" for e in evs))
        mad = as_obj(by["madagascar"]["diff"])
        self.assertEqual(mad["level"], {"old": 2, "new": 3})
        eg = as_obj(by["equatorial-guinea"]["diff"])
        self.assertIn("notations", eg)
        self.assertNotIn("level", eg)
        ven = as_obj(by["venezuela"]["diff"])
        self.assertNotIn("level", ven)
        self.assertNotIn("notations", ven)
        self.assertNotIn("published", ven, "`published` is ignored")
        self.assertEqual(as_obj(by["madagascar"]["prev"]).get("level"), 2)
        self.assertEqual(as_obj(by["madagascar"]["item"]).get("level"), 3)

    def test_step4_removes_greenland_because_the_source_has_removals(self):
        m = self.monitor()
        for step in (1, 2, 3, 4):
            m.step(step)
        evs = self.step_events(m, 4)
        removed = [e for e in evs if e["change"] == "removed"]
        self.assertEqual([slug_of(e["key"]) for e in removed], ["greenland"])
        russia = [as_obj(e["diff"]) for e in evs if slug_of(e["key"]) == "russia"]
        self.assertEqual(len(russia), 1)
        self.assertNotIn("notations", russia[0], "same indicators in another order are equal sets")
        self.assertFalse([e for e in evs if slug_of(e["key"]) == "yemen"],
                         "Yemen's escaped description decodes to the same text")

    def test_without_removals_a_dropped_advisory_raises_no_event(self):
        m = self.monitor()
        m.sources = [m.advisory_source(removals=False)]
        m.write_config()
        for step in (1, 2, 3, 4):
            m.step(step)
        evs = m.events("--since", AFTER_STEP[3])
        self.assertFalse([e for e in evs if e["change"] == "removed"], evs)
        self.assertEqual(sorted(slug_of(e["key"]) for e in evs),
                         ["mexico", "russia", "sao-tome-and-principe"])


class Reruns(VaneCase):

    def test_rerun_of_the_same_step_raises_no_flag_and_no_event(self):
        m = self.monitor()
        m.step(1)
        first = m.step(2)
        self.assertEqual(len(first.flags), 2)
        n_events, n_flags = len(m.events()), len(m.flags())
        m.server.reset_stats()
        again = m.step(2)
        self.assertEqual(again.flags, [], describe(again))
        self.assertEqual(len(m.events()), n_events)
        self.assertEqual(len(m.flags()), n_flags)
        self.assertGreaterEqual(m.server.hits("/travel_advisories.xml", 304), 1,
                                "the rerun should send a conditional GET and get a 304")
        self.assertEqual(m.server.hits("/travel_advisories.xml", 200), 0)

    def test_rerun_with_the_same_body_and_no_304_changes_nothing(self):
        m = self.monitor()
        for step in (1, 2, 3):
            m.step(step)
        n_events, n_flags = len(m.events()), len(m.flags())
        m.server.set_conditional(False)
        m.server.reset_stats()
        again = m.run("2024-11-28T06:00:00Z")
        self.assertEqual(m.server.hits("/travel_advisories.xml", 200), 1)
        self.assertEqual(again.flags, [])
        self.assertEqual(len(m.events()), n_events)
        self.assertEqual(len(m.flags()), n_flags)


if __name__ == "__main__":
    unittest.main()

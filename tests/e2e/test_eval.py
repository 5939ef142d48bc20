"""`vane eval FILE`: a rule of the test's own on a small labelled set (exact
counts, every miss and false flag, --json, thresholds as the exit status, a
rule error, malformed files), and the shipped news rules on the real dev
set (tests/fixtures/real/headlines/dev.tsv)."""

import os
import re
import unittest

from vanetest import TOP, VaneCase, describe, parse_json_lines

DEV_SET = os.path.join(TOP, "tests", "fixtures", "real", "headlines", "dev.tsv")
NEWS_RULES = ["new-meeting", "prisoner-release", "repatriation", "ministerial-call",
              "removal-flight", "entry-refusal"]

# Restricted to a source no row has: eval still applies it (the labelled
# set is not tied to the monitor's source ids).
FLIGHT_RULE = """return {
  id = "flight-watch", severity = "low", sources = { "press" },
  when = function(ev)
    return ev.change == "new" and (" " .. ev.item.title:lower() .. " "):find("%sflight%s") ~= nil
  end,
  message = function(ev) return "flight: " .. ev.item.title end,
}
"""

OTHER_RULE = """return {
  id = "other-rule", severity = "low",
  when = function(ev) return true end,
}
"""

CRASHING_RULE = """return {
  id = "crashing", severity = "low",
  when = function(ev)
    if ev.item.title:find("Ryanair") then error("cannot read this one") end
    return ev.item.lang == "zh"
  end,
}
"""

SET = (
    "# A labelled set for flight-watch: a removal flight is news.\n"
    "id\tlang\tsource\ttitle\tlabels\tprovenance\n"
    "f1\ten\tpress\tRemoval flight lands in Guatemala\tflight-watch\twire\n"
    "f2\ten\tice\tICE removal flight to Honduras\tflight-watch,crashing\tice.gov\n"
    "# a false flag: not a removal\n"
    "f3\ten\tnews\tRyanair flight diverted to Minsk\t-\twire\n"
    "f4\tzh\tmfa\t遣返包机抵达\tflight-watch\tmfa\n"
    "f5\ten\tnews\tDeportation charter lands in Port-au-Prince\tflight-watch\twire\n"
    "f6\ten\tnews\tMinister meets counterpart\t-\twire\n"
)


class EvalTest(VaneCase):
    def setUp(self):
        self.m = self.monitor(sources=[])
        self.m.rules_copy({"flight.lua": FLIGHT_RULE, "other.lua": OTHER_RULE,
                           "crashing.lua": CRASHING_RULE}, name="myrules")
        self.set = self.write("set.tsv", SET)

    def write(self, name, text):
        path = os.path.join(self.m.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def eval(self, *args, expect=0, path=None):
        r = self.m.vane("eval", path or self.set, *args)
        self.assertExit(r, expect)
        return r

    def rule_row(self, stdout, rule):
        """The table's numbers for a rule: positives, flagged, true, false,
        misses, errors, precision, recall (as printed)."""
        for line in stdout.splitlines():
            f = line.split()
            if f and f[0] == rule and len(f) == 9:
                return f[1:]
        self.fail("no table row for %s in:\n%s" % (rule, stdout))

    def test_counts_misses_and_false_flags_of_a_rule(self):
        r = self.eval("--rule", "flight-watch")
        self.assertEqual(self.rule_row(r.stdout, "flight-watch"),
                         ["4", "3", "2", "1", "2", "0", "0.667", "0.500"])
        self.assertEqual(re.findall(r"^flight-watch\s+(miss|false flag)\s+(\S+)", r.stdout, re.M),
                         [("false flag", "f3"), ("miss", "f4"), ("miss", "f5")])
        self.assertRegex(r.stdout, r"flight-watch\s+miss\s+f4\s+遣返包机抵达\n")
        self.assertRegex(r.stdout, r"flight-watch\s+false flag\s+f3\s+Ryanair flight diverted to Minsk\n")
        self.assertIn("6 titles, 1 rules, 0 errors\n", r.stdout)
        self.assertFalse(self.m.db_exists(), "eval must not create a database")

    def test_json_gives_the_same_numbers_and_cases(self):
        r = self.eval("--rule", "flight-watch", "--json")
        out = parse_json_lines(r.stdout)
        self.assertEqual(out[0], {"type": "rule", "rule": "flight-watch", "positives": 4,
                                  "flagged": 3, "true_positives": 2, "false_positives": 1,
                                  "misses": 2, "errors": 0, "precision": 0.6667,
                                  "recall": 0.5})
        self.assertEqual([(o["type"], o["id"], o["line"], o["title"]) for o in out[1:-1]],
                         [("false_flag", "f3", 6, "Ryanair flight diverted to Minsk"),
                          ("miss", "f4", 7, "遣返包机抵达"),
                          ("miss", "f5", 8, "Deportation charter lands in Port-au-Prince")])
        self.assertEqual(out[-1], {"type": "summary", "titles": 6, "rules": 1, "errors": 0,
                                   "below": []})

    def test_thresholds_set_the_exit_status(self):
        self.eval("--rule", "flight-watch", "--min-precision", "0.66", "--min-recall", "0.5")
        r = self.eval("--rule", "flight-watch", "--min-precision", "0.7", expect=1)
        self.assertIn("below the thresholds: flight-watch", r.stdout)
        r = self.eval("--rule", "flight-watch", "--min-recall", "0.51", "--json", expect=1)
        self.assertEqual(parse_json_lines(r.stdout)[-1]["below"], ["flight-watch"])
        r = self.eval("--min-precision", "1.5", expect=2)
        self.assertIn("--min-precision needs a number from 0 to 1, not '1.5'", r.stderr)
        r = self.eval("--min-recall", "high", expect=2)
        self.assertIn("--min-recall needs a number from 0 to 1", r.stderr)

    def test_default_rules_are_those_the_file_labels(self):
        r = self.eval("--json", expect=1)   # crashing fails on a row: exit 1
        rules = [o["rule"] for o in parse_json_lines(r.stdout) if o["type"] == "rule"]
        self.assertEqual(sorted(rules), ["crashing", "flight-watch"])   # not other-rule
        r = self.eval("--rule", "other-rule", "--rule", "flight-watch", "--json")
        rules = [o["rule"] for o in parse_json_lines(r.stdout) if o["type"] == "rule"]
        self.assertEqual(sorted(rules), ["flight-watch", "other-rule"])
        other = [o for o in parse_json_lines(r.stdout) if o.get("rule") == "other-rule"]
        self.assertEqual(other[0]["positives"], 0)
        self.assertEqual(other[0]["false_positives"], 6)
        self.assertIsNone(other[0]["recall"])

    def test_a_rule_error_is_reported_with_the_row_and_counted(self):
        r = self.eval("--rule", "crashing", expect=1)
        self.assertEqual(self.rule_row(r.stdout, "crashing"),
                         ["1", "1", "0", "1", "1", "1", "0.000", "0.000"])
        self.assertRegex(r.stdout, r"crashing\s+error\s+f3\s+.*crashing\.lua:4: cannot read this one\n")
        self.assertRegex(r.stdout, r"crashing\s+false flag\s+f4\s")
        self.assertRegex(r.stdout, r"crashing\s+miss\s+f2\s")
        self.assertIn("6 titles, 1 rules, 1 errors", r.stdout)

    def test_an_unknown_rule_or_label_is_told(self):
        r = self.eval("--rule", "nope", expect=2)
        self.assertIn("vane: no loaded rule has the id 'nope'", r.stderr)
        self.assertEqual(r.stdout, "")
        path = self.write("typo.tsv", SET.replace("f6\ten\tnews\tMinister meets counterpart\t-",
                                                  "f6\ten\tnews\tMinister meets counterpart\tflight-wach"))
        r = self.eval("--rule", "flight-watch", path=path)
        self.assertIn("vane: %s:9: label 'flight-wach' names no loaded rule" % path, r.stderr)
        self.assertEqual(self.rule_row(r.stdout, "flight-watch")[0], "4")

    def test_a_rule_that_does_not_load_is_told_and_the_others_measured(self):
        with open(os.path.join(self.m.dir, "myrules", "broken.lua"), "w", encoding="utf-8") as f:
            f.write("return {\n  id = \"broken\",\n  when = function(ev) return end end,\n}\n")
        r = self.eval("--rule", "flight-watch", expect=1)
        self.assertRegex(r.stderr, r"vane: \S*broken\.lua:3: ")
        self.assertEqual(self.rule_row(r.stdout, "flight-watch")[:3], ["4", "3", "2"])

    def test_a_malformed_file_exits_2_with_its_line(self):
        path = self.write("nolabels.tsv", "# c\nid\tlang\tsource\ttitle\nf1\ten\ts\tT\n")
        r = self.eval(path=path, expect=2)
        self.assertIn("vane: %s:2: the header has no 'labels' column" % path, r.stderr)
        self.assertEqual(r.stdout, "")
        path = self.write("short.tsv", SET.replace("\tflight-watch\twire\n", "\n", 1))
        r = self.eval(path=path, expect=2)
        self.assertIn("vane: %s:3: only 4 tab-separated fields (the header's columns need 5)" % path, r.stderr)
        r = self.eval(path=os.path.join(self.m.dir, "missing.tsv"), expect=2)
        self.assertIn("missing.tsv: cannot read: No such file or directory", r.stderr)
        r = self.m.vane("eval")
        self.assertExit(r, 2)
        self.assertFalse(self.m.db_exists())


def dev_labels():
    """(rows, {rule: labelled rows}) of the dev set, read here independently."""
    rows, counts, header = 0, {}, None
    with open(DEV_SET, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if header is None:
                header = fields
                continue
            rows += 1
            labels = fields[header.index("labels")].strip()
            for l in ([] if labels == "-" else labels.split(",")):
                counts[l.strip()] = counts.get(l.strip(), 0) + 1
    return rows, counts


class RealHeadlinesTest(VaneCase):
    def test_every_news_rule_is_measured_on_the_dev_set(self):
        m = self.monitor(sources=[])
        r = m.vane("eval", DEV_SET, "--json")
        self.assertExit(r, 0)
        out = parse_json_lines(r.stdout)
        rows, counts = dev_labels()
        scored = {o["rule"]: o for o in out if o["type"] == "rule"}
        self.assertEqual(sorted(scored), sorted(NEWS_RULES))
        for rule in NEWS_RULES:
            s = scored[rule]
            self.assertEqual(s["positives"], counts[rule], rule)
            self.assertEqual(s["true_positives"] + s["misses"], s["positives"], rule)
            self.assertEqual(s["true_positives"] + s["false_positives"], s["flagged"], rule)
            self.assertEqual(s["errors"], 0, rule)
        self.assertEqual(out[-1]["titles"], rows)
        self.assertFalse(m.db_exists())

    def test_shipped_news_rules_meet_the_targets(self):
        m = self.monitor(sources=[])
        args = ["eval", DEV_SET, "--min-precision", "0.90", "--min-recall", "0.85"]
        for rule in NEWS_RULES:
            args += ["--rule", rule]
        r = m.vane(*args)
        self.assertEqual(r.returncode, 0, "below the targets:\n" + describe(r))

"""Rules that are broken, run forever or eat memory are stopped and reported
by file name while the good rules still flag; `vane test` runs inline tests."""

import os
import re
import time
import unittest

from vanetest import LEVEL_RULE, NOTATION_RULE, VaneCase, describe

BROKEN = """-- a rule with a syntax error on line 3
return {
  id = = "broken-rule",
  severity = "low",
  when = function(ev) return true end,
  message = function(ev) return "never" end,
}
"""

SPIN = """return {
  id = "spin-forever",
  severity = "low",
  when = function(ev) while true do end end,
  message = function(ev) return "never" end,
}
"""

HOG = """return {
  id = "eat-memory",
  severity = "low",
  when = function(ev) local t = {} while true do t[#t+1] = ("x"):rep(1000) end end,
  message = function(ev) return "never" end,
}
"""

PCALL_SPIN = """return {
  id = "pcall-spin",
  severity = "low",
  when = function(ev)
    while true do pcall(function() while true do end end) end
  end,
  message = function(ev) return "never" end,
}
"""

PATTERN = """return {
  id = "slow-pattern",
  severity = "low",
  when = function(ev) return ("a"):rep(200):find("a-a-a-a-b") ~= nil end,
  message = function(ev) return "never" end,
}
"""

FAILING_TEST = """return {
  id = "madagascar-watch",
  severity = "low",
  when = function(ev) return ev.item ~= nil and ev.item.country == "Madagascar" end,
  message = function(ev) return ev.item.country .. " changed" end,
  tests = {
    { event = { change = "changed", item = { country = "Madagascar" } },
      expect = { flag = true, message = "Madagascar changed" } },
    { event = { change = "changed", item = { country = "Kenya" } },
      expect = { flag = true, message = "Kenya changed" } },
  },
}
"""

SETTINGS = {"instructions": 1000000, "memory": "32MB"}

SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")


def good_rules_flagged(flags):
    rules = {(f["rule"], f["key"]) for f in flags}   # advisories are keyed by country code
    return (LEVEL_RULE, "MA") in rules and (NOTATION_RULE, "EK") in rules


class BadRules(VaneCase):

    def series_with(self, files, settings=SETTINGS):
        """Baseline with the shipped rules, then step 2 with `files` added."""
        m = self.monitor(settings=settings)
        m.rules_copy()
        m.step(1)
        m.rules_copy(files)
        return m

    def lines_naming(self, r, fname):
        return [l for l in r.stderr.splitlines() if fname in l]

    def test_syntax_error_exits_2_and_the_events_wait_for_the_fix(self):
        m = self.series_with({"broken.lua": BROKEN})
        r = m.step(2, expect=2)
        self.assertRegex(r.stderr, r"rules/broken\.lua:3:", describe(r))
        self.assertFalse(r.flags, describe(r))
        os.remove(os.path.join(m.dir, "rules", "broken.lua"))
        r = m.step(2)
        self.assertTrue(good_rules_flagged(r.flags), describe(r))
        self.assertFalse([f for f in r.flags if f["rule"] == "broken-rule"])

    def test_check_lists_a_broken_rule_and_exits_nonzero(self):
        m = self.series_with({"broken.lua": BROKEN})
        r = m.vane("check")
        self.assertEqual(r.returncode, 2, describe(r))
        self.assertRegex(r.stdout + r.stderr, r"rules/broken\.lua:3:")

    def test_check_passes_with_the_shipped_rules(self):
        m = self.monitor()
        r = m.vane("check")
        self.assertExit(r, 0, "vane check on the shipped rules")

    def test_endless_loop_is_stopped_by_the_instruction_budget(self):
        m = self.series_with({"spin.lua": SPIN})
        start = time.monotonic()
        r = m.step(2, expect=1)
        self.assertLess(time.monotonic() - start, 60)
        lines = self.lines_naming(r, "spin.lua")
        self.assertTrue(lines, "the runaway rule should be named on stderr\n" + describe(r))
        self.assertTrue(any(re.search(r"(?i)budget|instruction", l) for l in lines),
                        "the message should mention the budget: %s" % lines)
        self.assertTrue(good_rules_flagged(r.flags), describe(r))

    def test_memory_eater_is_stopped_and_named(self):
        m = self.series_with({"hog.lua": HOG})
        r = m.step(2, expect=1)
        lines = self.lines_naming(r, "hog.lua")
        self.assertTrue(lines, "the memory eater should be named on stderr\n" + describe(r))
        self.assertTrue(any(re.search(r"(?i)memory", l) for l in lines), lines)
        self.assertTrue(good_rules_flagged(r.flags), describe(r))

    def test_loop_and_memory_eater_together_leave_good_rules_flagging(self):
        m = self.series_with({"spin.lua": SPIN, "hog.lua": HOG})
        r = m.step(2, expect=1)
        self.assertTrue(self.lines_naming(r, "spin.lua"), describe(r))
        self.assertTrue(self.lines_naming(r, "hog.lua"), describe(r))
        self.assertTrue(good_rules_flagged(r.flags), describe(r))
        self.assertEqual(len(r.flags), 2, "exactly the two good flags: %s" % r.flags)

    def test_pcall_cannot_swallow_the_budget_error(self):
        m = self.series_with({"pcall_spin.lua": PCALL_SPIN})
        start = time.monotonic()
        r = m.step(2, expect=1)
        self.assertLess(time.monotonic() - start, 60)
        self.assertTrue(self.lines_naming(r, "pcall_spin.lua"), describe(r))
        self.assertTrue(good_rules_flagged(r.flags), describe(r))

    def test_pathological_pattern_is_stopped_quickly(self):
        m = self.series_with({"pattern.lua": PATTERN})
        start = time.monotonic()
        r = m.step(2, expect=None)
        took = time.monotonic() - start
        self.assertLess(took, 10, "a backtracking pattern must hit a limit (took %.1fs)" % took)
        self.assertEqual(r.returncode, 1, describe(r))
        self.assertTrue(self.lines_naming(r, "pattern.lua"), describe(r))
        self.assertTrue(good_rules_flagged(r.flags), describe(r))

    def test_a_stopped_rule_flags_nothing_on_the_next_run(self):
        m = self.series_with({"spin.lua": SPIN})
        m.step(2, expect=1)
        n = len(m.flags())
        r = m.step(2, expect=None)
        self.assertEqual(r.flags, [])
        self.assertEqual(len(m.flags()), n)


class InlineTests(VaneCase):

    def summary(self, r):
        lines = [l for l in r.stdout.splitlines() if l.strip()]
        self.assertTrue(lines, describe(r))
        m = SUMMARY.match(lines[-1].strip())
        self.assertTrue(m, "last line should be 'N passed, N failed'\n" + describe(r))
        return int(m.group(1)), int(m.group(2))

    def test_shipped_rules_pass_their_inline_tests(self):
        m = self.monitor()
        r = m.vane("test")
        passed, failed = self.summary(r)
        self.assertEqual(failed, 0, describe(r))
        self.assertGreater(passed, 0, "the shipped rules should carry inline tests")
        self.assertExit(r, 0)

    def test_failing_inline_test_is_reported_with_file_and_line(self):
        m = self.monitor()
        shipped, _ = self.summary(m.vane("test"))
        m.rules_copy({"madagascar_watch.lua": FAILING_TEST})
        r = m.vane("test")
        self.assertExit(r, 1)
        self.assertEqual(self.summary(r), (shipped + 1, 1))
        hits = re.findall(r"madagascar_watch\.lua:(\d+)", r.stdout + r.stderr)
        self.assertTrue(hits, "the failing case should be named as file:line\n" + describe(r))
        n_lines = FAILING_TEST.count("\n")
        self.assertTrue(all(1 <= int(h) <= n_lines for h in hits), hits)


if __name__ == "__main__":
    unittest.main()

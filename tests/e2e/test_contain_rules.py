"""Hostile or careless rules are contained (issue 12): each runs in a Lua
state of its own, what it returns is read inside the protection, and an
event it did not finish stays pending for it. In every case the culprit is
named with its file and line, the run finishes, and the canary — the
shipped prisoner-release rule on the news item "Release of three detained
citizens" from a healthy source — still flags."""

import json
import os
import time

from vanetest import VaneCase, describe, make_site

JSON_SCRIPT = """-- items straight from a JSON document { "items": [ … ] }
return function(doc)
  local d, err = vane.json.decode(doc.body)
  if not d then error(err) end
  return d.items
end
"""

CANARY_RULE = "prisoner-release"
CANARY_TITLE = "Release of three detained citizens"
NOW = ["2024-11-%02dT23:00:00Z" % d for d in range(20, 30)]


def item(n, title):
    url = "https://press.example.org/%d" % n
    return {"key": url, "title": title, "link": url}


TWO = [item(1, "Weekly press briefing"), item(2, "Statement on the trade talks")]
THREE = TWO + [item(3, CANARY_TITLE)]


def rule(rid, when, message='"never"', extra=""):
    return ("return {\n  id = %s,\n  severity = \"low\",\n%s"
            "  when = function(ev) %s end,\n"
            "  message = function(ev) return %s end,\n}\n"
            % (json.dumps(rid), extra, when, message))


MUTATE = rule("mutate-ev", 'ev.change = "changed"; ev.key = "x"; '
              'if type(ev.item) == "table" then ev.item.title = "nothing" end; return false')

META_ERROR = rule("meta-error", "return true",
                  'setmetatable({}, { __index = function() error("x") end })')

META_LOOP = rule("meta-loop", "return true",
                 'setmetatable({}, { __index = function() while true do end end })')

TABLE_META_LOOP = """-- the rule file's own table has a metatable
return setmetatable({ id = "table-meta" }, {
  __index = function() while true do end end,
})
"""

META_LOOP_TESTED = rule("meta-loop", "return true",
                        'setmetatable({}, { __index = function() while true do end end })',
                        extra="  tests = { { event = { change = \"new\" }, expect = { flag = true } },\n"
                              "            setmetatable({}, { __index = function() while true do end end }) },\n")

HOG = rule("memory-hog", "keep = keep or {}\n"
           "    local n = 1 << 20\n"
           "    while pcall(function() keep[#keep + 1] = (\"h\"):rep(n) end) do end\n"
           "    return false")

EATER = rule("memory-eater", "local t = {} while true do t[#t + 1] = (\"x\"):rep(1000) end")

FAKE_MEMORY = rule("fake-memory", 'error("not enough memory")')

BOOM = rule("boom", 'error("boom")')
BOOM_FIXED = rule("boom", "return ev.item ~= nil and ev.item.title:find('detained') ~= nil",
                  '"fixed: " .. ev.item.title')

SYNTAX = """-- a syntax error on line 3
return {
  id = = "broken",
  when = function(ev) return true end,
}
"""

EVERY = rule("flag-everything", "return true", "ev.key", extra="  baseline = true,\n")
EVERY_10 = rule("flag-everything", "return true", "ev.key",
                extra="  baseline = true,\n  max_flags = 10,\n")


class ContainRules(VaneCase):

    def news_monitor(self, extra_rules, items_first=TWO, items_then=THREE, settings=None):
        """A healthy JSON source with the shipped rules and extra_rules."""
        site = make_site(self, {"a.json": json.dumps({"items": items_first}),
                                "b.json": json.dumps({"items": items_then})})
        m = self.monitor(serve_dir=site, sources=[],
                         settings=settings or {"instructions": 2000000, "memory": "32MB"})
        m.add_script("json_items", JSON_SCRIPT)
        m.sources = [{"id": "press", "url": m.server.url("/press.json"), "script": "json_items",
                      "every": "1h", "timeout": "20s"}]
        m.rules_copy(extra_rules)
        return m

    def run_at(self, m, step, served, expect=0):
        m.serve(served, path="/press.json")
        start = time.monotonic()
        r = m.run(NOW[step], expect=expect, timeout=120)
        r.seconds = time.monotonic() - start
        return r

    def baseline_then_canary(self, m, expect):
        self.run_at(m, 0, "a.json")
        return self.run_at(m, 1, "b.json", expect=expect)

    def assertCanary(self, r):
        got = [f for f in r.flags if f["rule"] == CANARY_RULE]
        self.assertEqual(len(got), 1, describe(r))
        self.assertIn("detained citizens", got[0]["message"])

    def assertNamed(self, r, fname, pattern=None):
        lines = [l for l in r.stderr.splitlines() if ("rules/%s:" % fname) in l]
        self.assertTrue(lines, "%s should be named with file:line\n%s" % (fname, describe(r)))
        if pattern:
            self.assertTrue(any(pattern in l for l in lines), "%r not in %s" % (pattern, lines))

    # ---- item 6 of the issue: each rule its own event --------------------------
    def test_a_rule_writing_into_ev_changes_nothing_for_the_others(self):
        m = self.news_monitor({"000_mutate.lua": MUTATE})
        r = self.baseline_then_canary(m, expect=0)
        self.assertCanary(r)
        self.assertEqual(r.flags[0]["key"], "https://press.example.org/3")

    # ---- item 1: what a rule returns is read inside the protection -------------
    def test_a_message_table_whose_index_raises_is_refused_with_file_and_line(self):
        m = self.news_monitor({"meta.lua": META_ERROR})
        r = self.baseline_then_canary(m, expect=1)
        self.assertNamed(r, "meta.lua:5", "metatable")
        self.assertCanary(r)

    def test_a_message_table_whose_index_loops_forever_is_refused_at_once(self):
        m = self.news_monitor({"meta.lua": META_LOOP})
        r = self.baseline_then_canary(m, expect=1)
        self.assertLess(r.seconds, 60)
        self.assertNamed(r, "meta.lua:5", "metatable")
        self.assertCanary(r)

    def test_a_rule_table_with_a_metatable_is_refused_by_check_test_and_run(self):
        m = self.news_monitor({"table_meta.lua": TABLE_META_LOOP})
        for cmd in ("check", "test"):
            start = time.monotonic()
            r = m.vane(cmd, timeout=60)
            self.assertLess(time.monotonic() - start, 60)
            self.assertNotEqual(r.returncode, 0, describe(r))
            self.assertIn("rules/table_meta.lua", r.stdout + r.stderr, describe(r))
            self.assertIn("metatable", r.stdout + r.stderr, describe(r))
        self.run_at(m, 0, "a.json", expect=2)

    def test_vane_test_reads_a_rules_cases_and_results_inside_the_protection(self):
        m = self.news_monitor({"meta.lua": META_LOOP_TESTED})
        start = time.monotonic()
        r = m.vane("test", "meta-loop", timeout=60)
        self.assertLess(time.monotonic() - start, 60)
        self.assertEqual(r.returncode, 1, describe(r))
        out = r.stdout + r.stderr
        self.assertIn("rules/meta.lua:4: rule meta-loop, test 1: error: rules/meta.lua:7: rule "
                      "meta-loop: message: a table with a metatable", out, describe(r))
        self.assertIn("test 2: a test needs event = { ... } and expect = { ... }", out)
        self.assertIn("0 passed, 2 failed", out)

    # ---- items 4 and 8: typed failures, no flag lost ---------------------------
    def test_a_rule_filling_its_memory_starves_no_other_rule(self):
        m = self.news_monitor({"000_hog.lua": HOG})
        r = self.baseline_then_canary(m, expect=0)
        self.assertCanary(r)
        self.assertEqual(m.sql("SELECT count(*) FROM rule_retries"), [(0,)])
        self.assertEqual(m.pending_events(), 0)

    def test_a_memory_eater_fails_alone_and_its_event_waits_for_a_retry(self):
        m = self.news_monitor({"eater.lua": EATER})
        r = self.baseline_then_canary(m, expect=1)
        self.assertNamed(r, "eater.lua", "not enough memory")
        self.assertCanary(r)
        culprits = [l for l in r.stderr.splitlines() if "rules/" in l]
        self.assertTrue(all("rules/eater.lua" in l for l in culprits), describe(r))
        self.assertEqual(m.sql("SELECT rule, kind, tries FROM rule_retries"),
                         [("memory-eater", "memory", 1)])
        self.run_at(m, 2, "b.json", expect=1)   # a limit may pass: tried again
        self.assertEqual(m.sql("SELECT tries FROM rule_retries"), [(2,)])
        os.remove(os.path.join(m.dir, "rules", "eater.lua"))
        self.run_at(m, 3, "b.json", expect=0)
        self.assertEqual(m.sql("SELECT count(*) FROM rule_retries"), [(0,)])

    def test_a_limit_is_retried_five_times_then_given_up_with_a_word(self):
        m = self.news_monitor({"eater.lua": EATER})
        self.baseline_then_canary(m, expect=1)
        for step in range(2, 6):
            r = self.run_at(m, step, "b.json", expect=1)
        self.assertIn("rule memory-eater failed on event 3 (press https://press.example.org/3) "
                      "5 times: not retried again", r.stderr, describe(r))
        self.assertIn("not retried again", m.last_run()["errors"][-1])
        r = self.run_at(m, 6, "b.json", expect=0)
        self.assertEqual(m.sql("SELECT tries FROM rule_retries"), [(5,)])

    def test_a_rule_raising_not_enough_memory_is_its_own_error(self):
        m = self.news_monitor({"fake.lua": FAKE_MEMORY})
        r = self.baseline_then_canary(m, expect=1)
        self.assertNamed(r, "fake.lua:4", "not enough memory")
        self.assertCanary(r)
        self.assertEqual(m.sql("SELECT DISTINCT kind FROM rule_retries"), [("error",)])

    def test_a_rule_error_is_retried_once_its_file_changed_and_the_flag_comes(self):
        m = self.news_monitor({"boom.lua": BOOM})
        r = self.baseline_then_canary(m, expect=1)
        self.assertNamed(r, "boom.lua:4", "boom")
        self.assertCanary(r)
        r = self.run_at(m, 2, "b.json", expect=0)   # same file: not tried again
        self.assertNotIn("retried", r.stderr)
        with open(os.path.join(m.dir, "rules", "boom.lua"), "w", encoding="utf-8") as f:
            f.write(BOOM_FIXED)
        r = self.run_at(m, 3, "b.json", expect=0)
        self.assertIn("retried 1 event for boom: 1 flag", r.stderr, describe(r))
        self.assertEqual([f["message"] for f in r.flags], ["fixed: " + CANARY_TITLE])
        self.assertEqual(m.sql("SELECT count(*) FROM rule_retries"), [(0,)])

    # ---- item 5: rules that do not load ----------------------------------------
    def test_a_syntax_error_exits_2_leaves_the_events_pending_and_the_fix_flags(self):
        m = self.news_monitor({})
        self.run_at(m, 0, "a.json")
        with open(os.path.join(m.dir, "rules", "broken.lua"), "w", encoding="utf-8") as f:
            f.write(SYNTAX)
        r = self.run_at(m, 1, "b.json", expect=2)
        self.assertNamed(r, "broken.lua:3")
        self.assertEqual(r.flags, [])
        self.assertEqual(m.pending_events(), 1)
        os.remove(os.path.join(m.dir, "rules", "broken.lua"))
        r = self.run_at(m, 2, "b.json", expect=0)
        self.assertCanary(r)

    def test_a_rules_folder_that_is_missing_exits_2(self):
        m = self.news_monitor({})
        self.run_at(m, 0, "a.json")
        m.rules = ["rules", "no-such-folder"]
        m.write_config()
        r = self.run_at(m, 1, "b.json", expect=2)
        self.assertEqual(r.flags, [])
        m.rules = ["rules"]
        m.write_config()
        self.assertCanary(self.run_at(m, 2, "b.json", expect=0))

    # ---- item 7: max_flags ----------------------------------------------------
    def test_past_max_flags_one_summary_flag_stands_for_the_rest(self):
        many = [item(100 + i, "Item number %d" % i) for i in range(300)]
        m = self.news_monitor({"every.lua": EVERY}, items_first=many)
        r = self.run_at(m, 0, "a.json", expect=0)
        mine = [f for f in r.flags if f["rule"] == "flag-everything"]
        self.assertEqual(len(mine), 101, describe(r))
        self.assertEqual(mine[-1]["message"],
                         "flag-everything raised 200 more flags this run; see vane replay")
        self.assertEqual(len(m.flags("--rule", "flag-everything", "--limit", "1000")), 101)

    def test_a_rule_may_set_its_own_max_flags(self):
        many = [item(100 + i, "Item number %d" % i) for i in range(300)]
        m = self.news_monitor({"every.lua": EVERY_10}, items_first=many)
        r = self.run_at(m, 0, "a.json", expect=0)
        mine = [f for f in r.flags if f["rule"] == "flag-everything"]
        self.assertEqual(len(mine), 11)
        self.assertIn("raised 290 more flags", mine[-1]["message"])


if __name__ == "__main__":
    import unittest
    unittest.main()

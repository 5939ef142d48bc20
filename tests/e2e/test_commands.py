"""Command arguments checked and listings that keep their word (issue 13):
an unknown rule or source id on the command line is named with a "did you
mean", exit 2; `vane test` says what a failing case got; --limit keeps the
newest rows and --since takes a duration; bad option values are errors."""

import os
import unittest

from vanetest import LEVEL_RULE, SOURCE_ID, STEPS, VaneCase, parse_json_lines

WRONG_SEVERITY_RULE = """
return {
  id = "any-change",
  severity = "medium",
  when = function(ev) return ev.change == "changed" end,
  message = function(ev) return "changed: " .. ev.key end,
  tests = {
    { event = { change = "changed", key = "k" }, expect = { severity = "high" } },
  },
}
"""


class CommandArguments(VaneCase):

    def test_vane_test_with_an_unknown_rule_id_exits_2_and_names_the_close_one(self):
        m = self.monitor()
        r = m.vane("test", "advisory-level-chnage")
        self.assertExit(r, 2, "vane test with a typo")
        self.assertIn("advisory-level-chnage", r.stderr)
        self.assertIn("did you mean %s?" % LEVEL_RULE, r.stderr)
        self.assertNotIn("0 passed, 0 failed", r.stdout)
        self.assertExit(m.vane("test", LEVEL_RULE), 0, "vane test with the right id")

    def test_a_case_with_another_severity_says_so_not_no_flag(self):
        m = self.monitor()
        m.rules_copy({"any_change.lua": WRONG_SEVERITY_RULE})
        r = m.vane("test", "any-change")
        self.assertExit(r, 1, "vane test of a case expecting another severity")
        self.assertIn("expected severity high, got medium", r.stdout)
        self.assertNotIn("no flag", r.stdout)

    def test_replay_with_an_unknown_rule_exits_2_with_a_suggestion(self):
        m = self.monitor()
        m.step(1)
        r = m.vane("replay", "--rule", "advisory-levl-change")
        self.assertExit(r, 2, "vane replay --rule with a typo")
        self.assertIn("--rule advisory-levl-change: no such rule", r.stderr)
        self.assertIn("did you mean %s?" % LEVEL_RULE, r.stderr)

    def test_silence_add_refuses_an_unknown_rule_or_source_unless_forced(self):
        m = self.monitor()
        m.step(1)
        base = ("silence", "add", "--for", "7d", "--reason", "noisy", "--now", STEPS[1][0])
        r = m.vane(*base, "--rule", "advisory-level-chnage")
        self.assertExit(r, 2, "silence add with a rule typo")
        self.assertIn("did you mean %s?" % LEVEL_RULE, r.stderr)
        self.assertIn("nothing added", r.stderr)
        r = m.vane(*base, "--rule", LEVEL_RULE, "--source", "travel-advisorys")
        self.assertExit(r, 2, "silence add with a source typo")
        self.assertIn("--source travel-advisorys: no such source", r.stderr)
        self.assertIn("did you mean %s?" % SOURCE_ID, r.stderr)
        listed = m.vane("silence", "list", "--json", "--now", STEPS[1][0])
        self.assertEqual(parse_json_lines(listed.stdout), [], "a refused silence is not stored")
        self.assertExit(m.vane(*base, "--rule", "a-rule-to-come", "--force"), 0, "--force")
        self.assertExit(m.vane(*base, "--rule", "*", "--source", SOURCE_ID), 0, "'*' is every rule")
        self.assertExit(m.vane(*base, "--rule", "source-failing"), 0, "a built-in health rule")

    def test_source_typos_are_named_on_run_and_on_the_listings(self):
        m = self.monitor()
        m.step(1)
        for cmd in (("run", "--source", "travel-advisorie"),
                    ("events", "--source", "travel-advisorie"),
                    ("flags", "--source", "travel-advisorie"),
                    ("sources", "--source", "travel-advisorie"),
                    ("outbox", "--source", "travel-advisorie")):
            r = m.vane(*cmd)
            self.assertExit(r, 2, " ".join(cmd))
            self.assertIn("did you mean %s?" % SOURCE_ID, r.stderr, " ".join(cmd))
        self.assertEqual(len(m.events("--source", SOURCE_ID)) > 0, True)

    def test_a_source_gone_from_vane_lua_still_lists_its_history(self):
        m = self.monitor()
        m.step(1)
        m.sources = [m.advisory_source(id="other")]
        m.write_config()
        self.assertTrue(m.events("--source", SOURCE_ID), "the database still knows the source")


class Listings(VaneCase):

    def test_limit_gives_the_newest_rows(self):
        m = self.monitor()
        m.step(1)
        m.step(2)
        every = m.events()
        self.assertGreater(len(every), 3)
        newest = m.events("--limit", "3")
        self.assertEqual([e["id"] for e in newest], [e["id"] for e in every[-3:]])
        runs = m.query("runs", "--limit", "1")
        self.assertEqual(len(runs), 1)
        self.assertEqual(runs[0]["started_at"], STEPS[2][0])

    def test_bad_limits_are_errors_naming_the_option(self):
        m = self.monitor()
        m.step(1)
        for value in ("ten", "2x", "0", "-1"):
            r = m.vane("events", "--limit", value)
            self.assertExit(r, 2, "--limit %s" % value)
            self.assertIn("--limit needs a whole number", r.stderr)
            self.assertIn("'%s'" % value, r.stderr)

    def test_since_takes_a_duration_before_now(self):
        m = self.monitor()
        m.step(1)
        m.step(2)
        r = m.vane("events", "--json", "--since", "1d", "--now", "2024-11-22T23:30:00Z")
        self.assertExit(r, 0, "--since 1d")
        evs = parse_json_lines(r.stdout)
        self.assertTrue(evs)
        self.assertTrue(all(e["observed_at"] >= "2024-11-21T23:30:00Z" for e in evs))
        self.assertLess(len(evs), len(m.events()))
        r = m.vane("flags", "--since", "yesterday")
        self.assertExit(r, 2, "--since yesterday")
        self.assertIn("--since needs a time", r.stderr)

    def test_events_show_the_title_and_changed_fields_and_filter_by_key_and_change(self):
        m = self.monitor()
        m.step(1)
        m.step(2)
        changed = m.events("--change", "changed")
        self.assertTrue(changed)
        self.assertTrue(all(e["change"] == "changed" for e in changed))
        self.assertLess(len(changed), len(m.events()))
        ev = next(e for e in changed if "level" in (e["diff"] or {}))
        only = m.events("--key", ev["key"], "--change", "changed")
        self.assertEqual([e["id"] for e in only], [ev["id"]])
        r = m.vane("events", "--key", ev["key"], "--change", "changed")
        self.assertExit(r, 0, "vane events --key --change")
        head, row = r.stdout.splitlines()
        self.assertIn(ev["item"]["title"], row)
        self.assertRegex(row, r"\blevel\b")
        # aligned: each heading starts where its column's cell starts
        for name, cell in (("key", ev["key"]), ("title", ev["item"]["title"])):
            self.assertEqual(head.index(" %s" % name), row.index(" %s" % cell), r.stdout)
        r = m.vane("events", "--change", "modified")
        self.assertExit(r, 2, "--change modified")
        self.assertIn("--change needs new, changed or removed", r.stderr)

    def test_columns_are_aligned_in_the_runs_listing(self):
        m = self.monitor()
        m.step(1)
        m.step(2)
        lines = m.vane("runs").stdout.splitlines()
        starts = {line.index("ok") for line in lines[1:]}
        self.assertEqual(starts, {lines[0].index("status")}, "\n".join(lines))


class Help(VaneCase):

    def test_help_shows_whole_descriptions_and_every_option_with_its_value(self):
        m = self.monitor()
        r = m.vane("--help")
        self.assertExit(r, 0, "vane --help")
        self.assertIn("evaluate the rules and print the new flags.", r.stdout)
        self.assertRegex(r.stdout, r"(?m)^  silence  Keep a rule's flags")
        self.assertRegex(r.stdout, r"(?m)^  outbox   Alerts not delivered yet")
        r = m.vane("help", "events")
        self.assertExit(r, 0, "vane help events")
        for option in ("--since T", "--limit N", "--key K", "--change C", "--source ID"):
            self.assertRegex(r.stdout, r"(?m)^  %s\s" % option, r.stdout)
        self.assertIn("newest", r.stdout)


if __name__ == "__main__":
    unittest.main()

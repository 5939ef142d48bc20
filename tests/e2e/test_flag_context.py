"""What a flag carries beside its message, end to end: the item's title
and link, the source's name, the rule's title and what changed, recorded
when the flag is raised (migration 013) and printed by `vane flags --json`
and the run's JSON output; what a rule names itself ({ title =, link = });
a rule naming a link that is not http(s) is the rule's error."""

import json

from vanetest import VaneCase, describe

MADAGASCAR = "https://travel.state.gov/content/travel/en/traveladvisories/traveladvisories/madagascar-travel-advisory.html"

NAMING_RULE = """
return {
  id = "named",
  title = "Names its own title and link",
  severity = "low",
  when = function(ev) return ev.key == "MA" end,
  message = function(ev)
    return { message = "Madagascar moved", title = "Madagascar: the page", link = "https://example.org/ma" }
  end,
}
"""

BAD_LINK_RULE = """
return {
  id = "bad-link",
  title = "Names a link that is not one",
  severity = "low",
  when = function(ev) return ev.key == "MA" end,
  message = function(ev) return { message = "x", link = "javascript:alert(1)" } end,
}
"""


class FlagContext(VaneCase):

    def level_flag(self, flags):
        got = [f for f in flags if f["rule"] == "advisory-level-change"]
        self.assertEqual(len(got), 1, flags)
        return got[0]

    def test_a_level_change_carries_the_item_and_what_changed(self):
        m = self.monitor()
        m.sources = [m.advisory_source(name="State Department travel advisories")]
        m.write_config()
        m.step(1)
        r = m.step(2)
        for f in (self.level_flag(r.flags), self.level_flag(m.flags())):
            self.assertEqual(f["title"], "Madagascar - Level 3: Reconsider Travel")
            self.assertEqual(f["link"], MADAGASCAR)
            self.assertEqual(f["source_name"], "State Department travel advisories")
            self.assertEqual(f["rule_title"], "Travel advisory level changed")
            self.assertEqual(f["change"], "changed")
            by_field = {c["field"]: c for c in f["changes"]}
            self.assertEqual((by_field["level"]["old"], by_field["level"]["new"]), (2, 3))
            self.assertEqual(by_field["label"]["new"], "Reconsider Travel")
            summary = by_field["summary"]
            self.assertIn("diff", summary, "a long text carries its word diff")
            added = "".join(t for op, t in summary["diff"] if op == "+")
            self.assertIn("Protests in Antananarivo", added)
            self.assertLess(len(summary["new"]), 600, "a long text is shortened")

    def test_a_new_item_has_no_changes_and_a_source_without_name_shows_its_id(self):
        m = self.monitor()
        for n in (1, 2, 3):
            r = m.step(n)
        kosovo = [f for f in r.flags if f["rule"] == "advisory-listed"]
        self.assertTrue(kosovo, describe(r))
        self.assertEqual(kosovo[0]["changes"], [])
        self.assertEqual(kosovo[0]["source_name"], kosovo[0]["source"])

    def test_a_rule_names_the_title_and_link(self):
        m = self.monitor()
        m.rules_copy({"named.lua": NAMING_RULE})
        m.step(1)
        r = m.step(2)
        named = [f for f in r.flags if f["rule"] == "named"]
        self.assertEqual(len(named), 1, describe(r))
        self.assertEqual(named[0]["title"], "Madagascar: the page")
        self.assertEqual(named[0]["link"], "https://example.org/ma")
        self.assertEqual(named[0]["rule_title"], "Names its own title and link")

    def test_a_link_that_is_not_http_is_the_rules_error(self):
        m = self.monitor()
        m.rules_copy({"bad-link.lua": BAD_LINK_RULE})
        m.step(1)
        r = m.step(2, expect=1)
        self.assertIn("bad-link.lua", r.stderr)
        self.assertIn("http:// or https://", r.stderr)
        self.assertFalse([f for f in r.flags if f["rule"] == "bad-link"])
        self.level_flag(r.flags)   # the other rules went on

"""A run with little or nothing due (issue 14): the sources' state is read
at once, so a source added to vane.lua later still gets its row and one
whose url changed forgets its validators; the unchanged sources' health
is recorded together; and the cross-reference check, skipped while what it
reads is unchanged, still catches an edit made after an idle run."""

import os

from vanetest import ADVISORY_PATH, STEPS, VaneCase, describe

T1 = STEPS[1][0]                # every source fetched
T1_IDLE = "2024-11-20T23:10:00Z"  # nothing due (every = 1h)
T1_LATER = "2024-11-20T23:20:00Z"
T1_LAST = "2024-11-20T23:30:00Z"

TYPO_RULE = """return {
  id = "mine",
  severity = "low",
  sources = { "travel-advisorie" },
  when = function(ev) return true end,
  message = function(ev) return "x" end,
}
"""

OPTIONS_SCRIPT = """return {
  options = { region = "which region's items" },
  list = function(doc, options)
    return { { key = "k", title = "t" } }
  end,
}
"""


class Idle(VaneCase):

    def due_run(self, m, now, expect=0):
        """`vane run --now NOW` (not --all: only what is due)."""
        r = m.vane("run", "--now", now)
        self.assertExit(r, expect, "vane run --now %s" % now)
        return r

    def test_a_source_added_later_gets_its_row_and_is_fetched_alone(self):
        m = self.monitor()
        m.serve(STEPS[1][1])
        self.due_run(m, T1)
        second = m.advisory_source(id="second")
        second["url"] = m.server.url("/second.xml")
        m.sources.append(second)
        m.write_config()
        m.serve(STEPS[1][1], path="/second.xml")
        self.due_run(m, T1_IDLE)
        rows = m.source_rows()
        self.assertEqual(sorted(rows), ["second", "travel-advisories"])
        self.assertEqual(rows["second"]["last_attempt"], T1_IDLE)
        self.assertEqual(rows["travel-advisories"]["last_attempt"], T1,
                         "the first source was not due")
        self.assertTrue(rows["second"]["url"].endswith("/second.xml"), rows["second"])
        self.assertEqual(m.last_run()["sources"], 1, "one source due")

    def test_a_source_whose_url_changed_forgets_its_validators(self):
        m = self.monitor()
        m.step(1)
        r = m.run(T1_IDLE)
        self.assertEqual(m.source_rows()[m.sources[0]["id"]]["last_status"], 304, describe(r))
        # the same document at another address: its ETag and date would match
        m.sources[0]["url"] = m.server.url("/moved.xml")
        m.write_config()
        m.serve(STEPS[1][1], path="/moved.xml")
        m.run(T1_LATER)
        row = m.source_rows()[m.sources[0]["id"]]
        self.assertTrue(row["url"].endswith("/moved.xml"), row)
        self.assertEqual(row["last_status"], 200,
                         "another address's validators must not make a 304 stand for it")
        m.run(T1_LAST)
        self.assertEqual(m.source_rows()[m.sources[0]["id"]]["last_status"], 304,
                         "the new address's own validators are kept")

    def test_unchanged_sources_are_all_recorded_beside_a_changed_and_a_failing_one(self):
        m = self.monitor()
        ids = ["a", "b", "c"]
        m.sources = [m.advisory_source(id=i, query="?" + i) for i in ids]
        m.sources.append(m.advisory_source(id="changing", query="?changing"))
        m.sources.append(m.advisory_source(id="dead", query="?dead"))
        m.write_config()
        m.serve(STEPS[1][1])
        m.run(T1)
        # the same document for a, b, c; "changing" sees the next one; "dead" fails
        m.sources[3]["url"] = m.server.url("/changing.xml")
        m.sources[4]["url"] = m.server.url("/dead.xml")
        m.write_config()
        m.serve(STEPS[1][1])
        m.serve(STEPS[2][1], path="/changing.xml")
        m.server.set_status("/dead.xml", 500)
        m.run(T1_IDLE, expect=1)
        rows = m.source_rows()
        for i in ids:
            self.assertEqual(rows[i]["last_attempt"], T1_IDLE, i)
            self.assertEqual(rows[i]["last_success"], T1_IDLE, i)
            self.assertEqual(rows[i]["failures"], 0, i)
        self.assertEqual(rows["changing"]["last_success"], T1_IDLE)
        self.assertEqual(rows["dead"]["last_attempt"], T1_IDLE)
        self.assertEqual(rows["dead"]["failures"], 1)
        self.assertTrue(m.events("--source", "changing", "--since", T1_IDLE))
        run = m.last_run()
        self.assertEqual((run["unchanged"], run["failed"]), (3, 1), run)

    def test_an_edit_after_an_idle_run_is_still_cross_checked(self):
        m = self.monitor()
        m.rules_copy()
        m.serve(STEPS[1][1])
        self.due_run(m, T1)
        self.due_run(m, T1_IDLE)   # nothing due, the check remembered
        # a new rule file naming a source that does not exist
        path = os.path.join(m.dir, "rules", "mine.lua")
        with open(path, "w", encoding="utf-8") as f:
            f.write(TYPO_RULE)
        r = self.due_run(m, T1_IDLE, expect=2)
        self.assertIn("rules/mine.lua:4:", r.stderr, describe(r))
        self.assertIn("no source 'travel-advisorie'", r.stderr, describe(r))
        r = self.due_run(m, T1_IDLE, expect=2)   # and again: a refusal is not remembered
        self.assertIn("no source 'travel-advisorie'", r.stderr, describe(r))
        os.remove(path)
        self.due_run(m, T1_IDLE)
        # a channel in vane.lua routing a rule that does not exist
        m.channels = [{"id": "desk", "kind": "file", "path": "alerts.txt",
                       "rules": ["advisory-level-chnage"]}]
        m.write_config()
        r = self.due_run(m, T1_IDLE, expect=2)
        self.assertIn("no rule 'advisory-level-chnage'", r.stderr, describe(r))
        m.channels = []
        m.write_config()
        self.due_run(m, T1_IDLE)

    def test_an_edited_script_after_an_idle_run_is_still_cross_checked(self):
        m = self.monitor()
        m.add_script("regional", OPTIONS_SCRIPT)
        m.sources.append({"id": "regional", "url": m.server.url(ADVISORY_PATH) + "?r",
                          "script": "regional", "every": "1h", "options": {"region": "eu"}})
        m.write_config()
        m.serve(STEPS[1][1])
        self.due_run(m, T1)
        self.due_run(m, T1_IDLE)
        # the script no longer takes `region`: the source's option names nothing
        m.add_script("regional", OPTIONS_SCRIPT.replace("region =", "area ="))
        r = self.due_run(m, T1_IDLE, expect=2)
        self.assertIn("source 'regional'", r.stderr, describe(r))
        self.assertIn("'region'", r.stderr, describe(r))


if __name__ == "__main__":
    import unittest
    unittest.main()

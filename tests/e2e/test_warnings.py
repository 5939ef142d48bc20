"""test_warnings.py — a run's warnings are kept and counted (issue 13,
item 6).

Every warning of a run is stored with it (source, the script's file:line,
the text); a run from cron, without a terminal and without -v, ends with
one line counting its warnings and silenced flags ("2 warnings, 1 silenced
— see vane runs"); `vane runs` shows each run's errors and warnings.
"""

import re
import unittest

from vanetest import STEPS, VaneCase, make_site

WARNY = """\
-- warny: two items and a warning for each
return function(doc)
  local items = {}
  for key, title in doc.body:gmatch('<li id="(%w+)">([^<]*)</li>') do
    vane.warn(("item %s has no date"):format(key))
    items[#items + 1] = { key = key, title = title }
  end
  return items
end
"""
WARN_LINE = 5  # the vane.warn line above
PAGE = '<ul><li id="a">Alpha</li><li id="b">Bravo</li></ul>'
NOW = "2024-11-20T23:00:00Z"


class TestWarningsKept(VaneCase):
    def warny_monitor(self):
        site = make_site(self, {"list.html": PAGE})
        m = self.monitor(serve_dir=site, rules=None)
        m.add_script("warny", WARNY)
        m.sources = [{"id": "press", "url": m.server.url("/list.html"), "script": "warny"}]
        m.write_config()
        return m

    def test_a_cron_run_counts_its_warnings_without_v(self):
        m = self.warny_monitor()
        r = m.run(NOW)
        self.assertEqual(self.stderr_lines(r), ["vane: 2 warnings \u2014 see vane runs"], r.stderr)
        q = m.vane("run", "--all", "--now", NOW, "-q")
        self.assertEqual(q.stderr, "", "-q keeps a cron run silent")

    def test_each_warning_is_stored_with_source_file_and_line(self):
        m = self.warny_monitor()
        m.run(NOW)
        warnings = m.last_run()["warnings"]
        self.assertEqual(warnings, ["source press: scripts/warny.lua:%d: item %s has no date"
                                    % (WARN_LINE, k) for k in ("a", "b")])

    def test_runs_shows_errors_and_warnings_per_run(self):
        m = self.warny_monitor()
        m.run(NOW)
        m.sources.append({"id": "gone", "url": m.server.url("/missing.html"), "script": "warny"})
        m.write_config()
        m.run(NOW, expect=1)  # press is unchanged: not extracted, no warnings
        table = m.vane("runs")
        self.assertExit(table, 0)
        lines = table.stdout.splitlines()
        heads = lines[0].split()
        self.assertEqual(heads[-2:], ["errors", "warnings"], table.stdout)
        rows = [l.split() for l in lines[1:]]
        self.assertEqual([(row[-2], row[-1]) for row in rows], [("0", "2"), ("1", "0")],
                         table.stdout)
        last = m.last_run()
        self.assertEqual(len(last["errors"]), 1)
        self.assertIn("source gone", last["errors"][0])


class TestSilencedCounted(VaneCase):
    def test_silenced_flags_are_counted_at_the_end_of_a_cron_run(self):
        m = self.monitor()
        m.step(1)
        r = m.vane("silence", "add", "--rule", "advisory-level-change", "--for", "30d",
                   "--reason", "known", "--now", STEPS[1][0])
        self.assertExit(r, 0)
        r = m.step(2)
        silenced = [f for f in m.flags() if f["silence_id"]]
        self.assertTrue(silenced, "step 2 raises a level change")
        last = [l for l in self.stderr_lines(r) if l.startswith("vane: ")][-1]
        self.assertRegex(last, r"^vane: (\d+ warnings?, )?%d silenced \u2014 see vane runs$"
                         % len(silenced))


if __name__ == "__main__":
    unittest.main()

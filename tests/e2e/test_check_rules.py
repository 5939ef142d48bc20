"""Per-run check(ctx) rules: an absence rule flags once, re-alerts after its
window, ends its episode when items arrive and flags again at once in a new
one; vane.history and vane.events read the store and cannot change it."""

import json
import os

from vanetest import VaneCase, describe, make_site, write_files

JSON_SCRIPT = """return function(doc)
  local d, err = vane.json.decode(doc.body)
  if not d then error(err) end
  return d.items
end
"""

QUIET = """return {
  id = "press-quiet",
  title = "No new press release",
  severity = "high",
  %(realert)s
  check = function(ctx)
    local new = vane.events{ source = "press", since = "3d", change = "new" }
    if #new == 0 then
      return { { key = "press", source = "press",
                 message = "no new item in 3 days (checked " .. ctx.now .. ")" } }
    end
  end,
}
"""

PROBE = """return {
  id = "history-probe",
  realert = 0,                -- flag every run
  check = function(ctx)
    local h = vane.history("press", "a")
    local evs = vane.events{ source = "press" }
    h[1].item.title = "Rewritten"
    h[1].change = "removed"
    evs[#evs].key = "zzz"
    local again = vane.history("press", "a")
    local parts = { #h }
    for _, ev in ipairs(again) do
      parts[#parts + 1] = ev.change .. ":" .. ev.item.title .. ":" .. tostring(ev.baseline)
    end
    for _, ev in ipairs(vane.events{ source = "press" }) do parts[#parts + 1] = ev.key end
    parts[#parts + 1] = tostring(vane.sql == nil and vane.db == nil and io == nil)
    parts[#parts + 1] = tostring(pcall(function() vane.events = nil end))
    return { { key = "probe", message = table.concat(parts, " ") } }
  end,
}
"""

BROKEN_CHECK = """return {
  id = "broken-check",
  check = function(ctx)
    local t = nil
    return t.field
  end,
}
"""

BAD_REALERT = """return {
  id = "bad-realert",
  check = function(ctx) return {} end,
  realert = "soon",
}
"""

ANY_NEW = """return {
  id = "any-new",
  when = function(ev) return ev.change == "new" end,
  message = function(ev) return "new: " .. ev.item.title end,
}
"""

A = {"key": "a", "title": "Alpha"}
A2 = {"key": "a", "title": "Alpha, corrected"}
B = {"key": "b", "title": "Bravo"}


def page(items):
    return json.dumps({"items": items})


class CheckRules(VaneCase):

    def check_monitor(self, rules):
        """A `press` JSON source with item a, and the given rule files."""
        site = make_site(self, {"press.json": page([A])})
        m = self.monitor(serve_dir=site, sources=[])
        m.site = site
        m.add_script("json_items", JSON_SCRIPT)
        d = os.path.join(m.dir, "rules")
        os.makedirs(d)
        for name, text in rules.items():
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                f.write(text)
        m.rules = ["rules"]
        m.sources = [{"id": "press", "url": m.server.url("/press.json"), "script": "json_items"}]
        m.write_config()
        return m

    def publish(self, m, items):
        write_files(m.site, {"press.json": page(items)})

    def quiet_flags(self, r):
        return [f for f in r.flags if f["rule"] == "press-quiet"]

    def test_an_absence_rule_flags_once_realerts_daily_and_ends_when_items_arrive(self):
        m = self.check_monitor({"quiet.lua": QUIET % {"realert": ""}})
        self.assertEqual(m.run("2024-11-01T00:00:00Z").flags, [], "the baseline is within 3 days")
        self.assertEqual(m.run("2024-11-03T23:00:00Z").flags, [])
        r = m.run("2024-11-04T01:00:00Z")
        self.assertEqual([(f["key"], f["source"], f["severity"]) for f in r.flags],
                         [("press", "press", "high")], describe(r))
        self.assertEqual(m.run("2024-11-04T12:00:00Z").flags, [], "within the 24h window")
        self.assertEqual(m.run("2024-11-05T00:59:59Z").flags, [])
        r = m.run("2024-11-05T01:00:00Z")
        self.assertEqual(len(self.quiet_flags(r)), 1, "re-alert after 24h\n" + describe(r))
        self.publish(m, [B, A])
        self.assertEqual(m.run("2024-11-05T02:00:00Z").flags, [], "a new item ends the episode")
        self.assertEqual(m.run("2024-11-08T02:00:00Z").flags, [], "bravo is 3 days old, not more")
        r = m.run("2024-11-08T02:00:01Z")
        self.assertEqual(len(self.quiet_flags(r)), 1, "a new episode\n" + describe(r))
        self.assertEqual(m.run("2024-11-08T02:00:01Z").flags, [], "a rerun raises nothing twice")
        self.assertEqual(len(m.flags("--rule", "press-quiet")), 3)

    def test_a_new_episode_flags_at_once_even_within_the_window(self):
        m = self.check_monitor({"quiet.lua": QUIET % {"realert": 'realert = "30d",'}})
        m.run("2024-11-01T00:00:00Z")
        self.assertEqual(len(self.quiet_flags(m.run("2024-11-04T01:00:00Z"))), 1)
        self.assertEqual(m.run("2024-11-05T01:00:00Z").flags, [], "30d window: no re-alert")
        self.publish(m, [B, A])
        m.run("2024-11-05T02:00:00Z")
        r = m.run("2024-11-08T03:00:00Z")
        self.assertEqual(len(self.quiet_flags(r)), 1, describe(r))

    def test_check_flags_are_silenced_by_key(self):
        m = self.check_monitor({"quiet.lua": QUIET % {"realert": ""}})
        m.run("2024-11-01T00:00:00Z")
        r = m.vane("silence", "add", "--rule", "press-quiet", "--key", "press", "--for", "2d",
                   "--reason", "source paused", "--now", "2024-11-03T00:00:00Z")
        self.assertExit(r, 0)
        self.assertEqual(m.run("2024-11-04T01:00:00Z").flags, [])
        self.assertEqual([f["silence_id"] for f in m.flags()], [1])
        r = m.run("2024-11-05T01:00:00Z")
        self.assertEqual(len(self.quiet_flags(r)), 1, "the re-alert after the silence\n" + describe(r))

    def test_history_and_events_return_what_is_stored_and_cannot_change_it(self):
        m = self.check_monitor({"probe.lua": PROBE})
        m.run("2024-11-01T00:00:00Z")
        self.publish(m, [B, A2])
        r = m.run("2024-11-02T00:00:00Z")
        probe = [f for f in m.flags() if f["rule"] == "history-probe"]
        self.assertEqual(len(probe), 2, describe(r))
        self.assertEqual(probe[-1]["message"],
                         "2 new:Alpha:true changed:Alpha, corrected:false a a b true false")
        self.assertEqual(m.sql("SELECT change, json_extract(item, '$.title') FROM events "
                               "WHERE key = 'a' ORDER BY id"),
                         [("new", "Alpha"), ("changed", "Alpha, corrected")])

    def test_a_failing_check_is_reported_with_file_and_line_and_the_run_goes_on(self):
        m = self.check_monitor({"broken.lua": BROKEN_CHECK, "any_new.lua": ANY_NEW})
        r = m.run("2024-11-01T00:00:00Z", expect=1)
        self.assertRegex(r.stderr, r"rules/broken\.lua:5: ", describe(r))
        self.publish(m, [B, A])
        r = m.run("2024-11-02T00:00:00Z", expect=1)
        self.assertEqual([f["rule"] for f in r.flags], ["any-new"], describe(r))

    def test_check_reports_a_bad_realert_with_its_line(self):
        m = self.check_monitor({"bad.lua": BAD_REALERT})
        r = m.vane("check")
        self.assertExit(r, 2)
        self.assertRegex(r.stderr, r"rules/bad\.lua:4: rule bad-realert: realert .*'soon'", describe(r))


if __name__ == "__main__":
    import unittest
    unittest.main()

"""Routing end to end: a channel's `match = function(flag)` choosing the
flags it takes at queue time (after min_severity, rules and sources), an
erroring match reported with vane.lua:LINE while the flag is still queued,
and quiet hours holding a channel's deliveries — pending, not attempted,
not failed — while `--now` is inside the window, then releasing them
after it; and vane check refusing a bad window or zone with its line.

Step 2 of the advisory series raises two flags: Madagascar's level change
(advisory-level-change) and Equatorial Guinea's notation change."""

import json
import os

from vanetest import LEVEL_RULE, NOTATION_RULE, LuaExpr, VaneCase, describe


class Routing(VaneCase):

    def lines(self, m, name):
        path = os.path.join(m.dir, name)
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [json.loads(l) for l in f if l.strip()]

    def two_flags(self, m, expect=0):
        m.step(1)
        r = m.step(2, expect=expect)
        self.assertEqual(len(r.flags), 2, describe(r))
        return r

    def outbox(self, m, channel):
        return m.sql("SELECT status, attempts FROM outbox WHERE channel = ? ORDER BY id",
                     (channel,))

    # ---- match ---------------------------------------------------------------------------
    def test_match_routes_a_flag_to_one_channel_and_not_another(self):
        m = self.monitor(channels=[
            {"id": "levels", "kind": "file", "path": "levels.jsonl",
             "match": LuaExpr('function(flag) return flag.rule == "%s" end' % LEVEL_RULE)},
            {"id": "others", "kind": "file", "path": "others.jsonl",
             "match": LuaExpr('function(flag) return flag.rule ~= "%s" and flag.id end'
                              % LEVEL_RULE)},
            {"id": "none", "kind": "file", "path": "none.jsonl",
             "match": LuaExpr('function(flag) return nil end')}])
        r = self.two_flags(m)
        self.assertEqual(r.stderr.strip(), "", describe(r))
        by_rule = {f["rule"]: f for f in r.flags}
        self.assertEqual([l["id"] for l in self.lines(m, "levels.jsonl")],
                         [by_rule[LEVEL_RULE]["id"]])
        self.assertEqual([l["id"] for l in self.lines(m, "others.jsonl")],
                         [by_rule[NOTATION_RULE]["id"]])
        self.assertEqual(self.lines(m, "none.jsonl"), [])
        self.assertEqual(self.outbox(m, "none"), [], "match said no: nothing queued")

    def test_match_comes_after_the_channel_lists(self):
        m = self.monitor(channels=[
            {"id": "notation", "kind": "file", "path": "n.jsonl", "rules": [NOTATION_RULE],
             "match": LuaExpr('function(flag) return true end')}])
        r = self.two_flags(m)
        self.assertEqual([l["rule"] for l in self.lines(m, "n.jsonl")], [NOTATION_RULE],
                         describe(r))

    def test_an_erroring_match_is_reported_and_the_flag_still_queued(self):
        m = self.monitor(channels=[
            {"id": "picky", "kind": "file", "path": "p.jsonl",
             "match": LuaExpr('function(flag) error("no such desk: " .. flag.rule) end')}])
        line = m.config_line('id = "picky"')
        r = self.two_flags(m, expect=1)
        self.assertIn("vane.lua:%d: channel picky: match: " % line, r.stderr)
        self.assertIn("no such desk: " + LEVEL_RULE, r.stderr)
        self.assertIn("queued anyway", r.stderr)
        self.assertEqual(sorted(l["id"] for l in self.lines(m, "p.jsonl")),
                         sorted(f["id"] for f in r.flags))
        run = m.last_run()
        self.assertEqual(run["exit_code"], 1, run)
        self.assertTrue(any("channel picky: match:" in e for e in run["errors"]), run)

    # ---- quiet hours ----------------------------------------------------------------------
    def quiet_monitor(self, quiet):
        return self.monitor(channels=[{"id": "night", "kind": "file", "path": "q.jsonl",
                                       "quiet": quiet}])

    def test_quiet_hours_hold_deliveries_then_release_them(self):
        # step 2 runs at 23:00 UTC: inside 22:00-07:00
        m = self.quiet_monitor(LuaExpr('{ "22:00-07:00", "12:00-13:00", tz = "UTC" }'))
        r = self.two_flags(m)
        self.assertEqual(self.lines(m, "q.jsonl"), [])
        self.assertIn("channel night: quiet until 07:00 UTC: 2 alerts wait", r.stderr)
        self.assertEqual(self.outbox(m, "night"), [("pending", 0), ("pending", 0)],
                         "waiting, not attempted, not failed")
        # still inside the window: nothing yet
        d = m.vane("deliver", "--now", "2024-11-23T06:59:00Z")
        self.assertExit(d, 0, "vane deliver inside the window")
        self.assertEqual(self.lines(m, "q.jsonl"), [])
        # after it: both, once
        d = m.vane("deliver", "--now", "2024-11-23T07:00:00Z")
        self.assertExit(d, 0, "vane deliver after the window")
        self.assertNotIn("quiet", d.stderr)
        self.assertEqual(sorted(l["id"] for l in self.lines(m, "q.jsonl")),
                         sorted(f["id"] for f in r.flags))
        self.assertEqual(self.outbox(m, "night"), [("sent", 1), ("sent", 1)], "one attempt each")

    def test_quiet_hours_follow_the_zone(self):
        # 23:00 UTC is 07:00 the next day in Shanghai: outside 22:00-07:00 there
        m = self.quiet_monitor(LuaExpr('{ "22:00-07:00", tz = "Asia/Shanghai" }'))
        r = self.two_flags(m)
        self.assertNotIn("quiet", r.stderr)
        self.assertEqual(len(self.lines(m, "q.jsonl")), 2)
        # 15:00 UTC is 23:00 in Shanghai: quiet until 07:00 there
        m2 = self.quiet_monitor(LuaExpr('{ "22:00-07:00", tz = "Asia/Shanghai" }'))
        m2.step(1)
        r2 = m2.step(2, "--now", "2024-11-22T15:00:00Z")
        self.assertIn("channel night: quiet until 07:00 Asia/Shanghai", r2.stderr, describe(r2))
        self.assertEqual(self.lines(m2, "q.jsonl"), [])

    def test_check_refuses_a_bad_window_or_zone_with_its_line(self):
        m = self.quiet_monitor(LuaExpr('{ "22:00-31:00", "7-8", tz = "Mars/Olympus" }'))
        line = m.config_line('id = "night"')
        r = m.vane("check")
        self.assertExit(r, 2, "vane check")
        self.assertIn("vane.lua:%d: channel 'night': quiet: '22:00-31:00' is not a window" % line,
                      r.stderr)
        self.assertIn("'7-8' is not a window", r.stderr)
        self.assertIn("vane.lua:%d: channel 'night': quiet: unknown time zone 'Mars/Olympus'"
                      % line, r.stderr)

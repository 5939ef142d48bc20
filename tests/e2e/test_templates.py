"""Templates end to end: a channel's `format = function(flag)` in vane.lua
making the message the real vane sends to a webhook receiver on 127.0.0.1
(a table as the JSON body, text in a Slack post), a failing template
falling back to the channel's own format with the error naming vane.lua
and the function's line (the alert still delivered, the run's exit status
1), `vane check` rendering each format on the sample flag, and `vane
channel test` sending the sample flag now, not through the outbox.

Which kinds send a template's table as the body is each kind's own
declaration (channel_kind_t.json_body): a table for ntfy or atom, which
send text, is refused like one for a file."""

import json
import os

from vanetest import LEVEL_RULE, LuaExpr, VaneCase, describe

from receivers import WebhookReceiver

SAMPLE_TITLE = "Madagascar - Level 2: Exercise Increased Caution"


class Templates(VaneCase):

    def hook(self):
        hook = WebhookReceiver()
        hook.start()
        self.addCleanup(hook.stop)
        return hook

    def two_flags(self, m, expect=0):
        m.step(1)
        r = m.step(2, expect=expect)
        self.assertEqual(len(r.flags), 2, describe(r))
        return r

    # ---- what a template makes arrives --------------------------------------------
    def test_a_table_is_the_json_body_a_webhook_posts(self):
        hook = self.hook()
        fmt = LuaExpr('function(flag) return { kind = "vane", rule = flag.rule, id = flag.id, '
                      'sev = string.upper(flag.severity) } end')
        m = self.monitor(channels=[{"id": "hook", "kind": "webhook", "url": hook.url("/t"),
                                    "format": fmt}])
        r = self.two_flags(m)
        self.assertNotIn("format", r.stderr)
        reqs = hook.requests()
        self.assertEqual(len(reqs), 2, describe(r))
        for q in reqs:
            self.assertEqual((q.method, q.path), ("POST", "/t"))
            self.assertEqual(q.headers["Content-Type"], "application/json")
        by_id = {b["id"]: b for b in hook.json_bodies()}
        self.assertEqual(sorted(by_id), sorted(f["id"] for f in r.flags))
        for f in r.flags:
            self.assertEqual(by_id[f["id"]], {"id": f["id"], "kind": "vane", "rule": f["rule"],
                                              "sev": f["severity"].upper()})

    def test_the_flag_table_has_the_context(self):
        """Needs the lead's flag context on main (title, changes filled in)."""
        hook = self.hook()
        fmt = LuaExpr('function(flag) local t = {} for _, c in ipairs(flag.changes or {}) do '
                      't[#t + 1] = c.field end return { title = flag.title, fields = t, '
                      'source_name = flag.source_name } end')
        m = self.monitor(channels=[{"id": "hook", "kind": "webhook", "url": hook.url(),
                                    "rules": [LEVEL_RULE], "format": fmt}])
        r = self.two_flags(m)
        bodies = hook.json_bodies()
        self.assertEqual(len(bodies), 1, describe(r))
        self.assertIn("Madagascar", bodies[0].get("title") or "", bodies[0])
        self.assertIn("level", bodies[0].get("fields") or [], bodies[0])

    def test_text_arrives_in_a_slack_post(self):
        """Needs the slack kind (the chat kinds' part), which writes the text."""
        hook = self.hook()
        fmt = LuaExpr('function(flag) return "TEMPLATE " .. flag.rule .. " #" .. flag.id end')
        m = self.monitor(channels=[{"id": "chat", "kind": "slack",
                                    "url": hook.url("/services/T0/B0/x"), "format": fmt}])
        r = self.two_flags(m)
        bodies = [q.body.decode("utf-8") for q in hook.requests()]
        self.assertEqual(len(bodies), 2, describe(r))
        for f in r.flags:
            want = json.dumps("TEMPLATE %s #%d" % (f["rule"], f["id"]))[1:-1]
            self.assertEqual(sum(want in b for b in bodies), 1, (want, bodies))

    # ---- a failing template falls back ----------------------------------------------
    def test_a_failing_template_is_reported_and_the_flag_still_delivered(self):
        hook = self.hook()
        fmt = LuaExpr('function(flag) return flag.nothing.here end')
        m = self.monitor(channels=[{"id": "hook", "kind": "webhook", "url": hook.url(),
                                    "format": fmt}])
        line = m.config_line('id = "hook"')
        r = self.two_flags(m, expect=1)
        self.assertIn("vane.lua:%d: channel hook: format: " % line, r.stderr)
        self.assertIn("attempt to index a nil value", r.stderr)
        bodies = hook.json_bodies()
        self.assertEqual(sorted(b["id"] for b in bodies), sorted(f["id"] for f in r.flags))
        for b, f in zip(sorted(bodies, key=lambda b: b["id"]), sorted(r.flags, key=lambda f: f["id"])):
            self.assertEqual(b, f, "the channel's own format: the flag object")
        run = m.last_run()
        self.assertTrue(any("channel hook: format:" in e for e in run["errors"]), run)
        self.assertEqual(m.sql("SELECT count(*) FROM outbox WHERE channel = 'hook' "
                               "AND status = 'pending'")[0][0], 0)

    def test_a_template_past_the_instruction_budget_falls_back(self):
        hook = self.hook()
        fmt = LuaExpr('function(flag) while true do end end')
        m = self.monitor(channels=[{"id": "hook", "kind": "webhook", "url": hook.url(),
                                    "format": fmt}],
                         settings={"instructions": 200000})
        r = self.two_flags(m, expect=1)
        self.assertIn("channel hook: format: ", r.stderr)
        self.assertIn("instruction budget exhausted", r.stderr)
        self.assertEqual(len(hook.json_bodies()), 2)

    def test_a_table_for_a_file_channel_is_an_error_and_the_line_is_written(self):
        out = "out.jsonl"
        m = self.monitor(channels=[{"id": "archive", "kind": "file", "path": out,
                                    "format": LuaExpr('function(flag) return { x = 1 } end')}])
        line = m.config_line('id = "archive"')
        r = self.two_flags(m, expect=1)
        self.assertIn("vane.lua:%d: channel archive: format: " % line, r.stderr)
        self.assertIn("returned a table", r.stderr)
        with open("%s/%s" % (m.dir, out), encoding="utf-8") as f:
            lines = [json.loads(l) for l in f if l.strip()]
        self.assertEqual(sorted(l["id"] for l in lines), sorted(f["id"] for f in r.flags))

    def test_a_table_for_ntfy_is_an_error_and_the_default_message_is_sent(self):
        hook = self.hook()
        m = self.monitor(channels=[{"id": "phone", "kind": "ntfy", "server": hook.url(""),
                                    "topic": "desk",
                                    "format": LuaExpr('function(flag) return { x = 1 } end')}])
        line = m.config_line('id = "phone"')
        r = self.two_flags(m, expect=1)
        self.assertIn("vane.lua:%d: channel phone: format: " % line, r.stderr)
        self.assertIn("returned a table", r.stderr)
        reqs = hook.requests()
        self.assertEqual(len(reqs), 2, describe(r))
        for q in reqs:
            self.assertEqual(q.path, "/desk")
            self.assertNotIn('"x"', q.body.decode("utf-8") if isinstance(q.body, bytes) else q.body)

    def test_a_digest_takes_text_but_not_a_table(self):
        hook = self.hook()
        m = self.monitor(channels=[
            {"id": "texts", "kind": "webhook", "url": hook.url("/texts"), "digest": True,
             "format": LuaExpr('function(flag) return "line " .. flag.id end')},
            {"id": "tables", "kind": "webhook", "url": hook.url("/tables"), "digest": True,
             "format": LuaExpr('function(flag) return { id = flag.id } end')}])
        line = m.config_line('id = "tables"')
        r = self.two_flags(m, expect=1)
        self.assertNotIn("channel texts", r.stderr)
        self.assertEqual(r.stderr.count("vane.lua:%d: channel tables: format: " % line), 2,
                         "one error per flag, each naming it")
        self.assertIn("returned a table", r.stderr)
        bodies = {q.path: json.loads(q.body) for q in hook.requests()}
        self.assertEqual(sorted(bodies), ["/tables", "/texts"], describe(r))
        for path in ("/texts", "/tables"):
            self.assertTrue(bodies[path]["digest"], bodies[path])
            self.assertEqual(sorted(f["id"] for f in bodies[path]["flags"]),
                             sorted(f["id"] for f in r.flags))

    # ---- vane check --------------------------------------------------------------------
    def test_check_renders_each_format_on_the_sample_flag(self):
        m = self.monitor(channels=[
            {"id": "text", "kind": "file", "path": "a.jsonl",
             "format": LuaExpr('function(f) return f.title .. "\\n" .. f.changes[1].old .. '
                               '" -> " .. f.changes[1].new end')},
            {"id": "body", "kind": "webhook", "url": "http://127.0.0.1:9/x",
             "format": LuaExpr('function(f) return { t = f.rule_title, id = f.id } end'),
             "match": LuaExpr('function(f) return f.severity == "low" end')},
            {"id": "plain", "kind": "file", "path": "b.jsonl"}])
        r = m.vane("check")
        self.assertExit(r, 0, "vane check")
        self.assertIn("channel text: format on the sample flag (text):\n    %s\n"
                      "    Level 3: Reconsider Travel -> Level 2: Exercise Increased Caution\n"
                      % SAMPLE_TITLE, r.stdout)
        self.assertIn('channel body: match does not take the sample flag; format on the sample '
                      'flag (JSON body):\n    {"id":0,"t":"Travel advisory level changed"}\n',
                      r.stdout)
        self.assertNotIn("channel plain", r.stdout)
        j = m.vane("check", "--json")
        self.assertExit(j, 0, "vane check --json")
        objs = [json.loads(l) for l in j.stdout.splitlines()]
        self.assertEqual(objs[0], {"channel": "text", "text": SAMPLE_TITLE + "\nLevel 3: "
                                   "Reconsider Travel -> Level 2: Exercise Increased Caution"})
        self.assertEqual(objs[1], {"channel": "body", "match": False,
                                   "body": {"id": 0, "t": "Travel advisory level changed"}})
        self.assertTrue(objs[-1]["ok"])

    def test_check_reports_a_failing_template_with_its_line(self):
        m = self.monitor(channels=[{"id": "bad", "kind": "file", "path": "a.jsonl",
                                    "format": LuaExpr('function(f) return f.nope.x end')}])
        line = m.config_line('id = "bad"')
        r = m.vane("check")
        self.assertExit(r, 2, "vane check")
        self.assertIn("vane.lua:%d: channel bad: format: " % line, r.stderr)
        j = m.vane("check", "--json")
        problems = [json.loads(l) for l in j.stdout.splitlines() if '"line"' in l]
        self.assertEqual([(os.path.basename(p["file"]), p["line"]) for p in problems],
                         [("vane.lua", line)])

    def test_check_refuses_a_format_that_is_not_a_function(self):
        m = self.monitor(channels=[{"id": "x", "kind": "file", "path": "a.jsonl",
                                    "format": "slack", "match": True}])
        line = m.config_line('id = "x"')
        r = m.vane("check")
        self.assertExit(r, 2, "vane check")
        self.assertIn("vane.lua:%d: channel 'x': 'format' is not a key of file channels" % line,
                      r.stderr)
        self.assertIn("vane.lua:%d: channel 'x': 'match' must be a function(flag), not a boolean"
                      % line, r.stderr)

    # ---- vane channel test ---------------------------------------------------------------
    def test_channel_test_sends_the_sample_now(self):
        hook = self.hook()
        m = self.monitor(channels=[
            {"id": "hook", "kind": "webhook", "url": hook.url("/ops"),
             "format": LuaExpr('function(f) return { title = f.title, id = f.id } end')},
            {"id": "plain", "kind": "webhook", "url": hook.url("/plain")}])
        r = m.vane("channel", "test", "hook")
        self.assertExit(r, 0, "vane channel test hook")
        self.assertEqual(r.stdout, "channel hook: sent\n")
        q = hook.requests()
        self.assertEqual(len(q), 1)
        self.assertEqual((q[0].method, q[0].path), ("POST", "/ops"))
        self.assertEqual(json.loads(q[0].body), {"title": SAMPLE_TITLE, "id": 0})
        r = m.vane("channel", "test", "plain", "--json")
        self.assertExit(r, 0, "vane channel test plain --json")
        self.assertEqual(json.loads(r.stdout), {"channel": "plain", "sent": True})
        body = json.loads(hook.requests()[1].body)
        self.assertEqual((body["id"], body["rule"], body["title"], body["change"]),
                         (0, "advisory-level-change", SAMPLE_TITLE, "changed"))
        self.assertEqual(body["changes"][0]["field"], "level")
        self.assertFalse(m.db_exists(), "nothing is stored")

    def test_channel_test_says_why_a_channel_refused(self):
        hook = self.hook()
        hook.set_mode("fail", status=503)
        m = self.monitor(channels=[{"id": "hook", "kind": "webhook", "url": hook.url()}])
        r = m.vane("channel", "test", "hook")
        self.assertExit(r, 1, "vane channel test hook")
        self.assertIn("vane: channel hook:", r.stderr)
        self.assertIn("503", r.stderr)
        j = m.vane("channel", "test", "hook", "--json")
        self.assertExit(j, 1, "--json")
        o = json.loads(j.stdout)
        self.assertEqual((o["channel"], o["sent"]), ("hook", False))
        self.assertIn("503", o["error"])

    def test_channel_test_of_an_unknown_id_lists_the_channels(self):
        m = self.monitor(channels=[{"id": "ops", "kind": "file", "path": "a.jsonl"},
                                   {"id": "desk", "kind": "file", "path": "b.jsonl"}])
        r = m.vane("channel", "test", "nope")
        self.assertExit(r, 2, "vane channel test nope")
        self.assertIn("channel nope: no such channel", r.stderr)
        self.assertIn("(channels: stdout, ops, desk)", r.stderr)
        self.assertExit(m.vane("channel", "send", "ops"), 2, "not a subcommand")

"""`vane show FLAG` and `vane history SOURCE KEY` on real runs: a flag's
story answers "what happened and where did it go" (its fields and context,
the item before and after, a failing webhook's attempts and last error,
then sent); a silenced flag shows its silence; the history of one country
over the advisory series lists every version newest first with what
changed and the flags raised on it; --json shapes; a hostile title cannot
move the cursor; a flag about a source shows no event or item; unknown ids
and keys are clear errors (exit 2).

The flags' context (title, link, source_name, rule_title, changes) comes
from the lead's part on main: on this branch alone those assertions fail
until main is merged."""

import json
import os
import sys

from vanetest import (ADVISORY_PATH, LEVEL_RULE, SOURCE_ID, TOP, VaneCase, describe,
                      make_site, parse_json_lines)

sys.path.insert(0, os.path.join(TOP, "tests"))
from receivers import WebhookReceiver  # noqa: E402

LATER = "2024-12-09T00:00:00Z"


def value_text(v):
    """A field's value as vane prints it: a string's text, else its JSON."""
    return v if isinstance(v, str) else json.dumps(v, separators=(",", ":"), ensure_ascii=False)


class Show(VaneCase):

    def hook(self, mode="accept"):
        h = WebhookReceiver()
        h.start()
        self.addCleanup(h.stop)
        if mode == "fail":
            h.set_mode("fail", status=500)
        return h

    def show(self, m, flag_id, *extra, code=0):
        r = m.vane("show", str(flag_id), *extra)
        self.assertExit(r, code, "vane show %s" % flag_id)
        return r

    def show_json(self, m, flag_id):
        r = self.show(m, flag_id, "--json")
        lines = parse_json_lines(r.stdout, "vane show --json")
        self.assertEqual(len(lines), 1, "one JSON object\n" + describe(r))
        return lines[0]

    def test_show_says_what_happened_and_where_it_went(self):
        hook = self.hook("fail")
        m = self.monitor(channels=[{"id": "ops", "kind": "webhook", "url": hook.url("/hook"),
                                    "retry_after": "1m"}])
        m.step(1)
        m.step(2, expect=1)
        flags = m.flags()
        self.assertTrue(flags)
        # while the hook is down only the oldest flag is tried
        first = min(flags, key=lambda f: f["id"])
        s = self.show_json(m, first["id"])
        self.assertEqual(set(s), {"flag", "event", "item", "rule", "silence", "deliveries"})
        f = s["flag"]
        for k in ("id", "rule", "severity", "message", "source", "key", "change", "event_id",
                  "observed_at", "created_at"):
            self.assertEqual(f[k], first[k], k)
        self.assertEqual(s["rule"]["id"], first["rule"])

        ev = s["event"]
        self.assertEqual(ev["id"], first["event_id"])
        self.assertEqual(ev["change"], "changed")
        self.assertEqual((ev["source"], ev["key"]), (first["source"], first["key"]))
        self.assertTrue(ev["diff"])
        for field, d in ev["diff"].items():
            self.assertEqual(ev["prev"].get(field), d["old"])
            self.assertEqual(ev["item"].get(field), d["new"])
        self.assertEqual(s["item"]["fields"], ev["item"], "the item now is the event's after")
        self.assertIsNone(s["silence"])

        d = {x["channel"]: x for x in s["deliveries"]}
        self.assertIn("ops", d)
        self.assertEqual(d["ops"]["status"], "pending")
        self.assertEqual(d["ops"]["attempts"], 1)
        self.assertIn("500", d["ops"]["last_error"])
        self.assertTrue(d["ops"]["next_attempt"])
        self.assertIsNone(d["ops"]["sent_at"])
        self.assertEqual(len(hook.requests()), 1)

        text = self.show(m, first["id"]).stdout
        self.assertIn("flag %d" % first["id"], text)
        self.assertIn(first["message"], text)
        self.assertIn("event %d" % ev["id"], text)
        lines = text.splitlines()
        for field, dd in ev["diff"].items():    # what changed: "- old" / "+ new" under the field
            at = lines.index("  %s:" % field)
            below = lines[at + 1:at + 4]
            if dd["old"] is not None and len(value_text(dd["old"])) < 100:
                self.assertIn("    - " + value_text(dd["old"]), below, field)
            if dd["new"] is not None and len(value_text(dd["new"])) < 100:
                self.assertIn("    + " + value_text(dd["new"]), below, field)
        self.assertIn("before (the event's prev)", text)
        self.assertIn("item now", text)
        ops = [l for l in lines if l.startswith("  ops  pending  attempts 1")]
        self.assertEqual(len(ops), 1, text)
        self.assertIn("next attempt", ops[0])
        self.assertIn("last error:", text)
        self.assertIn("500", text)

        hook.set_mode("accept")
        r = m.vane("deliver", "--now", LATER)
        self.assertExit(r, 0, "vane deliver")
        s = self.show_json(m, first["id"])
        d = {x["channel"]: x for x in s["deliveries"]}
        self.assertEqual(d["ops"]["status"], "sent")
        self.assertEqual(d["ops"]["sent_at"], LATER)
        self.assertEqual(d["ops"]["attempts"], 2, "the failed attempt, then the one that went")
        sent = [json.loads(q.body)["id"] for q in hook.accepted()]
        self.assertIn(first["id"], sent)
        text = self.show(m, first["id"]).stdout
        self.assertIn("  ops  sent  attempts 2  sent at " + LATER, text)
        # --db without the configuration reads the same
        r = m.vane("show", str(first["id"]), "--json", "--db", m.db)
        self.assertExit(r, 0)
        self.assertEqual(parse_json_lines(r.stdout)[0], s)

    def test_show_carries_the_flags_context(self):
        """The context the lead's part records (on main)."""
        m = self.monitor()
        m.step(1)
        m.step(2)
        level = [f for f in m.flags() if f["rule"] == LEVEL_RULE][0]
        s = self.show_json(m, level["id"])
        f = s["flag"]
        self.assertEqual(f["title"], s["event"]["item"]["title"], "the item's title")
        self.assertEqual(f["link"], s["event"]["item"]["link"], "the item's link")
        self.assertTrue(s["rule"]["title"], "the rule's title")
        self.assertEqual(s["rule"]["title"], f["rule_title"])
        fields = [c["field"] for c in f["changes"]]
        self.assertIn("level", fields)
        text = self.show(m, level["id"]).stdout
        self.assertIn("  title     " + f["title"], text)
        self.assertIn("  link      " + f["link"], text)
        self.assertIn("rule      %s — %s" % (LEVEL_RULE, f["rule_title"]), text)
        lines = text.splitlines()
        at = lines.index("  level:")
        change = [c for c in f["changes"] if c["field"] == "level"][0]
        self.assertEqual(lines[at + 1:at + 3], ["    - " + value_text(change["old"]),
                                                 "    + " + value_text(change["new"])])

    def test_a_flag_about_a_source_has_no_event_or_item(self):
        m = self.monitor(settings={"failing_after": 1})
        m.step(1)
        m.server.set_status(ADVISORY_PATH, 503)
        m.step(2, expect=1)
        failing = [f for f in m.flags() if f["rule"] == "source-failing"]
        self.assertEqual(len(failing), 1)
        s = self.show_json(m, failing[0]["id"])
        self.assertEqual(s["flag"]["source"], SOURCE_ID)
        self.assertIsNone(s["flag"]["event_id"])
        self.assertIsNone(s["event"])
        self.assertIsNone(s["item"])
        self.assertEqual(s["rule"]["id"], "source-failing")
        text = self.show(m, failing[0]["id"]).stdout
        self.assertIn("event     none (a flag about the source, not an item)", text)
        self.assertNotIn("item now", text)

    def test_a_silenced_flag_shows_its_silence(self):
        m = self.monitor()
        m.step(1)
        r = m.vane("silence", "add", "--rule", LEVEL_RULE, "--for", "30d",
                   "--reason", "level review \x1b[2J under way", "--now", "2024-11-21T00:00:00Z")
        self.assertExit(r, 0, "silence add")
        m.step(2)
        silenced = [f for f in m.flags() if f["rule"] == LEVEL_RULE]
        self.assertTrue(silenced, "step 2 changes a level")
        f = silenced[0]
        s = self.show_json(m, f["id"])
        self.assertEqual(s["flag"]["silence_id"], f["silence_id"])
        self.assertEqual(s["silence"]["id"], f["silence_id"])
        self.assertEqual(s["silence"]["reason"], "level review \x1b[2J under way")
        self.assertEqual(s["silence"]["until"], "2024-12-21T00:00:00Z")
        self.assertEqual(s["deliveries"], [], "a silenced flag goes nowhere")
        text = self.show(m, f["id"]).stdout
        self.assertIn("silence   %d  until 2024-12-21T00:00:00Z" % f["silence_id"], text)
        self.assertIn("level review \\x1b[2J under way", text)
        self.assertNotIn("\x1b", text)
        self.assertIn("deliveries  none", text)

    def test_history_of_one_country_over_the_series(self):
        m = self.monitor()
        for n in (1, 2, 3, 4):
            m.step(n)
        m.serve("t1.xml")        # back to the first snapshot: changes undone, removals back
        m.run(LATER)
        events = m.events("--source", SOURCE_ID)
        by_key = {}
        for e in events:
            by_key.setdefault(e["key"], []).append(e)
        key = max(by_key, key=lambda k: (len(by_key[k]), k))
        want = sorted(by_key[key], key=lambda e: -e["id"])
        self.assertGreaterEqual(len(want), 3, "a country with several versions")
        for key in by_key:
            if len(by_key[key]) > 1:
                self.check_history(m, key, sorted(by_key[key], key=lambda e: -e["id"]))
        removed = [e for e in events if e["change"] == "removed"]
        self.assertTrue(removed, "the series removes a country")
        text = m.vane("history", SOURCE_ID, removed[0]["key"]).stdout
        at = text.index("event %d  %s  removed\n  last seen as:\n" % (removed[0]["id"],
                                                                     removed[0]["observed_at"]))
        self.assertIn("    title: " + removed[0]["prev"]["title"], text[at:])

    def check_history(self, m, key, want):
        flags = m.flags("--key", key)

        r = m.vane("history", SOURCE_ID, key, "--json")
        self.assertExit(r, 0, "vane history --json")
        got = parse_json_lines(r.stdout, "vane history --json")
        self.assertEqual([v["id"] for v in got], [e["id"] for e in want], "newest first")
        for v, e in zip(got, want):
            for k in ("source", "key", "change", "baseline", "item", "prev", "diff",
                      "observed_at", "run_id"):
                self.assertEqual(v[k], e[k], "version %d: %s as vane events says" % (v["id"], k))
            self.assertEqual(sorted(x["id"] for x in v["flags"]),
                             sorted(f["id"] for f in flags if f["event_id"] == v["id"]))
            for x in v["flags"]:
                self.assertEqual(set(x), {"id", "rule", "severity", "message"})
        self.assertEqual(got[-1]["change"], "new")

        text = m.vane("history", SOURCE_ID, key).stdout
        heads = [text.index("event %d  " % e["id"]) for e in want]
        self.assertEqual(heads, sorted(heads), "newest first in the text too")
        lines = text.splitlines()
        for v in got:
            if v["change"] != "changed":
                continue
            for field, d in v["diff"].items():
                old, new = value_text(d["old"]), value_text(d["new"])
                if d["old"] is not None and d["new"] is not None and len(old) < 40 and len(new) < 40:
                    self.assertIn("  %s: %s → %s" % (field, old, new), lines)
        for f in flags:
            self.assertIn("  flag %d  %s  [%s] %s" % (f["id"], f["severity"], f["rule"],
                                                    f["message"]), lines)
        # the baseline version lists its fields
        base = want[-1]
        self.assertIn("event %d  %s  new%s" % (base["id"], base["observed_at"],
                                               " (baseline)" if base["baseline"] else ""), lines)
        self.assertIn("  title: " + base["item"]["title"], lines)

    def test_a_hostile_title_cannot_move_the_cursor(self):
        site = make_site(self, {"press.json": json.dumps({"items": [{"key": "a", "title": "A"}]})})
        m = self.monitor(serve_dir=site, sources=[])
        m.add_script("json_items", 'return function(doc)\n'
                     '  return vane.json.decode(doc.body).items\nend\n')
        m.rules_copy({"any.lua": 'return { id = "any-new", severity = "low",\n'
                      '  when = function(ev) return ev.change == "new" end,\n'
                      '  message = function(ev) return "new: " .. ev.item.title end }\n'})
        m.sources = [{"id": "press", "url": m.server.url("/press.json"), "script": "json_items"}]
        m.write_config()
        m.run("2024-11-20T00:00:00Z")
        evil = "Bad\x1b[2J\x1b]0;owned\x07\r\nforged line \u009b31m"
        with open(os.path.join(site, "press.json"), "w", encoding="utf-8") as f:
            json.dump({"items": [{"key": "a", "title": "A"}, {"key": "k", "title": evil}]}, f)
        m.run("2024-11-21T00:00:00Z")
        flag = [f for f in m.flags() if f["rule"] == "any-new"][0]
        for args in (("show", str(flag["id"])), ("history", "press", "k")):
            r = m.vane(*args)
            self.assertExit(r, 0, " ".join(args))
            for bad in ("\x1b", "\x07", "\r", "\u009b"):
                self.assertNotIn(bad, r.stdout, args)
            self.assertIn("Bad\\x1b[2J\\x1b]0;owned\\x07\\r\\nforged line \\u009b31m", r.stdout)
            self.assertFalse([l for l in r.stdout.splitlines() if l.startswith("forged")])
        s = self.show_json(m, flag["id"])
        self.assertEqual(s["event"]["item"]["title"], evil, "JSON keeps the text exactly")

    def test_unknown_ids_and_keys_are_clear_errors(self):
        m = self.monitor()
        m.step(1)
        r = m.vane("show", "999999")
        self.assertExit(r, 2)
        self.assertIn("no flag 999999", r.stderr)
        self.assertIn("vane flags", r.stderr)
        self.assertEqual(r.stdout, "")
        for bad in ("abc", "0", "12x", ""):
            r = m.vane("show", bad)
            self.assertExit(r, 2, "show %s" % bad)
            self.assertIn("flag id", r.stderr)
        r = m.vane("show")
        self.assertExit(r, 2)
        r = m.vane("history", SOURCE_ID, "NO-SUCH-KEY")
        self.assertExit(r, 2)
        self.assertIn("no item with the key NO-SUCH-KEY", r.stderr)
        self.assertIn("vane events --source %s" % SOURCE_ID, r.stderr)
        r = m.vane("history", "travel-advisoreis", "FR")
        self.assertExit(r, 2)
        self.assertIn("no source travel-advisoreis in the database "
                      "(did you mean 'travel-advisories'?)", r.stderr)
        self.assertIn("vane events --source travel-advisoreis", r.stderr)
        r = m.vane("history", SOURCE_ID)
        self.assertExit(r, 2)
        self.assertIn("SOURCE KEY", r.stderr)
        r = m.vane("show", "1", "--db", os.path.join(m.dir, "none.db"))
        self.assertExit(r, 1)
        self.assertIn("no database", r.stderr)

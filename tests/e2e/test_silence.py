"""Silences: `vane silence add/list/remove`; a silenced flag is recorded and
shown with its silence by `vane flags`, but delivered nowhere, then or later."""

import json
import os

from vanetest import VaneCase, describe, make_site, parse_json_lines, write_files

JSON_SCRIPT = """return function(doc)
  local d, err = vane.json.decode(doc.body)
  if not d then error(err) end
  return d.items
end
"""

ANY_NEW = """return {
  id = "any-new",
  severity = "medium",
  when = function(ev) return ev.change == "new" end,
  message = function(ev) return "new: " .. ev.item.title end,
}
"""

T0 = "2024-11-20T00:00:00Z"
T1 = "2024-11-21T00:00:00Z"
T_AFTER = "2024-11-28T00:00:00Z"

A = {"key": "a", "title": "Alpha"}
B = {"key": "b", "title": "Bravo"}
C = {"key": "c", "title": "Charlie"}


def page(items):
    return json.dumps({"items": items})


class Silences(VaneCase):

    def silence_monitor(self):
        """A `press` JSON source, the any-new rule, a jsonl channel; baselined at T0."""
        site = make_site(self, {"press.json": page([A])})
        m = self.monitor(serve_dir=site, sources=[])
        m.site = site
        m.add_script("json_items", JSON_SCRIPT)
        rules = os.path.join(m.dir, "rules")
        os.makedirs(rules)
        with open(os.path.join(rules, "any_new.lua"), "w", encoding="utf-8") as f:
            f.write(ANY_NEW)
        m.rules = ["rules"]
        m.sources = [{"id": "press", "url": m.server.url("/press.json"), "script": "json_items"}]
        m.write_config()
        with open(m.config, "a", encoding="utf-8") as f:
            f.write('channel { id = "log", kind = "jsonl", path = "flags.jsonl" }\n')
        r = m.run(T0)
        self.assertEqual(r.flags, [], "the baseline flags nothing")
        return m

    def publish(self, m, items):
        write_files(m.site, {"press.json": page(items)})

    def delivered(self, m):
        path = os.path.join(m.dir, "flags.jsonl")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return parse_json_lines(f.read(), "flags.jsonl")

    def silence(self, m, *args, now=T0, expect=0):
        r = m.vane("silence", *args, "--now", now)
        self.assertExit(r, expect, "vane silence " + " ".join(args))
        return r

    def add(self, m, *args, now=T0):
        r = m.vane("silence", "add", *args, "--now", now, "--json")
        self.assertExit(r, 0, "vane silence add")
        return parse_json_lines(r.stdout)[0]

    def test_a_silenced_flag_is_recorded_and_shown_but_not_delivered(self):
        m = self.silence_monitor()
        s = self.add(m, "--rule", "any-new", "--for", "7d", "--reason", "noisy feed")
        self.assertEqual((s["rule"], s["source"], s["key"], s["until"], s["active"]),
                         ("any-new", None, None, "2024-11-27T00:00:00Z", True))
        self.publish(m, [B, A])
        r = m.run(T1)
        self.assertEqual(r.flags, [], "nothing is printed for a silenced flag\n" + describe(r))
        self.assertEqual(self.delivered(m), [], "nothing reaches the jsonl channel")
        flags = m.flags()
        self.assertEqual([(f["key"], f["silence_id"]) for f in flags], [("b", s["id"])])
        text = m.vane("flags")
        self.assertExit(text, 0)
        self.assertIn("new: Bravo [silenced: %d (noisy feed)]" % s["id"], text.stdout)
        self.assertEqual(m.sql("SELECT count(*) FROM outbox")[0][0], 0)

    def test_after_the_silence_only_new_flags_are_delivered(self):
        m = self.silence_monitor()
        self.add(m, "--rule", "any-new", "--for", "7d", "--reason", "noisy feed")
        self.publish(m, [B, A])
        m.run(T1)
        r = m.run(T_AFTER)
        self.assertEqual(r.flags, [], "the flag raised during the silence is never delivered")
        self.publish(m, [C, B, A])
        r = m.run(T_AFTER, "--source", "press")
        self.assertEqual([f["key"] for f in r.flags], ["c"], describe(r))
        self.assertEqual([f["key"] for f in self.delivered(m)], ["c"])
        self.assertEqual([(f["key"], f["silence_id"]) for f in m.flags()],
                         [("b", 1), ("c", None)])

    def test_removing_a_silence_delivers_again_at_once(self):
        m = self.silence_monitor()
        s = self.add(m, "--rule", "*", "--until", "2024-12-31T00:00:00Z", "--reason", "holiday")
        r = self.silence(m, "remove", str(s["id"]), now=T1)
        self.assertIn("removed", r.stdout)
        self.silence(m, "remove", str(s["id"]), now=T1, expect=1)
        self.publish(m, [B, A])
        r = m.run(T1)
        self.assertEqual([f["key"] for f in r.flags], ["b"], describe(r))
        self.assertEqual([f["key"] for f in self.delivered(m)], ["b"])
        listed = parse_json_lines(self.silence(m, "list", "--json", now=T1).stdout)
        self.assertEqual(listed, [])
        listed = parse_json_lines(self.silence(m, "list", "--all", "--json", now=T1).stdout)
        self.assertEqual([(x["id"], x["removed_at"], x["active"]) for x in listed],
                         [(s["id"], T1, False)])

    def test_a_silence_expires_on_the_run_clock(self):
        m = self.silence_monitor()
        s = self.add(m, "--rule", "any-new", "--for", "1d", "--reason", "one day")
        listed = parse_json_lines(self.silence(m, "list", "--json", now=T0).stdout)
        self.assertEqual([x["id"] for x in listed], [s["id"]])
        later = "2024-11-21T00:00:01Z"
        self.assertEqual(parse_json_lines(self.silence(m, "list", "--json", now=later).stdout), [])
        text = self.silence(m, "list", "--all", now=later).stdout
        self.assertRegex(text, r"(?m)^%d  expired  any-new " % s["id"])
        self.publish(m, [B, A])
        r = m.run(later)
        self.assertEqual([f["key"] for f in r.flags], ["b"], describe(r))

    def test_key_and_source_narrow_a_silence(self):
        m = self.silence_monitor()
        self.add(m, "--rule", "any-new", "--source", "press", "--key", "b", "--for", "7d",
                 "--reason", "known item")
        # a source vane.lua does not have: refused unless forced (test_commands)
        self.add(m, "--rule", "any-new", "--source", "elsewhere", "--for", "7d", "--reason", "x",
                 "--force")
        self.publish(m, [C, B, A])
        r = m.run(T1)
        self.assertEqual([f["key"] for f in r.flags], ["c"], describe(r))
        self.assertEqual(sorted((f["key"], f["silence_id"]) for f in m.flags()),
                         [("b", 1), ("c", None)])

    def test_mistakes_in_silence_add_exit_2_with_a_clear_message(self):
        m = self.silence_monitor()
        cases = [
            (("add", "--for", "7d", "--reason", "x"), "--rule"),
            (("add", "--rule", "any-new", "--for", "7x", "--reason", "x"), "--for"),
            (("add", "--rule", "any-new", "--for", "0s", "--reason", "x"), "--for"),
            (("add", "--rule", "any-new", "--reason", "x"), "--for"),
            (("add", "--rule", "any-new", "--for", "1d", "--until", "2024-12-01", "--reason", "x"), "--for"),
            (("add", "--rule", "any-new", "--until", "2024-11-01T00:00:00Z", "--reason", "x"), "future"),
            (("add", "--rule", "any-new", "--until", "soon", "--reason", "x"), "--until"),
            (("add", "--rule", "any-new", "--for", "1d"), "--reason"),
            (("remove",), "id"),
            (("remove", "abc"), "abc"),
            (("frobnicate",), "frobnicate"),
        ]
        for args, needle in cases:
            r = m.vane("silence", *args, "--now", T0)
            self.assertEqual(r.returncode, 2, "%s\n%s" % (args, describe(r)))
            self.assertIn(needle, r.stderr, "%s\n%s" % (args, describe(r)))
            self.assertTrue(r.stderr.startswith("vane: silence: "), describe(r))
        self.assertEqual(m.sql("SELECT count(*) FROM silences")[0][0], 0)


if __name__ == "__main__":
    import unittest
    unittest.main()

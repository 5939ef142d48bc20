"""Keyword watches declared in vane.lua (`watch { … }`, the keyword-watch
rule) and the phrase lists of rules/phrases.lua that an analyst edits."""

import json
import os
import re

from vanetest import VaneCase, describe, make_site, write_files

JSON_SCRIPT = """return function(doc)
  local d, err = vane.json.decode(doc.body)
  if not d then error(err) end
  return d.items
end
"""

NOW1 = "2024-11-20T23:00:00Z"
NOW2 = "2024-11-27T23:30:00Z"

BASE = [{"key": "a", "title": "Announcement of Additional Humanitarian Assistance for Ukraine",
         "summary": "Further humanitarian funding."}]
FACT_SHEET = {"key": "b", "title": "Fact Sheet: Countering Synthetic Drug Trafficking",
              "summary": "U.S. work against the trafficking of fentanyl and other synthetic drugs."}
TALKS = {"key": "c", "title": "Fentanyl talks: US , China to hold next round",
         "summary": "Officials will discuss fentanyl precursors."}
WEBINAR = {"key": "d", "title": "Webinar on Border Cooperation Announced",
           "summary": "An online event."}


def page(items):
    return json.dumps({"items": items}, ensure_ascii=False)


class Watch(VaneCase):

    def watch_monitor(self, watches="", files=None):
        """Two JSON news sources, `press` and `wire`, and the given watch
        declarations after them in vane.lua."""
        site = make_site(self, files or {"press.json": page(BASE), "wire.json": page(BASE)})
        m = self.monitor(serve_dir=site, sources=[])
        m.site = site
        m.add_script("json_items", JSON_SCRIPT)
        m.sources = [{"id": s, "url": m.server.url("/%s.json" % s), "script": "json_items"}
                     for s in ("press", "wire")]
        m.write_config()
        with open(m.config, "a", encoding="utf-8") as f:
            f.write(watches)
        return m

    def publish(self, m, press=None, wire=None):
        files = {}
        if press is not None:
            files["press.json"] = page(press)
        if wire is not None:
            files["wire.json"] = page(wire)
        write_files(m.site, files)

    def test_a_watch_flags_a_new_item_exactly_once(self):
        m = self.watch_monitor('watch { id = "fentanyl", terms = { "fentanyl", "芬太尼" }, '
                               'sources = { "press" }, severity = "high" }\n')
        r = m.run(NOW1)
        self.assertEqual(r.flags, [], "the baseline flags nothing")
        self.publish(m, press=[FACT_SHEET, TALKS] + BASE, wire=[TALKS] + BASE)
        r = m.run(NOW2)
        watched = [f for f in r.flags if f["rule"] == "keyword-watch"]
        # TALKS has the term in both title and summary: still one flag; the wire
        # source is not watched
        self.assertEqual(sorted((f["source"], f["key"], f["message"], f["severity"]) for f in watched), [
            ("press", "b", "fentanyl: Fact Sheet: Countering Synthetic Drug Trafficking", "high"),
            ("press", "c", "fentanyl: Fentanyl talks: US, China to hold next round", "high"),
        ], describe(r))
        r = m.run(NOW2, "--source", "press")
        self.assertEqual(r.flags, [], "a rerun raises nothing again")
        self.assertEqual(len([f for f in m.flags() if f["rule"] == "keyword-watch"]), 2)

    def test_watch_mistakes_name_the_line_of_vane_lua(self):
        m = self.watch_monitor(
            'watch { terms = { "x" } }\n'
            'watch { id = "empty", terms = {} }\n'
            'watch { id = "dup", terms = { "a" } }\n'
            'watch { id = "dup", terms = { "b" } }\n'
            'watch { id = "odd", terms = { "a" }, colour = "red" }\n'
            'watch { id = "loud", terms = { "a" }, severity = "urgent" }\n'
            'watch { id = "gone", terms = { "a" }, changes = { "removed" } }\n')
        first = m.config_line("watch {")
        for args in (("check",), ("run", "--all", "--now", NOW1)):
            r = m.vane(*args)
            self.assertEqual(r.returncode, 2, describe(r))
            out = r.stdout + r.stderr
            for offset, what in enumerate(["missing id", "terms", "duplicate watch id 'dup'",
                                           "unknown key 'colour'", "urgent", "removed"]):
                line = first + offset + (1 if offset >= 2 else 0)
                self.assertRegex(out, r"vane\.lua:%d: .*%s" % (line, re.escape(what)), describe(r))

    def test_a_regex_term_works_or_says_it_needs_vane_regex(self):
        m = self.watch_monitor('watch { id = "drugs", terms = { "re:nitazenes?|fentanyl" } }\n')
        m.run(NOW1)
        self.publish(m, press=[FACT_SHEET] + BASE)
        r = m.run(NOW2, expect=None)
        watched = [f for f in r.flags if f["rule"] == "keyword-watch"]
        if r.returncode == 0:
            self.assertEqual([f["key"] for f in watched], ["b"], describe(r))
        else:
            self.assertEqual(r.returncode, 1, describe(r))
            self.assertIn("vane.regex", r.stderr, describe(r))
            self.assertIn("keyword_watch.lua", r.stderr, describe(r))


class Phrases(VaneCase):

    def news_monitor(self):
        site = make_site(self, {"news.json": page(BASE)})
        m = self.monitor(serve_dir=site, sources=[])
        m.site = site
        m.add_script("json_items", JSON_SCRIPT)
        m.sources = [{"id": "news", "url": m.server.url("/news.json"), "script": "json_items"}]
        m.write_config()
        return m

    def edited_phrases(self, m, edit):
        d = m.rules_copy()
        path = os.path.join(d, "phrases.lua")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(edit(text))

    def test_a_phrase_added_in_the_rules_folder_makes_a_rule_fire(self):
        m = self.news_monitor()
        m.run(NOW1)
        write_files(m.site, {"news.json": page([WEBINAR] + BASE)})
        # shipped lists: a webinar is not a meeting sign and there is no mechanism
        r = m.run(NOW2)
        self.assertEqual(r.flags, [], describe(r))
        m2 = self.news_monitor()
        self.edited_phrases(m2, lambda t: t.replace('meeting_signs = {', 'meeting_signs = { "webinar",')
                            .replace('meeting_mechanisms = {', 'meeting_mechanisms = { "border cooperation",'))
        self.assertExit(m2.vane("check"), 0, "the edited phrases.lua is valid")
        m2.run(NOW1)
        write_files(m2.site, {"news.json": page([WEBINAR] + BASE)})
        r = m2.run(NOW2)
        self.assertEqual([(f["rule"], f["key"]) for f in r.flags], [("new-meeting", "d")], describe(r))

    def test_a_partial_phrases_file_overrides_only_the_lists_it_names(self):
        m = self.news_monitor()
        d = m.rules_copy()
        with open(os.path.join(d, "phrases.lua"), "w", encoding="utf-8") as f:
            f.write('return { removal_flights = { " webinar" } }\n')
        self.assertExit(m.vane("test"), 0, "only removal-flight's own list changed")
        m.run(NOW1)
        write_files(m.site, {"news.json": page([WEBINAR, {
            "key": "e", "title": "Statement on the Release of Two Wrongfully Detained Citizens"}] + BASE)})
        r = m.run(NOW2)
        self.assertEqual(sorted((f["rule"], f["key"]) for f in r.flags),
                         [("prisoner-release", "e"), ("removal-flight", "d")], describe(r))

    def test_without_a_phrases_file_the_built_in_lists_are_used(self):
        m = self.news_monitor()
        d = m.rules_copy()
        os.remove(os.path.join(d, "phrases.lua"))
        r = m.vane("test")
        self.assertExit(r, 0, "the shipped rules' tests pass on the lists built into vane")
        self.assertRegex(r.stdout, r"\b0 failed")

    def test_a_phrases_file_with_a_syntax_error_leaves_the_built_in_lists(self):
        m = self.news_monitor()
        d = m.rules_copy()
        with open(os.path.join(d, "phrases.lua"), "w", encoding="utf-8") as f:
            f.write('return {\n  entry_places = { "airport" \n  entry_acts = {},\n}\n')
        r = m.vane("check")
        self.assertEqual(r.returncode, 2, describe(r))
        self.assertRegex(r.stdout + r.stderr, r"rules/phrases\.lua:3:", describe(r))
        m.run(NOW1, expect=None)
        write_files(m.site, {"news.json": page([{
            "key": "e", "title": "Statement on the Release of Two Wrongfully Detained Citizens"}] + BASE)})
        r = m.run(NOW2, expect=1)
        self.assertEqual([(f["rule"], f["key"]) for f in r.flags], [("prisoner-release", "e")], describe(r))

    def test_a_broken_phrases_file_is_reported_with_file_and_line(self):
        m = self.news_monitor()
        d = m.rules_copy()
        with open(os.path.join(d, "phrases.lua"), "w", encoding="utf-8") as f:
            f.write('return {\n  entry_places = { "airport", 42 },\n}\n')
        r = m.vane("check")
        self.assertEqual(r.returncode, 2, describe(r))
        self.assertRegex(r.stdout + r.stderr, r"rules/phrases\.lua:2: .*entry_places", describe(r))


if __name__ == "__main__":
    import unittest
    unittest.main()

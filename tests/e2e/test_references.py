"""References between the parts of a configuration (issue 13): a rule or
source id, a watch field or a script option that names nothing is an error
of `vane check` and of `vane run` (exit 2, `vane.lua:LINE:` with "did you
mean"), never a silent no-op; numbers are checked; and the defaults work:
no rules folder means the shipped rules, a watch needs no copied rule."""

import json
import os

from vanetest import SHIPPED_RULES, VaneCase, describe, make_site, parse_json_lines

JSON_SCRIPT = """return function(doc)
  local d, err = vane.json.decode(doc.body)
  if not d then error(err) end
  return d.items
end
"""

NOW1 = "2024-11-20T23:00:00Z"
NOW2 = "2024-11-27T23:30:00Z"

BASE = [{"key": "a", "title": "Announcement of Humanitarian Assistance", "summary": "Funding."}]
NEWS = {"key": "b", "title": "Fentanyl talks to hold next round", "summary": "Precursors."}


def page(items):
    return json.dumps({"items": items})


class References(VaneCase):

    def monitor_text(self, body, rules=True, files=None):
        """A monitor whose vane.lua is `body` after a database line (and a
        rules line naming the shipped rules when rules is True); {{url}}
        is the fixture server's /press.json."""
        site = make_site(self, files or {"press.json": page(BASE)})
        m = self.monitor(serve_dir=site, sources=[])
        m.site = site
        m.add_script("json_items", JSON_SCRIPT)
        head = m.database_line() + "\n"
        if rules is True:
            head += 'rules { "%s" }\n' % SHIPPED_RULES
        elif rules:
            head += rules
        m.write_config(head + body.replace("{{url}}", m.server.url("/press.json")))
        return m

    def assertProblem(self, r, *parts):
        for line in self.stderr_lines(r):
            if all(p in line for p in parts):
                return
        self.fail("no error line with %r\n%s" % (parts, describe(r)))

    def check_and_run_refuse(self, m, *parts):
        """`vane check` and `vane run` both exit 2 naming the problem."""
        r = m.vane("check")
        self.assertExit(r, 2, "check")
        self.assertProblem(r, *parts)
        self.assertNotIn("ok", r.stdout)
        r = m.vane("run", "--all", "--now", NOW1)
        self.assertExit(r, 2, "run")
        self.assertProblem(r, *parts)
        self.assertFalse(m.db_exists() and m.sql("SELECT id FROM runs"),
                         "the run did not start")

    # ---- references --------------------------------------------------------

    def test_a_typod_rule_id_in_a_channel_is_an_error_with_a_suggestion(self):
        m = self.monitor_text(
            'source { id = "press", url = "{{url}}", script = "json_items" }\n'
            'channel { id = "desk", kind = "file", path = "alerts.txt",\n'
            '          rules = { "keyword-wach", "source-failing" } }\n')
        self.check_and_run_refuse(m, "vane.lua:4:", "channel 'desk'", "rules",
                                  "no rule 'keyword-wach'", "(did you mean 'keyword-watch'?)")

    def test_channel_source_lists_and_exclusions_are_checked(self):
        m = self.monitor_text(
            'source { id = "press", url = "{{url}}", script = "json_items" }\n'
            'channel { id = "desk", kind = "file", path = "alerts.txt", sources = { "pres" },\n'
            '          exclude_rules = { "new-meetnig" }, exclude_sources = { "wire" } }\n')
        r = m.vane("check")
        self.assertExit(r, 2)
        self.assertProblem(r, "vane.lua:4:", "sources: no source 'pres' (did you mean 'press'?)")
        self.assertProblem(r, "vane.lua:4:", "exclude_rules: no rule 'new-meetnig' (did you mean 'new-meeting'?)")
        self.assertProblem(r, "vane.lua:4:", "exclude_sources: no source 'wire'")

    def test_a_typod_source_in_a_rule_names_the_rule_file_and_line(self):
        m = self.monitor_text(
            'source { id = "press", url = "{{url}}", script = "json_items" }\n', rules=False)
        m.rules_copy({"mine.lua": 'return {\n  id = "mine",\n  severity = "low",\n'
                                  '  sources = { "pres" },\n'
                                  '  when = function(ev) return true end,\n'
                                  '  message = function(ev) return "x" end,\n}\n'})
        m.sources = [{"id": "press", "url": m.server.url("/press.json"), "script": "json_items"}]
        m.write_config()
        self.check_and_run_refuse(m, "rules/mine.lua:4:", "rule 'mine'", "sources",
                                  "no source 'pres' (did you mean 'press'?)")

    def test_a_typod_watch_source_and_field_are_errors(self):
        m = self.monitor_text(
            'source { id = "press", url = "{{url}}", script = "rss" }\n'
            'watch { id = "fentanyl", terms = { "fentanyl" }, sources = { "pres" } }\n'
            'watch { id = "opioids", terms = { "opioid" }, sources = { "press" },\n'
            '        fields = { "title", "sumary" } }\n')
        r = m.vane("check")
        self.assertExit(r, 2)
        self.assertProblem(r, "vane.lua:4:", "watch 'fentanyl'", "no source 'pres' (did you mean 'press'?)")
        self.assertProblem(r, "vane.lua:5:", "watch 'opioids'", "fields",
                           "no field 'sumary' (did you mean 'summary'?)")
        self.assertEqual(len(self.stderr_lines(r)), 2, describe(r))

    def test_an_unknown_script_option_is_an_error_naming_option_and_script(self):
        m = self.monitor_text(
            'source { id = "press", url = "{{url}}", script = "html_links",\n'
            '         options = { item = "li", link = "a" } }\n'
            'source { id = "api", url = "{{url}}", script = "json_api",\n'
            '         options = { key = "key", items = "items", ingore = { "summary" } } }\n'
            'source { id = "feed", url = "{{url}}", script = "rss", options = { full = true } }\n')
        r = m.vane("check")
        self.assertExit(r, 2)
        self.assertProblem(r, "vane.lua:3:", "source 'press'", "options",
                           "script 'html_links'", "'item'", "(did you mean 'items'?)")
        self.assertProblem(r, "vane.lua:5:", "source 'api'", "script 'json_api'", "'ingore'",
                           "(did you mean 'ignore'?)")
        self.assertProblem(r, "vane.lua:7:", "source 'feed'", "script 'rss'", "'full'",
                           "(it takes: content, recover)")
        self.assertEqual(len(self.stderr_lines(r)), 3, describe(r))

    def test_a_script_in_the_old_form_is_still_accepted_unchecked(self):
        m = self.monitor_text(
            'source { id = "press", url = "{{url}}", script = "json_items",\n'
            '         options = { anything = true } }\n'
            'watch { id = "w", terms = { "x" }, fields = { "whatever" } }\n')
        r = m.vane("check")
        self.assertExit(r, 0)
        self.assertIn("ok", r.stdout)

    def test_check_json_prints_each_problem_with_its_suggestion(self):
        m = self.monitor_text(
            'source { id = "press", url = "{{url}}", script = "json_items" }\n'
            'channel { id = "desk", kind = "file", path = "a.txt", rules = { "keyword-wach" } }\n'
            'source { id = "big", url = "{{url}}", script = "json_items", max_bytes = 0.5 }\n')
        r = m.vane("check", "--json")
        self.assertExit(r, 2)
        lines = parse_json_lines(r.stdout, "check --json")
        self.assertEqual(lines[-1]["ok"], False)
        problem = lines[0]
        self.assertEqual(problem["file"], m.config)
        self.assertEqual(problem["line"], 5)
        self.assertIn("max_bytes", problem["message"])
        self.assertNotIn("suggestion", problem)
        # the configuration loads once fixed; then the references are checked
        m.write_config(open(m.config).read().replace("max_bytes = 0.5", "max_bytes = 500"))
        r = m.vane("check", "--json")
        self.assertExit(r, 2)
        lines = parse_json_lines(r.stdout, "check --json")
        self.assertEqual(lines[0]["line"], 4)
        self.assertEqual(lines[0]["suggestion"], "keyword-watch")
        self.assertEqual(lines[-1]["problems"], 1)

    # ---- numbers -----------------------------------------------------------

    def test_numbers_are_checked_for_type_range_and_finiteness(self):
        m = self.monitor_text(
            'source { id = "a", url = "{{url}}", script = "json_items", max_bytes = 0.5 }\n'
            'source { id = "b", url = "{{url}}", script = "json_items", max_bytes = 1e30 }\n'
            'source { id = "c", url = "{{url}}", script = "json_items", every = 1e300 }\n'
            'source { id = "d", url = "{{url}}", script = "json_items", every = 0/0 }\n'
            'source { id = "e", url = "{{url}}", script = "json_items", max_follow = -1 }\n'
            'settings { retries = 2.5 }\n')
        for cmd in (("check",), ("run", "--all", "--now", NOW1)):
            r = m.vane(*cmd)
            self.assertExit(r, 2, cmd[0])
            self.assertProblem(r, "vane.lua:3:", "max_bytes = 0.5", "from 1 byte to 1TB")
            self.assertProblem(r, "vane.lua:4:", "max_bytes = 1e+30", "from 1 byte to 1TB")
            self.assertProblem(r, "vane.lua:5:", "every = 1e+300", "from 1s to 3650d")
            self.assertProblem(r, "vane.lua:6:", "every = NaN", "from 1s to 3650d")
            self.assertProblem(r, "vane.lua:7:", "'max_follow' = -1", "from 0 to")
            self.assertProblem(r, "vane.lua:8:", "'retries' = 2.5", "from 0 to")

    # ---- defaults that work ------------------------------------------------

    def test_without_a_rules_folder_the_shipped_rules_are_used(self):
        m = self.monitor_text('source { id = "press", url = "{{url}}", script = "json_items" }\n',
                              rules=False)
        n = len([f for f in os.listdir(SHIPPED_RULES) if f.endswith(".lua") and f != "phrases.lua"])
        r = m.vane("check")
        self.assertExit(r, 0)
        self.assertIn("rules: the %d shipped rules (no rules folder)" % n, r.stdout)
        self.assertIn("%d rules" % n, r.stdout)
        m.run(NOW1)

    def test_a_configured_rules_folder_that_is_missing_stays_an_error(self):
        m = self.monitor_text('source { id = "press", url = "{{url}}", script = "json_items" }\n',
                              rules='rules { "my-rules" }\n')
        r = m.vane("check")
        self.assertExit(r, 2)
        self.assertProblem(r, "my-rules", "cannot read the rules folder")

    def test_a_watch_works_without_copying_the_keyword_watch_rule(self):
        m = self.monitor_text(
            'source { id = "press", url = "{{url}}", script = "json_items" }\n'
            'watch { id = "fentanyl", terms = { "fentanyl" }, sources = { "press" } }\n',
            rules='rules { "rules" }\n')
        os.makedirs(os.path.join(m.dir, "rules"))
        with open(os.path.join(m.dir, "rules", "mine.lua"), "w") as f:
            f.write('return { id = "mine", severity = "low", when = function(ev) return false end,\n'
                    '  message = function(ev) return "x" end }\n')
        r = m.vane("check")
        self.assertExit(r, 0)
        self.assertIn("2 rules", r.stdout)
        m.run(NOW1)
        with open(os.path.join(m.site, "press.json"), "w") as f:
            f.write(page([NEWS] + BASE))
        r = m.run(NOW2)
        self.assertEqual([(f["rule"], f["key"]) for f in r.flags], [("keyword-watch", "b")],
                         describe(r))

    def test_a_keyword_watch_rule_in_the_rules_folder_is_used_instead(self):
        m = self.monitor_text(
            'source { id = "press", url = "{{url}}", script = "json_items" }\n'
            'watch { id = "fentanyl", terms = { "fentanyl" } }\n', rules='rules { "rules" }\n')
        os.makedirs(os.path.join(m.dir, "rules"))
        with open(os.path.join(m.dir, "rules", "kw.lua"), "w") as f:
            f.write('return { id = "keyword-watch", severity = "low",\n'
                    '  when = function(ev) return false end, message = function(ev) return "x" end }\n')
        r = m.vane("check")
        self.assertExit(r, 0)
        self.assertIn("1 rule,", r.stdout)

    def test_a_rule_file_that_does_not_load_is_not_reported_again_as_a_missing_id(self):
        m = self.monitor_text(
            'source { id = "press", url = "{{url}}", script = "json_items" }\n'
            'channel { id = "desk", kind = "file", path = "a.txt", rules = { "mine" } }\n',
            rules='rules { "rules" }\n')
        os.makedirs(os.path.join(m.dir, "rules"))
        with open(os.path.join(m.dir, "rules", "mine.lua"), "w") as f:
            f.write('return { id = "mine", severity = "low",\n  when = function(ev) return end end }\n')
        r = m.vane("check")
        self.assertExit(r, 2)
        self.assertProblem(r, "rules/mine.lua:2:")
        self.assertNotIn("no rule 'mine'", r.stderr)

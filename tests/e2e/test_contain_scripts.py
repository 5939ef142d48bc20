"""Issue 12, source scripts: a hostile or careless script, item or option is
contained — its own source fails (or its item is left out) with a message
naming the script's file and line — while a canary source in the same run,
read by a healthy script, still has its new item stored and flagged by the
shipped prisoner-release rule.

Each test runs two steps: a baseline, then the canary's feed gains "Statement
on the Release of Three U.S. Citizens Wrongfully Detained in the PRC"."""

import json
import os
import resource

from vanetest import VaneCase, describe, make_site

ITEMS_SCRIPT = """-- items straight from a JSON document { "items": [ … ] }
return function(doc)
  local d, err = vane.json.decode(doc.body)
  if not d then error(err) end
  return d.items
end
"""


def press(p, title):
    return {"key": "https://www.state.gov/?p=%d" % p, "title": title,
            "link": "https://www.state.gov/%d/" % p}


BASE = [press(478322, "United States and Fiji Sign Shiprider Agreement Amendment"),
        press(478301, "Designation of Human Smuggling Network Leaders")]
RELEASE = press(478611, "Statement on the Release of Three U.S. Citizens Wrongfully Detained in the PRC")
NOW = {1: "2024-11-20T23:00:00Z", 2: "2024-11-27T23:30:00Z"}

HOSTILE_DOC = json.dumps({"items": BASE})
# a canary that needs some memory of its own: 2,000 more items
FILLER = [{"key": "filler-%d" % i, "title": "Notice %d of a routine kind" % i} for i in range(2000)]


class ContainScripts(VaneCase):

    def monitor_with(self, script, settings=None, options=None, extra_files=None, source=None):
        """A monitor whose first source `hostile` is read by `script` (text)
        and whose second, `canary`, by a healthy one."""
        files = {"canary_1.json": json.dumps({"items": BASE}),
                 "canary_2.json": json.dumps({"items": [RELEASE] + BASE}),
                 "hostile.json": HOSTILE_DOC}
        files.update(extra_files or {})
        site = make_site(self, files)
        m = self.monitor(serve_dir=site, sources=[], settings=settings)
        m.add_script("json_items", ITEMS_SCRIPT)
        if script is not None:
            m.add_script("hostile", script)
        hostile = {"id": "hostile", "url": m.server.url("/hostile.json"), "script": "hostile",
                   "every": "1h", "timeout": "20s"}
        if options is not None:
            hostile["options"] = options
        hostile.update(source or {})
        m.sources = [hostile, {"id": "canary", "url": m.server.url("/canary.json"),
                               "script": "json_items", "every": "1h", "timeout": "20s"}]
        m.write_config()
        return m

    def run_both_steps(self, m, expect=1):
        """Baseline, then the release; returns the second run."""
        m.serve("canary_1.json", path="/canary.json")
        m.run(NOW[1], "-v", expect=expect)
        m.serve("canary_2.json", path="/canary.json")
        return m.run(NOW[2], "-v", expect=expect)

    def assertCanaryFlags(self, m, r):
        got = [(f["rule"], f["source"], f["key"]) for f in r.flags]
        self.assertIn(("prisoner-release", "canary", RELEASE["key"]), got, describe(r))
        stored = m.sql("SELECT key FROM items WHERE source = 'canary'")
        self.assertIn((RELEASE["key"],), stored)
        row = m.source_rows()["canary"]
        self.assertEqual((row["failures"], row["last_error"]), (0, None))

    def said(self, m, r):
        """Everything the runs said: the last one's stderr, every run's
        recorded errors and warnings (a script runs only when its source's
        body changed: the first step), the hostile source's last error."""
        lines = [r.stderr]
        for run in m.query("runs"):
            lines += run["errors"] + run["warnings"]
        row = m.source_rows().get("hostile", {})
        return "\n".join(lines + [row.get("last_error") or ""])

    def assertHostileFailed(self, m, r, *needles):
        row = m.source_rows()["hostile"]
        self.assertGreater(row["failures"], 0, describe(r))
        said = self.said(m, r)
        for n in needles:
            self.assertIn(n, said)

    # ---- item 1: each source's extraction has its own ceiling and budget -----

    def test_a_script_that_fills_memory_fails_only_its_own_source(self):
        m = self.monitor_with("""return function(doc)
  local keep = {}
  while true do keep[#keep + 1] = ("h"):rep(1000000) .. #keep end
end
""", settings={"memory": "16MB"})
        r = self.run_both_steps(m)
        self.assertHostileFailed(m, r, "scripts/hostile.lua:3: not enough memory (limit ")
        self.assertCanaryFlags(m, r)

    def test_a_script_that_keeps_its_memory_full_does_not_starve_the_next_source(self):
        # the hog catches its own memory errors and keeps what it took: with
        # one state for every source, the canary read after it in the same
        # run (its answer is delayed; the hog's body changes too) had none left
        m = self.monitor_with("""local keep = {}
return function(doc)
  local items = vane.json.decode(doc.body).items
  for _, n in ipairs({ 100000, 1000, 10 }) do
    local function take() keep[#keep + 1] = ("h"):rep(n) end
    while pcall(take) do end
  end
  return items
end
""", settings={"memory": "16MB"},
                              extra_files={"hostile_2.json": json.dumps({"items": [RELEASE] + BASE}),
                                           "canary_1.json": json.dumps({"items": BASE + FILLER}),
                                           "canary_2.json": json.dumps({"items": [RELEASE] + BASE + FILLER})})
        m.server.set_delay("/canary.json", 0.5)
        m.serve("canary_1.json", path="/canary.json")
        m.run(NOW[1], "-v", expect=None)
        m.serve("canary_2.json", path="/canary.json")
        m.serve("hostile_2.json", path="/hostile.json")
        r = m.run(NOW[2], "-v", expect=None)
        self.assertCanaryFlags(m, r)
        self.assertNotIn("source canary", self.said(m, r))

    def test_a_script_that_loops_fails_only_its_own_source(self):
        m = self.monitor_with("""return function(doc)
  local n = 0
  while true do n = n + 1 end
end
""", settings={"instructions": 2000000})
        r = self.run_both_steps(m)
        self.assertHostileFailed(m, r, "scripts/hostile.lua:3: instruction budget exhausted")
        self.assertCanaryFlags(m, r)

    def test_what_a_script_leaves_behind_does_not_reach_the_next_source(self):
        # one script for both sources: the first call poisons what it can
        # reach (string's metatable, its own globals); the second must not see it
        poison = """seen = seen or 0
return function(doc)
  seen = seen + 1
  local d = vane.json.decode(doc.body)
  if doc.source == "hostile" then
    getmetatable("").__index = function() error("poisoned") end
    vane.json.null = 1
  end
  for _, it in ipairs(d.items) do it.calls = seen end
  return d.items
end
"""
        m = self.monitor_with(poison)
        m.sources[1]["script"] = "hostile"
        m.write_config()
        r = self.run_both_steps(m, expect=None)
        self.assertCanaryFlags(m, r)
        calls = m.sql("SELECT fields FROM items WHERE source = 'canary'")
        self.assertTrue(calls)
        for (fields,) in calls:
            self.assertEqual(json.loads(fields)["calls"], 1, fields)

    # ---- item 2: items read inside the protection --------------------------

    def test_an_item_with_an_index_metamethod_is_refused_with_the_path(self):
        m = self.monitor_with("""return function(doc)
  local items = vane.json.decode(doc.body).items
  items[2].title = setmetatable({}, { __index = function() while true do end end })
  return items
end
""")
        r = self.run_both_steps(m)
        self.assertHostileFailed(m, r, "scripts/hostile.lua:1: refused what the script returned: "
                                       "a table with a metatable at [2].title")
        self.assertCanaryFlags(m, r)

    def test_a_list_with_a_newindex_metamethod_is_refused(self):
        m = self.monitor_with("""return function(doc)
  local items = vane.json.decode(doc.body).items
  return setmetatable(items, { __newindex = function() error("boom") end,
                               __len = function() while true do end end })
end
""")
        r = self.run_both_steps(m)
        self.assertHostileFailed(m, r, "scripts/hostile.lua:1: refused what the script returned: "
                                       "a table with a metatable")
        self.assertCanaryFlags(m, r)

    def test_a_cycle_or_a_non_finite_number_is_refused(self):
        for body, what in (("items[1].self = items[1]", "a table that contains itself at [1].self"),
                           ("items[1].score = 0/0", "a number that is not finite at [1].score"),
                           ("items[1][true] = 1", "a key that is a boolean, not a string at [1]")):
            with self.subTest(what=what):
                m = self.monitor_with("""return function(doc)
  local items = vane.json.decode(doc.body).items
  %s
  return items
end
""" % body)
                r = self.run_both_steps(m)
                self.assertHostileFailed(m, r, what)
                self.assertCanaryFlags(m, r)

    def test_a_detail_that_returns_a_table_with_a_metatable_is_refused(self):
        m = self.monitor_with("""return {
  list = function(doc)
    local items = vane.json.decode(doc.body).items
    items[1].follow = doc.url:gsub("hostile.json", "page.html")
    return items
  end,
  detail = function(doc, item)
    item.body = setmetatable({}, { __index = function() while true do end end })
    return item
  end,
}
""", extra_files={"page.html": "<p>the page</p>"})
        r = self.run_both_steps(m, expect=0)
        self.assertIn("scripts/hostile.lua:7: refused what the script returned: a table with a "
                      "metatable at .body; item 'https://www.state.gov/?p=478322' keeps what it had",
                      self.said(m, r))
        self.assertEqual(len(m.sql("SELECT key FROM items WHERE source = 'hostile'")), 2)
        self.assertCanaryFlags(m, r)

    def test_a_thousand_items_sharing_one_megabyte_string_are_left_out(self):
        m = self.monitor_with("""return function(doc)
  local big = ("x"):rep(1024 * 1024)
  local items = {}
  for i = 1, 1000 do items[i] = { key = "k" .. i, title = "item " .. i, body = big } end
  items[1001] = { key = "small", title = "a small one" }
  return items
end
""")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        r = self.run_both_steps(m, expect=0)
        rss_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        self.assertIn("source hostile: scripts/hostile.lua:1: item 'k1' ('item 1') takes more than "
                      "max_item_bytes (1000000 bytes) encoded; it is left out", self.said(m, r))
        self.assertIn("990 more items over max_item_bytes left out", self.said(m, r))
        self.assertEqual(m.sql("SELECT key FROM items WHERE source = 'hostile'"), [("small",)])
        self.assertLess(m.data_bytes(), 5 * 1024 * 1024)
        self.assertLess(rss_mb, 400, "vane's peak resident memory")
        self.assertCanaryFlags(m, r)

    def test_shared_sub_tables_twenty_levels_deep_are_not_expanded(self):
        m = self.monitor_with("""return function(doc)
  local t = { "leaf" }
  for _ = 1, 20 do t = { t, t } end
  local items = vane.json.decode(doc.body).items
  items[1].deep = t
  return items
end
""")
        r = self.run_both_steps(m, expect=0)
        self.assertIn("item 'https://www.state.gov/?p=478322' ('United States and Fiji Sign Shiprider "
                      "Agreement Amendment') takes more than max_item_bytes", self.said(m, r))
        self.assertEqual(len(m.sql("SELECT key FROM items WHERE source = 'hostile'")), 1)
        self.assertCanaryFlags(m, r)

    def test_max_item_bytes_is_a_source_option_and_a_setting(self):
        script = """return function(doc)
  return { { key = "a", title = ("y"):rep(5000) }, { key = "b", title = "short" } }
end
"""
        for settings, source in (({"max_item_bytes": "4KB"}, None), (None, {"max_item_bytes": "4KB"})):
            with self.subTest(settings=settings, source=source):
                m = self.monitor_with(script, settings=settings, source=source)
                r = self.run_both_steps(m, expect=0)
                self.assertIn("item 'a'", self.said(m, r))
                self.assertIn("takes more than max_item_bytes (4000 bytes) encoded", self.said(m, r))
                self.assertEqual(m.sql("SELECT key FROM items WHERE source = 'hostile'"), [("b",)])
                self.assertCanaryFlags(m, r)

    def test_options_of_shared_sub_tables_are_refused_at_load(self):
        m = self.monitor_with(ITEMS_SCRIPT)
        with open(m.config, encoding="utf-8") as f:
            text = f.read()
        deep = "local t = { 'leaf' }\nfor _ = 1, 24 do t = { t, t } end\n"
        text = deep + text.replace('script = "hostile"', 'script = "hostile", options = t', 1)
        m.write_config(text)
        r = m.vane("check", timeout=60)
        self.assertEqual(r.returncode, 2, describe(r))
        self.assertIn("'options' would take more than 1 MB as JSON", r.stderr)

    # ---- item 3: a closed vane library ---------------------------------------

    def test_the_json_module_settings_are_not_reachable(self):
        m = self.monitor_with("""return function(doc)
  vane.json.decode_max_depth(2000000)
  return {}
end
""")
        r = self.run_both_steps(m)
        self.assertHostileFailed(m, r, "scripts/hostile.lua:2: attempt to call a nil value "
                                       "(field 'decode_max_depth')")
        self.assertCanaryFlags(m, r)

    def test_library_tables_are_read_only_for_real(self):
        for body, what in (('rawset(vane.json, "decode", print)', "read-only"),
                           ('vane.url.parse = nil', "attempt to modify read-only table"),
                           ('setmetatable(vane.text, {})', "cannot change a protected metatable")):
            with self.subTest(body=body):
                m = self.monitor_with("""return function(doc)
  %s
  return {}
end
""" % body)
                r = self.run_both_steps(m)
                self.assertHostileFailed(m, r, "scripts/hostile.lua:2:", what)
                self.assertCanaryFlags(m, r)

    def test_json_encode_of_shared_sub_tables_is_bounded(self):
        m = self.monitor_with("""return function(doc)
  local t = { ("z"):rep(1000) }
  for _ = 1, 25 do t = { t, t } end
  return { { key = "a", text = vane.json.encode(t) } }
end
""")
        r = self.run_both_steps(m)
        self.assertHostileFailed(m, r, "scripts/hostile.lua:4:")
        self.assertCanaryFlags(m, r)

    # ---- item 4: exact keys --------------------------------------------------

    def test_large_numeric_ids_stay_distinct_keys(self):
        doc = ('{"results": ['
               '{"id": 100000000000000001, "title": "one"},'
               '{"id": 100000000000000002, "title": "two"},'
               '{"id": 123456789012345, "title": "three"},'
               '{"id": 123456789012346, "title": "four"},'
               '{"id": 42, "title": "five"}]}')
        m = self.monitor_with(None, extra_files={"hostile.json": doc},
                              source={"script": "json_api",
                                      "options": {"items": "results", "key": "id", "title": "title"}})
        r = self.run_both_steps(m, expect=0)
        keys = sorted(str(k) for (k,) in m.sql("SELECT key FROM items WHERE source = 'hostile'"))
        self.assertEqual(keys, ["100000000000000001", "100000000000000002", "123456789012345.0",
                                "123456789012346.0", "42.0"], describe(r))
        self.assertCanaryFlags(m, r)

    def test_two_items_with_one_key_are_a_warning_naming_both(self):
        m = self.monitor_with("""return function(doc)
  return { { key = "same", title = "First title" }, { key = "other", title = "Other" },
           { key = "same", title = "Second title" } }
end
""")
        r = self.run_both_steps(m, expect=0)
        self.assertIn("source hostile: scripts/hostile.lua:1: items 1 ('First title') and 3 "
                      "('Second title') have the same key 'same'; the first is kept, the second "
                      "left out", self.said(m, r))
        fields = m.sql("SELECT fields FROM items WHERE source = 'hostile' AND key = 'same'")
        self.assertEqual(json.loads(fields[0][0])["title"], "First title")
        self.assertCanaryFlags(m, r)

    def test_federal_register_with_a_repeated_document_and_a_null_record(self):
        path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "real", "federal_register",
                            "gifts_2024-04-19.json")
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        first = doc["results"][0]
        again = dict(first, title="A later title of the same document")
        doc["results"] += [None, again]
        m = self.monitor_with(None, extra_files={"hostile.json": json.dumps(doc)},
                              source={"script": "federal_register"})
        r = self.run_both_steps(m, expect=0)
        said = self.said(m, r)
        self.assertIn("1 of 22 records have no 'document_number' and were skipped", said)
        self.assertIn("items 1 ('%s') and 21 ('A later title of the same document') have the same key "
                      "'%s'; the first is kept" % (first["title"][:80], first["document_number"]), said)
        self.assertEqual(m.sql("SELECT count(*) FROM items WHERE source = 'hostile'")[0][0], 20)
        self.assertCanaryFlags(m, r)

    def test_travel_advisories_api_skips_a_null_record_and_reads_the_rest(self):
        path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "travel_advisories_api",
                            "api_t1.json")
        with open(path, encoding="utf-8") as f:
            records = json.load(f)
        records.insert(1, None)
        records[3] = {k: None for k in records[3]}
        m = self.monitor_with(None, extra_files={"hostile.json": json.dumps(records)},
                              source={"script": "travel_advisories_api"})
        r = self.run_both_steps(m, expect=0)
        self.assertIn("source hostile: scripts/travel_advisories_api.lua:50: record 2 is null, "
                      "not an advisory; left out", self.said(m, r))
        self.assertIn("source hostile: scripts/travel_advisories_api.lua:53: record 4 has no "
                      "Title; left out", self.said(m, r))
        stored = m.sql("SELECT count(*) FROM items WHERE source = 'hostile'")[0][0]
        self.assertEqual(stored, len(records) - 2)
        self.assertEqual(m.source_rows()["hostile"]["failures"], 0)
        self.assertCanaryFlags(m, r)


if __name__ == "__main__":
    import unittest
    unittest.main()

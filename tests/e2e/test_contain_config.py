"""Issue 12, vane.lua: a hostile or careless configuration is contained like
a rule or a script. `vane check` and `vane run` finish within the limits,
exit 2 and name vane.lua and the line of the declaration, and nothing of the
monitor runs on a half-read configuration."""

import resource

from vanetest import VaneCase, describe

SOURCE = 'source { id = "feed", url = "http://127.0.0.1:1/feed.xml", script = "rss"%s }\n'


class ContainConfig(VaneCase):

    def check(self, text, *wants, timeout=30):
        """Write vane.lua as `text`, run `vane check` and `vane run --all`:
        both exit 2 with every string of wants on stderr."""
        m = self.monitor(sources=[])
        m.write_config(m.database_line() + "\n" + text)
        for args in (["check"], ["run", "--all"]):
            r = m.vane(*args, timeout=timeout)
            self.assertEqual(r.returncode, 2, "vane %s\n%s" % (" ".join(args), describe(r)))
            for w in wants:
                self.assertIn(w, r.stderr, "vane %s\n%s" % (" ".join(args), describe(r)))
        return m

    def test_options_with_a_metatable_are_refused_not_encoded_empty(self):
        # Its __pairs and __index loop: read host-side, they would hang the run.
        self.check(SOURCE % ', options = setmetatable({}, { __index = function() while true do '
                   'end end, __pairs = function() while true do end end })',
                   "vane.lua:2: source 'feed': 'options' must be plain data",
                   "a table with a metatable")

    def test_options_with_a_cycle_or_a_nan_name_the_path(self):
        self.check('local t = { 1 }\nt[2] = t\n' + SOURCE % ', options = { list = t }',
                   "vane.lua:4:", "contains itself at .list[2]")
        self.check(SOURCE % ', options = { weight = 0/0 }',
                   "vane.lua:2:", "not finite at .weight")

    def test_options_of_shared_tables_are_refused_before_they_expand(self):
        # 2^30 leaves once written out as JSON.
        m = self.check('local t = {}\nfor i = 1, 30 do t = { a = t, b = t } end\n' +
                       SOURCE % ', options = t', "vane.lua:4: source 'feed'",
                       "'options' would take more than 1 MB as JSON")
        self.assertTrue(m.config_line("options = t"))

    def test_an_endless_loop_in_vane_lua_is_stopped_by_the_budget(self):
        self.check('local n = 0\nwhile true do n = n + 1 end\n',
                   "vane.lua:3:", "instruction budget exhausted")

    def test_a_loop_in_a_declarations_metatable_is_stopped(self):
        # The declaration's fields are read inside vane.lua's protected call.
        self.check('source(setmetatable({}, { __index = function() while true do end end }))\n',
                   "vane.lua:2:", "instruction budget exhausted")

    def test_a_memory_hog_in_vane_lua_is_stopped_by_the_ceiling(self):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.check('local keep = {}\nwhile true do keep[#keep + 1] = ("x"):rep(1e6) .. #keep end\n',
                   "vane.lua", "not enough memory")
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        # the default ceiling is 64 MB; the process stays near it
        self.assertLess(max(peak_kb, before), 400 * 1024)

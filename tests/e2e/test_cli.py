"""The command line: help, version, usage errors, configuration validation."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from vanetest import SHIPPED_RULES, VaneCase, describe, lua_str, vane_bin


class CommandLine(VaneCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="vane-cli-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write_valid_config(self):
        # Port 9 on this machine: never reached when the command line is refused.
        with open(os.path.join(self.dir, "vane.lua"), "w") as f:
            f.write('rules { %s }\n' % lua_str(SHIPPED_RULES))
            f.write('source { id = "x", url = "http://127.0.0.1:9/x.xml", '
                    'script = "travel_advisories" }\n')

    def vane(self, *args):
        return subprocess.run([vane_bin()] + list(args), cwd=self.dir, capture_output=True,
                              stdin=subprocess.DEVNULL, text=True, errors="replace", timeout=30)

    def test_version_prints_a_version_and_exits_0(self):
        r = self.vane("--version")
        self.assertExit(r, 0)
        self.assertRegex(r.stdout, r"\d+\.\d+")
        self.assertIn("vane", r.stdout.lower())

    def test_help_lists_the_commands_and_exits_0(self):
        r = self.vane("--help")
        self.assertExit(r, 0)
        for cmd in ("run", "check", "test", "flags", "events"):
            self.assertRegex(r.stdout, r"\b%s\b" % cmd, "--help should list %s" % cmd)

    def test_run_help_lists_its_options_and_exits_0(self):
        r = self.vane("run", "--help")
        self.assertExit(r, 0)
        for opt in ("--all", "--source", "--dry-run", "--wait", "--json"):
            self.assertIn(opt, r.stdout, "run --help should mention %s" % opt)

    def test_help_needs_no_configuration(self):
        self.assertFalse(os.path.exists(os.path.join(self.dir, "vane.lua")))
        self.assertExit(self.vane("--help"), 0)
        self.assertFalse(os.listdir(self.dir), "--help should create no files")

    def test_unknown_command_exits_2(self):
        self.write_valid_config()
        r = self.vane("frobnicate")
        self.assertExit(r, 2)
        self.assertRegex(r.stderr, r"frobnicate")
        self.assertEqual(r.stdout, "")

    def test_unknown_option_exits_2(self):
        self.write_valid_config()
        for args in (["run", "--frobnicate"], ["--frobnicate", "run"], ["flags", "--frobnicate"]):
            with self.subTest(args=args):
                r = self.vane(*args)
                self.assertExit(r, 2)
                self.assertIn("frobnicate", r.stderr, "a usage error should name the option")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "vane.db")),
                         "a refused command line should touch no database")

    def test_init_makes_a_monitor_that_checks_and_keeps_what_exists(self):
        r = self.vane("init", "mon")
        self.assertEqual(r.returncode, 0, describe(r))
        mon = os.path.join(self.dir, "mon")
        shipped = sorted(f for f in os.listdir(SHIPPED_RULES) if f.endswith(".lua"))
        self.assertEqual(sorted(os.listdir(os.path.join(mon, "rules"))), shipped)
        self.assertTrue(os.path.isdir(os.path.join(mon, "scripts")))
        with open(os.path.join(SHIPPED_RULES, "phrases.lua"), encoding="utf-8") as f:
            with open(os.path.join(mon, "rules", "phrases.lua"), encoding="utf-8") as g:
                self.assertEqual(f.read(), g.read())
        r = subprocess.run([vane_bin(), "check"], cwd=mon, capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, describe(r))
        self.assertIn("%d rules" % (len(shipped) - 1), r.stdout)   # phrases.lua is not a rule
        with open(os.path.join(mon, "vane.lua"), "a") as f:
            f.write("-- mine\n")
        r = self.vane("init", "mon")
        self.assertEqual(r.returncode, 1, describe(r))
        self.assertIn("already exists", r.stderr)
        with open(os.path.join(mon, "vane.lua")) as f:
            self.assertTrue(f.read().endswith("-- mine\n"))
        self.assertEqual(self.vane("init").returncode, 2)

    def test_missing_configuration_is_a_usage_error(self):
        r = self.vane("run", "--all")
        self.assertExit(r, 2)
        self.assertIn("vane.lua", r.stderr)


class ConfigValidation(VaneCase):
    """Each problem makes `vane check` exit 2 naming vane.lua:<line>."""

    def check(self, lines, want_line, want_words, m=None):
        m = m or self.monitor()
        text = "\n".join(lines) + "\n"
        m.write_config(text)
        r = m.vane("check")
        self.assertExit(r, 2, "vane check on:\n" + text)
        out = r.stdout + r.stderr
        self.assertRegex(out, r"vane\.lua:%d:" % want_line, "problem should be on line %d" % want_line)
        for w in want_words:
            self.assertIn(w.lower(), out.lower())
        # a run with the same configuration does nothing and exits 2
        run = m.vane("run", "--all", "--now", "2024-11-20T23:00:00Z")
        self.assertExit(run, 2, "vane run on a bad configuration")
        self.assertEqual(run.stdout.strip(), "")
        return out

    def base(self, m):
        return ['-- test configuration',
                m.database_line(),
                'rules { %s }' % lua_str(SHIPPED_RULES)]

    def src(self, m, **kw):
        fields = {"id": "travel-advisories", "url": m.server.url("/travel_advisories.xml"),
                  "script": "travel_advisories", "every": "1h"}
        fields.update(kw)
        body = ", ".join("%s = %s" % (k, lua_str(v)) for k, v in fields.items() if v is not None)
        return "source { %s }" % body

    def test_valid_configuration_checks_clean(self):
        m = self.monitor()
        m.write_config("\n".join(self.base(m) + [self.src(m)]) + "\n")
        r = m.vane("check")
        self.assertExit(r, 0, "a valid configuration")

    def test_unknown_key_in_source_names_the_key_and_line(self):
        m = self.monitor()
        self.check(self.base(m) + [self.src(m, colour="blue")], 4, ["colour"], m)

    def test_missing_url_names_the_line(self):
        m = self.monitor()
        self.check(self.base(m) + [self.src(m, url=None)], 4, ["url"], m)

    def test_duplicate_id_names_the_second_declaration(self):
        m = self.monitor()
        out = self.check(self.base(m) + [self.src(m), "", self.src(m)], 6, ["duplicate"], m)
        self.assertNotRegex(out, r"vane\.lua:4:", "the first declaration is fine")

    def test_duplicate_of_an_invalid_declaration_is_still_reported(self):
        m = self.monitor()
        out = self.check(self.base(m) + [self.src(m, every="5 parsecs"), self.src(m)], 4,
                         ["parsecs"], m)
        self.assertRegex(out, r"vane\.lua:5:.*duplicate", "two sources share one id")

    def test_bad_duration_names_the_value_and_line(self):
        m = self.monitor()
        self.check(self.base(m) + [self.src(m, every="5 parsecs")], 4, ["parsecs"], m)

    def test_every_problem_is_listed_at_once(self):
        m = self.monitor()
        lines = self.base(m) + [
            self.src(m, id="a", colour="blue"),          # 4
            self.src(m, id="b", url=None),               # 5
            self.src(m, id="c", every="5 parsecs"),      # 6
            self.src(m, id="d"),                         # 7 (fine)
            self.src(m, id="d"),                         # 8
        ]
        out = self.check(lines, 4, [], m)
        self.assertNotRegex(out, r"vane\.lua:7:")
        for n in (5, 6, 8):
            self.assertRegex(out, r"vane\.lua:%d:" % n)

    def test_syntax_error_in_configuration_names_the_line(self):
        m = self.monitor()
        self.check(self.base(m) + ['source { id = "x" url = "y" }'], 4, [], m)


if __name__ == "__main__":
    unittest.main()

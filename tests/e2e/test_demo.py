"""test_demo.py — `make demo` (tests/demo.sh): the four steps, the monitor
folder it keeps, and the command it ends with to browse that folder."""

import os
import shutil
import subprocess
import tempfile

from vanetest import TOP, VaneCase, describe, parse_json_lines, vane_bin

DEMO = os.path.join(TOP, "tests", "demo.sh")


class Demo(VaneCase):
    def run_demo(self, demo_dir, cwd):
        env = dict(os.environ, DEMO_DIR=demo_dir)
        r = subprocess.run(["sh", DEMO, vane_bin()], cwd=cwd, env=env, capture_output=True,
                           text=True, errors="replace", timeout=300, stdin=subprocess.DEVNULL)
        self.assertExit(r, 0, "sh tests/demo.sh")
        return r

    def test_keeps_its_monitor_and_says_how_to_browse_it(self):
        d = tempfile.mkdtemp(prefix="vane-demo-test-")
        self.addCleanup(shutil.rmtree, d, True)
        demo_dir = os.path.join(d, "demo")
        r = self.run_demo(demo_dir, d)
        lines = [l for l in r.stdout.splitlines() if l.strip()]
        self.assertIn("vane demo: 29 flags over 4 steps", lines)
        # the last line: the command, with the folder as typed from where the demo ran
        self.assertEqual(lines[-1], "Browse it: %s serve -c demo/vane.lua" % vane_bin(), describe(r))
        config = os.path.join(demo_dir, "vane.lua")
        self.assertTrue(os.path.isfile(os.path.join(demo_dir, "vane.db")))
        flags = subprocess.run([vane_bin(), "-c", config, "flags", "--json"], capture_output=True,
                               text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertExit(flags, 0, "vane flags on the demo's monitor")
        msgs = [f["message"] for f in parse_json_lines(flags.stdout)]
        self.assertEqual(len(msgs), 29)
        self.assertTrue(any(m.startswith("China: Level 3 → Level 2") for m in msgs), msgs)

        # run again: a fresh database, not the first one's flags twice
        r = self.run_demo(demo_dir, d)
        self.assertIn("vane demo: 29 flags over 4 steps", r.stdout)
        flags = subprocess.run([vane_bin(), "-c", config, "flags", "--json"], capture_output=True,
                               text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertEqual(len(parse_json_lines(flags.stdout)), 29)

"""test_systemd_units.py — packaging/systemd: vane.service, vane.timer and
vane-serve.service pass `systemd-analyze verify`, their hardening scores an
exposure below 2.0 in `systemd-analyze security --offline=true`, and the
real binary runs a monitor under the write-xor-execute rule that
MemoryDenyWriteExecute= imposes (Lua and libcurl must not need W+X pages).

No running systemd is needed: systemd-analyze reads the unit files."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from vanetest import TOP, VaneCase, describe, vane_bin

UNITS_DIR = os.path.join(TOP, "packaging", "systemd")
UNITS = ["vane.service", "vane.timer", "vane-serve.service"]
SERVICES = ["vane.service", "vane-serve.service"]
MAX_EXPOSURE = 2.0

PR_SET_MDWE = 65
PR_MDWE_REFUSE_EXEC_GAIN = 1

# Sets the kernel's memory-deny-write-execute rule on itself (what systemd's
# MemoryDenyWriteExecute= enforces with seccomp), checks it holds, then
# becomes vane: argv[1:] is vane's command line.
MDWE_EXEC = r"""
import ctypes, mmap, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(%d, %d, 0, 0, 0) != 0:
    sys.exit(77)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    sys.exit(78)          # the rule did not hold: the test would prove nothing
except OSError:
    pass
os.execv(sys.argv[1], sys.argv[1:])
""" % (PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN)


def analyze():
    path = shutil.which("systemd-analyze")
    if not path:
        raise unittest.SkipTest("systemd-analyze is not installed (apt-get install systemd)")
    return path


def unit_text(name):
    with open(os.path.join(UNITS_DIR, name), encoding="utf-8") as f:
        return f.read()


def directives(text):
    """{key: [values]} of a unit file (comments and sections dropped)."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;[" or "=" not in line:
            continue
        k, v = line.split("=", 1)
        out.setdefault(k.strip(), []).append(v.strip())
    return out


class Units(VaneCase):
    def units_copy(self):
        """The units in a temp folder, /usr/bin/vane replaced by the binary under
        test (verify checks that ExecStart's program exists and is executable)."""
        d = tempfile.mkdtemp(prefix="vane-units-")
        self.addCleanup(shutil.rmtree, d, True)
        for u in UNITS:
            with open(os.path.join(d, u), "w", encoding="utf-8") as f:
                f.write(unit_text(u).replace("/usr/bin/vane", vane_bin()))
        return d

    def test_verify_is_clean(self):
        sa = analyze()
        d = self.units_copy()
        r = subprocess.run([sa, "verify", "--man=no"] + [os.path.join(d, u) for u in UNITS],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertExit(r, 0, "systemd-analyze verify")
        self.assertEqual(r.stderr.strip(), "", describe(r))

    def test_verify_catches_a_bad_unit(self):
        # the check above can fail: a misspelt directive is reported
        sa = analyze()
        d = self.units_copy()
        path = os.path.join(d, "vane.service")
        with open(path, "a", encoding="utf-8") as f:
            f.write("ProtectSystm=strict\n")
        r = subprocess.run([sa, "verify", "--man=no", path], capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        self.assertIn("ProtectSystm", r.stderr, describe(r))

    def exposure(self, path):
        r = subprocess.run([analyze(), "security", "--offline=true", path], capture_output=True,
                           text=True, timeout=60, stdin=subprocess.DEVNULL)
        m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout)
        self.assertIsNotNone(m, describe(r))
        return float(m.group(1))

    def test_exposure_below_two(self):
        d = self.units_copy()
        figures = {u: self.exposure(os.path.join(d, u)) for u in SERVICES}
        for u, x in figures.items():
            self.assertLess(x, MAX_EXPOSURE, "%s: exposure %.1f (%s)" % (u, x, figures))
        # and the measure tells a bare unit from ours
        bare = os.path.join(d, "bare.service")
        with open(bare, "w", encoding="utf-8") as f:
            f.write("[Service]\nExecStart=%s --version\n" % vane_bin())
        self.assertGreater(self.exposure(bare), 9.0)

    def test_service_runs_as_vane_with_its_state_and_secrets(self):
        for u in SERVICES:
            d = directives(unit_text(u))
            self.assertEqual(d["User"], ["vane"], u)
            self.assertEqual(d["Group"], ["vane"], u)
            self.assertEqual(d["StateDirectory"], ["vane"], u)
            self.assertEqual(d["EnvironmentFile"], ["-/etc/vane/env"], u)
            self.assertEqual(d["WorkingDirectory"], ["/etc/vane"], u)
            self.assertEqual(d["UMask"], ["0077"], u)
            self.assertEqual(d["CapabilityBoundingSet"], [""], u)
            self.assertEqual(d["MemoryDenyWriteExecute"], ["yes"], u)
            self.assertEqual(d["RestrictAddressFamilies"], ["AF_INET AF_INET6 AF_UNIX"], u)
            self.assertIn("@system-service", d["SystemCallFilter"], u)
            exe = d["ExecStart"][0].split()
            self.assertEqual(exe[0], "/usr/bin/vane", u)
            self.assertEqual(exe[exe.index("-c") + 1], "/etc/vane/vane.lua", u)
            self.assertEqual(exe[exe.index("--db") + 1], "/var/lib/vane/vane.db", u)
        run = directives(unit_text("vane.service"))
        self.assertEqual(run["Type"], ["oneshot"])
        self.assertEqual(run["SuccessExitStatus"], ["1 75"])
        serve = directives(unit_text("vane-serve.service"))
        self.assertEqual(serve["Restart"], ["on-failure"])
        self.assertIn("serve", serve["ExecStart"][0].split())

    def test_timer_every_ten_minutes(self):
        d = directives(unit_text("vane.timer"))
        self.assertEqual(d["Persistent"], ["true"])
        self.assertIn("RandomizedDelaySec", d)
        r = subprocess.run([analyze(), "calendar", "--iterations=3", d["OnCalendar"][0]],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertExit(r, 0, "systemd-analyze calendar")
        self.assertIn("Normalized form: *-*-* *:00/10:00", r.stdout)

    def test_runs_under_memory_deny_write_execute(self):
        m = self.monitor()
        m.argv = lambda *args, db=None: [sys.executable, "-c", MDWE_EXEC, vane_bin(),
                                         "-c", m.config] + list(args)
        probe = m.vane("--version")
        if probe.returncode == 77:
            self.skipTest("this kernel has no PR_SET_MDWE (Linux 6.3 or later)")
        self.assertExit(probe, 0, "vane --version under MDWE")
        m.step(1)                      # Lua scripts and rules, a fetch with libcurl
        r = m.step(2)
        self.assertEqual(len(r.flags), 2, describe(r))

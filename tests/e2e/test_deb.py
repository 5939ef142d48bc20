"""test_deb.py — the Debian package (`make deb`, debian/): it builds, lintian
finds no errors or warnings in it, `dpkg -i` installs a working
/usr/bin/vane with its man page and units, creates the vane user,
/var/lib/vane and /etc/vane with its env file (kept on reinstall), the demo
runs against the installed binary, and `dpkg --purge` removes what the
package made.

It installs a package on this machine, so it runs only as root with
dpkg-buildpackage at hand (CI is a fresh Debian 12 run as root), and never
over a vane package that was installed before it. $VANE_DEB names an
already built .deb to test instead of building one."""

import glob
import grp
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

from vanetest import TOP, VaneCase, describe

VERSION_H = os.path.join(TOP, "engine", "util", "version.h")
DEMO = os.path.join(TOP, "tests", "demo.sh")


def version():
    with open(VERSION_H, encoding="utf-8") as f:
        return re.search(r'#define VANE_VERSION "([^"]+)"', f.read()).group(1)


def sh(*argv, timeout=300, **kw):
    return subprocess.run(list(argv), capture_output=True, text=True, errors="replace",
                          timeout=timeout, stdin=subprocess.DEVNULL, **kw)


def installed(pkg):
    r = sh("dpkg-query", "-W", "-f=${Status}", pkg)
    return r.returncode == 0 and "ok installed" in r.stdout


def mode_owner(path):
    st = os.stat(path)
    return (stat.S_IMODE(st.st_mode), pwd.getpwuid(st.st_uid).pw_name,
            grp.getgrgid(st.st_gid).gr_name)


class Deb(VaneCase):
    # Decided once for the class, reported by each test (a skip raised in
    # setUpClass would leave run.py no test to count).
    @classmethod
    def setUpClass(cls):
        cls.skip_reason = cls.why_not()
        cls.deb = cls.build_error = None
        if not cls.skip_reason:
            cls.deb, cls.build_error = cls.package()

    @staticmethod
    def why_not():
        if os.geteuid() != 0:
            return "installs a package: run as root (CI does)"
        for tool in ("dpkg-buildpackage", "lintian", "man"):
            if not shutil.which(tool):
                return "%s is not installed (make deps installs the PKGS)" % tool
        if installed("vane"):
            return "a vane package is installed already; not replacing it"
        if not os.environ.get("VANE_DEB") and sh("make", "-n", "install", "DESTDIR=/nonexistent",
                                                 "PREFIX=/usr", cwd=TOP).returncode != 0:
            return "the Makefile has no install target to package"
        return None

    @staticmethod
    def package():
        """(the .deb, None) or (None, why it could not be built)."""
        if os.environ.get("VANE_DEB"):
            return os.environ["VANE_DEB"], None
        r = sh("make", "--no-print-directory", "deb", cwd=TOP, timeout=900)
        if r.returncode != 0:
            return None, "make deb\n" + describe(r)
        debs = glob.glob(os.path.join(TOP, "build", "vane_%s_*.deb" % version()))
        if len(debs) != 1:
            return None, "make deb made %s\n%s" % (debs, describe(r))
        return debs[0], None

    def setUp(self):
        if self.skip_reason:
            self.skipTest(self.skip_reason)
        if self.build_error:
            self.fail(self.build_error)

    def install(self):
        r = sh("dpkg", "-i", self.deb)
        self.addCleanup(sh, "dpkg", "--purge", "vane")
        self.assertExit(r, 0, "dpkg -i")

    def test_lintian_finds_nothing(self):
        r = sh("lintian", "--fail-on", "none", self.deb)
        bad = [l for l in r.stdout.splitlines() if re.match(r"^[EW]: ", l)]
        self.assertEqual(bad, [], describe(r))

    def test_depends_names_the_dlopened_libraries(self):
        r = sh("dpkg-deb", "-f", self.deb, "Depends", "Version")
        self.assertExit(r, 0, "dpkg-deb -f")
        fields = dict(l.split(": ", 1) for l in r.stdout.splitlines())
        self.assertEqual(fields["Version"], version())
        deps = [d.strip().split()[0] for d in fields["Depends"].split(",")]
        for lib in ("libcurl4", "libmicrohttpd12", "libpq5", "liblua5.4-0", "libsqlite3-0",
                    "adduser"):
            self.assertIn(lib, deps)
        self.assertNotIn("lua-cjson", deps)      # linked statically

    def test_install_run_purge(self):
        self.install()
        vane = "/usr/bin/vane"
        r = sh(vane, "--version")
        self.assertExit(r, 0, "vane --version")
        self.assertTrue(r.stdout.startswith("vane %s " % version()), r.stdout)
        r = sh("man", "-w", "vane")
        self.assertExit(r, 0, "man -w vane")
        self.assertTrue(r.stdout.strip().startswith("/usr/share/man/man1/vane.1"), r.stdout)

        # the user, its state folder, /etc/vane and the env file
        u = pwd.getpwnam("vane")
        self.assertEqual(u.pw_dir, "/var/lib/vane")
        self.assertIn(u.pw_shell, ("/usr/sbin/nologin", "/bin/false"))
        self.assertLess(u.pw_uid, 1000)
        self.assertEqual(mode_owner("/var/lib/vane"), (0o750, "vane", "vane"))
        self.assertEqual(mode_owner("/etc/vane"), (0o750, "root", "vane"))
        self.assertEqual(mode_owner("/etc/vane/env"), (0o640, "root", "vane"))
        with open("/etc/vane/env", "a", encoding="utf-8") as f:
            f.write("VANE_TEST_SECRET=kept\n")
        self.assertExit(sh("dpkg", "-i", self.deb), 0, "dpkg -i again")
        with open("/etc/vane/env", encoding="utf-8") as f:
            self.assertIn("VANE_TEST_SECRET=kept", f.read())

        # the units, as installed, with the binary they name
        units = ["/lib/systemd/system/" + n for n in ("vane.service", "vane.timer",
                                                     "vane-serve.service")]
        if shutil.which("systemd-analyze"):
            r = sh("systemd-analyze", "verify", *units)
            self.assertExit(r, 0, "systemd-analyze verify")
            self.assertEqual(r.stderr.strip(), "", describe(r))
        else:
            for p in units:
                self.assertTrue(os.path.isfile(p), p)

        # a new monitor, and the demo's four steps, with the installed binary
        d = tempfile.mkdtemp(prefix="vane-deb-")
        self.addCleanup(shutil.rmtree, d, True)
        mon = os.path.join(d, "mon")
        self.assertExit(sh(vane, "init", mon), 0, "vane init")
        r = sh(vane, "-c", os.path.join(mon, "vane.lua"), "check")
        self.assertExit(r, 0, "vane check on the new monitor")
        r = sh("sh", DEMO, vane, cwd=d, env=dict(os.environ, DEMO_DIR=os.path.join(d, "demo")))
        self.assertExit(r, 0, "tests/demo.sh /usr/bin/vane")
        self.assertIn("vane demo: 29 flags over 4 steps", r.stdout)

        # the vane user reads a monitor it may read
        os.chmod(d, 0o755)
        r = sh("runuser", "-u", "vane", "--", vane, "-c", os.path.join(mon, "vane.lua"),
               "check")
        self.assertExit(r, 0, "vane check as the vane user")

        # purge: the package's files, the env file and the state go; the user stays
        r = sh("dpkg", "--purge", "vane")
        self.assertExit(r, 0, "dpkg --purge vane")
        for p in [vane, "/etc/vane/env", "/etc/vane", "/var/lib/vane"] + units:
            self.assertFalse(os.path.exists(p), p)
        self.assertEqual(pwd.getpwnam("vane").pw_dir, "/var/lib/vane")

"""make install and make uninstall into a DESTDIR: the tree they make (the
binary, the man pages gzipped, the completion, the shipped scripts and
rules, the example vane.lua, the systemd units), the installed binary
running, and uninstall taking away exactly what install put."""

import glob
import gzip
import os
import shutil
import subprocess
import tempfile
import unittest

from vanetest import TOP

MAKE = shutil.which("make")


def tree(root):
    """Every file under root, relative, and every folder."""
    files, dirs = set(), set()
    for d, subdirs, names in os.walk(root):
        for n in names:
            files.add(os.path.relpath(os.path.join(d, n), root))
        for n in subdirs:
            dirs.add(os.path.relpath(os.path.join(d, n), root))
    return files, dirs


@unittest.skipUnless(MAKE and shutil.which("scdoc"), "needs make and scdoc")
class Install(unittest.TestCase):

    def make(self, *args):
        r = subprocess.run([MAKE, "--no-print-directory", "-C", TOP] + list(args),
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, "make %s\n%s%s" % (" ".join(args), r.stdout, r.stderr))
        return r

    def setUp(self):
        self.dest = tempfile.mkdtemp(prefix="vane-destdir-")
        self.addCleanup(shutil.rmtree, self.dest, ignore_errors=True)

    def expected(self, prefix):
        p = prefix.lstrip("/")
        want = {p + "/bin/vane", p + "/share/bash-completion/completions/vane",
                p + "/share/doc/vane/examples/vane.lua",
                p + "/share/man/man1/vane.1.gz", p + "/share/man/man5/vane.lua.5.gz",
                p + "/share/man/man7/vane-rules.7.gz", p + "/share/man/man7/vane-scripts.7.gz"}
        for kind in ("scripts", "rules"):
            for f in glob.glob(os.path.join(TOP, kind, "*.lua")):
                want.add("%s/share/vane/%s/%s" % (p, kind, os.path.basename(f)))
        for f in glob.glob(os.path.join(TOP, "packaging", "systemd", "*")):
            want.add("%s/share/doc/vane/systemd/%s" % (p, os.path.basename(f)))
        return want

    def test_install_tree_runs_and_uninstall_leaves_no_file(self):
        self.make("install", "DESTDIR=" + self.dest, "PREFIX=/usr")
        files, _ = tree(self.dest)
        self.assertEqual(files, self.expected("/usr"))
        self.assertIn("usr/share/vane/scripts/rss.lua", files)
        self.assertIn("usr/share/vane/rules/advisory_level_change.lua", files)

        vane = os.path.join(self.dest, "usr/bin/vane")
        self.assertEqual(os.stat(vane).st_mode & 0o777, 0o755)
        r = subprocess.run([vane, "--version"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^vane \d+\.\d+\.\d+ ")
        for f in files - {"usr/bin/vane"}:
            self.assertEqual(os.stat(os.path.join(self.dest, f)).st_mode & 0o777, 0o644, f)

        page = os.path.join(self.dest, "usr/share/man/man1/vane.1.gz")
        with open(page, "rb") as f:
            head = f.read(10)
        self.assertEqual(head[:2], b"\x1f\x8b")
        self.assertEqual(head[4:8], b"\0\0\0\0", "gzip -n: no time stamp in the page")
        with gzip.open(page, "rt") as f:
            self.assertIn(".TH \"vane\" \"1\"", f.read())
        with open(os.path.join(self.dest, "usr/share/doc/vane/examples/vane.lua")) as f, \
                open(os.path.join(TOP, "vane.lua")) as g:
            self.assertEqual(f.read(), g.read())

        self.make("uninstall", "DESTDIR=" + self.dest, "PREFIX=/usr")
        files, dirs = tree(self.dest)
        self.assertEqual(files, set(), "uninstall should remove every file install put")
        self.assertFalse(any(d.endswith("share/vane") or d.endswith("doc/vane") for d in dirs),
                         "vane's own folders removed: %s" % sorted(dirs))

    def test_default_prefix_is_usr_local_and_uninstall_keeps_other_files(self):
        self.make("install", "DESTDIR=" + self.dest)
        files, _ = tree(self.dest)
        self.assertEqual(files, self.expected("/usr/local"))
        other = os.path.join(self.dest, "usr/local/bin/other-tool")
        with open(other, "w") as f:
            f.write("#!/bin/sh\n")
        self.make("uninstall", "DESTDIR=" + self.dest)
        files, _ = tree(self.dest)
        self.assertEqual(files, {"usr/local/bin/other-tool"}, "only vane's files go")


if __name__ == "__main__":
    unittest.main()

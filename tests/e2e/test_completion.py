"""The bash completion (completion/vane.bash): sourced into a real bash,
its function called with COMP_WORDS and COMP_CWORD set as bash sets them;
commands and options come from `vane help --names`, ids from the
configuration in effect."""

import os
import subprocess
import unittest

from vanetest import TOP, VaneCase, vane_bin

SCRIPT = os.path.join(TOP, "completion", "vane.bash")


def names():
    out = subprocess.run([vane_bin(), "help", "--names"], capture_output=True, text=True,
                         check=True).stdout
    return [line.split() for line in out.splitlines()]


class Completion(VaneCase):

    def complete(self, words, cwd=None):
        """COMPREPLY for the words typed (the last one being completed)."""
        quoted = " ".join("'%s'" % w.replace("'", "'\\''") for w in [vane_bin()] + words)
        prog = ('source "$1"; COMP_WORDS=(%s); COMP_CWORD=%d; _vane; '
                'printf "%%s\\n" "${COMPREPLY[@]}"' % (quoted, len(words)))
        r = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog, "bash", SCRIPT],
                           cwd=cwd, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        return [w for w in r.stdout.splitlines() if w]

    def test_registered_for_vane(self):
        r = subprocess.run(["bash", "--norc", "-c", 'source "$1"; complete -p vane', "bash",
                            SCRIPT], capture_output=True, text=True)
        self.assertIn("-F _vane vane", r.stdout)

    def test_every_command_is_offered(self):
        commands = sorted(n[1] for n in names() if n[0] == "command")
        self.assertIn("backup", commands)
        got = self.complete([""])
        self.assertEqual(sorted(set(got) - {"help"}), commands)
        self.assertEqual(self.complete(["ba"]), ["backup"])
        self.assertEqual(sorted(self.complete(["-c", "x.lua", "re"])),
                         ["reextract", "replay"], "-c FILE is skipped with its value")

    def test_options_per_command(self):
        table = names()
        for cmd in ("run", "flags", "backup", "silence", "check"):
            want = sorted(n[2] for n in table if n[0] == "option" and n[1] in ("*", cmd))
            self.assertEqual(sorted(self.complete([cmd, "--"])), want, cmd)
        self.assertEqual(self.complete(["run", "--dr"]), ["--dry-run"])
        self.assertNotIn("--dry-run", self.complete(["flags", "--"]))
        self.assertEqual(self.complete(["backup", "--fo"]), ["--force"])

    def test_ids_from_the_configuration(self):
        m = self.monitor()
        m.sources = [m.advisory_source(id="alpha-feed"), m.advisory_source(id="beta-feed")]
        m.channels = [{"id": "desk-log", "kind": "file", "path": "flags.jsonl"}]
        m.write_config()
        self.assertEqual(sorted(self.complete(["-c", m.config, "run", "--source", ""])),
                         ["alpha-feed", "beta-feed"])
        self.assertEqual(self.complete(["flags", "--source", "be"], cwd=m.dir), ["beta-feed"],
                         "./vane.lua without -c")
        rules = self.complete(["-c", m.config, "flags", "--rule", "advisory-"])
        self.assertIn("advisory-level-change", rules)
        self.assertTrue(all(r.startswith("advisory-") for r in rules), rules)
        self.assertEqual(self.complete(["-c", m.config, "outbox", "--channel", ""]), ["desk-log"])
        self.assertEqual(self.complete(["-c", m.config, "channel", "test", ""]), ["desk-log"])
        self.assertEqual(sorted(self.complete(["-c", m.config, "preview", ""])),
                         ["alpha-feed", "beta-feed"])

    def test_subcommands_and_values(self):
        self.assertEqual(sorted(self.complete(["silence", ""])), ["add", "list", "remove"])
        self.assertEqual(self.complete(["outbox", "r"]), ["retry"])
        self.assertEqual(self.complete(["flags", "mark", "12", ""]), ["useful", "noise"])
        self.assertEqual(self.complete(["flags", "mark", ""]), [], "a flag id is typed")
        self.assertEqual(sorted(self.complete(["events", "--change", ""])),
                         ["changed", "new", "removed"])
        self.assertEqual(self.complete(["runs", "--since", ""]), [],
                         "a time is typed, not completed")

    def test_no_configuration_offers_no_ids(self):
        empty = self.monitor()
        os.remove(empty.config)
        self.assertEqual(self.complete(["run", "--source", ""], cwd=empty.dir), [])


if __name__ == "__main__":
    unittest.main()

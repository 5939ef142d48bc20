"""settings' metrics_file end to end: each `vane run` writes vane's
Prometheus metrics to it atomically, in the text format promtool accepts,
with the figures of the database (runs by status, the last run, each
source's health, flags by rule and severity, the outbox's pending and dead
rows by channel, the database's size); a file that cannot be written is a
warning of the run naming it, not a failed run; a bad setting is refused
with its line of vane.lua."""

import os
import re
import shutil
import subprocess

from vanetest import LEVEL_RULE, SOURCE_ID, VaneCase, describe

PROMTOOL = shutil.which("promtool")

SAMPLE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (-?[0-9.e+]+)$')
LABEL = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, ((label, value), …)): value} and {name: type} of an exposition."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ")
            types[name] = typ
            continue
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample line: %r" % line
        labels = tuple(LABEL.findall(m.group(2) or ""))
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples, types


def promtool_check(case, text):
    if not PROMTOOL:
        case.skipTest("promtool is not installed (Debian package prometheus)")
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=60)
    case.assertEqual(p.returncode, 0, "promtool check metrics:\n%s%s\n--- text ---\n%s"
                     % (p.stdout, p.stderr, text))


class MetricsFile(VaneCase):

    def setUp(self):
        self.m = self.monitor()
        os.makedirs(os.path.join(self.m.dir, "textfile"))
        self.path = os.path.join(self.m.dir, "textfile", "vane.prom")
        self.m.settings = {"metrics_file": "textfile/vane.prom"}   # relative to vane.lua

    def read(self):
        with open(self.path, encoding="utf-8") as f:
            return f.read()

    def test_a_run_writes_the_databases_figures_in_a_format_promtool_accepts(self):
        m = self.m
        m.sources.append(m.advisory_source(id="down", url=m.server.url("/nowhere.xml")))
        m.channels.append({"id": "archive", "kind": "file", "max_attempts": 1,
                           "path": os.path.join(m.dir, "missing", "flags.jsonl")})
        m.write_config()
        m.step(1, expect=1)                      # "down" fails
        m.step(2, expect=1)                      # flags; the channel's folder is missing
        text = self.read()
        promtool_check(self, text)
        s, types = parse(text)

        runs = m.query("runs")
        last = runs[-1]
        self.assertEqual(s[("vane_runs_total", (("status", "failed"),))], 2)
        self.assertEqual(types["vane_runs_total"], "counter")
        self.assertEqual(s[("vane_last_run_exit_code", ())], 1)
        self.assertEqual(types["vane_last_run_exit_code"], "gauge")
        self.assertGreaterEqual(s[("vane_last_run_duration_seconds", ())], 0)
        self.assertGreater(s[("vane_last_run_timestamp_seconds", ())], 1.7e9, last)

        self.assertEqual(s[("vane_source_up", (("source", SOURCE_ID),))], 1)
        self.assertEqual(s[("vane_source_up", (("source", "down"),))], 0)
        self.assertEqual(s[("vane_source_failures", (("source", "down"),))], 2)
        self.assertEqual(s[("vane_source_failures", (("source", SOURCE_ID),))], 0)
        self.assertNotIn(("vane_source_last_success_timestamp_seconds", (("source", "down"),)), s)
        self.assertIn(("vane_source_last_success_timestamp_seconds", (("source", SOURCE_ID),)), s)
        items = [x for x in m.query("sources") if x["id"] == SOURCE_ID][0]["items"]
        self.assertGreater(items, 0)
        self.assertEqual(s[("vane_source_items", (("source", SOURCE_ID),))], items)

        flags = m.flags()
        self.assertGreater(len(flags), 0)
        by = {}
        for f in flags:
            by[(f["rule"], f["severity"])] = by.get((f["rule"], f["severity"]), 0) + 1
        got = {(dict(k[1])["rule"], dict(k[1])["severity"]): v for k, v in s.items()
               if k[0] == "vane_flags_total"}
        self.assertEqual(got, by)
        self.assertIn(LEVEL_RULE, {r for r, _ in got})

        dead = [o for o in m.query("outbox", "--all") if o["status"] == "dead"]
        self.assertGreater(len(dead), 0)
        self.assertEqual(s[("vane_outbox_dead", (("channel", "archive"),))], len(dead))
        self.assertEqual(s[("vane_outbox_pending", (("channel", "archive"),))], 0)

        # measured while the run had the database open, with its log not yet
        # folded back: at least the file, at most the file and a log
        size = m.db_bytes()
        self.assertGreaterEqual(s[("vane_database_bytes", ())], size)
        self.assertLess(s[("vane_database_bytes", ())], size + (8 << 20))

        self.assertEqual(sorted(os.listdir(os.path.dirname(self.path))), ["vane.prom"],
                         "no temporary file is left beside it")
        self.assertEqual(os.stat(self.path).st_mode & 0o777, 0o644, "node_exporter can read it")

    def test_each_run_replaces_the_file_whole(self):
        self.m.write_config()
        self.m.step(1)
        before = os.stat(self.path).st_ino
        first = parse(self.read())[0]
        self.assertEqual(first[("vane_runs_total", (("status", "ok"),))], 1)
        self.m.step(2)
        s = parse(self.read())[0]
        self.assertEqual(s[("vane_runs_total", (("status", "ok"),))], 2)
        self.assertEqual(s[("vane_last_run_exit_code", ())], 0)
        self.assertNotEqual(os.stat(self.path).st_ino, before, "renamed over, not rewritten")

    def test_label_values_are_escaped(self):
        # channel ids are restricted in vane.lua; a row left by a channel of
        # another name (written here by hand) is still counted, its name escaped
        self.m.write_config()
        self.m.step(1)
        self.m.step(2)
        hostile = 'odd"chan\nel\\x'
        flag = self.m.sql("SELECT min(id) FROM flags")[0][0]
        self.m.write_sql("INSERT INTO outbox(flag_id, channel, status) VALUES (?, ?, 'dead')",
                         (flag, hostile))
        self.m.step(3)
        text = self.read()
        promtool_check(self, text)
        self.assertIn('vane_outbox_dead{channel="odd\\"chan\\nel\\\\x"} 1\n', text)

    def test_a_file_that_cannot_be_written_is_a_warning_of_the_run(self):
        self.m.settings = {"metrics_file": "nowhere/vane.prom"}
        self.m.write_config()
        r = self.m.step(1)                       # exit 0: the run itself went well
        self.assertFalse(os.path.exists(os.path.join(self.m.dir, "nowhere")))
        warnings = self.m.query("runs")[-1]["warnings"]
        self.assertTrue(any("metrics_file" in w and "nowhere/vane.prom" in w for w in warnings),
                        "%s\n%s" % (warnings, describe(r)))

    def test_a_dry_run_writes_nothing(self):
        self.m.write_config()
        self.m.step(1, "--dry-run")
        self.assertFalse(os.path.exists(self.path))

    def test_an_empty_name_is_refused_with_its_line(self):
        self.m.settings = {"metrics_file": ""}
        self.m.write_config()
        r = self.m.vane("check")
        self.assertNotEqual(r.returncode, 0, describe(r))
        line = self.m.config_line("metrics_file")
        self.assertIn("vane.lua:%d:" % line, r.stderr)
        self.assertIn("metrics_file", r.stderr)

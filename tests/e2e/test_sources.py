"""A source that fails (HTTP error, empty body) is reported by id, counted in
its health, and never turns into `removed` events or flags."""

import os
import socket
import unittest

from vanetest import (ADVISORY_PATH, LEVEL_RULE, NOTATION_RULE, SOURCE_ID, STEPS, VaneCase,
                      describe)


def closed_port():
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class FailingSource(VaneCase):

    def source_row(self, m):
        rows = [s for s in m.query("sources") if s.get("id") == SOURCE_ID]
        self.assertEqual(len(rows), 1, "vane sources --json should list %s" % SOURCE_ID)
        for k in ("id", "url", "last_attempt", "last_success", "last_status", "last_error",
                  "failures", "items", "next_due"):
            self.assertIn(k, rows[0])
        return rows[0]

    def test_http_500_is_an_error_naming_the_source_and_changes_nothing(self):
        m = self.monitor()
        m.step(1)
        n_events = len(m.events())
        m.server.set_status(ADVISORY_PATH, 500)
        r = m.step(2, expect=1)
        self.assertEqual(r.flags, [])
        self.assertIn(SOURCE_ID, r.stderr, describe(r))
        self.assertTrue(all(l.startswith("vane: ") for l in self.stderr_lines(r)), r.stderr)
        self.assertEqual(len(m.events()), n_events, "a failed fetch stores no events")
        row = self.source_row(m)
        self.assertEqual(row["last_attempt"], STEPS[2][0])
        self.assertEqual(row["last_success"], STEPS[1][0])
        self.assertEqual(row["last_status"], 500)
        self.assertGreaterEqual(row["failures"], 1)
        self.assertTrue(row["last_error"])
        self.assertEqual(row["items"], 14, "the last good extraction's count stays")
        # back to normal: the next run picks up t2 and flags as usual
        m.server.set_status(ADVISORY_PATH, None)
        r = m.run(STEPS[2][0])
        self.assertEqual(len([f for f in r.flags if f["rule"] in (LEVEL_RULE, NOTATION_RULE)]), 2,
                         describe(r))
        row = self.source_row(m)
        self.assertEqual(row["failures"], 0)
        self.assertEqual(row["last_status"], 200)

    def test_empty_body_is_an_error_and_removes_nothing(self):
        m = self.monitor()
        m.step(1)
        n_events = len(m.events())
        empty = os.path.join(m.dir, "empty.xml")
        open(empty, "w").close()
        m.serve(empty)
        r = m.run(STEPS[2][0], expect=1)
        self.assertIn(SOURCE_ID, r.stderr, describe(r))
        self.assertEqual(r.flags, [])
        self.assertEqual(len(m.events()), n_events, "no `removed` events for an empty document")
        # the good document again: nothing changed since the baseline
        m.serve(STEPS[1][1])
        r = m.run("2024-11-21T23:00:00Z")
        self.assertEqual(r.flags, [])
        self.assertEqual(len(m.events()), n_events)

    def test_unreachable_source_fails_while_the_others_run(self):
        m = self.monitor()
        dead = m.advisory_source(id="dead")
        dead["url"] = "http://127.0.0.1:%d/travel_advisories.xml" % closed_port()
        m.sources = [m.advisory_source(), dead]
        m.write_config()
        r = m.step(1, expect=1)
        self.assertIn("dead", r.stderr, describe(r))
        r = m.step(2, expect=1)
        got = sorted(f["key"] for f in r.flags if f["rule"] in (LEVEL_RULE, NOTATION_RULE))
        self.assertEqual(got, ["EK", "MA"], describe(r))   # Equatorial Guinea, Madagascar
        self.assertTrue(all(f["source"] == SOURCE_ID for f in r.flags))


class RunRecord(VaneCase):

    def test_runs_are_recorded_with_their_counts_and_exit_codes(self):
        m = self.monitor()
        m.step(1)
        m.step(2)
        m.server.set_status(ADVISORY_PATH, 500)
        m.step(3, expect=1)
        runs = m.query("runs")
        self.assertEqual(len(runs), 3, runs)
        runs.sort(key=lambda r: r["id"])
        got = [(r.get("status"), r.get("exit_code"), r.get("events"), r.get("flags"))
               for r in runs]
        self.assertEqual(got, [("ok", 0, 14, 0), ("ok", 0, 3, 2), ("failed", 1, 0, 0)])
        self.assertTrue(any(SOURCE_ID in e for e in runs[2].get("errors") or []), runs[2])


if __name__ == "__main__":
    unittest.main()

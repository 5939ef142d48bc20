"""Two runs at once: the second exits 75 with one clear line, or waits for
the lock with --wait."""

import threading
import time
import unittest

from vanetest import (ADVISORY_PATH, STEPS, VaneCase, describe, kill_process, sqlite_only,
                      wait_for)

HOLD = 5.0   # seconds the server keeps the first run waiting


@sqlite_only("the run lock is the SQLite store's: runs on PostgreSQL share the work "
             "(test_pg_workers)")
class Lock(VaneCase):

    def start_holder(self, m):
        """Start a run whose fetch the server holds for HOLD seconds; return it
        once its request has arrived (so it holds the lock)."""
        m.server.set_delay(ADVISORY_PATH, HOLD)
        now, snap = STEPS[1]
        m.serve(snap)
        p = m.popen("run", "--all", "--now", now)
        self.addCleanup(kill_process, p)
        self.assertTrue(wait_for(lambda: m.server.arrived(ADVISORY_PATH) >= 1, timeout=20),
                        "the first run never reached the server")
        m.server.set_delay(ADVISORY_PATH, 0)
        ended = {}

        def reap():
            p.wait()
            ended["at"] = time.monotonic()
        t = threading.Thread(target=reap, daemon=True)
        t.start()
        return p, ended

    def test_second_run_exits_75_at_once_with_one_line(self):
        m = self.monitor()
        p, _ = self.start_holder(m)
        start = time.monotonic()
        r = m.vane("run", "--all", "--now", STEPS[1][0], timeout=30)
        took = time.monotonic() - start
        self.assertExit(r, 75, "a run while another holds the lock")
        self.assertLess(took, HOLD - 1, "it should not wait without --wait")
        self.assertIsNone(p.poll(), "the first run should still be going")
        lines = self.stderr_lines(r)
        self.assertEqual(len(lines), 1, "exactly one line on stderr: %r" % r.stderr)
        self.assertTrue(lines[0].startswith("vane: "), lines[0])
        self.assertEqual(r.stdout.strip(), "")
        self.assertEqual(p.wait(timeout=60), 0)

    def test_wait_gives_up_after_its_limit_with_75(self):
        m = self.monitor()
        p, _ = self.start_holder(m)
        start = time.monotonic()
        r = m.vane("run", "--all", "--now", STEPS[1][0], "--wait", "1", timeout=30)
        took = time.monotonic() - start
        self.assertExit(r, 75)
        self.assertGreaterEqual(took, 0.8, "--wait 1 should wait about a second")
        self.assertIsNone(p.poll())
        self.assertEqual(p.wait(timeout=60), 0)

    def test_wait_waits_for_the_lock_then_succeeds(self):
        m = self.monitor()
        p, ended = self.start_holder(m)
        start = time.monotonic()
        r = m.vane("run", "--all", "--now", STEPS[1][0], "--wait", "10", timeout=60)
        done = time.monotonic()
        self.assertExit(r, 0, "a run with --wait 10")
        self.assertEqual(p.wait(timeout=60), 0)
        self.assertTrue(wait_for(lambda: "at" in ended, 5))
        self.assertLessEqual(ended["at"], done + 0.05, "the waiting run finished before the holder")
        self.assertGreaterEqual(done - start, 1.0, "it should have waited for the holder")
        # the holder stored the baseline; the waiting run found nothing new
        self.assertEqual(len(m.events()), 14)
        self.assertEqual(m.flags(), [])


if __name__ == "__main__":
    unittest.main()

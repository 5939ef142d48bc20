"""Several `vane run` workers sharing one PostgreSQL database: the due
sources split between them with none fetched twice, each flag raised once
and delivered at least once, a worker killed mid-run losing nothing, and a
database restart failing the run cleanly (exit 1, the database named)
with the next run succeeding.

Runs in the PostgreSQL pass of the suite (run.py --store postgresql); the
fixture server counts every request by URL, so "fetched once" is counted
where the requests arrive."""

import os
import signal
import subprocess
import time
import unittest

from vanetest import Monitor, describe, make_site, on_postgresql, wait_for, kill_process

FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>t</title>
%s
</channel></rss>
"""
ITEM = "<item><guid>https://example.org/%s</guid><title>%s</title><link>https://example.org/%s</link></item>"

# flags every new item (the first run of a source is its baseline: no flags)
RULE = """return {
  id = "every-new-item",
  title = "Every new item",
  severity = "low",
  when = function(ev) return ev.change == "new" end,
  message = function(ev) return "new: " .. ev.item.title end,
}
"""

T1 = "2026-01-05T10:00:00Z"
T2 = "2026-01-05T12:00:00Z"   # past every source's next_due (every 1h)


def feed(*names):
    return FEED % "\n".join(ITEM % (n, n, n) for n in names)


@unittest.skipUnless(on_postgresql(), "PostgreSQL only: several workers need a shared store")
class TestWorkers(unittest.TestCase):

    def monitor(self, n, hot_every=1):
        """n sources of one small feed; every hot_every-th is served from
        /hot.xml, the rest from /feed.xml (a rule floods past its cap per
        run, so a big monitor changes only some)."""
        site = make_site(self, {"one.xml": feed("a", "b"), "two.xml": feed("a", "b", "c")})
        m = Monitor(self, rules=[], sources=[], serve_dir=site)
        self.addCleanup(m.close)
        m.server.alias("/feed.xml", "one.xml")
        m.server.alias("/hot.xml", "one.xml")
        rules = m.rules_copy({"every_new_item.lua": RULE}, name="myrules")
        for f in os.listdir(rules):
            if f != "every_new_item.lua":
                os.unlink(os.path.join(rules, f))
        m.sources = [{"id": "s%04d" % i,
                      "url": m.server.url("/hot.xml" if i % hot_every == 0 else "/feed.xml")
                      + "?s=%d" % i, "script": "rss", "every": "1h", "timeout": "20s"}
                     for i in range(n)]
        m.write_config()
        return m

    def workers(self, m, k, now, *extra):
        """k `vane run` processes started together; their results."""
        procs = [subprocess.Popen(m.argv("run", "--now", now, *extra), cwd=m.dir,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, errors="replace")
                 for _ in range(k)]
        out = []
        for p in procs:
            try:
                so, se = p.communicate(timeout=600)
            except subprocess.TimeoutExpired:
                kill_process(p)
                raise AssertionError("a worker did not finish in 600 s")
            out.append((p.returncode, so, se))
        return out

    def fetches(self, m):
        """{url query: requests} of the feed, as the server counted them."""
        counts = {}
        for target, by_status in m.server.stats()["targets"].items():
            if target.startswith(("/feed.xml?", "/hot.xml?")):
                counts[target] = sum(by_status.values())
        return counts

    def test_four_workers_fetch_each_source_once_and_flag_each_item_once(self):
        n, hot_every = 2000, 50
        m = self.monitor(n, hot_every)
        for code, so, se in self.workers(m, 4, T1):
            self.assertEqual(code, 0, "a worker failed\n%s\n%s" % (so, se))
        counts = self.fetches(m)
        self.assertEqual(len(counts), n, "every source fetched")
        twice = {k: v for k, v in counts.items() if v != 1}
        self.assertEqual(twice, {}, "sources fetched more than once by four workers")

        m.server.alias("/hot.xml", "two.xml")
        results = self.workers(m, 4, T2)
        for code, so, se in results:
            self.assertEqual(code, 0, "a worker failed\n%s\n%s" % (so, se))
        counts = self.fetches(m)
        self.assertEqual(set(counts.values()), {2}, "each source fetched once more, by one worker")
        # the work was shared: more than one worker fetched something
        second = [r for r in m.query("runs") if r["started_at"] == T2]
        self.assertEqual(len(second), 4)
        self.assertGreater(sum(1 for r in second if r["sources"] > 0), 1,
                           "the sources were split between the workers: %r" % second)
        self.assertEqual(sum(r["sources"] for r in second), n)
        hot = n // hot_every
        flags = m.flags()
        self.assertEqual(sorted(f["source"] for f in flags),
                         ["s%04d" % i for i in range(0, n, hot_every)],
                         "one flag per changed source's new item")
        # delivered at least once (here, with no failure, exactly once)
        printed = sum(so.count("new: c") for _, so, _ in results)
        self.assertEqual(printed, hot)
        self.assertEqual(m.sql("SELECT count(*) FROM outbox WHERE status <> 'sent'")[0][0], 0)

    def test_a_killed_worker_loses_nothing(self):
        n = 90   # under a rule's cap of flags per run
        m = self.monitor(n)
        m.run(T1, json_out=False)
        m.server.alias("/hot.xml", "two.xml")
        m.server.set_delay("/hot.xml", 0.3)
        victim = subprocess.Popen(m.argv("run", "--now", T2), cwd=m.dir, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertTrue(wait_for(lambda: sum(self.fetches(m).values()) >= n + 3, timeout=60),
                        "the worker began fetching")
        victim.send_signal(signal.SIGKILL)
        victim.communicate()
        m.server.set_delay("/hot.xml", 0)
        # a run beside it takes what it had not finished: the dead run's
        # connection is gone, so its leases hold nothing
        r = m.vane("run", "--now", T2)
        self.assertEqual(r.returncode, 0, describe(r))
        # and a later run finds nothing left undone
        r2 = m.vane("run", "--now", "2026-01-05T12:30:00Z")
        self.assertEqual(r2.returncode, 0, describe(r2))
        flags = m.flags()
        self.assertEqual(sorted(f["source"] for f in flags), sorted(s["id"] for s in m.sources),
                         "each source's new item flagged once")
        self.assertEqual(m.sql("SELECT count(*) FROM outbox WHERE status <> 'sent'")[0][0], 0,
                         "every flag delivered")
        runs = {x["id"]: x for x in m.query("runs")}
        self.assertIn("aborted", {x["status"] for x in runs.values()},
                      "the killed run is marked aborted: %r" % runs)

    def test_a_database_restart_fails_the_run_cleanly_and_the_next_succeeds(self):
        from vanetest import pg_cluster
        m = self.monitor(60)
        m.run(T1, json_out=False)
        m.server.alias("/hot.xml", "two.xml")
        m.server.set_delay("/hot.xml", 0.3)
        p = subprocess.Popen(m.argv("run", "--now", T2), cwd=m.dir, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertTrue(wait_for(lambda: sum(self.fetches(m).values()) >= 63, timeout=60))
        pg_cluster().restart()
        so, se = p.communicate(timeout=300)
        self.assertEqual(p.returncode, 1, "exit 1 after the restart\n%s\n%s" % (so, se))
        self.assertIn("database postgresql://", se, "the error names the database:\n" + se)
        m.server.set_delay("/hot.xml", 0)
        r = m.vane("run", "--now", "2026-01-05T12:30:00Z")
        self.assertEqual(r.returncode, 0, describe(r))
        self.assertEqual(len(m.flags()), 60, "every source's new item flagged once in the end")


if __name__ == "__main__":
    unittest.main()

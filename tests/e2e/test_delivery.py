"""Delivery guarantees with a real webhook receiver on 127.0.0.1: a channel
down for two runs gets every flag exactly once and in order when it comes
back; a run killed with SIGKILL while a channel holds a delivery loses
nothing (at least once: the one in flight may come twice, with the same flag
id); a digest carries every flag of its run in one message; an email digest
groups its flags."""

import json
import os
import signal
import sys
import time

from vanetest import TOP, VaneCase, describe, kill_process, wait_for

sys.path.insert(0, os.path.join(TOP, "tests"))
from receivers import SmtpReceiver, WebhookReceiver  # noqa: E402

LATER = ["2024-12-0%dT00:00:00Z" % d for d in range(4, 10)]


class Delivery(VaneCase):

    def hook(self, mode="accept"):
        h = WebhookReceiver()
        h.start()
        self.addCleanup(h.stop)
        h.set_mode(mode)
        return h

    def accepted_ids(self, hook):
        return [json.loads(q.body)["id"] for q in hook.accepted()]

    def test_down_for_two_runs_then_every_flag_once_and_in_order(self):
        hook = self.hook("fail")
        m = self.monitor(channels=[{"id": "ops", "kind": "webhook", "url": hook.url(),
                                    "retry_after": "1m"}])
        m.step(1)
        m.step(2, expect=1)
        m.step(3, expect=1)
        self.assertEqual(hook.accepted(), [])
        # while down, only the oldest flag is tried: the rest wait behind it
        self.assertEqual({json.loads(q.body)["id"] for q in hook.requests()},
                         {min(f["id"] for f in m.flags())})
        hook.set_mode("accept")
        m.step(4)
        want = [f["id"] for f in m.flags()]
        self.assertEqual(self.accepted_ids(hook), want)       # once each, in flag order
        m.run(LATER[0])
        self.assertEqual(self.accepted_ids(hook), want, "a second delivery")
        self.assertEqual(m.query("outbox"), [])

    def test_a_run_killed_during_delivery_loses_nothing(self):
        hook = self.hook("hang")
        m = self.monitor(channels=[{"id": "ops", "kind": "webhook", "url": hook.url(),
                                    "timeout": "60s"}])
        m.step(1)
        m.serve("t2.xml")
        p = m.popen("run", "--all", "--now", "2024-11-22T23:00:00Z")
        self.assertTrue(hook.wait_for(1, timeout=30), "no delivery started")
        kill_process(p)
        self.assertEqual(p.returncode, -signal.SIGKILL)
        flags = m.flags()
        self.assertEqual(len(flags), 2, "the flags were stored before delivery")
        hook.set_mode("accept")
        hook.release()
        r = m.vane("deliver", "--now", LATER[0])
        self.assertEqual(r.returncode, 0, describe(r))
        got = self.accepted_ids(hook)
        want = [f["id"] for f in flags]
        self.assertEqual(sorted(set(got)), sorted(want), "every flag delivered")
        self.assertLessEqual(len(got), len(want) + 1, "at most the one in flight twice")
        self.assertEqual(m.query("outbox"), [])

    def test_a_digest_has_every_flag_of_its_run_in_one_message(self):
        hook = self.hook()
        m = self.monitor(channels=[{"id": "digest", "kind": "webhook", "url": hook.url(),
                                    "digest": True}])
        m.step(1)
        counts = []
        for n in (2, 3, 4):
            before = hook.count()
            r = m.step(n)
            self.assertEqual(hook.count() - before, 1, "one message for step %d" % n)
            body = hook.json_bodies()[-1]
            self.assertEqual(body["digest"], True)
            self.assertEqual(body["count"], len(r.flags))
            self.assertEqual([f["id"] for f in body["flags"]], [f["id"] for f in r.flags])
            counts.append(body["count"])
        self.assertEqual(counts, [2, 3, 4])

    def test_an_email_digest_groups_flags_by_severity(self):
        smtp = SmtpReceiver()
        smtp.start()
        self.addCleanup(smtp.stop)
        m = self.monitor(channels=[{"id": "desk", "kind": "email", "smtp": smtp.url(),
                                    "starttls": False, "from": "vane@example.org",
                                    "to": ["desk@example.org"], "digest": True}])
        m.step(1)
        m.step(3)                                # t1 → t3: level, indicators, a new advisory
        self.assertEqual(smtp.count(), 1)
        msg = smtp.messages()[0].message
        self.assertRegex(str(msg["Subject"]), r"\d+ new flags")
        text = msg.get_body(preferencelist=("plain",)).get_content()
        html = msg.get_body(preferencelist=("html",)).get_content()
        for f in m.flags():
            self.assertIn(f["message"].split(":")[0], text)
        self.assertLess(text.index("high"), text.index("medium"), text)
        self.assertIn("<h2", html)

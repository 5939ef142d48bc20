"""Channels end to end: the real vane delivering step 2's two flags
(Madagascar's level, Equatorial Guinea's "O") to a webhook (JSON, signed;
Slack format, the slack kind's Block Kit), an SMTP server, a command and a
file, with the receivers of tests/receivers.py on 127.0.0.1; and a webhook
that fails or hangs, whose flags arrive exactly once when it is back.

Only what the transports promise is checked here: what arrives and how it
looks, the exit status and the error naming the channel. When and how often
the outbox retries, and digests, belong to the outbox's tests."""

import email.utils
import json
import os
import re
import time
import unittest

from vanetest import LEVEL_RULE, LuaExpr, STEPS, VaneCase, describe

from receivers import SmtpReceiver, WebhookReceiver, verify_signature

SECRET = "correct horse battery staple"
SMTP_PASSWORD = "s3cret-smtp-password"
COUNTRIES = ("Madagascar", "Equatorial Guinea")
# Step 2's changed-level flag: Madagascar went from level 2 to 3.
MADAGASCAR_TITLE = "Madagascar - Level 3: Reconsider Travel"
MADAGASCAR_LINK = ("https://travel.state.gov/content/travel/en/traveladvisories/"
                   "traveladvisories/madagascar-travel-advisory.html")


class Channels(VaneCase):

    def monitor_with(self, *channels, env=None):
        base = {"VANE_TEST_SECRET": SECRET}
        base.update(env or {})
        return self.monitor(channels=list(channels), env=base)

    def two_flags(self, m, expect=0):
        """Run steps 1 and 2; returns step 2's result (its two flags)."""
        m.step(1)
        r = m.step(2, expect=expect)
        self.assertEqual(len(r.flags), 2, describe(r))
        return r

    def assertCarriesContext(self, flags, what):
        """The changed-level flag among flags (JSON objects as a channel got
        them) carries its item's title and link, the rule's title and what
        changed (README, "What a flag carries")."""
        level = [f for f in flags if f.get("rule") == LEVEL_RULE]
        self.assertEqual(len(level), 1, "%s: %s" % (what, flags))
        f = level[0]
        self.assertEqual(f.get("title"), MADAGASCAR_TITLE, what)
        self.assertEqual(f.get("link"), MADAGASCAR_LINK, what)
        self.assertEqual(f.get("rule_title"), "Travel advisory level changed", what)
        self.assertIsInstance(f.get("source_name"), str, what)
        changes = {c["field"]: c for c in f.get("changes") or []}
        self.assertIn("level", changes, "%s: %s" % (what, f.get("changes")))
        self.assertEqual((str(changes["level"].get("old")), str(changes["level"].get("new"))),
                         ("2", "3"), what)

    def assertNoSecrets(self, r):
        for s in (SECRET, SMTP_PASSWORD):
            self.assertNotIn(s, r.stdout + r.stderr)

    # ---- webhook ----------------------------------------------------------------
    def test_webhook_posts_each_flag_as_signed_json(self):
        hook = WebhookReceiver()
        hook.start()
        self.addCleanup(hook.stop)
        m = self.monitor_with({"id": "hook", "kind": "webhook", "url": hook.url("/vane"),
                               "secret": LuaExpr('env "VANE_TEST_SECRET"'),
                               "headers": {"X-Team": "china-desk"}, "timeout": "10s"})
        r = self.two_flags(m)
        self.assertNoSecrets(r)
        reqs = hook.requests()
        self.assertEqual(len(reqs), 2, describe(r))
        self.assertEqual([json.loads(q.body)["id"] for q in reqs], [f["id"] for f in r.flags])
        for q, f in zip(reqs, r.flags):
            self.assertEqual((q.method, q.path), ("POST", "/vane"))
            body = json.loads(q.body)
            self.assertEqual(body, f, "the body is the flag object as vane flags --json has it")
            self.assertEqual(q.headers["Content-Type"], "application/json")
            self.assertTrue(q.headers["User-Agent"].startswith("vane/"))
            self.assertEqual(q.headers["X-Vane-Flag-Ids"], str(f["id"]))
            self.assertEqual(q.headers["X-Team"], "china-desk")
            self.assertTrue(verify_signature(SECRET, q.body, q.headers["X-Vane-Signature"]),
                            q.headers["X-Vane-Signature"])
            self.assertFalse(verify_signature("another secret", q.body,
                                              q.headers["X-Vane-Signature"]))
        self.assertEqual(sorted(any(c in json.loads(q.body)["message"] for c in COUNTRIES)
                                for q in reqs), [True, True])
        self.assertCarriesContext([json.loads(q.body) for q in reqs], "webhook body")

    def test_slack_format_posts_the_slack_kinds_block_kit(self):
        hook = WebhookReceiver()
        hook.start()
        self.addCleanup(hook.stop)
        m = self.monitor_with({"id": "slack", "kind": "webhook", "url": hook.url("/services/T0/B0/x"),
                               "format": "slack"})
        r = self.two_flags(m)
        bodies = hook.json_bodies()
        self.assertEqual(len(bodies), 2)
        for body, f in zip(bodies, r.flags):   # the body itself: test_chat_channels.py
            self.assertEqual(sorted(body), ["blocks", "text"])
            self.assertEqual(body["text"], "[%s] %s" % (f["severity"], f["message"]))
            self.assertEqual(body["blocks"][0]["text"]["text"].split("\n")[0],
                             "*[%s]* %s" % (f["severity"], f["message"]))
        for q in hook.requests():
            self.assertNotIn("X-Vane-Signature", q.headers)   # no secret, no signature

    def test_a_failing_webhook_fails_the_run_and_gets_its_flags_once_later(self):
        hook = WebhookReceiver()
        hook.start()
        self.addCleanup(hook.stop)
        hook.set_mode("fail", status=500)
        m = self.monitor_with({"id": "ops-hook", "kind": "webhook", "url": hook.url(),
                               "secret": LuaExpr('env "VANE_TEST_SECRET"')})
        r = self.two_flags(m, expect=1)
        self.assertIn("channel ops-hook", r.stderr)
        self.assertIn("500", r.stderr)
        self.assertIn("receiver refuses", r.stderr)       # the start of the answer
        self.assertNoSecrets(r)
        self.assertTrue(hook.requests())
        self.assertEqual(hook.accepted(), [])

        hook.set_mode("accept")
        r3 = m.step(3)                                    # days later: due again
        m.run("2024-11-29T00:00:00Z")                     # and one more run
        want = sorted(f["id"] for f in m.flags())
        got = [json.loads(q.body)["id"] for q in hook.accepted()]
        self.assertEqual(sorted(got), want, "every flag once: %s" % got)
        self.assertEqual(len(want), 2 + len(r3.flags))

    def test_a_webhook_that_hangs_is_given_up_after_the_timeout(self):
        hook = WebhookReceiver()
        hook.start()
        self.addCleanup(hook.stop)
        hook.set_mode("hang")
        m = self.monitor_with({"id": "slow-hook", "kind": "webhook", "url": hook.url(),
                               "timeout": "1s"})
        m.step(1)
        start = time.monotonic()
        r = m.step(2, expect=1)
        self.assertLess(time.monotonic() - start, 15, "the hung webhook held the run")
        self.assertIn("channel slow-hook", r.stderr)
        self.assertRegex(r.stderr, r"(?i)timed? ?out")
        hook.release()

    # ---- email --------------------------------------------------------------------
    def email_channel(self, smtp, **extra):
        ch = {"id": "desk", "kind": "email", "smtp": smtp.url(), "starttls": False,
              "from": "vane <vane@example.org>",
              "to": ["desk@example.org", "Analyst <analyst@example.org>"]}
        ch.update(extra)
        return ch

    def test_email_sends_one_message_per_flag(self):
        smtp = SmtpReceiver()
        smtp.start()
        self.addCleanup(smtp.stop)
        m = self.monitor_with(self.email_channel(smtp))
        r = self.two_flags(m)
        mails = smtp.accepted()
        self.assertEqual(len(mails), 2, describe(r))
        sent_at = email.utils.parsedate_to_datetime
        for mail, f in zip(mails, r.flags):
            self.assertEqual(mail.mail_from, "vane@example.org")
            self.assertEqual(mail.rcpt_tos, ["desk@example.org", "analyst@example.org"])
            msg = mail.message
            self.assertEqual(sent_at(msg["Date"]).isoformat().replace("+00:00", "Z"), STEPS[2][0])
            self.assertRegex(msg["Message-ID"], r"^<vane\.%d\.\d+@example\.org>$" % f["id"])
            self.assertEqual(msg["From"], "vane <vane@example.org>")
            self.assertIn("analyst@example.org", msg["To"])
            self.assertEqual(msg["X-Vane-Flag-Ids"], str(f["id"]))
            subject = str(msg["Subject"])
            self.assertTrue(subject.startswith("[vane] [%s] " % f["severity"]), subject)
            self.assertTrue(any(c in subject for c in COUNTRIES), subject)
            self.assertEqual(msg.get_content_type(), "multipart/alternative")
            text = msg.get_body(("plain",)).get_content()
            html = msg.get_body(("html",)).get_content()
            self.assertIn(f["message"], text)
            self.assertIn(f["message"].replace("&", "&amp;"), html)
            for line in mail.raw.split(b"\r\n"):
                self.assertLess(len(line), 998)
            self.assertIn("flag %d" % f["id"], text)
            text = text.replace("\r\n", "\n")
            if f["rule"] == LEVEL_RULE:   # its context (README, "Email")
                self.assertIn("\n%s\n%s\n" % (MADAGASCAR_TITLE, MADAGASCAR_LINK), text)
                self.assertIn("rule: Travel advisory level changed (%s)\n" % LEVEL_RULE, text)
                self.assertRegex(text, r"\n  level: 2 → 3\n")
                self.assertIn('<a href="%s">%s</a>' % (MADAGASCAR_LINK, MADAGASCAR_TITLE), html)
                self.assertRegex(html, r"<tr><td>level</td><td>2</td><td>3</td></tr>")
        self.assertEqual(sum(f["rule"] == LEVEL_RULE for f in r.flags), 1, describe(r))

    def test_email_subject_in_chinese_is_encoded(self):
        smtp = SmtpReceiver()
        smtp.start()
        self.addCleanup(smtp.stop)
        m = self.monitor_with(self.email_channel(smtp, subject_prefix="[监测]"))
        r = self.two_flags(m)
        for mail in smtp.accepted():
            raw_subject = re.search(rb"^Subject: (.*(?:\r\n .*)*)", mail.raw, re.M).group(1)
            self.assertTrue(raw_subject.startswith(b"=?UTF-8?B?"), raw_subject)
            self.assertTrue(str(mail.message["Subject"]).startswith("[监测] ["))
        self.assertEqual(len(smtp.accepted()), len(r.flags))

    def test_email_logs_in_with_credentials_from_the_environment(self):
        smtp = SmtpReceiver(credentials=("vane-bot", SMTP_PASSWORD))
        smtp.start()
        self.addCleanup(smtp.stop)
        m = self.monitor_with(self.email_channel(smtp, user=LuaExpr('env "VANE_TEST_SMTP_USER"'),
                                                 password=LuaExpr('env "VANE_TEST_SMTP_PASSWORD"')),
                              env={"VANE_TEST_SMTP_USER": "vane-bot",
                                   "VANE_TEST_SMTP_PASSWORD": SMTP_PASSWORD})
        r = self.two_flags(m)
        self.assertNoSecrets(r)
        self.assertEqual([mail.login for mail in smtp.accepted()], ["vane-bot", "vane-bot"])

    def test_a_refusing_smtp_server_fails_the_run(self):
        smtp = SmtpReceiver()
        smtp.start()
        self.addCleanup(smtp.stop)
        smtp.set_mode("reject", code=451)
        m = self.monitor_with(self.email_channel(smtp))
        r = self.two_flags(m, expect=1)
        self.assertIn("channel desk", r.stderr)
        self.assertIn("451", r.stderr)
        self.assertEqual(smtp.accepted(), [])

    # ---- exec and file ----------------------------------------------------------------
    def test_exec_gets_each_flag_on_stdin(self):
        out = os.path.join(self.monitor_dir(), "exec-out.jsonl")
        m = self.monitor_with({"id": "notify", "kind": "exec",
                               "command": ["/bin/sh", "-c", 'cat >> "$1"', "sh", out]})
        r = self.two_flags(m)
        with open(out, encoding="utf-8") as f:
            got = [json.loads(line) for line in f]
        self.assertEqual(got, r.flags)
        self.assertCarriesContext(got, "exec stdin")

    def test_exec_failure_names_the_channel_and_status(self):
        m = self.monitor_with({"id": "pager", "kind": "exec",
                               "command": ["/bin/sh", "-c", "echo 'pager is down' >&2; exit 3"]})
        r = self.two_flags(m, expect=1)
        self.assertIn("channel pager", r.stderr)
        self.assertIn("status 3", r.stderr)
        self.assertIn("pager is down", r.stderr)

    def test_file_gets_each_flag_on_a_line(self):
        out = os.path.join(self.monitor_dir(), "flags.jsonl")
        m = self.monitor_with({"id": "archive", "kind": "file", "path": out})
        r = self.two_flags(m)
        with open(out, encoding="utf-8") as f:
            text = f.read()
        self.assertTrue(text.endswith("\n"))
        self.assertEqual([json.loads(line) for line in text.splitlines()], r.flags)
        self.assertCarriesContext([json.loads(line) for line in text.splitlines()], "file line")

    def monitor_dir(self):
        import tempfile
        import shutil
        d = tempfile.mkdtemp(prefix="vane-out-")
        self.addCleanup(shutil.rmtree, d, True)
        return d


if __name__ == "__main__":
    unittest.main()

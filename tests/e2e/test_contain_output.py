"""What leaves vane is safe (issue 12, item 7): every string sent or
written is valid UTF-8, text printed for people escapes control characters
and keeps each flag on one line, the run lock is taken on the database's
real path, and a run that died is shown as aborted by the next one.

Each case runs beside a canary: a healthy source whose item "Release of
three detained citizens" the shipped prisoner-release rule flags, so the
test also proves the run went on and stored and delivered its flags."""

import email
import email.policy
import json
import os
import subprocess
import unittest

from vanetest import (VaneCase, on_postgresql, describe, kill_process, make_site, parse_json_lines, wait_for,
                      sqlite_only, write_files)

from receivers import SmtpReceiver, WebhookReceiver

NOW1 = "2024-11-20T23:00:00Z"   # the baseline
NOW2 = "2024-11-21T23:00:00Z"   # the news
NOW3 = "2024-11-22T23:00:00Z"

JSON_SCRIPT = """-- items straight from a JSON document { "items": [ ... ] }
return function(doc)
  local d, err = vane.json.decode(doc.body)
  if not d then error(err) end
  return d.items
end
"""

CANARY_TITLE = "Release of three detained citizens"
HOSTILE_TITLE = "Talks resume\x1b]0;pwned\x07\x1b[2J\nsecond line"

# A careless rule: its message carries bytes that are not UTF-8 ("\xff",
# "\xfe", a cut "\xe4\xb8") beside the item's title with its escapes.
BAD_BYTES_RULE = r"""return {
  id = "bad-bytes",
  severity = "low",
  when = function(ev) return ev.change == "new" and ev.item.title:find("Talks", 1, true) ~= nil end,
  message = function(ev) return "bad \xff\xfe bytes \xe4\xb8: " .. ev.item.title end,
}
"""


def item(key, title):
    return {"key": key, "title": title, "link": "https://example.org/" + key}


BASE = [item("w", "Weather service issues its weekly outlook")]


def write_news(m, items):
    write_files(m.site, {"news.json": json.dumps({"items": items})})


def vane_raw(m, *args, db=None):
    """vane's stdout as bytes (what a terminal would be sent), exit status checked."""
    p = subprocess.run(m.argv(*args, db=db), cwd=m.dir, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=120)
    m.case.assertEqual(p.returncode, 0, "vane %s: %r" % (" ".join(args), p.stderr))
    return p.stdout


class ContainOutput(VaneCase):

    def news_monitor(self, channels=(), extra_rules=None):
        """A monitor of one JSON news source, baselined by a first run."""
        site = make_site(self, {"news.json": json.dumps({"items": BASE})})
        m = self.monitor(serve_dir=site, channels=list(channels))
        m.site = site
        m.add_script("news_json", JSON_SCRIPT)
        m.sources = [{"id": "news", "url": m.server.url("/news.json"), "script": "news_json",
                      "every": "1h", "timeout": "20s"}]
        m.rules_copy(extra_rules or {})
        self.assertEqual(m.run(NOW1).flags, [])
        return m

    def canary_flag(self, flags):
        hits = [f for f in flags if f["rule"] == "prisoner-release" and CANARY_TITLE in f["message"]]
        self.assertEqual(len(hits), 1, "the canary flag: %r" % (flags,))
        return hits[0]

    def assertValidUtf8(self, data, what):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as e:
            self.fail("%s is not valid UTF-8 (%s): %r" % (what, e, data[:200]))

    # ---- 1. every string that leaves vane is valid UTF-8 -------------------------
    def test_invalid_bytes_in_a_message_reach_file_exec_webhook_and_email_as_valid_utf8(self):
        hook = WebhookReceiver()
        hook.start()
        self.addCleanup(hook.stop)
        smtp = SmtpReceiver()
        smtp.start()
        self.addCleanup(smtp.stop)
        site_out = make_site(self, {})
        out = os.path.join(site_out, "flags.jsonl")
        exec_out = os.path.join(site_out, "exec.jsonl")
        m = self.news_monitor(
            channels=[{"id": "archive", "kind": "file", "path": out},
                      {"id": "notify", "kind": "exec",
                       "command": ["/bin/sh", "-c", 'cat >> "$1"', "sh", exec_out]},
                      {"id": "hook", "kind": "webhook", "url": hook.url("/vane"), "timeout": "10s"},
                      {"id": "desk", "kind": "email", "smtp": smtp.url(), "starttls": False,
                       "from": "vane <vane@example.org>", "to": ["desk@example.org"]}],
            extra_rules={"bad_bytes.lua": BAD_BYTES_RULE})
        write_news(m, [item("a", CANARY_TITLE), item("b", HOSTILE_TITLE)] + BASE)
        stdout = vane_raw(m, "run", "--all", "--now", NOW2, "--json")
        run_flags = parse_json_lines(self.assertValidUtf8(stdout, "vane run --json"))
        self.assertEqual(len(run_flags), 2, run_flags)
        flags = parse_json_lines(self.assertValidUtf8(vane_raw(m, "flags", "--json"),
                                                      "vane flags --json"))
        canary = self.canary_flag(flags)
        bad = [f for f in flags if f["rule"] == "bad-bytes"]
        self.assertEqual(len(bad), 1, flags)
        want = "bad \ufffd\ufffd bytes \ufffd: " + HOSTILE_TITLE
        self.assertEqual(bad[0]["message"], want)

        # the file channel: one UTF-8 JSON object a line
        with open(out, "rb") as f:
            lines = parse_json_lines(self.assertValidUtf8(f.read(), "the file channel's file"))
        self.assertEqual(sorted(x["message"] for x in lines), sorted(f["message"] for f in flags))

        # exec: each flag on the command's standard input, UTF-8 JSON
        with open(exec_out, "rb") as f:
            lines = parse_json_lines(self.assertValidUtf8(f.read(), "the exec channel's input"))
        self.assertEqual(sorted(x["message"] for x in lines), sorted(f["message"] for f in flags))

        # the webhook: every body is UTF-8 JSON
        self.assertTrue(hook.wait_for(2))
        bodies = [json.loads(self.assertValidUtf8(q.body, "a webhook body")) for q in hook.requests()]
        self.assertEqual(sorted(b["message"] for b in bodies), sorted([want, canary["message"]]))

        # email: the whole message is ASCII (base64, RFC 2047), and the
        # subject and both parts decode as UTF-8
        self.assertTrue(smtp.wait_for(2))
        subjects = []
        for mail in smtp.messages():
            mail.raw.decode("ascii")
            msg = email.message_from_bytes(mail.raw, policy=email.policy.default)
            subjects.append(str(msg["Subject"]))
            for part in ("plain", "html"):
                body = msg.get_body((part,))
                self.assertEqual(body.get_content_charset(), "utf-8")
                text = self.assertValidUtf8(body.get_payload(decode=True), "the %s part" % part)
                self.assertNotIn("\ufffd\ufffd\ufffd", text)
        self.assertTrue(any("bad \ufffd\ufffd bytes \ufffd" in s for s in subjects), subjects)
        self.assertTrue(any(CANARY_TITLE in s for s in subjects), subjects)

    # ---- 2. text output escapes control characters -------------------------------
    def test_terminal_escapes_in_feed_text_are_printed_escaped_one_flag_a_line(self):
        m = self.news_monitor(extra_rules={"bad_bytes.lua": BAD_BYTES_RULE})
        write_news(m, [item("a", CANARY_TITLE), item("b", HOSTILE_TITLE)] + BASE)
        shown = {"run": vane_raw(m, "run", "--all", "--now", NOW2)}
        for cmd in ("flags", "events", "sources", "runs"):
            shown[cmd] = vane_raw(m, cmd)
        for cmd, data in shown.items():
            with self.subTest(output=cmd):
                self.assertNotIn(b"\x1b", data, "a raw ESC in vane %s" % cmd)
                self.assertNotIn(b"\x07", data, "a raw BEL in vane %s" % cmd)
                self.assertNotIn(b"\xff", data, "a raw invalid byte in vane %s" % cmd)
        text = {k: v.decode("utf-8") for k, v in shown.items()}
        escaped = "\\x1b]0;pwned\\x07\\x1b[2J\\nsecond line"
        run_lines = text["run"].splitlines()
        self.assertEqual(len(run_lines), 2, "one line per flag: %r" % run_lines)
        bad = [l for l in run_lines if "bad-bytes" in l]
        self.assertEqual(len(bad), 1, run_lines)
        self.assertTrue(bad[0].endswith(escaped), bad[0])
        if on_postgresql():  # it keeps only UTF-8: each ill-formed part was stored as U+FFFD
            self.assertIn("bad \ufffd\ufffd bytes \ufffd:", bad[0])
        else:
            self.assertIn("bad \\xff\\xfe bytes \\xe4\\xb8:", bad[0])
        self.assertTrue(any("prisoner-release" in l and CANARY_TITLE in l for l in run_lines))
        flag_lines = [l for l in text["flags"].splitlines() if "bad-bytes" in l]
        self.assertEqual(len(flag_lines), 1, text["flags"])
        self.assertTrue(flag_lines[0].endswith(escaped), flag_lines[0])
        event_lines = [l for l in text["events"].splitlines() if l.strip()]
        self.assertEqual(len(event_lines), 1 + 3, "a heading and one line per event: %r" % event_lines)
        # JSON keeps JSON's escaping and the exact text
        self.assertIn(HOSTILE_TITLE, [e["item"]["title"] for e in m.events()])
        self.canary_flag(m.flags())

    def test_a_source_error_with_escapes_is_shown_escaped_by_vane_run_and_vane_sources(self):
        m = self.news_monitor()
        m.add_script("noisy", 'return function(doc) error("down\\27]0;pwned\\7\\27[2J\\nnow", 0) end\n')
        m.sources.append({"id": "noisy", "url": m.server.url("/news.json"), "script": "noisy",
                          "every": "1h"})
        m.write_config()
        write_news(m, [item("a", CANARY_TITLE)] + BASE)
        r = m.run(NOW2, expect=1)
        self.canary_flag(r.flags)
        # the run's own error line, and under -v the traceback's lines
        # (without -v an error is its first line)
        self.assertNotIn("\x1b", r.stderr)
        self.assertIn("vane: source noisy: down\\x1b]0;pwned\\x07\\x1b[2J\n", r.stderr)
        v = m.vane("run", "--all", "--now", NOW3, "-v")
        self.assertExit(v, 1)
        self.assertNotIn("\x1b", v.stderr)
        self.assertIn("vane: source noisy: down\\x1b]0;pwned\\x07\\x1b[2J\nnow\n", v.stderr)
        self.assertRegex(v.stderr, r"\n\tscripts/noisy.lua:1: in function", "a traceback stays lines")
        data = vane_raw(m, "sources")
        self.assertNotIn(b"\x1b", data)
        lines = [l for l in data.decode("utf-8").splitlines() if l.startswith("noisy")]
        self.assertEqual(len(lines), 1, data)
        self.assertIn("down\\x1b]0;pwned\\x07\\x1b[2J\\nnow", lines[0])

    # ---- 3. the lock is taken on the database's real path ------------------------
    def hold_run(self, m, db=None):
        """Start a run that the server keeps waiting; return it once it holds the lock."""
        m.server.set_delay("/news.json", 5.0)
        before = m.server.arrived("/news.json")
        p = m.popen("run", "--all", "--now", NOW2, "--json", db=db)
        self.addCleanup(kill_process, p)
        self.assertTrue(wait_for(lambda: m.server.arrived("/news.json") > before, timeout=20),
                        "the first run never reached the server")
        m.server.set_delay("/news.json", 0)
        return p

    @sqlite_only("a database file reached through a symlink shares the real file's lock file")
    def test_a_run_through_a_symlinked_database_meets_the_same_lock(self):
        m = self.news_monitor()
        write_news(m, [item("a", CANARY_TITLE)] + BASE)
        link = os.path.join(m.dir, "link.db")
        os.symlink(m.db, link)
        p = self.hold_run(m)
        r = m.vane("run", "--all", "--now", NOW2, "--json", db=link)
        self.assertExit(r, 75, "a run through a symlink while the real path is locked")
        self.assertIn("another run holds the lock", r.stderr)
        self.assertEqual(r.stdout.strip(), "", "the second run delivered nothing")
        out, _ = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0)
        self.canary_flag(parse_json_lines(out))
        self.canary_flag(m.flags())   # flagged once

    @sqlite_only("a symlink to a database file not created yet, and the lock file beside the real one")
    def test_a_first_run_through_a_link_to_a_database_not_created_yet_meets_the_same_lock(self):
        m = self.news_monitor()
        real = os.path.join(m.dir, "data", "v.db")
        os.mkdir(os.path.dirname(real))
        link = os.path.join(m.dir, "link.db")
        os.symlink(os.path.join("data", "v.db"), link)     # dangling until the first run
        write_news(m, [item("a", CANARY_TITLE)] + BASE)
        p = self.hold_run(m, db=real)
        r = m.vane("run", "--all", "--now", NOW2, db=link)
        self.assertExit(r, 75, "a first run through a link to the database being created")
        self.assertIn("another run holds the lock", r.stderr)
        out, _ = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(parse_json_lines(out), [], "the baseline of the new database")
        self.assertEqual(os.listdir(m.dir).count("link.db.lock"), 0,
                         "the lock file sits beside the real database")

    # ---- 4. a run that died is shown as aborted -----------------------------------
    def test_a_killed_run_is_shown_aborted_by_the_next_run(self):
        m = self.news_monitor()                          # run 1: the baseline
        write_news(m, [item("a", CANARY_TITLE)] + BASE)
        m.server.set_delay("/news.json", 30.0)
        p = m.popen("run", "--all", "--now", NOW2)      # run 2: stalls on the source
        self.addCleanup(kill_process, p)
        self.assertTrue(wait_for(lambda: m.server.arrived("/news.json") >= 2, timeout=20))
        kill_process(p)
        self.assertEqual([x["status"] for x in m.query("runs")], ["ok", "running"],
                         "before the next run, nothing marks the dead run")
        m.server.set_delay("/news.json", 0)
        r = m.run(NOW3)                                  # run 3
        self.canary_flag(r.flags)
        runs = {x["id"]: x for x in m.query("runs")}
        ids = sorted(runs)
        self.assertEqual([runs[i]["status"] for i in ids], ["ok", "aborted", "ok"], describe(r))
        dead = runs[ids[1]]
        self.assertIsNone(dead["finished_at"], "the end of a dead run is unknown")
        self.assertIsNone(dead["exit_code"])
        table = m.vane("runs")
        self.assertExit(table, 0)
        self.assertRegex(table.stdout, r"(?m)^%d\s+\S+\s+aborted\s" % dead["id"])


if __name__ == "__main__":
    unittest.main()

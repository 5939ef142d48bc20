"""The push kinds end to end: the real vane delivering step 2's two flags
(Madagascar's level, Equatorial Guinea's "O") to telegram, matrix, ntfy and
pushover, each pointed at a WebhookReceiver on 127.0.0.1 standing in for
the service, and each request checked against the service's documented
API: method, exact path, headers and body. Also: a digest split within the
service's limit (every flag of step 1 under a rule that flags every
event), a Matrix delivery retried after a 500 with the same transaction
id, and the secrets (bot token, access token, application token and user
key) never in vane's output or errors.

The flags' context (title, link, changes) is filled in by the lead's part
of issue 15; until that is merged the assertions on it fail here, on
purpose."""

import email.header
import json
import re
import unittest
import urllib.parse

from vanetest import LuaExpr, VaneCase, describe, make_site, write_files

from receivers import WebhookReceiver

BOT_TOKEN = "123456789:AAH-s3cr3t_b0t-T0KEN"
MATRIX_TOKEN = "syt_c2VjcmV0_matrix-T0KEN"
NTFY_TOKEN = "tk_ntfys3cr3ttoken0000000000"
PUSHOVER_TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
PUSHOVER_USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
SECRETS = (BOT_TOKEN, MATRIX_TOKEN, NTFY_TOKEN, PUSHOVER_TOKEN, PUSHOVER_USER)
ENV = {"VANE_TG_TOKEN": BOT_TOKEN, "VANE_MX_TOKEN": MATRIX_TOKEN,
       "VANE_NTFY_TOKEN": NTFY_TOKEN, "VANE_PO_TOKEN": PUSHOVER_TOKEN,
       "VANE_PO_USER": PUSHOVER_USER}
ROOM = "!vaneRoom:example.org"
COUNTRIES = ("Madagascar", "Equatorial Guinea")
SEVERITY_PRIORITY_NTFY = {"critical": "5", "high": "4", "medium": "3", "low": "2", "info": "1"}
SEVERITY_PRIORITY_PUSHOVER = {"critical": 1, "high": 1, "medium": 0, "low": -1, "info": -2}


DIGEST_FLAGS = 90
# Every event flagged, its message ending in 40 characters that all need escaping.
EVERY_ENTRY_RULE = """
return {
  id = "every-entry",
  title = "Every entry",
  severity = "low",
  when = function(ev) return true end,
  message = function(ev) return ev.change .. " " .. ev.key .. " " .. string.rep('<&>"', 10) end,
}
"""
# Titles that need escaping in every target, and characters past U+FFFF.
ENTRY_TITLE = 'Entry %d <b>&"quoted"</b> \u2014 \u76e3\u6e2c \U0001F6A8'


def list_page(n):
    """A list page of n dated links (scripts/html_links.lua reads it)."""
    lis = "".join('<li><a href="/p/%d.html">%s</a><span>2026-01-%02d</span></li>\n'
                  % (i, ENTRY_TITLE.replace("&", "&amp;").replace("<", "&lt;") % i, i % 28 + 1)
                  for i in range(n))
    return '<html><body><ul class="list1">\n%s</ul></body></html>\n' % lis


def html_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def visible_length(html):
    """Telegram's count: UTF-16 units of the text outside tags, an entity one."""
    text = re.sub(r"<[^>]*>", "", html)
    text = re.sub(r"&[a-z]+;", "x", text)
    return len(text.encode("utf-16-le")) // 2


class PushCase(VaneCase):

    def receiver(self):
        r = WebhookReceiver()
        r.start()
        self.addCleanup(r.stop)
        return r

    def monitor_with(self, *channels):
        return self.monitor(channels=list(channels), env=dict(ENV))

    def two_flags(self, m, expect=0):
        m.step(1)
        r = m.step(2, expect=expect)
        self.assertEqual(len(r.flags), 2, describe(r))
        return r

    def assertNoSecrets(self, r, where="vane's output"):
        for s in SECRETS:
            self.assertNotIn(s, r.stdout + r.stderr, "a secret leaked into %s" % where)

    def assertNoSecretsAnywhere(self, m):
        """Not in `vane check`, the listings, nor the database and its WAL."""
        for args in (("check",), ("outbox", "--json"), ("flags", "--json"), ("runs", "--json")):
            out = m.vane(*args)
            self.assertEqual(out.returncode, 0, describe(out))
            self.assertNoSecrets(out, "vane " + " ".join(args))
        for what, data in m.stored_data():
            for s in SECRETS:
                self.assertNotIn(s.encode(), data, "a secret is in %s" % what)

    def assertContext(self, f):
        """The flag carries its item's title and link (the lead's part)."""
        self.assertTrue(f.get("title"), "flag %s has no title (context not merged yet?)" % f["id"])
        self.assertTrue(f.get("link"), "flag %s has no link (context not merged yet?)" % f["id"])

    def all_flags_digest(self, channel, n=DIGEST_FLAGS):
        """A monitor of a list page that gains n entries on its second run,
        each flagged by a rule that flags every event, sent as one digest.
        Returns the monitor and the second run's result."""
        site = make_site(self, {"list.html": list_page(1)})
        m = self.monitor(serve_dir=site, sources=[], channels=[dict(channel, digest=True)],
                         env=dict(ENV))
        m.rules_copy({"every_entry.lua": EVERY_ENTRY_RULE})
        m.sources = [{"id": "press", "url": m.server.url("/list.html"), "script": "html_links",
                      "every": "1h"}]
        m.write_config()
        m.run("2026-02-01T08:00:00Z")
        write_files(site, {"list.html": list_page(n + 1)})
        r = m.run("2026-02-02T08:00:00Z")
        self.assertNoSecrets(r)
        self.assertEqual(len(r.flags), n, describe(r))
        return m, r


class TestTelegram(PushCase):
    def channel(self, hook, **extra):
        ch = {"id": "tg", "kind": "telegram", "token": LuaExpr('env "VANE_TG_TOKEN"'),
              "chat_id": -1001234567890, "api": hook.url("")}
        ch.update(extra)
        return ch

    def test_each_flag_is_a_send_message_in_html(self):
        hook = self.receiver()
        m = self.monitor_with(self.channel(hook))
        r = self.two_flags(m)
        self.assertNoSecrets(r)
        reqs = hook.requests()
        self.assertEqual(len(reqs), 2, describe(r))
        for q, f in zip(reqs, r.flags):
            self.assertEqual((q.method, q.path), ("POST", "/bot%s/sendMessage" % BOT_TOKEN))
            self.assertEqual(q.headers["Content-Type"], "application/json")
            self.assertTrue(q.headers["User-Agent"].startswith("vane/"))
            body = json.loads(q.body)
            self.assertEqual(sorted(body), ["chat_id", "link_preview_options", "parse_mode", "text"])
            self.assertEqual(body["chat_id"], -1001234567890)
            self.assertEqual(body["parse_mode"], "HTML")
            self.assertEqual(body["link_preview_options"], {"is_disabled": True})
            text = body["text"]
            self.assertTrue(text.startswith("<b>[%s]</b> %s" % (f["severity"],
                                                                html_escape(f["message"]))), text)
            self.assertLessEqual(visible_length(text), 4096)
        for q, f in zip(reqs, r.flags):
            text = json.loads(q.body)["text"]
            self.assertContext(f)
            self.assertIn('<a href="%s">%s</a>' % (html_escape(f["link"]), html_escape(f["title"])),
                          text)
            if f.get("changes"):
                self.assertIn("\n%s: " % f["changes"][0]["field"], text)
                self.assertIn("<s>", text)

    def test_a_chat_name_is_sent_as_a_string(self):
        hook = self.receiver()
        m = self.monitor_with(self.channel(hook, chat_id="@vane_alerts"))
        self.two_flags(m)
        self.assertEqual([json.loads(q.body)["chat_id"] for q in hook.requests()],
                         ["@vane_alerts"] * 2)

    def test_a_refusal_names_the_channel_not_the_token(self):
        hook = self.receiver()
        hook.set_answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        m = self.monitor_with(self.channel(hook))
        r = self.two_flags(m, expect=1)
        self.assertIn("channel tg: telegram answered HTTP 401", r.stderr)
        self.assertIn("Unauthorized", r.stderr)
        self.assertNoSecrets(r, "a failed run's output")
        self.assertNoSecretsAnywhere(m)

    def test_a_digest_is_split_within_4096_characters(self):
        hook = self.receiver()
        m, r = self.all_flags_digest(self.channel(hook))
        reqs = hook.requests()
        self.assertGreater(len(reqs), 1, "one message held %d flags" % len(r.flags))
        counted = 0
        for q in reqs:
            text = json.loads(q.body)["text"]
            self.assertLessEqual(visible_length(text), 4096)
            got = re.match(r"<b>vane: (\d+) new flags</b>\n\n", text)
            self.assertTrue(got, text[:200])
            counted += int(got.group(1))
            self.assertEqual(text.count("<b>[low]</b> "), int(got.group(1)))
        self.assertEqual(counted, len(r.flags))

    def test_titles_are_escaped_for_telegram_html(self):
        hook = self.receiver()
        m, r = self.all_flags_digest(self.channel(hook), n=3)
        text = json.loads(hook.requests()[0].body)["text"]
        for f in r.flags:
            self.assertContext(f)
            self.assertIn(">%s</a>" % html_escape(f["title"]), text)
        self.assertIn("&lt;b&gt;&amp;&quot;quoted&quot;&lt;/b&gt; \u2014 \u76e3\u6e2c \U0001F6A8</a>",
                      text)
        self.assertNotIn("<b>&", text)

    def test_check_reports_a_missing_token_without_secrets(self):
        hook = self.receiver()
        m = self.monitor_with(self.channel(hook, token=LuaExpr('env "VANE_TG_UNSET"')))
        out = m.vane("check")
        self.assertEqual(out.returncode, 2, describe(out))
        line = m.config_line("VANE_TG_UNSET")
        self.assertIn("vane.lua:%d:" % line, out.stderr)
        self.assertIn("channel 'tg'", out.stderr)
        self.assertIn("token", out.stderr)


class TestMatrix(PushCase):
    def channel(self, hook, **extra):
        ch = {"id": "room", "kind": "matrix", "homeserver": hook.url(""), "room": ROOM,
              "token": LuaExpr('env "VANE_MX_TOKEN"')}
        ch.update(extra)
        return ch

    def path_for(self, txn):
        return "/_matrix/client/v3/rooms/%s/send/m.room.message/%s" % (
            "%21vaneRoom%3Aexample.org", txn)

    def test_each_flag_is_a_put_with_its_own_transaction_id(self):
        hook = self.receiver()
        hook.set_answer(200, {"event_id": "$ev:example.org"})
        m = self.monitor_with(self.channel(hook))
        r = self.two_flags(m)
        self.assertNoSecrets(r)
        reqs = hook.requests()
        self.assertEqual(len(reqs), 2, describe(r))
        for q, f in zip(reqs, r.flags):
            self.assertEqual(q.method, "PUT")
            self.assertEqual(q.path, self.path_for("vane-%d" % f["id"]))
            self.assertEqual(urllib.parse.unquote(q.path.split("/")[5]), ROOM)
            self.assertEqual(q.headers["Authorization"], "Bearer " + MATRIX_TOKEN)
            self.assertEqual(q.headers["Content-Type"], "application/json")
            body = json.loads(q.body)
            self.assertEqual(sorted(body), ["body", "format", "formatted_body", "msgtype"])
            self.assertEqual(body["msgtype"], "m.text")
            self.assertEqual(body["format"], "org.matrix.custom.html")
            self.assertTrue(body["body"].startswith("[%s] %s" % (f["severity"], f["message"])))
            self.assertTrue(body["formatted_body"].startswith(
                "<b>[%s]</b> %s" % (f["severity"], html_escape(f["message"]))))
            self.assertNotIn("\n", body["formatted_body"])
        for q, f in zip(reqs, r.flags):
            body = json.loads(q.body)
            self.assertContext(f)
            self.assertIn(f["title"], body["body"])
            self.assertIn(f["link"], body["body"])
            self.assertIn('<a href="%s">' % html_escape(f["link"]), body["formatted_body"])

    def test_a_retried_delivery_reuses_the_transaction_id(self):
        hook = self.receiver()
        hook.set_answer(500, {"errcode": "M_UNKNOWN", "error": "try again"}, times=1)
        m = self.monitor_with(self.channel(hook))
        r = self.two_flags(m, expect=1)
        self.assertIn("channel room: matrix answered HTTP 500", r.stderr)
        self.assertNoSecrets(r)
        failed = [q.path for q in hook.requests() if q.status == 500]
        self.assertEqual(len(failed), 1)
        m.step(3)
        m.run("2024-11-29T00:00:00Z")
        accepted = [q.path for q in hook.accepted()]
        self.assertNoSecretsAnywhere(m)
        self.assertIn(failed[0], accepted, "the retry used another transaction id")
        self.assertEqual(len(accepted), len(set(accepted)), "a flag was accepted twice")
        want = sorted(self.path_for("vane-%d" % f["id"]) for f in m.flags())
        self.assertEqual(sorted(accepted), want)

    def test_a_digest_has_one_transaction_id_per_part(self):
        hook = self.receiver()
        m, r = self.all_flags_digest(self.channel(hook))
        reqs = hook.requests()
        self.assertEqual(len(reqs), 1, "%d flags fit in 60 KB" % len(r.flags))
        first = min(f["id"] for f in r.flags)
        self.assertEqual(reqs[0].path, self.path_for("vane-%d-%d" % (first, len(r.flags))))
        self.assertLessEqual(len(reqs[0].body), 60000)
        body = json.loads(reqs[0].body)
        self.assertTrue(body["body"].startswith("vane: %d new flags\n\n" % len(r.flags)))


class TestNtfy(PushCase):
    def channel(self, hook, **extra):
        ch = {"id": "phone", "kind": "ntfy", "server": hook.url(""), "topic": "vane_alerts-1",
              "token": LuaExpr('env "VANE_NTFY_TOKEN"')}
        ch.update(extra)
        return ch

    def test_each_flag_is_published_with_title_priority_tags_and_click(self):
        hook = self.receiver()
        m = self.monitor_with(self.channel(hook))
        r = self.two_flags(m)
        self.assertNoSecrets(r)
        reqs = hook.requests()
        self.assertEqual(len(reqs), 2, describe(r))
        for q, f in zip(reqs, r.flags):
            self.assertEqual((q.method, q.path), ("POST", "/vane_alerts-1"))
            self.assertEqual(q.headers["Content-Type"], "text/plain; charset=utf-8")
            self.assertEqual(q.headers["Authorization"], "Bearer " + NTFY_TOKEN)
            self.assertEqual(q.headers["Priority"], SEVERITY_PRIORITY_NTFY[f["severity"]])
            self.assertEqual(q.headers["Tags"], "%s,%s" % (f["severity"], f["rule"]))
            text = q.body.decode("utf-8")
            self.assertTrue(text.startswith("[%s] %s" % (f["severity"], f["message"])), text)
            self.assertLessEqual(len(q.body), 4096)
            title = q.headers["Title"]
            self.assertTrue(title.isascii(), title)
        for q, f in zip(reqs, r.flags):
            self.assertContext(f)
            decoded = str(email.header.make_header(email.header.decode_header(q.headers["Title"])))
            self.assertEqual(decoded, f["title"])
            self.assertEqual(q.headers["Click"], f["link"])

    def test_a_refusal_names_the_channel_not_the_token(self):
        hook = self.receiver()
        hook.set_answer(403, {"code": 40301, "http": 403, "error": "forbidden"})
        m = self.monitor_with(self.channel(hook))
        r = self.two_flags(m, expect=1)
        self.assertIn("channel phone: ntfy answered HTTP 403", r.stderr)
        self.assertNoSecrets(r, "a failed run's output")
        self.assertNoSecretsAnywhere(m)

    def test_without_a_token_there_is_no_authorization(self):
        hook = self.receiver()
        ch = self.channel(hook)
        del ch["token"]
        m = self.monitor_with(ch)
        self.two_flags(m)
        for q in hook.requests():
            self.assertNotIn("Authorization", q.headers)

    def test_a_digest_is_split_within_4096_bytes(self):
        hook = self.receiver()
        m, r = self.all_flags_digest(self.channel(hook))
        reqs = hook.requests()
        self.assertGreater(len(reqs), 1)
        counted = 0
        for q in reqs:
            self.assertLessEqual(len(q.body), 4096)
            self.assertEqual(q.headers["Priority"], "2")    # the rule's flags are low
            self.assertEqual(q.headers["Tags"], "low,digest")
            got = re.match(r"vane: (\d+) new flags", q.headers["Title"])
            self.assertTrue(got, q.headers["Title"])
            counted += int(got.group(1))
            self.assertEqual(q.body.decode("utf-8").count("[low] "), int(got.group(1)))
        self.assertEqual(counted, len(r.flags))


class TestPushover(PushCase):
    def channel(self, hook, **extra):
        ch = {"id": "pocket", "kind": "pushover", "api": hook.url(""),
              "token": LuaExpr('env "VANE_PO_TOKEN"'), "user": LuaExpr('env "VANE_PO_USER"')}
        ch.update(extra)
        return ch

    def test_each_flag_is_a_message_with_priority_title_and_url(self):
        hook = self.receiver()
        hook.set_answer(200, {"status": 1, "request": "647d2300-702c-4b38-8b2f-d56326ae460b"})
        m = self.monitor_with(self.channel(hook))
        r = self.two_flags(m)
        self.assertNoSecrets(r)
        reqs = hook.requests()
        self.assertEqual(len(reqs), 2, describe(r))
        for q, f in zip(reqs, r.flags):
            self.assertEqual((q.method, q.path), ("POST", "/1/messages.json"))
            self.assertEqual(q.headers["Content-Type"], "application/json")
            body = json.loads(q.body)
            self.assertEqual(body["token"], PUSHOVER_TOKEN)
            self.assertEqual(body["user"], PUSHOVER_USER)
            self.assertEqual(body["html"], 1)
            self.assertEqual(body["priority"], SEVERITY_PRIORITY_PUSHOVER[f["severity"]])
            self.assertTrue(body["message"].startswith(
                "<b>[%s]</b> %s" % (f["severity"], html_escape(f["message"]))), body["message"])
            self.assertLessEqual(len(body["message"]), 1024)
            self.assertLessEqual(len(body["title"]), 250)
        for q, f in zip(reqs, r.flags):
            body = json.loads(q.body)
            self.assertContext(f)
            self.assertEqual(body["title"], f["title"])
            self.assertEqual(body["url"], f["link"])

    def test_a_digest_is_split_within_1024_characters(self):
        hook = self.receiver()
        m, r = self.all_flags_digest(self.channel(hook))
        reqs = hook.requests()
        self.assertGreater(len(reqs), 2)
        self.assertLess(len(reqs), len(r.flags) / 2, "parts of one or two flags")
        counted = 0
        for q in reqs:
            body = json.loads(q.body)
            self.assertLessEqual(len(body["message"]), 1024)
            self.assertEqual(body["priority"], -1)
            got = re.match(r"vane: (\d+) new flags$", body["title"])
            if got:    # a part of one flag is sent as that flag alone
                self.assertNotIn("url", body)
                self.assertEqual(body["message"].count("<b>[low]</b> "), int(got.group(1)))
            counted += int(got.group(1)) if got else 1
        self.assertEqual(counted, len(r.flags))

    def test_a_refusal_does_not_show_the_keys(self):
        hook = self.receiver()
        hook.set_answer(400, {"user": "invalid", "errors": ["user identifier is invalid"],
                              "status": 0})
        m = self.monitor_with(self.channel(hook))
        r = self.two_flags(m, expect=1)
        self.assertIn("channel pocket: pushover answered HTTP 400", r.stderr)
        self.assertIn("user identifier is invalid", r.stderr)
        self.assertNoSecrets(r, "a failed run's output")
        self.assertNoSecretsAnywhere(m)


class TestChecks(PushCase):
    def test_every_bad_setting_is_named_with_its_line_and_no_secret(self):
        hook = self.receiver()
        bad = [
            {"id": "tg-bad", "kind": "telegram", "token": LuaExpr('env "VANE_TG_TOKEN" .. "/x y"'),
             "chat_id": ""},
            {"id": "mx-bad", "kind": "matrix", "homeserver": "matrix.example.org",
             "room": "#alias:example.org", "token": LuaExpr('env "VANE_MX_UNSET"')},
            {"id": "ntfy-bad", "kind": "ntfy", "server": hook.url(""), "topic": "a/b",
             "token": LuaExpr('env "VANE_NTFY_TOKEN" .. "\\n"')},
            {"id": "po-bad", "kind": "pushover", "token": LuaExpr('env "VANE_PO_TOKEN"'),
             "api": "ftp://example.org"},
        ]
        m = self.monitor_with(*bad)
        out = m.vane("check")
        self.assertEqual(out.returncode, 2, describe(out))
        self.assertNoSecrets(out, "vane check")
        want = {
            "tg-bad": ["characters a bot token never has", "needs chat_id"],
            "mx-bad": ["needs homeserver", "needs room", "needs token"],
            "ntfy-bad": ["needs topic", "line break"],
            "po-bad": ["needs user", "api must be an http"],
        }
        for ch in bad:
            line = m.config_line('id = "%s"' % ch["id"])
            for words in want[ch["id"]]:
                self.assertRegex(out.stderr, r"vane\.lua:%d: channel '%s': [^\n]*%s"
                                 % (line, ch["id"], re.escape(words)))


if __name__ == "__main__":
    unittest.main()

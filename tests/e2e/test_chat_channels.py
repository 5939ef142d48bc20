"""The chat kinds end to end (issue 15, item 2): the real vane posting to
Slack (Block Kit), Teams (an Adaptive Card for a Workflows webhook) and
Discord (webhook execute with embeds), here a WebhookReceiver of
tests/receivers.py on 127.0.0.1 whose URL, a secret, comes from the
environment (url = env "NAME").

Checked: the request as each service documents it (POST to the hook's
path, Content-Type: application/json, the body's blocks / card / embeds
field by field); the hook's token never in vane's output; a digest of many
flags split into posts each within the service's limit that together carry
every flag once; a receiver answering 500 failing the run with an error
naming the channel, its flags arriving once when it is back.

The *_carries_the_flags_context tests assert the flag's title, link and
changes arrive; they need the flag context filled in by the run (the
lead's part of issue 15), and fail until it is merged."""

import json
import re
import unittest

from vanetest import LuaExpr, VaneCase, describe, make_site, write_files

from receivers import WebhookReceiver

TOKEN = "T0VANE/B0VANE/s3cr3tHookToken"
HOOK_PATH = "/services/" + TOKEN
ENV_URL = "VANE_TEST_HOOK_URL"

SLACK_MAX_BLOCKS = 50
SLACK_SECTION_MAX = 3000
TEAMS_MAX_BYTES = 28000
DISCORD_MAX_EMBEDS = 10
DISCORD_MAX_CHARS = 6000

JSON_SCRIPT = """-- items straight from a JSON document { "items": [ ... ] }
return function(doc)
  local d, err = vane.json.decode(doc.body)
  if not d then error(err) end
  return d.items
end
"""

# Flags every new item with a long message: its key, then its title.
NEWS_RULE = """
return {
  id = "news-item",
  title = "News item",
  severity = "low",
  when = function(ev) return ev.change == "new" end,
  message = function(ev) return "new " .. ev.key .. ": " .. ev.item.title end,
}
"""

NOW1 = "2024-11-20T23:00:00Z"
NOW2 = "2024-11-21T23:00:00Z"


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def hook(case):
    h = WebhookReceiver()
    h.start()
    case.addCleanup(h.stop)
    return h


def chat_channel(kind, env_name, **extra):
    ch = {"id": "chat-" + kind, "kind": kind, "url": LuaExpr('env "%s"' % env_name),
          "timeout": "10s"}
    ch.update(extra)
    return ch


# ---- what each service's body must look like ------------------------------------------

def slack_blocks_ok(case, body):
    """A Block Kit message: text and blocks of known types, each within limits."""
    case.assertEqual(sorted(body), ["blocks", "text"])
    case.assertIsInstance(body["text"], str)
    blocks = body["blocks"]
    case.assertLessEqual(len(blocks), SLACK_MAX_BLOCKS)
    for b in blocks:
        t = b["type"]
        case.assertIn(t, ("header", "section", "context", "actions"))
        if t == "header":
            case.assertEqual(b["text"]["type"], "plain_text")
            case.assertLessEqual(utf16_len(b["text"]["text"]), 150)
        elif t == "section":
            case.assertEqual(b["text"]["type"], "mrkdwn")
            case.assertLessEqual(utf16_len(b["text"]["text"]), SLACK_SECTION_MAX)
        elif t == "context":
            case.assertTrue(1 <= len(b["elements"]) <= 10)
            for e in b["elements"]:
                case.assertEqual(e["type"], "mrkdwn")
        else:
            (button,) = b["elements"]
            case.assertEqual(button["type"], "button")
            case.assertEqual(button["text"], {"type": "plain_text", "text": "Open item"})
            case.assertRegex(button["url"], r"^https?://")
    return blocks


def teams_card(case, body):
    """The Adaptive Card inside a Workflows webhook's message."""
    case.assertEqual(body["type"], "message")
    (att,) = body["attachments"]
    case.assertEqual(att["contentType"], "application/vnd.microsoft.card.adaptive")
    case.assertIn("contentUrl", att)
    case.assertIsNone(att["contentUrl"])
    card = att["content"]
    case.assertEqual(card["$schema"], "http://adaptivecards.io/schemas/adaptive-card.json")
    case.assertEqual(card["type"], "AdaptiveCard")
    case.assertEqual(card["version"], "1.4")
    for el in card["body"]:
        case.assertIn(el["type"], ("TextBlock", "FactSet"))
        if el["type"] == "TextBlock":
            case.assertIsInstance(el["text"], str)
            case.assertIs(el["wrap"], True)
        else:
            for fact in el["facts"]:
                case.assertEqual(sorted(fact), ["title", "value"])
    for a in card.get("actions", []):
        case.assertEqual(a["type"], "Action.OpenUrl")
        case.assertEqual(a["title"], "Open item")
        case.assertRegex(a["url"], r"^https?://")
    return card


def discord_chars(embed):
    n = utf16_len(embed.get("title", "")) + utf16_len(embed.get("description", ""))
    n += sum(utf16_len(f["name"]) + utf16_len(f["value"]) for f in embed.get("fields", []))
    return n + utf16_len(embed.get("footer", {}).get("text", ""))


def discord_embeds(case, body):
    """A webhook execute body: content, no mentions parsed, embeds within limits."""
    case.assertEqual(sorted(body), ["allowed_mentions", "content", "embeds"])
    case.assertEqual(body["allowed_mentions"], {"parse": []})
    case.assertLessEqual(utf16_len(body["content"]), 2000)
    embeds = body["embeds"]
    case.assertTrue(1 <= len(embeds) <= DISCORD_MAX_EMBEDS)
    case.assertLessEqual(sum(discord_chars(e) for e in embeds), DISCORD_MAX_CHARS)
    for e in embeds:
        case.assertLessEqual(utf16_len(e["title"]), 256)
        case.assertLessEqual(utf16_len(e["description"]), 4096)
        case.assertIsInstance(e["color"], int)
        case.assertLessEqual(len(e.get("fields", [])), 25)
        for f in e.get("fields", []):
            case.assertEqual(sorted(f), ["inline", "name", "value"])
            case.assertIs(f["inline"], False)
            case.assertLessEqual(utf16_len(f["name"]), 256)
            case.assertTrue(1 <= utf16_len(f["value"]) <= 1024)
        case.assertLessEqual(utf16_len(e["footer"]["text"]), 2048)
        if "url" in e:
            case.assertRegex(e["url"], r"^https?://")
        if "timestamp" in e:
            case.assertRegex(e["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
    return embeds


def slack_unescape(s):
    return s.replace("\u200b", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def md_unescape(s):
    return re.sub(r"\\([\\*_~`|\[\]<>#])", r"\1", s)


class ChatChannels(VaneCase):

    def monitor_for(self, kind, h, **extra):
        return self.monitor(channels=[chat_channel(kind, ENV_URL, **extra)],
                            env={ENV_URL: h.url(HOOK_PATH)})

    def two_flags(self, m, expect=0):
        m.step(1)
        r = m.step(2, expect=expect)
        self.assertEqual(len(r.flags), 2, describe(r))
        return r

    def assertNoToken(self, r, m=None):
        self.assertNotIn("s3cr3tHookToken", r.stdout + r.stderr)
        if m is not None:
            c = m.vane("check")
            self.assertNotIn("s3cr3tHookToken", c.stdout + c.stderr)

    def assertRequests(self, h, n):
        reqs = h.requests()
        self.assertEqual(len(reqs), n)
        for q in reqs:
            self.assertEqual((q.method, q.path), ("POST", HOOK_PATH))
            self.assertEqual(q.headers["Content-Type"], "application/json")
            self.assertTrue(q.headers["User-Agent"].startswith("vane/"))
        return [json.loads(q.body.decode("utf-8")) for q in reqs]

    # ---- one flag per post -------------------------------------------------------------
    def test_slack_posts_block_kit(self):
        h = hook(self)
        m = self.monitor_for("slack", h)
        r = self.two_flags(m)
        self.assertNoToken(r, m)
        bodies = self.assertRequests(h, 2)
        for body, f in zip(bodies, r.flags):
            blocks = slack_blocks_ok(self, body)
            self.assertEqual(slack_unescape(body["text"]), "[%s] %s" % (f["severity"], f["message"]))
            section, context = blocks[0], blocks[1]
            self.assertEqual(section["type"], "section")
            first = slack_unescape(section["text"]["text"]).split("\n")[0]
            self.assertEqual(first, "*[%s]* %s" % (f["severity"], f["message"]))
            self.assertEqual(context["type"], "context")
            ctx = context["elements"][0]["text"]
            self.assertIn(f.get("rule_title") or f["rule"], ctx)
            self.assertIn(f.get("source_name") or f["source"], ctx)

    def test_teams_posts_an_adaptive_card(self):
        h = hook(self)
        m = self.monitor_for("teams", h)
        r = self.two_flags(m)
        self.assertNoToken(r, m)
        bodies = self.assertRequests(h, 2)
        for body, f in zip(bodies, r.flags):
            card = teams_card(self, body)
            head = card["body"][0]
            self.assertEqual(md_unescape(head["text"]), "[%s] %s" % (f["severity"], f["message"]))
            self.assertEqual(head["weight"], "bolder")
            self.assertIn(head["color"], ("attention", "warning", "good", "default"))
            self.assertLessEqual(len(json.dumps(body).encode()), TEAMS_MAX_BYTES)

    def test_discord_executes_the_webhook_with_an_embed(self):
        h = hook(self)
        m = self.monitor_for("discord", h)
        r = self.two_flags(m)
        self.assertNoToken(r, m)
        bodies = self.assertRequests(h, 2)
        for body, f in zip(bodies, r.flags):
            (embed,) = discord_embeds(self, body)
            self.assertEqual(md_unescape(embed["description"]), f["message"])
            self.assertTrue(body["content"].startswith("[%s] " % f["severity"]))
            self.assertIn(f.get("rule_title") or f["rule"], embed["footer"]["text"])
            self.assertEqual(embed["timestamp"][:10], f["created_at"][:10])

    # ---- the flag's context (needs the lead's part of issue 15) -------------------------
    def context_flags(self, kind):
        h = hook(self)
        m = self.monitor_for(kind, h)
        r = self.two_flags(m)
        for f in r.flags:
            self.assertTrue(f.get("title"), "the flag carries its item's title: %r" % f)
            self.assertRegex(f.get("link") or "", r"^https?://", "and its link: %r" % f)
            self.assertTrue(f.get("changes"), "and what changed: %r" % f)
        return r.flags, [json.loads(q.body) for q in h.requests()]

    def test_slack_carries_the_flags_context(self):
        flags, bodies = self.context_flags("slack")
        for f, body in zip(flags, bodies):
            blocks = body["blocks"]
            section = slack_unescape(blocks[0]["text"]["text"])
            self.assertIn("|%s>" % f["title"], section)
            changes = slack_unescape(blocks[2]["text"]["text"])
            for ch in f["changes"]:
                self.assertIn("*%s*: " % ch["field"], changes)
            self.assertEqual(blocks[-1]["elements"][0]["url"], f["link"])

    def test_teams_carries_the_flags_context(self):
        flags, bodies = self.context_flags("teams")
        for f, body in zip(flags, bodies):
            card = body["attachments"][0]["content"]
            self.assertIn("](%s)" % f["link"], card["body"][1]["text"])
            facts = [el for el in card["body"] if el["type"] == "FactSet"][0]["facts"]
            self.assertEqual([md_unescape(x["title"]) for x in facts],
                             [ch["field"] for ch in f["changes"]])
            self.assertEqual(card["actions"][0]["url"], f["link"])

    def test_discord_carries_the_flags_context(self):
        flags, bodies = self.context_flags("discord")
        for f, body in zip(flags, bodies):
            embed = body["embeds"][0]
            self.assertEqual(md_unescape(embed["title"]), f["title"])
            self.assertEqual(embed["url"], f["link"])
            self.assertEqual([md_unescape(x["name"]) for x in embed["fields"]],
                             [ch["field"] for ch in f["changes"]])

    # ---- digests split within the limits --------------------------------------------------
    def test_a_digest_of_many_flags_is_split_within_each_services_limit(self):
        hooks = {k: hook(self) for k in ("slack", "teams", "discord")}
        env = {}
        channels = []
        for k, h in hooks.items():
            name = "VANE_TEST_%s_URL" % k.upper()
            env[name] = h.url(HOOK_PATH)
            channels.append(chat_channel(k, name, digest=True))
        site = make_site(self, {"news.json": json.dumps({"items": []})})
        m = self.monitor(serve_dir=site, sources=[], channels=channels, env=env)
        m.add_script("news_json", JSON_SCRIPT)
        m.sources = [{"id": "news", "url": m.server.url("/news.json"), "script": "news_json",
                      "every": "1h", "timeout": "20s"}]
        m.rules_copy({"news_item.lua": NEWS_RULE})
        m.rules = ["rules"]
        m.write_config()
        base = [{"key": "base", "title": "Base", "link": "https://example.org/base"}]
        write_files(site, {"news.json": json.dumps({"items": base})})
        m.run(NOW1)
        for h in hooks.values():
            h.clear()
        long_title = "Ministry statement * _ ~ <b> & " + "détails " * 120
        items = base + [{"key": "item-%03d" % i, "title": "%03d %s" % (i, long_title),
                         "link": "https://example.org/item-%03d" % i} for i in range(90)]
        write_files(site, {"news.json": json.dumps({"items": items})})
        r = m.run(NOW2)
        self.assertNoToken(r)
        want = sorted(f["message"] for f in r.flags if f["rule"] == "news-item")
        self.assertEqual(len(want), 90, describe(r))
        self.assertEqual(len(set(want)), 90)

        with self.subTest("slack"):
            bodies = self.assertRequests(hooks["slack"], len(hooks["slack"].requests()))
            self.assertGreater(len(bodies), 1)
            got = []
            for body in bodies:
                blocks = slack_blocks_ok(self, body)
                self.assertEqual(blocks[0]["type"], "header")
                self.assertRegex(body["text"], r"^vane: \d+ new flags?$")
                for b in blocks:
                    if b["type"] == "section" and b["text"]["text"].startswith("*["):
                        got.append(slack_unescape(b["text"]["text"]).split("\n")[0].split("* ", 1)[1])
            self.assertEqual(sorted(g for g in got if g.startswith("new item-")), want)
        with self.subTest("teams"):
            reqs = hooks["teams"].requests()
            bodies = self.assertRequests(hooks["teams"], len(reqs))
            self.assertGreater(len(bodies), 1)
            got = []
            for q, body in zip(reqs, bodies):
                self.assertLessEqual(len(q.body), TEAMS_MAX_BYTES)
                card = teams_card(self, body)
                self.assertRegex(card["body"][0]["text"], r"^vane: \d+ new flags?$")
                got += [md_unescape(el["text"]).split("] ", 1)[1] for el in card["body"]
                        if el["type"] == "TextBlock" and el.get("weight") == "bolder"
                        and el["text"].startswith("[")]
            self.assertEqual(sorted(g for g in got if g.startswith("new item-")), want)
        with self.subTest("discord"):
            bodies = self.assertRequests(hooks["discord"], len(hooks["discord"].requests()))
            self.assertGreaterEqual(len(bodies), 9)       # 90 flags, at most 10 embeds a post
            got = []
            for body in bodies:
                embeds = discord_embeds(self, body)
                self.assertEqual(body["content"], "vane: %d new flag%s"
                                 % (len(embeds), "" if len(embeds) == 1 else "s"))
                got += [md_unescape(e["description"]) for e in embeds]
            self.assertEqual(sorted(g for g in got if g.startswith("new item-")), want)

    # ---- a receiver that fails -----------------------------------------------------------
    def test_a_failing_hook_fails_the_run_and_gets_its_flags_once_later(self):
        hooks = {k: hook(self) for k in ("slack", "teams", "discord")}
        env, channels = {}, []
        for k, h in hooks.items():
            name = "VANE_TEST_%s_URL" % k.upper()
            env[name] = h.url(HOOK_PATH)
            channels.append(chat_channel(k, name))
            h.set_mode("fail", status=500)
        m = self.monitor(channels=channels, env=env)
        r = self.two_flags(m, expect=1)
        self.assertNoToken(r)
        for k, h in hooks.items():
            self.assertRegex(r.stderr, r"channel chat-%s: %s answered HTTP 500" % (k, k))
            self.assertTrue(h.requests())
            self.assertEqual(h.accepted(), [])
            h.set_mode("accept")
        r3 = m.step(3)
        m.run("2024-11-29T00:00:00Z")
        want = sorted(f["message"] for f in m.flags())
        self.assertEqual(len(want), 2 + len(r3.flags))
        messages = {
            "slack": lambda b: slack_unescape(b["text"]).split("] ", 1)[1],
            "teams": lambda b: md_unescape(b["attachments"][0]["content"]["body"][0]["text"]).split("] ", 1)[1],
            "discord": lambda b: md_unescape(b["embeds"][0]["description"]),
        }
        for k, h in hooks.items():
            got = sorted(messages[k](json.loads(q.body)) for q in h.accepted())
            self.assertEqual(got, want, "%s: every flag once" % k)

    def test_a_missing_url_is_reported_with_the_line(self):
        m = self.monitor(channels=[chat_channel("discord", "VANE_TEST_UNSET_URL")])
        r = m.vane("check")
        self.assertNotEqual(r.returncode, 0)
        line = m.config_line("chat-discord")
        self.assertIn("vane.lua:%d:" % line, r.stderr + r.stdout)
        self.assertIn("channel 'chat-discord'", r.stderr + r.stdout)
        self.assertIn("url", r.stderr + r.stdout)


if __name__ == "__main__":
    unittest.main()

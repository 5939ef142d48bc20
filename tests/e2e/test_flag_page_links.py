"""With serve { url = … } naming the web view's public address, every
alert links to its flag's page: "page" in the JSON a webhook posts, an
"Open in vane" button in a Slack post, an "in vane:" line in an email's
text part; and that page is the one `vane serve` shows for the flag.
Without `url`, no alert carries a page."""

import json
import socket
import subprocess
import time
import urllib.request

from vanetest import VaneCase, describe, kill_process

from receivers import WebhookReceiver

PUBLIC = "https://vane.example.org/"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FlagPageLinks(VaneCase):

    def hook(self):
        hook = WebhookReceiver()
        hook.start()
        self.addCleanup(hook.stop)
        return hook

    def monitor_serving(self, channels, url=PUBLIC):
        m = self.monitor(channels=channels)
        if url:
            with open(m.config, "a", encoding="utf-8") as f:
                f.write('serve { url = "%s" }\n' % url)
        m.step(1)
        r = m.step(2)
        self.assertEqual(len(r.flags), 2, describe(r))
        return m, r

    def test_a_webhook_body_and_a_slack_button_link_the_flags_page(self):
        hook = self.hook()
        m, r = self.monitor_serving([
            {"id": "hook", "kind": "webhook", "url": hook.url("/hook")},
            {"id": "chat", "kind": "slack", "url": hook.url("/slack")}])
        by_path = {}
        for q in hook.requests():
            by_path.setdefault(q.path, []).append(json.loads(q.body))
        pages = sorted(b["page"] for b in by_path["/hook"])
        self.assertEqual(pages, sorted("https://vane.example.org/flags/%d" % f["id"]
                                       for f in r.flags))
        for body in by_path["/slack"]:
            buttons = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
            vane = [e["url"] for e in buttons if e["text"]["text"] == "Open in vane"]
            self.assertEqual(len(vane), 1, body)
            self.assertIn(vane[0], pages)

    def test_without_url_no_alert_carries_a_page(self):
        hook = self.hook()
        self.monitor_serving([{"id": "hook", "kind": "webhook", "url": hook.url("/hook")}], url=None)
        for q in hook.requests():
            self.assertNotIn("page", json.loads(q.body))

    def test_the_page_an_alert_links_is_the_flags_page(self):
        hook = self.hook()
        m, r = self.monitor_serving([{"id": "hook", "kind": "webhook", "url": hook.url("/hook")}])
        port = free_port()
        server = subprocess.Popen(m.argv("serve", "--listen", "127.0.0.1:%d" % port), cwd=m.dir,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.addCleanup(kill_process, server)
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                self.assertIsNone(server.poll(), "vane serve exited")
                self.assertLess(time.monotonic(), deadline, "vane serve did not answer")
                time.sleep(0.05)
        for q in hook.requests():
            body = json.loads(q.body)
            path = body["page"][len(PUBLIC) - 1:]
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as resp:
                html = resp.read().decode("utf-8")
            self.assertEqual(resp.status, 200)
            self.assertIn(body["message"].replace("&", "&amp;").split(" (")[0], html)

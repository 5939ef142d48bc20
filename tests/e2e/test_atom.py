"""The atom channel end to end: the real vane keeping an Atom 1.0 feed of
its flags across the monitor's steps, the file parsed by a real XML parser
(xml.etree) and held to RFC 4287's rules — namespace, the feed's id, title
and updated, each entry's single id, title and updated (RFC 3339), at most
one rel="alternate" link and that it is the item's, unique ids — and to
the channel's own promises: newest first, no more than `entries`, entries
kept byte for byte across runs, the file replaced whole (a new inode each
time, no temporary file left, never seen half-written by a reader), and a
file that is not vane's feed left alone with an error naming the channel
and the file."""

import os
import re
import threading
import xml.etree.ElementTree as ET
from datetime import datetime

from vanetest import ANY_RULE, LEVEL_RULE, VaneCase, describe

NS = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
SELF_URL = "https://feeds.example.org/vane/travel.xml"
MADAGASCAR_LINK = ("https://travel.state.gov/content/travel/en/traveladvisories/"
                   "traveladvisories/madagascar-travel-advisory.html")


def when(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def entry_bytes(text):
    """{entry id: the <entry>…</entry> element as written} of a feed's text."""
    out = {}
    for m in re.finditer(r"<entry>.*?</entry>", text, re.S):
        eid = re.search(r"<id>(.*?)</id>", m.group(0)).group(1)
        out[eid] = m.group(0)
    return out


class Atom(VaneCase):

    def atom_monitor(self, rules=None, **channel):
        m = self.monitor()
        self.path = os.path.join(m.dir, "feeds", "travel.xml")
        os.makedirs(os.path.dirname(self.path))
        ch = {"id": "travel-feed", "kind": "atom", "path": self.path}
        ch.update(channel)
        m.channels = [ch]
        if rules:
            m.rules_copy(rules)
        m.write_config()
        return m

    def read_feed(self, max_entries=100):
        """Parse the feed and check the Atom rules; returns (root, entries)."""
        with open(self.path, encoding="utf-8") as f:
            text = f.read()
        root = ET.fromstring(text)
        self.assertEqual(root.tag, NS + "feed")
        for name in ("id", "title", "updated"):
            self.assertEqual(len(root.findall(NS + name)), 1, "feed %s" % name)
            self.assertTrue(root.findtext(NS + name).strip(), "feed %s" % name)
        self.assertRegex(root.findtext(NS + "updated"), RFC3339)
        self.assertEqual(root.findtext(NS + "generator"), "vane")
        self.assertTrue(root.findall(NS + "author/" + NS + "name"))
        entries = root.findall(NS + "entry")
        self.assertLessEqual(len(entries), max_entries)
        ids = []
        for e in entries:
            for name in ("id", "title", "updated"):
                self.assertEqual(len(e.findall(NS + name)), 1, "entry %s" % name)
            self.assertRegex(e.findtext(NS + "updated"), RFC3339)
            self.assertRegex(e.findtext(NS + "published"), RFC3339)
            alt = [ln for ln in e.findall(NS + "link") if ln.get("rel", "alternate") == "alternate"]
            self.assertLessEqual(len(alt), 1)
            self.assertEqual(e.find(NS + "content").get("type"), "html")
            ids.append(e.findtext(NS + "id"))
        self.assertEqual(len(ids), len(set(ids)), "entry ids are unique")
        times = [when(e.findtext(NS + "updated")) for e in entries]
        self.assertEqual(times, sorted(times, reverse=True), "newest first")
        if entries:
            self.assertEqual(when(root.findtext(NS + "updated")), times[0])
        return root, entries, text

    def flag_id(self, entry):
        m = re.search(r"/flag/(\d+)$", entry.findtext(NS + "id"))
        self.assertIsNotNone(m, entry.findtext(NS + "id"))
        return int(m.group(1))

    def test_the_feed_holds_every_flag_newest_first(self):
        m = self.atom_monitor(title="Travel desk <flags> & co", url=SELF_URL)
        for step in (1, 2, 3, 4):
            r = m.step(step)
            self.assertFalse(r.stderr.strip(), describe(r))
        flags = {f["id"]: f for f in m.flags()}
        root, entries, _ = self.read_feed()
        self.assertEqual(root.findtext(NS + "title"), "Travel desk <flags> & co")
        self.assertEqual(root.findtext(NS + "id"), "tag:vane,2026:travel-feed")
        self_links = [ln.get("href") for ln in root.findall(NS + "link") if ln.get("rel") == "self"]
        self.assertEqual(self_links, [SELF_URL])
        self.assertEqual(sorted(self.flag_id(e) for e in entries), sorted(flags))
        for e in entries:
            f = flags[self.flag_id(e)]
            self.assertEqual(e.findtext(NS + "title"), "[%s] %s" % (f["severity"], f["message"]))
            self.assertEqual(when(e.findtext(NS + "updated")), when(f["created_at"]))
            terms = {c.get("term") for c in e.findall(NS + "category")}
            self.assertEqual(terms, {f["rule"], f["severity"]})
            links = [ln.get("href") for ln in e.findall(NS + "link")]
            self.assertEqual(links, [f["link"]] if f.get("link") else [])
            self.assertIn(f["message"].replace("&", "&amp;").replace("<", "&lt;"),
                          e.findtext(NS + "content"))

    def test_the_changed_level_entry_links_to_the_advisory_and_shows_the_change(self):
        # Needs the flag's context (title, link, changes) from main.
        m = self.atom_monitor()
        m.step(1)
        m.step(2)
        _, entries, _ = self.read_feed()
        level = [e for e in entries
                 if any(c.get("term") == LEVEL_RULE for c in e.findall(NS + "category"))]
        self.assertEqual(len(level), 1)
        e = level[0]
        self.assertEqual([(ln.get("rel"), ln.get("href")) for ln in e.findall(NS + "link")],
                         [("alternate", MADAGASCAR_LINK)])
        content = e.findtext(NS + "content")
        self.assertIn("<tr><td>level</td><td>2</td><td>3</td></tr>", content)
        self.assertIn("Madagascar - Level 3: Reconsider Travel", e.findtext(NS + "summary"))

    def test_entries_are_capped_and_kept_byte_for_byte(self):
        m = self.atom_monitor(rules={"any_event.lua": ANY_RULE}, entries=5)
        seen = {}
        total = 0
        m.step(1)   # the first sight of a source is its baseline: no flags
        for step in (2, 3, 4):
            r = m.step(step)
            total += len(r.flags)
            _, entries, text = self.read_feed(max_entries=5)
            now = entry_bytes(text)
            self.assertEqual(len(now), len(entries))
            for eid, xml in now.items():
                if eid in seen:
                    self.assertEqual(xml, seen[eid], "entry %s rewritten" % eid)
            seen.update(now)
            newest = sorted(f["id"] for f in m.flags())[-5:]
            self.assertEqual(sorted(self.flag_id(e) for e in entries), newest)
        self.assertGreater(total, 10, "enough flags to overflow the feed")
        self.assertEqual(len(entries), 5)

    def test_the_file_is_replaced_whole(self):
        m = self.atom_monitor(rules={"any_event.lua": ANY_RULE})
        m.step(1)
        m.step(2)
        folder = os.path.dirname(self.path)
        # held open, the old file keeps its inode: a freed one may be reused
        # by the next file, which would look like the same file rewritten
        held = open(self.path, "rb")
        self.addCleanup(held.close)
        inode = os.fstat(held.fileno()).st_ino
        self.assertEqual(os.stat(self.path).st_mode & 0o777, 0o600)
        os.chmod(self.path, 0o644)   # the owner's choice is kept
        done = threading.Event()
        reads, bad = [0], []

        def reader():
            while not done.is_set():
                try:
                    with open(self.path, "rb") as f:
                        data = f.read()
                    ET.fromstring(data)
                    reads[0] += 1
                except ET.ParseError as ex:
                    bad.append("%s: %r" % (ex, data[-80:]))
        t = threading.Thread(target=reader)
        t.start()
        try:
            r3 = m.step(3)
            r4 = m.step(4)
        finally:
            done.set()
            t.join()
        self.assertGreater(len(r3.flags) + len(r4.flags), 5, "each flag rewrites the feed")
        self.assertEqual(bad, [], "the reader saw a half-written feed")
        self.assertGreater(reads[0], 0)
        self.assertNotEqual(os.stat(self.path).st_ino, inode, "replaced by rename, not rewritten")
        self.assertEqual(os.stat(self.path).st_mode & 0o777, 0o644)
        self.assertEqual(os.listdir(folder), ["travel.xml"], "no temporary file left")
        self.read_feed()

    def test_a_file_that_is_not_our_feed_is_left_alone(self):
        m = self.atom_monitor()
        rss = '<?xml version="1.0"?><rss version="2.0"><channel><title>mine</title></channel></rss>\n'
        with open(self.path, "w", encoding="utf-8") as f:
            f.write(rss)
        m.step(1)
        r = m.step(2, expect=1)
        self.assertIn("channel travel-feed", r.stderr)
        self.assertIn("travel.xml", r.stderr)
        self.assertIn("not an Atom feed", r.stderr)
        with open(self.path, encoding="utf-8") as f:
            self.assertEqual(f.read(), rss)
        self.assertEqual(os.listdir(os.path.dirname(self.path)), ["travel.xml"])

    def test_bad_keys_name_the_channel_and_line(self):
        m = self.atom_monitor(entries=0, url="ftp://example.org/feed.xml")
        r = m.vane("check")
        self.assertNotEqual(r.returncode, 0, describe(r))
        line = m.config_line('kind = "atom"')
        out = r.stdout + r.stderr
        self.assertRegex(out, r"vane\.lua:%d:.*travel-feed.*entries" % line)
        self.assertRegex(out, r"vane\.lua:%d:.*travel-feed.*url" % line)
        m.channels = [{"id": "nowhere", "kind": "atom"}]
        m.write_config()
        r = m.vane("check")
        self.assertRegex(r.stdout + r.stderr, r"vane\.lua:\d+:.*nowhere.*needs a path")


if __name__ == "__main__":
    import unittest
    unittest.main()

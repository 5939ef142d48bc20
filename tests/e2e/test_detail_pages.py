"""Detail pages: a script's items name a page (`follow`), vane reads it in
the same run and the script's detail() completes the item. Pages are read
once per new item or changed link, at most max_follow per run, and a page
that fails is a warning, retried next run, never a change. The pages are
served on 127.0.0.1 by the fixture server, which counts every request."""

import json
import os
import re
import tempfile

from vanetest import TOP, VaneCase, describe, make_site, write_files

SOURCE = "list"

# A list page of <li><a id=KEY href=PAGE>title</a></li>; the page's #body is
# the item's body; a page with #boom makes detail() fail.
SCRIPT = r'''
return {
  list = function(doc, options)
    local items = {}
    for _, a in ipairs(vane.html(doc.body, doc.url):select("li a")) do
      items[#items + 1] = { key = a:attr("id"), title = a:text(), link = a:url("href"),
                            follow = a:url("href") }
    end
    return items
  end,
  detail = function(doc, item, options)
    local page = vane.html(doc.body, doc.url)
    if page:select_one("#boom") then error("no body in this page", 0) end
    item.body = page:select_one("#body"):text()
  end,
}
'''

TIMES = ["2026-01-0%dT00:00:00Z" % d for d in range(1, 10)]


def list_page(entries):
    """entries: [(key, page path)]"""
    lis = "".join('<li><a id="%s" href="%s">Entry %s</a></li>\n' % (k, p, k) for k, p in entries)
    return "<html><body><ul>\n%s</ul></body></html>\n" % lis


def page(text, boom=False):
    return '<html><body><div id="%s">%s</div></body></html>\n' % ("boom" if boom else "body", text)


class DetailPages(VaneCase):

    def site(self, entries, pages):
        files = {"list.html": list_page(entries)}
        files.update(pages)
        self.folder = make_site(self, files)
        return self.folder

    def start(self, entries, pages, settings=None, **extra):
        folder = self.site(entries, pages)
        rules = tempfile.mkdtemp(prefix="vane-rules-")
        self.addCleanup(os.rmdir, rules)
        m = self.monitor(serve_dir=folder, rules=[rules], settings=settings, sources=[])
        src = {"id": SOURCE, "url": m.server.url("/list.html"), "script": "pages",
               "every": "1h", "timeout": "5s", "removals": True}
        src.update(extra)
        m.sources = [src]
        m.write_config()
        m.add_script("pages", SCRIPT)
        return m

    def relist(self, entries):
        write_files(self.folder, {"list.html": list_page(entries)})

    def items(self, m):
        return {k: json.loads(f) for k, f in
                m.sql("SELECT key, fields FROM items WHERE source = ?", (SOURCE,))}

    def events(self, m, after=0):
        return [(e["key"], e["change"], e["diff"]) for e in m.events("--source", SOURCE)
                if e["id"] > after]

    def last_event_id(self, m):
        return m.sql("SELECT coalesce(max(id), 0) FROM events")[0][0]

    def page_hits(self, m, *paths):
        return [m.server.hits(p) for p in paths]

    def test_pages_are_read_once_per_new_item_and_never_for_unchanged_ones(self):
        m = self.start([("a", "p/a.html"), ("b", "p/b.html"), ("c", "p/c.html")],
                       {"p/%s.html" % k: page("Body of " + k) for k in "abcd"})
        m.run(TIMES[0], "-v")
        self.assertEqual(self.page_hits(m, "/p/a.html", "/p/b.html", "/p/c.html"), [1, 1, 1])
        items = self.items(m)
        self.assertEqual({k: v.get("body") for k, v in items.items()},
                         {"a": "Body of a", "b": "Body of b", "c": "Body of c"})
        self.assertEqual(items["a"]["follow"], m.server.url("/p/a.html"))
        self.assertEqual(sorted(e[:2] for e in self.events(m)),
                         [("a", "new"), ("b", "new"), ("c", "new")])

        # d is added: only d's page is read; a, b, c keep their bodies
        seen = self.last_event_id(m)
        self.relist([("a", "p/a.html"), ("b", "p/b.html"), ("c", "p/c.html"), ("d", "p/d.html")])
        m.run(TIMES[1], "-v")
        self.assertEqual(self.page_hits(m, "/p/a.html", "/p/b.html", "/p/c.html", "/p/d.html"),
                         [1, 1, 1, 1])
        self.assertEqual(self.events(m, seen), [("d", "new", None)])
        self.assertEqual({k: v.get("body") for k, v in self.items(m).items()},
                         {k: "Body of " + k for k in "abcd"})

        # nothing changed: the list answers 304 and no page is asked for
        m.run(TIMES[2])
        self.assertEqual(m.server.hits("/list.html", 304), 1)
        self.assertEqual(sum(self.page_hits(m, "/p/a.html", "/p/b.html", "/p/c.html", "/p/d.html")), 4)

    def test_a_changed_link_is_read_again_and_the_page_compared(self):
        m = self.start([("a", "p/a.html"), ("b", "p/b.html")],
                       {"p/a.html": page("Body of a"), "p/b.html": page("Body of b"),
                        "p/b2.html": page("Body of b, revised")})
        m.run(TIMES[0])
        seen = self.last_event_id(m)
        self.relist([("a", "p/a.html"), ("b", "p/b2.html")])
        m.run(TIMES[1])
        self.assertEqual(self.page_hits(m, "/p/a.html", "/p/b.html", "/p/b2.html"), [1, 1, 1])
        evs = self.events(m, seen)
        self.assertEqual([e[:2] for e in evs], [("b", "changed")])
        self.assertEqual(sorted(evs[0][2]), ["body", "link"], "follow itself is never a change")
        self.assertEqual(evs[0][2]["body"], {"old": "Body of b", "new": "Body of b, revised"})

    def test_max_follow_caps_a_run_and_the_rest_come_later_announced_once(self):
        keys = "abcde"
        m = self.start([(k, "p/%s.html" % k) for k in keys],
                       {"p/%s.html" % k: page("Body of " + k) for k in keys + "fgh"},
                       max_follow=2)
        r = m.run(TIMES[0], "-v")
        self.assertIn("max_follow", r.stderr, describe(r))
        self.assertIn("source %s" % SOURCE, r.stderr)
        self.assertEqual(sum(self.page_hits(m, *("/p/%s.html" % k for k in keys))), 2)
        self.assertEqual(sorted(e[:2] for e in self.events(m)), [(k, "new") for k in keys])
        self.assertEqual(sum("body" in v for v in self.items(m).values()), 2)

        # the list did not change, yet the pages left are read, two a run
        m.run(TIMES[1])
        self.assertEqual(sum(self.page_hits(m, *("/p/%s.html" % k for k in keys))), 4)
        m.run(TIMES[2])
        self.assertEqual(self.page_hits(m, *("/p/%s.html" % k for k in keys)), [1] * 5)
        self.assertEqual({k: v.get("body") for k, v in self.items(m).items()},
                         {k: "Body of " + k for k in keys})
        self.assertEqual(len(self.events(m)), 5, "completing an item announces nothing")
        m.run(TIMES[3])
        self.assertEqual(m.server.hits("/list.html", 304), 1, "all read: conditional again")

        # three new entries after the baseline: each announced once, as the
        # list gives it, the third completed a run later without a change
        seen = self.last_event_id(m)
        self.relist([(k, "p/%s.html" % k) for k in keys + "fgh"])
        m.run(TIMES[4])
        self.assertEqual(sorted(e[:2] for e in self.events(m, seen)),
                         [("f", "new"), ("g", "new"), ("h", "new")])
        m.run(TIMES[5])
        self.assertEqual(self.page_hits(m, "/p/f.html", "/p/g.html", "/p/h.html"), [1, 1, 1])
        self.assertEqual(len(self.events(m, seen)), 3)
        self.assertEqual(self.items(m)["h"].get("body"), "Body of h")

    def test_a_failing_page_is_a_warning_retried_next_run_and_never_a_change(self):
        m = self.start([("a", "p/a.html"), ("b", "p/b.html"), ("c", "p/c.html"),
                        ("d", "p/d.html")],
                       {"p/a.html": page("Body of a"), "p/b.html": page("Body of b"),
                        "p/c.html": page("Body of c"), "p/d.html": page("", boom=True),
                        "p/a2.html": page("Body of a, moved")},
                       settings={"retries": 0}, timeout="2s")
        m.server.set_status("/p/b.html", 404)
        m.server.set_delay("/p/c.html", 6)
        r = m.run(TIMES[0], "-v")
        for what in (r"p/b\.html: HTTP 404;", r"p/c\.html: .*;", r"p/d\.html: .*no body in this page"):
            self.assertRegex(r.stderr, r"warning: source %s: page http://[^ ]*%s" % (SOURCE, what),
                             describe(r))
        items = self.items(m)
        self.assertEqual(items["a"].get("body"), "Body of a")
        for k in "bcd":
            self.assertNotIn("body", items[k])
            self.assertNotIn("follow", items[k], "an item not completed has no follow")
        self.assertEqual(sorted(e[:2] for e in self.events(m)), [(k, "new") for k in "abcd"])

        # fixed: b and c are read on the next run, quietly; a is not read again
        m.server.set_status("/p/b.html", None)
        m.server.set_delay("/p/c.html", 0)
        write_files(self.folder, {"p/d.html": page("Body of d")})
        seen = self.last_event_id(m)
        m.run(TIMES[1])
        self.assertEqual(m.server.hits("/p/a.html"), 1)
        self.assertEqual(m.server.hits("/p/b.html", 200), 1)
        self.assertEqual(m.server.hits("/p/d.html", 200), 2)
        self.assertEqual({k: v.get("body") for k, v in self.items(m).items()},
                         {k: "Body of " + k for k in "abcd"})
        self.assertEqual(self.events(m, seen), [])

        # a's page moves and the new one fails: the link's change is news,
        # the body it could not read is not; next run the page is read
        m.server.set_status("/p/a2.html", 500)
        self.relist([("a", "p/a2.html"), ("b", "p/b.html"), ("c", "p/c.html"), ("d", "p/d.html")])
        r = m.run(TIMES[2], "-v")
        self.assertIn("p/a2.html: HTTP 500", r.stderr)
        evs = self.events(m, seen)
        self.assertEqual([(k, c, sorted(d)) for k, c, d in evs], [("a", "changed", ["link"])])
        self.assertEqual(self.items(m)["a"]["body"], "Body of a")
        m.server.set_status("/p/a2.html", None)
        seen = self.last_event_id(m)
        m.run(TIMES[3])
        evs = self.events(m, seen)
        self.assertEqual([(k, c, sorted(d)) for k, c, d in evs], [("a", "changed", ["body"])])

    def test_a_script_without_detail_is_warned_about_and_its_items_kept(self):
        m = self.start([("a", "p/a.html")], {"p/a.html": page("Body of a")})
        m.add_script("pages", "return function(doc) return { { key = 'a', title = 'A', "
                              "follow = 'http://127.0.0.1:1/x' } } end")
        r = m.run(TIMES[0], "-v")
        self.assertIn("has no detail function", r.stderr, describe(r))
        self.assertEqual(list(self.items(m)), ["a"])

    def test_max_follow_must_be_a_whole_number(self):
        m = self.start([("a", "p/a.html")], {"p/a.html": page("x")}, max_follow=-1)
        r = m.vane("check")
        self.assertNotEqual(r.returncode, 0, describe(r))
        self.assertIn("max_follow", r.stderr + r.stdout)


class ShippedScripts(VaneCase):

    def test_html_links_detail_puts_the_pages_text_in_body(self):
        with open(os.path.join(TOP, "tests", "fixtures", "mfa_en", "s1.html"), encoding="utf-8") as f:
            listing = f.read()
        hrefs = re.findall(r'<li><a href="(\./[^"]+)"', listing)
        self.assertGreater(len(hrefs), 5)
        files = {"eng/list.html": listing}
        for n, h in enumerate(hrefs):
            files["eng/" + h[2:]] = ('<html><body><div class="nav">Home</div><div class="content">'
                                     '<p>Remarks number %d.</p> <p>Second   paragraph.</p></div>'
                                     '</body></html>' % n)
        folder = make_site(self, files)
        m = self.monitor(serve_dir=folder, sources=[])
        m.sources = [{"id": "mfa", "url": m.server.url("/eng/list.html"), "script": "html_links",
                      "options": {"items": "ul.list1 li", "date": "span",
                                  "detail": "div.content"}}]
        m.write_config()
        m.run(TIMES[0], "-v")
        bodies = {f["link"]: f.get("body") for f in
                  (json.loads(t) for (t,) in m.sql("SELECT fields FROM items"))}
        self.assertEqual(bodies, {m.server.url("/eng/" + h[2:]): "Remarks number %d. Second paragraph." % n
                                  for n, h in enumerate(hrefs)})
        self.assertEqual([m.server.hits("/eng/" + h[2:]) for h in hrefs], [1] * len(hrefs))

    def test_html_links_without_detail_reads_no_page(self):
        folder = make_site(self, {"list.html": '<ul class="list1"><li><a href="./x.html">X</a>'
                                               '<span>2024-11-20</span></li></ul>',
                                  "x.html": "<p>x</p>"})
        m = self.monitor(serve_dir=folder, sources=[])
        m.sources = [{"id": "mfa", "url": m.server.url("/list.html"), "script": "html_links"}]
        m.write_config()
        m.run(TIMES[0])
        self.assertEqual(m.server.hits("/x.html"), 0)
        fields = json.loads(m.sql("SELECT fields FROM items")[0][0])
        self.assertNotIn("body", fields)
        self.assertNotIn("follow", fields)

    def test_travel_advisories_pages_read_the_indicators_from_each_advisorys_page(self):
        real = os.path.join(TOP, "tests", "fixtures", "real", "travel_advisories")
        site = {}
        feeds = {}
        for name in ("2025-10-07T2108Z.xml", "2025-10-08T1736Z.xml"):
            with open(os.path.join(real, name), encoding="utf-8") as f:
                feeds[name] = f.read()
        folder = make_site(self, {})
        m = self.monitor(serve_dir=folder, sources=[])
        base = m.server.url("")
        letters = {}
        for name, text in feeds.items():
            text = re.sub(r"https?://travel\.state\.gov/", base + "/", text)
            site[name] = text
            for link in re.findall(r"<item>.*?<link>([^<]*)</link>", text, re.S):
                path = link[len(base):]
                # a different, made-up set of indicators per page
                h = sum(map(ord, path))
                letters[link] = sorted(set("CTUDKN"[h % 6] + "CTUDKN"[h % 4]))
                lis = "".join("<li>%s (%s)</li>" % ({"C": "Crime", "T": "Terrorism", "U": "Civil Unrest",
                                                      "D": "Wrongful Detention", "K": "Kidnapping",
                                                      "N": "Natural Disaster"}[l], l)
                              for l in letters[link])
                site[path.lstrip("/")] = ('<html><body><h1>Advisory</h1><div class="tooltipalert">'
                                          '<ul class="risk-indicators">%s</ul></div><ul><li>Enroll'
                                          '</li></ul></body></html>' % lis)
        write_files(folder, site)
        m.sources = [{"id": "ta", "url": m.server.url("/feed.xml"), "script": "travel_advisories",
                      "removals": True, "max_follow": 500, "options": {"pages": True}}]
        m.write_config()
        m.server.alias("/feed.xml", "2025-10-07T2108Z.xml")
        m.run(TIMES[0], "-v")
        items = [json.loads(f) for (f,) in m.sql("SELECT fields FROM items WHERE source = 'ta'")]
        self.assertGreater(len(items), 200)
        for it in items:
            self.assertIn(it["link"], letters)
            self.assertEqual(it.get("notations"), letters[it["link"]], it["link"])
        pages = [p for p in letters if m.server.hits(p[len(base):]) != 1]
        self.assertEqual(pages, [], "each advisory's page is read exactly once")

        # the next day's feed: only Sao Tome and Principe's level moves; no
        # page is read again and no indicator is reported changed
        m.server.alias("/feed.xml", "2025-10-08T1736Z.xml")
        r = m.run(TIMES[1])
        levels = [f["message"] for f in r.flags if f["rule"] == "advisory-level-change"]
        self.assertEqual(len(levels), 1, describe(r))
        self.assertIn("Sao Tome", levels[0])
        self.assertEqual([f for f in r.flags if f["rule"] == "advisory-notation-change"], [],
                         describe(r))
        self.assertEqual(sum(m.server.hits(p[len(base):]) for p in letters), len(letters))

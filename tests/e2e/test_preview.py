"""See before it counts: `vane preview SOURCE` fetches (without
validators), runs the script and prints the items as an aligned table
(--json: every field), stores nothing, and says which selector matched
nothing; a new source that yields no items at its first fetch raises
`source-empty` with that explanation, once. Served on 127.0.0.1 by the
fixture server."""

import json
import os
import tempfile

from vanetest import ANY_RULE, VaneCase, describe, make_site, parse_json_lines, write_files

SOURCE = "press"
T = ["2026-03-0%dT08:00:00Z" % d for d in range(1, 10)]


def page(entries):
    lis = "".join('<li><a href="/p/%s.html">%s</a><span>2026-01-%02d</span></li>\n'
                  % (k, t, i + 1) for i, (k, t) in enumerate(entries))
    return '<html><body><ul class="list1">\n%s</ul></body></html>\n' % lis


ENTRIES = [("a", "Alpha"), ("b", "Bravo, a much longer title " + "x" * 80)]


class Preview(VaneCase):

    def start(self, options=None, files=None):
        self.folder = make_site(self, files or {"list.html": page(ENTRIES)})
        rules = tempfile.mkdtemp(prefix="vane-rules-")
        self.addCleanup(os.rmdir, rules)
        m = self.monitor(serve_dir=self.folder, rules=[rules], sources=[])
        m.rules_copy({"any_event.lua": ANY_RULE})
        self.src = {"id": SOURCE, "url": m.server.url("/list.html"), "script": "html_links",
                    "every": "1h", "removals": True}
        if options is not None:
            self.src["options"] = options
        m.sources = [self.src]
        m.write_config()
        return m

    def test_items_as_a_table_and_no_database_made(self):
        m = self.start()
        r = m.vane("preview", SOURCE)
        self.assertExit(r, 0)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["key", "title", "published", "link"], describe(r))
        self.assertEqual(len(lines), 3)
        # aligned: every column starts where its heading does
        col = lines[0].index("published")
        self.assertTrue(all(l[col:col + 10] == "2026-01-0%d" % (i + 1)
                            for i, l in enumerate(lines[1:])), describe(r))
        self.assertIn("Bravo, a much longer title xxx", lines[2])
        self.assertIn("…", lines[2])                  # shortened
        self.assertNotIn("x" * 80, r.stdout)
        self.assertIn("vane: source press: 2 items from %s (HTTP 200); nothing stored"
                      % self.src["url"], r.stderr)
        self.assertFalse(m.db_exists(), "preview made a database")

    def test_json_has_every_field(self):
        m = self.start()
        r = m.vane("preview", SOURCE, "--json")
        self.assertExit(r, 0)
        rows = parse_json_lines(r.stdout)
        self.assertEqual(rows[1]["title"], ENTRIES[1][1])
        self.assertEqual(rows[0], {"key": "/p/a.html", "title": "Alpha",
                                   "link": m.server.url("/p/a.html"),
                                   "published": "2026-01-01T00:00:00Z"})

    def test_an_existing_database_is_not_written_and_validators_are_not_sent(self):
        m = self.start()
        m.run(T[0])
        before = m.db_fingerprint()
        write_files(self.folder, {"list.html": page(ENTRIES + [("c", "Charlie")])})
        m.server.reset_stats()
        r = m.vane("preview", SOURCE, "--json")
        self.assertExit(r, 0)
        self.assertEqual([x["key"] for x in parse_json_lines(r.stdout)],
                         ["/p/a.html", "/p/b.html", "/p/c.html"])
        self.assertEqual(m.db_fingerprint(), before)
        self.assertEqual(m.sql("SELECT count(*) FROM items"), [(2,)])
        r = m.vane("preview", SOURCE)      # unchanged since: a 304 would say nothing
        self.assertExit(r, 0)
        statuses = {str(k): n for k, n in m.server.stats()["paths"]["/list.html"].items()}
        self.assertEqual(statuses, {"200": 2})

    def test_a_selector_that_matches_nothing_is_named(self):
        m = self.start({"items": "ul.news li"})
        r = m.vane("preview", SOURCE)
        self.assertExit(r, 1)
        self.assertEqual(r.stdout, "")
        self.assertRegex(r.stderr, r"vane: warning: source press: scripts/html_links\.lua:\d+: "
                                   r"items = 'ul\.news li' matched nothing on the page")
        self.assertIn("vane: source press: nothing matched: script html_links gave no items", r.stderr)
        self.src["options"] = {"link": "a.title"}
        m.sources = [self.src]
        m.write_config()
        r = m.vane("preview", SOURCE)
        self.assertExit(r, 1)
        self.assertIn("link = 'a.title' matched no link with an href in the 2 elements of "
                      "items = 'ul.list1 li'", r.stderr)

    def test_a_saved_page(self):
        m = self.start()
        saved = os.path.join(m.dir, "saved.html")
        with open(saved, "w", encoding="utf-8") as f:
            f.write(page([("z", "Zulu")]))
        m.server.set_status("/list.html", 500)
        r = m.vane("preview", SOURCE, "--file", saved, "--json")
        self.assertExit(r, 0)
        self.assertEqual(parse_json_lines(r.stdout)[0]["link"], m.server.url("/p/z.html"))
        self.assertEqual(m.server.stats()["total"], 0, "a saved page fetched nothing")
        r = m.vane("preview", SOURCE, "--file", os.path.join(m.dir, "missing.html"))
        self.assertExit(r, 1)
        self.assertIn("missing.html: No such file or directory", r.stderr)

    def test_failures_and_bad_names(self):
        m = self.start()
        m.server.set_status("/list.html", 500)
        r = m.vane("preview", SOURCE)
        self.assertExit(r, 1)
        self.assertIn("vane: source press: ", r.stderr)
        self.assertIn("500", r.stderr)
        r = m.vane("preview", "pres")
        self.assertExit(r, 2)
        self.assertIn("vane: preview pres: no such source in %s (did you mean press?)" % m.config, r.stderr)
        r = m.vane("preview")
        self.assertExit(r, 2)


class SourceEmpty(VaneCase):

    start = Preview.start

    def empty_flags(self, m):
        return [f for f in m.flags() if f["rule"] == "source-empty"]

    def test_a_new_source_that_yields_nothing_is_flagged_once_with_why(self):
        m = self.start({"items": "ul.news li"})
        r = m.run(T[0])
        flags = self.empty_flags(m)
        self.assertEqual(len(flags), 1, describe(r))
        self.assertEqual(flags[0]["message"],
                         "source press yielded no items at its first fetch: items = 'ul.news li' "
                         "matched nothing on the page")
        self.assertEqual([f["rule"] for f in r.flags], ["source-empty"])   # delivered
        write_files(self.folder, {"list.html": page(ENTRIES + [("c", "Charlie")])})
        m.run(T[1])
        self.assertEqual(len(self.empty_flags(m)), 1)        # once per episode
        # fixed: its items are the baseline, not news
        self.src["options"] = {"items": "ul.list1 li"}
        m.sources = [self.src]
        m.write_config()
        m.run(T[2])
        self.assertEqual(m.sql("SELECT count(*) FROM items"), [(3,)])
        self.assertEqual([f["rule"] for f in m.flags()], ["source-empty"])
        write_files(self.folder, {"list.html": page(ENTRIES + [("c", "Charlie"), ("d", "Delta")])})
        m.run(T[3])
        self.assertEqual(sorted(f["message"] for f in m.flags() if f["rule"] == "any-event"),
                         ["new /p/d.html"])

    def test_a_page_empty_at_first_then_filled_is_a_baseline(self):
        m = self.start(files={"list.html": page([])})
        m.run(T[0])
        self.assertEqual(len(self.empty_flags(m)), 1)
        self.assertIn("yielded no items at its first fetch: items = 'ul.list1 li' matched nothing",
                      self.empty_flags(m)[0]["message"])
        write_files(self.folder, {"list.html": page(ENTRIES)})
        m.run(T[1])
        self.assertEqual([f["rule"] for f in m.flags()], ["source-empty"])
        self.assertEqual(m.sql("SELECT count(*), sum(baseline) FROM events"), [(2, 2)])

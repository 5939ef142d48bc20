"""Edits take effect: a source's definition (url, script and its text,
options, ignore list, max_item_bytes) has a fingerprint kept with its state.
When it changes, the next run fetches without validators and extracts again
even if the server answers 304 or the same body; what the new definition
changes is stored as a re-baseline (events marked baseline, no flags), said
in one line of the run's output and its record; a real change afterwards is
flagged as usual. Served on 127.0.0.1 by the fixture server."""

import json
import os
import tempfile

from vanetest import ANY_RULE, VaneCase, describe, make_site, write_files

SOURCE = "press"
T = ["2026-02-0%dT08:00:00Z" % d for d in range(1, 10)]


def page(entries):
    """<ul class="list1"><li class=C><a href=LINK>TITLE</a><span>DATE</span></li>…"""
    lis = "".join('<li class="%s"><a href="/p/%s.html">%s</a><span>2026-01-%02d</span></li>\n'
                  % (cls, k, t, i + 1) for i, (k, t, cls) in enumerate(entries))
    return '<html><body><ul class="list1">\n%s</ul></body></html>\n' % lis


ENTRIES = [("a", "Alpha", "x"), ("b", "Bravo", "y"), ("c", "Charlie", "y")]

# A script of the monitor's own: one item per li, keyed by its link.
OWN_SCRIPT = """
return function(doc, options)
  local items = {}
  for _, li in ipairs(vane.html(doc.body, doc.url):select("ul.list1 li")) do
    local a = li:select_one("a")
    items[#items + 1] = { key = a:attr("href"), title = a:text() %s }
  end
  return items
end
"""


class Edits(VaneCase):

    def start(self, options=None, script="html_links", files=None):
        self.folder = make_site(self, files or {"list.html": page(ENTRIES)})
        rules = tempfile.mkdtemp(prefix="vane-rules-")
        self.addCleanup(os.rmdir, rules)
        m = self.monitor(serve_dir=self.folder, rules=[rules], sources=[])
        m.rules_copy({"any_event.lua": ANY_RULE})
        self.src = {"id": SOURCE, "url": m.server.url("/list.html"), "script": script,
                    "every": "1h", "removals": True}
        if options is not None:
            self.src["options"] = options
        self.redefine(m)
        return m

    def redefine(self, m, **changes):
        self.src.update(changes)
        m.sources = [self.src]
        m.write_config()

    def items(self, m):
        return {k: json.loads(f) for k, f in
                m.sql("SELECT key, fields FROM items WHERE source = ? AND removed_at IS NULL",
                      (SOURCE,))}

    def flags(self, m):
        return [(f["rule"], f["message"]) for f in m.flags()]

    def statuses(self, m, path="/list.html"):
        return {str(k): n for k, n in m.server.stats()["paths"].get(path, {}).items()}

    def go(self, m, i, expect=0):
        return m.run(T[i], "-v", expect=expect)

    def assertRedefined(self, m, r, parts, changed):
        line = "vane: source %s: definition changed (%s): re-extracted, %d item%s changed" % (
            SOURCE, parts, changed, "" if changed == 1 else "s")
        self.assertIn(line, r.stderr.splitlines(), describe(r))
        self.assertIn(line[len("vane: "):], m.last_run()["warnings"], describe(r))

    def test_a_fixed_selector_takes_effect_on_a_304(self):
        m = self.start({"items": "ul.list1 li.x"})
        self.go(m, 0)
        self.assertEqual(set(self.items(m)), {"/p/a.html"})
        r = self.go(m, 1)            # nothing edited: a 304, nothing re-extracted
        self.assertNotIn("definition changed", r.stderr)
        self.assertIn("304", self.statuses(m))
        self.redefine(m, options={"items": "ul.list1 li"})
        r = self.go(m, 2)
        self.assertEqual(set(self.items(m)), {"/p/a.html", "/p/b.html", "/p/c.html"}, describe(r))
        self.assertEqual(self.flags(m), [])
        self.assertRedefined(m, r, "options", 2)
        news = m.sql("SELECT key, baseline FROM events WHERE source = ? AND run_id = "
                     "(SELECT max(id) FROM runs) ORDER BY key", (SOURCE,))
        self.assertEqual(news, [("/p/b.html", 1), ("/p/c.html", 1)])
        r = self.go(m, 3)            # the same page again: nothing to say
        self.assertNotIn("definition changed", r.stderr)
        self.assertEqual(self.flags(m), [])
        write_files(self.folder, {"list.html": page(ENTRIES + [("d", "Delta", "y")])})
        self.go(m, 4)                # real news after the edit is flagged as usual
        self.assertEqual(self.flags(m), [("any-event", "new /p/d.html")])

    def test_changed_options_on_an_unchanged_body_without_validators(self):
        m = self.start({"date": "span"})
        m.server.set_validators("/list.html", False)   # 200 and the same body each time
        self.go(m, 0)
        self.assertIn("published", self.items(m)["/p/a.html"])
        self.redefine(m, options={"date": "em"})   # no date element now: from the link, none
        r = self.go(m, 1)
        self.assertRedefined(m, r, "options", 0)   # published never makes an item changed
        self.assertNotIn("published", self.items(m)["/p/a.html"])
        self.redefine(m, ignore=["title"])
        r = self.go(m, 2)
        self.assertRedefined(m, r, "ignore", 0)
        self.assertEqual(self.flags(m), [])

    def test_an_edited_script_file_takes_effect(self):
        m = self.start(script="own")
        m.add_script("own", OWN_SCRIPT % "")
        self.go(m, 0)
        self.assertNotIn("upper", self.items(m)["/p/a.html"])
        m.add_script("own", OWN_SCRIPT % ", upper = a:text():upper()")
        r = self.go(m, 1)             # asked without validators: the same page again
        self.assertEqual(self.statuses(m), {"200": 2})
        self.assertEqual(self.items(m)["/p/b.html"]["upper"], "BRAVO", describe(r))
        self.assertRedefined(m, r, "script", 3)
        self.assertEqual(self.flags(m), [])
        write_files(self.folder, {"list.html": page([("a", "Alpha2", "x")] + ENTRIES[1:])})
        self.go(m, 2)
        self.assertEqual(self.flags(m), [("any-event", "changed /p/a.html")])

    def test_a_new_url_never_sends_the_old_validators(self):
        files = {"list.html": page(ENTRIES), "other.html": page([("z", "Zulu", "y")])}
        m = self.start(files=files)
        self.go(m, 0)
        self.redefine(m, url=m.server.url("/other.html"))
        r = self.go(m, 1)
        self.assertEqual(self.statuses(m, "/other.html"), {"200": 1}, describe(r))
        self.assertEqual(set(self.items(m)), {"/p/z.html"})
        self.assertRedefined(m, r, "url", 4)   # one new, three removed: all baseline
        self.assertEqual(self.flags(m), [])
        self.assertEqual(m.source_rows()[SOURCE]["items"], 1)

"""test_documents.py — fetched documents kept, history re-derivable,
pruning (issue 13, item 5).

A run keeps each fetched body, compressed with zstd, for keep_documents
(90 days unless set; false keeps none). `vane reextract SOURCE` runs the
source's current script over them and rebuilds its items and events: the
old events stay, marked superseded; the rebuilt ones are marked rederived
and raise no flag unless --flags. `vane prune --older-than D` removes old
events, documents and sent outbox rows, keeps items, flags and the events
flags point to, and says what it freed.
"""

import json
import os
import shutil
import subprocess
import unittest

from vanetest import VaneCase, describe, make_site, parse_json_lines, write_files

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

BROKEN = """return function(doc)
  local d = vane.json.decode(doc.body)
  local out = {}
  for _, it in ipairs(d.items) do out[#out + 1] = { key = it.key, title = "?" } end
  return out
end
"""
FIXED = """return function(doc)
  local d = vane.json.decode(doc.body)
  return d.items
end
"""
ANY_NEW = """return {
  id = "any-new",
  severity = "medium",
  when = function(ev) return ev.change == "new" end,
  message = function(ev) return "new: " .. ev.item.title end,
}
"""
TIMES = ["2024-11-20T00:00:00Z", "2024-11-21T00:00:00Z", "2024-11-22T00:00:00Z"]
LATER = "2024-11-23T00:00:00Z"
A = {"key": "a", "title": "Alpha"}
B = {"key": "b", "title": "Bravo"}
C = {"key": "c", "title": "Charlie"}


def page(items):
    return json.dumps({"items": items})


class DocumentsCase(VaneCase):
    def doc_monitor(self, settings=None, press_extra=None, script=FIXED):
        site = make_site(self, {"press.json": page([A]), "other.json": page([A])})
        m = self.monitor(serve_dir=site, sources=[], settings=settings)
        m.site = site
        m.add_script("items", script)
        rules = os.path.join(m.dir, "rules")
        os.makedirs(rules)
        with open(os.path.join(rules, "any_new.lua"), "w", encoding="utf-8") as f:
            f.write(ANY_NEW)
        m.rules = ["rules"]
        press = {"id": "press", "url": m.server.url("/press.json"), "script": "items"}
        press.update(press_extra or {})
        m.sources = [press, {"id": "other", "url": m.server.url("/other.json"), "script": "items"}]
        m.write_config()
        return m

    def history(self, m):
        """Publish [A], [B, A], [C, B, A] to both sources, one run each."""
        for t, items in zip(TIMES, ([A], [B, A], [C, B, A])):
            write_files(m.site, {"press.json": page(items), "other.json": page(items)})
            m.run(t)

    def bodies(self, m, source="press"):
        return m.sql("SELECT fetched_at, body FROM documents WHERE source = ? ORDER BY id", (source,))

    def rows_of(self, m, source):
        return (m.sql("SELECT * FROM events WHERE source = ? ORDER BY id", (source,)),
                m.sql("SELECT * FROM items WHERE source = ? ORDER BY key", (source,)),
                m.sql("SELECT * FROM documents WHERE source = ? ORDER BY id", (source,)))


class TestDocumentsKept(DocumentsCase):
    def test_bodies_are_kept_compressed_with_zstd(self):
        m = self.doc_monitor()
        self.history(m)
        kept = self.bodies(m)
        self.assertEqual([t for t, _ in kept], TIMES)
        last = kept[-1][1]
        self.assertTrue(last.startswith(ZSTD_MAGIC), "a zstd frame")
        if shutil.which("zstd"):
            raw = subprocess.run(["zstd", "-d", "-c"], input=last, capture_output=True).stdout
            self.assertEqual(raw.decode(), page([C, B, A]))

    def test_keep_documents_false_keeps_none_and_a_source_may_differ(self):
        m = self.doc_monitor(settings={"keep_documents": False},
                             press_extra={"keep_documents": "30d"})
        self.history(m)
        self.assertTrue(all(b for _, b in self.bodies(m, "press")))
        self.assertTrue(all(b is None for _, b in self.bodies(m, "other")))

    def test_turning_keep_documents_off_forgets_kept_bodies(self):
        m = self.doc_monitor()
        self.history(m)
        m.sources[0]["keep_documents"] = False
        m.write_config()
        write_files(m.site, {"press.json": page([A])})
        m.run(LATER)
        self.assertTrue(all(b is None for _, b in self.bodies(m, "press")))
        self.assertTrue(all(b for _, b in self.bodies(m, "other")))

    def test_bodies_older_than_keep_documents_are_forgotten(self):
        m = self.doc_monitor(press_extra={"keep_documents": "1d"})
        self.history(m)
        kept = [(t, b is not None) for t, b in self.bodies(m)]
        self.assertEqual(kept, [(TIMES[0], False), (TIMES[1], True), (TIMES[2], True)])

    def test_a_bad_keep_documents_is_named(self):
        m = self.doc_monitor(press_extra={"keep_documents": True})
        r = m.vane("check")
        self.assertExit(r, 2)
        self.assertIn("vane.lua:%d:" % m.config_line('id = "press"'), r.stderr)
        self.assertIn("keep_documents", r.stderr)


class TestReextract(DocumentsCase):
    def test_a_fixed_script_rebuilds_items_and_events_from_kept_documents(self):
        m = self.doc_monitor(script=BROKEN)
        self.history(m)
        flags_before = m.flags()
        self.assertEqual([f["message"] for f in flags_before if f["source"] == "press"],
                         ["new: ?", "new: ?"])
        other_before = self.rows_of(m, "other")
        old_ids = [e["id"] for e in m.events("--source", "press")]
        m.add_script("items", FIXED)
        r = m.vane("reextract", "press", "--json", "--now", LATER)
        self.assertExit(r, 0, "reextract")
        rep = parse_json_lines(r.stdout)[0]
        self.assertEqual((rep["documents"], rep["items"], rep["superseded"]),
                         (3, 3, len(old_ids)), rep)
        items = {k: json.loads(f)["title"] for k, f in
                 m.sql("SELECT key, fields FROM items WHERE source = 'press'")}
        self.assertEqual(items, {"a": "Alpha", "b": "Bravo", "c": "Charlie"})
        events = m.events("--source", "press")
        self.assertTrue(all(e["id"] not in old_ids for e in events), "old events are not listed")
        self.assertEqual([(e["key"], e["change"], e["baseline"], e["observed_at"]) for e in events],
                         [("a", "new", True, TIMES[0]), ("b", "new", False, TIMES[1]),
                          ("c", "new", False, TIMES[2])])
        self.assertEqual(m.sql("SELECT count(*) FROM events WHERE source = 'press' "
                               "AND superseded_by = ?", (rep["run_id"],))[0][0], len(old_ids))
        self.assertEqual(m.sql("SELECT count(*) FROM events WHERE source = 'press' "
                               "AND rederived = 1 AND evaluated = 1")[0][0], 3)
        self.assertEqual(self.rows_of(m, "other"), other_before, "another source is untouched")
        after = m.run(LATER)
        self.assertEqual(after.flags, [], "rebuilt events raise no flag again")
        self.assertEqual(m.flags(), flags_before)

    def test_with_flags_the_next_run_sees_the_rebuilt_events(self):
        m = self.doc_monitor(script=BROKEN)
        self.history(m)
        m.add_script("items", FIXED)
        self.assertExit(m.vane("reextract", "press", "--flags", "--now", LATER), 0)
        after = m.run(LATER)
        self.assertEqual(sorted(f["message"] for f in after.flags), ["new: Bravo", "new: Charlie"])

    def test_since_starts_from_a_new_baseline(self):
        m = self.doc_monitor(script=BROKEN)
        self.history(m)
        m.add_script("items", FIXED)
        r = m.vane("reextract", "press", "--since", TIMES[1], "--now", LATER)
        self.assertExit(r, 0)
        events = [(e["key"], e["change"], e["baseline"], e["observed_at"])
                  for e in m.events("--source", "press")]
        self.assertEqual(events[0], ("a", "new", True, TIMES[0]), "before --since: kept as it was")
        self.assertEqual(events[1:], [("a", "new", True, TIMES[1]), ("b", "new", True, TIMES[1]),
                                      ("c", "new", False, TIMES[2])])

    def test_a_script_that_reads_detail_pages_is_refused(self):
        m = self.doc_monitor()
        self.history(m)
        m.add_script("items", "return { list = function(doc) return vane.json.decode(doc.body).items end,\n"
                              "  detail = function(doc, item) return item end }\n")
        before = m.sql("SELECT * FROM events ORDER BY id")
        r = m.vane("reextract", "press", "--now", LATER)
        self.assertExit(r, 1)
        self.assertIn("source press: its script reads detail pages", r.stderr)
        self.assertEqual(m.sql("SELECT * FROM events ORDER BY id"), before, "nothing changed")

    def test_an_unknown_source_is_named_with_a_suggestion(self):
        m = self.doc_monitor()
        m.run(TIMES[0])
        r = m.vane("reextract", "pres")
        self.assertExit(r, 2)
        self.assertIn("no source 'pres'", r.stderr)
        self.assertIn("did you mean 'press'", r.stderr)


class TestPrune(DocumentsCase):
    def test_prune_keeps_items_flags_and_their_events_and_reports(self):
        m = self.doc_monitor()
        with open(m.config, "a", encoding="utf-8") as f:
            f.write('channel { id = "log", kind = "file", path = "flags.jsonl" }\n')
        self.history(m)
        items = m.sql("SELECT source, key, fields FROM items ORDER BY source, key")
        flags = m.flags()
        self.assertEqual(len(flags), 4)
        flagged = {f["event_id"] for f in flags}
        sent_before = m.sql("SELECT count(*) FROM outbox WHERE status = 'sent' AND sent_at < ?",
                            ("2024-11-21T12:00:00Z",))[0][0]
        self.assertGreater(sent_before, 0)
        r = m.vane("prune", "--older-than", "1d", "--json", "--now", "2024-11-22T12:00:00Z")
        self.assertExit(r, 0, "prune")
        rep = parse_json_lines(r.stdout)[0]
        self.assertEqual(m.sql("SELECT source, key, fields FROM items ORDER BY source, key"), items)
        self.assertEqual(m.flags(), flags)
        left = {row[0] for row in m.sql("SELECT id FROM events WHERE observed_at < ?",
                                         ("2024-11-21T12:00:00Z",))}
        self.assertEqual(left, flagged & left)
        self.assertTrue(flagged <= {row[0] for row in m.sql("SELECT id FROM events")})
        # the baseline events of both sources on the 20th are gone; so are two documents each
        self.assertEqual(rep["events"], 2, rep)
        self.assertEqual(rep["documents"], 4, rep)
        self.assertEqual(rep["outbox"], sent_before, "the flags of the 21st were sent")
        self.assertGreater(rep["bytes"], 0)
        self.assertEqual(m.sql("SELECT count(*) FROM documents WHERE fetched_at < ?",
                               ("2024-11-21T12:00:00Z",))[0][0], 0)
        text = m.vane("prune", "--older-than", "1d", "--now", "2024-11-22T12:00:00Z")
        self.assertExit(text, 0)
        self.assertIn("0 events, 0 documents", text.stdout)

    def test_a_bad_duration_is_an_error(self):
        m = self.doc_monitor()
        m.run(TIMES[0])
        for bad in ("365", "ten", "0d", "-5d"):
            r = m.vane("prune", "--older-than", bad)
            self.assertExit(r, 2, bad)
            self.assertIn("--older-than", r.stderr)


if __name__ == "__main__":
    unittest.main()

"""Keys that survive a site's move, a paged search that never reports
removals, and dates a script cannot read recorded with the run.

A feed (and a GDELT list, and a ministry's list page) served twice, the
second time with every link moved from http:// to https:// and carrying
tracking parameters, raises no flag and makes no `new` or `removed` event.
The real Federal Register captures, served in order to a source with
`removals = true`, give exactly the documents that are new on page 1 and no
removal. Dates the script cannot read are warnings kept in `vane runs`."""

import json
import os
import re

from vanetest import TOP, VaneCase, describe, make_site

FIXTURES = os.path.join(TOP, "tests", "fixtures")
REAL_FR = os.path.join(FIXTURES, "real", "federal_register")
GIFTS = ["gifts_2024-04-19.json", "gifts_2024-05-26.json", "gifts_2025-03-30.json"]
NOWS = ["2024-11-20T23:00:00Z", "2024-11-21T23:00:00Z", "2024-11-22T23:00:00Z"]
TRACKING = "utm_source=rss&utm_medium=feed&fbclid=IwAR0x"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def plain_http(url):
    return url.replace("https://", "http://", 1)


def tracked(url):
    """The URL as a site that moved to https and tags its links writes it."""
    url = url.replace("http://", "https://", 1)
    base, _, frag = url.partition("#")
    sep = "&" if "?" in base else "?"
    return base + sep + TRACKING + "#from-feed"


def move_links(text, pattern, how=tracked):
    """Every URL that `pattern` (one group: the URL) finds, rewritten."""
    return re.sub(pattern, lambda m: m.group(0).replace(m.group(1), how(m.group(1))), text)


class SiteMovesToHttps(VaneCase):

    def replay(self, script, before, after, **source):
        """Serve `before`, run, serve `after`, run: the second run's result."""
        site = make_site(self, {"doc1": before, "doc2": after})
        m = self.monitor(serve_dir=site, rules=None)
        src = {"id": "moving", "url": m.server.url("/feed"), "script": script,
               "removals": True}
        src.update(source)
        m.sources = [src]
        m.write_config()
        m.serve("doc1", "/feed")
        first = m.run(NOWS[0])
        n_items = len(m.events())
        self.assertGreater(n_items, 2, describe(first))
        m.serve("doc2", "/feed")
        r = m.run(NOWS[1])
        later = m.events()[n_items:]
        return m, r, later, n_items

    def assertNoChurn(self, r, later, n_items):
        self.assertEqual(r.flags, [], describe(r))
        kinds = sorted({e["change"] for e in later})
        self.assertEqual([e for e in later if e["change"] != "changed"], [],
                         "a move to https must not make new or removed events")
        # what may change is the link as the page now writes it, nothing else
        for e in later:
            self.assertEqual(set(e["diff"]), {"link"}, e)
        self.assertLessEqual(len(later), n_items, kinds)

    def test_rss_feed_moved_to_https_with_tracking_raises_nothing(self):
        p1 = read(os.path.join(FIXTURES, "press_releases", "p1.xml"))
        links = r"<(?:link|guid)[^>]*>(https://[^<]+)</"
        before = move_links(p1, links, plain_http)
        after = move_links(p1, links, lambda u: tracked(u).replace("&", "&amp;"))
        self.assertIn("utm_source", after)
        self.assertEqual(re.findall(links, before), [])
        m, r, later, n = self.replay("rss", before, after)
        self.assertNoChurn(r, later, n)
        self.assertTrue(later, "the links themselves did change")
        keys = {e["key"] for e in m.events()}
        self.assertFalse(any("utm_" in k or k.startswith("http://") for k in keys), keys)

    def test_gdelt_articles_moved_to_https_with_tracking_raise_nothing(self):
        g1 = read(os.path.join(FIXTURES, "gdelt", "g1.json"))
        urls = r'"url": "(https://[^"]+)"'
        before = move_links(g1, urls, plain_http)
        after = move_links(g1, urls)
        m, r, later, n = self.replay("gdelt", before, after)
        self.assertNoChurn(r, later, n)

    def test_list_page_with_absolute_links_moved_to_https_raises_nothing(self):
        rows = "".join('<li><a href="http://www.example.gov/news/2024/11/item-%d.html">'
                       'Statement number %d</a><span>2024-11-%02d</span></li>' % (i, i, i)
                       for i in range(1, 6))
        before = "<html><body><ul class=list1>%s</ul></body></html>" % rows
        after = move_links(before, r'href="(http://[^"]+)"')
        m, r, later, n = self.replay("html_links", before, after)
        self.assertNoChurn(r, later, n)
        self.assertEqual(len(later), 5, "each link changed as written")


def document_numbers(name):
    with open(os.path.join(REAL_FR, name), encoding="utf-8") as f:
        return [d["document_number"] for d in json.load(f)["results"]]


class FederalRegisterIsPaged(VaneCase):

    def test_real_gifts_searches_give_one_new_document_each_and_no_removal(self):
        m = self.monitor(serve_dir=REAL_FR)
        m.sources = [{"id": "fr-gifts", "url": m.server.url("/documents.json"),
                      "script": "federal_register", "removals": True}]
        m.write_config()
        seen = 0
        for i, name in enumerate(GIFTS):
            m.serve(name, "/documents.json")
            r = m.run(NOWS[i])
            events = m.events()[seen:]
            seen += len(events)
            numbers = document_numbers(name)
            if i == 0:
                self.assertEqual(sorted(e["key"] for e in events), sorted(numbers))
                self.assertEqual(r.flags, [], "the first fetch is the baseline")
                continue
            previous = set(document_numbers(GIFTS[i - 1]))
            want_new = sorted(set(numbers) - previous)
            self.assertEqual(len(want_new), 1, "the captures add one document each time")
            self.assertTrue(previous - set(numbers), "and one slides off page 1")
            got = {c: sorted(e["key"] for e in events if e["change"] == c)
                   for c in ("new", "removed")}
            self.assertEqual(got, {"new": want_new, "removed": []}, describe(r))
            fr = [f for f in r.flags if f["rule"] == "federal-register-new"]
            self.assertEqual([f["key"] for f in fr], want_new, describe(r))
            self.assertEqual([f for f in r.flags if f["change"] == "removed"], [])


class DateWarningsAreRecorded(VaneCase):

    PAGE = ("<html><body><ul class=list1>"
            "<li><a href='/a.html'>Remarks on trade</a><span>11/18/2024</span></li>"
            "<li><a href='/b.html'>Remarks on travel</a><span>03/04/2024</span></li>"
            "<li><a href='/c.html'>Remarks on visas</a><span>sometime in May</span></li>"
            "<li><a href='/d.html'>Remarks on talks</a><span>2024年11月18日</span></li>"
            "</ul></body></html>")

    def run_page(self, **options):
        site = make_site(self, {"list.html": self.PAGE})
        m = self.monitor(serve_dir=site, rules=None)
        m.sources = [{"id": "ministry", "url": m.server.url("/list.html"),
                      "script": "html_links", "options": options}]
        m.write_config()
        r = m.run(NOWS[0])
        published = {e["key"]: e["item"].get("published") for e in m.events()}
        return m, r, published

    def test_unreadable_dates_are_warnings_kept_with_the_run(self):
        m, r, published = self.run_page()
        self.assertEqual(published["/a.html"], "2024-11-18T00:00:00Z")
        self.assertEqual(published["/d.html"], "2024-11-18T00:00:00Z")
        self.assertIsNone(published["/b.html"], "03/04/2024 is not guessed")
        self.assertIsNone(published["/c.html"])
        run = m.last_run()
        warnings = run.get("warnings") or []
        self.assertEqual(len(warnings), 2, run)
        self.assertTrue(all(w.startswith("source ministry: ") for w in warnings), warnings)
        self.assertIn("'03/04/2024'", warnings[0] + warnings[1])
        self.assertTrue(any("'sometime in May'" in w for w in warnings), warnings)
        self.assertTrue(any("ambiguous" in w for w in warnings), warnings)
        self.assertEqual(run["exit_code"], 0, "a warning does not fail the run")
        table = m.vane("runs")
        self.assertEqual(table.returncode, 0, describe(table))
        self.assertIn("warnings", table.stdout.splitlines()[0])
        self.assertRegex(table.stdout.splitlines()[-1], r"\b2\s*$", table.stdout)

    def test_a_source_order_and_zone_read_the_dates(self):
        m, r, published = self.run_page(date_order="dmy", zone="Asia/Shanghai")
        self.assertEqual(published["/b.html"], "2024-04-02T16:00:00Z")
        self.assertIsNone(published["/a.html"], "no 18th month")
        self.assertEqual(published["/d.html"], "2024-11-17T16:00:00Z")
        warnings = m.last_run().get("warnings") or []
        self.assertEqual(len(warnings), 2, warnings)

    def test_an_unknown_zone_fails_the_source_naming_it(self):
        site = make_site(self, {"list.html": self.PAGE})
        m = self.monitor(serve_dir=site, rules=None)
        m.sources = [{"id": "ministry", "url": m.server.url("/list.html"),
                      "script": "html_links", "options": {"zone": "Asia/Bejing"}}]
        m.write_config()
        r = m.run(NOWS[0], expect=1)
        self.assertIn("source ministry", r.stderr)
        self.assertIn("unknown time zone 'Asia/Bejing'", r.stderr)

"""The fetcher: conditional requests, limits (timeout, max_bytes, redirects,
schemes), retries with back-off and Retry-After, the schedule, the
source-failing and source-empty health flags, concurrency caps, and a quiet
cron run. Every source here is a page on a fixture server on 127.0.0.1 read
by a tiny script of the monitor's own (one item per <li>)."""

import datetime
import email.utils
import hashlib
import os
import time
import unittest

from vanetest import (FixtureServer, VaneCase, describe, make_site, max_overlap, timed,
                      wait_for, write_files)

T0 = datetime.datetime(2024, 3, 1, 0, 0, 0, tzinfo=datetime.timezone.utc)

# One item per <li id="KEY">TEXT</li>.
LI_SCRIPT = """\
return function(doc, options)
  local items = {}
  for key, text in doc.body:gmatch('<li id="([^"]+)">(.-)</li>') do
    items[#items + 1] = { key = key, text = text }
  end
  return items
end
"""

# Flags every event a rule may see (not the baseline): "changed a" etc.
NEWS_RULE = """\
return {
  id = "item-news", title = "item news", severity = "low",
  when = function(ev) return true end,
  message = function(ev) return ev.change .. " " .. ev.key end,
}
"""


def at(minutes):
    """T0 + minutes, as vane's --now wants it."""
    return (T0 + datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def page(*keys, tag=""):
    """An HTML page with one <li> per key (text "KEY TAG")."""
    lis = "".join('<li id="%s">%s %s</li>' % (k, k, tag) for k in keys)
    return "<html><body><ul>%s</ul></body></html>\n" % lis


class FetchCase(VaneCase):

    def site_monitor(self, files, settings=None):
        """A monitor with the li script and the news rule, serving `files`."""
        site = make_site(self, files)
        m = self.monitor(sources=[], settings=settings, serve_dir=site)
        m.site = site
        m.add_script("li", LI_SCRIPT)
        rules = os.path.join(m.dir, "rules")
        os.makedirs(rules, exist_ok=True)
        with open(os.path.join(rules, "news.lua"), "w", encoding="utf-8") as f:
            f.write(NEWS_RULE)
        m.rules = ["rules"]
        m.write_config()
        return m

    def src(self, m, id, path, server=None, **extra):
        s = {"id": id, "url": (server or m.server).url(path), "script": "li",
             "every": "1h", "timeout": "5s"}
        s.update(extra)
        return s

    def configure(self, m, sources, settings=None):
        m.sources = sources
        if settings is not None:
            m.settings = settings
        m.write_config()

    def source_error(self, r, id):
        """The one stderr line `vane: source ID: …` of a run."""
        lines = [l for l in self.stderr_lines(r) if l.startswith("vane: source %s: " % id)]
        self.assertEqual(len(lines), 1, "one error line for source %s\n%s" % (id, describe(r)))
        return lines[0]

    def update(self, m, name, text=None):
        """Rewrite (or just touch) a served file with a later mtime, so that
        If-Modified-Since (one-second resolution) sees the change too."""
        path = os.path.join(m.site, name)
        if text is not None:
            write_files(m.site, {name: text})
        self._later = getattr(self, "_later", 0) + 10
        t = time.time() + self._later
        os.utime(path, (t, t))

    def events_of(self, m, source):
        return [e for e in m.events() if e["source"] == source]

    def starts(self, server, path):
        """Start times of the answered requests for `path`, in order."""
        return sorted(s[0] for s in server.spans() if s[2] == path)


# ---------------------------------------------------------------------------------------
class ConditionalRequests(FetchCase):

    def test_second_run_sends_validators_gets_304_and_extracts_nothing(self):
        names = ["a", "b", "c"]
        m = self.site_monitor({"%s.html" % n: page(n + "1", n + "2") for n in names})
        self.configure(m, [self.src(m, n, "/%s.html" % n) for n in names])
        m.run(at(0))
        n_events = len(m.events())
        self.assertEqual(n_events, 6, "baseline: two items per page")
        for n in names:
            first = m.server.request_headers("/%s.html" % n)[0]
            self.assertNotIn("if-none-match", first)
            self.assertNotIn("if-modified-since", first)

        r = m.run(at(10))
        self.assertEqual(r.flags, [], describe(r))
        self.assertEqual(r.stderr, "")
        for n in names:
            path = "/%s.html" % n
            hdrs = m.server.request_headers(path)
            self.assertEqual(len(hdrs), 2, path)
            self.assertTrue("if-none-match" in hdrs[1] or "if-modified-since" in hdrs[1],
                            "the second request for %s is not conditional: %r" % (path, hdrs[1]))
            self.assertTrue(wait_for(lambda: m.server.hits(path, 304) == 1, timeout=5),
                            "%s should have been answered 304 once" % path)
        self.assertEqual(len(m.events()), n_events, "a 304 makes no events")
        run = m.last_run()
        self.assertEqual((run["fetched"], run["unchanged"], run["failed"], run["events"]),
                         (0, 3, 0, 0), run)

        # a changed page is still seen: conditional requests mask nothing
        self.update(m, "b.html", page("b1", "b2", tag="edited"))
        r = m.run(at(20))
        run = m.last_run()
        self.assertEqual((run["fetched"], run["unchanged"], run["events"]), (1, 2, 2), run)
        self.assertEqual(sorted(f["message"] for f in r.flags), ["changed b1", "changed b2"],
                         describe(r))

    def test_an_etag_or_a_last_modified_alone_is_sent_back(self):
        m = self.site_monitor({"e.html": page("a"), "l.html": page("b")})
        m.server.set_validators("/e.html", "etag")
        m.server.set_validators("/l.html", "last-modified")
        self.configure(m, [self.src(m, "e", "/e.html"), self.src(m, "l", "/l.html")])
        m.run(at(0))
        r = m.run(at(10))
        self.assertEqual(r.flags, [])
        with open(os.path.join(m.site, "e.html"), "rb") as f:
            etag = '"%s"' % hashlib.sha256(f.read()).hexdigest()[:32]
        last_modified = email.utils.formatdate(int(os.stat(os.path.join(m.site, "l.html")).st_mtime),
                                               usegmt=True)
        e = m.server.request_headers("/e.html")[1]
        self.assertEqual(e.get("if-none-match"), etag, e)
        self.assertNotIn("if-modified-since", e)
        lm = m.server.request_headers("/l.html")[1]
        self.assertEqual(lm.get("if-modified-since"), last_modified, lm)
        self.assertNotIn("if-none-match", lm)
        for path in ("/e.html", "/l.html"):
            self.assertTrue(wait_for(lambda: m.server.hits(path, 304) == 1, timeout=5), path)
        run = m.last_run()
        self.assertEqual((run["fetched"], run["unchanged"]), (0, 2), run)

    def test_unchanged_body_without_validators_makes_no_events(self):
        m = self.site_monitor({"p.html": page("a", "b")})
        m.server.set_validators("/p.html", False)
        self.configure(m, [self.src(m, "p", "/p.html")])
        m.run(at(0))
        n_events = len(m.events())
        r = m.run(at(10))
        self.assertEqual(r.flags, [], describe(r))
        hdrs = m.server.request_headers("/p.html")
        self.assertEqual(len(hdrs), 2)
        self.assertNotIn("if-none-match", hdrs[1], "no ETag was ever sent")
        self.assertNotIn("if-modified-since", hdrs[1], "no Last-Modified was ever sent")
        self.assertTrue(wait_for(lambda: m.server.hits("/p.html", 200) == 2, timeout=5),
                        "both requests answered with the full body")
        self.assertEqual(len(m.events()), n_events, "the same body again makes no events")
        run = m.last_run()
        self.assertEqual((run["fetched"], run["unchanged"], run["events"]), (0, 1, 0), run)

        self.update(m, "p.html", page("a", "b", "c"))
        r = m.run(at(20))
        self.assertEqual([f["message"] for f in r.flags], ["new c"], describe(r))


# ---------------------------------------------------------------------------------------
class Limits(FetchCase):

    def test_slow_source_times_out_while_fast_sources_are_stored(self):
        files = {"fast%d.html" % i: page("f%d" % i, "g%d" % i) for i in range(3)}
        files["slow.html"] = page("s")
        m = self.site_monitor(files)
        m.server.set_delay("/slow.html", 10)
        self.configure(m, [self.src(m, "slow", "/slow.html", timeout="1s")] +
                       [self.src(m, "fast%d" % i, "/fast%d.html" % i) for i in range(3)])
        r, took = timed(m.run, at(0), expect=1)
        self.assertLess(took, 8, "the run must not wait for the slow origin\n" + describe(r))
        line = self.source_error(r, "slow")
        self.assertIn("timed out", line.lower())
        self.assertEqual(len(self.stderr_lines(r)), 1, describe(r))
        self.assertEqual(m.server.arrived("/slow.html"), 3,
                         "a timeout is transient: 1 attempt + 2 retries")
        self.assertIn("after 3 attempts", line)
        rows = m.source_rows()
        for i in range(3):
            row = rows["fast%d" % i]
            self.assertEqual(row["last_success"], at(0), row)
            self.assertEqual(row["items"], 2, row)
            self.assertEqual(len(self.events_of(m, "fast%d" % i)), 2)
        self.assertIsNone(rows["slow"]["last_success"])
        self.assertEqual(rows["slow"]["failures"], 1)
        self.assertIn("timed out", (rows["slow"]["last_error"] or "").lower())
        self.assertEqual(self.events_of(m, "slow"), [])

    def test_endless_body_is_cut_at_max_bytes(self):
        big = "<html><body><ul>" + '<li id="x">%s</li>' % ("y" * 300_000) + "</ul></body></html>"
        m = self.site_monitor({"big.html": big, "ok.html": page("a")})
        m.server.set_endless("/endless.html", 50_000_000)
        self.configure(m, [self.src(m, "endless", "/endless.html", max_bytes="100KB"),
                           self.src(m, "big", "/big.html", max_bytes="100KB"),
                           self.src(m, "ok", "/ok.html", max_bytes="100KB")])
        r, took = timed(m.run, at(0), expect=1)
        for id in ("endless", "big"):
            self.assertIn("larger than", self.source_error(r, id))
        self.assertEqual(len(self.stderr_lines(r)), 2, describe(r))
        self.assertTrue(wait_for(lambda: m.server.streams("/endless.html"), timeout=15),
                        "the endless stream never ended")
        streams = m.server.streams("/endless.html")
        self.assertEqual(len(streams), 1, "an oversized body is not retried: %r" % streams)
        self.assertTrue(streams[0]["hung_up"], "vane should hang up: %r" % streams)
        self.assertLess(streams[0]["sent"], 25_000_000, "far below the 50 MB bound: %r" % streams)
        self.assertEqual(m.server.arrived("/big.html"), 1)
        rows = m.source_rows()
        for id in ("endless", "big"):
            self.assertIn("larger than", rows[id]["last_error"] or "", rows[id])
            self.assertIsNone(rows[id]["last_success"])
            self.assertEqual(self.events_of(m, id), [])
        self.assertEqual(rows["ok"]["last_success"], at(0))
        self.assertEqual(len(self.events_of(m, "ok")), 1)

    def test_redirect_loop_fails_while_other_sources_are_fine(self):
        m = self.site_monitor({"p.html": page("a", "b")})
        m.server.set_redirect("/loop.html", "/loop.html")
        m.server.set_redirect("/hop1.html", "/hop2.html")
        m.server.set_redirect("/hop2.html", "/p.html")
        self.configure(m, [self.src(m, "loop", "/loop.html"), self.src(m, "hop", "/hop1.html"),
                           self.src(m, "ok", "/p.html")])
        r = m.run(at(0), expect=1)
        line = self.source_error(r, "loop")
        self.assertIn("redirect", line.lower())
        self.assertEqual(len(self.stderr_lines(r)), 1, describe(r))
        self.assertEqual(m.server.arrived("/loop.html"), 6,
                         "the request and 5 redirects followed, then a stop, no retry")
        rows = m.source_rows()
        self.assertIsNone(rows["loop"]["last_success"])
        self.assertIn("redirect", (rows["loop"]["last_error"] or "").lower())
        for id in ("hop", "ok"):
            self.assertEqual(rows[id]["last_success"], at(0), rows[id])
            self.assertEqual(rows[id]["items"], 2, rows[id])
        self.assertEqual(self.events_of(m, "loop"), [])

    def test_redirect_to_a_file_url_is_refused_even_with_allow_file(self):
        m = self.site_monitor({"p.html": page("a", "b")})
        m.server.set_redirect("/tofile.html", "file://" + os.path.join(m.site, "p.html"))
        self.configure(m, [self.src(m, "tofile", "/tofile.html")],
                       settings={"allow_file": True})
        r = m.run(at(0), expect=1)
        self.source_error(r, "tofile")
        self.assertEqual(self.events_of(m, "tofile"), [])
        self.assertIsNone(m.source_rows()["tofile"]["last_success"])

    def test_file_url_needs_allow_file(self):
        m = self.site_monitor({"p.html": page("a", "b")})
        file_url = "file://" + os.path.join(m.site, "p.html")
        self.configure(m, [self.src(m, "ok", "/p.html"),
                           {"id": "local", "url": file_url, "script": "li"}])
        line = m.config_line(file_url)
        r = m.vane("check")
        self.assertExit(r, 2, "vane check with a file:// source and no allow_file")
        self.assertIn("vane.lua:%d" % line, r.stderr, describe(r))
        self.assertIn("local", r.stderr)
        r = m.vane("run", "--all", "--now", at(0))
        self.assertExit(r, 2, "vane run refuses the configuration too")
        self.assertEqual(m.server.arrived("/p.html"), 0, "nothing is done")

        m.settings = {"allow_file": True}
        m.write_config()
        self.assertExit(m.vane("check"), 0, "allow_file = true")
        r = m.run(at(0))
        self.assertEqual(r.stderr, "")
        rows = m.source_rows()
        self.assertEqual(rows["local"]["last_success"], at(0), rows["local"])
        self.assertEqual(rows["local"]["items"], 2)
        self.assertEqual(sorted(e["key"] for e in self.events_of(m, "local")), ["a", "b"])


    def test_user_agent_and_accept_encoding_are_sent(self):
        m = self.site_monitor({"p.html": page("a")})
        self.configure(m, [self.src(m, "p", "/p.html")])
        m.run(at(0))
        h = m.server.request_headers("/p.html")[0]
        self.assertRegex(h.get("user-agent", ""), r"^vane/\S+$", "the default user agent")
        self.assertIn("accept-encoding", h, "compressed responses are accepted")
        m.settings = {"user_agent": "vane-test (+mailto:desk@example.org)"}
        m.write_config()
        m.run(at(60))
        h = m.server.request_headers("/p.html")[1]
        self.assertEqual(h.get("user-agent"), "vane-test (+mailto:desk@example.org)")


# ---------------------------------------------------------------------------------------
class Retries(FetchCase):

    def test_503_with_retry_after_is_retried_and_succeeds(self):
        m = self.site_monitor({"p.html": page("a", "b"), "d.html": page("c")})
        m.server.set_flaky("/p.html", 503, retry_after=1, times=2)
        m.server.set_flaky("/d.html", 503, retry_after=2, times=1, as_date=True)
        self.configure(m, [self.src(m, "p", "/p.html"), self.src(m, "d", "/d.html")])
        r, took = timed(m.run, at(0))
        self.assertEqual(r.stderr, "")
        self.assertEqual(m.server.arrived("/p.html"), 3, "two 503s, then the 200")
        self.assertEqual(m.server.arrived("/d.html"), 2, "one 503, then the 200")
        s = self.starts(m.server, "/p.html")
        gaps = [b - a for a, b in zip(s, s[1:])]
        self.assertTrue(all(g >= 0.95 for g in gaps),
                        "Retry-After: 1 is honoured (not the 0.5 s back-off): %r" % gaps)
        s = self.starts(m.server, "/d.html")
        self.assertGreaterEqual(s[1] - s[0], 0.9, "Retry-After as an HTTP date ≥ 1 s ahead")
        self.assertLess(took, 8)
        rows = m.source_rows()
        for id, n in (("p", 2), ("d", 1)):
            self.assertEqual(rows[id]["last_status"], 200, rows[id])
            self.assertEqual(rows[id]["failures"], 0)
            self.assertEqual(rows[id]["items"], n)

    def test_429_with_long_retry_after_fails_at_once(self):
        m = self.site_monitor({"p.html": page("a"), "d.html": page("b"), "ok.html": page("c")})
        m.server.set_flaky("/p.html", 429, retry_after=3600)
        m.server.set_flaky("/d.html", 503, retry_after=3600, as_date=True)
        self.configure(m, [self.src(m, "slowdown", "/p.html"), self.src(m, "later", "/d.html"),
                           self.src(m, "ok", "/ok.html")])
        r, took = timed(m.run, at(0), expect=1)
        self.assertLess(took, 5, "a Retry-After beyond max_retry_wait is not waited for")
        self.assertIn("429", self.source_error(r, "slowdown"))
        self.assertIn("503", self.source_error(r, "later"))
        self.assertEqual(m.server.arrived("/p.html"), 1)
        self.assertEqual(m.server.arrived("/d.html"), 1)
        rows = m.source_rows()
        self.assertEqual(rows["slowdown"]["last_status"], 429)
        self.assertEqual(rows["ok"]["last_success"], at(0))

    def test_503_without_retry_after_backs_off_and_fails_after_three_attempts(self):
        m = self.site_monitor({"p.html": page("a")})
        m.server.set_flaky("/p.html", 503)
        self.configure(m, [self.src(m, "p", "/p.html")])
        r, took = timed(m.run, at(0), expect=1)
        self.assertIn("HTTP 503 (after 3 attempts)", self.source_error(r, "p"))
        self.assertEqual(m.server.arrived("/p.html"), 3)
        s = self.starts(m.server, "/p.html")
        gaps = [b - a for a, b in zip(s, s[1:])]
        self.assertGreaterEqual(gaps[0], 0.45, gaps)
        self.assertGreaterEqual(gaps[1], 0.95, "the back-off doubles: %r" % gaps)
        self.assertLess(took, 8)
        row = m.source_rows()["p"]
        self.assertEqual(row["last_status"], 503)
        self.assertIn("after 3 attempts", row["last_error"] or "")

    def test_retries_setting_caps_the_attempts(self):
        m = self.site_monitor({"p.html": page("a")}, settings={"retries": 0})
        m.server.set_flaky("/p.html", 502)
        self.configure(m, [self.src(m, "p", "/p.html")])
        r = m.run(at(0), expect=1)
        self.assertIn("502", self.source_error(r, "p"))
        self.assertEqual(m.server.arrived("/p.html"), 1, "retries = 0: one attempt")

    def test_404_and_500_are_not_retried(self):
        m = self.site_monitor({"p.html": page("a")})
        m.server.set_status("/err.html", 500)
        self.configure(m, [self.src(m, "missing", "/missing.html"),
                           self.src(m, "err", "/err.html"), self.src(m, "ok", "/p.html")])
        for n in (1, 2):
            r = m.run(at(n * 60), expect=1)
            self.assertIn("404", self.source_error(r, "missing"))
            self.assertIn("500", self.source_error(r, "err"))
            self.assertNotIn("attempts", r.stderr)
            self.assertEqual(m.server.arrived("/missing.html"), n, "one request per run")
            self.assertEqual(m.server.arrived("/err.html"), n, "one request per run")
        rows = m.source_rows()
        self.assertEqual((rows["missing"]["last_status"], rows["missing"]["failures"]), (404, 2))
        self.assertEqual((rows["err"]["last_status"], rows["err"]["failures"]), (500, 2))


# ---------------------------------------------------------------------------------------
class Health(FetchCase):

    def failing_flags(self, m):
        return [f for f in m.flags() if f["rule"] == "source-failing"]

    def test_failing_source_is_counted_and_flagged_once_per_episode(self):
        m = self.site_monitor({"bad.html": page("a", "b"), "good.html": page("c")})
        m.server.set_status("/bad.html", 500)
        self.configure(m, [self.src(m, "bad", "/bad.html"), self.src(m, "good", "/good.html")])
        minute = 0
        for i in range(1, 6):
            minute += 60
            if i == 3:   # the flag as a person sees it
                r = m.run(at(minute), expect=1, json_out=False)
                lines = [l for l in r.stdout.splitlines() if "source-failing" in l]
                self.assertEqual(len(lines), 1, describe(r))
                self.assertIn("bad", lines[0])
            else:
                r = m.run(at(minute), expect=1)
                self.assertEqual(r.flags, [], "run %d\n%s" % (i, describe(r)))
            self.assertIn("HTTP 500", self.source_error(r, "bad"))
            row = m.source_rows()["bad"]
            self.assertEqual(row["failures"], i, row)
            self.assertEqual(row["last_status"], 500, row)
            self.assertIn("500", row["last_error"] or "", row)
            self.assertEqual(row["last_attempt"], at(minute))
            self.assertIsNone(row["last_success"])
            self.assertEqual(len(self.failing_flags(m)), 0 if i < 3 else 1, "after run %d" % i)
        flag = self.failing_flags(m)[0]
        self.assertEqual((flag["source"], flag["severity"]), ("bad", "high"), flag)

        # recovery clears the episode ...
        m.server.set_status("/bad.html", None)
        minute += 60
        m.run(at(minute))
        row = m.source_rows()["bad"]
        self.assertEqual((row["failures"], row["last_success"], row["last_error"]),
                         (0, at(minute), None), row)
        # ... and three more failures in a row are a second episode
        m.server.set_status("/bad.html", 500)
        for i in range(1, 4):
            minute += 60
            r = m.run(at(minute), expect=1)
            want = 1 if i < 3 else 2
            self.assertEqual(len(self.failing_flags(m)), want, "failure %d of episode 2" % i)
        self.assertEqual([f["rule"] for f in r.flags], ["source-failing"], describe(r))
        flags = self.failing_flags(m)
        self.assertEqual([f["source"] for f in flags], ["bad", "bad"])
        self.assertEqual(m.source_rows()["good"]["failures"], 0)

    def test_failing_after_setting(self):
        m = self.site_monitor({"p.html": page("a")}, settings={"failing_after": 2})
        m.server.set_status("/bad.html", 500)
        self.configure(m, [self.src(m, "bad", "/bad.html")])
        r = m.run(at(60), expect=1)
        self.assertEqual(r.flags, [])
        r = m.run(at(120), expect=1)
        self.assertEqual([(f["rule"], f["source"]) for f in r.flags], [("source-failing", "bad")])

    def test_a_new_episode_in_the_same_clock_second_is_still_flagged(self):
        # Each episode raises its flag, however close together the runs are
        # (here: every run at the same --now, as in a replay).
        m = self.site_monitor({"full.html": page("a"), "empty.html": "<p>none</p>"})
        self.configure(m, [self.src(m, "bad", "/bad.html"), self.src(m, "e", "/e.html")])
        now = at(0)
        m.server.alias("/bad.html", "full.html")
        m.server.alias("/e.html", "full.html")
        m.run(now)
        m.server.set_status("/bad.html", 500)
        for _ in range(3):                       # episode 1 of each flag
            m.run(now, expect=1)
            self.update(m, "empty.html")
            m.server.alias("/e.html", "empty.html")
        m.server.set_status("/bad.html", None)   # both recover ...
        self.update(m, "full.html")
        m.server.alias("/e.html", "full.html")
        m.run(now)
        m.server.set_status("/bad.html", 500)    # ... and go wrong again
        self.update(m, "empty.html")
        m.server.alias("/e.html", "empty.html")
        for _ in range(3):
            m.run(now, expect=1)
        got = {}
        for f in m.flags():
            got[f["rule"]] = got.get(f["rule"], 0) + 1
        self.assertEqual((got.get("source-failing", 0), got.get("source-empty", 0)), (2, 2),
                         "one flag per episode, two episodes each: %r" % got)

    def test_source_empty_is_flagged_once_and_removes_nothing(self):
        m = self.site_monitor({"full.html": page("a", "b", "c"),
                               "empty1.html": "<html><body><p>We have redesigned</p></body></html>",
                               "empty2.html": "<html><body><p>Redesigned again</p></body></html>",
                               "empty3.html": "<html><body><p>And again</p></body></html>"})
        m.server.alias("/p.html", "full.html")
        self.configure(m, [self.src(m, "p", "/p.html", removals=True)])
        m.run(at(0))
        n_events = len(m.events())
        self.assertEqual(n_events, 3)

        def empty_flags():
            return [f for f in m.flags() if f["rule"] == "source-empty"]

        self.update(m, "empty1.html")
        m.server.alias("/p.html", "empty1.html")
        r = m.run(at(60))
        self.assertEqual([(f["rule"], f["source"]) for f in r.flags], [("source-empty", "p")],
                         describe(r))
        self.assertEqual(len(empty_flags()), 1)
        self.assertEqual(m.source_rows()["p"]["items"], 0)
        self.assertEqual(len(m.events()), n_events, "no `removed` events for an empty page")

        self.update(m, "empty2.html")
        m.server.alias("/p.html", "empty2.html")   # another body, still no items
        r = m.run(at(120))
        self.assertEqual(r.flags, [], describe(r))
        self.assertEqual(m.last_run()["fetched"], 1, "the new body was extracted")
        self.assertEqual(len(empty_flags()), 1, "once per episode")
        self.assertEqual(len(m.events()), n_events)

        self.update(m, "full.html")
        m.server.alias("/p.html", "full.html")     # items are back: no events, no flags
        r = m.run(at(180))
        self.assertEqual(r.flags, [], describe(r))
        self.assertEqual(len(m.events()), n_events)
        self.assertEqual(m.source_rows()["p"]["items"], 3)

        self.update(m, "empty3.html")
        m.server.alias("/p.html", "empty3.html")   # a new episode
        r = m.run(at(240))
        self.assertEqual([f["rule"] for f in r.flags], ["source-empty"], describe(r))
        self.assertEqual(len(empty_flags()), 2)
        self.assertFalse([e for e in m.events() if e["change"] == "removed"])


# ---------------------------------------------------------------------------------------
class Schedule(FetchCase):

    def test_run_fetches_only_due_sources(self):
        m = self.site_monitor({"a.html": page("a"), "b.html": page("b")})
        self.configure(m, [self.src(m, "a", "/a.html"), self.src(m, "b", "/b.html")])

        def hits():
            return m.server.arrived("/a.html"), m.server.arrived("/b.html")

        r = m.vane("run", "--now", at(0))
        self.assertExit(r, 0, "first run: every source is due")
        self.assertEqual(hits(), (1, 1))
        rows = m.source_rows()
        self.assertEqual((rows["a"]["next_due"], rows["b"]["next_due"]), (at(60), at(60)))

        r = m.vane("run", "--now", at(10))
        self.assertExit(r, 0, "nothing due")
        self.assertEqual((r.stdout, r.stderr), ("", ""))
        self.assertEqual(hits(), (1, 1), "nothing is due 10 minutes later")

        r = m.vane("run", "--now", at(61))
        self.assertExit(r, 0)
        self.assertEqual(hits(), (2, 2), "both are due again after 1h")

        r = m.vane("run", "--source", "a", "--now", at(62))
        self.assertExit(r, 0)
        self.assertEqual(hits(), (3, 2), "--source a: just a, due or not")

        r = m.vane("run", "--all", "--now", at(63))
        self.assertExit(r, 0)
        self.assertEqual(hits(), (4, 3), "--all: every source")

    def test_failures_back_off_exponentially_up_to_24_times_every(self):
        m = self.site_monitor({"p.html": page("a")})
        m.server.set_status("/p.html", 500)
        self.configure(m, [self.src(m, "p", "/p.html")])
        minute = 0
        for failures, hours in ((1, 2), (2, 4), (3, 8), (4, 16), (5, 24), (6, 24)):
            minute += 1
            m.run(at(minute), expect=1)
            row = m.source_rows()["p"]
            self.assertEqual(row["failures"], failures)
            self.assertEqual(row["next_due"], at(minute + hours * 60),
                             "after %d failures: %dh" % (failures, hours))
        n = m.server.arrived("/p.html")
        r = m.vane("run", "--now", at(minute + 23 * 60))
        self.assertExit(r, 0, "not due yet")
        self.assertEqual(m.server.arrived("/p.html"), n)
        m.server.set_status("/p.html", None)
        minute += 24 * 60
        r = m.vane("run", "--now", at(minute))
        self.assertExit(r, 0, "due after 24 × every; it recovers")
        self.assertEqual(m.server.arrived("/p.html"), n + 1)
        row = m.source_rows()["p"]
        self.assertEqual((row["failures"], row["next_due"]), (0, at(minute + 60)),
                         "a success resets the schedule")


# ---------------------------------------------------------------------------------------
class Concurrency(FetchCase):

    def test_thousand_sources_are_each_fetched_once_within_the_per_host_cap(self):
        n = 1000
        files = {"pages/p%04d.html" % i: page("k%d" % i) for i in range(n)}
        m = self.site_monitor(files, settings={"max_parallel": 16, "per_host": 8})
        m.server.set_delay("*", 0.01)   # long enough for transfers to overlap
        self.configure(m, [self.src(m, "s%04d" % i, "/pages/p%04d.html" % i) for i in range(n)])
        r, took = timed(m.run, at(0), timeout=300)
        self.assertEqual(r.stderr, "", describe(r))
        arrivals = m.server.stats()["arrivals"]
        self.assertEqual(len(arrivals), n, "every page was asked for")
        self.assertEqual(sorted(set(arrivals.values())), [1], "each page exactly once")
        rows = m.source_rows()
        self.assertEqual(len(rows), n)
        self.assertEqual([k for k, row in rows.items() if row["last_success"] != at(0)], [])
        self.assertTrue(all(row["items"] == 1 for row in rows.values()))
        run = m.last_run()
        self.assertEqual((run["sources"], run["fetched"], run["failed"]), (n, n, 0), run)
        most = m.server.max_in_flight("/")
        self.assertLessEqual(most, 8, "per_host = 8 (took %.1f s)" % took)
        self.assertGreater(most, 1, "the transfers should overlap")
        self.assertEqual(m.server.max_in_flight("/pages/"), most)

    def test_two_hosts_respect_per_host_and_max_parallel(self):
        files = {"p%d.html" % i: page("k%d" % i) for i in range(6)}
        m = self.site_monitor(files, settings={"max_parallel": 3, "per_host": 2})
        other = FixtureServer(m.site)
        other.start()
        self.addCleanup(other.stop)
        for s in (m.server, other):
            s.set_delay("*", 0.25)
        self.configure(m, [self.src(m, "a%d" % i, "/p%d.html" % i) for i in range(6)] +
                       [self.src(m, "b%d" % i, "/p%d.html" % i, server=other) for i in range(6)])
        r = m.run(at(0))
        self.assertEqual(r.stderr, "")
        self.assertEqual(m.server.stats()["total"] + other.stats()["total"], 12)
        a, b = m.server.max_in_flight(), other.max_in_flight()
        both = max_overlap(m.server.spans() + other.spans())
        self.assertLessEqual(a, 2, "per_host = 2 on %s" % m.server.url())
        self.assertLessEqual(b, 2, "per_host = 2 on %s" % other.url())
        self.assertLessEqual(both, 3, "max_parallel = 3 over both hosts")
        self.assertGreaterEqual(both, 2, "hosts should be fetched at the same time")
        self.assertEqual(len([row for row in m.source_rows().values() if row["last_success"]]), 12)


# ---------------------------------------------------------------------------------------
class Cron(FetchCase):

    def test_cron_run_without_news_prints_nothing(self):
        m = self.site_monitor({"p.html": page("a", "b")})
        self.configure(m, [self.src(m, "p", "/p.html")])
        r = m.vane("run", "--now", at(0))          # stdout and stderr are pipes
        self.assertExit(r, 0, "baseline")
        self.assertEqual((r.stdout, r.stderr), ("", ""), "a baseline is not news")
        r = m.vane("run", "--now", at(61))
        self.assertExit(r, 0, "due, unchanged")
        self.assertEqual(m.server.arrived("/p.html"), 2)
        self.assertEqual((r.stdout, r.stderr), ("", ""), "no news, no output")
        self.update(m, "p.html", page("a", "b", tag="edited"))
        r = m.vane("run", "--now", at(122))
        self.assertExit(r, 0, "news")
        self.assertEqual(r.stderr, "")
        self.assertEqual(sorted(l for l in r.stdout.splitlines()),
                         ["[low] item-news p: changed a", "[low] item-news p: changed b"],
                         describe(r))


if __name__ == "__main__":
    unittest.main()

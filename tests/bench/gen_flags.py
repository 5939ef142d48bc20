#!/usr/bin/env python3
"""gen_flags.py — a vane database with many flags, for the web view's benchmark.

usage: gen_flags.py DB FLAGS [--countries 200] [--news-sources 20]

DB must be a vane database already migrated (`vane run` once on a config
with no source creates one). Writes, in one transaction, rows shaped like
the ones `vane run` stores (the shipped travel_advisories script's items,
the shipped rules' flags with their context):
  - source travel-advisories with COUNTRIES countries (keys A000…): a
    baseline and then level changes, each an event and an
    advisory-level-change flag with its changes (level, label, title and a
    summary with its word diff), half the flags;
  - NEWS_SOURCES sources news-00…: one new item per flag (new-meeting), the
    other half;
  - one run per 100 flags, an hour apart from 2020-01-01; a verdict on every
    tenth flag (useful and noise in turn).
Prints "flag_id=ID key=KEY source=SOURCE" for a flag in the middle of the
advisory series (the pages to measure), and the counts on stderr.
Python's standard library only.
"""
import argparse
import datetime
import json
import sqlite3
import sys

LABELS = {1: "Exercise Normal Precautions", 2: "Exercise Increased Caution",
          3: "Reconsider Travel", 4: "Do Not Travel"}
T0 = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)


def iso(run):
    return (T0 + datetime.timedelta(hours=run)).strftime("%Y-%m-%dT%H:%M:%SZ")


def js(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def advisory(code, country, level, n):
    summary = ("Advisory %d for %s. Exercise care in %s due to crime and unrest. "
               "Risk indicators Crime (C) Unrest (U)." % (n, country, country))
    return {"code": code, "country": country, "level": level, "label": LABELS[level],
            "title": "%s - Level %d: %s" % (country, level, LABELS[level]),
            "link": "https://travel.state.gov/advisories/%s.html" % code.lower(),
            "notations": ["C", "U"], "indicators_added": [], "indicators_removed": [],
            "published": iso(n)[:10] + "T00:00:00Z", "summary": summary}


class Gen:
    def __init__(self, con, flags, countries, news):
        self.con, self.n_flags, self.countries, self.news = con, flags, countries, news
        self.runs = max(1, (flags + 99) // 100)
        self.event_id = 0
        self.flag_id = 0
        # after the runs already there (the one that created the database)
        self.run0 = con.execute("SELECT coalesce(max(id), 0) FROM runs").fetchone()[0]

    def event(self, run, source, key, change, item, prev=None, diff=None, baseline=0):
        self.event_id += 1
        self.con.execute(
            "INSERT INTO events (id, run_id, source, key, change, baseline, item, prev, diff,"
            " observed_at, evaluated) VALUES (?,?,?,?,?,?,?,?,?,?,1)",
            (self.event_id, self.run0 + run, source, key, change, baseline, js(item),
             None if prev is None else js(prev), None if diff is None else js(diff), iso(run)))
        return self.event_id

    def flag(self, run, rule, severity, message, source, key, change, ev, item, rule_title, changes):
        self.flag_id += 1
        self.con.execute(
            "INSERT INTO flags (id, run_id, rule, severity, message, source, key, change, event_id,"
            " observed_at, created_at, dedup, title, link, source_name, rule_title, changes)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (self.flag_id, self.run0 + run, rule, severity, message, source, key, change, ev, iso(run), iso(run),
             "%s\x1f%d\x1f%s" % (rule, ev, message), item.get("title"), item.get("link"), source,
             rule_title, js(changes)))
        if self.flag_id % 10 == 0:
            self.con.execute("INSERT INTO verdicts (flag_id, verdict, note, who, at) VALUES (?,?,?,?,?)",
                             (self.flag_id, "useful" if self.flag_id % 20 == 0 else "noise",
                              "bench", "bench", iso(run)))

    def run_of(self, i, total):
        return 2 + (i * (self.runs - 1)) // max(1, total)

    def sources(self):
        rows = [("travel-advisories", "http://127.0.0.1:9/travel-advisories")]
        rows += [("news-%02d" % s, "http://127.0.0.1:9/news-%02d" % s) for s in range(self.news)]
        for sid, url in rows:
            self.con.execute(
                "INSERT INTO sources (id, url, baselined, last_attempt, last_success, last_status,"
                " failures, items, next_due) VALUES (?,?,1,?,?,200,0,?,?)",
                (sid, url, iso(self.runs + 1), iso(self.runs + 1), 0, iso(self.runs + 2)))
        for r in range(1, self.runs + 2):
            self.con.execute("INSERT INTO runs (id, started_at, finished_at, status, exit_code, sources,"
                             " errors, warnings) VALUES (?,?,?,'ok',0,?,'[]','[]')",
                             (self.run0 + r, iso(r), iso(r), len(rows)))

    def advisories(self, n_flags):
        state = {}
        for c in range(self.countries):
            code, country = "A%03d" % c, "Country %03d" % c
            state[code] = advisory(code, country, 1 + c % 4, 0)
            self.event(1, "travel-advisories", code, "new", state[code], baseline=1)
        codes = sorted(state)
        for i in range(n_flags):
            code = codes[i % len(codes)]
            old = state[code]
            level = old["level"] % 4 + 1
            new = advisory(code, old["country"], level, i + 1)
            run = self.run_of(i, n_flags)
            diff = ["label", "level", "published", "summary", "title"]
            prev = {f: [old[f]] for f in diff}
            ev = self.event(run, "travel-advisories", code, "changed", new, prev, diff)
            changes = [{"field": "level", "old": old["level"], "new": level},
                       {"field": "label", "old": old["label"], "new": new["label"]},
                       {"field": "title", "old": old["title"], "new": new["title"]},
                       {"field": "summary", "old": old["summary"], "new": new["summary"],
                        "diff": [["-", old["summary"].split(" for ")[0]],
                                 ["+", new["summary"].split(" for ")[0]],
                                 ["=", " for " + new["summary"].split(" for ", 1)[1]]]}]
            msg = "%s: Level %d → Level %d (%s → %s)" % (old["country"], old["level"], level,
                                                       old["label"], new["label"])
            self.flag(run, "advisory-level-change", "high", msg, "travel-advisories", code, "changed",
                      ev, new, "Travel advisory level changed", changes)
            state[code] = new
        for code, item in state.items():
            self.con.execute("INSERT INTO items (source, key, fields, first_seen, last_seen)"
                             " VALUES (?,?,?,?,?)", ("travel-advisories", code, js(item), iso(1),
                                                    iso(self.runs)))
        return codes

    def news_items(self, n_flags):
        for i in range(n_flags):
            sid = "news-%02d" % (i % max(1, self.news))
            key = "https://news.example/%s/%d" % (sid, i)
            run = self.run_of(i, n_flags)
            item = {"title": "Meeting %d of the Working Group on <item> & \"quotes\"" % i,
                    "link": key, "published": iso(run), "summary": "Officials met for the %dth time." % i}
            ev = self.event(run, sid, key, "new", item)
            self.flag(run, "new-meeting", "medium", "New meeting: " + item["title"], sid, key, "new", ev,
                      item, "New meeting of a named group", [])
            self.con.execute("INSERT INTO items (source, key, fields, first_seen, last_seen)"
                             " VALUES (?,?,?,?,?)", (sid, key, js(item), iso(run), iso(self.runs)))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db")
    ap.add_argument("flags", type=int)
    ap.add_argument("--countries", type=int, default=200)
    ap.add_argument("--news-sources", type=int, default=20)
    a = ap.parse_args(argv)
    con = sqlite3.connect(a.db)
    con.execute("PRAGMA foreign_keys = OFF")
    if con.execute("SELECT count(*) FROM sqlite_master WHERE name IN ('flags', 'verdicts')").fetchone()[0] != 2:
        sys.exit("gen_flags: %s is not a migrated vane database (run vane once on it)" % a.db)
    if con.execute("SELECT count(*) FROM flags").fetchone()[0]:
        sys.exit("gen_flags: %s already has flags" % a.db)
    g = Gen(con, a.flags, a.countries, a.news_sources)
    with con:
        g.sources()
        n_adv = a.flags // 2
        codes = g.advisories(n_adv)
        g.news_items(a.flags - n_adv)
        con.execute("INSERT OR REPLACE INTO evaluation (id, through) VALUES (1, ?)", (g.event_id,))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    mid = (n_adv // 2) or 1
    code = codes[(mid - 1) % len(codes)]
    print("flag_id=%d key=%s source=travel-advisories" % (mid, code))
    print("gen_flags: %d flags, %d events, %d runs" % (g.flag_id, g.event_id, g.runs + 1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

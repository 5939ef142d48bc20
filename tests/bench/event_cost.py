#!/usr/bin/env python3
"""event_cost.py — what each event costs: database bytes, and the fixed
bookkeeping of evaluating it.

usage: event_cost.py VANE [VANE ...] [--items N] [--pages P] [--runs R] [--reps K]
                     [--paragraphs N] [--keep DIR]

Items are the benchmark's generated pages (gen_pages.py) as one JSON list
served from 127.0.0.1 by serve.py, each item the page's title, level,
updated line and first paragraph (--paragraphs: about 0.9 KB of canonical
JSON with one, 1.5 KB with two).

bytes: P items, R runs of `vane run --all`, every run after the first
  switching one item in ten between its plain and its changed variant (so
  P baseline events, then P/10 changed events a run); the database is
  vacuumed, then its size divided by its events.
evaluation: N items stored by one run, then `vane reextract big --flags`,
  which makes N events pending for the next run. That run (nothing due) is
  timed from a copy of the database, against the same run with nothing
  pending; (median with - median without) / N is the fixed cost of one
  evaluated event, with no rules and with the rules shipped in rules/
  (eval_new_*). The same over the bytes history rebuilt by `vane reextract
  --flags` (eval_history_*: mostly changed events, whose prev and diff are
  read back).

Each VANE is measured in turn on its own databases (a build from before
db/010 cannot open a newer one); lines are `VANE KEY VALUE`."""

import argparse
import contextlib
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
T0 = 1732143600  # 2024-11-20T23:00:00Z

SCRIPT = "return function(doc) return vane.json.decode(doc.body).items end\n"


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def page_items(folder, n, changed, paragraphs):
    """The items of n generated pages (the changed variant: one in ten)."""
    args = [sys.executable, os.path.join(HERE, "gen_pages.py"), str(n), folder]
    if changed:
        args += ["--change-percent", "10"]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    items = []
    for i in range(n):
        with open(os.path.join(folder, "page-%04d.html" % i), encoding="utf-8") as f:
            body = f.read()
        paras = re.findall(r"<p>(.*?)</p>", body, re.S)
        items.append({"key": "page-%05d" % i,
                      "title": re.search(r"<title>(.*?)</title>", body).group(1),
                      "level": re.search(r'<p class="level" id="level">(.*?)</p>', body).group(1),
                      "updated": re.search(r'<p class="updated">(.*?)</p>', body).group(1),
                      "text": "\n".join(paras[:paragraphs])})
    return items


def serve(www, items, mtime):
    path = os.path.join(www, "big.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump({"items": items}, f)
    os.utime(path + ".tmp", (mtime, mtime))
    os.replace(path + ".tmp", path)


def write_config(folder, name, base, rules):
    os.makedirs(os.path.join(folder, "scripts"), exist_ok=True)
    with open(os.path.join(folder, "scripts", "items.lua"), "w", encoding="utf-8") as f:
        f.write(SCRIPT)
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write('database "vane.db"\nrules { %s }\n' % json.dumps(rules))
        f.write('source { id = "big", url = "%sbig.json", script = "items", every = "1h", '
                'max_bytes = "200MB" }\n' % base)
    return path


def vane(bin, config, *args, db=None):
    argv = [bin, "-q", "-c", config] + (["--db", db] if db else []) + list(args)
    r = subprocess.run(argv, capture_output=True, text=True, timeout=3600)
    if r.returncode != 0:
        sys.exit("event_cost: %s: exit %d\n%s" % (" ".join(argv), r.returncode, r.stderr[-2000:]))


def copy_db(src, dst):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(dst + suffix):
            os.remove(dst + suffix)
    s, d = sqlite3.connect(src), sqlite3.connect(dst)
    s.backup(d)
    d.close()
    s.close()


def measure_bytes(bin, work, base, www, plain, changed, runs):
    folder = os.path.join(work, "bytes")
    os.makedirs(os.path.join(folder, "rules"))
    config = write_config(folder, "vane.lua", base, os.path.join(folder, "rules"))
    for k in range(runs):
        serve(www, changed if k % 2 else plain, T0 + k * 3600)
        vane(bin, config, "run", "--all", "--now", iso(T0 + k * 3600 + 60))
    db = os.path.join(folder, "vacuumed.db")
    copy_db(os.path.join(folder, "vane.db"), db)
    con = sqlite3.connect(db)
    con.execute("UPDATE documents SET body = NULL, headers = NULL")  # the events' bytes only
    con.commit()
    con.execute("VACUUM")
    events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    columns = con.execute("SELECT avg(length(item)), avg(COALESCE(length(prev), 0)), "
                          "avg(COALESCE(length(diff), 0)) FROM events").fetchone()
    tables = con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name "
                         "ORDER BY 2 DESC LIMIT 6").fetchall()
    events_only = sum(b for name, b in tables if name == "events" or name.startswith("events_"))
    con.close()
    size = os.path.getsize(db)
    return {"events": events, "db_bytes": size, "bytes_per_event": round(size / events),
            "events_and_indexes_bytes_per_event": round(events_only / events),
            "avg_item_prev_diff": "/".join(str(round(c)) for c in columns),
            "largest": " ".join("%s=%d" % t for t in tables)}


def timed(bin, config, db, snapshot, now):
    copy_db(snapshot, db)
    t = time.perf_counter()
    vane(bin, config, "run", "--now", now, db=db)
    return time.perf_counter() - t


def rebuilt(db):
    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM events WHERE rederived = 1 AND superseded_by IS NULL")
    n = n.fetchone()[0]
    con.close()
    return n


def time_pending(bin, folder, configs, now, reps, prefix):
    """folder/vane.db has the events of a `vane reextract --flags` pending:
    the next run (nothing due) against the same run once they are
    evaluated, with each of configs."""
    pending = os.path.join(folder, "pending.db")
    copy_db(os.path.join(folder, "vane.db"), pending)
    n = rebuilt(pending)
    vane(bin, configs[0][1], "run", "--now", now)
    settled = os.path.join(folder, "settled.db")
    copy_db(os.path.join(folder, "vane.db"), settled)
    out, db = {"%s_events" % prefix: n}, os.path.join(folder, "timed.db")
    for name, config in configs:
        with_, without = [], []
        for _ in range(reps):  # interleaved, so both meet the same machine
            with_.append(timed(bin, config, db, pending, now))
            without.append(timed(bin, config, db, settled, now))
        a, b = statistics.median(with_), statistics.median(without)
        out["%s_%s_pending_run_s" % (prefix, name)] = round(a, 4)
        out["%s_%s_idle_run_s" % (prefix, name)] = round(b, 4)
        out["%s_%s_us_per_event" % (prefix, name)] = round((a - b) / n * 1e6, 2)
    return out


def rule_configs(folder, base):
    os.makedirs(os.path.join(folder, "norules"), exist_ok=True)
    return (("0_rules", write_config(folder, "none.lua", base, os.path.join(folder, "norules"))),
            ("shipped_rules", write_config(folder, "shipped.lua", base, os.path.join(TOP, "rules"))))


def measure_eval(bin, work, base, www, items, reps):
    """New events: one document of all items, rebuilt."""
    folder = os.path.join(work, "eval")
    configs = rule_configs(folder, base)
    serve(www, items, T0)
    vane(bin, configs[0][1], "run", "--all", "--now", iso(T0 + 60))
    vane(bin, configs[0][1], "reextract", "big", "--flags", "--now", iso(T0 + 120))
    # the source is not due again before T0 + 1h
    return time_pending(bin, folder, configs, iso(T0 + 180), reps, "eval_new")


def measure_eval_history(bin, work, base, runs, reps):
    """Changed events: the bytes history's documents, rebuilt."""
    folder = os.path.join(work, "bytes")
    configs = rule_configs(folder, base)
    last = T0 + (runs - 1) * 3600 + 60
    vane(bin, configs[0][1], "reextract", "big", "--flags", "--now", iso(last + 60))
    return time_pending(bin, folder, configs, iso(last + 120), reps, "eval_history")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vane", nargs="+")
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--runs", type=int, default=41)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--paragraphs", type=int, default=1, help="of each page in its item")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR (new) and keep it, to look into")
    a = ap.parse_args()
    if a.keep:
        os.makedirs(a.keep)
    with (tempfile.TemporaryDirectory(prefix="vane-event-cost.") if not a.keep
          else contextlib.nullcontext(a.keep)) as work:
        www = os.path.join(work, "www")
        os.makedirs(www)
        big = page_items(os.path.join(work, "pages"), a.items, False, a.paragraphs)
        plain = page_items(os.path.join(work, "plain"), a.pages, False, a.paragraphs)
        changed = page_items(os.path.join(work, "changed"), a.pages, True, a.paragraphs)
        server = subprocess.Popen([sys.executable, os.path.join(HERE, "serve.py"), www, "0"],
                                  stdout=subprocess.PIPE, text=True)
        try:
            port = re.search(r"port=(\d+)", server.stdout.readline()).group(1)
            base = "http://127.0.0.1:%s/" % port
            for bin in a.vane:
                bin = os.path.abspath(bin)
                w = tempfile.mkdtemp(dir=work)
                res = measure_bytes(bin, w, base, www, plain, changed, a.runs)
                res.update(measure_eval(bin, w, base, www, big, a.reps))
                res.update(measure_eval_history(bin, w, base, a.runs, a.reps))
                for k, v in res.items():
                    print(bin, k, v, flush=True)
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()

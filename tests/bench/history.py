#!/usr/bin/env python3
"""history.py — a long history for `make bench`, grown from real runs.

usage: history.py placeholders SEED DB SIZE
       history.py grow SEED DB SIZE
       history.py finish DB           (checkpoint, VACUUM, sync; prints events= bytes=;
                                       warns of times going back or missing references)
       history.py checkpoint DB...    (PRAGMA wal_checkpoint(TRUNCATE), then fsync)

SEED is a database written by real `vane run`s (run.sh's history base: a
baseline run, full runs in which every page changed, a last small run).
A database of SIZE events is made from a fresh one by older copies of
SEED's full runs, so that its newest rows are real runs, its older rows
look like the months before them, and ids and times rise together:

  1. `placeholders` (on the fresh database, before its real runs): a row
     of runs, events and flags at the highest id a copy takes, so that the
     real runs' rows get ids above every copy's (the event a copy of a
     baseline one: a build whose first real run evaluates it flags nothing);
  2. the same real runs as SEED's, by `vane run` (run.sh);
  3. `grow`: the copies, block after block going back in time, each block
     the SEED's full runs with ids and times moved below the one after it.

Nothing here knows the events table's layout: columns come from PRAGMA
table_info. The id is moved by the block's offset, a column referring to
runs, events or flags (PRAGMA foreign_key_list, or named run_id, event_id,
flag_id, superseded_by) by that table's offset, a time column (named
*_at: ISO-8601 text or Unix seconds) by the block's time shift, the text
columns of a UNIQUE index none of whose columns moved get a suffix; every
other column is copied as it is (so a copy of an evaluated event is
evaluated, and a copy has whatever bookkeeping the row it copies has in
its own columns). Rows kept elsewhere about events (a table of pending
evaluations, say) are not copied: a copy is old, settled history.
"""
import math
import os
import re
import sqlite3
import sys
from datetime import datetime, timezone

COPIED = ("runs", "events", "flags")
BY_NAME = {"run_id": "runs", "superseded_by": "runs", "event_id": "events", "flag_id": "flags"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def epoch(iso):
    return int(datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def connect(path):
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA busy_timeout = 10000")
    return con


class Layout:
    """Where the copies go: the SEED's full runs as the block, SIZE - seed events copied."""

    def __init__(self, con, size):
        runs = con.execute("SELECT run_id, min(id), max(id) FROM seed.events "
                           "GROUP BY run_id ORDER BY run_id").fetchall()
        if len(runs) < 3:
            sys.exit("history: the seed needs a baseline run, full runs and a last run")
        first, full = runs[0], runs[1:-1]
        self.baseline_row = first[2]
        self.ra, self.rb = full[0][0], full[-1][0]
        self.ea, self.eb = full[0][1], full[-1][2]
        fl = con.execute("SELECT min(id), max(id) FROM seed.flags WHERE run_id BETWEEN ? AND ?",
                         (self.ra, self.rb)).fetchone()
        self.fa, self.fb = (fl[0], fl[1]) if fl[0] is not None else (None, None)
        self.seed_events = con.execute("SELECT count(*) FROM seed.events").fetchone()[0]
        self.copies = max(0, size - self.seed_events)
        self.length = {"events": self.eb - self.ea + 1, "runs": self.rb - self.ra + 1,
                       "flags": 0 if self.fa is None else self.fb - self.fa + 1}
        self.blocks = math.ceil(self.copies / self.length["events"]) if self.copies else 0
        started = dict(con.execute("SELECT id, started_at FROM seed.runs").fetchall())
        t_first, t_a, t_b = (epoch(started[first[0]]), epoch(started[self.ra]), epoch(started[self.rb]))
        self.step = t_a - t_first                 # the time between two runs
        self.span = t_b - t_a + self.step         # the time one block covers
        self.shift1 = t_first - self.step - t_b   # block 1 ends a step before the first real run

    def top(self, table):
        """The highest id the copies of TABLE take (block 1's newest row)."""
        if table == "events":
            return self.copies
        return self.blocks * self.length[table]

    def offset(self, table, block):
        low = {"events": self.ea, "runs": self.ra, "flags": self.fa}[table]
        return self.top(table) - block * self.length[table] + 1 - low

    def shift(self, block):
        return self.shift1 - (block - 1) * self.span

    def template(self, table):
        lo, hi = {"events": (self.ea, self.eb), "runs": (self.ra, self.rb),
                  "flags": (self.fa, self.fb)}[table]
        return lo, hi


def columns(con, table):
    cols = con.execute(f"PRAGMA seed.table_info({table})").fetchall()
    names = [c[1] for c in cols]
    pk = [c[1] for c in cols if c[5] == 1]
    refs = {r[3]: r[2] for r in con.execute(f"PRAGMA seed.foreign_key_list({table})")}
    for n in names:
        if n not in refs and n in BY_NAME:
            refs[n] = BY_NAME[n]
    refs = {c: t for c, t in refs.items() if t in COPIED and c not in pk}
    times = {}
    for n in names:
        if n.endswith("_at") and n not in refs:
            v = con.execute(f"SELECT {n} FROM seed.{table} WHERE {n} IS NOT NULL LIMIT 1").fetchone()
            if v and isinstance(v[0], str) and ISO.match(v[0]):
                times[n] = "iso"
            elif v and isinstance(v[0], int):
                times[n] = "int"
    moved = set(pk) | set(refs) | set(times)
    suffix = set()
    for idx in con.execute(f"PRAGMA seed.index_list({table})").fetchall():
        if not idx[2] or idx[3] == "pk":
            continue
        icols = [r[2] for r in con.execute(f"PRAGMA seed.index_info({idx[1]})")]
        if not moved.intersection(icols):
            types = {c[1]: c[2].upper() for c in cols}
            suffix.update(c for c in icols if "TEXT" in types.get(c, "") or types.get(c) == "")
    return names, pk, refs, times, suffix


def copy_sql(con, lay, table, block, only_top, pin=None):
    """INSERT … SELECT of TABLE's template rows as BLOCK's copies; only_top:
    just the newest; pin: instead the row with that id, put where the
    newest goes."""
    names, pk, refs, times, suffix = columns(con, table)
    off = {t: lay.offset(t, block) for t in COPIED if t != "flags" or lay.fa is not None}
    if pin is not None:
        off[table] = lay.top(table) - pin
    sh = lay.shift(block)
    exprs = []
    for n in names:
        if n in pk:
            exprs.append(f"{n} + {off[table]}")
        elif n in refs:
            exprs.append(f"{n} + {off[refs[n]]}" if refs[n] in off else n)
        elif times.get(n) == "iso":
            exprs.append(f"strftime('%Y-%m-%dT%H:%M:%SZ', {n}, '{sh:+d} seconds')")
        elif times.get(n) == "int":
            exprs.append(f"{n} + {sh}")
        elif n in suffix:
            exprs.append(f"{n} || '~copy{block}'")
        else:
            exprs.append(n)
    lo, hi = lay.template(table) if pin is None else (pin, pin)
    key = pk[0]
    where = [f"{key} BETWEEN {lo} AND {hi}", f"{key} + {off[table]} >= 1"]
    where += [f"({c} IS NULL OR {c} + {off[t]} >= 1)" for c, t in refs.items() if t in off]
    if only_top:
        where.append(f"{key} = {hi}")
    return (f"INSERT OR REPLACE INTO main.{table} ({', '.join(names)}) "
            f"SELECT {', '.join(exprs)} FROM seed.{table} WHERE {' AND '.join(where)} ORDER BY {key}")


def open_pair(seed, db):
    con = connect(db)
    con.execute("ATTACH DATABASE ? AS seed", (seed,))
    return con


def tables(lay):
    return [t for t in COPIED if t != "flags" or lay.fa is not None]


def placeholders(seed, db, size):
    con = open_pair(seed, db)
    lay = Layout(con, size)
    if lay.copies:
        con.execute("BEGIN")
        for t in tables(lay):
            # the event: a baseline one, which a build that evaluates it in the
            # first real run (it is above a watermark, say) flags for no rule
            pin = lay.baseline_row if t == "events" else None
            con.execute(copy_sql(con, lay, t, 1, True, pin))
        con.execute("COMMIT")
    con.close()
    print(f"copies={lay.copies} blocks={lay.blocks}")


def grow(seed, db, size):
    con = open_pair(seed, db)
    lay = Layout(con, size)
    con.execute("PRAGMA journal_mode = DELETE")   # a bulk load: no WAL to copy back
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -400000")
    con.execute("BEGIN")
    for b in range(1, lay.blocks + 1):
        for t in tables(lay):
            con.execute(copy_sql(con, lay, t, b, False))
    con.execute("COMMIT")
    con.execute("PRAGMA journal_mode = WAL")
    n = con.execute("SELECT count(*) FROM main.events").fetchone()[0]
    con.close()
    print(f"events={n} copies={lay.copies} blocks={lay.blocks}")


def fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def checkpoint(paths):
    for p in paths:
        con = connect(p)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        fsync(p)


def problems(con):
    """What would make the history unlike a real one: times going back as
    ids rise, references to rows that are not there."""
    out = []
    for table in COPIED:
        cols = [c[1] for c in con.execute(f"PRAGMA table_info({table})")]
        t = next((c for c in ("observed_at", "started_at", "created_at") if c in cols), None)
        if t:
            back = con.execute(f"SELECT count(*) FROM (SELECT {t} < lag({t}) OVER (ORDER BY rowid) AS b "
                               f"FROM {table}) WHERE b").fetchone()[0]
            if back:
                out.append(f"{table}: {back} rows older than the row before them")
        bad = con.execute(f"PRAGMA foreign_key_check({table})").fetchall()
        if bad:
            out.append(f"{table}: {len(bad)} references to missing rows")
    return out


def finish(db):
    con = connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("VACUUM")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    n = con.execute("SELECT count(*) FROM events").fetchone()[0]
    bad = problems(con)
    con.close()
    fsync(db)
    for p in bad:
        print(f"history: WARNING: {db}: {p}", file=sys.stderr)
    print(f"events={n} bytes={os.path.getsize(db)}")


def main(argv):
    if len(argv) == 4 and argv[0] in ("placeholders", "grow"):
        (placeholders if argv[0] == "placeholders" else grow)(argv[1], argv[2], int(argv[3]))
    elif len(argv) == 2 and argv[0] == "finish":
        finish(argv[1])
    elif len(argv) >= 2 and argv[0] == "checkpoint":
        checkpoint(argv[1:])
    else:
        sys.exit(__doc__.split("\n\n")[0] + "\n" + __doc__.split("\n\n")[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""report.py — turns the measurements of tests/bench/run.sh into Markdown.

usage: report.py RESULTS.tsv

RESULTS.tsv has tab-separated lines, written by run.sh as it measures:
  env     NAME  VALUE                          (versions, machine, settings)
  sample  GROUP TOOL REP SECONDS PEAK_KIB OK EXIT   (interleave.py: one timed run)
  round   BUILD ROUND NAME VALUE               (bench_rules / bench_store, per round)
  kv      NAME  VALUE                          (news_eval.sh, rules_memory.sh, sizes)
  bigdoc  ROW VANE_MED VANE_MIN VANE_MAX FLOOR_NAME FLOOR_MED BEFORE_MED
  serve   PAGE PATH MED MIN MAX STATUSES     (serve.sh: one page of the web view)
Prints each row's median with min–max beside its anchor from the same run
(and the earlier build, VANE_BEFORE, when it was measured), then the
targets of docs/design.md, each marked met or missed.
"""
import statistics
import sys


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt_x(v):
    return "–" if v is None else f"{v:.2f}×"


def fmt_rate(v):
    return "–" if v is None else f"{v:,.0f}"


def fmt_num(v, unit="s"):
    """A time in the unit that reads best: s, ms."""
    if v is None:
        return "–"
    if unit == "ms":
        return f"{v * 1000:.1f}" if v < 1 else f"{v * 1000:,.0f}"
    return f"{v:.3f}" if v < 10 else f"{v:.2f}"


def status(ok):
    return "–" if ok is None else ("met" if ok else "**missed**")


class Results:
    def __init__(self, path):
        self.env, self.kv, self.samples, self.rounds, self.bigdoc = {}, {}, {}, {}, []
        self.serve = []
        self.groups = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                self.add(line.rstrip("\n").split("\t"))

    def add(self, p):
        if p[0] == "env":
            self.env[p[1]] = p[2]
        elif p[0] == "kv":
            self.kv[p[1]] = p[2]
        elif p[0] == "sample":
            group, tool = p[1], p[2]
            if group not in self.groups:
                self.groups.append(group)
            self.samples.setdefault((group, tool), []).append(
                (num(p[4]), num(p[5]), p[6] == "yes"))
        elif p[0] == "round":
            v = num(p[4])
            if v is not None:
                self.rounds.setdefault((p[1], p[3]), []).append(v)
        elif p[0] == "bigdoc":
            self.bigdoc.append(p[1:])
        elif p[0] == "serve":
            self.serve.append(p[1:])

    def stat(self, group, tool):
        """(median s, min, max, median peak KiB, every run ok) or None."""
        s = self.samples.get((group, tool))
        if not s:
            return None
        t = [x[0] for x in s if x[0] is not None]
        kib = [x[1] for x in s if x[1]]
        return (statistics.median(t), min(t), max(t), statistics.median(kib) if kib else None,
                all(x[2] for x in s))

    def med(self, group, tool):
        s = self.stat(group, tool)
        return s[0] if s else None

    def cell(self, group, tool, unit="s"):
        s = self.stat(group, tool)
        if not s:
            return "–"
        flag = "" if s[4] else " (!)"
        return f"{fmt_num(s[0], unit)} ({fmt_num(s[1], unit)}–{fmt_num(s[2], unit)}){flag}"

    def rounded(self, build, key):
        v = self.rounds.get((build, key))
        return statistics.median(v) if v else None

    def has_before(self):
        return any(t == "before" or t.startswith("before-") for _, t in self.samples) or \
            any(b == "before" for b, _ in self.rounds)


def fetch_section(r, w, targets):
    sizes = sorted({int(g.split(":")[1]) for g in r.groups if g.startswith("fetch:")})
    if not sizes:
        return
    before = r.has_before()
    w("### Fetch runs: N pages of ~3 KB from one local server (Last-Modified / 304)")
    w("")
    w(f"Medians (min–max) of {r.env.get('reps', '?')} runs (urlwatch: {r.env.get('uw_reps', '?')}), "
      f"the programs taking turns in each repetition; peak RSS of each run. {r.env.get('fetch_notes', '')}")
    w("")
    head = "| N | phase | vane s | " + ("before s | " if before else "") + \
        "urlwatch s | curl floor s | vane/floor | urlwatch/vane | vane MiB | urlwatch MiB | vane/urlwatch mem |"
    w(head)
    w("|" + "---:|---|" + "---:|" * (head.count("|") - 3))
    for n in sizes:
        for phase in ("first", "unchanged", "changed10"):
            g = f"fetch:{n}:{phase}"
            v, u, c = r.stat(g, "vane"), r.stat(g, "urlwatch"), r.stat(g, "floor")
            vm, um, cm = (v or (None,))[0], (u or (None,))[0], (c or (None,))[0]
            vk, uk = (v[3] if v else None), (u[3] if u else None)
            mib = (lambda k: "–" if k is None else f"{k / 1024:.1f}")
            w(f"| {n} | {phase} | {r.cell(g, 'vane')} | " + (f"{r.cell(g, 'before')} | " if before else "") +
              f"{r.cell(g, 'urlwatch')} | {r.cell(g, 'floor')} | {fmt_x(ratio(vm, cm))} | "
              f"{fmt_x(ratio(um, vm))} | {mib(vk)} | {mib(uk)} | {fmt_x(ratio(vk, uk))} |")
    w("")
    big = 2000 if 2000 in sizes else max(sizes)
    g = f"fetch:{big}:unchanged"
    v, u, c = r.stat(g, "vane"), r.stat(g, "urlwatch"), r.stat(g, "floor")
    vm, um, cm = (v or (None,))[0], (u or (None,))[0], (c or (None,))[0]
    vk, uk = (v[3] if v else None), (u[3] if u else None)
    rf, ru, rm = ratio(vm, cm), ratio(um, vm), ratio(vk, uk)
    targets += [
        (f"unchanged, N={big}: time vs curl floor", f"{fmt_num(vm)} s vs {fmt_num(cm)} s", fmt_x(rf),
         "≤ 1.25×", None if rf is None else rf <= 1.25),
        (f"unchanged, N={big}: speed-up over urlwatch", f"{fmt_num(um)} s / {fmt_num(vm)} s", fmt_x(ru),
         "≥ 6×", None if ru is None else ru >= 6),
        (f"unchanged, N={big}: peak memory vs urlwatch", "–" if vk is None or uk is None else
         f"{vk / 1024:.1f} MiB vs {uk / 1024:.1f} MiB", fmt_x(rm), "≤ 0.25×", None if rm is None else rm <= 0.25),
    ]
    if 10000 in sizes and 2000 in sizes:
        a, b = r.med("fetch:2000:unchanged", "vane"), r.med("fetch:10000:unchanged", "vane")
        lin = ratio(b, a) and ratio(b, a) / 5
        targets.append(("unchanged: cost per source, N=10000 vs N=2000", f"{fmt_num(b)} s vs {fmt_num(a)} s",
                        fmt_x(lin), "≤ 1.25×", None if lin is None else lin <= 1.25))


PG_COUNTS = ("statements", "commits", "inserted", "updated", "deleted", "wal_bytes", "client_cpu", "server_cpu")


def pg_counts(r, phase, k):
    """The server's counters over one counted run (pg.sh), or None."""
    c = {m: num(r.kv.get(f"pg_count_{phase}_{k}_{m}")) for m in PG_COUNTS}
    return None if any(v is None for v in c.values()) else c


def pg_run_label(tool):
    if tool == "sqlite":
        return "SQLite, one run"
    if tool == "floor":
        return "curl floor"
    if tool.endswith("-sync"):
        return f"PostgreSQL, {tool.split('-')[1]} worker, each commit flushed (synchronous_commit = on)"
    k = tool.split("-")[1]
    return f"PostgreSQL, {k} worker{'s' if k != '1' else ''}"


def pg_section(r, w, targets):
    """The PostgreSQL rows (pg.sh): workers against one database."""
    if not any(g.startswith("pg:") for g in r.groups):
        return
    n = num(r.kv.get("pg_sources"))
    workers = (r.kv.get("pg_workers") or "1 2 4").split()
    w(f"### PostgreSQL: {n or 0:,.0f} sources, {', '.join(workers)} workers against one database")
    w("")
    w(f"{r.kv.get('pg_server', 'PostgreSQL')}, on this machine. Medians (min–max) of "
      f"{r.kv.get('pg_reps', '?')} runs (each commit flushed: {r.kv.get('pg_sync_reps', '?')}), all programs of a phase taking turns in each repetition, each "
      "from a restored copy of its state (a database copied from a template and checkpointed; SQLite's file "
      "copied and synced); every source due. N workers are N `vane run` started together against the one "
      "database, timed from the start of the first to the end of the last; the page server checked that the "
      "pages were fetched once between them. unchanged: every page 304; changed10: 10% of the pages newer.")
    w("")
    w("| phase | run | s (min–max) | vs SQLite | vs curl floor | vs 1 worker | sources/s | sources/s per worker |")
    w("|---|---|---:|---:|---:|---:|---:|---:|")
    for phase in ("unchanged", "changed10"):
        g = f"pg:{phase}"
        sq, fl, one = r.med(g, "sqlite"), r.med(g, "floor"), r.med(g, "pg-1")
        tools = ["sqlite"] + [f"pg-{k}" for k in workers] + ["pg-1-sync", "floor"]
        for t in tools:
            m = r.med(g, t)
            if m is None:
                continue
            k = int(t.split("-")[1]) if t.startswith("pg-") else 1
            rate = n / m if n and m else None
            per = rate / k if rate and t != "floor" else None
            w(f"| {phase} | {pg_run_label(t)} | {r.cell(g, t)} | "
              f"{fmt_x(ratio(m, sq)) if t != 'sqlite' else '1.00×'} | {fmt_x(ratio(m, fl))} | "
              f"{fmt_x(ratio(m, one)) if t.startswith('pg-') else '–'} | {fmt_rate(rate)} | {fmt_rate(per)} |")
    w("")
    w("The server's counters over one more run of each (untimed; pg_stat_database, pg_stat_statements, "
      "the WAL position), per source, and the CPU time per 1,000 sources of the workers (`vane run`) and "
      "of the server's backends; the nothing-due run's per run.")
    w("")
    w("| phase | workers | statements | commits | rows written (inserted / updated / deleted) | WAL bytes "
      "| workers' CPU ms | server's CPU ms |")
    w("|---|---:|---:|---:|---|---:|---:|---:|")
    for phase in ("unchanged", "changed10", "idle"):
        for k in (workers if phase != "idle" else ["1"]):
            c = pg_counts(r, phase, k)
            if not c:
                continue
            d = n if phase != "idle" and n else 1
            cpu = 1000 * (1000 if d > 1 else 1) / d
            rows = c["inserted"] + c["updated"] + c["deleted"]
            w(f"| {phase}{' (per run)' if phase == 'idle' else ''} | {k} | {c['statements'] / d:,.2f} | "
              f"{c['commits'] / d:,.2f} | {rows / d:,.2f} ({c['inserted'] / d:,.2f} / {c['updated'] / d:,.2f} / "
              f"{c['deleted'] / d:,.2f}) | {c['wal_bytes'] / d:,.0f} | {c['client_cpu'] * cpu:,.0f} "
              f"| {c['server_cpu'] * cpu:,.0f} |")
    w("")
    if r.stat("pg:idle", "pg-1"):
        w(f"Nothing due ({n or 0:,.0f} sources, all fetched a moment before): the run reads the state and "
          f"exits. Medians (min–max) of {r.kv.get('pg_idle_reps', '?')} runs, in ms.")
        w("")
        w("| store | `vane run`, nothing due | `vane --version` | ratio |")
        w("|---|---:|---:|---:|")
        for t, label in (("sqlite", "SQLite"), ("pg-1", "PostgreSQL")):
            w(f"| {label} | {r.cell('pg:idle', t, 'ms')} | {r.cell('pg:idle', 'version', 'ms')} | "
              f"{fmt_x(ratio(r.med('pg:idle', t), r.med('pg:idle', 'version')))} |")
        w("")
    w(f"What the worker rows can and cannot show: this machine has {r.env.get('machine', '?').split(' ')[0]} "
      "CPUs, and the workers, the PostgreSQL server (a backend process per worker), the page server and "
      "the timer all share them. More workers here can only overlap one worker's waiting (on the page "
      "server, on the database's answers) with another's work; once the CPUs are busy, a second or fourth "
      "worker adds contention, not capacity, so the 2- and 4-worker rows are a floor on what separate hosts "
      "would do, not a measure of it. What carries over to a deployment of several hosts is what the "
      "database pays per source (statements, commits, rows, WAL bytes, its CPU time: the second table, "
      "for each number of workers). The database is on a Unix socket: a network adds its round trip to "
      "every statement.")
    w("")


def idle_section(r, w, targets):
    if not r.stat("idle", "vane"):
        return
    w(f"### Nothing due ({r.kv.get('idle_sources', '?')} sources, {r.kv.get('idle_rules', '?')} rules) "
      f"beside `vane --version`, taking turns")
    w("")
    w(f"Medians (min–max) of {r.env.get('idle_reps', '?')} runs, in ms.")
    w("")
    w("| build | `vane run`, nothing due | `vane --version` | ratio |")
    w("|---|---:|---:|---:|")
    for b in ("vane", "before"):
        if r.stat("idle", b):
            w(f"| {'this build' if b == 'vane' else 'before (VANE_BEFORE)'} | {r.cell('idle', b, 'ms')} "
              f"| {r.cell('idle', b + '-version', 'ms')} "
              f"| {fmt_x(ratio(r.med('idle', b), r.med('idle', b + '-version')))} |")
    w("")
    i, v = r.med("idle", "vane"), r.med("idle", "vane-version")
    x = ratio(i, v)
    i0 = r.med("idle", "before")
    targets += [
        ("nothing due: `vane run` vs `vane --version`", f"{fmt_num(i, 'ms')} vs {fmt_num(v, 'ms')} ms"
         + (f" (before: {fmt_num(i0, 'ms')} ms)" if i0 else ""), fmt_x(x), "≤ 1.3×", None if x is None else x <= 1.3),
        ("nothing due: `vane run` wall time", f"{fmt_num(i, 'ms')} ms", "", "< 15 ms",
         None if i is None else i < 0.015),
    ]


def per_event(r, rules, b):
    n = num(r.kv.get("bk_events"))
    p, s = r.med(f"bk:{rules}", f"{b}-pending"), r.med(f"bk:{rules}", f"{b}-settled")
    return (p - s) / n * 1e6 if p is not None and s is not None and n else None


def bookkeeping_section(r, w, targets):
    if not any(r.stat(f"bk:{x}", "vane-pending") for x in ("none", "shipped")):
        return
    n = r.kv.get("bk_events", "?")
    w(f"### The fixed cost per evaluated event: {n} events left pending by `vane reextract --flags`")
    w("")
    w("A run with nothing due over those pending events, minus the same run with nothing pending "
      "(each from a synced copy of its database), over the events; medians (min–max) in s.")
    w("")
    w("| rules | build | run, events pending | run, nothing pending | µs per event | vs before |")
    w("|---|---|---:|---:|---:|---:|")
    shipped = r.kv.get("bk_shipped_rules")
    for rules, label in (("none", "no"), ("shipped", f"the {shipped} shipped" if shipped else "the shipped")):
        g = f"bk:{rules}"
        for b in ("vane", "before"):
            if not r.stat(g, f"{b}-pending"):
                continue
            us = per_event(r, rules, b)
            rel = ratio(us, per_event(r, rules, "before")) if b == "vane" else None
            w(f"| {label} rules | {'this build' if b == 'vane' else 'before'} | {r.cell(g, b + '-pending')} "
              f"| {r.cell(g, b + '-settled')} | {'–' if us is None else f'{us:.1f}'} | {fmt_x(rel)} |")
        us, us0 = per_event(r, rules, "vane"), per_event(r, rules, "before")
        x = ratio(us, us0)
        if us0 is not None:
            targets.append((f"per-event bookkeeping, {label} rules: vs the earlier build",
                            f"{us:.1f} vs {us0:.1f} µs" if us is not None else "–", fmt_x(x), "≤ 0.5×",
                            None if x is None else x <= 0.5))
    w("")


HIST_ROWS = (("events", "`vane events --since` the last run"),
             ("replay", "`vane replay --rule … --since` the last run"),
             ("idle-checks", "nothing due, 10 absence checks (`vane.events`)"),
             ("unchanged", "unchanged run (every page 304)"),
             ("changed100", "run with 100 changed pages"))


def history_section(r, w, targets):
    sizes = sorted({int(g.split(":")[1]) for g in r.groups if g.startswith("hist:")})
    if not sizes:
        return
    before = r.has_before()
    small, large = sizes[0], sizes[-1]
    w(f"### History: the same runs and reads at {', '.join(f'{s:,}' for s in sizes)} stored events")
    w("")
    w(f"{r.kv.get('hist_sources', '?')} sources; each database grown from six real runs by older copies "
      "of them, checkpointed, VACUUMed and synced before timing. Medians (min–max) in s; "
      f"\"vs {small:,}\": against the same row at {small:,} events.")
    w("")
    head = ["events", "row", "vane s"] + (["before s", "vane/before"] if before else []) + \
        [f"vane vs {small:,}"] + ([f"before vs {small:,}"] if before else [])
    w("| " + " | ".join(head) + " |")
    w("|---:|---|" + "---:|" * (len(head) - 2))
    for h in sizes:
        actual = num(r.kv.get(f"hist_events_{h}_vane"))
        label = f"{actual:,.0f}" if actual else f"{h:,}"
        for row, what in HIST_ROWS:
            g = f"hist:{h}:{row}"
            if not r.stat(g, "vane"):
                continue
            v, v0 = r.med(g, "vane"), r.med(f"hist:{small}:{row}", "vane")
            b, b0 = r.med(g, "before"), r.med(f"hist:{small}:{row}", "before")
            cells = [label, what, r.cell(g, "vane")] + \
                ([r.cell(g, "before"), fmt_x(ratio(v, b))] if before else []) + \
                [fmt_x(ratio(v, v0))] + ([fmt_x(ratio(b, b0))] if before else [])
            w("| " + " | ".join(cells) + " |")
    w("")
    w("| events | vane bytes per event (file after VACUUM / events) |" + (" before |" if before else ""))
    w("|---:|---:|" + ("---:|" if before else ""))
    for h in sizes:
        actual = num(r.kv.get(f"hist_events_{h}_vane"))
        cells = []
        for b in ("vane", "before") if before else ("vane",):
            n, by = num(r.kv.get(f"hist_events_{h}_{b}")), num(r.kv.get(f"hist_bytes_{h}_{b}"))
            cells.append("–" if not n or by is None else f"{by / n:,.0f}")
        w(f"| {actual or h:,.0f} | " + " | ".join(cells) + " |")
    w("")
    if large == small:
        return
    for row in ("events", "replay"):
        v, v0 = r.med(f"hist:{large}:{row}", "vane"), r.med(f"hist:{small}:{row}", "vane")
        x = ratio(v, v0)
        b, b0 = r.med(f"hist:{large}:{row}", "before"), r.med(f"hist:{small}:{row}", "before")
        targets.append((f"history: `vane {row}` at {large:,} events vs at {small:,}",
                        f"{fmt_num(v)} s vs {fmt_num(v0)} s" +
                        (f" (before: {fmt_x(ratio(b, b0))})" if b and b0 else ""),
                        fmt_x(x), "≤ 1.5×", None if x is None else x <= 1.5))
    i, i0 = r.med(f"hist:{large}:idle-checks", "vane"), r.med(f"hist:{large}:idle-checks", "before")
    targets.append((f"history: nothing due with 10 checks at {large:,} events",
                    f"{fmt_num(i, 'ms')} ms" + (f" (before: {fmt_num(i0, 'ms')} ms)" if i0 else ""), "",
                    "< 30 ms", None if i is None else i < 0.030))
    n, by = num(r.kv.get(f"hist_events_{large}_vane")), num(r.kv.get(f"hist_bytes_{large}_vane"))
    n0, by0 = num(r.kv.get(f"hist_events_{large}_before")), num(r.kv.get(f"hist_bytes_{large}_before"))
    per = by / n if n and by is not None else None
    per0 = by0 / n0 if n0 and by0 is not None else None
    targets.append(("bytes per event (database after VACUUM)",
                    ("–" if per is None else f"{per:,.0f} B") + (f" (before: {per0:,.0f} B)" if per0 else ""),
                    fmt_x(ratio(per, per0)) if per0 else "", "≤ 1,200 B",
                    None if per is None else per <= 1200))


def bigdoc_section(r, w, targets):
    if not r.bigdoc:
        return
    w("### Big documents (tests/bench/bigdoc.sh)")
    w("")
    w("| document | vane s (min–max) | floor | floor s | vane/floor | before s |")
    w("|---|---:|---|---:|---:|---:|")
    for p in r.bigdoc:
        p = p + ["-"] * (7 - len(p))
        row, vm, vmin, vmax, fname, fm, bm = p[:7]
        x = ratio(num(vm), num(fm))
        w(f"| {row} | {fmt_num(num(vm))} ({fmt_num(num(vmin))}–{fmt_num(num(vmax))}) | {fname} "
          f"| {fmt_num(num(fm))} | {fmt_x(x)} | {fmt_num(num(bm))} |")
        targets.append((f"big document {row} vs {fname}", f"{fmt_num(num(vm))} s vs {fmt_num(num(fm))} s",
                        fmt_x(x), "≤ 4×", None if x is None else x <= 4))
    w("")


def serve_section(r, w, targets):
    """The web view (serve.sh): each page's time to first byte; no target."""
    if not r.serve:
        return
    w(f"### The web view (tests/bench/serve.sh): {fmt_rate(num(r.kv.get('serve_flags')))} flags")
    w("")
    w(f"`vane serve`, curl's time to first byte, {r.kv.get('serve_reps', '?')} requests a page, "
      "the pages taking turns; medians with min–max.")
    w("")
    w("| page | path | ms (min–max) | HTTP |")
    w("|---|---|---:|---|")
    for p in r.serve:
        p = p + ["-"] * (6 - len(p))
        page, path, med, lo, hi, codes = p[:6]
        bad = "" if codes == "200" else " **(!)**"
        w(f"| {page} | `{path}` | {fmt_num(num(med), 'ms')} ({fmt_num(num(lo), 'ms')}–{fmt_num(num(hi), 'ms')}) "
          f"| {codes}{bad} |")
    w("")


def rules_section(r, w, targets):
    kv = r.kv
    before = any(b == "before" for b, _ in r.rounds)
    ev, bare = r.rounded("vane", "vane_evals_per_s"), r.rounded("vane", "bare_calls_per_s")
    sn, sc, raw = (r.rounded("vane", "vane_new_items_per_s"), r.rounded("vane", "vane_changed_items_per_s"),
                   r.rounded("vane", "raw_rows_per_s"))
    built = r.rounded("vane", "event_tables_per_s")
    news, news0 = num(kv.get("news_evals_per_s")), num(kv.get("news_before_evals_per_s"))
    if ev is None and news is None and "rules_mem_simple_now_kb" not in kv:
        return
    w("### Rules, diff and store")
    w("")
    w("bench_rules and bench_store: three rounds, the builds taking turns; medians of the rounds.")
    w("")
    w("| measure | vane | anchor (same run) | anchor/vane |" + (" before (VANE_BEFORE) |" if before else ""))
    w("|---|---:|---:|---:|" + ("---:|" if before else ""))

    def b(key):
        return f" {fmt_rate(r.rounded('before', key))} |" if before else ""
    if ev is not None:
        nr = r.rounded("vane", "rules")
        w(f"| rule evaluations/s ({nr or '?':.0f} rules × {r.rounded('vane', 'events') or 0:.0f} events) "
          f"| {fmt_rate(ev)} | {fmt_rate(bare)} bare lua_pcall/s | {fmt_x(ratio(bare, ev))} |" + b("vane_evals_per_s"))
        share = ev / (nr * built) if ev and nr and built else None
        w(f"| of which: events/s through rules_eval with no rules loaded | {fmt_rate(built)} | – | "
          f"{'–' if share is None else f'{share:.0%} of the time with {nr:.0f} rules'} |" + b("event_tables_per_s"))
        w(f"| diff+store items/s, all new | {fmt_rate(sn)} | {fmt_rate(raw)} raw INSERT rows/s "
          f"| {fmt_x(ratio(raw, sn))} |" + b("vane_new_items_per_s"))
        w(f"| diff+store items/s, all changed | {fmt_rate(sc)} | {fmt_rate(raw)} raw INSERT rows/s "
          f"| {fmt_x(ratio(raw, sc))} |" + b("vane_changed_items_per_s"))
    if news is not None:
        w(f"| news-rule evaluations/s (`vane eval`, {kv.get('news_rules', '?')} news rules × "
          f"{kv.get('news_titles', '?')} real headlines, start-up subtracted) | {fmt_rate(news)} | – | – |"
          + (f" {fmt_rate(news0)} |" if before else ""))
    for kind, what in (("simple", "small rules"), ("news", "copies of prisoner-release")):
        kb, s = num(kv.get(f"rules_mem_{kind}_now_kb")), num(kv.get(f"rules_mem_{kind}_now_s"))
        kb0, s0 = num(kv.get(f"rules_mem_{kind}_before_kb")), num(kv.get(f"rules_mem_{kind}_before_s"))
        if kb is None:
            continue
        w(f"| a run loading 1,000 rule files ({what}): peak memory, time | {kb / 1024:.0f} MiB, {s:.2f} s "
          f"| – | – |" + (f" {kb0 / 1024:.0f} MiB, {s0:.2f} s |" if before and kb0 else (" – |" if before else "")))
    w("")
    if ev is not None:
        targets += [
            ("rule evaluations per second", fmt_rate(ev), "", "≥ 1,000,000", ev >= 1e6),
            ("rule evaluation vs bare Lua call", f"{fmt_rate(ev)} vs {fmt_rate(bare)} /s",
             fmt_x(ratio(bare, ev)), "≤ 3×", None if ratio(bare, ev) is None else ratio(bare, ev) <= 3),
            ("diff+store items per second (all new)", fmt_rate(sn), "", "≥ 100,000",
             None if sn is None else sn >= 1e5),
            ("diff+store vs raw prepared inserts (all new)", f"{fmt_rate(sn)} vs {fmt_rate(raw)} /s",
             fmt_x(ratio(raw, sn)), "≤ 3×", None if ratio(raw, sn) is None else ratio(raw, sn) <= 3),
        ]
    if news is not None and news0 is not None:
        x = ratio(news0, news)
        targets.append(("news-rule evaluations vs the earlier build", f"{fmt_rate(news)} vs {fmt_rate(news0)} /s",
                        fmt_x(x), "≤ 2× slower", None if x is None else x <= 2))


def main(argv):
    if len(argv) != 1:
        sys.exit("usage: report.py RESULTS.tsv")
    r = Results(argv[0])
    out, targets = [], []
    w = out.append
    w(f"Measured {r.env.get('date', '?')} on {r.env.get('machine', '?')}. {r.env.get('versions', '')}"
      + (f" Before: {r.env['before']} (VANE_BEFORE), measured beside it in every row." if "before" in r.env else "")
      + (f" The whole run took {r.env['minutes']} min." if "minutes" in r.env else ""))
    w("")
    for section in (fetch_section, pg_section, idle_section, bookkeeping_section, history_section, bigdoc_section,
                    serve_section, rules_section):
        section(r, w, targets)
    if any(not x[2] for s in r.samples.values() for x in s):
        w("(!) a run of that row exited non-zero or the server saw other answers than expected "
          "(200s / 304s); the runs' output is in the scratch directory (KEEP=1).")
        w("")
    if targets:      # a run of parts that have none (PARTS=pg) prints no empty table
        w("### Targets (docs/design.md)")
        w("")
        w("| target | measured | ratio | wanted | status |")
        w("|---|---:|---:|---:|---|")
    for name, meas, rat, want, ok in targets:
        w(f"| {name} | {meas} | {rat or '–'} | {want} | {status(ok)} |")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

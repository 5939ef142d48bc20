#!/usr/bin/env python3
"""report.py — turns the measurements of tests/bench/run.sh into Markdown.

usage: report.py RESULTS.tsv

RESULTS.tsv has tab-separated lines, written by run.sh as it measures:
  env   NAME  VALUE                        (versions, machine, settings)
  fetch N  PHASE  TOOL  MEDIAN_S  PEAK_KIB  OK   (TOOL: vane | urlwatch | floor;
                                                  "-" when not measured; OK yes|no)
  kv    NAME  VALUE                        (bench_rules / bench_store / news_eval.sh output, idle run)
Prints the fetch table, the other benchmarks and the targets of docs/design.md,
each beside its anchor with the ratio, marked met / missed.
"""
import sys


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def fmt_s(v):
    return "–" if v is None else (f"{v:.3f}" if v < 10 else f"{v:.2f}")


def with_unit(text, unit):
    return text if text == "–" else f"{text} {unit}"


def fmt_x(v):
    return "–" if v is None else f"{v:.2f}×"


def fmt_mib(kib):
    return "–" if kib is None else f"{kib / 1024:.1f}"


def fmt_rate(v):
    return "–" if v is None else f"{v:,.0f}"


def ratio(a, b):
    return a / b if a is not None and b else None


def main(argv):
    if len(argv) != 1:
        sys.exit("usage: report.py RESULTS.tsv")
    env, fetch, kv, sizes = {}, {}, {}, []
    with open(argv[0], encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[0] == "env":
                env[p[1]] = p[2]
            elif p[0] == "kv":
                kv[p[1]] = p[2]
            elif p[0] == "fetch":
                n, phase, tool = int(p[1]), p[2], p[3]
                fetch[(n, phase, tool)] = (num(p[4]), num(p[5]), p[6] == "yes")
                if n not in sizes:
                    sizes.append(n)
    out = []
    w = out.append
    w(f"Measured {env.get('date', '?')} on {env.get('machine', '?')}. {env.get('versions', '')}")
    w("")
    w(f"### Fetch runs: N pages of ~3 KB from one local server (Last-Modified / 304)")
    w("")
    w(f"Medians of {env.get('reps', '?')} runs (urlwatch: {env.get('uw_reps', '?')}); "
      f"peak RSS from one more run under `/usr/bin/time -v`. {env.get('fetch_notes', '')}")
    w("")
    w("| N | phase | vane s | urlwatch s | curl floor s | vane/floor | urlwatch/vane "
      "| vane MiB | urlwatch MiB | vane/urlwatch mem |")
    w("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    bad = []
    for n in sizes:
        for phase in ("first", "unchanged", "changed10"):
            v = fetch.get((n, phase, "vane"), (None, None, True))
            u = fetch.get((n, phase, "urlwatch"), (None, None, True))
            c = fetch.get((n, phase, "floor"), (None, None, True))
            marks = []
            for tool, r in (("vane", v), ("urlwatch", u), ("floor", c)):
                if not r[2]:
                    marks.append(tool)
                    bad.append(f"N={n} {phase} {tool}")
            flag = " (!)" if marks else ""
            w(f"| {n} | {phase}{flag} | {fmt_s(v[0])} | {fmt_s(u[0])} | {fmt_s(c[0])} "
              f"| {fmt_x(ratio(v[0], c[0]))} | {fmt_x(ratio(u[0], v[0]))} "
              f"| {fmt_mib(v[1])} | {fmt_mib(u[1])} | {fmt_x(ratio(v[1], u[1]))} |")
    if bad:
        w("")
        w("(!) the server saw other requests than expected (200s / 304s) in: " + ", ".join(bad))
    w("")

    ev, bare = num(kv.get("vane_evals_per_s")), num(kv.get("bare_calls_per_s"))
    sn, sc, raw = (num(kv.get("vane_new_items_per_s")), num(kv.get("vane_changed_items_per_s")),
                   num(kv.get("raw_rows_per_s")))
    idle = num(kv.get("idle_median_s"))
    w("### Rules, diff and store, nothing due")
    w("")
    w("| measure | vane | anchor | anchor/vane |")
    w("|---|---:|---:|---:|")
    w(f"| rule evaluations/s ({kv.get('rules', '?')} rules × {kv.get('events', '?')} events) "
      f"| {fmt_rate(ev)} | {fmt_rate(bare)} bare lua_pcall/s | {fmt_x(ratio(bare, ev))} |")
    built, nr = num(kv.get("event_tables_per_s")), num(kv.get("rules"))
    share = ev / (nr * built) if ev and nr and built else None
    w(f"| of which: events/s through rules_eval with no rules loaded (its fixed cost per event) "
      f"| {fmt_rate(built)} | – | {'–' if share is None else f'{share:.0%} of the time with {nr:.0f} rules'} |")
    w(f"| diff+store items/s, all new ({kv.get('items', '?')} items, "
      f"{kv.get('per_source', '?')} a document) | {fmt_rate(sn)} | {fmt_rate(raw)} raw INSERT rows/s "
      f"| {fmt_x(ratio(raw, sn))} |")
    w(f"| diff+store items/s, all changed | {fmt_rate(sc)} | {fmt_rate(raw)} raw INSERT rows/s "
      f"| {fmt_x(ratio(raw, sc))} |")
    news, news_before = num(kv.get("news_evals_per_s")), num(kv.get("news_before_evals_per_s"))
    w(f"| news-rule evaluations/s (`vane eval`, {kv.get('news_rules', '?')} news rules × "
      f"{kv.get('news_titles', '?')} real headlines, start-up subtracted) | {fmt_rate(news)} "
      f"| {fmt_rate(news_before) + ' earlier build (VANE_BEFORE)' if news_before else '–'} "
      f"| {fmt_x(ratio(news_before, news))} |")
    w(f"| `vane run`, nothing due ({kv.get('idle_sources', '?')} sources, "
      f"{kv.get('idle_rules', '?')} rules) | {with_unit(fmt_s(idle and idle * 1000), 'ms')} | – | – |")
    for kind, what in (("simple", "small rules"), ("news", "copies of prisoner-release")):
        kb, s = num(kv.get(f"rules_mem_{kind}_now_kb")), num(kv.get(f"rules_mem_{kind}_now_s"))
        kb0, s0 = num(kv.get(f"rules_mem_{kind}_before_kb")), num(kv.get(f"rules_mem_{kind}_before_s"))
        if kb is None:
            continue
        before = f"{kb0 / 1024:.0f} MiB, {s0:.2f} s earlier build (VANE_BEFORE)" if kb0 and s0 is not None else "–"
        w(f"| a run loading 1,000 rule files ({what}): peak memory, time | {kb / 1024:.0f} MiB, "
          f"{s:.2f} s | {before} | {fmt_x(ratio(kb0, kb)) if kb0 else '–'} |")
    w("")

    def status(ok):
        return "–" if ok is None else ("met" if ok else "**missed**")

    big = 2000 if (2000, "unchanged", "vane") in fetch else (max(sizes) if sizes else None)
    v2 = fetch.get((big, "unchanged", "vane"), (None, None, True))
    u2 = fetch.get((big, "unchanged", "urlwatch"), (None, None, True))
    c2 = fetch.get((big, "unchanged", "floor"), (None, None, True))
    r_floor, r_uw, r_mem = ratio(v2[0], c2[0]), ratio(u2[0], v2[0]), ratio(v2[1], u2[1])
    rows = [
        (f"unchanged, N={big}: time vs curl floor", f"{with_unit(fmt_s(v2[0]), 's')} vs {with_unit(fmt_s(c2[0]), 's')}",
         fmt_x(r_floor), "≤ 1.25×", None if r_floor is None else r_floor <= 1.25),
        (f"unchanged, N={big}: speed-up over urlwatch", f"{with_unit(fmt_s(u2[0]), 's')} / {with_unit(fmt_s(v2[0]), 's')}",
         fmt_x(r_uw), "≥ 6×", None if r_uw is None else r_uw >= 6),
        (f"unchanged, N={big}: peak memory vs urlwatch",
         f"{with_unit(fmt_mib(v2[1]), 'MiB')} vs {with_unit(fmt_mib(u2[1]), 'MiB')}", fmt_x(r_mem), "≤ 0.25×",
         None if r_mem is None else r_mem <= 0.25),
    ]
    if 10000 in sizes and 2000 in sizes:
        a = fetch.get((2000, "unchanged", "vane"), (None,))[0]
        b = fetch.get((10000, "unchanged", "vane"), (None,))[0]
        lin = ratio(b, a) and ratio(b, a) / 5
        rows.append(("unchanged: cost per source, N=10000 vs N=2000",
                     f"{with_unit(fmt_s(b), 's')} vs {with_unit(fmt_s(a), 's')}", fmt_x(lin), "≈ 1× (linear; ≤ 1.25×)",
                     None if lin is None else lin <= 1.25))
    rows += [
        ("rule evaluations per second", fmt_rate(ev), "", "≥ 1,000,000", None if ev is None else ev >= 1e6),
        ("rule evaluation vs bare Lua call", f"{fmt_rate(ev)} vs {fmt_rate(bare)} /s",
         fmt_x(ratio(bare, ev)), "≤ 3×", None if ratio(bare, ev) is None else ratio(bare, ev) <= 3),
        ("diff+store items per second (all new)", fmt_rate(sn), "", "≥ 100,000",
         None if sn is None else sn >= 1e5),
        ("diff+store vs raw prepared inserts (all new)", f"{fmt_rate(sn)} vs {fmt_rate(raw)} /s",
         fmt_x(ratio(raw, sn)), "≤ 3×", None if ratio(raw, sn) is None else ratio(raw, sn) <= 3),
        ("news-rule evaluations vs the earlier build (VANE_BEFORE)",
         f"{fmt_rate(news)} vs {fmt_rate(news_before)} /s", fmt_x(ratio(news_before, news)),
         "≤ 2× slower", None if ratio(news_before, news) is None else ratio(news_before, news) <= 2),
        ("nothing due: `vane run` wall time", with_unit(fmt_s(idle and idle * 1000), "ms"), "", "< 20 ms",
         None if idle is None else idle < 0.020),
    ]
    w("### Targets (docs/design.md)")
    w("")
    w("| target | measured | ratio | wanted | status |")
    w("|---|---:|---:|---:|---|")
    for name, meas, rat, want, ok in rows:
        w(f"| {name} | {meas} | {rat or '–'} | {want} | {status(ok)} |")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

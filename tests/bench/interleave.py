#!/usr/bin/env python3
"""interleave.py — `make bench`'s timer: the programs of a row take turns.

usage: interleave.py [--stats URL] [--logs DIR] [--rss PREFIX] SPEC.tsv RESULTS.tsv

SPEC.tsv has one line per program to time (tab-separated):

  GROUP  TOOL  REPS  WARMUP  OK200  OK304  PREP  ARG...

The lines of one GROUP (a row of the report, in file order) are measured
together: first WARMUP untimed runs of each, then repetition after
repetition in which every TOOL still due (it takes part in the first REPS
repetitions) runs once, the order rotated by one each repetition (vane,
before, urlwatch, curl; then before, urlwatch, curl, vane; ...), so that
each program meets the same moments of a shared, noisy machine instead of
running its repetitions back to back.

Before each run (timed or not) PREP, a sh command line ("-": none), puts
the state in place, untimed; it finds the repetition in BENCH_REP (0, 1,
…; w0, w1, … in the warm-up), the same for every program of one. ARG... is the command, run without a shell,
its output to DIR/GROUP.TOOL.out and .err, after a sync(2): what the
program before it wrote is on disk before the clock starts. The time is wall-clock
(time.perf_counter around the child). In the groups whose name starts
with PREFIX the command runs under `/usr/bin/time -f %M` for its peak
resident memory (KiB; the wrapper costs every program of the row the same
fork and exec). Not from this process's own os.wait4: Linux counts in a
child's ru_maxrss the memory of the process it was exec'd from, here
Python's. With --stats, the page server's counts are
reset before each run and read after it: the run is "ok" only when the
server answered exactly OK200 200s and OK304 304s and nothing else (OK200
"-": no check); a run that exits non-zero is not ok either.

RESULTS.tsv gets one line per timed run, appended:
  sample  GROUP  TOOL  REP  SECONDS  PEAK_KIB(0: not measured)  OK(yes|no)  EXIT
"""
import json
import os
import subprocess
import sys
import time
import urllib.request


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class Server:
    """The page server's /__stats: {"200": n, "304": n, ...} since reset."""

    def __init__(self, url):
        self.url = url

    def counts(self, reset):
        if not self.url:
            return {}
        with urllib.request.urlopen(self.url + ("?reset=1" if reset else ""), timeout=30) as r:
            return json.load(r)


def parse_spec(path):
    groups, order = {}, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            p = line.rstrip("\n").split("\t")
            if len(p) < 8:
                sys.exit(f"interleave: {path}:{n}: want GROUP TOOL REPS WARMUP OK200 OK304 PREP ARG...")
            tool = {"group": p[0], "tool": p[1], "reps": int(p[2]), "warmup": int(p[3]),
                    "ok200": None if p[4] == "-" else int(p[4]),
                    "ok304": None if p[5] == "-" else int(p[5]),
                    "prep": None if p[6] == "-" else p[6], "argv": p[7:]}
            if p[0] not in groups:
                groups[p[0]] = []
                order.append(p[0])
            groups[p[0]].append(tool)
    return [groups[g] for g in order]


def run_once(t, server, logs, rep, rss):
    """One run of t: prep, then the timed command. (seconds, peak KiB, exit, ok)"""
    if t["prep"]:
        subprocess.run(["sh", "-c", t["prep"]], check=True, env=dict(os.environ, BENCH_REP=rep))
    # what the program before wrote goes to disk now, untimed: else the
    # next one's first fsync (a journal commit) would write it back
    os.sync()
    server.counts(reset=True)
    base = os.path.join(logs, f"{t['group']}.{t['tool']}".replace("/", "_"))
    argv = ["/usr/bin/time", "-f", "%M", "-o", base + ".rss"] + t["argv"] if rss else t["argv"]
    with open(base + ".out", "wb") as out, open(base + ".err", "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, _ = os.wait4(child.pid, 0)
        secs = time.perf_counter() - start
    code = child.returncode = os.waitstatus_to_exitcode(status)
    kib = 0
    if rss:
        with open(base + ".rss", encoding="utf-8") as f:
            last = f.read().split()
        kib = int(last[-1]) if last and last[-1].isdigit() else 0
    ok = code == 0
    if code != 0:
        with open(base + ".err", encoding="utf-8", errors="replace") as f:
            tail = " | ".join(f.read().strip().splitlines()[-3:])
        log(f"WARNING: {t['group']} {t['tool']} exited {code}: {tail}")
    if t["ok200"] is not None:
        c = server.counts(reset=False)
        got200, got304 = c.get("200", 0), c.get("304", 0)
        if got200 != t["ok200"] or got304 != t["ok304"] or sum(c.values()) != got200 + got304:
            log(f"WARNING: {t['group']} {t['tool']}: server saw {c}, expected "
                f"{t['ok200']}×200 {t['ok304']}×304")
            ok = False
    return secs, kib, code, ok


def measure_group(tools, server, logs, out, rss_prefix):
    name = tools[0]["group"]
    rss = rss_prefix is not None and name.startswith(rss_prefix)
    for w in range(max(t["warmup"] for t in tools)):
        for t in tools:
            if t["warmup"] > w:
                run_once(t, server, logs, f"w{w}", rss)
    reps = max(t["reps"] for t in tools)
    log(f"{name}: {', '.join(t['tool'] for t in tools)} × {reps}, interleaved")
    for r in range(reps):
        due = [t for t in tools if t["reps"] > r]
        k = r % len(due)
        for t in due[k:] + due[:k]:
            secs, kib, code, ok = run_once(t, server, logs, str(r), rss)
            out.write(f"sample\t{name}\t{t['tool']}\t{r}\t{secs:.6f}\t{kib}\t"
                      f"{'yes' if ok else 'no'}\t{code}\n")
            out.flush()


def main(argv):
    stats, logs, rss = None, ".", None
    while argv and argv[0].startswith("--"):
        if argv[0] == "--stats" and len(argv) > 1:
            stats, argv = argv[1], argv[2:]
        elif argv[0] == "--rss" and len(argv) > 1:
            rss, argv = argv[1], argv[2:]
        elif argv[0] == "--logs" and len(argv) > 1:
            logs, argv = argv[1], argv[2:]
        else:
            break
    if len(argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    os.makedirs(logs, exist_ok=True)
    server = Server(stats)
    with open(argv[1], "a", encoding="utf-8") as out:
        for tools in parse_spec(argv[0]):
            measure_group(tools, server, logs, out, rss)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

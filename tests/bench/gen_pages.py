#!/usr/bin/env python3
"""gen_pages.py — deterministic ~3 KB HTML pages for `make bench`.

usage: gen_pages.py N DIR [--change-percent P] [--mtime T] [--changed-mtime T2]
                        [--revision R]

Writes DIR/page-0000.html ... DIR/page-(N-1).html and DIR/index.txt (the
page names, one a line). A page has a <title>, an <h1>, a level line
<p class="level" id="level">Level K: LABEL</p>, an "updated" line and four
paragraphs of filler; its bytes depend only on its number, so every run
and machine serves the same input.

With --change-percent P, page i is in its "changed" variant when
(i * P) % 100 < P (P = 10: every tenth page): level lowered by one (1 wraps
to 4), a new date and one more paragraph.

With --revision R (the history series: one revision per run), every page
is R days later (its "updated" line changes) and each revision moves the
level of a twentieth of the pages on by one (those with (R + i % 20) % 20 == 0);
revision 0 is the page as above.

The benchmark's server answers If-Modified-Since by comparing mtimes, so
they are set explicitly: --mtime T (Unix seconds) on every page, and
--changed-mtime T2 on the changed ones (default: T). Without --mtime the
files keep the time they were written.
"""
import argparse
import datetime
import hashlib
import os
import sys

VOCAB = ("advisory travel level exercise increased caution reconsider do not "
         "embassy consulate ministry security law enforcement working group "
         "meeting dialogue repatriation cooperation statement press release "
         "bilateral detention risk indicator health terrorism crime unrest "
         "kidnapping wrongful disaster government spokesperson announced "
         "delegation agreement review session annual joint committee").split()

LABELS = {1: "Exercise Normal Precautions", 2: "Exercise Increased Caution",
          3: "Reconsider Travel", 4: "Do Not Travel"}


def byte_stream(seed):
    """Endless deterministic bytes: sha256 of seed:counter, block by block."""
    n = 0
    while True:
        yield from hashlib.sha256(f"{seed}:{n}".encode()).digest()
        n += 1


def paragraph(stream, sentences=7):
    out = []
    for _ in range(sentences):
        words = [VOCAB[next(stream) % len(VOCAB)] for _ in range(8 + next(stream) % 8)]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def render(i, changed, revision=0):
    stream = byte_stream(f"page-{i}")
    level, day, month, year = 1 + (i + (revision + i % 20) // 20) % 4, 1 + i % 28, 3, 2024
    if revision:
        d = datetime.date(year, month, day) + datetime.timedelta(days=revision)
        day, month, year = d.day, d.month, d.year
    paras = [paragraph(stream) for _ in range(4)]
    if changed:
        level = level - 1 if level > 1 else 4
        month = 4
        paras.append(paragraph(byte_stream(f"page-{i}-changed")))
    title = f"Country {i:04d} Travel Advisory"
    body = "\n".join(f"<p>{p}</p>" for p in paras)
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n"
            f"<p class=\"level\" id=\"level\">Level {level}: {LABELS[level]}</p>\n"
            f"<p class=\"updated\">Last updated: {year}-{month:02d}-{day:02d}</p>\n"
            f"<div class=\"content\">\n{body}\n</div>\n</body>\n</html>\n")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("dir")
    ap.add_argument("--change-percent", type=int, default=0, metavar="P")
    ap.add_argument("--mtime", type=int, metavar="T")
    ap.add_argument("--changed-mtime", type=int, metavar="T2")
    ap.add_argument("--revision", type=int, default=0, metavar="R")
    a = ap.parse_args(argv)
    if a.n < 1 or not 0 <= a.change_percent <= 100:
        ap.error("N must be >= 1 and P in 0..100")
    os.makedirs(a.dir, exist_ok=True)
    names, n_changed = [], 0
    for i in range(a.n):
        name = f"page-{i:04d}.html"
        names.append(name)
        changed = a.change_percent > 0 and (i * a.change_percent) % 100 < a.change_percent
        n_changed += changed
        path = os.path.join(a.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(render(i, changed, a.revision))
        t = a.changed_mtime if changed and a.changed_mtime is not None else a.mtime
        if t is not None:
            os.utime(path, (t, t))
    with open(os.path.join(a.dir, "index.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(names) + "\n")
    print(f"pages={a.n} changed={n_changed} dir={a.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

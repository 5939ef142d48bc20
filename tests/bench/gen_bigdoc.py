#!/usr/bin/env python3
"""gen_bigdoc.py — one big RSS feed and one big JSON API document, for
tests/bench/bigdoc.sh.

usage: gen_bigdoc.py DIR [--items N]

Writes DIR/feed.xml (RSS 2.0) and DIR/api.json ({"results": [...]}), each
of N items (default 20,000, about 5.8 MB each). An item has a guid, a
title, a link, a publication date, one or two categories and a one-sentence
description, some of it non-ASCII (accented Latin and Chinese) and a
quarter of it with escaped markup, as real feeds have; a JSON record has
the same fields plus two numbers and a nested object. The bytes depend
only on N, so every run and machine reads the same input.
"""
import argparse
import hashlib
import json
import os
import sys
from xml.sax.saxutils import escape

VOCAB = ("advisory travel level exercise increased caution reconsider embassy "
         "consulate ministry security law enforcement working group meeting "
         "dialogue repatriation cooperation statement press release bilateral "
         "detention risk indicator health terrorism crime unrest kidnapping "
         "wrongful disaster government spokesperson announced delegation "
         "agreement review session annual joint committee café Zürich "
         "外交部 发言人 会议").split()
TOPICS = ("Diplomacy", "Security", "Health", "Trade", "Travel", "Law",
          "Humanitarian", "Energy")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec")


def byte_stream(seed):
    """Endless deterministic bytes: sha256 of seed:counter, block by block."""
    n = 0
    while True:
        yield from hashlib.sha256(f"{seed}:{n}".encode()).digest()
        n += 1


def words(stream, lo, spread):
    return " ".join(VOCAB[next(stream) % len(VOCAB)]
                    for _ in range(lo + next(stream) % spread))


def record(i):
    s = byte_stream(f"item-{i}")
    day, month, hour = 1 + i % 28, i % 12, i % 24
    text = words(s, 4, 4).capitalize() + "."
    return {
        "id": f"doc-{i:06d}",
        "title": f"{words(s, 2, 4).capitalize()} ({i})",
        "url": f"https://example.org/n/{i:06d}",
        "date": f"{DAYS[i % 7]}, {day:02d} {MONTHS[month]} 2024 {hour:02d}:{i % 60:02d}:00 GMT",
        "iso": f"2024-{month + 1:02d}-{day:02d}T{hour:02d}:{i % 60:02d}:00Z",
        "topics": [TOPICS[(i + k) % 8] for k in range(1 + (i % 4 == 0))],
        "text": text,
        "score": (next(s) * 37 + i) % 1000,
        "weight": round((next(s) + 1) / 7.0, 3),
        "agency": {"name": f"Office {i % 50}", "code": f"O{i % 50:02d}"},
    }


def rss_item(r):
    cats = "".join(f"<category>{c}</category>" for c in r["topics"])
    desc = escape(f"<b>{r['text']}</b>" if r["score"] % 4 == 0 else r["text"])
    return (f"<item><title>{escape(r['title'])}</title><link>{r['url']}</link>"
            f"<guid>{r['id']}</guid><pubDate>{r['date']}</pubDate>"
            f"{cats}<description>{desc}</description></item>\n")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--items", type=int, default=20000)
    a = ap.parse_args(argv)
    os.makedirs(a.dir, exist_ok=True)
    records = [record(i) for i in range(a.items)]
    with open(os.path.join(a.dir, "feed.xml"), "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                "<title>Big feed</title><link>https://example.org/</link>"
                "<description>A generated feed</description>\n")
        for r in records:
            f.write(rss_item(r))
        f.write("</channel></rss>\n")
    doc = {"count": a.items, "results": [
        {k: r[k] for k in ("id", "title", "url", "iso", "topics", "text", "score",
                           "weight", "agency")} for r in records]}
    with open(os.path.join(a.dir, "api.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

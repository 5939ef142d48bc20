# bookkeeping.sh — the fixed cost per evaluated event, for `make bench`;
# sourced by run.sh (its scratch directory, spec and measure_spec).
#
# One source whose one kept document holds BK_EVENTS items (an RSS feed read
# from a file); `vane reextract --flags` rebuilds them as pending events.
# Timed: a run with nothing due over that database ("pending") and over the
# same database after a run evaluated them ("settled"), each copied into
# place from a checkpointed snapshot and synced before the run; with no
# rules, then with the shipped rules (no rules folder: the ones built in),
# for this build and VANE_BEFORE, all taking turns. The difference of the
# medians over BK_EVENTS is the cost per event.

log "per-event bookkeeping: $BK_EVENTS events"
K=$W/bk
mkdir -p "$K/none"
"$PY" - "$BK_EVENTS" "$K/feed.xml" <<'EOF'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
words = ("ministry statement embassy delegation meeting review joint committee annual "
         "cooperation security dialogue bilateral announced agreement session").split()
with open(path, "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            '<title>bench</title><link>http://127.0.0.1/</link><description>bench</description>\n')
    for i in range(n):
        text = " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(40))
        f.write(f"<item><title>Notice {i:05d}: {words[i % len(words)]} {words[(i // 7) % len(words)]}</title>"
                f"<link>http://127.0.0.1/n/{i}</link><guid>http://127.0.0.1/n/{i}</guid>"
                f"<pubDate>Mon, 02 Dec 2024 10:00:00 GMT</pubDate><description>{text}</description></item>\n")
    f.write("</channel></rss>\n")
EOF
BK_NOW=2026-06-01T00:00:00Z
BK_LATER=2026-06-01T00:10:00Z
sp=$W/spec-bk.tsv
: > "$sp"
for rules in none shipped; do
    for b in $BUILDS; do
        M=$K/$rules-$b
        mkdir -p "$M/state"
        {
            echo 'database "state/vane.db"'
            echo 'settings { allow_file = true }'
            [ "$rules" = none ] && echo "rules { \"$K/none\" }"
            echo "source { id = \"notices\", url = \"file://$K/feed.xml\", script = \"rss\", every = \"1h\" }"
        } > "$M/vane.lua"
        vb=$(bin_of "$b")
        { "$vb" -q -c "$M/vane.lua" --now "$BK_NOW" run &&
          "$vb" -q -c "$M/vane.lua" --now "$BK_NOW" reextract notices --flags; } > "$W/out/bk-prime.out" 2>&1 ||
            die "priming the bookkeeping database ($rules, $b) failed: $(tail -3 "$W/out/bk-prime.out")"
        snapshot "$M/state" "$M/pending"
        "$vb" -q -c "$M/vane.lua" --now "$BK_LATER" run > "$W/out/bk-prime.out" 2>&1 ||
            die "settling the bookkeeping database ($rules, $b) failed: $(tail -3 "$W/out/bk-prime.out")"
        snapshot "$M/state" "$M/settled"
        for st in pending settled; do
            write_prep "bk-$rules-$b-$st" "$M/state" "$M/$st" ""
            spec "$sp" "bk:$rules" "$b-$st" "$REPS" 1 - - "sh $W/prep/bk-$rules-$b-$st.sh" \
                "$vb" -q -c "$M/vane.lua" --now "$BK_LATER" run
        done
    done
done
measure_spec "$sp"
record kv bk_events "$BK_EVENTS"
record kv bk_shipped_rules "$("$VANE" -c "$K/shipped-vane/vane.lua" check --json 2>/dev/null |
    "$PY" -c 'import json,sys
for l in sys.stdin:
    d = json.loads(l)
    if "rules" in d and "ok" in d: print(d["rules"])' | tail -1)"

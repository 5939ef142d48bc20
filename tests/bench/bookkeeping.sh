# bookkeeping.sh — the fixed cost per evaluated event, for `make bench`;
# sourced by run.sh (its scratch directory, spec and measure_spec).
#
# One source (a JSON file) whose two kept documents hold a baseline of one
# item and then BK_EVENTS new ones; `vane reextract --flags` rebuilds their
# events and leaves them pending for the next run. Timed: a run with
# nothing due over that database ("pending") and over the same database
# after a run evaluated them ("settled"), each copied into place from a
# checkpointed snapshot and synced before the run; with no rules, then
# with the shipped rules (no rules folder: the ones built in), for this
# build and VANE_BEFORE, all taking turns. The difference of the medians
# over BK_EVENTS is the cost per event.

log "per-event bookkeeping: $BK_EVENTS events"
K=$W/bk
mkdir -p "$K/none"
# feed-1.json: one notice (the source's baseline); feed-n.json: BK_EVENTS
# notices of about 2 KB, each with "level = n/a", so that every shipped
# rule is called on it and turns it down at once (the news rules leave out
# items with a level, the advisory rules levels that are not numbers)
"$PY" - "$BK_EVENTS" "$K" <<'PY'
import json, sys
n, d = int(sys.argv[1]), sys.argv[2]
words = ("ministry statement embassy delegation meeting review joint committee annual "
         "cooperation security dialogue bilateral announced agreement session").split()
def notice(i):
    return {"id": f"n{i:05d}", "title": f"Notice {i:05d}: {words[i % len(words)]} {words[(i // 7) % len(words)]}",
            "summary": " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(220)), "level": "n/a"}
for name, count in (("feed-1.json", 1), ("feed-n.json", n)):
    with open(f"{d}/{name}", "w", encoding="utf-8") as f:
        json.dump({"notices": [notice(i) for i in range(count)]}, f)
PY
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
            echo "source { id = \"notices\", url = \"file://$K/feed.json\", script = \"json_api\", every = \"1h\","
            echo "         max_bytes = \"100MB\", options = { items = \"notices\", key = \"id\", fields = { \"title\", \"summary\", \"level\" } } }"
        } > "$M/vane.lua"
        vb=$(bin_of "$b")
        # the baseline (one notice), then the BK_EVENTS new ones; reextract
        # --flags rebuilds both documents' events and leaves them pending
        { cp "$K/feed-1.json" "$K/feed.json" &&
          "$vb" -q -c "$M/vane.lua" --now 2026-06-01T00:00:00Z run --all &&
          cp "$K/feed-n.json" "$K/feed.json" &&
          "$vb" -q -c "$M/vane.lua" --now 2026-06-01T01:00:00Z run --all &&
          "$vb" -q -c "$M/vane.lua" --now 2026-06-01T01:00:00Z reextract notices --flags; } > "$W/out/bk-prime.out" 2>&1 ||
            die "priming the bookkeeping database ($rules, $b) failed: $(tail -3 "$W/out/bk-prime.out")"
        snapshot "$M/state" "$M/pending"
        "$vb" -q -c "$M/vane.lua" --now 2026-06-01T01:10:00Z run > "$W/out/bk-prime.out" 2>&1 ||
            die "settling the bookkeeping database ($rules, $b) failed: $(tail -3 "$W/out/bk-prime.out")"
        snapshot "$M/state" "$M/settled"
        for st in pending settled; do
            write_prep "bk-$rules-$b-$st" "$M/state" "$M/$st" ""
            spec "$sp" "bk:$rules" "$b-$st" "$REPS" 1 - - "sh $W/prep/bk-$rules-$b-$st.sh" \
                "$vb" -q -c "$M/vane.lua" --now 2026-06-01T01:10:00Z run
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

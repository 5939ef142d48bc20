#!/bin/sh
# bigdoc.sh — what one big document costs vane beside its parse-only floor
# (issue 14, item 6: at most 4× the floor).
#
# Generates (gen_bigdoc.py) a ~5 MB RSS feed and a ~5 MB JSON API document
# of 20,000 items each, and times with hyperfine, interleaved (each
# repetition runs every program once, in an order that rotates):
#   - the floors: `xmllint --noout` on the feed, python3's json.load on the
#     JSON document (interpreter start-up included, as vane's is);
#   - `vane run` on a fresh database, the document read from a file://
#     source (the first fetch: 20,000 new items stored as the baseline);
#   - `vane preview SOURCE --file DOC --json` (extract only, nothing stored).
# With VANE_BEFORE set to an earlier build, that build runs in the same
# repetitions, for a before/after in one run.
#
# Prints only TSV lines on stdout, one per row:
#   row  vane_median_s  vane_min_s  vane_max_s  floor_name  floor_median_s  before_median_s|-
# Logs go to stderr.
#
# Environment: VANE (default bin/vane), VANE_BEFORE (optional), REPS
# (repetitions, default 5), ITEMS (default 20000), PYTHON (default
# /usr/bin/python3 when present: a version manager's shim would add its own
# start-up to the floor), KEEP=1 keeps the scratch directory. Needs
# hyperfine, xmllint and python3. Nothing leaves this machine: the sources
# are file:// URLs.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
VANE=${VANE:-bin/vane}
VANE_BEFORE=${VANE_BEFORE:-}
REPS=${REPS:-5}
ITEMS=${ITEMS:-20000}
if [ -z "${PYTHON:-}" ]; then
    PYTHON=python3
    [ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
fi

log() { echo "bigdoc: $*" >&2; }
die() { log "$*"; exit 2; }
for t in hyperfine xmllint "$PYTHON"; do
    command -v "$t" >/dev/null 2>&1 || die "$t is missing"
done
abspath() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
[ -x "$VANE" ] || die "$VANE is missing: run make build first"
VANE=$(abspath "$VANE")
if [ -n "$VANE_BEFORE" ]; then
    [ -x "$VANE_BEFORE" ] || die "$VANE_BEFORE is missing"
    VANE_BEFORE=$(abspath "$VANE_BEFORE")
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/vane-bigdoc.XXXXXX")
cleanup() {
    if [ "${KEEP:-0}" = 1 ]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "generating $ITEMS items per document in $W"
"$PYTHON" "$HERE/gen_bigdoc.py" "$W" --items "$ITEMS"
log "feed.xml $(wc -c < "$W/feed.xml") bytes, api.json $(wc -c < "$W/api.json") bytes"

# A monitor per source (a run fetches one document) and one with both (for
# preview). The sandbox's memory is raised: the parsed tree of a 5 MB feed
# counts against it (lib/xmlsafe.h), and what is measured here is time.
FEED_SRC="source { id = \"feed\", url = \"file://$W/feed.xml\", script = \"rss\", max_bytes = \"50MB\" }"
API_SRC="source { id = \"api\", url = \"file://$W/api.json\", script = \"json_api\", max_bytes = \"50MB\",
         options = { items = \"results\", key = \"id\", title = \"title\", link = \"url\", published = \"iso\" } }"
monitor() {   # monitor DIR SOURCE...
    dir=$1; shift
    mkdir -p "$dir"
    {
        echo 'database "vane.db"'
        echo 'settings { allow_file = true, memory = "512MB", call_timeout = "60s", instructions = 1000000000 }'
        for src in "$@"; do echo "$src"; done
    } > "$dir/vane.lua"
}
monitor "$W/feed" "$FEED_SRC"
monitor "$W/api" "$API_SRC"
monitor "$W/both" "$FEED_SRC" "$API_SRC"
echo 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' > "$W/json_load.py"

# A fresh database before every timed run of `vane run`.
DB=$W/run.db
FRESH="rm -f $DB $DB-wal $DB-shm $DB.lock"

# measure ROW FLOOR_NAME FLOOR_CMD VANE_ARGS: REPS repetitions of one
# hyperfine call each (one run per program, the order rotated), then the
# TSV line from the collected times.
measure() {
    row=$1 floor_name=$2 floor_cmd=$3 args=$4
    rm -f "$W"/rep-*.json
    i=0
    while [ "$i" -lt "$REPS" ]; do
        set -- "$floor_cmd" "$VANE $args"
        [ -n "$VANE_BEFORE" ] && set -- "$@" "$VANE_BEFORE $args"
        r=0
        while [ "$r" -lt $(( i % $# )) ]; do   # rotate the order
            first=$1; shift; set -- "$@" "$first"; r=$(( r + 1 ))
        done
        hyperfine -N -r 1 --prepare "$FRESH" --export-json "$W/rep-$i.json" "$@" >/dev/null 2>&1 ||
            die "$row: a program failed (hyperfine -N -r 1 $*)"
        i=$(( i + 1 ))
    done
    "$PYTHON" - "$row" "$floor_name" "$floor_cmd" "$VANE $args" "${VANE_BEFORE:+$VANE_BEFORE $args}" \
        "$W"/rep-*.json <<'EOF'
import json, statistics, sys
row, floor_name, floor_cmd, vane_cmd, before_cmd = sys.argv[1:6]
times = {}
for path in sys.argv[6:]:
    for r in json.load(open(path))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
v = times[vane_cmd]
before = "%.3f" % statistics.median(times[before_cmd]) if before_cmd else "-"
print("\t".join([row, "%.3f" % statistics.median(v), "%.3f" % min(v), "%.3f" % max(v),
                 floor_name, "%.3f" % statistics.median(times[floor_cmd]), before]))
EOF
    log "$row done"
}

JSON_FLOOR="$PYTHON $W/json_load.py $W/api.json"
measure feed-first-run xmllint "xmllint --noout $W/feed.xml" "--config $W/feed/vane.lua --db $DB run"
measure feed-preview xmllint "xmllint --noout $W/feed.xml" "--config $W/both/vane.lua preview feed --file $W/feed.xml --json"
measure api-first-run json.load "$JSON_FLOOR" "--config $W/api/vane.lua --db $DB run"
measure api-preview json.load "$JSON_FLOOR" "--config $W/both/vane.lua preview api --file $W/api.json --json"

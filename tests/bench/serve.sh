#!/bin/sh
# serve.sh — how long `vane serve` takes to answer each page of the web view
# with FLAGS (default 100,000) flags in the database (issue 16).
#
# The database: `vane run` once on a config with no source creates and
# migrates it, then gen_flags.py writes the rows (half advisory level
# changes over 200 countries, half new items over 20 news sources, a
# verdict on every tenth flag). Then `vane serve --listen 127.0.0.1:PORT`
# runs on it (the config naming those sources and the shipped rules) and
# curl asks for each page REPS times, after one untimed request each; in
# every repetition the pages take turns, the order rotated. The time is
# curl's time_starttransfer: from the request until the first byte of the
# answer, i.e. the server's work on the page plus one loopback round trip.
#
# Prints only TSV lines on stdout, one per page:
#   page  path  median_s  min_s  max_s  statuses (e.g. "200"; any other is a failure)
# Logs go to stderr. Exit 0; 2 when something needed is missing or vane
# serve did not start; 3 when this vane has no serve command.
#
# Environment: VANE (default bin/vane), FLAGS (100000), REPS (20), PYTHON
# (default /usr/bin/python3 when present), KEEP=1 keeps the scratch
# directory. Needs curl and python3. Nothing listens beyond 127.0.0.1;
# the server is stopped by its own PID.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VANE=${VANE:-$ROOT/bin/vane}
FLAGS=${FLAGS:-100000}
REPS=${REPS:-20}
if [ -z "${PYTHON:-}" ]; then
    PYTHON=python3
    [ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
fi

log() { echo "serve: $*" >&2; }
die() { log "$*"; exit 2; }
for t in curl "$PYTHON"; do
    command -v "$t" >/dev/null 2>&1 || die "$t is missing"
done
[ -x "$VANE" ] || die "$VANE is missing: run make build first"
if ! "$VANE" --help 2>&1 | grep -q '^  *serve '; then
    log "this vane has no serve command"
    exit 3
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/vane-bench-serve.XXXXXX")
PID=""
alive() { [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; }
cleanup() {
    if [ -n "$PID" ]; then
        for _ in $(seq 50); do
            alive || break
            kill -TERM "$PID" 2>/dev/null || break
            sleep 0.1
        done
        if alive; then kill -KILL "$PID" 2>/dev/null || true; fi
        wait "$PID" 2>/dev/null || true
    fi
    if [ "${KEEP:-0}" = 1 ]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the database ------------------------------------------------------------
log "$FLAGS flags: creating the database"
echo 'database "vane.db"' > "$W/vane.lua"
"$VANE" -q -c "$W/vane.lua" run > "$W/create.out" 2>&1 || die "vane run (creating the database) failed: $(tail -3 "$W/create.out")"
ids=$("$PYTHON" "$HERE/gen_flags.py" "$W/vane.db" "$FLAGS" 2> "$W/gen.err") || die "gen_flags.py failed: $(tail -3 "$W/gen.err")"
log "$(cat "$W/gen.err")"
FLAG_ID=$(echo "$ids" | sed -n 's/.*flag_id=\([0-9]*\).*/\1/p')
KEY=$(echo "$ids" | sed -n 's/.* key=\([^ ]*\).*/\1/p')
if [ -z "$FLAG_ID" ] || [ -z "$KEY" ]; then die "gen_flags.py named no flag: $ids"; fi

# the config the server reads: the sources of the rows (never fetched here)
{
    echo 'database "vane.db"'
    echo "rules { \"$ROOT/rules\" }"
    echo 'source { id = "travel-advisories", url = "http://127.0.0.1:9/travel-advisories", script = "travel_advisories", every = "1h" }'
    for s in $(seq 0 19); do
        printf 'source { id = "news-%02d", url = "http://127.0.0.1:9/news-%02d", script = "rss", every = "1h" }\n' "$s" "$s"
    done
} > "$W/vane.lua"

# ---- the server ----------------------------------------------------------------
PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$VANE" -c "$W/vane.lua" serve --listen "127.0.0.1:$PORT" > "$W/serve.out" 2> "$W/serve.err" &
PID=$!
for _ in $(seq 300); do
    grep -q '^vane: serving http://' "$W/serve.err" 2>/dev/null && break
    alive || die "vane serve exited: $(tail -3 "$W/serve.err")"
    sleep 0.1
done
grep -q '^vane: serving http://' "$W/serve.err" || die "vane serve did not start in 30 s: $(tail -3 "$W/serve.err")"
BASE=http://127.0.0.1:$PORT

# ---- the pages -------------------------------------------------------------------
cat > "$W/pages.tsv" <<EOF
flags	/flags
flag	/flags/$FLAG_ID
item	/items/travel-advisories/$KEY
advisories	/advisories
advisory	/advisories/travel-advisories/$KEY
sources	/sources
rules	/rules
EOF
NPAGES=$(wc -l < "$W/pages.tsv")

# get NAME PATH: one request, "NAME STATUS SECONDS" appended to the samples
get() {
    curl -sS -o /dev/null --max-time 120 -w "$1 %{http_code} %{time_starttransfer}\n" "$BASE$2" \
        >> "$W/samples.txt" 2>> "$W/curl.err" || echo "$1 000 0" >> "$W/samples.txt"
}
log "warming up"
while IFS='	' read -r name path; do
    curl -sS -o /dev/null --max-time 120 "$BASE$path" 2>> "$W/curl.err" || true
done < "$W/pages.tsv"
: > "$W/samples.txt"
log "$NPAGES pages x $REPS repetitions"
for rep in $(seq 1 "$REPS"); do
    shift_by=$(( (rep - 1) % NPAGES ))
    { tail -n +"$((shift_by + 1))" "$W/pages.tsv"; head -n "$shift_by" "$W/pages.tsv"; } |
        while IFS='	' read -r name path; do get "$name" "$path"; done
done

# ---- medians -----------------------------------------------------------------------
while IFS='	' read -r name path; do
    awk -v n="$name" '$1 == n { print $3 }' "$W/samples.txt" | sort -g > "$W/t.txt"
    codes=$(awk -v n="$name" '$1 == n { print $2 }' "$W/samples.txt" | sort -u | paste -sd, -)
    c=$(wc -l < "$W/t.txt")
    med=$(awk -v c="$c" '{ v[NR] = $1 } END { if (c % 2) print v[(c + 1) / 2]; else print (v[c / 2] + v[c / 2 + 1]) / 2 }' "$W/t.txt")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$path" "$med" "$(head -1 "$W/t.txt")" "$(tail -1 "$W/t.txt")" "$codes"
done < "$W/pages.tsv"

#!/bin/sh
# run.sh — `make bench`: vane's speed and memory beside their anchors, all
# measured in this one run on this machine (docs/design.md, "Performance, and how it is measured").
# A benchmark, never a pass/fail test: it prints a Markdown table (and
# writes it to tests/bench/last-results.md) marking each target met or missed.
#
#  1. fetch runs: N generated ~3 KB pages served from 127.0.0.1 by serve.py
#     (Last-Modified / If-Modified-Since → 304); phases first (empty state),
#     unchanged (state of a prior run) and changed10 (10% of the pages newer
#     than that state), each for vane, urlwatch and the floor
#     `curl --parallel --parallel-max 10`; hyperfine medians, peak RSS from
#     /usr/bin/time -v; the server's 200/304 counts checked for every run;
#  2. bench_rules: rule evaluations per second vs a bare lua_pcall;
#  3. bench_store: diff + store items per second vs raw prepared inserts;
#  4. `vane run` with nothing due (1,000 sources, 100 rules);
#  5. news-rule evaluations per second: `vane eval` with the six news rules
#     over the real dev headlines (news_eval.sh; VANE_BEFORE=an earlier
#     build measures it too, for the comparison);
#  6. the peak memory and time of a run that loads 1,000 rule files, each
#     in a Lua state of its own (rules_memory.sh; VANE_BEFORE too).
#
# Environment: SIZES (default "100 2000"; BENCH_FULL=1 adds 10000, where
# urlwatch is skipped), REPS (hyperfine runs for vane and curl, default 5),
# UW_REPS (for urlwatch, default 3), PARALLEL (vane's max_parallel and
# per_host and curl's --parallel-max, default 10), PYTHON, VANE, KEEP=1 (keep
# the scratch directory). Needs hyperfine, /usr/bin/time (Debian "time"),
# urlwatch, curl, python3, and `make build` done (bin/vane, build/bench/).
# Nothing listens beyond 127.0.0.1; the server is stopped by its own PID.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VANE=${VANE:-$ROOT/bin/vane}
BENCH_BIN=${BENCH_BIN:-$ROOT/build/bench/release}
PY=${PYTHON:-python3}
REPS=${REPS:-5}
UW_REPS=${UW_REPS:-3}
PARALLEL=${PARALLEL:-10}
if [ -z "${SIZES:-}" ]; then
    SIZES="100 2000"
    [ "${BENCH_FULL:-0}" = 1 ] && SIZES="100 2000 10000"
fi
IDLE_SOURCES=1000
IDLE_RULES=100

die() { echo "bench: $*" >&2; exit 2; }
for t in hyperfine curl urlwatch "$PY"; do
    command -v "$t" >/dev/null 2>&1 || die "$t is missing (apt-get install -y urlwatch hyperfine time curl python3)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install -y time)"
[ -x "$VANE" ] || die "$VANE is missing: run make build first"
for b in bench_rules bench_store; do
    [ -x "$BENCH_BIN/$b" ] || die "$BENCH_BIN/$b is missing: run make build first"
done

W=$(mktemp -d "${TMPDIR:-/tmp}/vane-bench.XXXXXX")
SERVER_PID=""
# Stop the server by its PID: TERM, repeated (a TERM that lands while the
# interpreter is still starting can be lost), then KILL after 5 s.
server_alive() {   # running, not a zombie waiting to be reaped (Linux /proc)
    st=$(sed 's/^.*) \(.\).*/\1/' "/proc/$SERVER_PID/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ]
}
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    for _ in $(seq 50); do
        server_alive || break
        kill -TERM "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if server_alive; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
cleanup() {
    stop_server
    if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RES=$W/results.tsv
: > "$RES"
log() { echo "bench: $*" >&2; }
record() { (IFS='	'; echo "$*") >> "$RES"; }

# ---- the page server ---------------------------------------------------------
mkdir -p "$W/www" "$W/prep" "$W/out" "$W/snap"
"$PY" "$HERE/serve.py" "$W/www" 0 > "$W/server.log" 2>&1 &
SERVER_PID=$!
PORT=""
for _ in $(seq 100); do
    PORT=$(sed -n 's/^port=\([0-9]*\).*/\1/p' "$W/server.log" 2>/dev/null || true)
    [ -n "$PORT" ] && break
    sleep 0.05
done
[ -n "$PORT" ] || die "the page server did not start: $(cat "$W/server.log")"
BASE=http://127.0.0.1:$PORT

# Old pages are 2 hours old; the changed variant is dated a day ahead, so it
# is newer than any state a client saved (urlwatch sends its own last run's
# time as If-Modified-Since, vane the server's Last-Modified).
T0=$(( $(date +%s) - 7200 ))
T1=$(( $(date +%s) + 86400 ))
touch -d "@$T0" "$W/ims-ref"    # curl -z: If-Modified-Since the old pages' time

# "200 304" counted by the server since the last call, and reset
server_counts() {
    curl -s "$BASE/__stats?reset=1" |
        "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d.get("200",0), d.get("304",0), sum(d.values()))'
}

# check_counts WHAT RUNS OK200 OK304: did the server see exactly RUNS times
# the expected answers? Prints "yes" or "no" (and a warning).
check_counts() {
    # shellcheck disable=SC2046  # three numbers, split on purpose
    set -- "$1" "$2" "$3" "$4" $(server_counts)
    if [ "$5" -eq $(( $2 * $3 )) ] && [ "$6" -eq $(( $2 * $4 )) ] && [ "$7" -eq $(( $5 + $6 )) ]; then
        echo yes
    else
        log "WARNING: $1: server saw $5×200 $6×304 ($7 in all), expected $(( $2 * $3 ))×200 $(( $2 * $4 ))×304"
        echo no
    fi
}

median_of() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"; }
peak_kib() { sed -n 's/.*Maximum resident set size (kbytes): *//p' "$1"; }

# hyperfine_median NAME RUNS WARMUP PREPARE_SCRIPT CMD: median seconds, or "-"
hyperfine_median() {
    if hyperfine -N --style none --runs "$2" --warmup "$3" --prepare "sh '$4'" \
            --export-json "$W/out/$1.json" "$5" > "$W/out/$1.log" 2>&1; then
        median_of "$W/out/$1.json"
    else
        log "WARNING: $1 failed: $(tail -3 "$W/out/$1.log")"
        echo -
    fi
}

# peak_run NAME PREPARE_SCRIPT COMMAND: one more run, for its peak RSS (KiB)
peak_run() {
    sh "$2"
    if eval "/usr/bin/time -v -o '$W/out/$1.time' $3" > "$W/out/$1.out" 2> "$W/out/$1.err"; then
        peak_kib "$W/out/$1.time"
    else
        log "WARNING: $1 exited non-zero: $(tail -3 "$W/out/$1.err")"
        echo -
    fi
}

# ---- 1. fetch runs -----------------------------------------------------------
cat > "$W/page.lua" <<'EOF'
-- scripts/page.lua — the benchmark pages: one item per page
return function(doc, options)
  local body = doc.body
  local title = body:match("<title>(.-)</title>")
  local level = body:match('<p class="level" id="level">(.-)</p>')
  if not title or not level then error("not a benchmark page") end
  return { { key = "page", title = title, level = level } }
end
EOF
cat > "$W/rule.lua" <<'EOF'
-- a page's level line changed
return {
  id = "page-level-change", severity = "high",
  when = function(ev) return ev.change == "changed" and ev.diff.level ~= nil end,
  message = function(ev) return ev.source .. ": " .. ev.diff.level.old .. " → " .. ev.diff.level.new end,
}
EOF

# Does this vane take the fetcher settings? (it is being rewritten)
SETTINGS="settings { max_parallel = $PARALLEL, per_host = $PARALLEL }"
mkdir -p "$W/probe/rules"
printf '%s\n' "$SETTINGS" > "$W/probe/vane.lua"
if ! "$VANE" -c "$W/probe/vane.lua" check > /dev/null 2>&1; then
    log "this vane does not take '$SETTINGS': measuring it with its defaults"
    SETTINGS=""
fi

# write_vane_config DIR URLS EVERY: vane.lua with a source per URL, the
# page script and the rule, its database in DIR/state
write_vane_config() {
    mkdir -p "$1/scripts" "$1/rules" "$1/state"
    cp "$W/page.lua" "$1/scripts/page.lua"
    cp "$W/rule.lua" "$1/rules/page_level_change.lua"
    {
        echo 'database "state/vane.db"'
        [ -n "$SETTINGS" ] && echo "$SETTINGS"
        awk -v every="$3" -v base="$BASE" \
            '{ printf "source { id = \"p%04d\", url = \"%s/%s\", script = \"page\", every = \"%s\" }\n", NR - 1, base, $0, every }' "$2"
    } > "$1/vane.lua"
}

# write_urlwatch DIR URLS: a throw-away urlwatch set-up (jobs, config, cache,
# HOME and XDG dirs all inside DIR) and DIR/run.sh to start it under env -i
write_urlwatch() {
    mkdir -p "$1/home" "$1/state"
    awk -v base="$BASE" '{ if (NR > 1) print "---"; printf "name: job-%04d\nurl: %s/%s\n", NR - 1, base, $0 }' \
        "$2" > "$1/urls.yaml"
    cat > "$1/run.sh" <<EOF
exec env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME='$1/home' \
    XDG_CONFIG_HOME='$1/home/.config' XDG_CACHE_HOME='$1/home/.cache' \
    urlwatch --urls '$1/urls.yaml' --config '$1/urlwatch.yaml' --cache '$1/state/cache.db' \
    --hooks '$1/hooks.py' "\$@"
EOF
    sh "$1/run.sh" --list > /dev/null 2>&1 || true   # writes its default urlwatch.yaml
    [ -f "$1/urlwatch.yaml" ] || die "urlwatch did not write its configuration"
    sed -i '/^  stdout:/,/^  [a-z]/ s/color: true/color: false/' "$1/urlwatch.yaml"
}

# prep scripts: reset or restore a tool's state, then put a page set in place
write_prep() {   # NAME STATE_DIR SNAPSHOT|"" PAGES_DIR
    {
        echo "rm -rf '$2' && mkdir -p '$2'"
        [ -n "$3" ] && echo "cp -a '$3/.' '$2/'"
        echo "cp -pR '$4/.' '$W/www/'"
    } > "$W/prep/$1.sh"
}

snapshot() { rm -rf "$2" && cp -a "$1" "$2"; }

# quote_args ARG...: the arguments as one command line, each in '' (paths
# here hold no quote), for hyperfine -N and for sh -c
quote_args() {
    out=""
    for a in "$@"; do out="$out '$a'"; done
    echo "${out# }"
}

# measure N TOOL PHASE RUNS WARMUP STATE SNAPSHOT_IN PAGES OK200 OK304 COMMAND
measure() {
    n=$1 tool=$2 phase=$3 runs=$4 warm=$5 state=$6 snap_in=$7 pages=$8 ok200=$9 ok304=${10}
    cmd=${11}
    name=n$n-$tool-$phase
    write_prep "$name" "$state" "$snap_in" "$pages"
    server_counts > /dev/null
    log "N=$n $phase: $tool"
    med=$(hyperfine_median "$name" "$runs" "$warm" "$W/prep/$name.sh" "$cmd")
    ok=$(check_counts "$name" $(( runs + warm )) "$ok200" "$ok304")
    peak=-
    if [ "$tool" != floor ]; then
        peak=$(peak_run "$name" "$W/prep/$name.sh" "$cmd")
        [ "$(check_counts "$name (peak run)" 1 "$ok200" "$ok304")" = yes ] || ok=no
    fi
    record fetch "$n" "$phase" "$tool" "$med" "$peak" "$ok"
}

for N in $SIZES; do
    D=$W/n$N
    mkdir -p "$D"
    log "N=$N: generating pages"
    "$PY" "$HERE/gen_pages.py" "$N" "$D/base" --mtime "$T0" > /dev/null
    "$PY" "$HERE/gen_pages.py" "$N" "$D/changed" --change-percent 10 --mtime "$T0" \
        --changed-mtime "$T1" > /dev/null
    find "$W/www" -mindepth 1 -delete
    cp -pR "$D/base/." "$W/www/"
    CH=$(( (N + 9) / 10 ))    # pages i with i*10 % 100 < 10: every tenth
    UN=$(( N - CH ))

    # Per phase: vane, then the floor, then urlwatch, back to back, so that
    # vane and its anchors meet the same machine (it is shared and noisy).
    write_vane_config "$D/vane" "$D/base/index.txt" 1m
    VS=$D/vane/state
    set -- "$VANE" -q -c "$D/vane/vane.lua" run --all
    vane_cmd=$(quote_args "$@")
    # the floor: curl alone, same URLs, same server, as many transfers at
    # once; conditional (-z) like vane and urlwatch once they hold state
    sed "s|^\(.*\)$|url = \"$BASE/\1\"\noutput = \"/dev/null\"|" "$D/base/index.txt" > "$D/curl.cfg"
    mkdir -p "$D/curl"
    set -- curl -sS --parallel --parallel-max "$PARALLEL" -K "$D/curl.cfg"
    floor_cmd=$(quote_args "$@")
    floor_cond_cmd=$(quote_args "$@" -z "$W/ims-ref")
    # urlwatch (not at 10,000: minutes a run)
    with_uw=0
    if [ "$N" -lt 10000 ]; then
        with_uw=1
        write_urlwatch "$D/uw" "$D/base/index.txt"
        US=$D/uw/state
        uw_cmd=$(quote_args sh "$D/uw/run.sh")
    fi

    measure "$N" vane first "$REPS" 1 "$VS" "" "$D/base" "$N" 0 "$vane_cmd"
    snapshot "$VS" "$W/snap/n$N-vane-first"
    measure "$N" floor first "$REPS" 1 "$D/curl" "" "$D/base" "$N" 0 "$floor_cmd"
    if [ $with_uw = 1 ]; then
        measure "$N" urlwatch first "$UW_REPS" 0 "$US" "" "$D/base" "$N" 0 "$uw_cmd"
        snapshot "$US" "$W/snap/n$N-uw-first"
    fi

    measure "$N" vane unchanged "$REPS" 1 "$VS" "$W/snap/n$N-vane-first" "$D/base" 0 "$N" "$vane_cmd"
    snapshot "$VS" "$W/snap/n$N-vane-unchanged"
    measure "$N" floor unchanged "$REPS" 1 "$D/curl" "" "$D/base" 0 "$N" "$floor_cond_cmd"
    if [ $with_uw = 1 ]; then
        measure "$N" urlwatch unchanged "$UW_REPS" 0 "$US" "$W/snap/n$N-uw-first" "$D/base" 0 "$N" "$uw_cmd"
        snapshot "$US" "$W/snap/n$N-uw-unchanged"
    fi

    measure "$N" vane changed10 "$REPS" 1 "$VS" "$W/snap/n$N-vane-unchanged" "$D/changed" "$CH" "$UN" "$vane_cmd"
    measure "$N" floor changed10 "$REPS" 1 "$D/curl" "" "$D/changed" "$CH" "$UN" "$floor_cond_cmd"
    if [ $with_uw = 1 ]; then
        measure "$N" urlwatch changed10 "$UW_REPS" 0 "$US" "$W/snap/n$N-uw-unchanged" "$D/changed" "$CH" "$UN" "$uw_cmd"
    fi
done

# ---- 2. and 3. rules, diff and store -------------------------------------------
log "rules: bench_rules"
mkdir -p "$W/rules"
"$BENCH_BIN/bench_rules" 10000 9 "$W/rules" > "$W/out/rules.txt" || die "bench_rules failed"
log "diff and store: bench_store"
mkdir -p "$W/store"
"$BENCH_BIN/bench_store" 20000 5 "$W/store" > "$W/out/store.txt" || die "bench_store failed"
cat "$W/out/rules.txt" "$W/out/store.txt" | while read -r k v; do record kv "$k" "$v"; done

# ---- 5. news rules on the real dev headlines --------------------------------------
VANE="$VANE" PYTHON="$PY" sh "$HERE/news_eval.sh" "$RES" || die "news_eval.sh failed"

# ---- 6. the cost of a Lua state per rule file: 1,000 rule files loaded -----------
log "1,000 rule files: memory and load time"
set -- "$VANE"
[ -n "${VANE_BEFORE:-}" ] && set -- "$VANE" "$VANE_BEFORE"
N=1000 REPS=3 sh "$HERE/rules_memory.sh" "$@" > "$W/out/rules_memory.txt" || die "rules_memory.sh failed"
while read -r kind bin rss secs; do
    which=now; [ "$bin" = "$VANE" ] || which=before
    record kv "rules_mem_${kind}_${which}_kb" "${rss#rss_kb=}"
    record kv "rules_mem_${kind}_${which}_s" "${secs#seconds=}"
done < "$W/out/rules_memory.txt"

# ---- 4. nothing due: 1,000 sources fetched a moment ago, 100 rules -------------------
log "nothing due: $IDLE_SOURCES sources, $IDLE_RULES rules"
I=$W/idle
"$PY" "$HERE/gen_pages.py" "$IDLE_SOURCES" "$I/pages" --mtime "$T0" > /dev/null
find "$W/www" -mindepth 1 -delete
cp -pR "$I/pages/." "$W/www/"
write_vane_config "$I" "$I/pages/index.txt" 1h
for r in $(seq 1 "$IDLE_RULES"); do
    sed "s/\"page-level-change\"/\"page-level-change-$r\"/" "$W/rule.lua" > "$I/rules/r$(printf %03d "$r").lua"
done
"$VANE" -q -c "$I/vane.lua" run > "$W/out/idle-prime.out" 2>&1 || die "vane run (priming the idle database) failed: $(tail -3 "$W/out/idle-prime.out")"
server_counts > /dev/null
echo ":" > "$W/prep/idle.sh"
IDLE=$(hyperfine_median idle 30 3 "$W/prep/idle.sh" "$(quote_args "$VANE" -q -c "$I/vane.lua" run)")
[ "$(check_counts "nothing due" 33 0 0)" = yes ] || IDLE=-
record kv idle_median_s "$IDLE"
record kv idle_sources "$IDLE_SOURCES"
record kv idle_rules "$IDLE_RULES"

# ---- the report ---------------------------------------------------------------
vers="$("$VANE" --version | head -1); $(urlwatch --version 2>&1 | head -1); $(curl --version | head -1 | cut -d' ' -f1-2); $(hyperfine --version); Python $("$PY" -c 'import platform; print(platform.python_version())') (server)"
record env date "$(date -u +%Y-%m-%dT%H:%MZ)"
record env machine "$(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), $(sed -n 's/^PRETTY_NAME="*\([^"]*\)"*$/\1/p' /etc/os-release 2>/dev/null), Linux $(uname -r)"
record env versions "$vers."
record env reps "$REPS"
record env uw_reps "$UW_REPS"
if [ -n "$SETTINGS" ]; then
    notes="vane: \`$SETTINGS\`; curl: \`--parallel-max $PARALLEL\`, with \`-z\` (If-Modified-Since) in unchanged and changed10; urlwatch: its 10 worker threads."
else
    notes="vane: its default fetcher settings; curl: \`--parallel-max $PARALLEL\`, with \`-z\` (If-Modified-Since) in unchanged and changed10; urlwatch: its 10 worker threads."
fi
record env fetch_notes "$notes"

"$PY" "$HERE/report.py" "$RES" > "$W/report.md"
cp "$W/report.md" "$HERE/last-results.md"
echo
cat "$W/report.md"

#!/bin/sh
# run.sh — `make bench`: vane's speed and memory beside their anchors, all
# measured in this one run on this machine (docs/design.md, "Performance,
# and how it is measured"). A benchmark, never a pass/fail test: it prints
# Markdown tables (also written to tests/bench/last-results.md) marking
# each target met or missed.
#
# Every timed row goes through interleave.py: inside each repetition the
# programs of the row take turns (vane, the earlier build, urlwatch, curl),
# the order rotated each repetition; medians with min–max. State a run
# starts from is put in place untimed, copied from a checkpointed database
# and synced to disk, so that no timed run pays for flushing its setup.
#
#  1. fetch runs: N generated ~3 KB pages served from 127.0.0.1 by serve.py
#     (Last-Modified / If-Modified-Since → 304); phases first (empty state),
#     unchanged (state of a prior run) and changed10 (10% of the pages newer
#     than that state) for vane, urlwatch and the floor `curl --parallel
#     --parallel-max 10`; peak RSS of each run; the server's 200/304 counts
#     checked for every run;
#  1b. PostgreSQL (pg.sh): PG_SOURCES (10,000) sources unchanged and 10%
#     changed, 1, 2 and 4 `vane run` workers against one database of a
#     cluster started here and stopped after, beside the SQLite run and the
#     curl floor; nothing due on each store; the server's counters (commits,
#     rows, statements, WAL bytes) over one run of each;
#  2. bench_rules: rule evaluations per second vs a bare lua_pcall;
#  3. bench_store: diff + store items per second vs raw prepared inserts;
#  4. `vane run` with nothing due (1,000 sources, 100 rules) beside
#     `vane --version`;
#  5. news-rule evaluations per second (news_eval.sh);
#  6. a run that loads 1,000 rule files (rules_memory.sh);
#  7. the fixed cost per evaluated event: a run with nothing due and the
#     BK_EVENTS events `vane reextract --flags` left pending, minus the same
#     run with nothing pending, over BK_EVENTS; with no rules and with the
#     shipped rules;
#  8. the history series (history.py): databases of 10,000 / 100,000 /
#     1,000,000 events grown from real runs; per size the unchanged run and
#     a run with 100 changed pages over HISTORY_SOURCES sources, `vane
#     events --since` and `vane replay --since` the last run, a run with
#     nothing due and 10 README-style absence checks; bytes per event;
#  9. big documents: tests/bench/bigdoc.sh's rows, when it is there;
# 10. the web view: tests/bench/serve.sh's rows — the time `vane serve`
#     takes to answer each page (curl's time_starttransfer, medians) with
#     SERVE_FLAGS flags in the database; left out when the binary has no
#     serve command.
#
# Environment: VANE (default bin/vane); VANE_BEFORE, an earlier build
# measured beside it in every row (its bench programs from BENCH_BEFORE,
# default VANE_BEFORE's ../build/bench/release, if there); SIZES (default
# "100 2000"; BENCH_FULL=1 adds 10000, where urlwatch is skipped); REPS
# (repetitions, default 5); UW_REPS (urlwatch's, default 3); IDLE_REPS
# (default 30); HISTORY_SIZES (default "10000 100000 1000000"; "none"
# skips the series); HISTORY_SOURCES (2000); HISTORY_REPS (3); BK_EVENTS
# (10000); PARALLEL (vane's max_parallel and per_host, curl's
# --parallel-max; default 10); PYTHON; PARTS, the parts to measure
# (default "fetch pg rules news memory idle bookkeeping history bigdoc serve");
# PG_SOURCES (10000), PG_WORKERS ("1 2 4"), PG_REPS (REPS), PG_SYNC_REPS
# (3), PG_IDLE_REPS (10), the PostgreSQL part's; RESULTS, the report's file
# (default tests/bench/last-results.md; tests/bench/pg-results.md when
# PARTS is "pg");
# SERVE_FLAGS (100000) and SERVE_REPS (20), the web view's;
# KEEP=1 keeps the scratch directory. Needs
# /usr/bin/time, urlwatch (the fetch part), curl, python3, PostgreSQL's
# server (the pg part) and `make build` done. Nothing
# listens beyond 127.0.0.1; the server is stopped by its own PID.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VANE=${VANE:-$ROOT/bin/vane}
VANE_BEFORE=${VANE_BEFORE:-}
BENCH_BIN=${BENCH_BIN:-$ROOT/build/bench/release}
PY=${PYTHON:-python3}
REPS=${REPS:-5}
UW_REPS=${UW_REPS:-3}
IDLE_REPS=${IDLE_REPS:-30}
PARALLEL=${PARALLEL:-10}
if [ -z "${SIZES:-}" ]; then
    SIZES="100 2000"
    [ "${BENCH_FULL:-0}" = 1 ] && SIZES="100 2000 10000"
fi
HISTORY_SIZES=${HISTORY_SIZES:-10000 100000 1000000}
[ "$HISTORY_SIZES" = none ] && HISTORY_SIZES=""
HISTORY_SOURCES=${HISTORY_SOURCES:-2000}
BK_EVENTS=${BK_EVENTS:-10000}
IDLE_SOURCES=1000
IDLE_RULES=100
PARTS=${PARTS:-fetch pg rules news memory idle bookkeeping history bigdoc serve}
part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
# a run of the pg part alone does not overwrite the whole bench's report
if [ -z "${RESULTS:-}" ]; then
    RESULTS=$HERE/last-results.md
    case "$PARTS" in pg | " pg" | "pg " | " pg ") RESULTS=$HERE/pg-results.md ;; esac
fi
START=$(date +%s)

die() { echo "bench: $*" >&2; exit 2; }
for t in curl "$PY"; do
    command -v "$t" >/dev/null 2>&1 || die "$t is missing (apt-get install -y time curl python3)"
done
if part fetch; then
    command -v urlwatch >/dev/null 2>&1 || die "urlwatch is missing (apt-get install -y urlwatch)"
fi
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install -y time)"
[ -x "$VANE" ] || die "$VANE is missing: run make build first"
for b in bench_rules bench_store; do
    [ -x "$BENCH_BIN/$b" ] || die "$BENCH_BIN/$b is missing: run make build first"
done
BUILDS=vane
if [ -n "$VANE_BEFORE" ]; then
    [ -x "$VANE_BEFORE" ] || die "VANE_BEFORE=$VANE_BEFORE is not an executable"
    BUILDS="vane before"
    BENCH_BEFORE=${BENCH_BEFORE:-$(dirname "$VANE_BEFORE")/../build/bench/release}
fi
bin_of() { if [ "$1" = before ]; then echo "$VANE_BEFORE"; else echo "$VANE"; fi; }

W=$(mktemp -d "${TMPDIR:-/tmp}/vane-bench.XXXXXX")
SERVER_PID=""
# the pg part's cluster: a folder of its own (as root, the postgres user's)
PG_DIR=""
part pg && PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vane-bench-pg.XXXXXX")
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
    if [ -n "$PG_DIR" ]; then
        "$PY" "$HERE/pgbench.py" stop "$PG_DIR" || true
        rm -rf "$PG_DIR"
    fi
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

# ---- timing: a spec per row, measured by interleave.py ---------------------------
# spec FILE GROUP TOOL REPS WARMUP OK200 OK304 PREP ARG...: one program of a row
spec() { f=$1; shift; (IFS='	'; echo "$*") >> "$f"; }
measure_spec() { "$PY" "$HERE/interleave.py" --stats "$BASE/__stats" --logs "$W/out" --rss fetch: "$1" "$RES"; }

# write_prep NAME STATE_DIR SNAPSHOT|"" PAGES_DIR|"": reset or restore a
# tool's state (the copy synced to disk: the snapshot was checkpointed
# before it was taken), then put a page set in place unless it is there
# (then the file system synced: a run's own fsync must not flush the copy)
write_prep() {
    {
        echo "rm -rf '$2' && mkdir -p '$2'"
        [ -n "$3" ] && echo "cp -a '$3/.' '$2/' && find '$2' -type f -exec sync {} +"
        [ -n "$4" ] && echo "[ \"\$(cat '$W/www/.set' 2>/dev/null)\" = '$4' ] ||
    { cp -pR '$4/.' '$W/www/' && echo '$4' > '$W/www/.set' && sync -f '$W/www/.set'; }"
        echo ":"
    } > "$W/prep/$1.sh"
}

# snapshot STATE_DIR SNAPSHOT_DIR: a copy of a state, its databases
# checkpointed first (no -wal left to replay into the copy)
snapshot() {
    for db in "$1"/*.db; do
        [ -f "$db" ] && "$PY" "$HERE/history.py" checkpoint "$db"
    done
    rm -rf "$2" && cp -a "$1" "$2"
}

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

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

# Does this vane take the fetcher settings? (settings_for BIN)
settings_for() {
    s="settings { max_parallel = $PARALLEL, per_host = $PARALLEL }"
    mkdir -p "$W/probe/rules"
    printf '%s\n' "$s" > "$W/probe/vane.lua"
    if "$1" -c "$W/probe/vane.lua" check > /dev/null 2>&1; then echo "$s"; fi
}
SETTINGS=$(settings_for "$VANE")
[ -n "$SETTINGS" ] || log "this vane does not take the fetcher settings: measuring it with its defaults"
SETTINGS_BEFORE=""
[ -n "$VANE_BEFORE" ] && SETTINGS_BEFORE=$(settings_for "$VANE_BEFORE")

# write_vane_config DIR URLS EVERY SETTINGS [DATABASE]: vane.lua with a
# source per URL, the page script and the rule, its database DATABASE (a
# PostgreSQL URL) or else DIR/state/vane.db
write_vane_config() {
    mkdir -p "$1/scripts" "$1/rules" "$1/state"
    cp "$W/page.lua" "$1/scripts/page.lua"
    cp "$W/rule.lua" "$1/rules/page_level_change.lua"
    {
        echo "database \"${5:-state/vane.db}\""
        [ -n "$4" ] && echo "$4"
        awk -v every="$3" -v base="$BASE" \
            '{ printf "source { id = \"p%04d\", url = \"%s/%s\", script = \"page\", every = \"%s\" }\n", NR - 1, base, $0, every }' "$2"
    } > "$1/vane.lua"
}
settings_of() { if [ "$1" = before ]; then echo "$SETTINGS_BEFORE"; else echo "$SETTINGS"; fi; }

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

# fetch_phase N PHASE PREV_PHASE|"" PAGES OK200 OK304: one row, every tool
# from its state after PREV_PHASE (or empty), interleaved; then each tool's
# state is kept for the next phase
fetch_phase() {
    n=$1 phase=$2 prev=$3 pages=$4 ok200=$5 ok304=$6
    sp=$W/spec-n$n-$phase.tsv
    : > "$sp"
    for b in $BUILDS; do
        snap=""; [ -n "$prev" ] && snap=$W/snap/n$n-$b-$prev
        write_prep "n$n-$b-$phase" "$D/$b/state" "$snap" "$pages"
        spec "$sp" "fetch:$n:$phase" "$b" "$REPS" 1 "$ok200" "$ok304" "sh $W/prep/n$n-$b-$phase.sh" \
            "$(bin_of "$b")" -q -c "$D/$b/vane.lua" run --all
    done
    if [ "$with_uw" = 1 ]; then
        snap=""; [ -n "$prev" ] && snap=$W/snap/n$n-uw-$prev
        write_prep "n$n-uw-$phase" "$D/uw/state" "$snap" "$pages"
        spec "$sp" "fetch:$n:$phase" urlwatch "$UW_REPS" 0 "$ok200" "$ok304" "sh $W/prep/n$n-uw-$phase.sh" \
            sh "$D/uw/run.sh"
    fi
    write_prep "n$n-floor-$phase" "$D/curl" "" "$pages"
    z=""; [ -n "$prev" ] && z="-z	$W/ims-ref"
    # shellcheck disable=SC2086  # -z and its file, split on the tab on purpose
    (IFS='	'; spec "$sp" "fetch:$n:$phase" floor "$REPS" 1 "$ok200" "$ok304" "sh $W/prep/n$n-floor-$phase.sh" \
        curl -sS --parallel --parallel-max "$PARALLEL" -K "$D/curl.cfg" $z)
    log "N=$n $phase"
    measure_spec "$sp"
    for b in $BUILDS; do snapshot "$D/$b/state" "$W/snap/n$n-$b-$phase"; done
    if [ "$with_uw" = 1 ]; then snapshot "$D/uw/state" "$W/snap/n$n-uw-$phase"; fi
}

part fetch || SIZES=""
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
    for b in $BUILDS; do
        write_vane_config "$D/$b" "$D/base/index.txt" 1m "$(settings_of "$b")"
    done
    # the floor: curl alone, same URLs, same server, as many transfers at
    # once; conditional (-z) like vane and urlwatch once they hold state
    sed "s|^\(.*\)$|url = \"$BASE/\1\"\noutput = \"/dev/null\"|" "$D/base/index.txt" > "$D/curl.cfg"
    mkdir -p "$D/curl"
    with_uw=0    # urlwatch: not at 10,000 (minutes a run)
    if [ "$N" -lt 10000 ]; then
        with_uw=1
        write_urlwatch "$D/uw" "$D/base/index.txt"
    fi
    fetch_phase "$N" first "" "$D/base" "$N" 0
    fetch_phase "$N" unchanged first "$D/base" 0 "$N"
    fetch_phase "$N" changed10 unchanged "$D/changed" "$CH" "$UN"
done

# ---- 1b. PostgreSQL: workers against one database (tests/bench/pg.sh) ---------------
if part pg; then
    # shellcheck source=tests/bench/pg.sh
    (. "$HERE/pg.sh") || log "WARNING: the PostgreSQL rows failed; the report goes on without them"
fi

# ---- 2. and 3. rules, diff and store -------------------------------------------
# Three rounds, each a third of the repetitions, the builds taking turns
# (the earlier one first in the second round).
mkdir -p "$W/rules" "$W/store"
for round in 1 2 3; do
    part rules || break
    order=$BUILDS
    [ "$round" = 2 ] && [ -n "$VANE_BEFORE" ] && order="before vane"
    for b in $order; do
        dir=$BENCH_BIN; [ "$b" = before ] && dir=$BENCH_BEFORE
        if [ ! -x "$dir/bench_rules" ] || [ ! -x "$dir/bench_store" ]; then continue; fi
        log "rules, diff and store: $b, round $round of 3"
        "$dir/bench_rules" 10000 3 "$W/rules" > "$W/out/rules.txt" || die "bench_rules ($b) failed"
        "$dir/bench_store" 20000 2 "$W/store" > "$W/out/store.txt" || die "bench_store ($b) failed"
        cat "$W/out/rules.txt" "$W/out/store.txt" | while read -r k v; do record round "$b" "$round" "$k" "$v"; done
    done
done

# ---- 5. news rules on the real dev headlines --------------------------------------
if part news; then
    VANE="$VANE" VANE_BEFORE="$VANE_BEFORE" PYTHON="$PY" sh "$HERE/news_eval.sh" "$RES" || die "news_eval.sh failed"
fi

# ---- 6. the cost of a Lua state per rule file: 1,000 rule files loaded -----------
if part memory; then
    log "1,000 rule files: memory and load time"
    set -- "$VANE"
    [ -n "$VANE_BEFORE" ] && set -- "$VANE" "$VANE_BEFORE"
    N=1000 REPS=3 sh "$HERE/rules_memory.sh" "$@" > "$W/out/rules_memory.txt" || die "rules_memory.sh failed"
    while read -r kind bin rss secs; do
        which=now; [ "$bin" = "$VANE" ] || which=before
        record kv "rules_mem_${kind}_${which}_kb" "${rss#rss_kb=}"
        record kv "rules_mem_${kind}_${which}_s" "${secs#seconds=}"
    done < "$W/out/rules_memory.txt"
fi

# ---- 4. nothing due: 1,000 sources fetched a moment ago, 100 rules -------------------
if part idle; then
    log "nothing due: $IDLE_SOURCES sources, $IDLE_RULES rules, beside vane --version"
    I=$W/idle
    "$PY" "$HERE/gen_pages.py" "$IDLE_SOURCES" "$I/pages" --mtime "$T0" > /dev/null
    find "$W/www" -mindepth 1 -delete
    cp -pR "$I/pages/." "$W/www/"
    sp=$W/spec-idle.tsv
    : > "$sp"
    for b in $BUILDS; do
        write_vane_config "$I/$b" "$I/pages/index.txt" 1h "$(settings_of "$b")"
        for r in $(seq 1 "$IDLE_RULES"); do
            sed "s/\"page-level-change\"/\"page-level-change-$r\"/" "$W/rule.lua" > "$I/$b/rules/r$(printf %03d "$r").lua"
        done
        rm "$I/$b/rules/page_level_change.lua"
        "$(bin_of "$b")" -q -c "$I/$b/vane.lua" run > "$W/out/idle-prime.out" 2>&1 ||
            die "vane run (priming the idle database, $b) failed: $(tail -3 "$W/out/idle-prime.out")"
        "$PY" "$HERE/history.py" checkpoint "$I/$b/state/vane.db"
        spec "$sp" idle "$b" "$IDLE_REPS" 3 0 0 - "$(bin_of "$b")" -q -c "$I/$b/vane.lua" run
        spec "$sp" idle "$b-version" "$IDLE_REPS" 3 - - - "$(bin_of "$b")" --version
    done
    measure_spec "$sp"
    record kv idle_sources "$IDLE_SOURCES"
    record kv idle_rules "$IDLE_RULES"
fi

# ---- 7. the fixed cost per evaluated event ----------------------------------------
# (in a subshell: a part that fails is left out of the report, not the rest)
if part bookkeeping; then
    # shellcheck source=tests/bench/bookkeeping.sh
    (. "$HERE/bookkeeping.sh") || log "WARNING: the per-event rows failed; the report goes on without them"
fi

# ---- 8. the history series ---------------------------------------------------------
if [ -n "$HISTORY_SIZES" ] && part history; then
    # shellcheck source=tests/bench/history.sh
    (. "$HERE/history.sh") || log "WARNING: the history series failed; the report goes on without it"
fi

# ---- 9. big documents (tests/bench/bigdoc.sh, when it is there) ------------------------
if [ -f "$HERE/bigdoc.sh" ] && part bigdoc; then
    log "big documents: bigdoc.sh"
    if VANE="$VANE" VANE_BEFORE="$VANE_BEFORE" PYTHON="${PYTHON:-}" sh "$HERE/bigdoc.sh" > "$W/out/bigdoc.tsv" 2> "$W/out/bigdoc.err"; then
        while IFS='	' read -r row vmed vmin vmax fname fmed bmed; do
            [ -n "$row" ] && record bigdoc "$row" "$vmed" "$vmin" "$vmax" "$fname" "$fmed" "${bmed:--}"
        done < "$W/out/bigdoc.tsv"
    else
        log "WARNING: bigdoc.sh failed: $(tail -3 "$W/out/bigdoc.err")"
    fi
fi

# ---- 10. the web view (tests/bench/serve.sh) ------------------------------------------
if [ -f "$HERE/serve.sh" ] && part serve; then
    log "the web view: serve.sh, ${SERVE_FLAGS:-100000} flags"
    rc=0
    VANE="$VANE" FLAGS="${SERVE_FLAGS:-100000}" REPS="${SERVE_REPS:-20}" PYTHON="${PYTHON:-}" \
        sh "$HERE/serve.sh" > "$W/out/serve.tsv" 2> "$W/out/serve.err" || rc=$?
    if [ "$rc" = 0 ]; then
        record kv serve_flags "${SERVE_FLAGS:-100000}"
        record kv serve_reps "${SERVE_REPS:-20}"
        while IFS='	' read -r page path med min max codes; do
            [ -n "$page" ] && record serve "$page" "$path" "$med" "$min" "$max" "$codes"
        done < "$W/out/serve.tsv"
    elif [ "$rc" = 3 ]; then
        log "the web view: this vane has no serve command; left out"
    else
        log "WARNING: serve.sh failed: $(tail -3 "$W/out/serve.err")"
    fi
fi

# ---- the report ---------------------------------------------------------------
uwv=""
command -v urlwatch >/dev/null 2>&1 && uwv="$(urlwatch --version 2>&1 | head -1); "
vers="$("$VANE" --version | head -1); $uwv$(curl --version | head -1 | cut -d' ' -f1-2); Python $("$PY" -c 'import platform; print(platform.python_version())') (server, timer)"
record env date "$(date -u +%Y-%m-%dT%H:%MZ)"
record env machine "$(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), $(sed -n 's/^PRETTY_NAME="*\([^"]*\)"*$/\1/p' /etc/os-release 2>/dev/null), Linux $(uname -r)"
record env versions "$vers."
[ -n "$VANE_BEFORE" ] && record env before "$("$VANE_BEFORE" --version | head -1)"
record env reps "$REPS"
record env uw_reps "$UW_REPS"
record env idle_reps "$IDLE_REPS"
record env minutes "$(( ($(date +%s) - START + 30) / 60 ))"
if [ -n "$SETTINGS" ]; then
    notes="vane: \`$SETTINGS\`; curl: \`--parallel-max $PARALLEL\`, with \`-z\` (If-Modified-Since) in unchanged and changed10; urlwatch: its 10 worker threads."
else
    notes="vane: its default fetcher settings; curl: \`--parallel-max $PARALLEL\`, with \`-z\` (If-Modified-Since) in unchanged and changed10; urlwatch: its 10 worker threads."
fi
record env fetch_notes "$notes"

"$PY" "$HERE/report.py" "$RES" > "$W/report.md"
cp "$W/report.md" "$RESULTS"
echo
cat "$W/report.md"

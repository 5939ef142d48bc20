#!/bin/sh
# rules_memory.sh — the cost of a Lua state per rule file (issue 12): the
# peak resident memory and the time of one `vane run` of a monitor with N
# rule files (default 1000) and nothing to fetch, which loads every rule
# (for its checks), for each binary given, taking turns; medians of REPS
# runs.
#
#   tests/bench/rules_memory.sh [VANE...]      (default: bin/vane)
#
# Two kinds of rule files, N of each in its own monitor: `simple`, the
# bench's page-level rule (reads ev.change and ev.diff), and `news`, a copy
# of the shipped prisoner-release rule (vane.phrase and vane.phrases, read
# when the file loads). Environment: N (1000), REPS (3). Needs
# /usr/bin/time (Debian "time"). Prints one line per binary and kind:
# "KIND BINARY rss_kb=… seconds=…".
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
N=${N:-1000}
REPS=${REPS:-3}
[ $# -gt 0 ] || set -- "$ROOT/bin/vane"
[ -x /usr/bin/time ] || { echo "rules_memory: /usr/bin/time is missing" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/vane-rules-memory.XXXXXX")
trap 'rm -rf "$W"' EXIT

simple_rule() {  # ID
    cat <<LUA
return {
  id = "$1", severity = "medium",
  when = function(ev)
    if ev.change ~= "changed" or type(ev.diff) ~= "table" then return false end
    local d = ev.diff.level
    return d ~= nil and d.old ~= d.new
  end,
  message = function(ev) return ev.key .. ": level changed" end,
}
LUA
}

make_monitor() {  # DIR KIND
    mkdir -p "$1/rules"
    echo 'database "vane.db"' > "$1/vane.lua"
    i=0
    while [ $i -lt "$N" ]; do
        id=$(printf 'r%04d' $i)
        if [ "$2" = simple ]; then
            simple_rule "$id" > "$1/rules/$id.lua"
        else
            sed "s/\"prisoner-release\"/\"$id\"/" "$ROOT/rules/prisoner_release.lua" > "$1/rules/$id.lua"
        fi
        i=$((i + 1))
    done
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Per kind, the binaries take turns inside each repetition (the order
# rotated each time), so that each meets the same moments of the machine.
for kind in simple news; do
    make_monitor "$W/$kind" "$kind"
    i=0
    for vane in "$@"; do : > "$W/rss.$i"; : > "$W/secs.$i"; i=$((i + 1)); done
    r=0
    while [ $r -lt "$REPS" ]; do
        n=$#
        k=0
        while [ $k -lt $n ]; do
            i=$(( (k + r) % n ))
            eval "vane=\${$((i + 1))}"
            rm -f "$W/$kind/vane.db"
            /usr/bin/time -f '%M %e' -o "$W/t" "$vane" -c "$W/$kind/vane.lua" run -q > /dev/null 2>&1 || true
            read -r rss secs < "$W/t"
            echo "$rss" >> "$W/rss.$i"; echo "$secs" >> "$W/secs.$i"
            k=$((k + 1))
        done
        r=$((r + 1))
    done
    i=0
    for vane in "$@"; do
        echo "$kind $vane rss_kb=$(median < "$W/rss.$i") seconds=$(median < "$W/secs.$i")"
        i=$((i + 1))
    done
done

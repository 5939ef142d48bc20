#!/bin/sh
# demo.sh BIN — the offline demonstration (`make demo`).
#
# Serves fixture set A (tests/fixtures: the advisory feed and its JSON API,
# State Department press releases, DHS news, the Federal Register, GDELT and
# the foreign ministry's English and Chinese pages) on 127.0.0.1 with
# tests/fixture_server.py, and runs the four steps of fixtures/MANIFEST.md
# through BIN with the clock fixed, printing the flags each step raises.
# The monitor folder (vane.lua and vane.db) is kept, in build/demo/ or
# $DEMO_DIR, started afresh each time; the demo ends with the command that
# browses it (`vane serve`). The served copies live in a temporary folder
# that is removed on exit.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: sh tests/demo.sh BIN" >&2
    exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
bin_arg=$1    # as typed, for the closing command
case $bin in
    /*) ;;
    *) bin=$(pwd)/$bin ;;
esac
if [ ! -x "$bin" ]; then
    echo "demo: $1 is not an executable (run make first)" >&2
    exit 2
fi

fixtures=$top/tests/fixtures
demo=${DEMO_DIR:-$top/build/demo}
mkdir -p "$demo"
demo=$(cd "$demo" && pwd)
# a fresh database each time (only the files the demo writes are removed)
rm -f "$demo/vane.lua" "$demo/vane.db" "$demo/vane.db-wal" "$demo/vane.db-shm" "$demo/vane.db.lock"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vane-demo.XXXXXX")
server_pid=

cleanup() {
    trap - EXIT
    trap "" INT TERM    # finish cleaning up even if asked to stop again
    if [ -n "$server_pid" ]; then
        # A TERM that lands while the server is still starting can be lost:
        # ask again until it is gone, then insist.
        i=0
        while kill -0 "$server_pid" 2>/dev/null && [ $i -lt 50 ]; do
            kill "$server_pid" 2>/dev/null || :
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$server_pid" 2>/dev/null || :
        wait "$server_pid" 2>/dev/null || :
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir "$tmp/www"
# serve SOURCE FILE: the source's document becomes fixtures/SOURCE/FILE.
# Snapshots may be read-only: copy, then rename over the served file (which
# also makes the swap atomic for the server).
serve() {
    cp "$fixtures/$1/$2" "$tmp/www/next"
    mv -f "$tmp/www/next" "$tmp/www/$1"
}
# MANIFEST.md's steps: the files that change at each step.
files_of_step() {
    case $1 in
    1) echo "travel_advisories=t1.xml travel_advisories_api=api_t1.json press_releases=p1.xml
             dhs_news=d1.xml federal_register=f1.json mfa_en=s1.html mfa_zh=s1.html gdelt=g1.json" ;;
    2) echo "travel_advisories=t2.xml" ;;
    3) echo "travel_advisories=t3.xml travel_advisories_api=api_t3.json press_releases=p2.xml dhs_news=d2.xml" ;;
    4) echo "travel_advisories=t4.xml press_releases=p3.xml federal_register=f2.json mfa_en=s2.html
             mfa_zh=s2.html gdelt=g2.json" ;;
    esac
}

: >"$tmp/server.out"
python3 "$top/tests/fixture_server.py" "$tmp/www" --port 0 >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!

port=
tries=0
while [ -z "$port" ]; do
    port=$(sed -n 's|^serving .* on http://127\.0\.0\.1:\([0-9][0-9]*\)/$|\1|p' "$tmp/server.out")
    [ -n "$port" ] && break
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ] || ! kill -0 "$server_pid" 2>/dev/null; then
        echo "demo: the fixture server did not start" >&2
        cat "$tmp/server.err" >&2
        exit 1
    fi
    sleep 0.1
done

base=http://127.0.0.1:$port
cat >"$demo/vane.lua" <<EOF
-- written by tests/demo.sh
database "vane.db"
rules { "$top/rules" }
local function src(id, script, removals)
  source { id = id, url = "$base/" .. id, script = script, every = "1h",
           timeout = "10s", max_bytes = "5MB", removals = removals }
end
src("travel_advisories", "travel_advisories", true)
src("travel_advisories_api", "travel_advisories_api", true)
src("press_releases", "rss", false)
src("dhs_news", "rss", false)
src("federal_register", "federal_register", false)
src("mfa_en", "html_links", false)
src("mfa_zh", "html_links", false)
src("gdelt", "gdelt", false)
EOF

echo "vane demo: eight sources, four snapshots each, served on $base/"
status=0
total=0
for step in "1 2024-11-20T23:00:00Z" "2 2024-11-22T23:00:00Z" \
            "3 2024-11-27T23:30:00Z" "4 2024-12-03T23:00:00Z"; do
    set -- $step
    n=$1 now=$2
    changed=
    for f in $(files_of_step "$n"); do
        serve "${f%%=*}" "${f#*=}"
        changed="$changed ${f%%=*}/${f#*=}"
    done
    echo
    echo "step $n ($now):$changed"
    rc=0
    "$bin" -c "$demo/vane.lua" run --all --now "$now" >"$tmp/flags.out" || rc=$?
    out=$(cat "$tmp/flags.out")
    if [ -n "$out" ]; then
        printf '%s\n' "$out"
        total=$((total + $(printf '%s\n' "$out" | grep -c .)))
    else
        echo "(no flags)"
    fi
    if [ "$rc" -ne 0 ]; then
        echo "demo: step $n: vane exited with status $rc" >&2
        status=1
    fi
done
echo
echo "vane demo: $total flags over 4 steps"
# the command that browses the demo's monitor, with paths as typed from here
here=$(pwd)
show_bin=$bin_arg
show_cfg=$demo/vane.lua
case $show_cfg in
    "$here"/*) show_cfg=${show_cfg#"$here"/} ;;
esac
echo
echo "Browse it: $show_bin serve -c $show_cfg"
exit $status

#!/bin/sh
# demo.sh BIN — the offline demonstration (`make demo`).
#
# Serves the travel advisories snapshots of tests/fixtures on 127.0.0.1 with
# tests/fixture_server.py and runs the four steps of fixtures/MANIFEST.md
# through BIN with the clock fixed, printing the flags each step raises.
# Everything lives in a temporary folder that is removed on exit.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: sh tests/demo.sh BIN" >&2
    exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
case $bin in
    /*) ;;
    *) bin=$(pwd)/$bin ;;
esac
if [ ! -x "$bin" ]; then
    echo "demo: $1 is not an executable (run make first)" >&2
    exit 2
fi

snapshots=$top/tests/fixtures/travel_advisories
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
# Snapshots may be read-only: copy, then rename over the served file (which
# also makes the swap atomic for the server).
serve() {
    cp "$snapshots/$1" "$tmp/www/next.xml"
    mv -f "$tmp/www/next.xml" "$tmp/www/travel_advisories.xml"
}
serve t1.xml

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

cat >"$tmp/vane.lua" <<EOF
-- written by tests/demo.sh
database "vane.db"
rules { "$top/rules" }
source { id = "travel-advisories", url = "http://127.0.0.1:$port/travel_advisories.xml",
         script = "travel_advisories", every = "1h", timeout = "10s", max_bytes = "5MB",
         removals = true, ignore = { "published" } }
EOF

echo "vane demo: US travel advisories, four snapshots served on http://127.0.0.1:$port/"
status=0
total=0
for step in "1 2024-11-20T23:00:00Z t1.xml" \
            "2 2024-11-22T23:00:00Z t2.xml" \
            "3 2024-11-27T23:30:00Z t3.xml" \
            "4 2024-12-03T23:00:00Z t4.xml"; do
    set -- $step
    n=$1 now=$2 snap=$3
    serve "$snap"
    echo
    echo "step $n ($now): $snap"
    rc=0
    "$bin" -c "$tmp/vane.lua" run --all --now "$now" >"$tmp/flags.out" || rc=$?
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
exit $status

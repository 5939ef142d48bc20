#!/bin/sh
# screenshots.sh [BIN] — the README's pictures of the web view, taken from
# the demo's database: docs/screenshots/flags.png (/flags) and
# docs/screenshots/advisory-china.png (China's advisory level over time).
#
# Runs the demo (tests/demo.sh BIN, its monitor kept in build/demo/ or
# $DEMO_DIR), starts `BIN serve --listen 127.0.0.1:PORT -c build/demo/vane.lua`
# on it and has headless Chromium (tests/e2e/browser.py) load each page and
# write it as PNG. Fails when a page does not answer 200 or logs a console
# error. BIN defaults to bin/vane. Needs chromium and python3-websocket,
# and a CJK font for the Chinese flags (Debian: fonts-noto-cjk; without
# one they show as boxes, and the script says so);
# nothing listens beyond 127.0.0.1; the server is stopped by its own PID.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/bin/vane}
case $bin in
    /*) ;;
    *) bin=$(pwd)/$bin ;;
esac
[ -x "$bin" ] || { echo "screenshots: $bin is not an executable (run make build first)" >&2; exit 2; }
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
demo=${DEMO_DIR:-$top/build/demo}
out=$top/docs/screenshots

if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
    echo "screenshots: warning: no Chinese font (apt-get install -y fonts-noto-cjk): Chinese text will show as boxes" >&2
fi
echo "screenshots: running the demo" >&2
DEMO_DIR=$demo sh "$top/tests/demo.sh" "$bin" > /dev/null

pid=
log=$(mktemp "${TMPDIR:-/tmp}/vane-screenshots.XXXXXX")
cleanup() {
    if [ -n "$pid" ]; then
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
            kill "$pid" 2>/dev/null || :
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$pid" 2>/dev/null || :
        wait "$pid" 2>/dev/null || :
    fi
    rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" -c "$demo/vane.lua" serve --listen "127.0.0.1:$port" 2> "$log" > /dev/null &
pid=$!
i=0
until grep -q '^vane: serving http://' "$log"; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
        echo "screenshots: vane serve did not start:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
done

mkdir -p "$out"
# the demo's advisory source is travel_advisories; China's key is CH
"$py" - "$top/tests/e2e" "http://127.0.0.1:$port" "$out" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
from browser import Browser

base, out = sys.argv[2], sys.argv[3]
failed = False
with Browser(timeout=30, width=1280, height=800, screenshots=out) as b:
    for name, path in (("flags", "/flags"), ("advisory-china", "/advisories/travel_advisories/CH")):
        b.clear_errors()
        status = b.navigate(base + path)
        errors = b.console_errors()
        if status != 200 or errors:
            print("screenshots: %s answered %s%s" % (path, status,
                  "; console errors: " + "; ".join(errors) if errors else ""), file=sys.stderr)
            failed = True
            continue
        print("screenshots: wrote %s" % b.screenshot(name), file=sys.stderr)
sys.exit(1 if failed else 0)
EOF

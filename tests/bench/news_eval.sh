#!/bin/sh
# news_eval.sh — news-rule evaluations per second: `vane eval` with the six
# shipped news rules over the real dev headlines
# (tests/fixtures/real/headlines/dev.tsv) repeated REPEAT times, minus the
# same command on the header alone (start-up and loading the rules), so
# what is left is the matching: titles × rules / seconds. run.sh calls it
# for `make bench`; alone it measures just this (a few seconds):
#
#   sh tests/bench/news_eval.sh [RESULTS.tsv]
#
# It appends (or prints, without a file) `kv NAME VALUE` lines for
# report.py. Environment: VANE (default bin/vane), VANE_BEFORE (an earlier
# build, e.g. today's saved before a rules change, measured the same way in
# the same run for the comparison), REPEAT (default 20), NEWS_REPS
# (hyperfine runs, default 10), PYTHON. Needs hyperfine.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VANE=${VANE:-$ROOT/bin/vane}
PY=${PYTHON:-python3}
REPEAT=${REPEAT:-20}
NEWS_REPS=${NEWS_REPS:-10}
DEV=$ROOT/tests/fixtures/real/headlines/dev.tsv
OUT=${1:-}
NEWS_RULES="new-meeting prisoner-release repatriation ministerial-call removal-flight entry-refusal"

die() { echo "bench: news_eval: $*" >&2; exit 2; }
command -v hyperfine > /dev/null 2>&1 || die "hyperfine is missing"
[ -x "$VANE" ] || die "$VANE is missing: run make build first"
[ -f "$DEV" ] || die "$DEV is missing"

W=$(mktemp -d "${TMPDIR:-/tmp}/vane-news-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

printf 'rules { "%s" }\n' "$ROOT/rules" > "$W/vane.lua"
# The rows REPEAT times, each copy's ids made unique (a repeated id is a warning).
awk -v n="$REPEAT" 'BEGIN { FS = OFS = "\t" }
    /^#/ || /^[ \t]*$/ { next }
    !head { head = 1; for (i = 1; i <= NF; i++) if ($i == "id") c = i; print; next }
    { rows[++k] = $0 }
    END { for (i = 1; i <= n; i++) for (j = 1; j <= k; j++) { $0 = rows[j]; $c = $c "-" i; print } }' \
    "$DEV" > "$W/set.tsv"
head -1 "$W/set.tsv" > "$W/empty.tsv"

kv() {
    if [ -n "$OUT" ]; then printf 'kv\t%s\t%s\n' "$1" "$2" >> "$OUT"; else printf 'kv\t%s\t%s\n' "$1" "$2"; fi
}

# median SECONDS of `BIN eval SET --rule …` over NEWS_REPS runs
median() {
    set -- "$1" "$2" "$3"
    cmd="'$1' -q -c '$W/vane.lua' eval '$2'"
    for r in $NEWS_RULES; do cmd="$cmd --rule $r"; done
    hyperfine -N --style none --runs "$NEWS_REPS" --warmup 2 --export-json "$W/$3.json" "$cmd" \
        > "$W/$3.log" 2>&1 || die "$3: $(tail -3 "$W/$3.log")"
    "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$W/$3.json"
}

# measure BIN PREFIX: the kv lines of one build
measure() {
    args=""
    for r in $NEWS_RULES; do args="$args --rule $r"; done
    # shellcheck disable=SC2086  # the rule options, split on purpose
    summary=$("$1" -q -c "$W/vane.lua" eval "$W/set.tsv" --json $args | tail -1)
    full=$(median "$1" "$W/set.tsv" "$2-full")
    fixed=$(median "$1" "$W/empty.tsv" "$2-fixed")
    rate=$("$PY" -c 'import json,sys
s = json.loads(sys.argv[1]); d = float(sys.argv[2]) - float(sys.argv[3])
print("%s %s %.0f" % (s["titles"], s["rules"], s["titles"] * s["rules"] / d if d > 0 else 0))' \
        "$summary" "$full" "$fixed")
    set -- "$2" $rate
    kv "${1}evals_per_s" "$4"
    kv "${1}titles" "$2"
    kv "${1}rules" "$3"
    kv "${1}median_s" "$full"
    kv "${1}fixed_s" "$fixed"
}

echo "bench: news rules: vane eval, $REPEAT × the dev set" >&2
measure "$VANE" news_
if [ -n "${VANE_BEFORE:-}" ]; then
    [ -x "$VANE_BEFORE" ] || die "VANE_BEFORE=$VANE_BEFORE is not an executable"
    echo "bench: news rules: the earlier build $VANE_BEFORE" >&2
    measure "$VANE_BEFORE" news_before_
fi

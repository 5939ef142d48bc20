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
# the same run for the comparison, the two taking turns: interleave.py),
# REPEAT (default 20), NEWS_REPS (runs, default 10), PYTHON.
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

# spec LINE...: one program for interleave.py (GROUP TOOL REPS WARMUP OK200 OK304 PREP ARG...)
spec() { (IFS='	'; echo "$*") >> "$W/spec.tsv"; }

# add BIN PREFIX: the two timed commands of one build (the set, the header alone)
add() {
    for part in full fixed; do
        set_file=$W/set.tsv; [ $part = fixed ] && set_file=$W/empty.tsv
        # shellcheck disable=SC2086  # the rule options, split on purpose
        spec "news:$part" "$2" "$NEWS_REPS" 2 - - - "$1" -q -c "$W/vane.lua" eval "$set_file" $RULE_ARGS
    done
}

# report BIN PREFIX: the kv lines of one build, from the interleaved runs
report() {
    # shellcheck disable=SC2086  # the rule options, split on purpose
    summary=$("$1" -q -c "$W/vane.lua" eval "$W/set.tsv" --json $RULE_ARGS | tail -1)
    # shellcheck disable=SC2046  # five numbers, split on purpose
    set -- "$2" $("$PY" -c 'import json, statistics, sys
s = json.loads(sys.argv[1])
t = {}
for line in open(sys.argv[3], encoding="utf-8"):
    p = line.rstrip("\n").split("\t")
    if p[0] == "sample" and p[2] == sys.argv[2]:
        t.setdefault(p[1], []).append(float(p[4]))
full, fixed = statistics.median(t["news:full"]), statistics.median(t["news:fixed"])
d = full - fixed
print(s["titles"], s["rules"], "%.0f" % (s["titles"] * s["rules"] / d if d > 0 else 0), full, fixed)' \
        "$summary" "$2" "$W/samples.tsv")
    kv "${1}evals_per_s" "$4"
    kv "${1}titles" "$2"
    kv "${1}rules" "$3"
    kv "${1}median_s" "$5"
    kv "${1}fixed_s" "$6"
}

RULE_ARGS=""
for r in $NEWS_RULES; do RULE_ARGS="$RULE_ARGS --rule $r"; done
: > "$W/spec.tsv"
: > "$W/samples.tsv"
add "$VANE" news_
if [ -n "${VANE_BEFORE:-}" ]; then
    [ -x "$VANE_BEFORE" ] || die "VANE_BEFORE=$VANE_BEFORE is not an executable"
    add "$VANE_BEFORE" news_before_
fi
echo "bench: news rules: vane eval, $REPEAT × the dev set${VANE_BEFORE:+, beside $VANE_BEFORE}" >&2
"$PY" "$HERE/interleave.py" --logs "$W" "$W/spec.tsv" "$W/samples.tsv" || die "timing failed"
report "$VANE" news_
[ -z "${VANE_BEFORE:-}" ] || report "$VANE_BEFORE" news_before_

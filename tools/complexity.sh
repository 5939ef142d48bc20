#!/bin/sh
# complexity.sh — the complexity gate of `make lint`.
#
# Runs pmccabe over every C file of the engine and fails when a function's
# modified cyclomatic complexity (a switch counts once) is above CUTOFF,
# unless the function is named in tools/complexity-allow.txt as
# "FILE FUNCTION  # why". Also fails on an allow-list line that no longer
# names a function above the cutoff, so the list only ever shrinks back.
# Prints the ten most complex functions either way, like curl's
# scripts/top-complexity, so a reviewer sees where the weight is.
set -eu
cd "$(dirname "$0")/.."
CUTOFF=${CUTOFF:-20}
ALLOW=tools/complexity-allow.txt

if ! command -v pmccabe >/dev/null 2>&1; then
    echo "complexity: pmccabe is not installed (apt-get install pmccabe)" >&2
    exit 2
fi

scores=$(mktemp "${TMPDIR:-/tmp}/vane-cc.XXXXXX")
trap 'rm -f "$scores"' EXIT
# pmccabe: modified-cc  cc  statements  line  lines  file(line): function
find engine -name '*.c' | sort | xargs pmccabe |
    sed -n 's/^\([0-9]*\)\t[0-9]*\t[0-9]*\t[0-9]*\t[0-9]*\t\([^(]*\)([0-9]*): \(.*\)$/\1 \2 \3/p' |
    sort -k1,1nr -k2,2 -k3,3 >"$scores"

echo "complexity: the ten most complex functions (cutoff $CUTOFF)"
head -10 "$scores" | awk '{ printf "  %3d  %s %s\n", $1, $2, $3 }'

allowed() {  # $1 file, $2 function
    grep -v '^#' "$ALLOW" | awk -v f="$1" -v fn="$2" '$1 == f && $2 == fn { found = 1 } END { exit !found }'
}

status=0
while read -r score file fn; do
    [ "$score" -gt "$CUTOFF" ] || continue
    if ! allowed "$file" "$fn"; then
        echo "complexity: $file: $fn scores $score, above $CUTOFF (split it, or justify it in $ALLOW)" >&2
        status=1
    fi
done <"$scores"

grep -v '^#' "$ALLOW" | while read -r file fn _; do
    [ -n "$file" ] || continue
    if ! awk -v f="$file" -v fn="$fn" -v c="$CUTOFF" \
        '$2 == f && $3 == fn && $1 > c { found = 1 } END { exit !found }' "$scores"; then
        echo "complexity: $ALLOW names $file $fn, which is not above $CUTOFF any more: remove the line" >&2
        exit 1
    fi
done || status=1

[ "$status" -eq 0 ] && echo "complexity: no function above $CUTOFF outside the allow-list"
exit "$status"

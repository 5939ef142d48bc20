#!/bin/sh
# run_tests.sh CONFIG... — every test of the given build configurations.
#
# For each CONFIG (release, sanitize, debug): each cmocka program
# build/tests/CONFIG/test_* (run from the project top), then the end-to-end
# suite against the matching binary (bin/vane, bin/sanitize/vane,
# bin/debug/vane) — for the release build twice, on SQLite and on
# PostgreSQL (see e2e_stores). Prints one line per suite and, last, the totals over
# everything as "N passed, N failed" (each cmocka case and each e2e test
# counts one), with ", N skipped" and each skipped test named when an e2e
# test was skipped. Exits 1 if anything failed.
set -u

cd "$(dirname "$0")/.." || exit 2
if [ $# -eq 0 ]; then
    echo "usage: sh tests/run_tests.sh CONFIG..." >&2
    exit 2
fi

# A unit program that hangs is stopped (and counted failed) after this long.
UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}
limit=
if command -v timeout >/dev/null 2>&1; then
    limit="timeout -k 10 $UNIT_TIMEOUT"
fi

# Debian's python3 (where python3-aiosmtpd is installed), even when another
# python3 comes first on PATH.
if [ -z "${PYTHON:-}" ]; then
    PYTHON=python3
    [ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
fi

total_pass=0
total_fail=0
total_skip=0
log=$(mktemp "${TMPDIR:-/tmp}/vane-tests.XXXXXX")
trap 'rm -f "$log"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)..."
# once per group; sum them.
cmocka_count() {  # $1 = PASSED | FAILED, reads $log
    sed -n "s/^\[  $1  \] \([0-9][0-9]*\) test.*/\1/p" "$log" |
        awk '{ n += $1 } END { print n + 0 }'
}

# The stores the e2e suite runs on for a build: the release build on SQLite
# and on PostgreSQL (a throw-away cluster, tests/e2e/pg.py), the others on
# SQLite only (the store code is the same; the sanitizers need one pass).
# E2E_STORES="sqlite" (or "postgresql") picks for the release build.
e2e_stores() {  # $1 = config
    if [ "$1" = release ]; then
        echo "${E2E_STORES:-sqlite postgresql}"
    else
        echo sqlite
    fi
}

# One pass of the e2e suite; adds to the totals. Its summary line is
# "e2e: ..." on SQLite and "e2e (postgresql): ..." on PostgreSQL.
e2e_suite() {  # $1 = config, $2 = binary, $3 = store
    label=$1
    [ "$3" = sqlite ] || label="$1 $3"
    rc=0
    VANE_BIN=$2 $PYTHON tests/e2e/run.py --bin "$2" --store "$3" >"$log" 2>&1 || rc=$?
    summary=$(tail -n 1 "$log")
    pass=$(printf '%s\n' "$summary" | sed -n 's/^e2e[^:]*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\1/p')
    fail=$(printf '%s\n' "$summary" | sed -n 's/^e2e[^:]*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed.*/\2/p')
    skip=$(printf '%s\n' "$summary" | sed -n 's/^e2e[^:]*: .*, \([0-9][0-9]*\) skipped.*/\1/p')
    skip=${skip:-0}
    if [ -z "$pass" ] || [ -z "$fail" ]; then
        pass=0 fail=1
        echo "e2e   $label: no summary line (exit $rc)"
        tail -n 20 "$log" | sed 's/^/    /'
    fi
    if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
        fail=1
    fi
    if [ "$fail" -ne 0 ]; then
        sed -n '/^\(FAIL\|ERROR\):/,$p' "$log" | sed 's/^/    /' | head -n 400
    fi
    if [ "$skip" -ne 0 ]; then
        # a skipped test proves nothing: name each one, and count them
        grep '\.\.\. skipped' "$log" | sed 's/^/    /'
        echo "e2e   $label: $pass passed, $fail failed, $skip skipped"
    else
        echo "e2e   $label: $pass passed, $fail failed"
    fi
    total_skip=$((total_skip + skip))
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
}

for config in "$@"; do
    case $config in
        release) vane=bin/vane ;;
        sanitize) vane=bin/sanitize/vane ;;
        debug) vane=bin/debug/vane ;;
        *) echo "run_tests: unknown configuration '$config'" >&2; exit 2 ;;
    esac
    if [ "$config" = sanitize ]; then
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
        export ASAN_OPTIONS UBSAN_OPTIONS
    else
        unset ASAN_OPTIONS UBSAN_OPTIONS 2>/dev/null || :
    fi

    # ---- unit tests -------------------------------------------------------
    for src in tests/test_*.c; do
        [ -e "$src" ] || continue
        name=$(basename "$src" .c)
        prog=build/tests/$config/$name
        if [ ! -x "$prog" ]; then
            echo "unit  $config $name: not built ($prog missing)"
            total_fail=$((total_fail + 1))
            continue
        fi
        rc=0
        CMOCKA_MESSAGE_OUTPUT=stdout $limit "$prog" >"$log" 2>&1 || rc=$?
        if [ "$rc" -eq 124 ] && [ -n "$limit" ]; then
            echo "    (stopped after $UNIT_TIMEOUT s)" >>"$log"
        fi
        pass=$(cmocka_count PASSED)
        fail=$(cmocka_count FAILED)
        if [ "$rc" -ne 0 ] && ! grep -q '^\[==========\] .* run\.' "$log"; then
            # crashed, hung or stopped by a sanitizer before cmocka's summary:
            # the cases that finished count, and the one running counts failed
            pass=$(grep -c '^\[       OK \]' "$log")
            fail=$(($(grep -c '^\[  FAILED  \] [^0-9]' "$log") + 1))
        elif [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
            fail=1
        fi
        if [ "$rc" -eq 0 ] && [ "$pass" -eq 0 ] && [ "$fail" -eq 0 ]; then
            pass=1      # no cmocka summary, but it succeeded
        fi
        echo "unit  $config $name: $pass passed, $fail failed"
        if [ "$fail" -ne 0 ]; then
            tail -n 40 "$log" | sed 's/^/    /'
        fi
        total_pass=$((total_pass + pass))
        total_fail=$((total_fail + fail))
    done

    # ---- end-to-end tests ---------------------------------------------------
    if [ ! -x "$vane" ]; then
        echo "e2e   $config: $vane is missing"
        total_fail=$((total_fail + 1))
        continue
    fi
    for store in $(e2e_stores "$config"); do
        e2e_suite "$config" "$vane" "$store"
    done
done

if [ "$total_skip" -ne 0 ]; then
    echo "$total_pass passed, $total_fail failed, $total_skip skipped"
else
    echo "$total_pass passed, $total_fail failed"
fi
[ "$total_fail" -eq 0 ]

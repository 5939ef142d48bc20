#!/bin/sh
# workers.sh — N copies of one command started together, for the pg part of
# `make bench` (several `vane run` workers against one database): the time
# of this script is from the start of the first to the end of the last.
#
# usage: workers.sh N COMMAND...   (exits 1 when any copy failed)
n=$1
shift
pids=""
i=0
while [ "$i" -lt "$n" ]; do
    "$@" &
    pids="$pids $!"
    i=$((i + 1))
done
rc=0
for p in $pids; do
    wait "$p" || rc=1
done
exit $rc

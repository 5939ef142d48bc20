# pg.sh — the PostgreSQL rows of `make bench`; sourced by run.sh (its
# scratch directory, page server, spec, measure_spec, write_prep and
# write_vane_config), in a subshell: a failure leaves these rows out of the
# report, not the rest. run.sh's exit trap stops the cluster in PG_DIR
# whatever happens here.
#
# PG_SOURCES pages (default 10,000) from the bench's page server, the same
# vane.lua on SQLite and on a PostgreSQL database of a cluster started here
# (pgbench.py: durable settings, a Unix socket). Timed, all taking turns
# in each repetition (interleave.py), each run from a restored copy of its
# state:
#   unchanged  every source due, every page 304: SQLite's single run;
#              1, 2, 4 (PG_WORKERS) `vane run` workers started together on
#              the PostgreSQL database (workers.sh: from the start of the
#              first to the end of the last); 1 worker whose commits each
#              wait for the WAL flush (synchronous_commit = on); the curl
#              floor (`curl --parallel -z`);
#   changed10  the same from the state after an unchanged run, 10% of the
#              pages newer;
#   idle       nothing due (a run a moment before): SQLite, PostgreSQL,
#              beside `vane --version`.
# The page server's counts check every run: N workers fetch each page
# once between them, or the row is marked. Then, untimed, one run of each
# phase and worker count between two readings of the server's counters
# (pgbench.py count): commits, rows written, statements and WAL bytes.

PG_SOURCES=${PG_SOURCES:-10000}
PG_WORKERS=${PG_WORKERS:-1 2 4}
PG_REPS=${PG_REPS:-$REPS}
PG_IDLE_REPS=${PG_IDLE_REPS:-10}
PG_SYNC_REPS=${PG_SYNC_REPS:-3}    # the synchronous_commit = on row: slow
PGB="$HERE/pgbench.py"
G=$W/pg
n=$PG_SOURCES
mkdir -p "$G/snap"

log "PostgreSQL: $n sources, workers: $PG_WORKERS; starting a cluster"
PGBASE=$("$PY" "$PGB" start "$PG_DIR") || die "the PostgreSQL cluster did not start"
pg_url() { echo "$PGBASE" | sed "s|:///?|:///$1?|"; }
DB=$(pg_url bench)

"$PY" "$HERE/gen_pages.py" "$n" "$G/base" --mtime "$T0" > /dev/null
"$PY" "$HERE/gen_pages.py" "$n" "$G/changed" --change-percent 10 --mtime "$T0" \
    --changed-mtime "$T1" > /dev/null
CH=$(( (n + 9) / 10 ))
UN=$(( n - CH ))
write_vane_config "$G/sqlite" "$G/base/index.txt" 1h "$SETTINGS"
write_vane_config "$G/pg" "$G/base/index.txt" 1h "$SETTINGS" "$DB"
write_vane_config "$G/pgsync" "$G/base/index.txt" 1h "$SETTINGS" "$DB&options=-csynchronous_commit%3Don"
sed "s|^\(.*\)$|url = \"$BASE/\1\"\noutput = \"/dev/null\"|" "$G/base/index.txt" > "$G/curl.cfg"
mkdir -p "$G/curl"

pages() {   # pages DIR: the page set in place (as write_prep's scripts do)
    [ "$(cat "$W/www/.set" 2>/dev/null)" = "$1" ] ||
        { cp -pR "$1/." "$W/www/" && echo "$1" > "$W/www/.set"; }
}
sqlite_due() {   # sqlite_due DB: every source due, the WAL checkpointed
    "$PY" - "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE sources SET next_due = '2000-01-01T00:00:00Z'")
c.commit()
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
c.close()
PY
}
vane_once() {   # vane_once WHAT CONFIG: one untimed run, its seconds
    t=$(date +%s.%N)
    "$VANE" -q -c "$2" run > "$W/out/pg-setup.out" 2>&1 ||
        die "$1 failed: $(tail -3 "$W/out/pg-setup.out")"
    awk -v a="$(date +%s.%N)" -v b="$t" 'BEGIN { printf "%.3f\n", a - b }'
}

# ---- the states: first run, then an unchanged one -----------------------------------
pages "$G/base"
"$PY" "$PGB" create "$PG_DIR" bench || die "could not create the bench database"
rm -rf "$G/sqlite/state" && mkdir -p "$G/sqlite/state"
log "PostgreSQL: the first runs (untimed set-up)"
secs=$(vane_once "the first SQLite run" "$G/sqlite/vane.lua") || exit 2
record kv pg_first_sqlite_s "$secs"
secs=$(vane_once "the first PostgreSQL run" "$G/pg/vane.lua") || exit 2
record kv pg_first_pg_s "$secs"
"$PY" "$PGB" keep "$PG_DIR" bench first --due || die "could not keep the first state"
snapshot "$G/sqlite/state" "$G/snap/first"
sqlite_due "$G/snap/first/vane.db"
# the state after an unchanged run: as it is (nothing due: the idle rows),
# and every source due (the changed10 rows)
"$PY" "$PGB" restore "$PG_DIR" first bench || die "could not restore the first state"
vane_once "an unchanged PostgreSQL run" "$G/pg/vane.lua" > /dev/null || exit 2
"$PY" "$PGB" keep "$PG_DIR" bench idle || die "could not keep the idle state"
"$PY" "$PGB" keep "$PG_DIR" bench unchanged --due || die "could not keep the unchanged state"
rm -rf "$G/sqlite/state" && cp -a "$G/snap/first" "$G/sqlite/state"
vane_once "an unchanged SQLite run" "$G/sqlite/vane.lua" > /dev/null || exit 2
snapshot "$G/sqlite/state" "$G/snap/idle"
snapshot "$G/sqlite/state" "$G/snap/unchanged"
sqlite_due "$G/snap/unchanged/vane.db"

# pg_prep NAME TEMPLATE PAGES: restore the database, put the page set in place
pg_prep() {
    {
        echo "'$PY' '$PGB' restore '$PG_DIR' '$2' bench"
        [ -n "$3" ] && echo "[ \"\$(cat '$W/www/.set' 2>/dev/null)\" = '$3' ] ||
    { cp -pR '$3/.' '$W/www/' && echo '$3' > '$W/www/.set' && sync -f '$W/www/.set'; }"
        echo ":"
    } > "$W/prep/$1.sh"
}

# ---- timed: unchanged and changed10 ------------------------------------------------
pg_phase() {   # pg_phase PHASE FROM PAGES OK200 OK304
    phase=$1 from=$2 pg_pages=$3 ok200=$4 ok304=$5
    sp=$W/spec-pg-$phase.tsv
    : > "$sp"
    write_prep "pg-sqlite-$phase" "$G/sqlite/state" "$G/snap/$from" "$pg_pages"
    spec "$sp" "pg:$phase" sqlite "$PG_REPS" 1 "$ok200" "$ok304" "sh $W/prep/pg-sqlite-$phase.sh" \
        "$VANE" -q -c "$G/sqlite/vane.lua" run
    pg_prep "pg-pg-$phase" "$from" "$pg_pages"
    for k in $PG_WORKERS; do
        spec "$sp" "pg:$phase" "pg-$k" "$PG_REPS" 1 "$ok200" "$ok304" "sh $W/prep/pg-pg-$phase.sh" \
            sh "$HERE/workers.sh" "$k" "$VANE" -q -c "$G/pg/vane.lua" run
    done
    spec "$sp" "pg:$phase" pg-1-sync "$PG_SYNC_REPS" 1 "$ok200" "$ok304" "sh $W/prep/pg-pg-$phase.sh" \
        sh "$HERE/workers.sh" 1 "$VANE" -q -c "$G/pgsync/vane.lua" run
    write_prep "pg-floor-$phase" "$G/curl" "" "$pg_pages"
    spec "$sp" "pg:$phase" floor "$PG_REPS" 1 "$ok200" "$ok304" "sh $W/prep/pg-floor-$phase.sh" \
        curl -sS --parallel --parallel-max "$PARALLEL" -K "$G/curl.cfg" -z "$W/ims-ref"
    log "PostgreSQL: $phase"
    measure_spec "$sp"
}
pg_phase unchanged first "$G/base" 0 "$n"
pg_phase changed10 unchanged "$G/changed" "$CH" "$UN"

# ---- timed: nothing due ---------------------------------------------------------------
sp=$W/spec-pg-idle.tsv
: > "$sp"
write_prep pg-sqlite-idle "$G/sqlite/state" "$G/snap/idle" ""
spec "$sp" pg:idle sqlite "$PG_IDLE_REPS" 2 0 0 "sh $W/prep/pg-sqlite-idle.sh" "$VANE" -q -c "$G/sqlite/vane.lua" run
pg_prep pg-pg-idle idle ""
spec "$sp" pg:idle pg-1 "$PG_IDLE_REPS" 2 0 0 "sh $W/prep/pg-pg-idle.sh" "$VANE" -q -c "$G/pg/vane.lua" run
spec "$sp" pg:idle version "$PG_IDLE_REPS" 2 - - - "$VANE" --version
log "PostgreSQL: nothing due"
measure_spec "$sp"

# ---- counted: the server's counters over one run of each -----------------------------
for phase in unchanged changed10; do
    from=first pg_pages=$G/base
    [ "$phase" = changed10 ] && from=unchanged pg_pages=$G/changed
    for k in $PG_WORKERS; do
        log "PostgreSQL: counting the writes of $phase, $k worker(s)"
        sh "$W/prep/pg-pg-$phase.sh" || die "could not restore the $from state"
        "$PY" "$PGB" count "$PG_DIR" bench "$RES" "pg_count_${phase}_$k" -- \
            sh "$HERE/workers.sh" "$k" "$VANE" -q -c "$G/pg/vane.lua" run > "$W/out/pg-count.out" 2>&1 ||
            log "WARNING: the counted $phase run with $k worker(s) failed: $(tail -3 "$W/out/pg-count.out")"
    done
done
sh "$W/prep/pg-pg-idle.sh" || die "could not restore the idle state"
"$PY" "$PGB" count "$PG_DIR" bench "$RES" pg_count_idle_1 -- "$VANE" -q -c "$G/pg/vane.lua" run \
    > "$W/out/pg-count.out" 2>&1 ||
    log "WARNING: the counted idle run failed: $(tail -3 "$W/out/pg-count.out")"

record kv pg_sources "$n"
record kv pg_workers "$PG_WORKERS"
record kv pg_reps "$PG_REPS"
record kv pg_sync_reps "$PG_SYNC_REPS"
record kv pg_idle_reps "$PG_IDLE_REPS"
record kv pg_server "$("$PY" "$PGB" version "$PG_DIR" 2>/dev/null || echo PostgreSQL)"
"$PY" "$PGB" stop "$PG_DIR" || log "WARNING: the PostgreSQL cluster did not stop cleanly"

# history.sh — the history series of `make bench`, sourced by run.sh (its
# server, scratch directory, spec and measure_spec): what vane's runs and
# history reads cost at 10,000, 100,000 and 1,000,000 stored events, for
# this build and VANE_BEFORE side by side.
#
# HISTORY_SOURCES pages (h0000…) are watched by one monitor; each build
# writes its own seed database by six real `vane run --all`s an hour
# apart (--now): a baseline, four runs in which every page changed (its
# "updated" line; a twentieth of them their level, which the
# page-level-change rule flags) and a last run in which 100 pages changed.
# A larger size is a fresh database grown by history.py around the same six
# real runs: older copies of the four full runs below them, ids and times
# rising together. Each database is checkpointed, VACUUMed (its size over
# its events: bytes per event) and synced before anything is timed.
#
# Timed per size, both builds interleaved: `vane events --since` and `vane
# replay --rule page-level-change --since` the last run (100 events), a run
# with nothing due and 10 README-style absence checks (vane.events{ source,
# since = "3d", change = "new" }), the unchanged run (every page 304) and a
# run in which 100 pages changed; HISTORY_REPS repetitions (default 3),
# one untimed run of the checks first (it records the new rule files).

HS=$HISTORY_SOURCES
HREPS=${HISTORY_REPS:-3}    # the old build's checks take seconds a run at 1,000,000
HD=$W/hist
HT0=$(date -u -d 2026-06-01T00:00:00Z +%s)    # the runs' clock (--now), an hour apart
HM0=$(( $(date +%s) - 30 * 86400 ))            # the pages' mtimes, an hour apart
HSMALL=$(( HS < 100 ? HS : 100 ))
mkdir -p "$HD/rev" "$HD/checks" "$HD/norules" "$HD/scripts" "$HD/rules" "$W/www/h"
log "history: $HS pages, six revisions"
for k in 0 1 2 3 4 5; do
    n=$HS; [ $k = 5 ] && n=$HSMALL
    "$PY" "$HERE/gen_pages.py" "$n" "$HD/rev/$k" --revision $k --mtime $(( HM0 + k * 3600 )) > /dev/null
    rm "$HD/rev/$k/index.txt"
done
cat > "$HD/scripts/hpage.lua" <<'EOF'
-- scripts/hpage.lua — the history pages: one item per page, with its first paragraph
return function(doc, options)
  local body = doc.body
  local title = body:match("<title>(.-)</title>")
  local level = body:match('<p class="level" id="level">(.-)</p>')
  local updated = body:match('<p class="updated">Last updated: (.-)</p>')
  local summary = body:match('<div class="content">%s*<p>(.-)</p>')
  if not (title and level and updated and summary) then error("not a benchmark page") end
  return { { key = "page", title = title, level = level, as_of = updated, summary = summary } }
end
EOF
cp "$W/rule.lua" "$HD/rules/page_level_change.lua"
for i in 0 1 2 3 4 5 6 7 8 9; do
    id=$(printf h%04d $i)
    cat > "$HD/checks/quiet_$id.lua" <<EOF
-- the README's absence check: no new item from $id in three days
return {
  id = "quiet-$id", severity = "medium",
  check = function(ctx)
    local new = vane.events{ source = "$id", since = "3d", change = "new" }
    if #new == 0 then
      return { { key = "$id", source = "$id", message = "no new item from $id in 3 days" } }
    end
  end,
}
EOF
done

# hist_config BUILD: BUILD's monitor (vane.lua), the same with the checks
# (checks.lua) and one with no source (empty.lua, to create a database)
hist_config() {
    s=$(settings_of "$1")
    s=${s%\}}
    [ -n "$s" ] && s="$s, keep_documents = false }"
    [ -n "$s" ] || s="settings { keep_documents = false }"
    mkdir -p "$HD/$1"
    cp -R "$HD/scripts" "$HD/rules" "$HD/$1/"
    {
        echo 'database "unused.db"'
        echo "$s"
        i=0
        while [ $i -lt "$HS" ]; do
            printf 'source { id = "h%04d", url = "%s/h/page-%04d.html", script = "hpage", every = "1h" }\n' $i "$BASE" $i
            i=$((i + 1))
        done
    } > "$HD/$1/vane.lua"
    sed "s|^database .*|&\nrules { \"$HD/checks\" }|" "$HD/$1/vane.lua" > "$HD/$1/checks.lua"
    printf 'database "unused.db"\nrules { "%s" }\n' "$HD/norules" > "$HD/$1/empty.lua"
}

# hist_runs BUILD DB: the six real runs
hist_runs() {
    for k in 0 1 2 3 4 5; do
        cp -p "$HD/rev/$k/"*.html "$W/www/h/"
        "$(bin_of "$1")" -q -c "$HD/$1/vane.lua" --db "$2" --now "$(iso $(( HT0 + k * 3600 )))" run --all \
            > "$W/out/hist-run.out" 2>&1 || die "history: run $k ($1) failed: $(tail -3 "$W/out/hist-run.out")"
    done
}

# hist_finish BUILD SIZE DB SECONDS_SINCE: checkpoint, VACUUM, sync; record its size
hist_finish() {
    out=$("$PY" "$HERE/history.py" finish "$3") || die "history: finishing $3 failed"
    events=${out#events=}; events=${events%% *}
    record kv "hist_events_$2_$1" "$events"
    record kv "hist_bytes_$2_$1" "${out##*bytes=}"
    record kv "hist_build_s_$2_$1" "$(( $(date +%s) - $4 ))"
    log "history: $1 at $2: $out, built in $(( $(date +%s) - $4 )) s"
}

for b in $BUILDS; do
    hist_config "$b"
    log "history: $b seed (six real runs)"
    hist_runs "$b" "$HD/$b-seed.db"
    "$PY" "$HERE/history.py" checkpoint "$HD/$b-seed.db"
done
T_LAST=$(( HT0 + 5 * 3600 ))
# the runs with 100 changed pages: revision 6, 7, … of the first 100, each newer
cat > "$W/prep/hist-changed.sh" <<EOF
case \${BENCH_REP:-0} in w*) n=0 ;; *) n=\$((BENCH_REP + 1)) ;; esac
"$PY" "$HERE/gen_pages.py" $HSMALL "$W/www/h" --revision \$((6 + n)) --mtime \$(( $HM0 + 5 * 3600 + 60 * (n + 1) )) > /dev/null
EOF

for H in $HISTORY_SIZES; do
    for b in $BUILDS; do
        t=$(date +%s)
        DB=$HD/$b-$H.db
        seed=$HD/$b-seed.db
        rm -f "$DB" "$DB-wal" "$DB-shm"
        if [ "$H" -le "$("$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM events").fetchone()[0])' "$seed")" ]; then
            cp "$seed" "$DB"
        else
            log "history: $b at $H events: a fresh database, the six real runs, older copies"
            "$(bin_of "$b")" -q -c "$HD/$b/empty.lua" --db "$DB" --now 2000-01-01T00:00:00Z run \
                > "$W/out/hist-run.out" 2>&1 || die "history: creating $DB failed: $(tail -3 "$W/out/hist-run.out")"
            "$PY" "$HERE/history.py" placeholders "$seed" "$DB" "$H" > /dev/null
            hist_runs "$b" "$DB"
            "$PY" "$HERE/history.py" grow "$seed" "$DB" "$H" > /dev/null
        fi
        hist_finish "$b" "$H" "$DB" "$t"
    done
    sp=$W/spec-hist-$H.tsv
    : > "$sp"
    for b in $BUILDS; do
        vb=$(bin_of "$b") DB=$HD/$b-$H.db
        spec "$sp" "hist:$H:events" "$b" "$HREPS" 0 0 0 - \
            "$vb" -q -c "$HD/$b/vane.lua" --db "$DB" events --since "$(iso $T_LAST)"
    done
    for b in $BUILDS; do
        vb=$(bin_of "$b") DB=$HD/$b-$H.db
        spec "$sp" "hist:$H:replay" "$b" "$HREPS" 0 0 0 - \
            "$vb" -q -c "$HD/$b/vane.lua" --db "$DB" replay --rule page-level-change --since "$(iso $T_LAST)"
    done
    for b in $BUILDS; do
        vb=$(bin_of "$b") DB=$HD/$b-$H.db
        spec "$sp" "hist:$H:idle-checks" "$b" "$HREPS" 1 0 0 - \
            "$vb" -q -c "$HD/$b/checks.lua" --db "$DB" --now "$(iso $(( T_LAST + 600 )))" run
    done
    for b in $BUILDS; do
        vb=$(bin_of "$b") DB=$HD/$b-$H.db
        spec "$sp" "hist:$H:unchanged" "$b" "$HREPS" 0 0 "$HS" - \
            "$vb" -q -c "$HD/$b/vane.lua" --db "$DB" --now "$(iso $(( T_LAST + 1200 )))" run --all
    done
    for b in $BUILDS; do
        vb=$(bin_of "$b") DB=$HD/$b-$H.db
        spec "$sp" "hist:$H:changed100" "$b" "$HREPS" 0 "$HSMALL" $(( HS - HSMALL )) "sh $W/prep/hist-changed.sh" \
            "$vb" -q -c "$HD/$b/vane.lua" --db "$DB" --now "$(iso $(( T_LAST + 1800 )))" run --all
    done
    log "history: $H events, timed"
    measure_spec "$sp"
    [ "${KEEP:-0}" = 1 ] || for b in $BUILDS; do rm -f "$HD/$b-$H.db" "$HD/$b-$H.db-wal" "$HD/$b-$H.db-shm"; done
done
record kv hist_sources "$HS"

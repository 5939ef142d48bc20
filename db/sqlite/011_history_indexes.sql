-- 011_history_indexes.sql — indexes for every filter the history reads
-- take (`vane events`, `vane flags`, `vane outbox`, `vane replay`,
-- vane.events and vane.history; engine/store/sqlite_reads.c builds their
-- SQL from the filters that are set, docs/design.md "History reads").
--
-- An index's entries end with the row's id, so events(source) walks one
-- source's events newest first and stops at the limit, as events(change)
-- and flags(rule|source|key) do for theirs. A time bound becomes an id
-- bound read from an index on the time column: the smallest id observed
-- (created) at or after it, one source's through events(source,
-- observed_at). events_observed and flags_created are today's; they are
-- named again so that the reads can rely on them whatever rebuilt the
-- tables. outbox_unsent holds only the rows `vane outbox` lists by default.
-- Two reads of flags that every run or `vane prune` makes: flags_silenced
-- (only silenced flags) counts a run's silenced flags, which walked every
-- flag ever raised at the end of each run; flags_event finds the flags
-- that point to an event, which `vane prune` asked of the whole flags
-- table once per old event.
CREATE INDEX IF NOT EXISTS events_observed ON events(observed_at);
CREATE INDEX IF NOT EXISTS events_source ON events(source);
CREATE INDEX IF NOT EXISTS events_source_observed ON events(source, observed_at);
CREATE INDEX IF NOT EXISTS events_change ON events(change);
CREATE INDEX IF NOT EXISTS flags_created ON flags(created_at);
CREATE INDEX IF NOT EXISTS flags_rule ON flags(rule);
CREATE INDEX IF NOT EXISTS flags_source ON flags(source);
CREATE INDEX IF NOT EXISTS flags_key ON flags(key);
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox(channel) WHERE status <> 'sent';
CREATE INDEX IF NOT EXISTS flags_silenced ON flags(run_id) WHERE silence_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS flags_event ON flags(event_id);

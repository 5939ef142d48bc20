-- 005_reshape.sql — what a reshaped source needs (the built-in
-- `source-reshaped` flag): absent_since marks an item missing from its
-- source's last list when the source does not report removals (no event is
-- made), so that "the last list" is known whatever `removals` says;
-- reshaped_flagged keeps source-reshaped to once per episode (set when it is
-- raised, cleared by the first fetch that does not reshape the source).
-- Items stored before this migration count as listed until a fetch misses them.
ALTER TABLE items ADD COLUMN absent_since TEXT;
ALTER TABLE sources ADD COLUMN reshaped_flagged INTEGER NOT NULL DEFAULT 0;

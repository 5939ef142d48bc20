-- 002_health.sql — once-per-episode markers for the built-in health flags.
-- failing_flagged: `source-failing` was raised for the current run of
-- failures (cleared by the next success); empty_flagged: `source-empty` was
-- raised since the source last yielded items.
ALTER TABLE sources ADD COLUMN failing_flagged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN empty_flagged INTEGER NOT NULL DEFAULT 0;

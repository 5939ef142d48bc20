-- 005_run_warnings.sql — a run's warnings, kept with the run.
--
-- A warning is what a run noticed but went on from: a date a script could
-- not read, bytes that were not valid in the page's charset, a duplicate
-- item key. They were printed only under -v or on a terminal, so a run
-- from cron lost them; `vane runs` now shows how many and `--json` the
-- messages. NULL for runs recorded before this migration.
ALTER TABLE runs ADD COLUMN warnings TEXT;   -- JSON array of messages, as errors

-- 008_definition.sql — what a source's items were extracted with: the
-- fingerprint of its definition (url, script and the script's text,
-- options, ignore list, item size cap) as "part=hash" pairs, written with
-- each extraction. A run whose source's fingerprint differs fetches it
-- without validators, extracts it again and stores the changes as a
-- re-baseline (run/definition.h). NULL (a source stored before this
-- migration) takes the current definition as its own without re-extracting.
ALTER TABLE sources ADD COLUMN definition TEXT;

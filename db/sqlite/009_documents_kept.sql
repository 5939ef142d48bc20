-- 009_documents_kept.sql — fetched bodies kept, history re-derivable.
--
-- A fetched document's body is kept (a zstd frame of the bytes as they
-- arrived) for the source's keep_documents (90 days unless configured),
-- with its headers and URL (the shown form: no secrets), so that
-- `vane reextract SOURCE` can run a fixed script over what was fetched.
-- The events that rebuilding replaces are kept, marked with the run of
-- `vane reextract` that superseded them; the rebuilt ones are marked
-- rederived. `vane prune` removes old events, documents and sent outbox
-- rows; the index on fetched_at finds old documents.
ALTER TABLE documents ADD COLUMN body BLOB;        -- zstd frame; NULL: not kept (or expired)
ALTER TABLE documents ADD COLUMN headers TEXT;     -- the response's headers, for the charset
ALTER TABLE documents ADD COLUMN url TEXT;         -- where it came from, redacted
ALTER TABLE events ADD COLUMN rederived INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN superseded_by INTEGER;   -- runs.id of the vane reextract
CREATE INDEX documents_fetched ON documents(fetched_at);

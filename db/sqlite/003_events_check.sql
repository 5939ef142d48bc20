-- 003_events_check.sql — the events table again, its CHECK written as
-- comparisons: SQLite evaluated `change IN (...)` by building a temporary
-- index on every insert, the largest single cost of storing an event.
-- (Migrations run with foreign keys off and are checked before commit.)
CREATE TABLE events_new (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER REFERENCES runs(id),
    source      TEXT NOT NULL,
    key         TEXT NOT NULL,
    change      TEXT NOT NULL CHECK (change = 'new' OR change = 'changed' OR change = 'removed'),
    baseline    INTEGER NOT NULL DEFAULT 0,
    item        TEXT,
    prev        TEXT,
    diff        TEXT,
    observed_at TEXT NOT NULL,
    evaluated   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO events_new (id, run_id, source, key, change, baseline, item, prev, diff, observed_at, evaluated)
    SELECT id, run_id, source, key, change, baseline, item, prev, diff, observed_at, evaluated FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_pending ON events(evaluated) WHERE evaluated = 0;
CREATE INDEX events_source_key ON events(source, key, id);
CREATE INDEX events_observed ON events(observed_at);

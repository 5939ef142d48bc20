-- 001_init.sql — the first schema of vane's store.
-- Times are ISO-8601 UTC text ("2024-11-20T23:00:00Z"); JSON columns hold
-- canonical JSON (keys sorted), so equal values are equal text.

-- One row per configured source: its fetch state and health.
CREATE TABLE sources (
    id            TEXT PRIMARY KEY,
    url           TEXT NOT NULL,
    baselined     INTEGER NOT NULL DEFAULT 0,  -- 1 once the first fetch was stored
    etag          TEXT,
    last_modified TEXT,
    body_hash     TEXT,                        -- sha256 of the last extracted body
    last_attempt  TEXT,
    last_success  TEXT,
    last_status   INTEGER,                     -- HTTP status of the last attempt
    last_error    TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,  -- consecutive failed attempts
    items         INTEGER,                     -- items the last extraction gave
    next_due      TEXT
);

-- One row per run of `vane run`.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running',  -- running | ok | failed
    exit_code   INTEGER,
    sources     INTEGER NOT NULL DEFAULT 0,       -- sources due
    fetched     INTEGER NOT NULL DEFAULT 0,       -- fetched with a new body
    unchanged   INTEGER NOT NULL DEFAULT 0,       -- 304 or same hash
    failed      INTEGER NOT NULL DEFAULT 0,       -- sources that failed
    events      INTEGER NOT NULL DEFAULT 0,
    flags       INTEGER NOT NULL DEFAULT 0,
    errors      TEXT                              -- JSON array of messages
);

-- Every response body stored for a source (metadata only).
CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    run_id        INTEGER REFERENCES runs(id),
    fetched_at    TEXT NOT NULL,
    status        INTEGER NOT NULL,
    hash          TEXT,
    etag          TEXT,
    last_modified TEXT,
    bytes         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX documents_source ON documents(source, id);

-- The current state of every item a source has published.
CREATE TABLE items (
    source     TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    fields     TEXT NOT NULL,           -- canonical JSON object
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL,
    removed_at TEXT,                    -- set when a `removed` event was stored
    PRIMARY KEY (source, key)
) WITHOUT ROWID;

-- What runs saw change. Rules evaluate events whose evaluated = 0.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER REFERENCES runs(id),
    source      TEXT NOT NULL,
    key         TEXT NOT NULL,
    change      TEXT NOT NULL CHECK (change IN ('new', 'changed', 'removed')),
    baseline    INTEGER NOT NULL DEFAULT 0,
    item        TEXT,                   -- fields after the change (JSON)
    prev        TEXT,                   -- fields before (JSON), NULL for new
    diff        TEXT,                   -- {"field":{"old":..,"new":..}} for changed
    observed_at TEXT NOT NULL,
    evaluated   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_pending ON events(evaluated) WHERE evaluated = 0;
CREATE INDEX events_source_key ON events(source, key, id);
CREATE INDEX events_observed ON events(observed_at);

-- Developments rules found. dedup makes a second raise of the same flag a no-op.
CREATE TABLE flags (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER REFERENCES runs(id),
    rule        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    message     TEXT NOT NULL,
    source      TEXT,
    key         TEXT,
    change      TEXT,
    event_id    INTEGER REFERENCES events(id),
    observed_at TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    dedup       TEXT NOT NULL UNIQUE
);
CREATE INDEX flags_created ON flags(created_at);

-- One row per flag and channel that routes it, until the channel accepts it.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    flag_id      INTEGER NOT NULL REFERENCES flags(id) ON DELETE CASCADE,
    channel      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | dead
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    next_attempt TEXT,
    sent_at      TEXT,
    UNIQUE (flag_id, channel)
);
CREATE INDEX outbox_pending ON outbox(channel, status) WHERE status = 'pending';

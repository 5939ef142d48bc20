-- 004_silences.sql — silences, and the episodes of the rules' per-run checks.

-- `vane silence add`: flags of `rule` ('*' for every rule), and of `source`
-- and `key` when given (NULL = any), raised while the silence is active are
-- recorded but not delivered. Active means created_at <= now < until and
-- not removed, on the run's clock.
CREATE TABLE silences (
    id         INTEGER PRIMARY KEY,
    rule       TEXT NOT NULL,
    source     TEXT,
    key        TEXT,
    created_at TEXT NOT NULL,
    until      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    removed_at TEXT                      -- set by `vane silence remove`
);
CREATE INDEX silences_rule ON silences(rule) WHERE removed_at IS NULL;

-- The silence that kept a flag from being delivered (NULL: not silenced).
ALTER TABLE flags ADD COLUMN silence_id INTEGER REFERENCES silences(id);

-- One row per (rule, key) a rule's check(ctx) has returned: while active,
-- the condition still holds and the flag is raised again at most once per
-- the rule's `realert` window; a run whose check leaves the key out ends
-- the episode (active = 0), and a later return starts a new one at once.
CREATE TABLE check_state (
    rule            TEXT NOT NULL,
    key             TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    episode_start   TEXT NOT NULL,       -- when this episode was first flagged
    last_flagged_at TEXT NOT NULL,       -- when its last flag was raised
    PRIMARY KEY (rule, key)
) WITHOUT ROWID;

-- The rule files a run last loaded (a digest of names, sizes and times)
-- and whether any has a check: a run with no events to evaluate loads the
-- rules only for their checks, and skips that while the files are the same
-- ones that had none.
CREATE TABLE check_rules (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    has_checks  INTEGER NOT NULL
);

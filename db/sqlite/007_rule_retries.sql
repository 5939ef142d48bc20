-- 007_rule_retries.sql — (rule, event) pairs a rule did not finish.
--
-- An event counts as evaluated by a rule only when that rule ran on it to
-- completion. When a rule fails on an event (its own error, or its budget,
-- time or memory), the pair is kept here and the next runs evaluate it
-- again: limits each run until `tries` reaches the bound (docs/design.md,
-- "No flag lost"), the rule's own error once its file's text changed
-- (`fingerprint`, the sha256 of the file when it failed). events.evaluated
-- = 1 then means "every rule finished or has a row here".
CREATE TABLE rule_retries (
    rule        TEXT NOT NULL,
    event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,        -- error | budget | time | memory
    tries       INTEGER NOT NULL,     -- failed evaluations so far
    fingerprint TEXT NOT NULL,
    message     TEXT,                 -- the last failure, file:line first
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (rule, event_id)
);

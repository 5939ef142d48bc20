-- 010_events_compact.sql — evaluation recorded without rewriting events,
-- and a changed event's prev and diff stored packed.
--
-- The rules' bookkeeping is a watermark: every event with id <= through is
-- evaluated (every rule finished on it or has a rule_retries row). A run
-- moves it with the commit of each batch's flags and retry rows; the event
-- rows are not written. events.evaluated stays for the one explicit
-- operation that marks rows: `vane reextract` without --flags keeps the
-- events it rebuilds from the rules (evaluated = 1 past the watermark).
-- Pending therefore means id > through AND evaluated = 0; the partial
-- index events_pending is no longer used. Events are never deleted above
-- the watermark, and `vane prune` keeps the newest event, so ids only grow
-- (a reused id could otherwise fall under the watermark).
CREATE TABLE evaluation (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    through INTEGER NOT NULL
);
INSERT INTO evaluation(id, through) VALUES (1, COALESCE(
    (SELECT min(id) - 1 FROM events WHERE evaluated = 0),
    (SELECT max(id) FROM events), 0));
DROP INDEX events_pending;

-- A changed event's prev is stored as a delta against its item (the old
-- value of each field that differs, {"f":[old]}, or {"f":[]} when f was
-- absent) and its diff as the changed fields' names (["f", ...]); a diff
-- column that is a JSON array marks the packed form. A removed event,
-- whose item is its prev, packs as {} and [] (no diff). Reading derives
-- the whole prev and diff (the functions event_prev and event_diff of
-- vane's connection). A row that would not read back byte for byte stays
-- whole.
UPDATE events SET prev = event_pack_prev(item, prev, diff), diff = event_pack_diff(item, prev, diff)
    WHERE (change = 'changed' AND substr(diff, 1, 1) = '{')
       OR (change = 'removed' AND diff IS NULL AND prev = item);

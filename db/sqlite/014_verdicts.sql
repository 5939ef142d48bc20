-- 014_verdicts.sql — what analysts said of a flag: useful or noise, with a
-- note, who said it and when (the web view's form, `vane flags mark`).
-- One verdict per flag: a second one replaces the first (the last word
-- counts). A rule's precision is its useful flags over its judged ones.
CREATE TABLE verdicts (
    flag_id INTEGER PRIMARY KEY REFERENCES flags(id) ON DELETE CASCADE,
    verdict TEXT NOT NULL CHECK (verdict IN ('useful', 'noise')),
    note    TEXT,
    who     TEXT NOT NULL,
    at      TEXT NOT NULL
);

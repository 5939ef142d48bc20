-- 012_config_checked.sql — the configuration last seen to pass the
-- cross-reference check (config/xref.h): the fingerprint of what that
-- check reads (the configuration's names, the rule files, the scripts and
-- the program itself; cli/references.h). A run whose fingerprint is this
-- one skips the check, which would load every rule and script only to
-- find what it found before; any change makes the next run check again.
CREATE TABLE config_checked (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL
);

-- 001_init.sql — the first schema of vane's PostgreSQL store: the shape a
-- SQLite store has after its own migrations (db/sqlite/001 to 015), the
-- lease columns of the many-worker run, and the SQL functions that let the
-- store's SQL, written for SQLite, run unchanged (docs/design.md, "The
-- PostgreSQL schema").
--
-- The mapping: INTEGER PRIMARY KEY row ids are bigint identities (a row
-- inserted without an id gets the next one, as in SQLite); other integers
-- are bigint; times stay text (ISO-8601 UTC, compared as text); BLOB is
-- bytea. Every text column is COLLATE "C": SQLite compares and sorts text
-- byte by byte (BINARY), and the store relies on it (items are read in key
-- order and merged with strcmp), whatever locale the database was made in.
-- Tables, columns and their order, defaults, constraints and index names
-- are SQLite's; tests/e2e/test_pg_schema.py keeps the two from drifting.

-- ---- collation and functions first: nothing below depends on them, but the
-- ---- store's statements do ---------------------------------------------

-- COLLATE NOCASE: equal and ordered regardless of case. ICU at strength 2
-- ignores case only (accents still count); nondeterministic, so that
-- 'Abc' = 'abc' under it, as under SQLite's NOCASE.
CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- A SQLite JSON path ('$', '$.a.b', '$."a b"', '$[0]', '$.a[2].b') as the
-- text[] path of PostgreSQL's #> operator; NULL for a path SQLite would
-- refuse (which SQLite reports as an error: so does json_extract, below).
CREATE FUNCTION sqlite_json_path(path text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN path !~ '^\$(\.("[^"]*"|[^.\[\]"]+)|\[[0-9]+\])*$' THEN NULL
        ELSE coalesce((SELECT array_agg(coalesce(m[1], m[2], m[3]) ORDER BY n)
                       FROM regexp_matches(substr(path, 2),
                                           '\.(?:"([^"]*)"|([^.\[\]"]+))|\[([0-9]+)\]', 'g')
                            WITH ORDINALITY AS r(m, n)),
                      '{}'::text[])
    END
$$;

-- The SQL value SQLite gives for one JSON value, as text: a string
-- unquoted, true and false as 1 and 0, null as NULL, a number as written,
-- an array or object as its JSON text.
CREATE FUNCTION sqlite_json_value(v json) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE json_typeof(v)
        WHEN 'string' THEN v #>> '{}'
        WHEN 'boolean' THEN CASE v::text WHEN 'true' THEN '1' ELSE '0' END
        WHEN 'null' THEN NULL
        ELSE v::text
    END
$$;

-- SQLite's name for a JSON value's type (json_each's `type` column).
CREATE FUNCTION sqlite_json_type(v json) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE json_typeof(v)
        WHEN 'string' THEN 'text'
        WHEN 'number' THEN CASE WHEN v::text ~ '[.eE]' THEN 'real' ELSE 'integer' END
        WHEN 'boolean' THEN v::text
        ELSE json_typeof(v)
    END
$$;

-- json_extract(json, path): the value at path (sqlite_json_value), NULL
-- when there is none; malformed JSON or a bad path is an error, as in
-- SQLite.
CREATE FUNCTION json_extract(doc text, path text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    p text[] := sqlite_json_path(path);
BEGIN
    IF p IS NULL THEN
        RAISE EXCEPTION 'bad JSON path: %', path;
    END IF;
    RETURN sqlite_json_value(doc::json #> p);
END
$$;

-- json_each(json [, path]): a row per element of the array or member of
-- the object at path (key: the index or the member's name), one row with
-- a NULL key for a scalar, none when path leads nowhere or json is NULL.
-- `value` is sqlite_json_value's text; `type` SQLite's type name.
CREATE FUNCTION json_each(doc text, path text)
RETURNS TABLE (key text, value text, type text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    WITH t AS (SELECT doc::json #> sqlite_json_path(path) AS v)
    SELECT o.key, sqlite_json_value(o.value), sqlite_json_type(o.value)
        FROM t, pg_catalog.json_each(CASE WHEN json_typeof(t.v) = 'object' THEN t.v
                                          ELSE '{}'::json END) AS o
    UNION ALL
    SELECT (a.n - 1)::text, sqlite_json_value(a.value), sqlite_json_type(a.value)
        FROM t, json_array_elements(CASE WHEN json_typeof(t.v) = 'array' THEN t.v
                                         ELSE '[]'::json END) WITH ORDINALITY AS a(value, n)
    UNION ALL
    SELECT NULL, sqlite_json_value(t.v), sqlite_json_type(t.v)
        FROM t WHERE json_typeof(t.v) NOT IN ('object', 'array')
$$;

CREATE FUNCTION json_each(doc text)
RETURNS TABLE (key text, value text, type text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT * FROM json_each(doc, '$')
$$;

-- json_valid(text): whether it is well-formed JSON; never an error (a
-- CASE WHEN json_valid(x) guards the reads of older rows). Boolean, where
-- SQLite's is 1 or 0. Catching the cast's error takes a subtransaction,
-- which a parallel worker cannot start: not PARALLEL SAFE.
CREATE FUNCTION json_valid(doc text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT
AS $$
BEGIN
    PERFORM doc::json;
    RETURN true;
EXCEPTION WHEN others THEN
    RETURN false;
END
$$;

-- json_array_length(json): the elements of an array, 0 for any other
-- value, NULL for NULL (malformed JSON is an error, as in SQLite).
CREATE FUNCTION json_array_length(doc text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT CASE json_typeof(j) WHEN 'array' THEN pg_catalog.json_array_length(j) ELSE 0 END
    FROM (SELECT doc::json AS j) AS x
$$;

-- Seconds since 1970 of a time in one of the forms SQLite reads
-- ('YYYY-MM-DD', then ' ' or 'T' and 'HH:MM', ':SS', '.fff', then 'Z' or
-- '+HH:MM'): a time without a zone is UTC. Computed from the fields as
-- SQLite does, so a day past the month's end runs into the next month
-- ('2024-02-30' is 1 March), and NULL for anything else (SQLite's date
-- functions never fail). Year 0 is NULL here.
CREATE FUNCTION sqlite_epoch(t text) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT extract(epoch FROM make_date(m[1]::int, m[2]::int, 1))
           + (m[3]::int - 1) * 86400
           + coalesce(m[4]::int, 0) * 3600 + coalesce(m[5]::int, 0) * 60
           + coalesce(m[6]::numeric, 0)
           - CASE m[7] WHEN '+' THEN 1 WHEN '-' THEN -1 ELSE 0 END
             * (coalesce(m[8]::int, 0) * 3600 + coalesce(m[9]::int, 0) * 60)
    FROM regexp_match(t, '^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])'
                         '(?:[ T]([01]\d|2[0-4]):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?)?'
                         '(?:Z|([+-])(0\d|1[0-4]):([0-5]\d))?$') AS r(m)
    WHERE m[1]::int > 0
$$;

-- julianday(time): the Julian day number, computed as SQLite does (whole
-- milliseconds since noon UTC of 24 November 4714 BC, over 86400000).
CREATE FUNCTION julianday(t text) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT (round(sqlite_epoch(t) * 1000)::bigint + 210866760000000)::double precision / 86400000
$$;

-- strftime(format, time): the conversions %d %f %H %j %m %M %s %S %w %Y
-- and %%; NULL for a time SQLite cannot read or a conversion this does
-- not know.
CREATE FUNCTION strftime(fmt text, t text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    secs numeric := sqlite_epoch(t);
    ts timestamp;
    out text := '';
    i int := 1;
    c text;
BEGIN
    IF secs IS NULL THEN
        RETURN NULL;
    END IF;
    ts := timestamp '1970-01-01' + secs * interval '1 second';
    WHILE i <= length(fmt) LOOP
        c := substr(fmt, i, 1);
        IF c <> '%' THEN
            out := out || c;
            i := i + 1;
            CONTINUE;
        END IF;
        c := substr(fmt, i + 1, 1);
        out := out || CASE c
            WHEN 'd' THEN to_char(ts, 'DD')
            WHEN 'f' THEN to_char(floor(extract(second FROM ts) * 1000) / 1000, 'FM00.000')
            WHEN 'H' THEN to_char(ts, 'HH24')
            WHEN 'j' THEN to_char(ts, 'DDD')
            WHEN 'm' THEN to_char(ts, 'MM')
            WHEN 'M' THEN to_char(ts, 'MI')
            WHEN 's' THEN floor(secs)::bigint::text
            WHEN 'S' THEN to_char(ts, 'SS')
            WHEN 'w' THEN extract(dow FROM ts)::int::text
            WHEN 'Y' THEN to_char(ts, 'YYYY')
            WHEN '%' THEN '%'
        END;
        IF out IS NULL THEN
            RETURN NULL;
        END IF;
        i := i + 2;
    END LOOP;
    RETURN out;
END
$$;

-- instr(haystack, needle): the 1-based position of needle, 0 when absent.
CREATE FUNCTION instr(haystack text, needle text) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT strpos(haystack, needle)::bigint
$$;

-- group_concat(x [, separator]): the non-NULL values joined, ',' unless a
-- separator is given; NULL when there are none.
CREATE FUNCTION sqlite_group_concat_step(acc text, v text, sep text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v
                ELSE acc || coalesce(sep, '') || v END
$$;

CREATE FUNCTION sqlite_group_concat_step(acc text, v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT sqlite_group_concat_step(acc, v, ',')
$$;

CREATE AGGREGATE group_concat(text, text) (sfunc = sqlite_group_concat_step, stype = text,
                                           parallel = safe);
CREATE AGGREGATE group_concat(text) (sfunc = sqlite_group_concat_step, stype = text,
                                     parallel = safe);

-- max(a, b) and min(a, b), SQLite's scalar forms (the aggregates keep
-- their one argument): NULL when either is NULL, unlike greatest/least.
CREATE FUNCTION max(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT greatest(a, b)
$$;

CREATE FUNCTION min(a anycompatible, b anycompatible) RETURNS anycompatible
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT least(a, b)
$$;

-- event_prev(item, prev, diff) and event_diff(…): a SQLite store may keep
-- a changed event's prev and diff packed and derives them whole with
-- these functions of its connection; this store keeps them whole, so they
-- give the stored column back.
CREATE FUNCTION event_prev(item text, prev text, diff text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT prev
$$;

CREATE FUNCTION event_diff(item text, prev text, diff text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT diff
$$;

-- ---- tables, in the order SQLite's migrations made them -----------------

-- One row per configured source. leased_until and leased_by (PostgreSQL
-- only) are the claim of the worker fetching it: a source is free when
-- leased_until is NULL or past.
CREATE TABLE sources (
    id               text COLLATE "C" PRIMARY KEY,
    url              text COLLATE "C" NOT NULL,
    baselined        bigint NOT NULL DEFAULT 0,
    etag             text COLLATE "C",
    last_modified    text COLLATE "C",
    body_hash        text COLLATE "C",
    last_attempt     text COLLATE "C",
    last_success     text COLLATE "C",
    last_status      bigint,
    last_error       text COLLATE "C",
    failures         bigint NOT NULL DEFAULT 0,
    items            bigint,
    next_due         text COLLATE "C",
    failing_flagged  bigint NOT NULL DEFAULT 0,
    empty_flagged    bigint NOT NULL DEFAULT 0,
    reshaped_flagged bigint NOT NULL DEFAULT 0,
    definition       text COLLATE "C",
    leased_until     text COLLATE "C",
    leased_by        text COLLATE "C"
);

CREATE TABLE runs (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    started_at  text COLLATE "C" NOT NULL,
    finished_at text COLLATE "C",
    status      text COLLATE "C" NOT NULL DEFAULT 'running',
    exit_code   bigint,
    sources     bigint NOT NULL DEFAULT 0,
    fetched     bigint NOT NULL DEFAULT 0,
    unchanged   bigint NOT NULL DEFAULT 0,
    failed      bigint NOT NULL DEFAULT 0,
    events      bigint NOT NULL DEFAULT 0,
    flags       bigint NOT NULL DEFAULT 0,
    errors      text COLLATE "C",
    warnings    text COLLATE "C"
);

CREATE TABLE documents (
    id            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    source        text COLLATE "C" NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    run_id        bigint REFERENCES runs(id),
    fetched_at    text COLLATE "C" NOT NULL,
    status        bigint NOT NULL,
    hash          text COLLATE "C",
    etag          text COLLATE "C",
    last_modified text COLLATE "C",
    bytes         bigint NOT NULL DEFAULT 0,
    body          bytea,
    headers       text COLLATE "C",
    url           text COLLATE "C"
);
CREATE INDEX documents_source ON documents(source, id);
CREATE INDEX documents_fetched ON documents(fetched_at);

CREATE TABLE items (
    source       text COLLATE "C" NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    key          text COLLATE "C" NOT NULL,
    fields       text COLLATE "C" NOT NULL,
    first_seen   text COLLATE "C" NOT NULL,
    last_seen    text COLLATE "C" NOT NULL,
    removed_at   text COLLATE "C",
    absent_since text COLLATE "C",
    PRIMARY KEY (source, key)
);

-- prev and diff are stored whole (event_prev and event_diff above). A run
-- evaluating events holds their rows' locks (FOR UPDATE SKIP LOCKED) in the
-- transaction that marks them evaluated: that is their claim.
CREATE TABLE events (
    id            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    run_id        bigint REFERENCES runs(id),
    source        text COLLATE "C" NOT NULL,
    key           text COLLATE "C" NOT NULL,
    change        text COLLATE "C" NOT NULL
                  CHECK (change = 'new' OR change = 'changed' OR change = 'removed'),
    baseline      bigint NOT NULL DEFAULT 0,
    item          text COLLATE "C",
    prev          text COLLATE "C",
    diff          text COLLATE "C",
    observed_at   text COLLATE "C" NOT NULL,
    evaluated     bigint NOT NULL DEFAULT 0,
    rederived     bigint NOT NULL DEFAULT 0,
    superseded_by bigint
);
CREATE INDEX events_source_key ON events(source, key, id);
CREATE INDEX events_observed ON events(observed_at);
CREATE INDEX events_source ON events(source);
CREATE INDEX events_source_observed ON events(source, observed_at);
CREATE INDEX events_change ON events(change);
-- The events still waiting for the rules, in id order: only they are in it.
CREATE INDEX events_unevaluated ON events(id) WHERE evaluated = 0;

CREATE TABLE silences (
    id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    rule       text COLLATE "C" NOT NULL,
    source     text COLLATE "C",
    key        text COLLATE "C",
    created_at text COLLATE "C" NOT NULL,
    until      text COLLATE "C" NOT NULL,
    reason     text COLLATE "C" NOT NULL,
    removed_at text COLLATE "C"
);
CREATE INDEX silences_rule ON silences(rule) WHERE removed_at IS NULL;

CREATE TABLE flags (
    id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    run_id      bigint REFERENCES runs(id),
    rule        text COLLATE "C" NOT NULL,
    severity    text COLLATE "C" NOT NULL,
    message     text COLLATE "C" NOT NULL,
    source      text COLLATE "C",
    key         text COLLATE "C",
    change      text COLLATE "C",
    event_id    bigint REFERENCES events(id),
    observed_at text COLLATE "C" NOT NULL,
    created_at  text COLLATE "C" NOT NULL,
    dedup       text COLLATE "C" NOT NULL UNIQUE,
    silence_id  bigint REFERENCES silences(id),
    title       text COLLATE "C",
    link        text COLLATE "C",
    source_name text COLLATE "C",
    rule_title  text COLLATE "C",
    changes     text COLLATE "C"
);
CREATE INDEX flags_created ON flags(created_at);
CREATE INDEX flags_rule ON flags(rule);
CREATE INDEX flags_source ON flags(source);
CREATE INDEX flags_key ON flags(key);
CREATE INDEX flags_silenced ON flags(run_id) WHERE silence_id IS NOT NULL;
CREATE INDEX flags_event ON flags(event_id);
CREATE INDEX flags_rule_severity ON flags(rule, severity);

CREATE TABLE outbox (
    id           bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    flag_id      bigint NOT NULL REFERENCES flags(id) ON DELETE CASCADE,
    channel      text COLLATE "C" NOT NULL,
    status       text COLLATE "C" NOT NULL DEFAULT 'pending',
    attempts     bigint NOT NULL DEFAULT 0,
    last_error   text COLLATE "C",
    next_attempt text COLLATE "C",
    sent_at      text COLLATE "C",
    UNIQUE (flag_id, channel)
);
CREATE INDEX outbox_pending ON outbox(channel, status) WHERE status = 'pending';
CREATE INDEX outbox_unsent ON outbox(channel) WHERE status <> 'sent';

CREATE TABLE check_state (
    rule            text COLLATE "C" NOT NULL,
    key             text COLLATE "C" NOT NULL,
    active          bigint NOT NULL DEFAULT 1,
    episode_start   text COLLATE "C" NOT NULL,
    last_flagged_at text COLLATE "C" NOT NULL,
    PRIMARY KEY (rule, key)
);

-- One row at most (id = 1), written with its id: no identity.
CREATE TABLE check_rules (
    id          bigint PRIMARY KEY CHECK (id = 1),
    fingerprint text COLLATE "C" NOT NULL,
    has_checks  bigint NOT NULL
);

CREATE TABLE rule_retries (
    rule        text COLLATE "C" NOT NULL,
    event_id    bigint NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    kind        text COLLATE "C" NOT NULL,
    tries       bigint NOT NULL,
    fingerprint text COLLATE "C" NOT NULL,
    message     text COLLATE "C",
    updated_at  text COLLATE "C" NOT NULL,
    PRIMARY KEY (rule, event_id)
);

-- The rules' watermark: one row, made here as SQLite's db/010 makes it for
-- a new database.
CREATE TABLE evaluation (
    id      bigint PRIMARY KEY CHECK (id = 1),
    through bigint NOT NULL
);
INSERT INTO evaluation(id, through) VALUES (1, 0);

CREATE TABLE config_checked (
    id          bigint PRIMARY KEY CHECK (id = 1),
    fingerprint text COLLATE "C" NOT NULL
);

-- One verdict per flag: its key is the flag's id, not a row id of its own.
CREATE TABLE verdicts (
    flag_id bigint PRIMARY KEY REFERENCES flags(id) ON DELETE CASCADE,
    verdict text COLLATE "C" NOT NULL CHECK (verdict IN ('useful', 'noise')),
    note    text COLLATE "C",
    who     text COLLATE "C" NOT NULL,
    at      text COLLATE "C" NOT NULL
);

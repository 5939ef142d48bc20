-- vane.lua — an example configuration: watch the US State Department's
-- travel advisories and flag level and risk-indicator changes.
-- Copy this file next to a rules/ folder (or point `rules` at one) and run
-- `vane check`, then `vane run`.

database "vane.db"            -- relative to this file; --db or VANE_DB override

source {
  id = "us-travel-advisories",
  url = "https://travel.state.gov/_res/rss/TAsTWs.xml",
  script = "travel_advisories",  -- shipped with vane (or scripts/travel_advisories.lua here)
  every = "1h", timeout = "30s", max_bytes = "5MB",
  removals = true,               -- an advisory leaving the list is news
}

-- Flags are always printed by `vane run`; a channel also keeps them elsewhere.
channel { id = "log", kind = "jsonl", path = "flags.jsonl", min_severity = "medium" }

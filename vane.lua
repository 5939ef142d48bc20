-- vane.lua — an example configuration: US–China law-enforcement relations.
-- Watches the State Department's travel advisories (level and risk-indicator
-- changes), its press releases, Federal Register notices, GDELT's news
-- index and the Chinese foreign ministry's spokesperson pages, with the
-- shipped scripts and rules.
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

source {
  id = "state-press", script = "rss", every = "30m",
  url = "https://www.state.gov/rss-feed/press-releases/feed/",
}

source {
  id = "federal-register-china", script = "federal_register", every = "6h",
  url = "https://www.federalregister.gov/api/v1/documents.json?conditions[term]=China"
     .. "&conditions[agencies][]=homeland-security-department"
     .. "&conditions[agencies][]=justice-department&conditions[agencies][]=state-department"
     .. "&order=newest&per_page=20",
}

source {
  id = "gdelt-us-china", script = "gdelt", every = "1h",
  url = "https://api.gdeltproject.org/api/v2/doc/doc?query=%22United%20States%22%20China%20"
     .. "(extradition%20OR%20repatriated%20OR%20detained)&mode=artlist&format=json&maxrecords=50",
}

source {
  id = "mfa-en-remarks", script = "html_links", every = "1h",
  url = "https://www.mfa.gov.cn/eng/xw/fyrbt/",
  options = { items = "ul.list1 li", date = "span" },   -- the defaults, spelled out
}

-- Anything the shipped rules do not cover: one flag per new item that
-- mentions a term (plain phrases, or "re:" and a PCRE2 pattern).
watch { id = "synthetic-opioids", terms = { "fentanyl", "nitazene", "芬太尼", "re:precursor chemicals?" } }

-- Flags are always printed by `vane run`; a channel also keeps them elsewhere.
channel { id = "log", kind = "file", path = "flags.jsonl", min_severity = "medium" }

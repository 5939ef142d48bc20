-- gdelt.lua — GDELT DOC 2.0 article lists
-- (https://api.gdeltproject.org/api/v2/doc/doc?query=…&mode=artlist&format=json):
-- json_api ready-configured. One item per article, keyed by the canonical
-- form of its URL (vane.url.key: http or https, tracking parameters and
-- fragments make no difference); the time GDELT saw it ("20241203T101500Z")
-- is `published`. Titles are kept as
-- GDELT writes them (a space before punctuation: "US , China"); the shipped
-- rules' phrase matching allows for that.
local DEFAULTS = {
  items = "articles",
  key = "url",
  fields = { "title", "domain", "language", "sourcecountry" },
  title = "title",
  link = "url",
  published = "seendate",
}

local function list(doc, options)
  local items = vane.items.from_json(doc.body, vane.items.merge(DEFAULTS, options))
  for _, item in ipairs(items) do item.key = vane.url.key(item.key) end
  return items
end

-- The options of json_api (its defaults above may be overridden); "*":
-- other fields come when the options name them.
return {
  list = list,
  options = vane.items.merge(vane.items.OPTIONS),
  fields = { "title", "domain", "language", "sourcecountry", "link", "published", "*" },
}

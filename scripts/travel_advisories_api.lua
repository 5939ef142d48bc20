-- travel_advisories_api.lua — the State Department's travel advisories from
-- the Consular Affairs data API
-- (https://cadataapi.state.gov/api/TravelAdvisories): a JSON array of
-- { Title, Link, Category = { code }, Summary = HTML, id, Published, Updated }.
--
-- Gives the same items as the travel_advisories script reading the RSS
-- feed, with the same keys, so the same rules apply to both and the two
-- sources name an advisory alike: keyed by the country code of `Category`
-- (a list of codes, or one), else by the code the country table gives the
-- title's country, else by "name:" and that name; country, code, level
-- (from the title; nil when it has none), label, notations,
-- indicators_added, indicators_removed (from the change note at the head
-- of `Summary`), summary, link, published. Duplicate keys are resolved as
-- in travel_advisories. Options: countries, indicator_names,
-- indicator_verbs (see vane.advisory). The API's dates are the advisory
-- date at midnight UTC written in US Eastern time
-- ("2024-11-26T19:00:00-05:00" is 27 November); converted to UTC they come
-- out as that midnight. `Updated` moves without the advisory changing and is
-- not kept. A record that is null or not an object, or has no Title, is
-- left out with a warning and the rest are read; a field that is null is
-- read as absent.

-- The country code of a record: Category is a list of codes or one code.
local function code_of(category)
  if type(category) == "string" then return category end
  if type(category) == "table" then
    for _, c in ipairs(category) do
      if type(c) == "string" and c ~= "" then return c end
    end
  end
  return nil
end

-- The field `name` of a record, nil when absent or null.
local function field(a, name)
  local v = a[name]
  if v == vane.json.null then return nil end
  return v
end

local function list(doc, options)
  local list, err = vane.json.decode(doc.body)
  if list == nil then error("not JSON: " .. tostring(err), 0) end
  if type(list) ~= "table" then error("expected a JSON array of advisories", 0) end
  local ctx = vane.advisory.context(options)
  local found = {}
  for i, a in ipairs(list) do
    local title = type(a) == "table" and field(a, "Title")
    if type(a) ~= "table" then
      vane.warn(("record %d is %s, not an advisory; left out"):format(
        i, a == vane.json.null and "null" or "a " .. type(a)))
    elseif type(title) ~= "string" then
      vane.warn(("record %d has no Title; left out"):format(i))
    else
      local raw = field(a, "Published")
      local published = raw and vane.time.parse(tostring(raw))
      if raw and not published then
        vane.warn(("%s: unparseable Published '%s'"):format(title, tostring(raw)))
      end
      local summary = type(a.Summary) == "string" and a.Summary or nil
      local item, coded = vane.advisory.item({
        title = title,
        code = code_of(field(a, "Category")),
        html = summary,
        summary = vane.text.to_text(summary or ""),
        link = type(a.Link) == "string" and a.Link or nil,
        published = published or nil,
      }, ctx)
      if item then found[#found + 1] = { item = item, coded = coded } end
    end
  end
  if #found == 0 then
    error(("no advisories found (%d records, none naming a country)"):format(#list), 0)
  end
  return vane.advisory.unique(found)
end

return {
  list = list,
  options = {
    countries = "more countries for the country table (vane.advisory)",
    indicator_names = "names of risk indicators in change notes (vane.advisory)",
    indicator_verbs = "verbs of change notes (vane.advisory)",
  },
  fields = { "title", "country", "code", "level", "label", "notations", "indicators_added",
             "indicators_removed", "summary", "link", "published" },
}

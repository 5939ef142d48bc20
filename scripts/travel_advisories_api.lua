-- travel_advisories_api.lua — the State Department's travel advisories from
-- the Consular Affairs data API
-- (https://cadataapi.state.gov/api/TravelAdvisories): a JSON array of
-- { Title, Link, Category = { code }, Summary = HTML, id, Published, Updated }.
--
-- Gives the same items as the travel_advisories script reading the RSS
-- feed — key = the advisory page's URL, country, level, label, notations,
-- summary, link, published — so the same rules apply to both. The API's
-- dates are the advisory date at midnight UTC written in US Eastern time
-- ("2024-11-26T19:00:00-05:00" is 27 November); converted to UTC they come
-- out as that midnight. `Updated` moves without the advisory changing and is
-- not kept.
return function(doc, options)
  local list, err = vane.json.decode(doc.body)
  if list == nil then error("not JSON: " .. tostring(err), 0) end
  if type(list) ~= "table" then error("expected a JSON array of advisories", 0) end
  local items = {}
  for _, a in ipairs(list) do
    local title = type(a) == "table" and a.Title
    local country, level, label
    if type(title) == "string" then country, level, label = vane.advisory.title(title) end
    local key = a.id or a.Link
    if level and country ~= "" and type(key) == "string" then
      local published = a.Published and vane.time.parse(tostring(a.Published))
      if a.Published and not published then
        vane.warn(("%s: unparseable Published '%s'"):format(country, tostring(a.Published)))
      end
      items[#items + 1] = {
        key = key,
        title = vane.text.squish(title),
        country = country,
        level = level,
        label = label,
        notations = vane.advisory.notations(a.Summary),
        summary = vane.text.to_text(a.Summary or ""),
        link = a.Link,
        published = published or nil,
      }
    end
  end
  if #items == 0 then
    error(("no advisories found (%d records, none with a level)"):format(#list), 0)
  end
  return items
end

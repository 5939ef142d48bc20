-- travel_advisories.lua — the State Department's travel-advisory RSS feed
-- (https://travel.state.gov/_res/rss/TAsTWs.xml): one item per advisory.
--
-- Items are keyed by guid (the advisory page's URL): the title carries the
-- level, so it changes exactly when the advisory does and cannot be a key.
-- `notations` is a sorted array so that the same set of risk indicators
-- compares equal whatever order the page lists them in.

-- "Mainland China, Hong Kong & Macau - See Summaries - Level 3: Reconsider
-- Travel" → "China"; "Mexico Travel Advisory - Level 2: …" → "Mexico".
local function country_of(head)
  local name = vane.text.squish(head)
  name = name:gsub("%s*%-%s*[Ss]ee [Ss]ummar[iy]e?s?$", "")
  name = name:gsub("%s+[Tt]ravel [Aa]dvisory$", "")
  -- a combined advisory names its main country first: "Mainland X, Y & Z"
  local main = name:match("^[Mm]ainland%s+([^,&]-)%s*[,&]")
  if main and main ~= "" then name = main end
  return name
end

-- Level and label from the title ("… - Level 3: Reconsider Travel"), or
-- from the Threat-Level category when the title lacks them.
local function level_of(title, categories)
  local n, label = title:match("%-%s*Level%s+(%d+)%s*:?%s*(.-)%s*$")
  if not n then
    for _, c in ipairs(categories or {}) do
      if c.domain == "Threat-Level" and c.term then
        n, label = c.term:match("Level%s+(%d+)%s*:?%s*(.-)%s*$")
        if n then break end
      end
    end
  end
  n = tonumber(n)
  if not n or n < 1 or n > 4 then return nil end
  return math.tointeger(n), label ~= "" and label or nil
end

-- Letters of the risk indicators listed in the description's
-- <ul class="risk-indicators">, e.g. "Wrongful Detention (D)" → "D".
local function notations_of(html)
  local letters, seen = {}, {}
  if not html then return letters end
  local list = html:match("<ul[^>]-class=[\"'][^\"']-risk%-indicators[^>]*>(.-)</ul>")
  if not list then return letters end
  for li in list:gmatch("<li[^>]*>(.-)</li>") do
    local letter = vane.text.to_text(li):match("%((%u)%)$")
    if letter and not seen[letter] then
      seen[letter] = true
      letters[#letters + 1] = letter
    end
  end
  table.sort(letters)
  return letters
end

return function(doc, options)
  local items = {}
  local entries = vane.feed(doc.body, doc.url).items
  for _, e in ipairs(entries) do
    local title = vane.text.squish(vane.text.decode_entities(e.title or ""))
    local level, label = level_of(title, e.categories)
    local head = title:match("^(.-)%s*%-%s*Level%s+%d") or title
    local country = country_of(head)
    -- without a guid or link the feed's fallback id is a hash of
    -- title..published, which changes with the level: key such items by
    -- country instead
    local key = e.id
    if not key or key == vane.hash.short((e.title or "") .. (e.published or "")) then
      key = "country:" .. country
    end
    if level and country ~= "" then
      local html = e.summary_html or e.content
      items[#items + 1] = {
        key = key,
        title = title,
        country = country,
        level = level,
        label = label,
        notations = notations_of(html),
        summary = vane.text.to_text(html or ""),
        link = e.link,
        published = e.published,
      }
    end
  end
  -- The list is never empty in practice; an empty one is a broken
  -- document, and returning it would read as every advisory withdrawn.
  if #items == 0 then
    error(("no advisories found (%d feed items, none with a level)"):format(#entries), 0)
  end
  return items
end

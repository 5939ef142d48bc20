-- travel_advisories.lua — the State Department's travel-advisory RSS feed
-- (https://travel.state.gov/_res/rss/TAsTWs.xml): one item per advisory.
--
-- Items are keyed by guid (the advisory page's URL): the title carries the
-- level, so it changes exactly when the advisory does and cannot be a key.
-- Fields: country (a clean name: "Mainland China, Hong Kong & Macau - See
-- Summaries - Level 3: …" gives "China"), level (1–4), label, notations
-- (the sorted set of risk-indicator letters listed in the description),
-- summary (text), link, published. Reading titles and indicators is
-- vane.advisory's job, shared with travel_advisories_api.
--
-- options.pages = true: the current indicators come from each advisory's
-- own page (the feed's descriptions do not list them): vane reads the page
-- of a new advisory, or of one whose link changed, and `notations` is the
-- page's risk-indicator letters (left out of the list's items, so that a
-- run without the page keeps what the page said).

-- The Threat-Level category ("Level 3: Reconsider Travel"), for a title
-- that lacks the level.
local function threat_level(categories)
  for _, c in ipairs(categories or {}) do
    if c.domain == "Threat-Level" and c.term then return c.term end
  end
  return nil
end

-- options.pages: an advisory's page completes its item (see above).
local function detail(doc, item)
  item.notations = vane.advisory.notations(doc.body)
end

local function list(doc, options)
  local items = {}
  local entries = vane.feed(doc.body, doc.url).items
  for _, e in ipairs(entries) do
    local title = vane.text.squish(e.title or "")
    local country, level, label = vane.advisory.title(title, threat_level(e.categories))
    -- an entry without a link has only a hash of its title for an id, and
    -- the title changes with the level: key such entries by country
    local key = e.link and e.id or ("country:" .. (country or ""))
    if level and country ~= "" then
      local html = e.summary_html or e.content
      items[#items + 1] = {
        key = key,
        title = title,
        country = country,
        level = level,
        label = label,
        notations = not options.pages and vane.advisory.notations(html) or nil,
        summary = e.summary or vane.text.to_text(html or ""),
        link = e.link,
        published = e.published,
        follow = options.pages and e.link or nil,
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

return { list = list, detail = detail }

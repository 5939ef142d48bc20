-- travel_advisories.lua — the State Department's travel-advisory RSS feed
-- (https://travel.state.gov/_res/rss/TAsTWs.xml): one item per advisory.
--
-- An advisory is keyed by its country, not its link (the feed's links moved
-- from http:// to https:// and to other paths over the years): by the
-- State Department code of its <category domain="Country-Tag">, else by the
-- code the country table gives the title's country name ("Macau - Level 3"
-- → MC), else by "name:" and that name normalised ("name:worldwide caution").
-- The table is vane.advisory.COUNTRIES, extended by options.countries.
--
-- Fields: country (the table's name for the code: the two "Mainland China,
-- Hong Kong & Macau - See Summaries" items tagged MC and HK are Macau and
-- Hong Kong), code, level (1–4, from the Threat-Level category, else the
-- title; nil for an entry without one, such as "Worldwide Caution", which
-- is kept), label, notations (sorted risk-indicator letters listed in the
-- description's markup, where a feed has it), indicators_added and
-- indicators_removed (sorted letters the change note at the head of the
-- description says were added or removed, read with vane.advisory.WORDING
-- and options.indicator_names / indicator_verbs), summary, link, published.
--
-- Two entries with one key (the October 2026 feed lists Macau twice: an
-- untagged "Macau - Level 3" and the "See Summaries" entry tagged MC): the
-- one whose Country-Tag gave the code is kept, then the newer, then the
-- first; the other is left out with a warning.
--
-- options.pages = true: the current indicators come from each advisory's
-- own page (the feed's descriptions do not list them): vane reads the page
-- of a new advisory, or of one whose link changed, and `notations` is the
-- page's risk-indicator letters (left out of the list's items, so that a
-- run without the page keeps what the page said).

-- The term of the first category of a domain.
local function category(categories, domain)
  for _, c in ipairs(categories or {}) do
    if c.domain == domain and c.term and c.term ~= "" then return c.term end
  end
  return nil
end

-- options.pages: an advisory's page completes its item (see above).
local function detail(doc, item)
  item.notations = vane.advisory.notations(doc.body)
end

local function list_advisories(doc, options)
  local ctx = vane.advisory.context(options)
  local entries = vane.feed(doc.body, doc.url).items
  local list = {}
  for _, e in ipairs(entries) do
    local html = e.summary_html or e.content
    local item, coded = vane.advisory.item({
      title = e.title,
      code = category(e.categories, "Country-Tag"),
      level = category(e.categories, "Threat-Level"),
      html = html,
      summary = e.summary,
      link = e.link,
      published = e.published,
    }, ctx)
    if item and options.pages then
      item.notations, item.follow = nil, e.link
    end
    if item then list[#list + 1] = { item = item, coded = coded } end
  end
  -- The list is never empty in practice; an empty one is a broken
  -- document, and returning it would read as every advisory withdrawn.
  if #list == 0 then
    error(("no advisories found (%d feed items, none naming a country)"):format(#entries), 0)
  end
  return vane.advisory.unique(list)
end

return {
  list = list_advisories,
  detail = detail,
  options = {
    countries = "more countries for the country table (vane.advisory)",
    indicator_names = "names of risk indicators in change notes (vane.advisory)",
    indicator_verbs = "verbs of change notes (vane.advisory)",
    pages = "true: the current indicators come from each advisory's own page",
  },
  fields = { "title", "country", "code", "level", "label", "notations", "indicators_added",
             "indicators_removed", "summary", "link", "published" },
}

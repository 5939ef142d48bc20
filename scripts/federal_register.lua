-- federal_register.lua — Federal Register search results
-- (https://www.federalregister.gov/api/v1/documents.json?conditions[term]=…):
-- json_api ready-configured. One item per document, keyed by its document
-- number; agencies become a list of names; the public-inspection link
-- (whose cache-buster changes without the document changing) and the
-- search excerpts are left out; the publication date is `published`.
-- Any option of json_api may be overridden in the source's options.
--
-- A search answers one page of results, newest first: a document that
-- slides off it has not been withdrawn. The list is returned with
-- `removals = false`, so vane never reports removals for this script,
-- whatever the source's `removals` setting says.
local DEFAULTS = {
  items = "results",
  key = "document_number",
  fields = { "title", "type", "abstract", "document_number", "html_url", "pdf_url", "agencies" },
  title = "title",
  link = "html_url",
  published = "publication_date",
}

local function agency_names(list)
  if type(list) ~= "table" then return nil end
  local names = {}
  for _, a in ipairs(list) do
    local name = type(a) == "table" and (a.name or a.raw_name) or a
    if type(name) == "string" then names[#names + 1] = name end
  end
  return names
end

local function list(doc, options)
  local items = vane.items.from_json(doc.body, vane.items.merge(DEFAULTS, options))
  for _, item in ipairs(items) do
    item.agencies = agency_names(item.agencies)
  end
  items.removals = false
  return items
end

-- The options of json_api (its defaults above may be overridden); "*":
-- other fields come when the options name them.
return {
  list = list,
  options = vane.items.merge(vane.items.OPTIONS),
  fields = { "title", "type", "abstract", "document_number", "html_url", "pdf_url", "agencies", "link", "published", "*" },
}

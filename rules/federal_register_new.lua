-- federal_register_new.lua — a new Federal Register document among the
-- results of the watch query (the source's URL is the query: a
-- documents.json search). Applies to every item that carries a
-- `document_number`, so it needs no source id.

local phrase = vane.phrase

return {
  id = "federal-register-new",
  title = "New Federal Register document",
  severity = "medium",

  when = function(ev)
    if ev.change ~= "new" or ev.baseline or type(ev.item) ~= "table" then return false end
    local n = ev.item.document_number
    return (type(n) == "string" and n ~= "") or type(n) == "number"
  end,

  message = function(ev)
    local item = ev.item
    local title = phrase.tidy(type(item.title) == "string" and item.title or "")
    if title == "" then title = "(untitled)" end
    local kind = type(item.type) == "string" and item.type ~= "" and (" (%s)"):format(item.type) or ""
    return ("Federal Register %s%s: %s"):format(tostring(item.document_number), kind, title)
  end,

  tests = {
    { event = { change = "new", item = { document_number = "2024-28431", type = "Rule",
        title = "Schedules of Controlled Substances: Temporary Placement of Two Nitazene Analogues in Schedule I" } },
      expect = { message = "Federal Register 2024-28431 (Rule): Schedules of Controlled Substances: Temporary Placement of Two Nitazene Analogues in Schedule I" } },
    { event = { change = "new", item = { document_number = "2024-28390", type = "Notice",
        title = "Imposition of Visa Restrictions on Officials of the People’s Republic of China" } },
      expect = { message = "Federal Register 2024-28390 (Notice): Imposition of Visa Restrictions on Officials of the People's Republic of China" } },
    { -- another agency, no type given
      event = { change = "new", item = { document_number = "2025-01234",
        title = "Designation of Foreign Terrorist Organizations" } },
      expect = { message = "Federal Register 2025-01234: Designation of Foreign Terrorist Organizations" } },
    { -- a changed document (a cache-buster in a URL) is not new
      event = { change = "changed", item = { document_number = "2024-27402", title = "x" },
                diff = { public_inspection_pdf_url = { old = "a?1", new = "a?2" } } },
      expect = { flag = false } },
    { -- nor is one falling off the first page
      event = { change = "removed", item = { document_number = "2024-26990", title = "x" } },
      expect = { flag = false } },
    { -- a news item has no document number
      event = { change = "new", item = { title = "Readout of a Meeting" } },
      expect = { flag = false } },
  },
}

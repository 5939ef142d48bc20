-- json_api.lua — any JSON API or JSON file: one item per record of an array.
--
-- source { id = "fr", url = "https://…/documents.json?…", script = "json_api",
--          options = { items = "results", key = "document_number",
--                      fields = { "title", "type", "html_url" },
--                      ignore = { "excerpts" }, title = "title",
--                      published = "publication_date", link = "html_url" } }
--
-- Options are those of vane.items.from_json (README, "Shipped scripts").
-- Its items carry the fields its options name, so it declares "*".
return {
  list = function(doc, options)
    return vane.items.from_json(doc.body, options)
  end,
  options = {
    items = "path to the array of records (default: the document itself)",
    key = "path of the field that identifies a record",
    fields = "paths to keep (default: every top-level field)",
    ignore = "fields left out of the item, so changes to them raise nothing",
    title = "path of the title (stored as title)",
    link = "path of the link (stored as link)",
    published = "path of the date (stored as published)",
    date_order = '"mdy" or "dmy": how to read a date like 03/04/2024',
    zone = "the zone of dates written without one",
  },
  fields = { "title", "link", "published", "*" },
}

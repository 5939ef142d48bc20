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
  options = vane.items.merge(vane.items.OPTIONS),
  fields = { "title", "link", "published", "*" },
}

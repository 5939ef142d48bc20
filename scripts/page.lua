-- page.lua — watch a whole page, or the part of it a CSS selector picks, the
-- way urlwatch does: one item whose text is compared from run to run.
--
-- options:
--   select = "main .content"  the part to watch (default: the whole body);
--                             every match counts, in document order
--   key = "page"              the item's key (one page, one item)
--   html = true               compare the HTML of the part, not its text
--
-- Fields: title (the page's <title>), link, text (or html). A selector that
-- matches nothing is an error, not an empty page: the page has most likely
-- been redesigned.
local function list(doc, options)
  options = options or {}
  local page = vane.html(doc.body, doc.url)
  local selector = options.select or "body"
  local parts = {}
  for _, node in ipairs(page:select(selector)) do
    parts[#parts + 1] = options.html and node:html() or node:text()
  end
  if #parts == 0 then
    error(("nothing on the page matches '%s'"):format(selector), 0)
  end
  local item = { key = options.key or "page", title = page:title(), link = doc.url }
  if options.html then item.html = table.concat(parts, "\n") else item.text = table.concat(parts, "\n") end
  return { item }
end

return {
  list = list,
  options = {
    select = "the part to watch (default: the whole body)",
    key = 'the item\'s key (default "page")',
    html = "true: compare the HTML of the part, not its text",
  },
  fields = { "title", "link", "text", "html" },
}

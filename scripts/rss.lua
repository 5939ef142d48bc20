-- rss.lua — any RSS (0.9x, 1.0, 2.0) or Atom feed: one item per entry.
--
-- Items are keyed by the entry's id (guid or atom:id, else its link); an id
-- that is an http(s) URL is keyed by its canonical form (vane.url.key), so
-- a feed whose links move to https or gain tracking parameters announces
-- nothing again. Items carry title, link (as the feed gives it), summary
-- (text), categories (their terms), author and published (the entry's
-- publication date, else its update date). The
-- feed's own update times are not kept, so a feed that only re-stamps its
-- entries raises nothing.
--
-- options:
--   content = true   also keep the full text (content:encoded / atom
--                    content) as text, so edits to the body are changes
--   recover = true   read what a malformed feed allows instead of failing
--                    (the rest of the entries are then missing, which reads
--                    as removals if the source has removals = true)
-- The library functions used per entry, looked up once: `vane` is a
-- read-only proxy, and each lookup through it is a call.
local squish, url_key, to_text = vane.text.squish, vane.url.key, vane.text.to_text

local function terms(categories)
  local out, seen = {}, {}
  for _, c in ipairs(categories or {}) do
    local t = c.term and squish(c.term)
    if t and t ~= "" and not seen[t] then
      seen[t] = true
      out[#out + 1] = t
    end
  end
  return out
end

local function list(doc, options)
  options = options or {}
  local feed = vane.feed(doc.body, doc.url, { recover = options.recover == true })
  local items = {}
  for _, e in ipairs(feed.items) do
    items[#items + 1] = {
      key = url_key(e.id),
      title = e.title,
      link = e.link,
      summary = e.summary,
      content = options.content and e.content and to_text(e.content) or nil,
      categories = terms(e.categories),
      author = e.author,
      published = e.published or e.updated,
    }
  end
  return items
end

return {
  list = list,
  options = {
    content = "true: also keep the full text of each entry as content",
    recover = "true: read what a malformed feed allows instead of failing",
  },
  fields = { "title", "link", "summary", "content", "categories", "author", "published" },
}

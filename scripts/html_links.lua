-- html_links.lua — a list page of dated links (a ministry's press releases
-- or spokesperson's remarks, in any language): one item per link.
--
-- options (CSS selectors; the defaults fit the list pages of Chinese
-- government sites, <ul class="list1"><li><a href=…>Title</a><span>date</span>):
--   items = "ul.list1 li"  one element per entry
--   link  = "a[href]"      the entry's link, inside the item
--   title = nil            the title, inside the item (default: the link's text)
--   date  = "span"         the date, inside the item (may be absent)
--   detail = nil           a selector of the text on each entry's own page:
--                          vane reads the page of every new entry (or of one
--                          whose link changed) and puts that text in `body`
--   date_order = "mdy"     how to read a date like 03/04/2024 ("mdy" or "dmy")
--   zone  = "Asia/Shanghai" the zone of dates written without one (default UTC)
--
-- A page where `items` or `link` matches nothing gives no items and a
-- warning naming the selector (shown by `vane preview`, and in the
-- `source-empty` flag of a new source).
--
-- Each item is keyed by its link as written in the page ("./202411/t…html"),
-- so moving the source to another address keeps the history; a link written
-- as an absolute http(s) URL is keyed by its canonical form (vane.url.key),
-- so a site moving to https keeps it too. Fields: title,
-- link (absolute), published. The date comes from the date element, else
-- from a date at the end of the title in parentheses, "（2024-11-29）" (it is
-- then cut from the title), else from the link's file name
-- ("t20241129_11534960.html" → 2024-11-29). With `detail`, body too: an
-- entry's page without a match is a warning, and the entry has no body.
local DEFAULTS = { items = "ul.list1 li", link = "a[href]", date = "span" }

local function text_of(node, selector)
  local n = selector and node:select_one(selector)
  return n and n:text() or nil
end

-- "…答记者问（2024-11-29）" → "…答记者问", "2024-11-29"
local function split_title_date(title)
  -- full-width parentheses are several bytes each: two patterns, not a class
  local head, inner = title:match("^(.-)%s*（%s*([^（）]-)%s*）$")
  if not head then head, inner = title:match("^(.-)%s*%(%s*([^()]-)%s*%)$") end
  inner = (inner or ""):gsub("日$", ""):gsub("[年月]", "-")
  local y, m, d = inner:match("^(%d%d%d%d)[-/.](%d%d?)[-/.](%d%d?)$")
  if y and head ~= "" then
    return head, ("%s-%02d-%02d"):format(y, tonumber(m), tonumber(d))
  end
  return title, nil
end

local function date_from_link(href)
  local file = href:match("([^/]+)$") or href
  local y, m, d = file:match("(20%d%d)(%d%d)(%d%d)")
  if y then return ("%s-%s-%s"):format(y, m, d) end
  return nil
end

local function list(doc, options)
  local o = vane.items.merge(DEFAULTS, options)
  local page = vane.html(doc.body, doc.url)
  local items = {}
  local nodes = page:select(o.items)
  if #nodes == 0 then
    vane.warn(("items = '%s' matched nothing on the page"):format(o.items))
  end
  for _, node in ipairs(nodes) do
    local a = node:name() == "a" and node or node:select_one(o.link)
    local href = a and a:attr("href")
    if href and href ~= "" then
      local title = vane.text.squish(o.title and text_of(node, o.title) or a:text() or "")
      local date_text
      title, date_text = split_title_date(title)
      date_text = text_of(node, o.date) or date_text or date_from_link(href)
      local published, why
      if date_text then
        published, why = vane.time.parse(date_text, { order = o.date_order, zone = o.zone })
      end
      if date_text and not published then
        vane.warn(("unparseable date '%s' for %s (%s)"):format(date_text, href, why))
      end
      items[#items + 1] = {
        key = vane.url.key(href),
        title = title,
        link = a:url("href"),
        published = published or nil,
        follow = o.detail and a:url("href") or nil,
      }
    end
  end
  if #nodes > 0 and #items == 0 then
    vane.warn(("link = '%s' matched no link with an href in the %d elements of items = '%s'")
      :format(o.link, #nodes, o.items))
  end
  return items
end

-- The entry's page: the text of the part options.detail selects.
local function detail(doc, item, options)
  local node = vane.html(doc.body, doc.url):select_one(options.detail)
  if not node then
    vane.warn(("no '%s' on the page; the item has no body"):format(options.detail))
    return
  end
  item.body = node:text()
end

return {
  list = list,
  detail = detail,
  options = {
    items = 'a selector of one element per entry (default "ul.list1 li")',
    link = 'the entry\'s link, inside the item (default "a[href]")',
    title = "the title, inside the item (default: the link's text)",
    date = 'the date, inside the item (default "span")',
    detail = "a selector of the text on each entry's own page (its body)",
    date_order = '"mdy" or "dmy": how to read a date like 03/04/2024',
    zone = "the zone of dates written without one (default UTC)",
  },
  fields = { "title", "link", "published", "body" },
}

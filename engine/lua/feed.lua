-- feed.lua — vane.feed(body, url): a small RSS 0.9x/1.0/2.0 and Atom reader.
--
-- Written with Lua patterns so scripts have a feed reader before the
-- libxml2 one exists; that one keeps this result shape:
--   { title, link, updated, items = { { id, title, link, published, updated,
--     summary, content, categories = { {term, domain} }, author } } }
--
-- How it works: one pass over the body builds a small element tree (names
-- as written, e.g. "dc:date"; attributes; text; the byte range of the
-- content). The walk uses plain finds and anchored matches at the current
-- position, never one pattern over the whole body, because the sandbox
-- limits the steps of each pattern call and real feeds are near 1 MB.
--
-- It is strict where leniency would lose data quietly: a truncated or
-- ill-nested document is an error, not a shorter list of items (a shorter
-- list would read as advisories removed). Entity declarations in a DOCTYPE
-- are refused outright: nothing here ever expands them, so neither a
-- "billion laughs" nor an external entity can do harm, and a feed that needs
-- them is not one we can read faithfully.

local XML_ENTITIES = { lt = "<", gt = ">", amp = "&", quot = '"', apos = "'" }

local function xml_entity(ref)
  local named = XML_ENTITIES[ref]
  if named then return named end
  local cp = ref:match("^#[xX](%x+)$")
  cp = cp and #cp <= 6 and tonumber(cp, 16)
  if not cp then
    local dec = ref:match("^#(%d+)$")
    cp = dec and #dec <= 7 and tonumber(dec)
  end
  if cp and cp > 0 and cp <= 0x10FFFF and not (cp >= 0xD800 and cp <= 0xDFFF) then
    return utf8.char(cp)
  end
  return nil -- not an XML entity: keep the text as written
end

local function xml_decode(s)
  if not s:find("&", 1, true) then return s end
  return (s:gsub("&(#?%w+);", xml_entity))
end

local function trim(s)
  if s == nil then return nil end
  local first = s:find("%S")
  if not first then return "" end
  local last = #s
  while s:find("^%s", last) do last = last - 1 end
  return s:sub(first, last)
end

-- Errors carry a line number for people; level 0 keeps this file's own
-- position out of the message.
local function line_of(s, pos)
  local line, i = 1, 1
  while true do
    local nl = s:find("\n", i, true)
    if not nl or nl >= pos then return line end
    line, i = line + 1, nl + 1
  end
end

local function fail(body, pos, msg)
  error(("malformed XML at line %d: %s"):format(line_of(body, pos), msg), 0)
end

------------------------------------------------------------------------
-- Dates: RFC 822 / RFC 2822 and RFC 3339, to "YYYY-MM-DDTHH:MM:SSZ".

local MONTHS = { jan = 1, feb = 2, mar = 3, apr = 4, may = 5, jun = 6,
                 jul = 7, aug = 8, sep = 9, oct = 10, nov = 11, dec = 12 }
local ZONES = { gmt = 0, ut = 0, utc = 0, z = 0,
                est = -5, edt = -4, cst = -6, cdt = -5,
                mst = -7, mdt = -6, pst = -8, pdt = -7 }

local function leap(y) return y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0) end

local function days_in(y, m)
  if m == 2 then return leap(y) and 29 or 28 end
  return (m == 4 or m == 6 or m == 9 or m == 11) and 30 or 31
end

-- Days since 1970-01-01 of a proleptic Gregorian date, and back
-- (H. Hinnant's algorithms); no dependence on the local time zone.
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = z // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return yoe + era * 400 + (m <= 2 and 1 or 0), m, d
end

-- Offset in minutes east of UTC, or nil for a zone we cannot read.
-- An empty zone means UTC: date-only pubDates carry none.
local function zone_offset(z)
  if z == "" then return 0 end
  local sign, hh, mm = z:match("^([%+%-])(%d%d):?(%d%d)$")
  if sign then
    local off = tonumber(hh) * 60 + tonumber(mm)
    if tonumber(mm) > 59 or off > 18 * 60 then return nil end
    return sign == "-" and -off or off
  end
  local hours = ZONES[z:lower()]
  return hours and hours * 60
end

local function format_utc(y, mo, d, h, mi, s, offset)
  if not (y and mo and d and h and mi and s and offset) then return nil end
  if y < 1 or y > 9999 or mo < 1 or mo > 12 or d < 1 or d > days_in(y, mo)
     or h > 23 or mi > 59 or s > 60 then
    return nil
  end
  local t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset * 60
  local days, secs = t // 86400, t % 86400
  y, mo, d = civil_from_days(days)
  return ("%04d-%02d-%02dT%02d:%02d:%02dZ"):format(
    y, mo, d, secs // 3600, secs % 3600 // 60, secs % 60)
end

-- "Wed, 27 Nov 2024", "Tue, 03 Dec 2024 14:05:31 GMT", "3 Dec 24 14:05 -0500"
local function rfc822(s)
  s = s:gsub("^%a+,?%s*", "", 1) -- the weekday is optional and not checked
  local d, mon, y, rest = s:match("^(%d%d?)%s+(%a+)%.?%s+(%d%d%d?%d?)(.*)$")
  if not d then return nil end
  local mo = #mon >= 3 and MONTHS[mon:sub(1, 3):lower()]
  if not mo then return nil end
  y = tonumber(y)
  if y < 50 then y = y + 2000 elseif y < 1000 then y = y + 1900 end
  local h, mi, sec, zone = 0, 0, 0, ""
  if rest:find("%S") then
    local hh, mm, tail = rest:match("^%s+(%d%d?):(%d%d)(.*)$")
    if not hh then return nil end
    local ss, tail2 = tail:match("^:(%d%d)(.*)$")
    h, mi, sec = tonumber(hh), tonumber(mm), tonumber(ss or 0)
    zone = trim(tail2 or tail)
  end
  return format_utc(y, mo, tonumber(d), h, mi, sec, zone_offset(zone))
end

-- "2024-11-27", "2024-12-03T16:22:47Z", "2024-11-26T19:00:00-05:00",
-- "2024-11-26 19:00:00.123+0000"; no zone means UTC.
local function rfc3339(s)
  local y, mo, d, rest = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)(.*)$")
  if not y then return nil end
  local h, mi, sec, zone = 0, 0, 0, ""
  if rest ~= "" then
    local hh, mm, tail = rest:match("^[Tt ](%d%d):(%d%d)(.*)$")
    if not hh then return nil end
    local ss, tail2 = tail:match("^:(%d%d)(.*)$")
    tail = tail2 or tail
    tail = tail:gsub("^[%.,]%d+", "", 1)
    h, mi, sec, zone = tonumber(hh), tonumber(mm), tonumber(ss or 0), trim(tail)
  end
  return format_utc(tonumber(y), tonumber(mo), tonumber(d), h, mi, sec, zone_offset(zone))
end

-- A date string to UTC ISO-8601, or nil. Never raises.
local function parse_date(s)
  if type(s) ~= "string" then return nil end
  s = trim(s)
  if s == "" or #s > 64 then return nil end
  return rfc3339(s) or rfc822(s)
end

------------------------------------------------------------------------
-- The element tree.

-- A DOCTYPE: step over it (internal subset included); refuse entity
-- declarations. Returns the position after it.
local function skip_doctype(body, lt)
  local e = body:find("[%[>]", lt)
  if not e then fail(body, lt, "unterminated DOCTYPE") end
  if body:sub(e, e) == ">" then return e + 1 end
  local close = body:find("%]%s*>", e)
  if not close then fail(body, lt, "unterminated DOCTYPE") end
  local ent = body:find("<!ENTITY", e, true)
  if ent and ent < close then
    error(("refused at line %d: the DOCTYPE declares entities, which are not expanded")
          :format(line_of(body, ent)), 0)
  end
  return body:find(">", close, true) + 1
end

-- The name of the first element, skipping the XML declaration, comments
-- and a DOCTYPE; nil and a reason when the body is not XML at all.
local function root_name(body)
  local pos = 1
  while true do
    local lt = body:find("<", pos, true)
    if not lt then return nil, pos == 1 and "no XML markup" or "no root element" end
    if body:find("%S", pos) < lt then return nil, "text before the first element" end
    if body:sub(lt, lt + 3) == "<!--" then
      local e = body:find("-->", lt + 4, true)
      if not e then return nil, "unterminated comment" end
      pos = e + 3
    elseif body:sub(lt, lt + 1) == "<?" then
      local e = body:find("?>", lt + 2, true)
      if not e then return nil, "unterminated processing instruction" end
      pos = e + 2
    elseif body:sub(lt, lt + 1) == "<!" then
      pos = skip_doctype(body, lt)
    else
      return body:match("^<([%a_][%w_:%.%-]*)", lt) or nil, "no root element"
    end
  end
end

local function add_text(node, s)
  local t = node.texts
  t[#t + 1] = s
end

-- Parse the whole body into nested { name, attrs, children, texts,
-- first, last } tables, where body:sub(first, last) is the raw content.
local function parse(body)
  local root, top, stack = nil, nil, {}
  local pos, len = 1, #body
  while pos <= len do
    local lt = body:find("<", pos, true)
    if not lt then break end -- an unclosed element is reported below
    if lt > pos and top then add_text(top, xml_decode(body:sub(pos, lt - 1))) end
    local c = body:sub(lt + 1, lt + 1)
    if c == "!" then
      if body:sub(lt, lt + 8) == "<![CDATA[" then
        local e = body:find("]]>", lt + 9, true)
        if not e then
          fail(body, len + 1, ("CDATA section opened at line %d not finished (truncated document?)")
                              :format(line_of(body, lt)))
        end
        if top then add_text(top, body:sub(lt + 9, e - 1)) end
        pos = e + 3
      elseif body:sub(lt, lt + 3) == "<!--" then
        local e = body:find("-->", lt + 4, true)
        if not e then fail(body, lt, "comment not finished") end
        pos = e + 3
      elseif body:sub(lt, lt + 8) == "<!DOCTYPE" and not root then
        pos = skip_doctype(body, lt)
      else
        fail(body, lt, "unexpected markup declaration")
      end
    elseif c == "?" then
      local e = body:find("?>", lt + 2, true)
      if not e then fail(body, lt, "processing instruction not finished") end
      pos = e + 2
    elseif c == "/" then
      local _, e, name = body:find("^</([%a_][%w_:%.%-]*)%s*>", lt)
      if not name then fail(body, lt, "malformed end tag") end
      if not top or top.name ~= name then
        fail(body, lt, ("</%s> where </%s> was expected"):format(name, top and top.name or "?"))
      end
      top.last = lt - 1
      stack[#stack] = nil
      top = stack[#stack]
      pos = e + 1
    else
      local _, e, name = body:find("^<([%a_][%w_:%.%-]*)", lt)
      if not name then fail(body, lt, "malformed start tag") end
      local attrs, p = {}, e + 1
      while true do
        local _, ae, an, q = body:find("^%s+([%a_][%w_:%.%-]*)%s*=%s*([\"'])", p)
        if not an then break end
        local ve = body:find(q, ae + 1, true)
        if not ve then fail(body, lt, "attribute value not finished in <" .. name .. ">") end
        attrs[an] = xml_decode(body:sub(ae + 1, ve - 1))
        p = ve + 1
      end
      local _, te, slash = body:find("^%s*(/?)>", p)
      if not te then fail(body, lt, "malformed start tag <" .. name .. ">") end
      local node = { name = name, attrs = attrs, children = {}, texts = {},
                     first = te + 1, last = te }
      if top then
        top.children[#top.children + 1] = node
      elseif root then
        fail(body, lt, "a second root element <" .. name .. ">")
      else
        root = node
      end
      if slash == "" then
        stack[#stack + 1] = node
        top = node
      end
      pos = te + 1
    end
  end
  if top then
    fail(body, len + 1, ("<%s> is not closed (truncated document?)"):format(top.name))
  end
  return root
end

local function local_name(name)
  return name:match(":([^:]*)$") or name
end

local function child(node, name)
  if not node then return nil end
  for _, c in ipairs(node.children) do
    if c.name == name then return c end
  end
  return nil
end

local function children(node, name)
  local out = {}
  if node then
    for _, c in ipairs(node.children) do
      if c.name == name then out[#out + 1] = c end
    end
  end
  return out
end

-- An element's text: its text and CDATA pieces, trimmed.
local function text_of(node)
  if not node then return nil end
  return trim(table.concat(node.texts))
end

-- A content element (description, summary, content): its text, or when it
-- holds markup (Atom type="xhtml", or HTML not escaped) the markup as
-- written, without an xhtml wrapper <div>.
local function content_of(body, node)
  if not node then return nil end
  if #node.children == 0 then return text_of(node) end
  local inner = node
  if #node.children == 1 and local_name(node.children[1].name) == "div" then
    inner = node.children[1]
  end
  return trim(body:sub(inner.first, inner.last))
end

-- Atom text constructs: type="html"/"xhtml" titles become plain text.
local function atom_text(body, node)
  if not node then return nil end
  local kind = node.attrs.type
  if kind == "html" or kind == "xhtml" or #node.children > 0 then
    return vane.text.to_text(content_of(body, node))
  end
  return text_of(node)
end

local function first_date(node, names)
  for _, name in ipairs(names) do
    local d = parse_date(text_of(child(node, name)))
    if d then return d end
  end
  return nil
end

-- Resolve a relative link against the document's URL.
local function absolute(link, base)
  if not link or link == "" then return nil end
  if not base or link:find("^%a[%w+.%-]*:") then return link end
  local scheme, host = base:match("^(%a[%w+.%-]*:)(//[^/?#]*)")
  if not scheme then return link end
  if link:sub(1, 2) == "//" then return scheme .. link end
  if link:sub(1, 1) == "/" then return scheme .. host .. link end
  local dir = base:match("^(.*/)") or (base .. "/")
  if dir == scheme .. "//" then dir = scheme .. host .. "/" end
  return dir .. link
end

local function make_id(guid, link, title, published)
  if guid and guid ~= "" then return guid end
  if link then return link end
  local id = (title or "") .. (published or "")
  return id ~= "" and id or nil
end

------------------------------------------------------------------------
-- RSS 0.9x / 1.0 / 2.0

local function rss_item(body, node, base)
  local categories = {}
  for _, c in ipairs(children(node, "category")) do
    categories[#categories + 1] = { term = text_of(c), domain = c.attrs.domain }
  end
  for _, c in ipairs(children(node, "dc:subject")) do
    categories[#categories + 1] = { term = text_of(c) }
  end
  local title = text_of(child(node, "title"))
  local link = absolute(text_of(child(node, "link")), base)
  local published = first_date(node, { "pubDate", "dc:date" })
  return {
    -- RSS 1.0 names each item by its rdf:about URI
    id = make_id(text_of(child(node, "guid")) or node.attrs["rdf:about"], link, title, published),
    title = title,
    link = link,
    published = published,
    updated = first_date(node, { "atom:updated", "dcterms:modified" }),
    summary = content_of(body, child(node, "description")),
    content = content_of(body, child(node, "content:encoded")),
    categories = categories,
    author = text_of(child(node, "author")) or text_of(child(node, "dc:creator")),
  }
end

local function rss(body, root, base)
  local channel = child(root, "channel")
  local result = {
    title = text_of(child(channel, "title")),
    link = absolute(text_of(child(channel, "link")), base),
    updated = first_date(channel, { "lastBuildDate", "pubDate", "dc:date" }),
    items = {},
  }
  -- RSS 2.0 nests items in the channel; RSS 1.0 puts them beside it.
  for _, parent in ipairs({ channel, root }) do
    for _, node in ipairs(children(parent, "item")) do
      result.items[#result.items + 1] = rss_item(body, node, base)
    end
  end
  return result
end

------------------------------------------------------------------------
-- Atom 1.0 (and 0.3: issued/modified)

-- The page an entry or feed is about: rel="alternate" (the default), not
-- "self", "enclosure" or "related".
local function atom_link(node, p, base)
  for _, l in ipairs(children(node, p .. "link")) do
    local rel = l.attrs.rel
    if (rel == nil or rel == "alternate") and l.attrs.href then
      return absolute(l.attrs.href, base)
    end
  end
  return nil
end

local function atom_entry(body, node, p, base)
  local categories = {}
  for _, c in ipairs(children(node, p .. "category")) do
    categories[#categories + 1] = { term = c.attrs.term, domain = c.attrs.scheme }
  end
  local title = atom_text(body, child(node, p .. "title"))
  local link = atom_link(node, p, base)
  local published = first_date(node, { p .. "published", p .. "issued" })
  return {
    id = make_id(text_of(child(node, p .. "id")), link, title, published),
    title = title,
    link = link,
    published = published,
    updated = first_date(node, { p .. "updated", p .. "modified" }),
    summary = content_of(body, child(node, p .. "summary")),
    content = content_of(body, child(node, p .. "content")),
    categories = categories,
    author = text_of(child(child(node, p .. "author"), p .. "name")),
  }
end

local function atom(body, root, base)
  local p = root.name:match("^(.*:)") or ""
  local result = {
    title = atom_text(body, child(root, p .. "title")),
    link = atom_link(root, p, base),
    updated = first_date(root, { p .. "updated", p .. "modified" }),
    items = {},
  }
  for _, node in ipairs(children(root, p .. "entry")) do
    result.items[#result.items + 1] = atom_entry(body, node, p, base)
  end
  return result
end

------------------------------------------------------------------------

local READERS = { rss = rss, RDF = rss, feed = atom }

return function(body, url)
  if type(body) ~= "string" or not body:find("%S") then
    error("empty body", 0)
  end
  if body:sub(1, 3) == "\239\187\191" then body = body:sub(4) end
  local name, why = root_name(body)
  if not name then error("not a feed: " .. why, 0) end
  local reader = READERS[local_name(name)]
  if not reader then
    error(("not a feed: the root element is <%s>, not <rss>, <feed> or <rdf:RDF>")
          :format(name), 0)
  end
  local ok, bad = utf8.len(body)
  if not ok then
    error(("invalid UTF-8 at line %d (byte %d)"):format(line_of(body, bad), bad), 0)
  end
  return reader(body, parse(body), url)
end

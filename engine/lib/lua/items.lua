-- items.lua — vane.items: turning structured documents into items, for the
-- shipped json_api script and the ready configurations built on it
-- (federal_register, gdelt) — and for anyone's own script.
--
--   vane.items.get(value, path)     → the value at a dotted path ("a.b.1.c";
--                                     "" or "." is the value itself)
--   vane.items.OPTIONS              → the options from_json takes, each with
--                                     what it is (what json_api and the
--                                     configurations built on it declare)
--   vane.items.from_json(body, o)   → a list of items out of a JSON text:
--     o.items     path to the array of records (default: the document itself)
--     o.key       path of the field that identifies a record (required);
--                 a list of paths joins their values with "|"
--     o.fields    paths to keep (default: every top-level field); each is
--                 stored under its last name, or under NAME for "NAME=path"
--     o.ignore    fields left out of the item, so changes to them raise nothing
--     o.title     path of the title (stored as `title`)
--     o.published path of the date (stored as `published`, UTC ISO-8601;
--                 an unparseable date warns and is left out)
--     o.date_order "mdy" or "dmy": how to read a date like 03/04/2024
--     o.zone      the zone of dates written without one ("+08:00",
--                 "America/New_York"; default UTC)
--     o.link      path of the link (stored as `link`)
-- A record without a key is skipped with a warning; a document that is not
-- JSON, too deep, or has no array at o.items is an error.

local items = {}

items.OPTIONS = {
  items = "path to the array of records (default: the document itself)",
  key = "path of the field that identifies a record",
  fields = "paths to keep (default: every top-level field)",
  ignore = "fields left out of the item, so changes to them raise nothing",
  title = "path of the title (stored as title)",
  link = "path of the link (stored as link)",
  published = "path of the date (stored as published)",
  date_order = '"mdy" or "dmy": how to read a date like 03/04/2024',
  zone = "the zone of dates written without one",
}

-- Library functions held in locals: in the sandbox `string`, `math` and
-- `vane` are read-only proxies, and a lookup through one is a C call. A
-- document of 20,000 records makes a few hundred thousand of them.
local gmatch, tointeger, concat, type, tostring, tonumber =
  string.gmatch, math.tointeger, table.concat, type, tostring, tonumber

-- A path's parts, split once per distinct path (from_json asks for the
-- same few paths of every record); at most MAX_CACHED are kept.
local MAX_CACHED, cached, parts_of = 256, 0, {}
local function split_path(path)
  local parts = parts_of[path]
  if parts then return parts end
  parts = {}
  for part in gmatch(tostring(path), "[^%.]+") do
    parts[#parts + 1] = tointeger(tonumber(part)) or part
  end
  if cached < MAX_CACHED then
    cached = cached + 1
    parts_of[path] = parts
  end
  return parts
end

local null
local function get(value, path)
  if path == nil or path == "" or path == "." then return value end
  local parts = split_path(path)
  for i = 1, #parts do
    if type(value) ~= "table" then return nil end
    value = value[parts[i]]
  end
  null = null or vane.json.null
  if value == null then return nil end
  return value
end
items.get = get

local function as_list(v)
  if v == nil then return nil end
  if type(v) == "table" then return v end
  return { v }
end

-- A key's text, exact: tostring writes floats with 14 digits, so two ids of
-- 10^14 and more would share one key. An integer in full; an integral float
-- in full with ".0" (as tostring writes the small ones, so keys stored
-- before stay the same); another number in the shortest form that reads
-- back. (vane.json.decode gives integers beyond 2^53 as strings already.)
local function key_text(v)
  if type(v) == "string" or math.type(v) == "integer" then return tostring(v) end
  if v == math.floor(v) and math.abs(v) < 2^63 then return ("%d.0"):format(v) end
  local s = tostring(v)
  if tonumber(s) == v then return s end
  return ("%.17g"):format(v)
end

local function key_of(rec, key_paths)
  if #key_paths == 1 then
    local v = get(rec, key_paths[1])
    if type(v) ~= "string" and type(v) ~= "number" then return nil end
    local key = key_text(v)
    return key ~= "" and key or nil
  end
  local parts = {}
  for i, path in ipairs(key_paths) do
    local v = get(rec, path)
    if type(v) ~= "string" and type(v) ~= "number" then return nil end
    parts[i] = key_text(v)
  end
  local key = concat(parts, "|")
  return key ~= "" and key or nil
end

-- What from_json does with every record, worked out once per document:
-- the fields to copy as { name, path } pairs (nil: every top-level field),
-- the fields to drop, and the date parser's options.
local function plan_of(o)
  local plan = { ignore = as_list(o.ignore) or {},
                 date = { order = o.date_order, zone = o.zone } }
  if o.fields then
    plan.fields = {}
    for i, spec in ipairs(o.fields) do
      local name, path = tostring(spec):match("^([%w_]+)=(.+)$")
      path = path or spec
      name = name or tostring(path):match("([^%.]+)$")
      plan.fields[i] = { name, path }
    end
  end
  return plan
end

local function copy_fields(rec, plan)
  local item = {}
  local fields = plan.fields
  if fields then
    for i = 1, #fields do
      local f = fields[i]
      item[f[1]] = get(rec, f[2])
    end
  else
    null = null or vane.json.null
    for k, v in pairs(rec) do
      if type(k) == "string" and v ~= null then item[k] = v end
    end
  end
  local ignore = plan.ignore
  for i = 1, #ignore do item[ignore[i]] = nil end
  return item
end

-- title, link and published named by the options; i is the record's
-- number, for a warning.
local function add_common(item, rec, o, plan, i)
  if o.title then item.title = get(rec, o.title) end
  if o.link then item.link = get(rec, o.link) end
  if o.published then
    local raw = get(rec, o.published)
    item.published = nil
    if raw ~= nil then
      plan.parse = plan.parse or vane.time.parse
      local t, why = plan.parse(tostring(raw), plan.date)
      if t then
        item.published = t
      else
        vane.warn(("record %d: unparseable date '%s' in %s (%s)"):format(i, tostring(raw),
                                                                          o.published, why))
      end
    end
  end
end

function items.from_json(body, o)
  o = o or {}
  local key_paths = as_list(o.key)
  if not key_paths or #key_paths == 0 then
    error("options.key is required: the field that identifies a record", 0)
  end
  local doc, err = vane.json.decode(body)
  if doc == nil then error("not JSON: " .. tostring(err), 0) end
  local list = get(doc, o.items)
  if type(list) ~= "table" then
    error(("no array at '%s' in the document"):format(o.items or "."), 0)
  end
  if #list == 0 then
    vane.warn(("the array at items = '%s' is empty"):format(o.items or "."))
  end
  local out, skipped, plan = {}, 0, plan_of(o)
  for i, rec in ipairs(list) do
    local key = type(rec) == "table" and key_of(rec, key_paths)
    if key then
      local item = copy_fields(rec, plan)
      add_common(item, rec, o, plan, i)
      item.key = key
      out[#out + 1] = item
    else
      skipped = skipped + 1
    end
  end
  if skipped > 0 then
    vane.warn(("%d of %d records have no '%s' and were skipped"):format(
      skipped, #list, table.concat(key_paths, "|")))
  end
  return out
end

-- Options over defaults: a ready configuration's settings, each of which
-- the source's own options may override.
function items.merge(defaults, options)
  local o = {}
  for k, v in pairs(defaults) do o[k] = v end
  for k, v in pairs(options or {}) do o[k] = v end
  return o
end

return items

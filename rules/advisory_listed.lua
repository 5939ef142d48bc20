-- advisory_listed.lua — a travel advisory appeared in or disappeared from
-- the list. Applies to items that carry `level` (1–4): an entry without
-- one, such as the feed's "Worldwide Caution", raises nothing. Not at baseline:
-- the first fetch lists every advisory, and that is state, not news. A
-- disappearance is only seen for sources with `removals = true`.

local function fields(ev)
  if type(ev.item) == "table" then return ev.item end
  if type(ev.prev) == "table" then return ev.prev end
  return {}
end

local function country(ev)
  local f = fields(ev)
  return f.country or ev.key or "?"
end

return {
  id = "advisory-listed",
  title = "Travel advisory added to or removed from the list",
  severity = "medium",
  -- one flag per country listed or unlisted: a feed cut short (or restored)
  -- is every country at once, about 210, and each of them is news
  max_flags = 500,

  when = function(ev)
    if ev.baseline or (ev.change ~= "new" and ev.change ~= "removed") then return false end
    return math.tointeger(tonumber(fields(ev).level)) ~= nil
  end,

  message = function(ev)
    if ev.change == "removed" then
      return ("%s: advisory no longer listed"):format(country(ev))
    end
    local f = fields(ev)
    local msg = ("%s: new advisory, Level %d"):format(country(ev), math.tointeger(tonumber(f.level)))
    if type(f.label) == "string" and f.label ~= "" then
      msg = msg .. (" (%s)"):format(f.label)
    end
    return msg
  end,

  tests = {
    { event = { change = "new", key = "kosovo",
                item = { country = "Kosovo", level = 2, label = "Exercise Increased Caution", notations = { "T" } } },
      expect = { message = "Kosovo: new advisory, Level 2 (Exercise Increased Caution)" } },
    { -- no label known
      event = { change = "new", item = { country = "Bhutan", level = 1 } },
      expect = { message = "Bhutan: new advisory, Level 1" } },
    { event = { change = "removed", item = { country = "Greenland", level = 1, label = "Exercise Normal Precautions" } },
      expect = { message = "Greenland: advisory no longer listed" } },
    { -- removed, known only from prev; the key stands in for the country
      event = { change = "removed", key = "tuvalu", prev = { level = 1 } },
      expect = { message = "tuvalu: advisory no longer listed" } },
    { -- the baseline lists everything
      event = { change = "new", baseline = true, item = { country = "China", level = 3 } },
      expect = { flag = false } },
    { -- a level change is advisory-level-change's
      event = { change = "changed", item = { country = "China", level = 2 },
                diff = { level = { old = 3, new = 2 } } },
      expect = { flag = false } },
    { -- an entry without a level ("Worldwide Caution") is not listed as an advisory
      event = { change = "new", item = { country = "Worldwide Caution", label = "" } },
      expect = { flag = false } },
    { -- a news item is not an advisory
      event = { change = "new", item = { title = "Statement on the Release of Three U.S. Citizens" } },
      expect = { flag = false } },
  },
}

-- advisory_notation_change.lua — a travel advisory gained or lost a risk
-- indicator letter; one flag per letter. Applies to every source whose
-- items carry `notations` (an array of letters, compared as a set).

-- What each letter means, as the State Department defines them: the one
-- list is vane.advisory.MEANINGS (engine/lib/lua/advisory.lua), which the
-- advisory scripts also use to recognise the letters.
local MEANINGS = vane.advisory.MEANINGS

-- A set of letters from an array {"D","O"}, a set {D=true} or a string
-- "DO"; nil (the field missing) reads as no letters.
local function set_of(v)
  local set = {}
  if type(v) == "string" then
    for letter in v:gmatch("%u") do set[letter] = true end
  elseif type(v) == "table" then
    for k, x in pairs(v) do
      if type(x) == "string" then set[x] = true
      elseif x == true and type(k) == "string" then set[k] = true end
    end
  end
  return set
end

local function sorted_missing(a, b)
  local out = {}
  for letter in pairs(a) do
    if not b[letter] then out[#out + 1] = letter end
  end
  table.sort(out)
  return out
end

-- Letters removed and added by this event. The diff is preferred; prev
-- and item cover events that carry no diff.
local function changes(ev)
  local d = type(ev.diff) == "table" and ev.diff.notations or nil
  local old, new
  if type(d) == "table" then old, new = d.old, d.new end
  if old == nil and type(ev.prev) == "table" then old = ev.prev.notations end
  if new == nil and type(ev.item) == "table" then new = ev.item.notations end
  old, new = set_of(old), set_of(new)
  return sorted_missing(old, new), sorted_missing(new, old)
end

local function country(ev)
  local item = type(ev.item) == "table" and ev.item or {}
  local prev = type(ev.prev) == "table" and ev.prev or {}
  return item.country or prev.country or ev.key or "?"
end

local function describe(letter)
  local meaning = MEANINGS[letter]
  return meaning and ("%s (%s)"):format(letter, meaning) or letter
end

return {
  id = "advisory-notation-change",
  title = "Travel advisory risk indicator added or removed",
  severity = "high",

  when = function(ev)
    if ev.change ~= "changed" then return false end
    local removed, added = changes(ev)
    return #removed + #added > 0
  end,

  message = function(ev)
    local name = country(ev)
    local removed, added = changes(ev)
    local out = {}
    for _, letter in ipairs(removed) do
      out[#out + 1] = ("%s: %s removed"):format(name, describe(letter))
    end
    for _, letter in ipairs(added) do
      out[#out + 1] = ("%s: %s added"):format(name, describe(letter))
    end
    return #out == 1 and out[1] or out
  end,

  tests = {
    { -- D dropped, O kept: one flag, for D only
      event = { change = "changed", item = { country = "China", notations = { "O" } },
                prev = { country = "China", notations = { "D", "O" } },
                diff = { notations = { old = { "D", "O" }, new = { "O" } } } },
      expect = { flag = true, message = "China: D (wrongful detention) removed" } },
    { -- a letter added
      event = { change = "changed", item = { country = "Equatorial Guinea" },
                diff = { notations = { old = { "C", "H" }, new = { "C", "H", "O" } } } },
      expect = { flag = true, message = "Equatorial Guinea: O (other) added" } },
    { -- from none to one, without a diff
      event = { change = "changed",
                item = { country = "Sao Tome and Principe", notations = { "H" } },
                prev = { country = "Sao Tome and Principe", notations = {} } },
      expect = { flag = true, message = "Sao Tome and Principe: H (health) added" } },
    { -- several letters at once: one flag each
      event = { change = "changed", item = { country = "Kenya" },
                diff = { notations = { old = { "C", "D", "T" }, new = { "C", "K", "U" } } } },
      expect = { flag = true, messages = {
        "Kenya: D (wrongful detention) removed",
        "Kenya: T (terrorism) removed",
        "Kenya: K (kidnapping or hostage-taking) added",
        "Kenya: U (civil unrest) added",
      } } },
    { -- same set in another order
      event = { change = "changed", item = { country = "Russia", notations = { "D", "O", "T", "U" } },
                prev = { country = "Russia", notations = { "U", "O", "D", "T" } },
                diff = { summary = { old = "a", new = "b" } } },
      expect = { flag = false } },
    { -- nothing changed
      event = { change = "changed", item = { country = "Nepal" }, diff = {} },
      expect = { flag = false } },
    { -- a new advisory with indicators is not a change of indicators
      event = { change = "new", item = { country = "Kosovo", level = 2, notations = { "T" } } },
      expect = { flag = false } },
    { -- nor is a removed one
      event = { change = "removed", prev = { country = "Greenland", notations = { "C" } } },
      expect = { flag = false } },
  },
}

-- advisory_notation_change.lua — a travel advisory gained or lost a risk
-- indicator letter; one flag per letter. Applies to every source whose
-- items carry `notations` (an array of letters, compared as a set, read
-- from indicator markup where a source has it) or `indicators_added` /
-- `indicators_removed` (the letters the advisory's change note says were
-- added or removed: the real State Department feed tells indicator changes
-- only there).
--
-- A letter is flagged when the notation set gains or loses it, or when a
-- changed advisory's note names it and the previous note did not: a note
-- seen again on a republished advisory flags nothing, and a note and a
-- notation diff that say the same thing flag it once.

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

-- Old and new value of one field: from the diff when the event has one,
-- else from the previous and current item.
local function values(ev, name)
  local d = type(ev.diff) == "table" and ev.diff[name] or nil
  local old, new
  if type(d) == "table" then old, new = d.old, d.new end
  if old == nil and type(ev.prev) == "table" then old = ev.prev[name] end
  if new == nil and type(ev.item) == "table" then new = ev.item[name] end
  return old, new
end

local function union(a, b)
  local set, out = {}, {}
  for _, list in ipairs({ a, b }) do
    for _, letter in ipairs(list) do
      if not set[letter] then set[letter] = true; out[#out + 1] = letter end
    end
  end
  table.sort(out)
  return out
end

-- Letters a change note names now and its previous reading did not. No
-- previous reading at all (an item stored before vane read notes) is not a
-- new note: it would flag every note at once on upgrade.
local function newly_said(ev, name)
  local old, new = values(ev, name)
  if old == nil then return {} end
  return sorted_missing(set_of(new), set_of(old))
end

-- Letters removed and added by this event: the notation diff's, and those
-- the change note newly says.
local function changes(ev)
  local old, new = values(ev, "notations")
  old, new = set_of(old), set_of(new)
  local removed, added = sorted_missing(old, new), sorted_missing(new, old)
  added = union(added, newly_said(ev, "indicators_added"))
  removed = union(removed, newly_said(ev, "indicators_removed"))
  return removed, added
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
    { -- the real feed: a new change note says a letter was added
      event = { change = "changed", item = { country = "Iraq", indicators_added = { "C" } },
                prev = { country = "Iraq", indicators_added = {} },
                diff = { indicators_added = { old = {}, new = { "C" } }, summary = { old = "a", new = "b" } } },
      expect = { flag = true, message = "Iraq: C (crime) added" } },
    { -- a note removing a letter, known from prev and item only
      event = { change = "changed", item = { country = "Vanuatu", indicators_removed = { "N" } },
                prev = { country = "Vanuatu", indicators_removed = {} } },
      expect = { flag = true, message = "Vanuatu: N (natural disaster) removed" } },
    { -- the first reading of a note (an item stored before notes were read)
      event = { change = "changed", item = { country = "Haiti", indicators_added = { "T" } },
                prev = { country = "Haiti" },
                diff = { indicators_added = { new = { "T" } } } },
      expect = { flag = false } },
    { -- the same note on a republished advisory: nothing new
      event = { change = "changed", item = { country = "Iraq", indicators_added = { "C" } },
                prev = { country = "Iraq", indicators_added = { "C" } },
                diff = { summary = { old = "a", new = "b" } } },
      expect = { flag = false } },
    { -- a note and the markup saying the same thing: one flag
      event = { change = "changed", item = { country = "Mexico", notations = { "C", "K", "T" },
                                             indicators_added = { "T" } },
                prev = { country = "Mexico", notations = { "C", "K" }, indicators_added = {} },
                diff = { notations = { old = { "C", "K" }, new = { "C", "K", "T" } },
                         indicators_added = { old = {}, new = { "T" } } } },
      expect = { flag = true, message = "Mexico: T (terrorism) added" } },
    { -- a new note naming a letter the old note already named, and another
      event = { change = "changed", item = { country = "Cameroon", indicators_added = { "H", "U" } },
                prev = { country = "Cameroon", indicators_added = { "H" } } },
      expect = { flag = true, message = "Cameroon: U (civil unrest) added" } },
    { -- a new advisory with indicators is not a change of indicators
      event = { change = "new", item = { country = "Kosovo", level = 2, notations = { "T" },
                                         indicators_added = { "T" } } },
      expect = { flag = false } },
    { -- nor is a removed one
      event = { change = "removed", prev = { country = "Greenland", notations = { "C" } } },
      expect = { flag = false } },
  },
}

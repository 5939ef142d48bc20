-- advisory_level_change.lua — a travel advisory's level went up or down.
-- Applies to every source whose items carry `level` (1–4), with `country`
-- and `label` when the source has them. An item without a level (the
-- feed's "Worldwide Caution") on either side raises nothing.

-- Old and new value of one field: from the diff when the event has one,
-- else from the previous and current item. Tolerates missing parts, since
-- a rule may be handed a partial event (tests, replays of old history).
local function values(ev, name)
  local d = type(ev.diff) == "table" and ev.diff[name] or nil
  local old, new
  if type(d) == "table" then old, new = d.old, d.new end
  if old == nil and type(ev.prev) == "table" then old = ev.prev[name] end
  if new == nil and type(ev.item) == "table" then new = ev.item[name] end
  return old, new
end

local function levels(ev)
  local old, new = values(ev, "level")
  return math.tointeger(tonumber(old)), math.tointeger(tonumber(new))
end

local function country(ev)
  local old, new = values(ev, "country")
  return new or old or ev.key or "?"
end

return {
  id = "advisory-level-change",
  title = "Travel advisory level changed",
  severity = "high",

  when = function(ev)
    if ev.change ~= "changed" then return false end
    local old, new = levels(ev)
    return old ~= nil and new ~= nil and old ~= new
  end,

  message = function(ev)
    local old, new = levels(ev)
    local msg = ("%s: Level %d → Level %d"):format(country(ev), old, new)
    local old_label, new_label = values(ev, "label")
    if old_label and new_label then
      msg = msg .. (" (%s → %s)"):format(old_label, new_label)
    end
    return msg
  end,

  tests = {
    { -- raised, labels from the previous and current item
      event = { change = "changed", key = "madagascar",
                item = { country = "Madagascar", level = 3, label = "Reconsider Travel" },
                prev = { country = "Madagascar", level = 2, label = "Exercise Increased Caution" },
                diff = { level = { old = 2, new = 3 },
                         label = { old = "Exercise Increased Caution", new = "Reconsider Travel" } } },
      expect = { flag = true,
                 message = "Madagascar: Level 2 → Level 3 (Exercise Increased Caution → Reconsider Travel)" } },
    { -- lowered, labels from the diff only
      event = { change = "changed", item = { country = "China", level = 2 },
                diff = { level = { old = 3, new = 2 },
                         label = { old = "Reconsider Travel", new = "Exercise Increased Caution" } } },
      expect = { flag = true,
                 message = "China: Level 3 → Level 2 (Reconsider Travel → Exercise Increased Caution)" } },
    { -- labels unknown: no parenthesis; country falls back to the key
      event = { change = "changed", key = "sao-tome", diff = { level = { old = 1, new = 2 } } },
      expect = { flag = true, message = "sao-tome: Level 1 → Level 2" } },
    { -- only the summary changed
      event = { change = "changed", item = { country = "Venezuela", level = 4 },
                prev = { country = "Venezuela", level = 4 },
                diff = { summary = { old = "a", new = "b" } } },
      expect = { flag = false } },
    { -- a new advisory is not a level change
      event = { change = "new", item = { country = "Kosovo", level = 2 } },
      expect = { flag = false } },
    { -- nor is a removed one
      event = { change = "removed", prev = { country = "Greenland", level = 1 } },
      expect = { flag = false } },
    { -- nothing to go on
      event = { change = "changed" },
      expect = { flag = false } },
    { -- an advisory without a level ("Worldwide Caution") edited
      event = { change = "changed", item = { country = "Worldwide Caution" },
                prev = { country = "Worldwide Caution" },
                diff = { summary = { old = "a", new = "b" } } },
      expect = { flag = false } },
    { -- a level that went missing is not a level change
      event = { change = "changed", item = { country = "Haiti" },
                prev = { country = "Haiti", level = 4 },
                diff = { level = { old = 4 } } },
      expect = { flag = false } },
  },
}

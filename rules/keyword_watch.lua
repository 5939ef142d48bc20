-- keyword_watch.lua — the watch lists of the configuration:
--
--   watch { id = "fentanyl", terms = { "fentanyl", "芬太尼", "re:nitazenes?" },
--           sources = { "press" },            -- default: every source
--           fields = { "title", "summary" },  -- the default
--           severity = "medium",              -- the default
--           changes = { "new" } }             -- the default; "changed" too
--
-- One flag per watch per item, "fentanyl: <title>", with the watch's
-- severity. Terms match as phrase-list entries do (vane.phrase.find). On a
-- `changed` event (for watches that ask for it) a watched field must have
-- changed and now contain a term that its old value did not.
-- Inline tests give their own watch list as ev.watches.

local phrase = vane.phrase

local function has(list, value)
  if list == nil then return true end
  for _, v in ipairs(list) do
    if v == value then return true end
  end
  return false
end

-- A field's text: a string, or a list of strings (categories) joined.
local function text_of(v)
  if type(v) == "string" then return v end
  if type(v) ~= "table" then return nil end
  local parts = {}
  for _, x in ipairs(v) do
    if type(x) == "string" then parts[#parts + 1] = x end
  end
  return #parts > 0 and table.concat(parts, "\n") or nil
end

local function hit_new(w, item)
  for _, f in ipairs(w.fields or { "title", "summary" }) do
    if phrase.find(text_of(item[f]), w.terms) then return true end
  end
  return false
end

local function hit_changed(w, diff)
  if type(diff) ~= "table" then return false end
  for _, f in ipairs(w.fields or { "title", "summary" }) do
    local d = diff[f]
    if type(d) == "table" and phrase.find(text_of(d.new), w.terms)
       and not phrase.find(text_of(d.old), w.terms) then
      return true
    end
  end
  return false
end

local function flags(ev)
  local out = {}
  local item = ev.item
  if ev.baseline or type(item) ~= "table" then return out end
  for _, w in ipairs(ev.watches or vane.watches or {}) do
    if has(w.changes or { "new" }, ev.change) and has(w.sources, ev.source) then
      local hit
      if ev.change == "new" then hit = hit_new(w, item)
      elseif ev.change == "changed" then hit = hit_changed(w, ev.diff) end
      if hit then
        local title = text_of(item.title) or tostring(ev.key or "?")
        out[#out + 1] = { message = w.id .. ": " .. phrase.tidy(title), severity = w.severity or "medium" }
      end
    end
  end
  return out
end

local FENTANYL = { id = "fentanyl", terms = { "fentanyl", "芬太尼", "nitazene" } }
local PRESS_ONLY = { id = "visas", terms = { " visa " }, sources = { "press" }, severity = "high" }
local EDITS = { id = "precursors", terms = { "precursor" }, changes = { "new", "changed" }, severity = "low" }

return {
  id = "keyword-watch",
  title = "A watched term in a new item",
  severity = "medium",

  when = function(ev)
    return #flags(ev) > 0
  end,

  message = flags,

  tests = {
    { event = { change = "new", source = "fr", watches = { FENTANYL },
                item = { title = "Schedules of Controlled Substances: Temporary Placement of Two Nitazene Analogues in Schedule I" } },
      expect = { message = "fentanyl: Schedules of Controlled Substances: Temporary Placement of Two Nitazene Analogues in Schedule I",
                 severity = "medium" } },
    { -- found in the summary; the message quotes the title
      event = { change = "new", source = "press", watches = { FENTANYL },
                item = { title = "Fact Sheet: Countering Synthetic Drug Trafficking",
                         summary = "Illicit fentanyl remains the leading cause of overdose deaths." } },
      expect = { message = "fentanyl: Fact Sheet: Countering Synthetic Drug Trafficking" } },
    { event = { change = "new", source = "mfa", watches = { FENTANYL },
                item = { title = "外交部发言人就美方芬太尼问题答记者问" } },
      expect = { flag = true } },
    { -- two watches, two flags, each with its severity
      event = { change = "new", source = "press", watches = { FENTANYL, PRESS_ONLY },
                item = { title = "Visa Restrictions on Fentanyl Traffickers" } },
      expect = { messages = { "fentanyl: Visa Restrictions on Fentanyl Traffickers",
                              "visas: Visa Restrictions on Fentanyl Traffickers" } } },
    { event = { change = "new", source = "press", watches = { PRESS_ONLY },
                item = { title = "Visa Restrictions on Officials" } },
      expect = { message = "visas: Visa Restrictions on Officials", severity = "high" } },
    { -- a watch limited to other sources
      event = { change = "new", source = "gdelt", watches = { PRESS_ONLY },
                item = { title = "Visa Restrictions on Officials" } },
      expect = { flag = false } },
    { -- changes are looked at only by watches that ask, and only a term newly there
      event = { change = "changed", source = "press", watches = { FENTANYL, EDITS },
                item = { title = "Precursor chemicals and fentanyl" },
                diff = { title = { old = "Chemicals and fentanyl", new = "Precursor chemicals and fentanyl" } } },
      expect = { message = "precursors: Precursor chemicals and fentanyl", severity = "low" } },
    { event = { change = "changed", source = "press", watches = { EDITS },
                item = { title = "Precursor chemicals, revised" },
                diff = { title = { old = "Precursor chemicals", new = "Precursor chemicals, revised" } } },
      expect = { flag = false } },
    { -- no term anywhere
      event = { change = "new", source = "press", watches = { FENTANYL },
                item = { title = "Announcement of Additional Humanitarian Assistance for Ukraine" } },
      expect = { flag = false } },
    { -- a removed item is not watched
      event = { change = "removed", source = "press", watches = { FENTANYL, EDITS },
                item = { title = "Fentanyl precursor controls" } },
      expect = { flag = false } },
    { -- no watch configured
      event = { change = "new", source = "press", watches = {}, item = { title = "Fentanyl" } },
      expect = { flag = false } },
  },
}

-- entry_refusal.lua — a student, scholar, writer or other traveller
-- questioned, searched, refused entry, turned back or deported at an
-- airport, border or port of entry.
--
-- Decides on the title of new news items only. Never when the title is
-- about illegal entry or a suspect (vane.phrases.entry_exclusions: that is
-- a removal or a repatriation). Fires on
--   entry refused: an entry word (entry, admission, 入境) governed by a
--     refusal (denied, refused, barred, 拒绝: entry_refusals) — "denied US
--     entry" — or a phrase strong on its own (entry_strong);
--   an act (questioned, deported, detained, scrutiny, rejection …:
--     entry_acts, entry_border_acts) with a place of entry (airport,
--     border, CBP, a US airport city, 入境, 机场: entry_places) and a
--     scholar or traveller (entry_scholars, entry_travellers);
--   a border act and a scholar ("盘查中国留学生");
--   a hold and a sending back (entry_holds, entry_sends: "questioned for
--     hours, then sent back") with a scholar or traveller.
-- A student deported after a campus arrest names no place of entry and no
-- questioning, and is not flagged.

local phrase = vane.phrase
local P = vane.phrases
local REFUSED = { before = P.entry_refusals }

local function person(title)
  return phrase.find(title, P.entry_scholars) ~= nil or phrase.find(title, P.entry_travellers) ~= nil
end

local function is_entry_refusal(title)
  local find = phrase.find
  if find(title, P.entry_exclusions) then return false end
  if find(title, P.entry_strong) then return true end
  if phrase.find_near(title, P.entry_words, REFUSED) then return true end
  local border = find(title, P.entry_border_acts) ~= nil
  if border and find(title, P.entry_scholars) then return true end
  if (border or find(title, P.entry_acts)) and find(title, P.entry_places) and person(title) then
    return true
  end
  return find(title, P.entry_holds) ~= nil and find(title, P.entry_sends) ~= nil and person(title)
end

return {
  id = "entry-refusal",
  title = "Student or scholar questioned, refused entry or sent back at a port of entry",
  severity = "medium",

  when = function(ev)
    local title = phrase.news_title(ev)
    return title ~= nil and is_entry_refusal(title)
  end,

  message = function(ev)
    return "Entry refusal: " .. phrase.tidy(ev.item.title)
  end,

  tests = {
    -- refused in other words, Traditional script, held then sent back
    { event = { change = "new", item = { title = "Travelers denied US entry after phone searches" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "中國留學生入境遭盤查後遣返" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "Scholar questioned for hours, then sent back" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "Researcher deported from Houston airport" } }, expect = { flag = true } },
    -- a suspect sent home, a treaty's entry into force, visa policy
    { event = { change = "new", item = { title = "Fraud suspect deported from Houston" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Convention's Entry into Force" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "New visa rules for students announced" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "外交部发言人就中国公民王喆入境美国时被盘查遣返答记者问（2024-11-29）" } },
      expect = { message = "Entry refusal: 外交部发言人就中国公民王喆入境美国时被盘查遣返答记者问（2024-11-29）" } },
    { event = { change = "new", item = { title = "Chinese graduate student sent home after questioning at Los Angeles airport" } },
      expect = { message = "Entry refusal: Chinese graduate student sent home after questioning at Los Angeles airport" } },
    { event = { change = "new", item = { title = "Chinese students questioned for hours at US airports , group says" } },
      expect = { flag = true } },
    { -- another country, another traveller
      event = { change = "new", item = { title = "Indian researcher denied entry at Frankfurt, put on next flight home" } },
      expect = { flag = true } },
    { event = { change = "new", item = { title = "Iranian scholar's visa revoked on arrival at Boston Logan" } },
      expect = { flag = true } },
    { event = { change = "new", item = { title = "一名中国访问学者在旧金山机场遭长时间审讯后被遣返" } },
      expect = { flag = true } },
    { -- a fugitive repatriated is not turned away at a border
      event = { change = "new", item = { title = "Foreign Ministry Spokesperson’s Remarks on the Repatriation of a Fugitive Suspect from the United States" } },
      expect = { flag = false } },
    { event = { change = "new", item = { title = "Fugitive wanted for fraud returned to China from US , ministry says" } },
      expect = { flag = false } },
    { -- the baseline's MFA item on students questioned
      event = { change = "new", item = { title = "外交部发言人就美方无理盘查中国留学生答记者问（2024-11-18）" } },
      expect = { flag = true } },
    { -- deported, but not at a border
      event = { change = "new", item = { title = "Students deported after campus protests, rights group says" } },
      expect = { flag = false } },
    { -- illegal entrants removed: removal-flight's
      event = { change = "new", item = { title = "中美合作遣返非法入境人员" } },
      expect = { flag = false } },
    { event = { change = "new", item = { title = "DHS Announces New Screening Technology Funding for Land Ports of Entry" } },
      expect = { flag = false } },
    { event = { change = "new", item = { title = "US , China swap detained citizens in rare deal" } },
      expect = { flag = false } },
  },
}

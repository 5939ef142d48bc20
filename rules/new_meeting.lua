-- new_meeting.lua — a new item announces that a named standing body or
-- recurring mechanism meets, met or issues a statement of its meeting.
--
-- Decides on the title of new news items only: bodies mention working
-- groups in passing (a fact sheet on drug policy is not a meeting). Not
-- when the title has a meeting_not phrase (a congressional committee, a
-- charter, a report, a meeting on the margins, a commission's officer).
-- Otherwise it counts with (vane.phrases):
--   a grouping and one of its events (G7 … summit, ASEAN … meeting);
--   a mechanism and a meeting sign (working group … meeting, task force
--     … readout, commission … session);
--   a named dialogue: a dialogue word with a qualifier just before it
--     ("U.S.-Thailand Strategic Dialogue", 中日 … 磋商), or with a sign;
--   an ordinal meeting ("Ninth Session of …").
-- Talks with no named mechanism and press conferences do not count.
--
-- The message names the meeting: the title from its first ordinal or
-- qualifier (meeting_starts) on, else without the lead-in and tail
-- (title_lead_ins, title_tail_outs) and without a trailing date.

local phrase = vane.phrase
local P = vane.phrases
local QUALIFIED = { before = P.meeting_dialogue_qualifiers }
local ORDINAL = { before = P.meeting_ordinals }

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- A meeting sign other than the dialogue word itself (磋商 is both).
local function other_sign(t, dialogue)
  for _, s in ipairs(phrase.find_all(t, P.meeting_signs)) do
    if s ~= dialogue then return true end
  end
  return false
end

local function is_meeting(t)
  local find, near = phrase.find, phrase.find_near
  if find(t, P.meeting_not) then return false end
  if find(t, P.meeting_groupings) and find(t, P.meeting_grouping_events) then return true end
  if find(t, P.meeting_mechanisms) and find(t, P.meeting_signs) then return true end
  if near(t, P.meeting_dialogues, QUALIFIED) then return true end
  local dialogue = find(t, P.meeting_dialogues)
  if dialogue and other_sign(t, dialogue) then return true end
  return near(t, P.meeting_ordinal_nouns, ORDINAL) ~= nil
end

-- First position of a whole word `w` in `low`, or nil.
local function word_at(low, w)
  local init = 1
  while true do
    local s, e = low:find(w, init, true)
    if not s then return nil end
    local before, after = low:sub(s - 1, s - 1), low:sub(e + 1, e + 1)
    if (s == 1 or not before:find("^%w")) and not after:find("^%w") then return s end
    init = s + 1
  end
end

-- Where the first meeting word of the title starts (in `low`), or nil.
local function meeting_word_at(low)
  local first
  for _, k in ipairs(P.meeting_kinds) do
    local w = trim(k:lower())
    if w ~= "" then
      local s = low:find(w, 1, true)
      if s and (not first or s < first) then first = s end
    end
  end
  return first
end

local function strip_ends(t)
  local low = t:lower()
  for _, lead in ipairs(P.title_lead_ins) do
    local l = lead:lower()
    if low:sub(1, #l) == l then
      t, low = t:sub(#l + 1), low:sub(#l + 1)
      break
    end
  end
  for _, tail in ipairs(P.title_tail_outs) do
    if #t > #tail and t:sub(-#tail) == tail then
      t = t:sub(1, -#tail - 1)
      break
    end
  end
  return trim(t)
end

local function meeting_name(title)
  local t = phrase.tidy(title)
  t = t:gsub("%s*（%d+%-%d+%-%d+）$", ""):gsub("%s*%(%d+%-%d+%-%d+%)$", "")
  local low = t:lower()
  local limit = meeting_word_at(low) or #low + 1
  local start
  for _, w in ipairs(P.meeting_starts) do
    local s = word_at(low, w:lower())
    if s and s < limit and (not start or s < start) then start = s end
  end
  if start then
    t = t:sub(start)
  else
    t = strip_ends(t)
  end
  return (t:gsub("^%l", string.upper))
end

return {
  id = "new-meeting",
  title = "New meeting of a named working group or mechanism",
  severity = "medium",

  when = function(ev)
    local title = phrase.news_title(ev)
    return title ~= nil and is_meeting(title)
  end,

  message = function(ev)
    return "New meeting: " .. meeting_name(ev.item.title)
  end,

  tests = {
    -- a named dialogue without an ordinal; a grouping's summit; a council's readout
    { event = { change = "new", item = { title = "U.S.-Honduras Strategic Dialogue" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "Joint Statement on the Fifth U.S.-Kenya Bilateral Strategic Dialogue" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "Remarks at the NATO Leaders Summit in Vilnius" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "Readout of the Quarterly Meeting of the Homeland Security Advisory Council" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "第三轮中欧高级别经贸对话在京举行" } }, expect = { flag = true } },
    -- a commission's officer, a congressional committee, a charter, a talk about dialogue
    { event = { change = "new", item = { title = "Secretary's Call with European Commission President" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Testimony Before the Senate Committee on Foreign Relations" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Renewal of the Charter of the Advisory Committee on Historical Diplomatic Documentation" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Ministers Urge Renewed Dialogue on Trade" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Commissioner Meets Local Business Leaders" } }, expect = { flag = false } },
    { -- the State Department's readout (typo and curly quote as published)
      event = { change = "new", item = {
        title = "Readout of the Second Senior Officals’ Meeting of the U.S.-China Counternarcotics Working Group" } },
      expect = { message = "New meeting: Second Senior Officals' Meeting of the U.S.-China Counternarcotics Working Group" } },
    { -- the MFA's remarks on the same meeting, in English
      event = { change = "new", item = {
        title = "Foreign Ministry Spokesperson’s Remarks on the Second Senior Officials’ Meeting of the China-U.S. Counternarcotics Working Group" } },
      expect = { message = "New meeting: Second Senior Officials' Meeting of the China-U.S. Counternarcotics Working Group" } },
    { -- and in Chinese, with the date in full-width parentheses
      event = { change = "new", item = {
        title = "外交部发言人就中美禁毒合作工作组第二次高官会答记者问（2024-11-23）" } },
      expect = { message = "New meeting: 中美禁毒合作工作组第二次高官会" } },
    { -- another country's mechanism, an ordinal in figures
      event = { change = "new", item = {
        title = "Readout of the 4th Plenary Session of the U.S.-Mexico Security Task Force" } },
      expect = { message = "New meeting: 4th Plenary Session of the U.S.-Mexico Security Task Force" } },
    { -- a joint liaison group by its initials, GDELT spacing
      event = { change = "new", item = {
        title = "Canada , India hold first JLG meeting on extradition cases" } },
      expect = { message = "New meeting: First JLG meeting on extradition cases" } },
    { -- a named dialogue: the mechanism and the meeting are one word, an ordinal says it met
      event = { change = "new", item = { title = "U.S. and Japan Hold Third Homeland Security Dialogue" } },
      expect = { message = "New meeting: Third Homeland Security Dialogue" } },
    { -- Chinese: another committee, another mechanism
      event = { change = "new", item = { title = "中俄执法安全合作委员会举行第五次会议（2025-03-02）" } },
      expect = { message = "New meeting: 中俄执法安全合作委员会举行第五次会议" } },
    { -- a plenary: the lead-in goes
      event = { change = "new", item = {
        title = "Readout of the U.S.-China Law Enforcement Joint Liaison Group Plenary" } },
      expect = { message = "New meeting: U.S.-China Law Enforcement Joint Liaison Group Plenary" } },
    { event = { change = "new", item = { title = "中美执法合作联合联络小组第十四次会议在京举行" } },
      expect = { message = "New meeting: 中美执法合作联合联络小组第十四次会议在京举行" } },
    { -- a technical exchange of a named working group is one of its meetings
      event = { change = "new", item = {
        title = "U.S.-China Counternarcotics Working Group Technical Exchange on Precursor Chemicals" } },
      expect = { message = "New meeting: U.S.-China Counternarcotics Working Group Technical Exchange on Precursor Chemicals" } },
    { -- the typo fixed in a known item's title is not a second meeting
      event = { change = "changed",
        item = { title = "Readout of the Second Senior Officials’ Meeting of the U.S.-China Counternarcotics Working Group" },
        diff = { title = { old = "Readout of the Second Senior Officals’ Meeting of the U.S.-China Counternarcotics Working Group",
                           new = "Readout of the Second Senior Officials’ Meeting of the U.S.-China Counternarcotics Working Group" } } },
      expect = { flag = false } },
    { -- a fact sheet that names the Working Group only in its text
      event = { change = "new", item = { title = "Fact Sheet: Countering Synthetic Drug Trafficking",
        summary = "The U.S.-China Counternarcotics Working Group held its second senior officials' meeting." } },
      expect = { flag = false } },
    { -- a regular press conference is not a mechanism's meeting
      event = { change = "new", item = {
        title = "Foreign Ministry Spokesperson Lin Jian’s Regular Press Conference on November 28, 2024" } },
      expect = { flag = false } },
    { event = { change = "new", item = { title = "外交部发言人毛宁主持例行记者会（2024-12-02）" } },
      expect = { flag = false } },
    { -- a minister's meeting, but no named mechanism
      event = { change = "new", item = { title = "Secretary’s Meeting with PRC Foreign Minister on the Margins of APEC" } },
      expect = { flag = false } },
    { -- talks without a named mechanism
      event = { change = "new", item = { title = "US , China officials to hold second round of drug talks next week" } },
      expect = { flag = false } },
    { -- "dialogue" alone, nothing says a meeting took place
      event = { change = "new", item = { title = "Remarks on Promoting Dialogue Between Peoples" } },
      expect = { flag = false } },
    { -- a Federal Register notice is federal-register-new's
      event = { change = "new", item = { document_number = "2024-26990", type = "Notice",
        title = "Advisory Committee on International Law Enforcement Cooperation; Notice of Open Meeting" } },
      expect = { flag = false } },
    { -- the baseline is state, not news
      event = { change = "new", baseline = true, item = {
        title = "Readout of the First Meeting of the U.S.-China Counternarcotics Working Group" } },
      expect = { flag = false } },
  },
}

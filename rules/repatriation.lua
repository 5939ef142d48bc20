-- repatriation.lua — a fugitive, suspect or convict repatriated,
-- extradited, deported to face justice, handed over or persuaded home, or an
-- official tally of fugitives brought back.
--
-- Decides on the title of new news items only. Fires when the title has an
-- act (repatriate, extradite, deport, hand over, return, remove, 遣返, 引渡,
-- 劝返 …: vane.phrases.repatriation_acts) and a subject (fugitive, suspect,
-- wanted, cartel, 嫌疑人, 外逃 …: repatriation_subjects), or an act strong
-- enough on its own (extradite, 引渡, 劝返: repatriation_strong). A cue
-- governing the act (won't be extradited, efforts to repatriate,
-- extradition treaty, extradition hearing: cues_before, cues_after) means
-- it has not happened.
--
-- 遣返 also means "sent back" at a border: "王喆入境美国时被盘查遣返" is a
-- student refused entry. So a title that reads as an entry refusal (the
-- entry_* lists of entry-refusal) and names no fugitive or suspect is not
-- a repatriation.

local phrase = vane.phrase
local P = vane.phrases
local cues = { before = P.cues_before, after = P.cues_after }

local function reads_as_entry_refusal(title)
  return (phrase.find(title, P.entry_acts) ~= nil or phrase.find(title, P.entry_border_acts) ~= nil)
     and (phrase.find(title, P.entry_places) ~= nil or phrase.find(title, P.entry_scholars) ~= nil)
end

local function is_repatriation(title)
  local subject = phrase.find(title, P.repatriation_subjects) ~= nil
  if subject and phrase.find(title, P.repatriation_acts, cues) then return true end
  return not subject and phrase.find(title, P.repatriation_strong, cues) ~= nil
     and not reads_as_entry_refusal(title)
end

return {
  id = "repatriation",
  title = "Fugitive or suspect repatriated, extradited or handed over",
  severity = "medium",

  when = function(ev)
    local title = phrase.news_title(ev)
    return title ~= nil and is_repatriation(title)
  end,

  message = function(ev)
    return "Repatriation: " .. phrase.tidy(ev.item.title)
  end,

  tests = {
    -- inflections and removals of suspects; a persuaded return
    { event = { change = "new", item = { title = "Court Agrees to Extradite Fraud Suspect to Brazil" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "Fugitive removed by ICE to Guatemala" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "ICE removes fugitive wanted for homicide in Honduras" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "外逃嫌疑人被劝返回国" } }, expect = { flag = true } },
    -- refusals, treaties, hearings, efforts
    { event = { change = "new", item = { title = "Judge rules fugitive won't be extradited to the U.S." } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Senate ratifies extradition treaty with Colombia" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Extradition hearing of fraud suspect adjourned" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Efforts to repatriate fugitives stall" } }, expect = { flag = false } },
    { event = { change = "new", item = {
        title = "Foreign Ministry Spokesperson’s Remarks on the Repatriation of a Fugitive Suspect from the United States" } },
      expect = { message = "Repatriation: Foreign Ministry Spokesperson's Remarks on the Repatriation of a Fugitive Suspect from the United States" } },
    { event = { change = "new", item = { title = "Fugitive wanted for fraud returned to China from US , ministry says" } },
      expect = { message = "Repatriation: Fugitive wanted for fraud returned to China from US, ministry says" } },
    { event = { change = "new", item = {
        title = "Foreign Ministry Spokesperson’s Remarks on the Handover of a Telecom Fraud Suspect by the United States" } },
      expect = { flag = true } },
    { -- another pair of countries, another word
      event = { change = "new", item = { title = "Brazilian Embezzlement Suspect Extradited from Portugal" } },
      expect = { flag = true } },
    { event = { change = "new", item = { title = "Thailand hands over fugitive Australian drug lord to Canberra" } },
      expect = { flag = true } },
    { event = { change = "new", item = { title = "外逃20年的职务犯罪嫌疑人从加拿大被遣返回国" } },
      expect = { flag = true } },
    { event = { change = "new", item = { title = "\"天网2025\"行动：一名红通人员被引渡回国" } },
      expect = { flag = true } },
    { event = { change = "new", item = { title = "Philippines deports Japanese fraud suspects to Tokyo" } },
      expect = { flag = true } },
    { -- 遣返 at the border: entry-refusal's, not this rule's
      event = { change = "new", item = { title = "外交部发言人就中国公民王喆入境美国时被盘查遣返答记者问（2024-11-29）" } },
      expect = { flag = false } },
    { event = { change = "new", item = { title = "Chinese graduate student sent home after questioning at Los Angeles airport" } },
      expect = { flag = false } },
    { -- a removal flight of migrants names no fugitive
      event = { change = "new", item = { title = "ICE Conducts Removal Flight to the People’s Republic of China" } },
      expect = { flag = false } },
    { event = { change = "new", item = { title = "外交部发言人就中方协助美方追回涉案资金答记者问（2024-11-15）" } },
      expect = { flag = false } },
    { event = { change = "new", item = { title = "Foreign Ministry Spokesperson’s Remarks on the China-U.S. Exchange of Detained Nationals" } },
      expect = { flag = false } },
    { event = { change = "changed", item = { title = "Fugitive suspect repatriated" },
                diff = { summary = { old = "a", new = "b" } } },
      expect = { flag = false } },
  },
}

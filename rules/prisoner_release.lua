-- prisoner_release.lua — a prisoner exchange, or the release or return of
-- detained, jailed or hostage nationals.
--
-- Decides on the title of new news items only. Fires on a prisoner
-- exchange (prisoner swap, 换俘, 战俘交换: vane.phrases.prisoner_exchanges);
-- on a swap (exchange, trade, 交换: prisoner_swaps) of captives or
-- prisoners (prisoner_captives, prisoner_exchanged); on a release
-- (release, freed, return of, 获释: prisoner_releases) of captives
-- (detained, hostage, kidnapped, citizens, Americans, 在押: prisoner_captives);
-- or on a transfer of Guantanamo detainees (prisoner_transfers,
-- prisoner_transferred). A cue governing the act (calls for, promises to,
-- won't, release hopes: cues_before, cues_after) means it has not happened.
-- "Prisoners" alone is not a captive: a country freeing thousands of its
-- own prisoners is an amnesty.

local phrase = vane.phrase
local P = vane.phrases
local cues = { before = P.cues_before, after = P.cues_after }

local function is_release(t)
  local find = phrase.find
  if find(t, P.prisoner_exchanges, cues) then return true end
  local captives = find(t, P.prisoner_captives) ~= nil
  if find(t, P.prisoner_swaps, cues) and (captives or find(t, P.prisoner_exchanged)) then
    return true
  end
  if captives and find(t, P.prisoner_releases, cues) then return true end
  return find(t, P.prisoner_transfers, cues) ~= nil and find(t, P.prisoner_transferred) ~= nil
end

return {
  id = "prisoner-release",
  title = "Prisoner exchange or release of detained nationals",
  severity = "high",

  when = function(ev)
    local title = phrase.news_title(ev)
    return title ~= nil and is_release(title)
  end,

  message = function(ev)
    return "Prisoner release: " .. phrase.tidy(ev.item.title)
  end,

  tests = {
    -- official phrasings, inflections, a prisoner-of-war exchange in both scripts
    { event = { change = "new", item = { title = "Release of U.S. Citizen Wrongfully Detained in Russia" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "Return of American Detainees from Venezuela" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "Kidnapped aid workers freed in Mali" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "俄乌双方再次换俘" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "俄烏交換戰俘" } }, expect = { flag = true } },
    -- intent, hopes, freedom, an amnesty, a report
    { event = { change = "new", item = { title = "Minister promises to release detained journalists" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Families call for the release of detained Americans" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Captivity to Freedom: a Memoir of Detention" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Government frees thousands of prisoners in amnesty" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Rights group releases report on detained activists" } }, expect = { flag = false } },
    { event = { change = "new", item = {
        title = "Statement on the Release of Three U.S. Citizens Wrongfully Detained in the PRC" } },
      expect = { message = "Prisoner release: Statement on the Release of Three U.S. Citizens Wrongfully Detained in the PRC" } },
    { event = { change = "new", item = {
        title = "Foreign Ministry Spokesperson’s Remarks on the China-U.S. Exchange of Detained\194\160Nationals" } },
      expect = { message = "Prisoner release: Foreign Ministry Spokesperson's Remarks on the China-U.S. Exchange of Detained Nationals" } },
    { event = { change = "new", item = { title = "外交部发言人就中美双方交换被拘押人员答记者问（2024-11-28）" } },
      expect = { message = "Prisoner release: 外交部发言人就中美双方交换被拘押人员答记者问（2024-11-28）" } },
    { -- GDELT spacing
      event = { change = "new", item = { title = "US , China swap detained citizens in rare deal" } },
      expect = { message = "Prisoner release: US, China swap detained citizens in rare deal" } },
    { -- another country, another case
      event = { change = "new", item = { title = "Russia and Belarus Free Two Lithuanian Prisoners in Swap at Border" } },
      expect = { flag = true } },
    { event = { change = "new", item = { title = "Journalist freed by Iran returns home to France" } },
      expect = { flag = true } },
    { event = { change = "new", item = { title = "被关押多年的加拿大公民获释回国" } },
      expect = { flag = true } },
    { event = { change = "new", item = { title = "Venezuela frees 10 Americans in exchange for Maduro ally" } },
      expect = { flag = true } },
    { -- a report released is not a release of detainees
      event = { change = "new", item = { title = "Commission releases annual report on detention conditions" } },
      expect = { flag = false } },
    { -- detained, but nobody released
      event = { change = "new", item = { title = "Families of Americans detained in China renew appeal before Thanksgiving" } },
      expect = { flag = false } },
    { -- a release of something else
      event = { change = "new", item = { title = "DHS Releases Guidance for Election Infrastructure Owners" } },
      expect = { flag = false } },
    { -- a fugitive sent back is a repatriation, not a release
      event = { change = "new", item = { title = "Fugitive wanted for fraud returned to China from US , ministry says" } },
      expect = { flag = false } },
    { event = { change = "new", item = { title = "外交部发言人就中国公民王喆入境美国时被盘查遣返答记者问（2024-11-29）" } },
      expect = { flag = false } },
    { -- only new items: an edited title is not news
      event = { change = "changed", item = { title = "Statement on the Release of Three U.S. Citizens Wrongfully Detained in China" },
                diff = { title = { old = "Statement on the Release of Three U.S. Citizens Wrongfully Detained in the PRC",
                                   new = "Statement on the Release of Three U.S. Citizens Wrongfully Detained in China" } } },
      expect = { flag = false } },
    { -- a body mentioning a release does not count
      event = { change = "new", item = { title = "Fact Sheet: Countering Synthetic Drug Trafficking",
                                         summary = "follows the release of detained citizens" } },
      expect = { flag = false } },
  },
}

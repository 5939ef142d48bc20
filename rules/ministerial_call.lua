-- ministerial_call.lua — a call or meeting between a homeland-security
-- secretary and a minister in charge of police, public security or the
-- interior.
--
-- Decides on the title of new news items only. Fires when the title names
-- both sides — by office (vane.phrases.ministerial_homeland: Secretary of
-- Homeland Security, 国土安全部长 …; ministerial_interior: Minister of
-- Public Security, interior minister, police chief, 公安部长 …) or by the
-- name of the office holder (ministerial_homeland_holders: Mayorkas, Noem
-- …; ministerial_interior_holders: Wang Xiaohong, 王小洪 …) — and a contact
-- (call, meeting, met, 通电话, 视讯会议 …: ministerial_contacts).

local phrase = vane.phrase
local P = vane.phrases

local function names(title, offices, holders)
  return phrase.find(title, offices) ~= nil or phrase.find(title, holders) ~= nil
end

local function is_ministerial_call(title)
  return names(title, P.ministerial_homeland, P.ministerial_homeland_holders)
     and names(title, P.ministerial_interior, P.ministerial_interior_holders)
     and phrase.find(title, P.ministerial_contacts) ~= nil
end

return {
  id = "ministerial-call",
  title = "Call or meeting of a homeland-security secretary and a public-security minister",
  severity = "medium",

  when = function(ev)
    local title = phrase.news_title(ev)
    return title ~= nil and is_ministerial_call(title)
  end,

  message = function(ev)
    return "Ministerial call: " .. phrase.tidy(ev.item.title)
  end,

  tests = {
    -- office holders by name, in both scripts
    { event = { change = "new", item = { title = "Readout of Secretary Mayorkas' Meeting with PRC Minister of Public Security Wang Xiaohong" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "美国国土安全部长马约卡斯与公安部部长王小洪视频通话" } }, expect = { flag = true } },
    -- a foreign minister, a State Department meeting, a deputy
    { event = { change = "new", item = { title = "Readout of Secretary Mayorkas' Call with Minister of Foreign Affairs" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "Secretary of State Meets Minister of Public Security" } }, expect = { flag = false } },
    { event = { change = "new", item = {
        title = "Readout of Secretary of Homeland Security’s Video Call with PRC Minister of Public Security" } },
      expect = { message = "Ministerial call: Readout of Secretary of Homeland Security's Video Call with PRC Minister of Public Security" } },
    { -- the other side's account, in Chinese
      event = { change = "new", item = { title = "国务委员兼公安部部长同美国国土安全部部长举行视频通话" } },
      expect = { flag = true } },
    { -- another country's interior minister
      event = { change = "new", item = { title = "DHS Secretary Meets with Mexico’s Secretary of Security and Citizen Protection" } },
      expect = { flag = true } },
    { event = { change = "new", item = { title = "Homeland Security Secretary holds call with German Interior Minister on migration" } },
      expect = { flag = true } },
    { -- security officials, not a minister
      event = { change = "new", item = { title = "Readout of Secretary of Homeland Security’s Meeting with Mexican Security Officials" } },
      expect = { flag = false } },
    { -- a foreign minister is not in charge of police
      event = { change = "new", item = { title = "Secretary’s Meeting with PRC Foreign Minister on the Margins of APEC" } },
      expect = { flag = false } },
    { -- one side only
      event = { change = "new", item = { title = "Minister of Public Security Inspects Border Checkpoints" } },
      expect = { flag = false } },
    { event = { change = "new", item = { title = "ICE Conducts Removal Flight to the People’s Republic of China" } },
      expect = { flag = false } },
    { event = { change = "changed", item = {
        title = "Readout of Secretary of Homeland Security’s Video Call with PRC Minister of Public Security" },
        diff = { summary = { old = "a", new = "b" } } },
      expect = { flag = false } },
  },
}

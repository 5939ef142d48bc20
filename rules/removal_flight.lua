-- removal_flight.lua — a removal (deportation) flight, or a tally of them.
--
-- Decides on the title of new news items only. Fires on a flight phrase
-- (removal flight, ICE Air, 遣返包机, 遣返班机 …: vane.phrases.removal_flights),
-- or a flight word (flight, charter, plane, 包机, 班机: removal_charters)
-- together with a removal word (removal, deport, repatriation, send back,
-- ICE, 遣返: removal_words) — unless the title explains how such flights
-- work (removal_not: "behind the scenes", "how").

local phrase = vane.phrase
local P = vane.phrases

local function is_removal_flight(title)
  if phrase.find(title, P.removal_not) then return false end
  if phrase.find(title, P.removal_flights) then return true end
  return phrase.find(title, P.removal_charters) ~= nil and phrase.find(title, P.removal_words) ~= nil
end

return {
  id = "removal-flight",
  title = "Removal (deportation) flight",
  severity = "medium",

  when = function(ev)
    local title = phrase.news_title(ev)
    return title ~= nil and is_removal_flight(title)
  end,

  message = function(ev)
    return "Removal flight: " .. phrase.tidy(ev.item.title)
  end,

  tests = {
    -- Traditional script, planes and charters
    { event = { change = "new", item = { title = "美國包機遣返非法移民" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "美方再派遣返班機 今年第五架" } }, expect = { flag = true } },
    { event = { change = "new", item = { title = "Deportation planes land in Bogota" } }, expect = { flag = true } },
    -- not a removal: a civil route, an explainer
    { event = { change = "new", item = { title = "Airline resumes flights to Caracas" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "How deportation flights work, explained" } }, expect = { flag = false } },
    { event = { change = "new", item = { title = "ICE Conducts Removal Flight to the People’s Republic of China" } },
      expect = { message = "Removal flight: ICE Conducts Removal Flight to the People's Republic of China" } },
    { -- another destination, other words
      event = { change = "new", item = { title = "DHS charters flight to deport 130 Indian nationals" } },
      expect = { flag = true } },
    { event = { change = "new", item = { title = "Deportation flights to Venezuela resume" } },
      expect = { flag = true } },
    { event = { change = "new", item = { title = "中美合作开展遣返包机，一百余名非法移民被遣返回国" } },
      expect = { flag = true } },
    { -- a fugitive returned is a repatriation, with no flight
      event = { change = "new", item = { title = "Fugitive wanted for fraud returned to China from US , ministry says" } },
      expect = { flag = false } },
    { event = { change = "new", item = { title = "Chinese graduate student sent home after questioning at Los Angeles airport" } },
      expect = { flag = false } },
    { event = { change = "new", item = { title = "Passenger removed from flight after dispute with crew" } },
      expect = { flag = false } },
    { event = { change = "removed", item = { title = "ICE Conducts Removal Flight to the People’s Republic of China" } },
      expect = { flag = false } },
  },
}

-- advisory.lua — vane.advisory: reading travel advisories, shared by the
-- shipped scripts for the State Department's RSS feed and its JSON API
-- (and any script for another government's advisories written the same way).
--
--   vane.advisory.title(t)     → country, level (1–4), label from a title
--                                "Country - Level N: Label" (nil if no level)
--   vane.advisory.country(s)   → a clean country name from a title's head
--   vane.advisory.notations(h) → sorted letters of the risk indicators in an
--                                advisory's HTML (<ul class="risk-indicators">)
--   vane.advisory.MEANINGS     → letter → meaning ("D" → "wrongful detention"),
--                                the one list of the letters: notations()
--                                keeps only these, and the rule
--                                advisory-notation-change names them from it

local advisory = {}

advisory.MEANINGS = {
  C = "crime", T = "terrorism", U = "civil unrest", H = "health",
  N = "natural disaster", E = "time-limited event", K = "kidnapping or hostage-taking",
  D = "wrongful detention", O = "other",
}

-- "Mainland China, Hong Kong & Macau - See Summaries" → "China";
-- "Mexico Travel Advisory" → "Mexico"; "Kenya " → "Kenya".
function advisory.country(head)
  local name = vane.text.squish(head or "")
  name = name:gsub("%s*%-%s*[Ss]ee [Ss]ummar[iy]e?s?$", "")
  name = name:gsub("%s+[Tt]ravel [Aa]dvisory$", "")
  -- a combined advisory names its main country first: "Mainland X, Y & Z"
  local main = name:match("^[Mm]ainland%s+([^,&]-)%s*[,&]")
  if main and main ~= "" then name = main end
  return name
end

-- Level and label from "… - Level 3: Reconsider Travel".
local function level_label(s)
  local n, label = s:match("%-%s*Level%s+(%d+)%s*:?%s*(.-)%s*$")
  if not n then n, label = s:match("^%s*Level%s+(%d+)%s*:?%s*(.-)%s*$") end
  n = math.tointeger(tonumber(n))
  if not n or n < 1 or n > 4 then return nil end
  return n, label ~= "" and label or nil
end

-- Country, level and label of a title; the level may instead come from a
-- "Level N: …" string such as the feed's Threat-Level category.
function advisory.title(title, fallback)
  title = vane.text.squish(title or "")
  local level, label = level_label(title)
  if not level and fallback then level, label = level_label(fallback) end
  if not level then return nil end
  local head = title:match("^(.-)%s*%-%s*Level%s+%d") or title
  return advisory.country(head), level, label
end

-- Letters of the risk indicators, e.g. "Wrongful Detention (D)" → "D",
-- sorted so that the same set compares equal in any order.
function advisory.notations(html)
  local letters, seen = {}, {}
  if type(html) ~= "string" then return letters end
  local list = html:match("<ul[^>]-class=[\"'][^\"']-risk%-indicators[^>]*>(.-)</ul>")
  if not list then return letters end
  for li in list:gmatch("<li[^>]*>(.-)</li>") do
    local letter = vane.text.to_text(li):match("%((%u)%)$")
    if letter and advisory.MEANINGS[letter] and not seen[letter] then
      seen[letter] = true
      letters[#letters + 1] = letter
    end
  end
  table.sort(letters)
  return letters
end

return advisory

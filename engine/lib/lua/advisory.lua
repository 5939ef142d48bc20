-- advisory.lua — vane.advisory: reading travel advisories, shared by the
-- shipped scripts for the State Department's RSS feed and its JSON API
-- (and any script for another government's advisories written the same way).
--
--   vane.advisory.title(t [, level]) → country, level (1–4 or nil), label
--                                from a title "Country - Level N: Label";
--                                `level`, a "Level N: Label" string such as
--                                the feed's Threat-Level category, comes first
--   vane.advisory.country(s)   → a clean country name from a title's head
--   vane.advisory.notations(h) → sorted letters of the risk indicators in an
--                                advisory's HTML (<ul class="risk-indicators">)
--   vane.advisory.change_note(h [, wording]) → added, removed: sorted letters
--                                the change note at the head of an
--                                advisory's HTML says were added or removed
--   vane.advisory.context(options) → the country table and wording of a
--                                source: the shipped ones with the source's
--                                options.countries, indicator_names and
--                                indicator_verbs added
--   vane.advisory.item(f, ctx) → one item from { title, code, level, html,
--                                summary, link, published }, keyed by country
--   vane.advisory.unique(list) → the items with one per key
--   vane.advisory.normal_name(s) → a name as names are compared
--   vane.advisory.MEANINGS     → letter → meaning ("D" → "wrongful detention"),
--                                the one list of the letters: notations()
--                                keeps only these, and the rule
--                                advisory-notation-change names them from it
--   vane.advisory.COUNTRIES, vane.advisory.WORDING → the shipped data
--                                (advisory_countries.lua, advisory_wording.lua)

local advisory = {}

advisory.MEANINGS = {
  C = "crime", T = "terrorism", U = "civil unrest", H = "health",
  N = "natural disaster", E = "time-limited event", K = "kidnapping or hostage-taking",
  D = "wrongful detention", O = "other",
}

local function warn(msg)
  if vane.warn then vane.warn(msg) end
end

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
  if type(s) ~= "string" then return nil end
  local n, label = s:match("%-%s*Level%s+(%d+)%s*:?%s*(.-)%s*$")
  if not n then n, label = s:match("^%s*Level%s+(%d+)%s*:?%s*(.-)%s*$") end
  n = math.tointeger(tonumber(n))
  if not n or n < 1 or n > 4 then return nil end
  return n, label ~= "" and label or nil
end

-- Country, level and label of a title. The level comes from `level` (the
-- feed's Threat-Level category) when that reads, else from the title; an
-- advisory without one ("Worldwide Caution") gives a nil level.
function advisory.title(title, level_text)
  title = vane.text.squish(title or "")
  local level, label = level_label(level_text and vane.text.squish(level_text))
  if not level then level, label = level_label(title) end
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

------------------------------------------------------------------------
-- Country names and codes

-- Latin letters with accents, as UTF-8 (all two bytes, lead byte C3), to
-- the plain letter, so "Curaçao" and "Curacao" are one name.
local FOLD = {}
do
  local plain = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty"
  for i = 0, 63 do
    FOLD["\195" .. string.char(128 + i)] = plain:sub(i + 1, i + 1)
  end
end

-- A name as names are compared: accents, case, punctuation, "&" and a
-- leading "The" do not count. "Côte d’Ivoire" → "cote d ivoire".
function advisory.normal_name(s)
  s = vane.text.normalize(type(s) == "string" and s or "")
  s = s:gsub("\195[\128-\191]", FOLD):lower()
  s = s:gsub("&", " and "):gsub("[^%w]+", " ")
  s = vane.text.squish(s):gsub("^the ", "")
  return s
end

-- One entry of a country table ("Name", { "Name", "Other" } or
-- { shared = true, "A", "B" }) as { name =, names = {…}, shared = }.
local function entry_of(v)
  if type(v) == "string" then return { name = v, names = { v } } end
  if type(v) ~= "table" or type(v[1]) ~= "string" then return nil end
  local names = {}
  for _, n in ipairs(v) do
    if type(n) == "string" then names[#names + 1] = n end
  end
  return { name = v[1], names = names, shared = v.shared == true }
end

-- Add a country table to the lookup: later tables replace a code's entry.
local function add_countries(lk, tbl, where)
  for code, v in pairs(tbl or {}) do
    local e = type(code) == "string" and entry_of(v)
    if not e then
      warn(("%s: country entry %s is not a name or a list of names"):format(where, tostring(code)))
    else
      code = code:upper()
      e.places = {}
      for _, n in ipairs(e.names) do
        local norm = advisory.normal_name(n)
        lk.names[norm] = code
        e.places[norm] = n
      end
      lk.codes[code] = e
    end
  end
end

-- Words of a wording table (names → letter, verbs → kind), lower-cased.
local function add_wording(w, names, verbs)
  for name, letter in pairs(names or {}) do
    if type(name) == "string" and type(letter) == "string" then
      w.names[vane.text.squish(name:lower())] = letter:upper()
      local n = select(2, name:gsub("%S+", ""))
      if n > w.longest then w.longest = n end
    end
  end
  for kind, words in pairs(verbs or {}) do
    for _, word in ipairs(type(words) == "table" and words or {}) do
      if type(word) == "string" then w.verbs[word:lower()] = kind end
    end
  end
end

-- The lookups of one source: the shipped tables, then its options.
function advisory.context(options)
  options = type(options) == "table" and options or {}
  local ctx = { codes = {}, names = {},
                wording = { names = {}, verbs = {}, longest = 1 } }
  add_countries(ctx, advisory.COUNTRIES, "vane.advisory.COUNTRIES")
  if type(options.countries) == "table" then
    add_countries(ctx, options.countries, "options.countries")
  end
  local shipped = advisory.WORDING or {}
  add_wording(ctx.wording, shipped.names, shipped.verbs)
  add_wording(ctx.wording, options.indicator_names, options.indicator_verbs)
  return ctx
end

local shipped_context
local function default_context()
  shipped_context = shipped_context or advisory.context({})
  return shipped_context
end

-- Key, country and code of an advisory from its code (may be nil) and the
-- country name its title gives. A code comes first; a title without one is
-- matched by name; a name the table does not know is its own key.
local function identify(code, name, ctx)
  local norm = advisory.normal_name(name)
  if not code then
    code = ctx.names[norm]
    if not code then return "name:" .. norm, name, nil end
  end
  local e = ctx.codes[code]
  if not e then
    warn(("country code %s ('%s') is not in the country table; add it with options.countries")
      :format(code, name))
    return code, name ~= "" and name or code, code
  end
  if e.shared then
    local place = e.places[norm] or name
    return code .. ":" .. advisory.normal_name(place), place, code
  end
  return code, e.name, code
end

------------------------------------------------------------------------
-- The change note: "The “Crime” risk indicator was added."

-- The note at the head of an advisory's HTML: its first paragraph with
-- text (up to a list or heading inside it), and the next one too when the
-- first is only a label ("Last Update:").
local function head_text(html)
  if type(html) ~= "string" then return "" end
  local parts, pos = {}, 1
  for _ = 1, 4 do
    local s, e = html:find("</[Pp]%s*>", pos)
    local para = html:sub(pos, s and s - 1 or pos + 2000)
    local stop = para:find("<[UuOo][Ll][%s>]") or para:find("<[Hh]%d")
    if stop then para = para:sub(1, stop - 1) end
    local text = vane.text.to_text(para)
    if text ~= "" then parts[#parts + 1] = text end
    if not s or stop or (text ~= "" and not text:find(":%s*$")) then break end
    pos = e + 1
  end
  return table.concat(parts, " ")
end

local PUNCT = { ["("] = true, [")"] = true, ['"'] = true, ["'"] = true }
local STOPS = { ["."] = true, [";"] = true, ["!"] = true, ["?"] = true }
local JOINS = { ["and"] = true, ["or"] = true, [","] = true, ["&"] = true, ["the"] = true,
                ["a"] = true, ["an"] = true, ["both"] = true, ["its"] = true,
                ["as"] = true, ["well"] = true }
local AUX = { was = true, were = true, is = true, are = true, has = true, have = true,
              had = true, been = true, being = true, be = true, now = true, also = true,
              ["not"] = true, no = true, longer = true }

-- Sentences of a note as lists of tokens { w = word, l = lower case }:
-- words (with inner hyphens and apostrophes) and single punctuation marks.
local function sentences(note)
  note = vane.text.normalize(note):gsub("%f[%w](%u)%.(%u)%.", "%1%2")
  local out, cur, pos = {}, {}, 1
  while true do
    local s, e = note:find("[%w\128-\255][%w\128-\255'%-]*", pos)
    local p = note:find("[%p]", pos)
    if p and (not s or p < s) then s, e = p, p end
    if not s then break end
    local w = note:sub(s, e):gsub("['%-]+$", "")
    if STOPS[w] then
      if #cur > 0 then out[#out + 1] = cur end
      cur = {}
    elseif w ~= "" then
      cur[#cur + 1] = { w = w, l = w:lower() }
    end
    pos = e + 1
  end
  if #cur > 0 then out[#out + 1] = cur end
  return out
end

-- The letter the tokens a..b name together: a name of the wording table,
-- or a lone capital letter of MEANINGS ("an H indicator", "(N)").
local function phrase(toks, a, b, w)
  local words = {}
  for k = a, b do words[#words + 1] = toks[k].l end
  local letter = w.names[table.concat(words, " ")]
  if letter then return letter end
  local t = toks[a].w
  if a == b and #t == 1 and advisory.MEANINGS[t] then return t end
  return nil
end

-- The longest name ending at token j (starting at lo or later): its
-- letter and length in tokens.
local function name_ending(toks, j, lo, w)
  for n = math.min(w.longest, j - lo + 1), 1, -1 do
    local letter = phrase(toks, j - n + 1, j, w)
    if letter then return letter, n end
  end
  return nil
end

-- The longest name starting at token j.
local function name_starting(toks, j, w)
  for n = math.min(w.longest, #toks - j + 1), 1, -1 do
    local letter = phrase(toks, j, j + n - 1, w)
    if letter then return letter, n end
  end
  return nil
end

-- Names just before an anchor ("… the Crime and Terrorism risk indicators"),
-- from j back to lo: letters go into `into`; returns where the names
-- stopped (the token before them, maybe the verb).
local function names_before(toks, j, lo, w, into)
  while j >= lo and toks[j].l == "risk" do j = j - 1 end
  while j >= lo do
    local t = toks[j].l
    local letter, n = name_ending(toks, j, lo, w)
    if letter then
      into[#into + 1] = letter
      j = j - n
    elseif PUNCT[t] or JOINS[t] then
      j = j - 1
    else
      break
    end
  end
  return j
end

-- Names just after an anchor or its verb ("indicator for kidnapping and
-- health", "indicators added: Crime, Health"): letters go into `into`;
-- returns the last token read.
local AFTER = { ["for"] = true, ["of"] = true, [":"] = true }
local function names_after(toks, i, w, into)
  local nxt = toks[i + 1] and toks[i + 1].l
  if not AFTER[nxt] then return i end
  local j, last = i + 2, i
  while toks[j] do
    local letter, n = name_starting(toks, j, w)
    if letter then
      into[#into + 1] = letter
      j = j + n
      last = j - 1
    elseif PUNCT[toks[j].l] or JOINS[toks[j].l] then
      j = j + 1
    else
      break
    end
  end
  return last
end

-- What a verb after the anchor says ("… indicator was added"): its kind,
-- whether it was negated, and the token it ends at.
local function verb_after(toks, i, w)
  local j, negated = i + 1, false
  while toks[j] and (AUX[toks[j].l] or PUNCT[toks[j].l]) do
    if toks[j].l == "not" or toks[j].l == "no" then negated = true end
    j = j + 1
  end
  local kind = toks[j] and w.verbs[toks[j].l]
  if kind then return kind, negated, j end
  return nil
end

-- The nearest verb before the names, back to lo.
local function verb_before(toks, j, lo, w)
  for k = j, lo, -1 do
    local kind = w.verbs[toks[k].l]
    if kind then
      local prev = toks[k - 1] and toks[k - 1].l
      return kind, prev == "no" or prev == "not"
    end
  end
  return nil
end

-- One sentence: each "indicator(s)" is an anchor with names before or after
-- it and a verb; a parenthesised name followed by a verb ("Maritime Crime
-- (Other) is removed") is one too.
local function read_sentence(toks, w, found)
  local lo = 1
  for i, t in ipairs(toks) do
    local letters, kind, negated, stop = {}, nil, false, i
    if i >= lo and (t.l == "indicator" or t.l == "indicators") then
      local b = names_before(toks, i - 1, lo, w, letters)
      local e = names_after(toks, i, w, letters)
      kind, negated, stop = verb_after(toks, e, w)
      if kind and #letters == 0 then stop = names_after(toks, stop, w, letters) end
      if not kind then
        kind, negated = verb_before(toks, b, lo, w)
        stop = e
      end
    elseif i > lo and t.l == ")" then
      local open = i - 1
      while open >= lo and toks[open].l ~= "(" do open = open - 1 end
      if open >= lo and open < i - 1 then
        local letter, n = name_ending(toks, i - 1, open + 1, w)
        if letter and n == i - 1 - open then
          letters[1] = letter
          kind, negated, stop = verb_after(toks, i, w)
        end
      end
    end
    if kind and not negated and found[kind] then
      for _, letter in ipairs(letters) do found[kind][letter] = true end
    end
    if #letters > 0 and kind then lo = (stop or i) + 1 end
  end
end

local function sorted_letters(set, other)
  local out = {}
  for letter in pairs(set) do
    if not other[letter] and advisory.MEANINGS[letter] then out[#out + 1] = letter end
  end
  table.sort(out)
  return out
end

-- Letters the change note at the head of an advisory's HTML says were
-- added and removed, each sorted. "Reissued with updates to the “Wrongful
-- Detention” risk indicator" and "There were no changes to … risk
-- indicators" give none; a letter said to be both added and removed is
-- neither.
function advisory.change_note(html, wording)
  local w = wording or default_context().wording
  local found = { added = {}, removed = {}, updated = {} }
  for _, toks in ipairs(sentences(head_text(html))) do
    read_sentence(toks, w, found)
  end
  return sorted_letters(found.added, found.removed), sorted_letters(found.removed, found.added)
end

------------------------------------------------------------------------
-- Items

-- One advisory item. f: title, code (the source's country code, or nil),
-- level (a "Level N: Label" text that comes before the title's), html (the
-- description), summary (its text, else made from html), link, published.
-- Returns the item and whether its code came from the source, or nil when
-- the entry names no country at all.
function advisory.item(f, ctx)
  ctx = ctx or default_context()
  local title = vane.text.squish(f.title or "")
  local name, level, label = advisory.title(title, f.level)
  local code = type(f.code) == "string" and f.code:upper():match("^%s*([%w]+)%s*$") or nil
  if name == "" and not code then
    warn(("an advisory with no country and no country code is left out (title '%s')"):format(title))
    return nil
  end
  local key, country, known = identify(code, name, ctx)
  local added, removed = advisory.change_note(f.html, ctx.wording)
  return {
    key = key,
    title = title,
    country = country,
    code = known,
    level = level,
    label = label,
    notations = advisory.notations(f.html),
    indicators_added = added,
    indicators_removed = removed,
    summary = f.summary or vane.text.to_text(f.html or ""),
    link = f.link,
    published = f.published,
  }, code ~= nil
end

-- Of two items with one key, the one to keep: the one whose code the
-- source gave, then the newer, then the first.
local function better(a, b)
  if a.coded ~= b.coded then return a.coded and a or b end
  local pa, pb = a.item.published or "", b.item.published or ""
  if pb > pa then return b end
  return a
end

-- The items of a list of { item =, coded = } with one item per key, in
-- the order keys first appear; each item left out is warned about.
function advisory.unique(list)
  local best, order = {}, {}
  for _, c in ipairs(list) do
    local k = c.item.key
    local b = best[k]
    if not b then
      order[#order + 1] = k
      best[k] = c
    else
      local keep = better(b, c)
      local drop = keep == b and c or b
      warn(("%s: two advisories with the key %s; kept '%s' (%s), left out '%s' (%s)")
        :format(keep.item.country, k, keep.item.title, tostring(keep.item.link),
                drop.item.title, tostring(drop.item.link)))
      best[k] = keep
    end
  end
  local out = {}
  for _, k in ipairs(order) do out[#out + 1] = best[k].item end
  return out
end

return advisory

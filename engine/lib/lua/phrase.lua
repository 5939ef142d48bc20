-- phrase.lua — vane.phrase: does a text contain one of the phrases of a list?
--
-- The matcher behind the shipped rules and keyword watches. A list is an
-- array of strings; an entry is either
--   a plain phrase, matched as a substring once text and phrase are both
--     normalised (see normalize below): "working group", "遣返包机",
--     " call " (spaces at either end: only a whole word, "call" but not
--     "calls" or "recall"), or
--   "re:PATTERN", a PCRE2 pattern given to vane.regex.test(text, PATTERN, "i")
--     on the text with quotes, dashes and spaces normalised (case kept).
--
-- Rules run on every event, so the work per call is one normalisation of
-- the text (remembered for the next call with the same text) and one plain
-- string.find per phrase; the normalised phrases of a list are computed once
-- and kept while the list lives. Only short, single-pass patterns are used,
-- well inside the sandbox's pattern step limit.

local phrase = {}

-- Characters that separate words besides ASCII punctuation and spaces:
-- General Punctuation (U+2000–U+206F: spaces, dashes, curly quotes, …),
-- no-break space and middle dot, CJK punctuation (U+3000–U+303F) and the
-- full-width forms of ASCII punctuation.
local SEPARATORS = {
  "\226[\128\129][\128-\191]",                     -- U+2000..U+207F
  "\194[\160\161\166\167\171\173\176\183\187\191]", -- nbsp ¡ ¦ § « soft hyphen ° · » ¿
  "\227\128[\128-\191]",                           -- U+3000..U+303F
  "\239\188[\129-\143\154-\160\187-\191]",         -- ！..／ ：..＠ ［..＿
  "\239\189[\128\155-\165]",                       -- ｀ ｛..･
}

-- Curly quotes and dashes as their ASCII selves, for texts that keep their
-- punctuation (regular expressions and messages).
local ASCII_FORMS = {
  ["\226\128\152"] = "'", ["\226\128\153"] = "'", ["\226\128\154"] = "'",
  ["\226\128\155"] = "'", ["\226\128\178"] = "'", ["\202\188"] = "'",
  ["\226\128\156"] = '"', ["\226\128\157"] = '"', ["\226\128\158"] = '"',
  ["\226\128\144"] = "-", ["\226\128\145"] = "-", ["\226\128\146"] = "-",
  ["\226\128\147"] = "-", ["\226\128\148"] = "-", ["\226\128\149"] = "-",
  ["\226\136\146"] = "-",
  ["\194\160"] = " ", ["\227\128\128"] = " ",
}

-- Quotes, dashes and spaces made plain, runs of spaces collapsed, the ends
-- trimmed, and the space GDELT puts before punctuation ("US , China")
-- removed. Case and everything else are kept: this is the text regular
-- expressions see, and what rules quote in messages.
function phrase.tidy(s)
  if type(s) ~= "string" then return "" end
  s = s:gsub("[\194\202\226\227][\128-\191]+", ASCII_FORMS)
  s = s:gsub("%s+", " ")
  s = s:gsub(" ([,.;:!?%)])", "%1")
  s = s:gsub("^ ", "")
  s = s:gsub(" $", "")
  return s
end

-- The form plain phrases are compared in: ASCII letters lower-cased, every
-- run of spaces and punctuation (ASCII, typographic or CJK) one space, and
-- one space at each end, so " word " finds a whole word even at the start
-- or end of the text. "U.S.-China’s" becomes " u s china s ".
function phrase.normalize(s)
  if type(s) ~= "string" then return " " end
  s = s:lower()
  for _, p in ipairs(SEPARATORS) do s = s:gsub(p, " ") end
  s = s:gsub("[%p%s]+", " ")
  return " " .. s .. " "
end

-- A phrase in the same form, without the padding: spaces the analyst put
-- at either end are kept (one each), so they still mean "word edge".
local function normalize_phrase(s)
  local lead, trail = s:match("^%s") ~= nil, s:match("%s$") ~= nil
  local n = phrase.normalize(s):sub(2, -2)
  n = n:gsub("^ ", ""):gsub(" $", "")
  if n == "" then return nil end
  return (lead and " " or "") .. n .. (trail and " " or "")
end

-- Compiled lists: list -> { n = #list, entries = { {entry, plain|nil, re|nil} } }.
-- Weak keys: a list that is no longer used takes its compiled form with it.
local compiled = setmetatable({}, { __mode = "k" })

local function compile(list)
  local c = compiled[list]
  local n = #list
  if c and c.n == n then return c end
  c = { n = n }
  for i = 1, n do
    local entry = list[i]
    if type(entry) ~= "string" then
      error(("phrase list entry %d is a %s, not a string"):format(i, type(entry)), 3)
    end
    if entry:sub(1, 3) == "re:" then
      c[#c + 1] = { entry, nil, entry:sub(4) }
    else
      local p = normalize_phrase(entry)
      if p then c[#c + 1] = { entry, p, nil } end
    end
  end
  compiled[list] = c
  return c
end

-- The last text seen and its two forms: the rules of one event usually ask
-- about the same title many times in a row.
local last_text, last_plain, last_tidy

local function forms(text)
  if text ~= last_text then
    last_text, last_plain, last_tidy = text, phrase.normalize(text), nil
  end
  return last_plain
end

local function regex_test(text, pat, entry)
  local re = vane and vane.regex
  if type(re) ~= "table" and type(re) ~= "userdata" or not re.test then
    error(("phrase %q needs vane.regex, which this build of vane does not have"):format(entry), 3)
  end
  if last_tidy == nil then last_tidy = phrase.tidy(text) end
  return re.test(last_tidy, pat, "i")
end

-- The first entry of `list` found in `text`, or nil. Non-string texts
-- (a missing field) match nothing.
function phrase.find(text, list)
  if type(text) ~= "string" or text == "" then return nil end
  if list == nil then return nil end
  local c = compile(list)
  local plain = forms(text)
  for i = 1, #c do
    local e = c[i]
    if e[2] then
      if plain:find(e[2], 1, true) then return e[1] end
    elseif regex_test(text, e[3], e[1]) then
      return e[1]
    end
  end
  return nil
end

-- Every entry of `list` found in `text`, in list order (an empty table if none).
function phrase.find_all(text, list)
  local out = {}
  if type(text) ~= "string" or text == "" or list == nil then return out end
  local c = compile(list)
  local plain = forms(text)
  for i = 1, #c do
    local e = c[i]
    if e[2] then
      if plain:find(e[2], 1, true) then out[#out + 1] = e[1] end
    elseif regex_test(text, e[3], e[1]) then
      out[#out + 1] = e[1]
    end
  end
  return out
end

-- The title a news rule decides on: that of a new item (not at baseline)
-- that is neither a travel advisory (it has a level) nor a Federal Register
-- document (federal-register-new reports those); nil otherwise.
function phrase.news_title(ev)
  if ev.change ~= "new" or ev.baseline then return nil end
  local item = ev.item
  if type(item) ~= "table" or item.level ~= nil or item.document_number ~= nil then return nil end
  local t = item.title
  if type(t) ~= "string" or t == "" then return nil end
  return t
end

return phrase

-- phrase.lua — vane.phrase: does a text contain one of the phrases of a list?
--
-- The matcher behind the shipped rules and keyword watches. A list is an
-- array of strings; an entry is either
--   a phrase, read the way an analyst reads a headline:
--     whole words at both ends ("freed" does not find "Freedom",
--       "commission" does not find "Commissioner"); a trailing "*" asks for
--       a prefix instead ("repatriat*" finds "repatriation" and
--       "repatriated");
--     every English word stands for its inflections: text and phrase are
--       both reduced to Snowball English stems (vane.phrase.stem, from
--       libstemmer), so "extradite" finds "extradites", "extradited" and
--       "extraditing", "remove" finds "removes" and "removed";
--     case, punctuation and spacing do not matter ("U.S.-China", "US ,
--       China"), but a phrase does not run across a clause break (, ; : ! ?
--       and their CJK forms, 。, or a dash between spaces);
--     Chinese is read in simplified form: text and phrase go through
--       OpenCC's Traditional-to-Simplified conversion (vane.phrase.t2s), so
--       "盘查" finds "盤查"; Chinese phrases are substrings (no word edges);
--   or "re:PATTERN", a PCRE2 pattern given to vane.regex.test(text, PATTERN, "i")
--     on the text with quotes, dashes and spaces normalised (case kept).
--
-- Cues: find and find_all take an optional third argument, cues =
-- { before = LIST, after = LIST }, that keeps an act from counting where a
-- cue governs it. A cue governs an occurrence of an act when it stands in
-- the same clause and either ends at most CUE_BEFORE words before it ("won't
-- be extradited", "calls for the release of", 拒绝引渡) or starts at most
-- CUE_AFTER words after it ("extradition treaty", "extradition hearing").
-- Words between are counted as spaces; in Chinese, every two characters
-- count as one word. An act counts if one of its occurrences is ungoverned.
--
-- Rules run on every event, so the work per call is one reading of the
-- text (convert, normalise, stem; remembered for the next call with the
-- same text) and one plain string.find per phrase (per occurrence, with
-- cues); each list is compiled once and kept while it lives. All of it is
-- linear in the length of the text and the number of phrases.

local phrase = {}

-- Characters that separate words besides ASCII punctuation and spaces:
-- General Punctuation (U+2000–U+206F: spaces, dashes, curly quotes, …),
-- no-break space and middle dot, CJK punctuation (U+3000–U+303F) and the
-- full-width forms of ASCII punctuation.
-- Each is given with its lead byte: a text without it skips the pattern.
local SEPARATORS = {
  { "\226", "\226[\128\129][\128-\191]" },                     -- U+2000..U+207F
  { "\194", "\194[\160\161\166\167\171\173\176\183\187\191]" }, -- nbsp ¡ ¦ § « soft hyphen ° · » ¿
  { "\227", "\227\128[\128-\191]" },                           -- U+3000..U+303F
  { "\239", "\239\188[\129-\143\154-\160\187-\191]" },         -- ！..／ ：..＠ ［..＿
  { "\239", "\239\189[\128\155-\165]" },                       -- ｀ ｛..･
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
  if s:find("[\128-\255]") then
    for _, p in ipairs(SEPARATORS) do
      if s:find(p[1], 1, true) then s = s:gsub(p[2], " ") end
    end
  end
  s = s:gsub("[%p%s]+", " ")
  return " " .. s .. " "
end

local CUE_BEFORE, CUE_AFTER = 4, 2

local function t2s(s)
  local f = phrase.t2s
  if f and s:find("[\228-\233]") then return f(s) end
  return s
end

local function stem(s)
  local f = phrase.stem
  if f then return f(s) end
  return s
end

-- The form phrases are matched in: Traditional made Simplified, clause
-- breaks made " | ", normalised (phrase.normalize), every English word
-- stemmed unless `as_written`, one space at each end. "Fugitives
-- Extradited, Officials Say" → " fugit extradit | offici say ".
function phrase.key(s, as_written)
  if type(s) ~= "string" then return " " end
  s = t2s(s)
  s = s:gsub(" [%-\226\128\147\226\128\148]+ ", " \1 "):gsub("[,;:!?]", " \1 ")
  if s:find("[\227\239]") then
    s = s:gsub("\239\188[\140\154\155\129\159]", " \1 "):gsub("\227\128\130", " \1 ")
  end
  s = phrase.normalize(s)
  if s:find("\1", 1, true) then s = s:gsub("\1", "|"):gsub("| [| ]*", "| ") end
  if as_written then return s end
  return stem(s)
end

-- A phrase entry compiled in one form (stemmed, or as written): its key
-- with " " around it for whole words (Latin script), or as it is
-- (Chinese: a substring); `prefix` leaves the end open.
local function compile_form(s, as_written, prefix)
  local k = phrase.key(s, as_written):gsub("^ +", ""):gsub(" +$", "")
  if k == "" or k == "|" then return nil end
  if k:find("[\128-\255]") then return k end
  return " " .. k .. (prefix and "" or " ")
end

-- What a text needs for a form to be worth a search: true (Chinese: the
-- text must have Chinese), the form's first whole word (the text must have
-- that word), or nil (no quick test: a one-word prefix).
local function needs(form)
  if form == nil then return nil end
  if form:find("[\128-\255]") then return true end
  return form:match("^ (%S+) ")
end

-- An entry: { entry, stemmed form or nil, pattern or nil, as-written form,
-- needs of the stemmed form, needs of the as-written form }. A prefix entry
-- ("repatriat*") is matched as written only: its last word is a beginning,
-- not a word to stem.
local function compile_phrase(entry)
  local s, n = entry:gsub("%*%s*$", "")
  local prefix = n > 0
  local raw = compile_form(s, true, prefix)
  if not raw then return nil end
  local stemmed = not prefix and compile_form(s, false, false) or nil
  return { entry, stemmed, nil, raw, needs(stemmed), needs(raw) }
end

-- Where to look in a compiled list for a text: entries by the first word
-- of their stemmed form (words) or of their as-written form (raw_words),
-- the Chinese ones (cjk), and those with no quick test (always).
local function index_of(c)
  local idx = { words = {}, raw_words = {}, cjk = {}, always = {} }
  for i = 1, #c do
    local e = c[i]
    local need, map = e[5], idx.words
    if not e[2] then need, map = e[6], idx.raw_words end
    if need == true then
      idx.cjk[#idx.cjk + 1] = i
    elseif need then
      local l = map[need] or {}
      l[#l + 1] = i
      map[need] = l
    else
      idx.always[#idx.always + 1] = i
    end
  end
  idx.has_raw = next(idx.raw_words) ~= nil
  return idx
end

-- Compiled lists: list -> { n = #list, compiled entry, …, index = index_of }.
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
      error(("phrase list entry %d is a %s, not a string"):format(i, type(entry)), 4)
    end
    if entry:sub(1, 3) == "re:" then
      c[#c + 1] = { entry, nil, entry:sub(4) }
    else
      local p = compile_phrase(entry)
      if p then c[#c + 1] = p end
    end
  end
  c.index = index_of(c)
  compiled[list] = c
  return c
end

-- The last text seen, its forms and their sets of words: the rules of one
-- event ask about the same title many times in a row. A phrase whose first
-- word is not among the title's words (or a Chinese phrase, when the title
-- has no Chinese) is passed over without a search.
local last_text, last_key, last_raw, last_tidy, last_words, last_raw_words, last_cjk

-- The distinct words of a key, as a list.
local function word_list(key)
  local seen, list = {}, {}
  for w in key:gmatch("%S+") do
    if not seen[w] then seen[w] = true; list[#list + 1] = w end
  end
  return list
end

local function keys_of(text)
  if text ~= last_text then
    last_text, last_tidy = text, nil
    last_raw = phrase.key(text, true)
    last_key = stem(last_raw)
    last_words, last_raw_words = word_list(last_key), nil
    last_cjk = last_key:find("[\228-\233]") ~= nil
  end
  return last_key
end

local function add_all(out, l)
  if l then for j = 1, #l do out[#out + 1] = l[j] end end
end

-- The indices of the entries of c worth a search in the last text, in
-- list order: those indexed under one of its words, the Chinese ones if
-- it has Chinese, and those with no quick test.
local function candidates(c)
  local idx, out = c.index, {}
  for i = 1, #last_words do add_all(out, idx.words[last_words[i]]) end
  if idx.has_raw then
    last_raw_words = last_raw_words or word_list(last_raw)
    for i = 1, #last_raw_words do add_all(out, idx.raw_words[last_raw_words[i]]) end
  end
  if last_cjk then add_all(out, idx.cjk) end
  add_all(out, idx.always)
  table.sort(out)
  return out
end

local function regex_test(text, pat, entry)
  local re = vane and vane.regex
  if type(re) ~= "table" and type(re) ~= "userdata" or not re.test then
    error(("phrase %q needs vane.regex, which this build of vane does not have"):format(entry), 4)
  end
  if last_tidy == nil then last_tidy = phrase.tidy(text) end
  return re.test(last_tidy, pat, "i")
end

-- How many words lie in key[i..j] (spaces, and two CJK characters a word),
-- or nil when a clause break lies there.
local function gap(key, i, j)
  if j < i then return 0 end
  local part = key:sub(i, j)
  if part:find("|", 1, true) then return nil end
  local _, words = part:gsub("%w+", "")
  local _, cjk = part:gsub("[\228-\233]", "")
  return words + cjk // 2
end

-- Does a cue of `c` end at most CUE_BEFORE words before position s, in the
-- same clause?
local function cue_before(key, c, s, f)
  for i = 1, #c do
    local p = c[i][f]
    if p then
      local from = 1
      while true do
        local cs, ce = key:find(p, from, true)
        if not cs or cs >= s then break end
        local g = gap(key, ce + 1, s - 1)
        if g and g <= CUE_BEFORE then return true end
        from = cs + 1
      end
    end
  end
  return false
end

-- Does a cue of `c` start at most CUE_AFTER words after position e, in the
-- same clause?
local function cue_after(key, c, e, f)
  for i = 1, #c do
    local p = c[i][f]
    if p then
      local cs, ce = key:find(p, e - (p:sub(1, 1) == " " and 0 or -1), true)
      if cs then
        local g = gap(key, e + 1, cs - 1)
        if g and g <= CUE_AFTER then return true end
      end
    end
  end
  return false
end

-- Does the compiled phrase p occur in key with no cue governing it (or,
-- with `near`, with one governing it)? Cues are read in the same form as p
-- (f: 2 stemmed, 4 as written).
local function occurs(key, p, cues, f, near)
  local from = 1
  while true do
    local s, e = key:find(p, from, true)
    if not s then return false end
    if not cues then return true end
    local governed = (cues.before and cue_before(key, cues.before, s, f))
      or (cues.after and cue_after(key, cues.after, e, f)) or false
    if governed == (near == true) then return true end
    from = s + 1
  end
end

-- Compiled cues, kept per cues table: a rule that makes its cues table
-- once (at load) compiles it once.
local compiled_cue_sets = setmetatable({}, { __mode = "k" })

local function compiled_cues(cues)
  if cues == nil then return nil end
  local cc = compiled_cue_sets[cues]
  local b, a = cues.before and compile(cues.before) or nil, cues.after and compile(cues.after) or nil
  if cc and cc.before == b and cc.after == a then return cc end
  cc = { before = b, after = a }
  compiled_cue_sets[cues] = cc
  return cc
end

local function matches(text, key, e, cues, near)
  if e[2] then return occurs(key, e[2], cues, 2, near) end
  if e[4] then return occurs(last_raw, e[4], cues, 4, near) end
  return not near and regex_test(text, e[3], e[1])
end

-- The first entry of `list` found in `text` (and not governed by one of
-- `cues`, if given), or nil. Non-string texts (a missing field) match
-- nothing.
function phrase.find(text, list, cues)
  if type(text) ~= "string" or text == "" then return nil end
  if list == nil then return nil end
  local c, cc = compile(list), compiled_cues(cues)
  local key = keys_of(text)
  local cand = candidates(c)
  for j = 1, #cand do
    local e = c[cand[j]]
    if matches(text, key, e, cc) then return e[1] end
  end
  return nil
end

-- The first entry of `list` found in `text` with a cue of `cues` governing
-- it (the reverse of find's third argument: "entry" after "denied US",
-- "flight" after "ICE"), or nil. Regular-expression entries never are.
function phrase.find_near(text, list, cues)
  if type(text) ~= "string" or text == "" or list == nil or cues == nil then return nil end
  local c, cc = compile(list), compiled_cues(cues)
  local key = keys_of(text)
  local cand = candidates(c)
  for j = 1, #cand do
    local e = c[cand[j]]
    if matches(text, key, e, cc, true) then return e[1] end
  end
  return nil
end

-- Every entry of `list` found in `text`, in list order (an empty table if none).
function phrase.find_all(text, list, cues)
  local out = {}
  if type(text) ~= "string" or text == "" or list == nil then return out end
  local c, cc = compile(list), compiled_cues(cues)
  local key = keys_of(text)
  local cand = candidates(c)
  for j = 1, #cand do
    local e = c[cand[j]]
    if matches(text, key, e, cc) then out[#out + 1] = e[1] end
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

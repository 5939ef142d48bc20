-- text.lua — vane.text: turn HTML fragments into plain text.
--
-- The sandbox gives each pattern call a step budget, so strip_tags walks
-- the input with plain finds and short anchored matches (no backtracking
-- pattern over a whole page), and the gsubs used are single-pass and linear.

local text = {}

-- Latin-1 named entities, in code point order from U+00A0 to U+00FF.
local LATIN1 = {
  "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect",
  "uml", "copy", "ordf", "laquo", "not", "shy", "reg", "macr",
  "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot",
  "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
  "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil",
  "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml",
  "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times",
  "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig",
  "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
  "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml",
  "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide",
  "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
}

local NAMED = {
  amp = 38, lt = 60, gt = 62, quot = 34, apos = 39,
  AMP = 38, LT = 60, GT = 62, QUOT = 34,
  ndash = 0x2013, mdash = 0x2014, lsquo = 0x2018, rsquo = 0x2019,
  sbquo = 0x201A, ldquo = 0x201C, rdquo = 0x201D, bdquo = 0x201E,
  hellip = 0x2026, bull = 0x2022, trade = 0x2122, euro = 0x20AC,
  dagger = 0x2020, Dagger = 0x2021, permil = 0x2030, lsaquo = 0x2039,
  rsaquo = 0x203A, prime = 0x2032, Prime = 0x2033, oline = 0x203E,
  frasl = 0x2044, OElig = 0x152, oelig = 0x153, Scaron = 0x160,
  scaron = 0x161, Yuml = 0x178, fnof = 0x192, circ = 0x2C6, tilde = 0x2DC,
  ensp = 0x2002, emsp = 0x2003, thinsp = 0x2009, zwnj = 0x200C,
  zwj = 0x200D, lrm = 0x200E, rlm = 0x200F, minus = 0x2212,
  larr = 0x2190, uarr = 0x2191, rarr = 0x2192, darr = 0x2193, harr = 0x2194,
  le = 0x2264, ge = 0x2265, ne = 0x2260, infin = 0x221E,
}
for i, name in ipairs(LATIN1) do NAMED[name] = 0x9F + i end

-- Browsers read &#128;..&#159; as Windows-1252, and feeds written on
-- Windows rely on it (&#146; for a right quote).
local CP1252 = {
  [0x80] = 0x20AC, [0x82] = 0x201A, [0x83] = 0x0192, [0x84] = 0x201E,
  [0x85] = 0x2026, [0x86] = 0x2020, [0x87] = 0x2021, [0x88] = 0x02C6,
  [0x89] = 0x2030, [0x8A] = 0x0160, [0x8B] = 0x2039, [0x8C] = 0x0152,
  [0x8E] = 0x017D, [0x91] = 0x2018, [0x92] = 0x2019, [0x93] = 0x201C,
  [0x94] = 0x201D, [0x95] = 0x2022, [0x96] = 0x2013, [0x97] = 0x2014,
  [0x98] = 0x02DC, [0x99] = 0x2122, [0x9A] = 0x0161, [0x9B] = 0x203A,
  [0x9C] = 0x0153, [0x9E] = 0x017E, [0x9F] = 0x0178,
}

-- A code point as UTF-8; NUL, surrogates and out-of-range values become
-- U+FFFD so the result is always valid UTF-8.
local function char_of(cp)
  cp = CP1252[cp] or cp
  if cp == 0 or cp > 0x10FFFF or (cp >= 0xD800 and cp <= 0xDFFF) then
    cp = 0xFFFD
  end
  return utf8.char(cp)
end

local function entity(ref)
  local hex = ref:match("^#[xX](%x+)$")
  if hex then
    return #hex <= 8 and char_of(tonumber(hex, 16)) or nil
  end
  local dec = ref:match("^#(%d+)$")
  if dec then
    return #dec <= 9 and char_of(tonumber(dec)) or nil
  end
  local cp = NAMED[ref]
  return cp and utf8.char(cp) or nil
end

-- Replace &name; &#NNN; &#xHH;. Unknown references stay as they are
-- (returning nil from the gsub function keeps the match).
function text.decode_entities(s)
  if type(s) ~= "string" then return s end
  if not s:find("&", 1, true) then return s end
  return (s:gsub("&(#?%w+);", entity))
end

-- Tags that start a new line of text, so "<p>a</p><p>b</p>" reads "a b".
local BLOCK = {}
for name in ("p br li div h1 h2 h3 h4 h5 h6 tr ul ol dl dt dd table thead "
  .. "tbody tfoot caption section article header footer nav aside main "
  .. "blockquote pre hr form fieldset figure figcaption address title "
  .. "option details summary body head html"):gmatch("%S+") do
  BLOCK[name] = "\n"
end
BLOCK.td, BLOCK.th = " ", " "

local SKIP = { script = true, style = true }

-- The end of a tag whose name ends at `pos`: attribute values may contain
-- '>' inside quotes, so step over quoted runs. Returns the index of '>' or nil.
local function tag_end(s, pos)
  while true do
    local i, _, c = s:find("([>\"'])", pos)
    if not i then return nil end
    if c == ">" then return i end
    local close = s:find(c, i + 1, true)
    if not close then return nil end
    pos = close + 1
  end
end

-- Skip a script/style body: everything up to its closing tag, whatever
-- case the tag is written in.
local function skip_raw(s, pos, name)
  local i = s:find("</", pos, true)
  while i do
    if s:sub(i + 2, i + 1 + #name):lower() == name then
      local e = s:find(">", i, true)
      return e and e + 1 or #s + 1
    end
    i = s:find("</", i + 2, true)
  end
  return #s + 1
end

-- Remove tags, comments and script/style contents; block tags become a
-- newline so words on either side stay apart. Text between tags (entities
-- included) is kept as it is.
function text.strip_tags(html)
  if type(html) ~= "string" then return html end
  local out, n, pos, len = {}, 0, 1, #html
  while pos <= len do
    local lt = html:find("<", pos, true)
    if not lt then
      n = n + 1; out[n] = html:sub(pos)
      break
    end
    if lt > pos then n = n + 1; out[n] = html:sub(pos, lt - 1) end
    if html:sub(lt, lt + 3) == "<!--" then
      local e = html:find("-->", lt + 4, true)
      pos = e and e + 3 or len + 1
    elseif html:sub(lt, lt + 8) == "<![CDATA[" then
      local e = html:find("]]>", lt + 9, true)
      n = n + 1; out[n] = html:sub(lt + 9, (e or len + 1) - 1)
      pos = e and e + 3 or len + 1
    elseif html:find("^<[!?]", lt) then
      local e = html:find(">", lt, true)
      pos = e and e + 1 or len + 1
    else
      local _, name_end, name = html:find("^</?(%a[%w:%-]*)", lt)
      if not name then
        -- a lone '<' as in "a < b" is text
        n = n + 1; out[n] = "<"
        pos = lt + 1
      else
        local gt = tag_end(html, name_end + 1)
        if not gt then break end -- a torn tag at the end: drop it
        name = name:lower()
        pos = gt + 1
        local closing = html:sub(lt + 1, lt + 1) == "/"
        if SKIP[name] and not closing and html:sub(gt - 1, gt - 1) ~= "/" then
          pos = skip_raw(html, pos, name)
        end
        local sep = BLOCK[name]
        if sep then n = n + 1; out[n] = sep end
      end
    end
  end
  return table.concat(out)
end

-- Collapse every run of whitespace, including no-break and other Unicode
-- spaces, to one ASCII space, and trim both ends.
function text.squish(s)
  if type(s) ~= "string" then return s end
  s = s:gsub("\194\160", " ")               -- U+00A0
  s = s:gsub("\226\128[\128-\138\175]", " ") -- U+2000..U+200A, U+202F
  s = s:gsub("\226\129\159", " ")           -- U+205F
  s = s:gsub("\227\128\128", " ")           -- U+3000
  s = s:gsub("%s+", " ")
  if s:sub(1, 1) == " " then s = s:sub(2) end
  if s:sub(-1) == " " then s = s:sub(1, -2) end
  return s
end

function text.to_text(html)
  if type(html) ~= "string" then return html end
  return text.squish(text.decode_entities(text.strip_tags(html)))
end

-- Typographic quotes, apostrophes and dashes to their ASCII forms, then
-- squish: "Officials’ Meeting — U.S.–China" → "Officials' Meeting - U.S.-China".
-- For comparing and matching text; stored text keeps its own characters.
local NORMAL = {
  ["\226\128\152"] = "'", ["\226\128\153"] = "'", ["\226\128\155"] = "'", -- ‘ ’ ‛
  ["\226\128\178"] = "'",                                                -- ′
  ["\226\128\156"] = '"', ["\226\128\157"] = '"', ["\226\128\159"] = '"', -- “ ” ‟
  ["\194\171"] = '"', ["\194\187"] = '"',                                  -- « »
  ["\226\128\144"] = "-", ["\226\128\145"] = "-", ["\226\128\146"] = "-", -- ‐ ‑ ‒
  ["\226\128\147"] = "-", ["\226\128\148"] = "-", ["\226\128\149"] = "-", -- – — ―
  ["\226\136\146"] = "-",                                                -- −
}

function text.normalize(s)
  if type(s) ~= "string" then return s end
  s = s:gsub("\226\128[\144-\159\178]", NORMAL)
  s = s:gsub("\194[\171\187]", NORMAL)
  s = s:gsub("\226\136\146", NORMAL)
  return text.squish(s)
end

return text

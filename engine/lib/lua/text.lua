-- text.lua — vane.text: turn HTML fragments into plain text.
--
-- to_text, squish and decode_entities are util/htmltext.c, the reader the
-- feed parser uses too, so there is one set of entity tables and one idea
-- of white space: lib/lib_text.c adds them to this table after it loads
-- (rows "text.NAME" of vanelib_parts[]), so the functions below call them
-- through `text` at call time.
--
-- The sandbox gives each pattern call a step budget, so strip_tags walks
-- the input with plain finds and short anchored matches (no backtracking
-- pattern over a whole page), and the gsubs used are single-pass and linear.

local text = {}

-- Replace &name; &#NNN; &#xHH; (HTML's Latin-1 names and the common
-- typographic ones; &#128;..&#159; read as Windows-1252, as browsers do).
-- Unknown references stay as they are.
-- text.decode_entities(s) is added from C (lib/lib_text.c).

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
-- text.squish(s) is added from C (lib/lib_text.c).

-- Plain text: tags, comments and script/style contents dropped, block tags
-- separating words, references decoded, white space squished.
-- text.to_text(html) is added from C (lib/lib_text.c).

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

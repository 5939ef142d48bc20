-- phrases.lua — the phrase lists of the shipped rules, in one place to edit.
--
-- Not a rule: vane loads this file as data and every rule reads it as
-- vane.phrases.NAME. A phrases.lua in your own rules folder replaces the
-- lists it names (keep the name, change the list) and leaves the others as
-- shipped; a list set to {} turns that part of a rule off.
--
-- How an entry matches (vane.phrase.find; README, "Phrase lists"):
--   "working group"  whole words, in any inflection: case, punctuation and
--                    spacing do not matter ("U.S.-China", "US , China"),
--                    and each English word stands for its forms through
--                    the Snowball stemmer ("remove" finds "removes",
--                    "removed"; "extradite" finds "extradition"). "freed"
--                    does not find "Freedom", nor "commission"
--                    "Commissioner". A phrase stays inside one clause.
--   "repatriat*"     a trailing * asks for a prefix, of the words as written.
--   "遣返包机"        Chinese is a substring, and Traditional text is read as
--                    Simplified (包機 is 包机): write Simplified.
--   "re:\\bCNWG\\b"  a PCRE2 regular expression (case-insensitive).
-- Cues (cues_before, cues_after) keep an act from counting where they
-- govern it: a cue ending at most 4 words before the act ("won't be
-- extradited") or starting at most 2 words after it ("extradition
-- treaty"), in the same clause.
--
-- Each rule says below how it combines its lists. Rules look at the titles
-- of new news items only (not at Federal Register documents, which
-- federal-register-new reports, nor at travel advisories).

return {

  ---------------------------------------------------------------------------
  -- Cues shared by the rules that look for an act (a release, an
  -- extradition): an intent, a wish or a refusal is not the act.

  cues_before = {
    "won't", "will not", "would not", "wouldn't", "not", "refuse to", "refuse",
    "promise to", "pledge to", "vow to", "plan to", "call for", "call on",
    "urge", "demand", "seek", "effort to", "effort for", "push for", "press for",
    "should", "must", "hope", "ask", "request", "block", "oppose",
    "threaten to", "could", "consider",
    "拒绝", "呼吁", "要求", "敦促", "希望", "未", "反对", "阻挠", "寻求", "推动",
  },

  cues_after = {
    "treaty", "hearing", "request", "bid", "hope", "talks", "negotiation",
    "case", "law", "policy", "process", "battle", "fight",
    -- a report, a list or a video "released" is not a person
    "report", "data", "video", "list", "document", "figures", "footage",
    "条约", "听证", "请求", "谈判",
  },

  ---------------------------------------------------------------------------
  -- new-meeting: a named standing body or recurring mechanism meets. The
  -- title counts, unless it has a MEETING_NOT phrase, when it has
  --   a GROUPING (G7, ASEAN …) and a GROUPING_EVENT (summit, meeting …);
  --   a MECHANISM (working group, task force …) and a MEETING_SIGN
  --     (meeting, session, readout, joint statement, an ordinal …);
  --   a DIALOGUE word (dialogue, consultations, 磋商) that a
  --     DIALOGUE_QUALIFIER governs ("U.S.-Thailand Strategic Dialogue": a
  --     pair or a qualifier just before it), or with a MEETING_SIGN;
  --   an ORDINAL governing a meeting word ("Ninth Session of …").

  meeting_mechanisms = {
    "working group", "joint liaison group", "jlg", "cnwg", "task force",
    "committee", "commission", "council", "steering group", "contact group",
    "coordination group", "consultation group", "consultative mechanism",
    "review group", "expert group", "experts group", "group",
    "joint commission", "advisory committee", "advisory council", "subgroup",
    "mechanism", "executive council",
    "工作组", "联络小组", "联合小组", "委员会", "联委会", "机制", "工作小组",
  },

  meeting_signs = {
    "meeting", "session", "plenary", "convening", "convene", "launch",
    "inaugural", "annual", "readout", "joint statement", "communique",
    "hold", "held", "meet", "met", "conclude", "co chair", "co host",
    "working lunch", "technical exchange", "expert exchange", "experts exchange",
    "video call", "conference call", "senior officials", "ministerial", "symposium",
    "举行", "召开", "启动", "会议", "会晤", "会谈", "高官会", "全会", "磋商",
    "对话", "年度", "首次", "首届", "第",
  },

  meeting_dialogues = {
    "dialogue", "consultation", "consultations", "对话", "磋商",
  },

  meeting_dialogue_qualifiers = {
    "u s", "united states", "bilateral", "trilateral", "tripartite",
    "strategic", "high level", "ministerial", "2 2", "annual", "economic",
    "policy", "security", "energy policy", "defense", "deterrence",
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
    "eighth", "ninth", "tenth",
    "中美", "中日", "中俄", "中欧", "中英", "中法", "中德", "中韩", "高级别",
    "战略", "第", "轮",
  },

  meeting_ordinals = {
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
    "eighth", "ninth", "tenth", "eleventh", "twelfth", "inaugural",
    "1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th",
    "11th", "12th", "13th", "14th", "15th", "16th", "17th", "18th", "19th", "20th",
  },

  meeting_ordinal_nouns = { "session", "meeting", "plenary", "convening" },

  meeting_groupings = {
    "g7", "g20", "nato", "asean", "asean regional forum", "east asia summit",
    "quad", "gcc", "gulf cooperation council", "ecowas", "d isis", "apec",
    "summit of the americas", "human rights council", "security council",
    "general assembly", "african union", "brics", "oas", "u s eu", "eu u s",
    "u s asean", "organization of american states",
    "金砖", "上合组织", "东盟", "二十国集团", "七国集团", "北约",
  },

  meeting_grouping_events = {
    "summit", "ministerial", "ministers meeting", "meeting", "session",
    "plenary", "communique", "leaders statement", "leaders call",
    "leaders meeting", "joint statement", "symposium",
    "峰会", "会议", "外长会",
  },

  -- not a meeting of a mechanism: what congress does, a charter, an
  -- election, a report, a bilateral meeting on the margins, an officer
  meeting_not = {
    "house committee", "senate committee", "judiciary committee",
    "committee on appropriations", "committee on foreign affairs", "hearing",
    "charter", "election", "elect", "report", "chairperson", "chief of staff",
    "head of cabinet", "commission president", "president of the european commission",
    "memorandum", "press conference", "press call", "press release",
    "margins", "sidelines", "recommendation",
    "例行记者会", "记者会",
  },

  -- Where the message starts: the first of these words before the meeting
  -- word ("Readout of the Second Senior Officials' Meeting of …" → "Second
  -- Senior Officials' Meeting of …"). English words only; matched whole.
  meeting_kinds = {
    "meeting", "session", "plenary", "talks", "consultation", "dialogue",
    "call", "technical exchange", "conference call",
    "会议", "会晤", "会谈", "高官会", "全会", "通话", "对话", "磋商",
  },

  meeting_starts = {
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
    "eighth", "ninth", "tenth", "eleventh", "twelfth", "inaugural", "annual",
    "plenary", "ministerial", "high-level", "senior officials", "senior officals",
    "1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th",
  },

  -- Words cut from the start and end of a title for the message, when no
  -- start word is found (Chinese titles, titles without an ordinal).
  title_lead_ins = {
    "Foreign Ministry Spokesperson's Remarks on the ",
    "Foreign Ministry Spokesperson's Remarks on ",
    "Spokesperson's Remarks on the ", "Spokesperson's Remarks on ",
    "Readout of the ", "Readout of ", "Readout: ", "Statement on the ",
    "Statement on ", "Joint Statement on the ", "Joint Statement on ",
    "Remarks on the ", "Remarks on ",
    "外交部发言人就", "外交部发言人", "发言人就", "关于",
  },
  title_tail_outs = {
    "答记者问", "答记者提问", "应询答问", "发表谈话", "的讲话",
  },

  ---------------------------------------------------------------------------
  -- prisoner-release: an EXCHANGE of prisoners; or a SWAP with CAPTIVES or
  -- an EXCHANGED word; or a RELEASE of CAPTIVES (detained, hostage,
  -- kidnapped, nationals); or a TRANSFER of DETAINEES (Guantanamo) — each
  -- act not governed by a cue. "Prisoners" alone with a release is a
  -- country's amnesty of its own, not this.

  prisoner_exchanges = {
    "prisoner exchange", "prisoner swap", "exchange of prisoners",
    "swap of prisoners", "exchange of detained", "prisoners of war exchange",
    "换俘", "交换战俘", "战俘交换", "互换战俘", "互换被俘", "互换在押",
  },

  -- an exchange or swap that needs a captive word to be one of people
  prisoner_swaps = {
    "exchange", "swap", "交换", "互换",
  },

  prisoner_releases = {
    "release", "free", "freed", "return of", "return home", "walk free",
    "come home", "back on u s soil", "home after",
    "释放", "获释", "交换", "互换", "回国", "返回",
  },

  prisoner_captives = {
    "detained", "detainee", "detention", "wrongfully", "hostage", "jailed",
    "imprisoned", "in custody", "captive", "captivity", "kidnapped",
    "abducted", "from prison", "political prisoner", "citizen", "national",
    "american", "journalist", "reporter", "aid worker",
    "被拘押", "被拘留", "被羁押", "被关押", "在押", "被扣押", "人质", "被俘",
    "战俘", "公民", "被扣",
  },

  -- with a swap, these count as captives too
  prisoner_exchanged = { "prisoner", "被俘人员", "被扣押人员" },

  prisoner_transfers = { "transfer", "repatriation", "移交" },
  prisoner_transferred = { "detainee", "guantanamo", "gtmo", "关塔那摩" },

  ---------------------------------------------------------------------------
  -- repatriation: an ACT (not governed by a cue) with a SUBJECT, or a
  -- STRONG act (not governed by a cue) — never when the title reads as an
  -- entry refusal without a SUBJECT: "王喆入境美国时被盘查遣返" is a student
  -- sent back at the border.

  repatriation_acts = {
    "repatriate", "repatriation", "extradite", "extradition", "deport",
    "deportation", "hand over", "handover", "return", "brought back",
    "sent back", "send back", "remove", "removal", "transfer",
    "遣返", "引渡", "移交", "归案", "押解回国", "劝返", "带回", "劝说回国",
    "抓获外逃", "追逃",
  },

  repatriation_subjects = {
    "fugitive", "suspect", "wanted", "fraudster", "criminal", "convict",
    "accused", "on the run", "red notice", "embezzler", "fled", "militant",
    "terrorist", "cartel", "drug lord", "gang", "murder", "kingpin",
    "trafficker", "war criminal",
    "嫌疑人", "嫌犯", "逃犯", "外逃", "在逃", "红通", "涉嫌", "罪犯", "诈骗犯",
    "贪官", "犯罪",
  },

  repatriation_strong = {
    "extradite", "extradition", "引渡", "劝返", "缉捕归案", "外逃人员",
  },

  ---------------------------------------------------------------------------
  -- ministerial-call: a HOMELAND-SECURITY side (office or holder) and an
  -- INTERIOR side (office or holder) in the same title, and a CONTACT word.
  -- The holders are names an analyst knows as the office: keep them current.

  ministerial_homeland = {
    "secretary of homeland security", "homeland security secretary",
    "dhs secretary", "secretary of the department of homeland security",
    "secretary of dhs",
    "国土安全部部长", "国土安全部长", "国土安全部长官",
  },

  ministerial_homeland_holders = {
    "tom ridge", "michael chertoff", "secretary chertoff", "janet napolitano",
    "secretary napolitano", "jeh johnson", "secretary johnson",
    "kirstjen nielsen", "secretary nielsen", "secretary kelly",
    "mcaleenan", "chad wolf", "mayorkas", "kristi noem", "secretary noem",
    "马约卡斯", "约翰逊部长", "诺姆", "尼尔森",
  },

  ministerial_interior = {
    "minister of public security", "public security minister",
    "minister of the interior", "interior minister", "minister of interior",
    "minister for home affairs", "minister of home affairs",
    "home affairs minister", "home minister", "home secretary",
    "minister of police", "police minister", "minister of internal affairs",
    "internal affairs minister", "minister of security", "police chief",
    "secretary of security and citizen protection", "minister of justice and public security",
    "minister of justice and security", "minister of public order",
    "公安部部长", "公安部长", "内政部长", "内政部部长", "内务部长", "警察部长",
    "警务部长",
  },

  ministerial_interior_holders = {
    "wang xiaohong", "zhao kezhi", "guo shengkun", "meng jianzhu",
    "shabana mahmood", "yvette cooper", "james cleverly", "suella braverman",
    "priti patel", "garcia harfuch", "rosa icela rodriguez",
    "王小洪", "赵克志", "郭声琨", "孟建柱",
  },

  ministerial_contacts = {
    "call", "meeting", "meet", "met", "spoke", "speak", "talk", "discuss",
    "hold", "held", "visit", "video call", "video conference",
    "通电话", "通话", "会见", "会谈", "会晤", "举行", "视频", "视讯", "会议",
  },

  ---------------------------------------------------------------------------
  -- removal-flight: a FLIGHT phrase; or a FLIGHT WORD governed by a REMOVAL
  -- word before it ("deportation military flights", "ICE's … flights");
  -- or a FLIGHT WORD and a REMOVAL word anywhere ("chartered flight to send
  -- back") — unless the title is an explainer (removal_not).

  removal_flights = {
    "removal flight", "deportation flight", "repatriation flight",
    "removal charter", "deportation charter", "repatriation charter",
    "ice air", "ice flight",
    "遣返包机", "遣返航班", "包机遣返", "遣返专机", "遣返班机", "遣返飞机",
  },

  removal_charters = {
    "charter", "chartered", "flight", "plane", "aircraft", "包机", "航班",
    "专机", "班机", "飞机", "架",
  },

  removal_words = {
    "removal*", "deport", "deportation", "deportee", "repatriation",
    "repatriate", "send back", "sent back", "ice",
    "遣返", "遣送",
  },

  removal_not = {
    "behind the scenes", "how", "what to know", "explainer", "explained",
  },

  ---------------------------------------------------------------------------
  -- entry-refusal: ENTRY governed by a REFUSAL word ("denied US entry",
  -- 拒绝入境); or an ACT with a PLACE of entry and a SCHOLAR or TRAVELLER;
  -- or a BORDER ACT and a SCHOLAR (盘查中国留学生); or a HOLD act and a SEND
  -- act with a SCHOLAR or TRAVELLER ("questioned for hours, then sent
  -- back") — never when the title is about illegal entry or a suspect
  -- (entry_exclusions): that is a removal or a repatriation.

  entry_words = { "entry", "admission", "boarding", "入境" },
  entry_refusals = {
    "deny", "denied", "refuse", "refused", "bar", "barred", "reject", "turned away",
    "拒绝", "禁止", "拒",
  },

  entry_strong = {
    "barred from entering", "turned away at", "拒之门外", "拒绝入境",
  },

  -- acts that need a place of entry to mean a refusal at the border
  entry_acts = {
    "questioned", "questioning", "interrogated", "interrogation", "grilled",
    "harassed", "harassment", "sent back", "sent home", "deported",
    "deportation", "detained", "detention", "held", "visa cancelled",
    "visa canceled", "visa revoked", "expelled", "searched", "search",
    "turn over", "scrutiny", "rejection", "barred",
    "审讯", "滋扰", "骚扰", "扣留", "遣送", "扣押",
  },

  -- acts that happen at the border by themselves
  entry_border_acts = {
    "turned away", "turned back", "secondary inspection", "inadmissible",
    "盘查", "盘问", "遣返", "遣送回国",
  },

  -- the two halves of "held, then sent back"
  entry_holds = {
    "questioned", "interrogated", "grilled", "detained", "held", "searched",
    "扣留", "盘查", "盘问", "审讯",
  },
  entry_sends = { "deported", "sent back", "sent home", "turned back", "遣返" },

  entry_scholars = {
    "student", "scholar", "researcher", "academic", "professor", "scientist",
    "postdoc", "graduate", "writer", "journalist",
    "留学生", "学生", "学者", "研究人员", "访问学者", "教授",
  },

  entry_places = {
    "airport", "port of entry", "ports of entry", "border", "checkpoint",
    "at entry", "on arrival", "upon arrival", "arriving", "customs", "cbp",
    "lax", "jfk", "houston", "los angeles", "l a", "new york", "newark",
    "san francisco", "chicago", "miami", "dallas", "seattle", "boston",
    "atlanta", "detroit", "honolulu",
    "入境", "机场", "口岸", "海关", "边境",
  },

  entry_travellers = {
    "citizen", "national", "traveler", "traveller", "visitor", "passenger",
    "tourist", "visa", "chinese", "australian", "canadian", "european",
    "british", "indian", "german", "french", "japanese",
    "公民", "旅客", "游客",
  },

  -- Not an entry refusal: people removed for entering illegally, or
  -- suspects sent home to face justice.
  entry_exclusions = {
    "illegal immigrant", "illegal migrant", "illegal alien", "undocumented",
    "illegally", "suspect", "fugitive", "gang", "criminal",
    "非法入境", "非法移民", "非法滞留", "嫌疑人", "逃犯",
  },
}

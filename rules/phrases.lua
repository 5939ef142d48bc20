-- phrases.lua — the phrase lists of the shipped rules, in one place to edit.
--
-- Not a rule: vane loads this file as data and every rule reads it as
-- vane.phrases.NAME. A phrases.lua in your own rules folder replaces the
-- lists it names (keep the name, change the list) and leaves the others as
-- shipped; a list set to {} turns that part of a rule off.
--
-- How an entry matches (vane.phrase.find):
--   "working group"  a plain phrase. Case, punctuation and spacing do not
--                    matter: "U.S.-China", "US , China" and "us china" are
--                    the same, as are ’ and ', – and -. It matches inside
--                    words too: "release" finds "released".
--   " call "         spaces at an end mean a word edge: " call " finds
--                    "Video Call with" but not "calls" or "recall".
--   "re:\\bCNWG\\b"  a PCRE2 regular expression (case-insensitive), once
--                    vane.regex is available.
-- Chinese phrases are plain substrings ("遣返包机").
--
-- Each rule says below how it combines its lists. Rules look at the titles
-- of new news items only (not at Federal Register documents, which
-- federal-register-new reports, nor at travel advisories).

return {

  ---------------------------------------------------------------------------
  -- new-meeting: a MEETING word and a MECHANISM word in the title. When the
  -- only words found are one and the same ("Dialogue", 磋商), the title must
  -- also carry a SIGNAL that a meeting took place ("second", "readout", 举行).

  meeting_kinds = {
    " meeting", " session", " plenary", " talks ", " consultation",
    " dialogue", " call ", " video call", " round of ", " technical exchange",
    " expert exchange", " experts exchange", " conference call",
    "会议", "会晤", "会谈", "高官会", "全会", "通话", "对话", "磋商",
    "技术交流", "专家会",
  },

  meeting_mechanisms = {
    " working group", " joint liaison group", " jlg ", " cnwg ", " dialogue",
    " committee", " commission", " task force", " mechanism", " joint commission",
    " steering group", " contact group", " expert group", " experts group",
    " consultative", " consultations ", " subgroup", " sub group",
    "工作组", "联络小组", "联合小组", "对话", "磋商", "委员会", "联委会", "机制",
    "工作小组",
  },

  meeting_signals = {
    " first ", " second ", " third ", " fourth ", " fifth ", " sixth ",
    " seventh ", " eighth ", " ninth ", " tenth ", " eleventh ", " twelfth ",
    " 1st ", " 2nd ", " 3rd ", " 4th ", " 5th ", " 6th ", " 7th ", " 8th ",
    " 9th ", " 10th ", " 11th ", " 12th ", " 13th ", " 14th ", " 15th ",
    " inaugural ", " annual ", " plenary ", " ministerial ", " high level ",
    " senior officials", " senior officals", " readout", " joint statement",
    " co chair", " convene", " hold ", " holds ", " held ", " launch",
    " meets ", " met ", " opens ", " concludes ",
    "第", "首次", "首届", "举行", "召开", "启动", "年度",
  },

  -- Where the message starts: the first of these words before the meeting
  -- word ("Readout of the Second Senior Officials' Meeting of …" → "Second
  -- Senior Officials' Meeting of …"). English words only; matched whole.
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
  -- prisoner-release: (an ACT and a DETAINED word) or (a FREED word and a
  -- DETAINED or PEOPLE word).

  prisoner_acts = {
    " exchange", " swap", " release of", " released", " to release",
    " releasing", " freed", " frees ", " free ", " traded ",
    "交换", "互换", "释放", "获释",
  },

  prisoner_detained = {
    " detained", " detainee", " prisoner", " hostage", " wrongfully",
    " jailed", " imprisoned", " in custody", " political prisoner",
    "被拘押", "被拘留", "被羁押", "被关押", "在押", "被扣押", "人质", "囚犯",
  },

  prisoner_freed = {
    " freed", " frees ", " returned home", " return home", " returns home",
    " released from", " walk free", " walks free", " home after years",
    "获释", "获释放",
  },

  prisoner_people = {
    " citizen", " national", " american", " americans", " chinese ", " journalist",
    " activist", " detainees",
    "公民", "人员",
  },

  ---------------------------------------------------------------------------
  -- repatriation: an ACT and a SUBJECT, or a STRONG phrase alone; never when
  -- the title reads as an entry refusal (see entry_*) without a SUBJECT word:
  -- "王喆入境美国时被盘查遣返" is a student sent back at the border.

  repatriation_acts = {
    " repatriated", " repatriation", " repatriate", " extradited",
    " extradition", " extradite", " handed over", " handover", " hand over",
    " hands over", " returned to", " returns to", " sent back to",
    " deported to", " deports ", " deported ", " brought back",
    "遣返", "引渡", "移交", "归案", "押解回国", "劝返", "被带回",
  },

  repatriation_subjects = {
    " fugitive", " suspect", " wanted ", " wanted for", " fraudster",
    " criminal", " convict", " accused", " on the run", " red notice",
    " embezzler", " fled ",
    "嫌疑人", "逃犯", "外逃", "在逃", "红通", "涉嫌", "罪犯", "诈骗犯",
    "贪官", "犯罪",
  },

  repatriation_strong = {
    " extradited", "被引渡", "引渡回国", "缉捕归案", "劝返回国",
  },

  ---------------------------------------------------------------------------
  -- ministerial-call: a HOMELAND-SECURITY side and an INTERIOR side in the
  -- same title, and a CONTACT word.

  ministerial_homeland = {
    " secretary of homeland security", " homeland security secretary",
    " dhs secretary", " secretary of the department of homeland security",
    " secretary of dhs",
    "国土安全部部长", "国土安全部长",
  },

  ministerial_interior = {
    " minister of public security", " public security minister",
    " minister of the interior", " interior minister", " minister of interior",
    " minister for home affairs", " minister of home affairs",
    " home affairs minister", " home minister", " home secretary",
    " minister of police", " police minister", " minister of internal affairs",
    " internal affairs minister", " minister of security",
    " secretary of security and citizen protection", " minister of justice and public security",
    " minister of justice and security", " minister of public order",
    "公安部部长", "公安部长", "内政部长", "内政部部长", "内务部长", "警察部长",
    "警务部长",
  },

  ministerial_contacts = {
    " call", " meeting", " meets ", " met ", " spoke", " speaks", " talks",
    " discuss", " hold ", " holds ", " held ", " visit",
    "通电话", "通话", "会见", "会谈", "会晤", "举行", "视频",
  },

  ---------------------------------------------------------------------------
  -- removal-flight: a FLIGHT phrase, or a CHARTER word and a REMOVAL word.

  removal_flights = {
    " removal flight", " deportation flight", " repatriation flight",
    " removal charter", " deportation charter", " repatriation charter",
    " ice air ", "遣返包机", "遣返航班", "包机遣返", "遣返专机",
  },

  removal_charters = {
    " charter", " chartered", " flight", " flights", "包机", "航班", "专机",
  },

  removal_words = {
    " removal", " removals", " deport", " repatriat",
    "遣返", "遣送",
  },

  ---------------------------------------------------------------------------
  -- entry-refusal: a STRONG phrase; or an ACT or BORDER ACT, a PLACE and a
  -- SCHOLAR or TRAVELLER word; or a BORDER ACT and a SCHOLAR word (盘查中国
  -- 留学生) — unless an EXCLUSION is there too.

  entry_strong = {
    " denied entry", " refused entry", " refused admission", " denied admission",
    " barred from entering", " turned away at", " denied boarding",
    "拒绝入境", "拒绝其入境", "拒之门外", "禁止入境",
  },

  -- acts that need a place of entry to mean a refusal at the border
  entry_acts = {
    " questioned", " questioning", " interrogated", " interrogation",
    " harassed", " harassment", " sent back", " sent home", " deported",
    " deportation of", " detained", " held for", " visa cancelled",
    " visa canceled", " visa revoked", " expelled", " searched",
    "审讯", "滋扰", "骚扰", "扣留", "遣送",
  },

  -- acts that happen at the border by themselves
  entry_border_acts = {
    " turned away", " turned back", " secondary inspection", " inadmissible",
    "盘查", "盘问", "遣返", "遣送回国",
  },

  entry_scholars = {
    " student", " scholar", " researcher", " academic", " professor",
    " postdoc", " graduate ",
    "留学生", "学生", "学者", "研究人员", "访问学者", "教授",
  },

  entry_places = {
    " airport", " port of entry", " ports of entry", " border", " at entry",
    " on arrival", " upon arrival", " arriving", " customs", " cbp ",
    " lax ", " jfk ",
    "入境", "机场", "口岸", "海关", "边境",
  },

  entry_travellers = {
    " citizen", " national", " traveler", " traveller", " visitor",
    " passenger", " chinese ", " tourist",
    "公民", "旅客", "游客",
  },

  -- Not an entry refusal: people removed for entering illegally are the
  -- business of removal-flight and repatriation.
  entry_exclusions = {
    " illegal immigrant", " illegal migrant", " illegal alien", " undocumented",
    "非法入境", "非法移民", "非法滞留",
  },
}

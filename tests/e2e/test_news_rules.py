"""The shipped news rules on fixture set A's news items (expected.md, steps
1, 3 and 4): exactly the listed flags and no others.

The items are the fixtures' titles (and a few summaries), served as JSON
and read by a small script, so these tests do not depend on the feed, HTML
and charset readers: what they prove is the rules' decisions on the items
those readers are meant to produce. Travel advisories are covered by
test_advisories.py."""

import json

from vanetest import VaneCase, describe, make_site

JSON_SCRIPT = """-- items straight from a JSON document { "items": [ … ] }
return function(doc)
  local d, err = vane.json.decode(doc.body)
  if not d then error(err) end
  return d.items
end
"""

NEWS_RULES = {"new-meeting", "prisoner-release", "repatriation", "ministerial-call",
              "removal-flight", "entry-refusal", "federal-register-new", "keyword-watch"}


def press(p, title, summary):
    return {"key": "https://www.state.gov/?p=%d" % p, "title": title, "summary": summary,
            "link": "https://www.state.gov/%d/" % p}


def mfa(path, title):
    return {"key": path, "title": title, "link": path}


def gdelt(url, title):
    return {"key": url, "title": title, "link": url}


def fr(number, kind, title):
    return {"key": number, "document_number": number, "type": kind, "title": title,
            "html_url": "https://www.federalregister.gov/d/%s" % number}


MEETING_TYPO = "Readout of the Second Senior Officals\u2019 Meeting of the U.S.-China Counternarcotics Working Group"
MEETING_FIXED = MEETING_TYPO.replace("Officals", "Officials")

P_BASE = [
    press(478322, "United States and Fiji Sign Shiprider Agreement Amendment",
          "The amendment lets Fijian officers board U.S. Coast Guard vessels in more situations."),
    press(478301, "Designation of Human Smuggling Network Leaders",
          "The Department is designating three leaders of a smuggling network operating in Central America."),
    press(478233, "Announcement of Additional Humanitarian Assistance for Ukraine",
          "The United States announces further humanitarian funding for people affected by the war."),
    press(478210, "Secretary\u2019s Meeting with PRC Foreign Minister on the Margins of APEC",
          "The Secretary met the PRC Foreign Minister in Lima to review steps agreed between the two presidents."),
    press(477812, "U.S.-China Counternarcotics Working Group Technical Exchange on Precursor Chemicals",
          "Technical experts of the two governments met virtually to compare notes on the control of precursor chemicals."),
    press(477790, "Visa Restrictions on Officials Engaged in Transnational Repression",
          "The Department is taking steps to impose visa restrictions."),
]
RELEASE = press(478611, "Statement on the Release of Three U.S. Citizens Wrongfully Detained in the PRC",
                "Three U.S. citizens held in the People\u2019s Republic of China are on their way home "
                "following a prisoner exchange.")
FACT_SHEET = press(478704, "Fact Sheet: Countering Synthetic Drug Trafficking",
                   "An overview of U.S. diplomatic work against the trafficking of fentanyl and other "
                   "synthetic drugs, including through the U.S.-China Counternarcotics Working Group.")
P1 = P_BASE
P2 = [RELEASE, press(478560, MEETING_TYPO, "Senior officials of the Working Group met in Beijing.")] + P_BASE
P3 = [FACT_SHEET, RELEASE, press(478560, MEETING_FIXED, "Senior officials of the Working Group met in Beijing.")] \
    + P_BASE[:-1]

D_BASE = [
    {"key": "tag:dhs.gov,2024-11-19:node/51893", "title": "DHS Releases Guidance for Election Infrastructure Owners"},
    {"key": "tag:dhs.gov,2024-11-18:node/51877", "title": "CBP Officers Seize Counterfeit Electronics at Dulles"},
    {"key": "tag:dhs.gov,2024-11-14:node/51840",
     "title": "Readout of Secretary of Homeland Security\u2019s Meeting with Mexican Security Officials"},
]
D1 = D_BASE + [{"key": "tag:dhs.gov,2024-11-12:node/51820",
                "title": "DHS Announces New Screening Technology Funding for Land Ports of Entry"}]
D2 = [{"key": "tag:dhs.gov,2024-11-27:node/51970",
       "title": "ICE Conducts Removal Flight to the People\u2019s Republic of China"},
      {"key": "tag:dhs.gov,2024-11-26:node/51961",
       "title": "Readout of Secretary of Homeland Security\u2019s Video Call with PRC Minister of Public Security"}] + D_BASE

F_KEPT = [
    fr("2024-27581", "Notice", "Culturally Significant Objects Being Imported for Exhibition\u2014Determinations: "
       "\u201cCeramics of the Song Dynasty\u201d Exhibition"),
    fr("2024-27402", "Notice", "Agency Information Collection Activities: Secondary Inspection Records for "
       "Nonimmigrant Students"),
    fr("2024-27111", "Notice", "Notice of Department of State Sanctions Actions Pursuant to Executive Order 14059"),
]
F1 = F_KEPT + [
    fr("2024-26990", "Notice", "Advisory Committee on International Law Enforcement Cooperation; Notice of Open Meeting"),
    fr("2024-26877", "Notice", "Privacy Act of 1974; System of Records"),
]
F2 = [fr("2024-28431", "Rule", "Schedules of Controlled Substances: Temporary Placement of Two Nitazene "
         "Analogues in Schedule I"),
      fr("2024-28390", "Notice", "Imposition of Visa Restrictions on Officials of the People\u2019s Republic of China")] \
    + F_KEPT

SPOKES = "Foreign Ministry Spokesperson"
E_KEPT = [
    mfa("./202411/t20241120_11530105.html", SPOKES + " Lin Jian\u2019s Regular Press Conference on November 20, 2024"),
    mfa("./202411/t20241119_11529877.html", SPOKES + "\u2019s Remarks on the U.S. Visa Restrictions Concerning Chinese Officials"),
    mfa("./202411/t20241119_11529410.html", SPOKES + " Lin Jian\u2019s Regular Press Conference on November 19, 2024"),
    mfa("./202411/t20241118_11528873.html", SPOKES + " Lin Jian\u2019s Regular Press Conference on November 18, 2024"),
]
E1 = E_KEPT + [
    mfa("./202411/t20241115_11527702.html", SPOKES + " Lin Jian\u2019s Regular Press Conference on November 15, 2024"),
    mfa("./202411/t20241114_11527140.html", SPOKES + " Lin Jian\u2019s Regular Press Conference on November 14, 2024"),
    mfa("./202411/t20241113_11526598.html", SPOKES + "\u2019s Remarks on the Handover of a Telecom Fraud Suspect by the United States"),
    mfa("./202411/t20241112_11525980.html", SPOKES + " Lin Jian\u2019s Regular Press Conference on November 12, 2024"),
]
E2 = [
    mfa("./202411/t20241129_11534960.html", SPOKES + "\u2019s Remarks on the Repatriation of a Fugitive Suspect from the United States"),
    mfa("./202411/t20241128_11534302.html", SPOKES + "\u2019s Remarks on the China-U.S. Exchange of Detained\u00a0Nationals"),
    mfa("./202411/t20241128_11534199.html", SPOKES + " Lin Jian\u2019s Regular Press Conference on November 28, 2024"),
    mfa("./202411/t20241123_11531633.html", SPOKES + "\u2019s Remarks on the Second Senior Officials\u2019 Meeting of the "
        "China-U.S. Counternarcotics Working Group"),
] + E_KEPT

Z_KEPT = [
    mfa("./202411/t20241119_11529502.shtml", "外交部发言人就美方对中国官员实施签证限制答记者问（2024-11-19）"),
    mfa("./202411/t20241118_11528911.shtml", "外交部发言人就美方无理盘查中国留学生答记者问（2024-11-18）"),
    mfa("./202411/t20241116_11528120.shtml", "外交部发言人就亚太经合组织领导人非正式会议答记者问（2024-11-16）"),
    mfa("./202411/t20241115_11527730.shtml", "外交部发言人就中方协助美方追回涉案资金答记者问（2024-11-15）"),
]
Z1 = Z_KEPT + [
    mfa("./202411/t20241112_11525603.shtml", "外交部发言人就中美执法合作答记者问（2024-11-12）"),
    mfa("./202411/t20241108_11523377.shtml", "外交部发言人就美国大选结果答记者问（2024-11-08）"),
]
Z2 = [
    mfa("./202411/t20241129_11534955.shtml", "外交部发言人就中国公民王喆入境美国时被盘查遣返答记者问（2024-11-29）"),
    mfa("./202411/t20241128_11534290.shtml", "外交部发言人就中美双方交换被拘押人员答记者问（2024-11-28）"),
    mfa("./202411/t20241123_11531502.shtml", "外交部发言人就中美禁毒合作工作组第二次高官会答记者问（2024-11-23）"),
] + Z_KEPT

G_KEPT = [
    gdelt("https://world.example-news.com/2024/11/20/us-china-drug-talks-next-week",
          "US , China officials to hold second round of drug talks next week"),
    gdelt("https://asia.example-times.net/china/detained-americans-families-appeal",
          "Families of Americans detained in China renew appeal before Thanksgiving"),
    gdelt("https://policy.example-review.org/analysis/law-enforcement-channel",
          "Analysis : the quiet US - China law enforcement channel"),
]
G1 = G_KEPT + [
    gdelt("https://asia.example-times.net/china/students-questioned-airports",
          "Chinese students questioned for hours at US airports , group says"),
    gdelt("https://markets.example-post.com/china-fentanyl-precursors",
          "China tightens controls on two more fentanyl precursors"),
]
G2 = [
    gdelt("https://news.example-wire.com/us-china-prisoner-swap", "US , China swap detained citizens in rare deal"),
    gdelt("https://cn.example-daily.cn/english/fugitive-returned-from-us",
          "Fugitive wanted for fraud returned to China from US , ministry says"),
    gdelt("https://asia.example-times.net/china/student-sent-home-lax",
          "Chinese graduate student sent home after questioning at Los Angeles airport"),
] + G_KEPT

# source id -> {step: items}; a step not listed serves the previous file again
SERIES = {
    "press": {1: P1, 3: P2, 4: P3},
    "dhs": {1: D1, 3: D2},
    "fr": {1: F1, 4: F2},
    "mfa-en": {1: E1, 4: E2},
    "mfa-zh": {1: Z1, 4: Z2},
    "gdelt": {1: G1, 4: G2},
}
NOW = {1: "2024-11-20T23:00:00Z", 3: "2024-11-27T23:30:00Z", 4: "2024-12-03T23:00:00Z"}

# expected.md, the news part of steps 3 and 4: (rule, source, key)
EXPECTED = {
    1: set(),
    3: {("new-meeting", "press", "https://www.state.gov/?p=478560"),
        ("prisoner-release", "press", "https://www.state.gov/?p=478611"),
        ("ministerial-call", "dhs", "tag:dhs.gov,2024-11-26:node/51961"),
        ("removal-flight", "dhs", "tag:dhs.gov,2024-11-27:node/51970")},
    4: {("federal-register-new", "fr", "2024-28431"),
        ("federal-register-new", "fr", "2024-28390"),
        ("repatriation", "mfa-en", "./202411/t20241129_11534960.html"),
        ("prisoner-release", "mfa-en", "./202411/t20241128_11534302.html"),
        ("new-meeting", "mfa-en", "./202411/t20241123_11531633.html"),
        ("entry-refusal", "mfa-zh", "./202411/t20241129_11534955.shtml"),
        ("prisoner-release", "mfa-zh", "./202411/t20241128_11534290.shtml"),
        ("new-meeting", "mfa-zh", "./202411/t20241123_11531502.shtml"),
        ("prisoner-release", "gdelt", "https://news.example-wire.com/us-china-prisoner-swap"),
        ("repatriation", "gdelt", "https://cn.example-daily.cn/english/fugitive-returned-from-us"),
        ("entry-refusal", "gdelt", "https://asia.example-times.net/china/student-sent-home-lax")},
}


def site_files():
    files = {}
    for src, steps in SERIES.items():
        for step, items in steps.items():
            files["%s_%d.json" % (src, step)] = json.dumps({"items": items}, ensure_ascii=False)
    return files


class NewsSeries(VaneCase):
    """Fixture set A's news sources through the shipped rules."""

    def news_monitor(self, extra_config=""):
        site = make_site(self, site_files())
        m = self.monitor(serve_dir=site, sources=[])
        m.add_script("json_items", JSON_SCRIPT)
        m.sources = [{"id": src, "url": m.server.url("/%s.json" % src), "script": "json_items",
                      "every": "1h", "timeout": "20s"} for src in SERIES]
        m.write_config()
        if extra_config:
            with open(m.config, "a", encoding="utf-8") as f:
                f.write(extra_config)
        return m

    def run_step(self, m, step):
        for src, steps in SERIES.items():
            served = max(s for s in steps if s <= step)
            m.serve("%s_%d.json" % (src, served), path="/%s.json" % src)
        return m.run(NOW[step])

    def test_steps_flag_exactly_what_expected_md_lists(self):
        m = self.news_monitor()
        for step in (1, 3, 4):
            r = self.run_step(m, step)
            got = sorted((f["rule"], f["source"], f["key"]) for f in r.flags)
            self.assertEqual(got, sorted(EXPECTED[step]), "step %d\n%s" % (step, describe(r)))

    def test_messages_name_what_matters(self):
        m = self.news_monitor()
        for step in (1, 3):
            r = self.run_step(m, step)
        by_rule = {f["rule"]: f["message"] for f in r.flags}
        self.assertEqual(by_rule["new-meeting"],
                         "New meeting: Second Senior Officals' Meeting of the U.S.-China Counternarcotics Working Group")
        self.assertEqual(by_rule["prisoner-release"],
                         "Prisoner release: Statement on the Release of Three U.S. Citizens Wrongfully Detained in the PRC")
        r = self.run_step(m, 4)
        msgs = {(f["rule"], f["source"]): f["message"] for f in r.flags}
        self.assertEqual(msgs[("new-meeting", "mfa-zh")], "New meeting: 中美禁毒合作工作组第二次高官会")
        self.assertIn("Counternarcotics Working Group", msgs[("new-meeting", "mfa-en")])
        fr_msgs = sorted(f["message"] for f in r.flags if f["rule"] == "federal-register-new")
        self.assertEqual(fr_msgs, [
            "Federal Register 2024-28390 (Notice): Imposition of Visa Restrictions on Officials of the "
            "People's Republic of China",
            "Federal Register 2024-28431 (Rule): Schedules of Controlled Substances: Temporary Placement "
            "of Two Nitazene Analogues in Schedule I"])

    def test_rerunning_a_step_raises_nothing_new(self):
        m = self.news_monitor()
        for step in (1, 3, 4):
            self.run_step(m, step)
        n = len(m.flags())
        r = self.run_step(m, 4)
        self.assertEqual(r.flags, [])
        self.assertEqual(len(m.flags()), n)


if __name__ == "__main__":
    import unittest
    unittest.main()

"""`vane flags mark ID useful|noise [--note TEXT] [--as NAME]` and `vane
rules [--json]` on real runs of the advisory series: marking flags moves a
rule's precision (1 useful, 1 noise -> 0.50), a second verdict on a flag
replaces the first, the verdict is stored with its note and who gave it
(--as, else $USER, else "cli"); an unknown flag id, a bad verdict word or
a missing argument exit 2 with a clear error and store nothing."""


from vanetest import LEVEL_RULE, VaneCase, describe, parse_json_lines


class Verdicts(VaneCase):

    def setUp(self):
        self.m = self.monitor()
        self.m.step(1)
        self.m.step(2, expect=None)
        self.m.step(3, expect=None)
        flags = [f for f in self.m.flags() if f["rule"] == LEVEL_RULE]
        self.assertGreaterEqual(len(flags), 2, "the series raises level changes")
        self.ids = sorted(f["id"] for f in flags)

    def rules(self):
        r = self.m.vane("rules", "--json")
        self.assertExit(r, 0, "vane rules --json")
        return {row["id"]: row for row in parse_json_lines(r.stdout, "vane rules --json")}

    def mark(self, *args, code=0, env=None):
        r = self.m.vane("flags", "mark", *[str(a) for a in args], env=env)
        self.assertExit(r, code, "vane flags mark " + " ".join(map(str, args)))
        return r

    def verdicts(self):
        return self.m.sql("SELECT flag_id, verdict, note, who FROM verdicts ORDER BY flag_id")

    def test_precision_moves_with_the_verdicts(self):
        before = self.rules()
        row = before[LEVEL_RULE]
        self.assertEqual(row["flags"], len(self.ids))
        self.assertEqual((row["useful"], row["noise"], row["precision"]), (0, 0, None))
        self.assertEqual(row["unjudged"], row["flags"])
        self.assertEqual(row["file"].rsplit("/", 1)[-1], LEVEL_RULE.replace("-", "_") + ".lua")
        self.assertTrue(row["title"])
        # the text listing says "—" before any verdict
        r = self.m.vane("rules")
        self.assertExit(r, 0, "vane rules")
        line = next(l for l in r.stdout.splitlines() if l.startswith(LEVEL_RULE))
        self.assertIn("—", line)

        out = self.mark(self.ids[0], "useful")
        self.assertIn("flag %d marked useful" % self.ids[0], out.stdout)
        self.assertEqual(self.rules()[LEVEL_RULE]["precision"], 1.0)
        self.mark(self.ids[1], "noise", "--note", "a routine review", "--as", "ana")
        row = self.rules()[LEVEL_RULE]
        self.assertEqual((row["useful"], row["noise"]), (1, 1))
        self.assertEqual(row["precision"], 0.5)
        self.assertEqual(row["unjudged"], row["flags"] - 2)
        r = self.m.vane("rules")
        line = next(l for l in r.stdout.splitlines() if l.startswith(LEVEL_RULE))
        self.assertIn("0.50", line.split(), describe(r))

        # the last word counts: the useful one becomes noise
        self.mark(self.ids[0], "noise")
        row = self.rules()[LEVEL_RULE]
        self.assertEqual((row["useful"], row["noise"], row["precision"]), (0, 2, 0.0))

    def test_who_and_note_are_stored(self):
        self.mark(self.ids[0], "noise", "--note", "ça dépend <b>", "--as", "ana")
        self.mark(self.ids[1], "useful", env={"USER": "bob"})
        env = {"USER": ""}
        self.mark(self.ids[1], "useful", env=env)
        self.assertEqual(self.verdicts(), [(self.ids[0], "noise", "ça dépend <b>", "ana"),
                                           (self.ids[1], "useful", None, "cli")])
        self.mark(self.ids[1], "noise", env={"USER": "bob"})
        self.assertEqual(self.verdicts()[1], (self.ids[1], "noise", None, "bob"))

        r = self.mark(self.ids[0], "useful", "--json", "--now", "2024-12-05T08:00:00Z",
                      "--note", "ok \"then\"", env={"USER": "bob"})
        out = parse_json_lines(r.stdout, "vane flags mark --json")
        self.assertEqual(out, [{"flag": self.ids[0], "verdict": "useful", "note": 'ok "then"',
                                "who": "bob", "at": "2024-12-05T08:00:00Z"}])

    def test_a_hostile_name_cannot_move_the_cursor(self):
        r = self.mark(self.ids[0], "noise", "--as", "eve\x1b[2J")
        self.assertNotIn("\x1b", r.stdout)
        self.assertIn("by eve", r.stdout)
        self.assertEqual(self.verdicts()[0][3], "eve\x1b[2J", "stored as given")

    def test_bad_input_exits_2_and_stores_nothing(self):
        r = self.mark(999999, "useful", code=2)
        self.assertIn("no flag 999999", r.stderr)
        r = self.mark(self.ids[0], "great", code=2)
        self.assertIn("useful or noise, not 'great'", r.stderr)
        r = self.mark("abc", "noise", code=2)
        self.assertIn("'abc' is not a flag id", r.stderr)
        r = self.mark(self.ids[0], code=2)
        self.assertIn("needs a flag id and a verdict", r.stderr)
        r = self.m.vane("flags", "mrak", str(self.ids[0]), "noise")
        self.assertExit(r, 2, "vane flags mrak")
        r = self.m.vane("flags", "--note", "x")
        self.assertExit(r, 2, "vane flags --note")
        self.assertEqual(self.verdicts(), [])
        self.assertEqual(self.rules()[LEVEL_RULE]["precision"], None)


class RulesListing(VaneCase):

    def test_a_broken_rule_is_reported_and_the_others_listed(self):
        m = self.monitor()
        m.rules_copy({"broken.lua": "return { id = 'broken', when = \n"})
        r = m.vane("rules", "--json")
        self.assertExit(r, 1, "vane rules with a broken rule file")
        self.assertRegex(r.stderr, r"broken\.lua:\d+: ")
        rows = parse_json_lines(r.stdout, "vane rules --json")
        ids = [row["id"] for row in rows]
        self.assertIn(LEVEL_RULE, ids)
        self.assertNotIn("broken", ids)
        # no database yet: every count is 0, precision null
        row = next(x for x in rows if x["id"] == LEVEL_RULE)
        self.assertEqual((row["flags"], row["useful"], row["noise"], row["precision"]),
                         (0, 0, 0, None))
        self.assertFalse(any(p in r.stdout + r.stderr for p in (m.dir,)),
                         "no machine path in the output")

    def test_extra_words_are_refused(self):
        m = self.monitor()
        r = m.vane("rules", "extra")
        self.assertExit(r, 2, "vane rules extra")

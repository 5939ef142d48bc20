"""`vane replay`: a rule over the stored history, printing what it would
have flagged and changing nothing."""

from vanetest import LEVEL_RULE, NOTATION_RULE, VaneCase, describe, parse_json_lines


class Replay(VaneCase):

    def four_steps(self, m):
        for n in (1, 2, 3, 4):
            m.step(n)

    def test_replay_gives_the_flags_the_runs_raised_and_writes_nothing(self):
        m = self.monitor()
        self.four_steps(m)
        raised = [(f["message"], f["event_id"]) for f in m.flags("--rule", LEVEL_RULE)]
        counts = m.sql("SELECT (SELECT count(*) FROM flags), (SELECT count(*) FROM outbox), "
                       "(SELECT through FROM evaluation)")
        r = m.vane("replay", "--rule", LEVEL_RULE, "--json")
        self.assertEqual(r.returncode, 0, describe(r))
        replayed = [(f["message"], f["event_id"]) for f in parse_json_lines(r.stdout)]
        self.assertEqual(replayed, raised)
        self.assertEqual(len(raised), 3)          # Madagascar, China, Sao Tome
        self.assertEqual(m.sql("SELECT (SELECT count(*) FROM flags), (SELECT count(*) FROM outbox), "
                               "(SELECT through FROM evaluation)"), counts)

    def test_since_and_until_bound_the_history(self):
        m = self.monitor()
        self.four_steps(m)
        r = m.vane("replay", "--rule", LEVEL_RULE, "--since", "2024-11-23T00:00:00Z",
                   "--until", "2024-11-28T00:00:00Z")
        self.assertEqual(r.returncode, 0, describe(r))
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 1, r.stdout)
        self.assertIn("China: Level 3 → Level 2", lines[0])
        self.assertIn("1 flag", r.stderr)

    def test_an_edited_rule_is_tried_on_old_events(self):
        m = self.monitor()
        self.four_steps(m)
        d = m.rules_copy()
        path = d + "/advisory_notation_change.lua"
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace('severity = "high"', 'severity = "low"', 1))
        r = m.vane("replay", "--rule", NOTATION_RULE)
        self.assertEqual(r.returncode, 0, describe(r))
        # Equatorial Guinea O added, China D removed, Sao Tome H added, Mexico T added
        self.assertEqual(len(r.stdout.splitlines()), 4, r.stdout)
        self.assertTrue(all(l.startswith("[low] ") for l in r.stdout.splitlines()), r.stdout)

    def test_unknown_rule_and_missing_rule_option_are_usage_errors(self):
        m = self.monitor()
        m.step(1)
        self.assertEqual(m.vane("replay", "--rule", "no-such-rule").returncode, 2)
        self.assertEqual(m.vane("replay").returncode, 2)
        self.assertEqual(m.vane("replay", "--rule", LEVEL_RULE, "--until", "soon").returncode, 2)

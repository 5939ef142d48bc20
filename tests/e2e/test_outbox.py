"""The outbox end to end: a channel that is down keeps its flags pending with
their attempts, error and next try; they go out in order, exactly once, when
it comes back; after max_attempts a flag is dead, shown by `vane outbox`,
counted in the exit status, and `vane outbox retry` revives it; routing
excludes; `vane deliver` between runs. The channel here is a file whose
folder can be taken away and given back — a real failure of a real write."""

import json
import os
import shutil

from vanetest import LEVEL_RULE, NOTATION_RULE, VaneCase, describe, lua_value

# Step 2 raises two flags, step 3 three more (China twice, Kosovo listed),
# step 4 four more.
STEP_FLAGS = {2: 2, 3: 3, 4: 4}
# later than step 4's --now, one hour apart
LATER = ["2024-12-04T00:%02d:00Z" % m for m in range(0, 60, 10)] + \
        ["2024-12-04T%02d:00:00Z" % h for h in range(1, 24)]


def add_channels(m, channels):
    """Write the monitor's vane.lua with these channel declarations."""
    m.write_config()
    with open(m.config, "a", encoding="utf-8") as f:
        for ch in channels:
            f.write("channel " + lua_value(ch) + "\n")


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert text == "" or text.endswith("\n"), "a half-written line in %s" % path
    return [json.loads(l) for l in text.splitlines()]


class Outbox(VaneCase):

    def setUp(self):
        self.m = self.monitor()
        self.folder = os.path.join(self.m.dir, "alerts")
        self.path = os.path.join(self.folder, "flags.jsonl")

    def file_channel(self, **extra):
        ch = {"id": "archive", "kind": "file", "path": self.path, "retry_after": "10m"}
        ch.update(extra)
        return ch

    def outbox(self, *extra):
        return self.m.query("outbox", *extra)

    def test_a_channel_down_for_two_runs_gets_every_flag_once_and_in_order(self):
        add_channels(self.m, [self.file_channel()])
        self.m.step(1)
        r = self.m.step(2, expect=1)                     # the folder does not exist yet
        self.assertEqual(len(r.flags), 2, describe(r))   # stdout still has them
        self.assertIn("channel archive", r.stderr)
        rows = self.outbox()
        self.assertEqual([(o["channel"], o["status"], o["attempts"]) for o in rows],
                         [("archive", "pending", 1), ("archive", "pending", 0)])
        self.assertTrue(rows[0]["last_error"] and rows[0]["next_attempt"])
        self.assertEqual(rows[0]["next_attempt"], "2024-11-22T23:10:00Z")   # retry_after later

        r = self.m.step(3, expect=1)                     # still down: the head is tried again
        rows = self.outbox()
        self.assertEqual([o["attempts"] for o in rows], [2, 0, 0, 0, 0])
        self.assertEqual(rows[0]["next_attempt"], "2024-11-27T23:50:00Z")   # doubled
        self.assertEqual(read_lines(self.path), [])

        os.makedirs(self.folder)
        self.m.step(4)                                   # back: everything, in flag order
        got = read_lines(self.path)
        ids = [f["id"] for f in got]
        self.assertEqual(len(ids), sum(STEP_FLAGS.values()))
        self.assertEqual(ids, sorted(ids))
        self.assertEqual(len(set(ids)), len(ids))
        self.assertEqual(self.outbox(), [])
        self.m.run(LATER[0])
        self.assertEqual(len(read_lines(self.path)), len(ids), "delivered twice")

    def test_a_failed_head_is_not_retried_before_its_time(self):
        add_channels(self.m, [self.file_channel(retry_after="1h")])
        self.m.step(1)
        self.m.step(2, expect=1)
        os.makedirs(self.folder)
        r = self.m.vane("deliver", "--now", "2024-11-22T23:30:00Z")   # not due yet
        self.assertExit(r, 0, "deliver before the retry time")
        self.assertEqual(read_lines(self.path), [])
        r = self.m.vane("deliver", "--now", "2024-11-23T00:00:00Z")
        self.assertExit(r, 0, "deliver at the retry time")
        self.assertEqual(sorted(f["rule"] for f in read_lines(self.path)),
                         sorted([LEVEL_RULE, NOTATION_RULE]))  # both, once
        self.assertEqual(self.outbox(), [])

    def test_after_max_attempts_a_flag_is_dead_until_revived(self):
        add_channels(self.m, [self.file_channel(max_attempts=2, retry_after="1m")])
        self.m.step(1)
        self.m.step(2, expect=1)
        r = self.m.run(LATER[0], expect=1)               # second failure of the head: dead
        self.assertIn("dead after 2 attempts", r.stderr)
        rows = self.outbox()
        self.assertEqual(rows[0]["status"], "dead")
        # the row behind it is tried once the head is dead
        self.assertEqual(rows[1]["attempts"], 1)
        r = self.m.run(LATER[2], expect=1)
        self.assertEqual([o["status"] for o in self.outbox()], ["dead", "dead"])
        text = self.m.vane("outbox")
        self.assertIn("dead", text.stdout)
        r = self.m.run(LATER[3])                         # dead rows are not tried again
        self.assertEqual(read_lines(self.path), [])

        os.makedirs(self.folder)
        r = self.m.vane("outbox", "retry", "--channel", "archive")
        self.assertExit(r, 0, "outbox retry")
        self.assertIn("2 dead alerts pending again", r.stdout)
        r = self.m.vane("deliver", "--now", LATER[4])
        self.assertExit(r, 0, "deliver")
        self.assertEqual(len(read_lines(self.path)), 2)
        self.assertEqual(self.outbox(), [])
        self.assertEqual(len(self.outbox("--all")), 2 + 2)   # stdout's and the archive's, sent

    def test_routing_excludes_and_minimum_severity(self):
        os.makedirs(self.folder)
        other = os.path.join(self.folder, "levels.jsonl")
        add_channels(self.m, [self.file_channel(exclude_rules=[LEVEL_RULE]),
                              {"id": "levels", "kind": "file", "path": other,
                               "rules": [LEVEL_RULE, NOTATION_RULE],
                               "min_severity": "high"}])
        self.m.step(1)
        self.m.step(2)
        self.assertEqual([f["rule"] for f in read_lines(self.path)], [NOTATION_RULE])
        self.assertEqual(sorted(f["rule"] for f in read_lines(other)), sorted([LEVEL_RULE, NOTATION_RULE]))

    def test_a_digest_channel_gets_all_flags_of_a_run_at_once(self):
        os.makedirs(self.folder)
        add_channels(self.m, [self.file_channel(digest=True)])
        self.m.step(1)
        self.m.step(2)
        self.m.step(3)
        got = read_lines(self.path)
        self.assertEqual(len(got), STEP_FLAGS[2] + STEP_FLAGS[3])
        self.assertEqual(self.outbox(), [])

    def test_deliver_needs_no_fetch_and_respects_the_lock(self):
        add_channels(self.m, [self.file_channel()])
        self.m.step(1)
        self.m.step(2, expect=1)
        os.makedirs(self.folder)
        before = self.m.server.requests()
        r = self.m.vane("deliver", "--now", LATER[5])
        self.assertExit(r, 0, "deliver")
        self.assertEqual(self.m.server.requests(), before, "deliver fetched something")
        self.assertEqual(len(read_lines(self.path)), 2)
        # stdout rows were printed by the run itself, not again
        self.assertEqual(r.stdout.strip(), "")

    def tearDown(self):
        shutil.rmtree(self.folder, ignore_errors=True)

-- advisory_wording.lua — vane.advisory.WORDING: the words with which the
-- State Department's change notes ("The “Crime” risk indicator was added.",
-- "… and removal of the Natural Disaster (N) indicator.") name risk
-- indicators and say what happened to them. Data, not code: how the note is
-- read is vane.advisory.change_note; a source adds words with
-- options.indicator_names and options.indicator_verbs in the same form
-- (README, "Shipped scripts").
return {
  -- name (lower case, as a note writes it) → letter. A name of several
  -- words is matched whole, the longest first.
  names = {
    ["crime"] = "C",
    ["terrorism"] = "T",
    ["civil unrest"] = "U",
    ["unrest"] = "U",
    ["health"] = "H",
    ["natural disaster"] = "N",
    ["natural disasters"] = "N",
    ["time-limited event"] = "E",
    ["time limited event"] = "E",
    ["kidnapping or hostage-taking"] = "K",
    ["kidnapping or hostage taking"] = "K",
    ["kidnapping and hostage-taking"] = "K",
    ["kidnapping"] = "K",
    ["hostage-taking"] = "K",
    ["hostage taking"] = "K",
    ["wrongful detention"] = "D",
    ["other"] = "O",
  },
  -- word (lower case) → what it says happened to the indicators it governs.
  -- "updated" is neither added nor removed: "Reissued with updates to the
  -- “Wrongful Detention” risk indicator" changes no letter.
  verbs = {
    added = { "add", "adds", "added", "adding", "addition", "include", "includes",
              "included", "including", "inclusion", "introduce", "introduced",
              "introduction", "reinstated", "restored" },
    removed = { "remove", "removes", "removed", "removing", "removal", "drop", "dropped",
                "dropping", "delete", "deleted", "deletion", "eliminate", "eliminated",
                "withdrawn", "rescind", "rescinded" },
    updated = { "update", "updates", "updated", "updating", "change", "changes",
                "changed", "revise", "revised", "revision", "revisions", "edit", "edits",
                "edited", "modified", "modification", "modifications", "clarify",
                "clarified" },
  },
}

-- 013_flag_context.sql — what a flag carries for people who were not at the
-- terminal: the item's title and link, the source's name, the rule's title
-- and what changed (a JSON array, channel/changes.h), recorded when the
-- flag is raised so a later edit of a rule or source does not rewrite
-- what an alert said. Flags raised before this migration have none.
ALTER TABLE flags ADD COLUMN title TEXT;
ALTER TABLE flags ADD COLUMN link TEXT;
ALTER TABLE flags ADD COLUMN source_name TEXT;
ALTER TABLE flags ADD COLUMN rule_title TEXT;
ALTER TABLE flags ADD COLUMN changes TEXT;

-- 015_flags_rule_severity.sql — the count of flags by rule and severity
-- (vane_flags_total, metrics/metrics.c) read from an index alone: with
-- flags(rule) only, every flag's row was read for its severity (about
-- 0.2 s with 100,000 flags; from this index, a tenth of that). flags(rule)
-- stays: it gives one rule's flags in id order.
CREATE INDEX IF NOT EXISTS flags_rule_severity ON flags(rule, severity);

DROP INDEX login_failures_last_idx;
DROP INDEX dossier_events_action_at_idx;
ALTER TABLE calendar_years DROP COLUMN edited;
ALTER TABLE calendar_years DROP COLUMN revision;

ALTER TABLE calendar_years DROP COLUMN edited;
ALTER TABLE calendar_years DROP COLUMN revision;

DROP INDEX dossiers_phone_trgm;
DROP INDEX dossiers_id_number_trgm;
DROP INDEX dossiers_folded_trgm;
DROP INDEX dossiers_code_trgm;
DROP INDEX dossiers_assignee_status_idx;
DROP INDEX dossiers_office_decided_idx;
DROP INDEX dossiers_status_due_idx;
ALTER TABLE dossiers DROP COLUMN timeliness;
ALTER TABLE dossiers DROP COLUMN withdrawn_at;

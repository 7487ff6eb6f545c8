DROP TRIGGER dossier_search_delete;
DROP TRIGGER dossier_search_update;
DROP TRIGGER dossier_search_insert;
DROP TABLE dossier_search;
DROP INDEX dossiers_assignee_status_idx;
DROP INDEX dossiers_office_decided_idx;
DROP INDEX dossiers_status_due_idx;
ALTER TABLE dossiers DROP COLUMN timeliness;
ALTER TABLE dossiers DROP COLUMN withdrawn_at;

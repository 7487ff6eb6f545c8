-- The period report counts what was decided early, on time or late, and what
-- was withdrawn, in a period: both are kept on the dossier when they happen.
ALTER TABLE dossiers ADD COLUMN withdrawn_at TIMESTAMP;
-- early | on_time | late, written with decided_at by the same function the
-- pages use; dossiers decided before this migration are filled in on start.
ALTER TABLE dossiers ADD COLUMN timeliness TEXT;
UPDATE dossiers SET withdrawn_at = (
    SELECT MAX(e.at) FROM dossier_events e
    WHERE e.dossier_id = dossiers.id AND e.action = 'withdraw')
WHERE status = 'withdrawn';
-- Overdue and due-soon lists: open dossiers by due date.
CREATE INDEX dossiers_status_due_idx ON dossiers(status, due_date);
-- Resolved in a period, by office, with its timeliness (home pages, reports).
CREATE INDEX dossiers_office_decided_idx ON dossiers(office_id, decided_at, timeliness);
-- An officer's load and his lists.
CREATE INDEX dossiers_assignee_status_idx ON dossiers(assignee_id, status);
-- The header search (code, name, ID number, phone contain what was typed):
-- trigram indexes answer LIKE '%…%' without scanning every dossier.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX dossiers_code_trgm ON dossiers USING gin (code gin_trgm_ops);
CREATE INDEX dossiers_folded_trgm ON dossiers USING gin (applicant_folded gin_trgm_ops);
CREATE INDEX dossiers_id_number_trgm ON dossiers USING gin (id_number gin_trgm_ops);
CREATE INDEX dossiers_phone_trgm ON dossiers USING gin (phone gin_trgm_ops);
-- The period report reads only these columns of the dossiers received before
-- the period's end: a covering index spares it the wide rows.
CREATE INDEX dossiers_report_idx ON dossiers(received_at, decided_at, withdrawn_at, office_id,
    procedure_id, channel, status, voided, timeliness, outcome, due_date);

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
-- a trigram index, kept by triggers, so that it does not scan every dossier.
CREATE VIRTUAL TABLE dossier_search USING fts5(body, content='', contentless_delete=1, tokenize='trigram');
INSERT INTO dossier_search(rowid, body)
    SELECT id, code || ' ' || applicant_folded || ' ' || COALESCE(id_number, '') || ' ' || phone FROM dossiers;
CREATE TRIGGER dossier_search_insert AFTER INSERT ON dossiers BEGIN
    INSERT INTO dossier_search(rowid, body)
    VALUES (new.id, new.code || ' ' || new.applicant_folded || ' ' || COALESCE(new.id_number, '') || ' ' || new.phone);
END;
CREATE TRIGGER dossier_search_update AFTER UPDATE OF code, applicant_folded, id_number, phone ON dossiers BEGIN
    DELETE FROM dossier_search WHERE rowid = old.id;
    INSERT INTO dossier_search(rowid, body)
    VALUES (new.id, new.code || ' ' || new.applicant_folded || ' ' || COALESCE(new.id_number, '') || ' ' || new.phone);
END;
CREATE TRIGGER dossier_search_delete AFTER DELETE ON dossiers BEGIN
    DELETE FROM dossier_search WHERE rowid = old.id;
END;

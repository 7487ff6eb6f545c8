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
-- The header search. Two indexes kept by triggers, so that no search scans
-- every dossier: `dossier_words`, each typed word as the start of a word of
-- the code, its "YYMMDD-NNNN" tail, the name (folded), the ID number or the
-- phone, answers first; `dossier_search`, trigrams, finds any substring when
-- no word starts with what was typed.
CREATE VIRTUAL TABLE dossier_words USING fts5(body, content='', contentless_delete=1,
    tokenize="unicode61 tokenchars '-'", prefix='2 3');
CREATE VIRTUAL TABLE dossier_search USING fts5(body, content='', contentless_delete=1, tokenize='trigram');
INSERT INTO dossier_words(rowid, body)
    SELECT id, code || ' ' || substr(code, instr(code, '-') + 1) || ' ' || applicant_folded || ' '
        || COALESCE(id_number, '') || ' ' || phone FROM dossiers;
INSERT INTO dossier_search(rowid, body)
    SELECT id, code || ' ' || applicant_folded || ' ' || COALESCE(id_number, '') || ' ' || phone FROM dossiers;
CREATE TRIGGER dossier_search_insert AFTER INSERT ON dossiers BEGIN
    INSERT INTO dossier_words(rowid, body)
    VALUES (new.id, new.code || ' ' || substr(new.code, instr(new.code, '-') + 1) || ' '
        || new.applicant_folded || ' ' || COALESCE(new.id_number, '') || ' ' || new.phone);
    INSERT INTO dossier_search(rowid, body)
    VALUES (new.id, new.code || ' ' || new.applicant_folded || ' ' || COALESCE(new.id_number, '') || ' ' || new.phone);
END;
CREATE TRIGGER dossier_search_update AFTER UPDATE OF code, applicant_folded, id_number, phone ON dossiers BEGIN
    DELETE FROM dossier_words WHERE rowid = old.id;
    DELETE FROM dossier_search WHERE rowid = old.id;
    INSERT INTO dossier_words(rowid, body)
    VALUES (new.id, new.code || ' ' || substr(new.code, instr(new.code, '-') + 1) || ' '
        || new.applicant_folded || ' ' || COALESCE(new.id_number, '') || ' ' || new.phone);
    INSERT INTO dossier_search(rowid, body)
    VALUES (new.id, new.code || ' ' || new.applicant_folded || ' ' || COALESCE(new.id_number, '') || ' ' || new.phone);
END;
CREATE TRIGGER dossier_search_delete AFTER DELETE ON dossiers BEGIN
    DELETE FROM dossier_words WHERE rowid = old.id;
    DELETE FROM dossier_search WHERE rowid = old.id;
END;
-- The period report reads only these columns of the dossiers received before
-- the period's end: a covering index spares it the wide rows.
CREATE INDEX dossiers_report_idx ON dossiers(received_at, decided_at, withdrawn_at, office_id,
    procedure_id, channel, status, voided, timeliness, outcome, due_date);

-- Processing: the result, extensions (apology, Mẫu 04), supplement requests
-- during processing, and the due date in force at each history entry (for
-- the control sheet, Mẫu 05).
ALTER TABLE dossiers ADD COLUMN extended BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN extension_reason TEXT;
ALTER TABLE dossiers ADD COLUMN extended_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN late_supplement BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN result_number TEXT;
ALTER TABLE dossiers ADD COLUMN result_date DATE;
ALTER TABLE dossiers ADD COLUMN result_signer TEXT;
ALTER TABLE dossiers ADD COLUMN result_summary TEXT;
ALTER TABLE dossiers ADD COLUMN closing_reason TEXT;
ALTER TABLE dossier_events ADD COLUMN due_date DATE;
ALTER TABLE dossier_events ADD COLUMN assignee_id BIGINT;

CREATE TABLE dossier_supplements (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    dossier_id BIGINT NOT NULL REFERENCES dossiers(id),
    number INTEGER NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    requested_by BIGINT NOT NULL REFERENCES users(id),
    missing TEXT NOT NULL,
    note TEXT NOT NULL,
    late BOOLEAN NOT NULL,
    received_at TIMESTAMP,
    received_by BIGINT REFERENCES users(id),
    UNIQUE (dossier_id, number)
);

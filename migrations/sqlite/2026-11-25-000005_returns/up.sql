-- Returning results: at the counter (recipient, authorisation, rating) and
-- by post (outbound handover lists, tracking, postage, outcome), and postal
-- intake records for dossiers that arrive by post.
ALTER TABLE dossiers ADD COLUMN delivered_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN recipient_name TEXT;
ALTER TABLE dossiers ADD COLUMN recipient_id_number TEXT;
ALTER TABLE dossiers ADD COLUMN recipient_authorisation TEXT;
ALTER TABLE dossiers ADD COLUMN tracking_number TEXT;
ALTER TABLE dossiers ADD COLUMN postage BIGINT;
ALTER TABLE dossiers ADD COLUMN shipment_id BIGINT;
ALTER TABLE dossiers ADD COLUMN postal_returns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN intake_id BIGINT;
ALTER TABLE dossiers ADD COLUMN postal_slip TEXT;
CREATE INDEX dossiers_tracking_idx ON dossiers(tracking_number);

-- A handover list of results given to the postal worker.
CREATE TABLE shipments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    office_id BIGINT NOT NULL REFERENCES offices(id),
    number TEXT NOT NULL UNIQUE,
    postal_worker TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id)
);

-- The lines of a handover list as signed: never changed afterwards.
CREATE TABLE shipment_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    shipment_id BIGINT NOT NULL REFERENCES shipments(id),
    dossier_id BIGINT NOT NULL REFERENCES dossiers(id),
    code TEXT NOT NULL,
    recipient TEXT NOT NULL,
    address TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    postage BIGINT
);
CREATE INDEX shipment_lines_shipment_idx ON shipment_lines(shipment_id);

-- A handover record of dossiers received from the postal worker.
CREATE TABLE postal_intakes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    office_id BIGINT NOT NULL REFERENCES offices(id),
    record_number TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    postal_worker TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    UNIQUE (office_id, record_number)
);

-- The citizen's rating of the service, one per dossier.
CREATE TABLE ratings (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    dossier_id BIGINT NOT NULL UNIQUE REFERENCES dossiers(id),
    office_id BIGINT NOT NULL REFERENCES offices(id),
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    officer_id BIGINT REFERENCES users(id),
    level TEXT NOT NULL,
    comment TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users(id)
);
CREATE INDEX ratings_office_at_idx ON ratings(office_id, at);

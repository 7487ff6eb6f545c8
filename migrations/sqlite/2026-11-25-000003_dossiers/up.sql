-- Dossiers received at the counter, by post or online; what happened to
-- them; the notices printed instead of accepting; the gapless counters.
CREATE TABLE dossiers (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    office_id BIGINT NOT NULL REFERENCES offices(id),
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    working_days INTEGER NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    voided BOOLEAN NOT NULL DEFAULT 0,
    void_reason TEXT,
    version INTEGER NOT NULL,
    applicant_kind TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_folded TEXT NOT NULL,
    representative TEXT,
    id_number TEXT,
    phone TEXT NOT NULL,
    email TEXT,
    address TEXT NOT NULL,
    return_method TEXT NOT NULL,
    postal_address TEXT,
    note TEXT NOT NULL,
    sets INTEGER NOT NULL,
    received_at TIMESTAMP NOT NULL,
    postmarked_on DATE,
    postal_record TEXT,
    effective_day DATE NOT NULL,
    due_date DATE,
    original_due_date DATE,
    supplement_requests INTEGER NOT NULL DEFAULT 0,
    decided_at TIMESTAMP,
    assignee_id BIGINT REFERENCES users(id),
    register_year INTEGER NOT NULL,
    register_number INTEGER NOT NULL,
    lookup_token TEXT NOT NULL UNIQUE,
    fee_amount BIGINT,
    fee_receipt TEXT,
    received_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (office_id, register_year, register_number)
);
CREATE INDEX dossiers_office_received_idx ON dossiers(office_id, received_at);
CREATE INDEX dossiers_status_idx ON dossiers(status);
CREATE INDEX dossiers_id_number_idx ON dossiers(id_number);
CREATE INDEX dossiers_phone_idx ON dossiers(phone);

CREATE TABLE dossier_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    dossier_id BIGINT NOT NULL REFERENCES dossiers(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    form TEXT NOT NULL,
    count INTEGER NOT NULL
);
CREATE INDEX dossier_documents_dossier_idx ON dossier_documents(dossier_id);

-- The history: every action on a dossier, who, when, from, to and why.
CREATE TABLE dossier_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    dossier_id BIGINT NOT NULL REFERENCES dossiers(id),
    at TIMESTAMP NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX dossier_events_dossier_idx ON dossier_events(dossier_id);

-- How each due date was reached: one row per computation (reception,
-- supplement, extension, calendar correction), with every day explained.
CREATE TABLE dossier_deadlines (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    dossier_id BIGINT NOT NULL REFERENCES dossiers(id),
    at TIMESTAMP NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    cause TEXT NOT NULL,
    basis_at TIMESTAMP NOT NULL,
    working_days INTEGER NOT NULL,
    effective_day DATE NOT NULL,
    due_date DATE NOT NULL,
    counted TEXT NOT NULL,
    skipped TEXT NOT NULL
);
CREATE INDEX dossier_deadlines_dossier_idx ON dossier_deadlines(dossier_id);

-- Supplement requests (Mẫu 02) and refusals (Mẫu 03) printed at reception
-- instead of accepting: no dossier, but counted as "not accepted".
CREATE TABLE counter_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    office_id BIGINT NOT NULL REFERENCES offices(id),
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    kind TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_folded TEXT NOT NULL,
    representative TEXT,
    id_number TEXT,
    phone TEXT,
    email TEXT,
    address TEXT,
    missing TEXT NOT NULL,
    reason TEXT NOT NULL,
    contact_phone TEXT,
    user_id BIGINT NOT NULL REFERENCES users(id),
    at TIMESTAMP NOT NULL
);
CREATE INDEX counter_notices_office_at_idx ON counter_notices(office_id, at);

-- Gapless counters (dossier codes per office and day, register lines per
-- office and year): incremented in the transaction that uses the number.
CREATE TABLE sequences (
    name TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);

-- Retries of the same creation (Idempotency-Key, a double click) answer
-- with the first result.
CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL REFERENCES users(id),
    key TEXT NOT NULL,
    dossier_id BIGINT NOT NULL REFERENCES dossiers(id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);

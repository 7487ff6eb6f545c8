-- Files citizens and staff upload (online submissions, scans, results):
-- kept in the database, so a file and its record commit together and every
-- instance sees them.
CREATE TABLE stored_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    office_id BIGINT NOT NULL REFERENCES offices(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    pages INTEGER,
    bytes BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    lookup_token TEXT NOT NULL UNIQUE,
    office_id BIGINT NOT NULL REFERENCES offices(id),
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    applicant TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    id_number TEXT,
    phone TEXT NOT NULL,
    email TEXT,
    return_method TEXT NOT NULL,
    postal_address TEXT,
    missing TEXT NOT NULL,
    note TEXT NOT NULL,
    reason TEXT,
    supplement_requests INTEGER NOT NULL,
    source TEXT NOT NULL,
    notify BOOLEAN NOT NULL,
    form_key TEXT UNIQUE,
    dossier_id BIGINT REFERENCES dossiers(id),
    submitted_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX submissions_queue ON submissions (office_id, status, submitted_at);
CREATE INDEX submissions_dossier ON submissions (dossier_id);

CREATE TABLE submission_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    form TEXT NOT NULL,
    count INTEGER NOT NULL,
    file_id BIGINT NOT NULL REFERENCES stored_files(id),
    round INTEGER NOT NULL,
    added_at TIMESTAMP NOT NULL
);
CREATE INDEX submission_files_submission ON submission_files (submission_id);

CREATE TABLE submission_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    at TIMESTAMP NOT NULL,
    user_id BIGINT REFERENCES users(id),
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX submission_events_submission ON submission_events (submission_id);

-- Scans attached to a dossier: its documents (at the counter, or online),
-- a citizen's supplement, and the result.
CREATE TABLE dossier_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    dossier_id BIGINT NOT NULL REFERENCES dossiers(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    file_id BIGINT NOT NULL REFERENCES stored_files(id),
    added_at TIMESTAMP NOT NULL,
    added_by BIGINT REFERENCES users(id)
);
CREATE INDEX dossier_files_dossier ON dossier_files (dossier_id);

CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    office_id BIGINT NOT NULL REFERENCES offices(id),
    channel TEXT NOT NULL,
    topic TEXT NOT NULL,
    content TEXT NOT NULL,
    dossier_code TEXT,
    contact_name TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    publish_consent BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    assignee_id BIGINT REFERENCES users(id),
    answer TEXT,
    answered_at TIMESTAMP,
    answered_by BIGINT REFERENCES users(id),
    closed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT REFERENCES users(id),
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX feedback_state ON feedback (office_id, status, created_at);
CREATE INDEX feedback_public ON feedback (publish_consent, answered_at);

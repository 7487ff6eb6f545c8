-- Citizens: offices' public contacts, the citizen's choice about news, the
-- outbox of email and SMS messages, lookup throttling and procedure forms.
ALTER TABLE offices ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE offices ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE offices ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE offices ADD COLUMN hours TEXT NOT NULL DEFAULT '';
ALTER TABLE offices ADD COLUMN place TEXT NOT NULL DEFAULT '';

ALTER TABLE dossiers ADD COLUMN notify BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    dossier_id BIGINT REFERENCES dossiers(id),
    event TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_dossier ON outbox (dossier_id);

CREATE TABLE lookup_attempts (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX lookup_attempts_key ON lookup_attempts (kind, key, at);
CREATE INDEX lookup_attempts_at ON lookup_attempts (at);

CREATE TABLE procedure_forms (
    id BIGSERIAL PRIMARY KEY,
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX procedure_forms_procedure ON procedure_forms (procedure_id);

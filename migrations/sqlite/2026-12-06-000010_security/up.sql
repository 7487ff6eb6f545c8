-- Two-factor login (TOTP) for administrators and leaders, with one-time
-- recovery codes; and the log of who saw or exported applicants' personal
-- data (Decree 13/2023/NĐ-CP).
CREATE TABLE two_factor (
    user_id BIGINT PRIMARY KEY NOT NULL REFERENCES users(id),
    secret TEXT NOT NULL,
    -- The last 30-second step a code was accepted for: a code works once.
    last_step BIGINT NOT NULL,
    enabled_at TIMESTAMP NOT NULL
);

CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

CREATE TABLE personal_data_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at TIMESTAMP NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    username TEXT NOT NULL,
    office_id BIGINT NOT NULL REFERENCES offices(id),
    -- view, print, export, api
    action TEXT NOT NULL,
    -- The dossier seen; empty for an export of many.
    dossier_code TEXT,
    -- What was seen or exported (page, print, export and its filter).
    what TEXT NOT NULL,
    -- How many dossiers' details the action showed.
    dossiers BIGINT NOT NULL
);
CREATE INDEX personal_data_log_at ON personal_data_log (at);
CREATE INDEX personal_data_log_dossier ON personal_data_log (dossier_code);

-- When a closed dossier's personal details were purged under the retention setting.
ALTER TABLE dossiers ADD COLUMN personal_data_purged_at TIMESTAMP;

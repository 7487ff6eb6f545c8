-- The procedure catalog and the working-day calendar.
CREATE TABLE procedures (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    result TEXT NOT NULL,
    fee TEXT NOT NULL,
    channels TEXT NOT NULL,
    return_methods TEXT NOT NULL,
    source TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE procedure_documents (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    form TEXT NOT NULL,
    count INTEGER NOT NULL,
    required BOOLEAN NOT NULL
);
CREATE INDEX procedure_documents_procedure_idx ON procedure_documents(procedure_id);

-- The legal processing time over time: a dossier takes the one in force when received.
CREATE TABLE procedure_times (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    procedure_id BIGINT NOT NULL REFERENCES procedures(id),
    working_days INTEGER NOT NULL,
    valid_from DATE,
    valid_until DATE,
    note TEXT NOT NULL
);
CREATE INDEX procedure_times_procedure_idx ON procedure_times(procedure_id);

-- Years whose days off come from a schedule on record (not the Labour Code rule).
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY NOT NULL,
    source TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE calendar_days (
    day DATE PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);

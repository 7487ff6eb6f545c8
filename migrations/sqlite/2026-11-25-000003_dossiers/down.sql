DROP TABLE idempotency_keys;
DROP TABLE sequences;
DROP TABLE counter_notices;
DROP TABLE dossier_deadlines;
DROP TABLE dossier_events;
DROP TABLE dossier_documents;
DROP TABLE dossiers;

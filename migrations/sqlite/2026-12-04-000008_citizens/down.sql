DROP TABLE procedure_forms;
DROP TABLE lookup_attempts;
DROP TABLE outbox;
ALTER TABLE dossiers DROP COLUMN notify;
ALTER TABLE offices DROP COLUMN place;
ALTER TABLE offices DROP COLUMN hours;
ALTER TABLE offices DROP COLUMN email;
ALTER TABLE offices DROP COLUMN phone;
ALTER TABLE offices DROP COLUMN address;

ALTER TABLE dossiers DROP COLUMN personal_data_purged_at;
DROP TABLE personal_data_log;
DROP TABLE recovery_codes;
DROP TABLE two_factor;

DROP TABLE feedback;
DROP TABLE dossier_files;
DROP TABLE submission_events;
DROP TABLE submission_files;
DROP TABLE submissions;
DROP TABLE stored_files;

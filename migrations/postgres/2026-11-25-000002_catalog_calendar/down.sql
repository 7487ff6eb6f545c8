DROP TABLE calendar_days;
DROP TABLE calendar_years;
DROP TABLE procedure_times;
DROP TABLE procedure_documents;
DROP TABLE procedures;

DROP TABLE revoked_sessions;
DROP TABLE audit_events;
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE settings;
DROP TABLE users;
DROP TABLE offices;

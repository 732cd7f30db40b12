DROP TRIGGER audit_events_no_delete;
DROP TRIGGER audit_events_no_update;
DROP TABLE audit_events;
DROP TABLE login_failures;
DROP TABLE api_clients;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;

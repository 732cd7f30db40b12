DROP TRIGGER audit_events_no_change ON audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE audit_events;
DROP TABLE login_failures;
DROP TABLE api_clients;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;

DROP TABLE revoked_tokens;
ALTER TABLE api_clients DROP COLUMN version;
DROP INDEX login_failures_time_idx;
DROP INDEX login_failures_address_idx;
ALTER TABLE login_failures DROP COLUMN client_address;

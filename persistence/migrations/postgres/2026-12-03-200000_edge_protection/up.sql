-- Protection at the edge: login failures counted per client address too, a version on service
-- clients (PATCH with If-Match), and the client-credential tokens revoked one by one (logout).
ALTER TABLE login_failures ADD COLUMN client_address TEXT;
CREATE INDEX login_failures_address_idx ON login_failures (client_address, failed_at);
CREATE INDEX login_failures_time_idx ON login_failures (failed_at);

ALTER TABLE api_clients ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- A signed-out client token (its `jti`), kept until it would have expired anyway.
CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX revoked_tokens_expiry_idx ON revoked_tokens (expires_at);

-- Idempotency keys (draft-ietf-httpapi-idempotency-key-header): one row per caller and key,
-- holding the fingerprint of the first request and, once it completed, its response to replay
-- (SQLite dialect).

CREATE TABLE idempotency_keys (
    -- `sub:<account or client id>` for a bearer token; `anon:<SHA-256 of the client address>`.
    caller TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_method TEXT NOT NULL,
    -- The path with its query string.
    request_path TEXT NOT NULL,
    request_content_type TEXT NOT NULL,
    request_body_sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_progress', 'completed')),
    response_status INTEGER,
    response_body BLOB,
    response_content_type TEXT,
    response_location TEXT,
    response_etag TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (caller, idempotency_key)
);

-- The purge of expired keys.
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

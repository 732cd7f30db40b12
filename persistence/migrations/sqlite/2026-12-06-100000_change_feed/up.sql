-- The changes feed (transactional outbox): one row per state change, written in the transaction of
-- the change (SQLite dialect; writers are serialised by BEGIN IMMEDIATE).

CREATE TABLE change_feed_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    pruned_through BIGINT NOT NULL
);
INSERT INTO change_feed_head (id, seq, pruned_through) VALUES (1, 0, 0);

CREATE TABLE change_events (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    region_code TEXT,
    occurred_at TIMESTAMP NOT NULL,
    actor_role TEXT,
    data TEXT NOT NULL
);
CREATE INDEX change_events_region ON change_events (region_code, seq);
CREATE INDEX change_events_occurred ON change_events (occurred_at);

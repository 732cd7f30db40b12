-- The changes feed (transactional outbox): one row per state change, written in the transaction of
-- the change (PostgreSQL dialect).

-- The one place positions are assigned: a writer takes the next position by updating this row,
-- which it then holds locked until it commits, so positions become visible in the order they were
-- given and a reader never sees a smaller position appear after a larger one.
CREATE TABLE change_feed_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- The last position given.
    seq BIGINT NOT NULL,
    -- Every position up to this one has been removed by retention.
    pruned_through BIGINT NOT NULL
);
INSERT INTO change_feed_head (id, seq, pruned_through) VALUES (1, 0, 0);

CREATE TABLE change_events (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    -- The resource's path: /v1/ormas/{id}, /v1/reports/{id}, …
    subject TEXT NOT NULL,
    region_code TEXT COLLATE "C",
    occurred_at TIMESTAMP NOT NULL,
    -- The role that made the change (never the person); NULL for the system.
    actor_role TEXT,
    -- The resource as its GET shows it to an integrator, after the change (JSON).
    data TEXT NOT NULL
);
CREATE INDEX change_events_region ON change_events (region_code, seq);
CREATE INDEX change_events_occurred ON change_events (occurred_at);

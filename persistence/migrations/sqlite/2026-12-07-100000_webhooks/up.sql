-- Webhook subscriptions and their deliveries (sqlite dialect). Each subscription follows the changes
-- feed from its own position (cursor_seq); the dispatcher that holds its lease copies the new
-- events it may see into webhook_deliveries and delivers them one at a time, in feed order.

CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY,
    -- The account or API client that created it, its role and its scope (NULL: the nation) then:
    -- deliveries carry only what that owner may read.
    owner_id TEXT NOT NULL,
    owner_role TEXT NOT NULL,
    owner_region TEXT,
    url TEXT NOT NULL,
    description TEXT,
    -- A JSON array of event types; [] means every type the owner may read.
    event_types TEXT NOT NULL,
    -- The region subtree delivered (NULL: the nation).
    region_code TEXT,
    -- Standard Webhooks secrets, `whsec_<base64>`; the previous one signs too until it expires.
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TIMESTAMP,
    enabled BOOLEAN NOT NULL,
    disabled_reason TEXT,
    disabled_at TIMESTAMP,
    -- The last feed position copied into deliveries.
    cursor_seq BIGINT NOT NULL,
    -- The dispatcher instance that holds it, and until when.
    lease_owner TEXT,
    lease_until TIMESTAMP,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE INDEX webhook_subscriptions_owner ON webhook_subscriptions (owner_id);
CREATE INDEX webhook_subscriptions_claim ON webhook_subscriptions (enabled, lease_until);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    -- The `webhook-id` header: the event's id, the same on every attempt and redelivery.
    message_id TEXT NOT NULL,
    -- The order of delivery: the event's feed position (a ping takes the position it was sent at).
    event_seq BIGINT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_attempt_at TIMESTAMP,
    last_status_code INTEGER,
    last_error TEXT,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (subscription_id, status, event_seq, id);
-- An event is queued once per subscription.
CREATE UNIQUE INDEX webhook_deliveries_message ON webhook_deliveries (subscription_id, message_id);

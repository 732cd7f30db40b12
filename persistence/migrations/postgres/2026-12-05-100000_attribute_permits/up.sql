-- Attribute permits (izin pemesanan atribut): an ormas's request to order uniforms, flags,
-- banners, emblems or badges, the officer's checklist per item (UU 16/2017 Ps 59(1)), the head's
-- permit with its number, and the request's history (PostgreSQL dialect).

CREATE TABLE attribute_permits (
    id TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES registrations (id),
    -- The registration's region, copied so that the office's queue reads one index range.
    region_code TEXT COLLATE "C" NOT NULL REFERENCES regions (code),
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'reviewed', 'returned', 'approved', 'refused')),
    purpose TEXT NOT NULL,
    event_name TEXT,
    event_date DATE,
    vendor_name TEXT NOT NULL,
    vendor_address TEXT NOT NULL,
    -- JSON array of items: kind, description, colours, quantity and the design file's metadata.
    items TEXT NOT NULL,
    -- JSON array (one entry per item) of the checklist's answers; NULL until reviewed, cleared when
    -- the items are edited.
    checklist TEXT,
    first_submitted_on DATE,
    submitted_on DATE,
    -- The last day the office may answer (working days from the last submission).
    answer_due_on DATE,
    reviewed_on DATE,
    reviewed_by TEXT,
    decided_on DATE,
    decided_by TEXT,
    permit_number TEXT UNIQUE,
    valid_from DATE,
    valid_until DATE,
    return_notes TEXT,
    refusal_ground TEXT,
    -- JSON array of the 1-based numbers of the items a refusal names.
    refused_items TEXT,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX attribute_permits_region_idx ON attribute_permits (region_code, id);
CREATE INDEX attribute_permits_region_state_idx ON attribute_permits (region_code, state, id);
CREATE INDEX attribute_permits_registration_idx ON attribute_permits (registration_id, id);
CREATE INDEX attribute_permits_due_idx ON attribute_permits (answer_due_on, region_code)
    WHERE state IN ('submitted', 'reviewed');

-- Every step of a request, in order.
CREATE TABLE attribute_permit_events (
    id TEXT PRIMARY KEY,
    permit_id TEXT NOT NULL REFERENCES attribute_permits (id),
    actor_id TEXT,
    at TIMESTAMP NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    note TEXT
);
CREATE INDEX attribute_permit_events_permit_idx ON attribute_permit_events (permit_id, at, id);

-- The permit numbers: gap-free per office and year.
CREATE TABLE attribute_permit_sequences (
    region_code TEXT COLLATE "C" NOT NULL REFERENCES regions (code),
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (region_code, year)
);

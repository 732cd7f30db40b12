-- Oversight (UU 16/2017 Ps 59-62): complaints about an ormas or an unregistered organisation, the
-- Tim Terpadu's cases that follow from them, their team and timeline (PostgreSQL dialect).

-- A case concerns one registration, or one unregistered organisation by name and address.
CREATE TABLE oversight_cases (
    id TEXT PRIMARY KEY,
    region_code TEXT COLLATE "C" NOT NULL REFERENCES regions (code),
    registration_id TEXT REFERENCES registrations (id),
    organisation_name TEXT,
    organisation_address TEXT,
    title TEXT NOT NULL,
    summary TEXT,
    lead_officer_id TEXT REFERENCES users (id),
    state TEXT NOT NULL CHECK (state IN ('open', 'investigating', 'recommendation', 'closed')),
    recommended_outcome TEXT,
    outcome TEXT,
    closing_note TEXT,
    closed_on DATE,
    created_by TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (registration_id IS NOT NULL OR organisation_name IS NOT NULL)
);
CREATE INDEX oversight_cases_region_idx ON oversight_cases (region_code, id);
CREATE INDEX oversight_cases_state_region_idx ON oversight_cases (state, region_code, id);
CREATE INDEX oversight_cases_registration_idx ON oversight_cases (registration_id);

-- A complaint. Its tracking code is stored only as its SHA-256; the reporter's name and contact are
-- personal data (UU 27/2022), shown only to oversight and head of the region, every read audited.
CREATE TABLE complaints (
    id TEXT PRIMARY KEY,
    tracking_hash TEXT NOT NULL UNIQUE,
    region_code TEXT COLLATE "C" NOT NULL REFERENCES regions (code),
    registration_id TEXT REFERENCES registrations (id),
    organisation_name TEXT,
    organisation_address TEXT,
    category TEXT NOT NULL,
    source TEXT NOT NULL,
    referring_agency TEXT,
    description TEXT NOT NULL,
    occurred_on DATE,
    reporter_name TEXT,
    reporter_contact TEXT,
    state TEXT NOT NULL CHECK (state IN ('received', 'dismissed', 'in_case')),
    dismiss_reason TEXT,
    decided_on DATE,
    case_id TEXT REFERENCES oversight_cases (id),
    -- None for a public complaint.
    created_by TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (registration_id IS NOT NULL OR organisation_name IS NOT NULL)
);
CREATE INDEX complaints_region_idx ON complaints (region_code, id);
CREATE INDEX complaints_state_region_idx ON complaints (state, region_code, id);
CREATE INDEX complaints_registration_idx ON complaints (registration_id);
CREATE INDEX complaints_case_idx ON complaints (case_id);

-- Photos and PDFs sent with a complaint: stored like documents (by SHA-256 under the data directory).
CREATE TABLE complaint_attachments (
    id TEXT PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX complaint_attachments_complaint_idx ON complaint_attachments (complaint_id);

-- The team of a case, by agency; members from other agencies need no account.
CREATE TABLE case_members (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES oversight_cases (id),
    ordinal INTEGER NOT NULL,
    agency TEXT NOT NULL,
    name TEXT NOT NULL,
    position TEXT,
    user_id TEXT REFERENCES users (id)
);
CREATE INDEX case_members_case_idx ON case_members (case_id, ordinal);

-- The timeline of a case: every write, who, when, from and to which state.
CREATE TABLE case_events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES oversight_cases (id),
    actor_id TEXT,
    at TIMESTAMP NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    note TEXT
);
CREATE INDEX case_events_case_idx ON case_events (case_id, at, id);

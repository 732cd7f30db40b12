-- The ormas register: national legal identities, regional registrations, their boards, documents,
-- history, and the per-region yearly registration number sequences (PostgreSQL dialect).

-- An organisation's legal identity, shared by all its regional registrations. `identity_key` is
-- `ahu:NUMBER` or `skt:NUMBER` (normalised): the same AHU or SKT number is the same organisation.
CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    identity_key TEXT UNIQUE,
    name TEXT NOT NULL,
    abbreviation TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('perkumpulan', 'yayasan', 'tidak_berbadan_hukum')),
    ahu_number TEXT,
    ahu_date DATE,
    skt_number TEXT,
    skt_issued_on DATE,
    skt_issuer TEXT,
    skt_expires_on DATE,
    npwp TEXT,
    founded_on DATE,
    -- JSON array of field codes (bidang), e.g. ["sosial","pendidikan"].
    fields TEXT NOT NULL DEFAULT '[]',
    special_character TEXT,
    tiered BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_skt_expires_idx ON organisations (skt_expires_on);

CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    region_code TEXT COLLATE "C" NOT NULL REFERENCES regions (code),
    district_code TEXT COLLATE "C" REFERENCES regions (code),
    address TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    board_term_ends_on DATE,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'needs_revision', 'registered', 'rejected', 'lapsed', 'dissolved')),
    registration_number TEXT UNIQUE,
    registration_date DATE,
    submitted_on DATE,
    verification_due DATE,
    revision_due DATE,
    created_by TEXT REFERENCES users (id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX registrations_region_idx ON registrations (region_code, id);
CREATE INDEX registrations_state_region_idx ON registrations (state, region_code, id);
CREATE INDEX registrations_organisation_idx ON registrations (organisation_id);
CREATE INDEX registrations_verification_due_idx ON registrations (verification_due);
CREATE INDEX registrations_board_term_idx ON registrations (board_term_ends_on);

CREATE TABLE board_members (
    id TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES registrations (id),
    ordinal INTEGER NOT NULL,
    position TEXT NOT NULL,
    name TEXT NOT NULL,
    nik TEXT NOT NULL,
    phone TEXT,
    term_ends_on DATE
);
CREATE INDEX board_members_registration_idx ON board_members (registration_id, ordinal);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES registrations (id),
    doc_type TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_registration_idx ON documents (registration_id, uploaded_at);

CREATE TABLE registration_events (
    id TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES registrations (id),
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    reason TEXT,
    -- JSON: per-document notes on a return, or the fields an edit changed.
    notes TEXT,
    registration_number TEXT
);
CREATE INDEX registration_events_registration_idx ON registration_events (registration_id, id);

-- The Buku Induk: one gap-free sequence per region and year, advanced inside the approval's
-- transaction.
CREATE TABLE registration_sequences (
    region_code TEXT COLLATE "C" NOT NULL,
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (region_code, year)
);

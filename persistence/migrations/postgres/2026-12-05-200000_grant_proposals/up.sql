-- Grant proposals (usulan hibah, Permendagri 32/2011 as amended by 13/2018 and 123/2018) with their
-- accountability report (LPJ), and their history (PostgreSQL dialect). `lpj_overdue` is derived from
-- lpj_due_on and the state, never stored.
CREATE TABLE grant_proposals (
    id TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES registrations (id),
    -- The registration's region (the office asked), copied so that lists and totals read one index range.
    region_code TEXT NOT NULL REFERENCES regions (code),
    fiscal_year INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'verified', 'approved',
        'rejected', 'agreement_signed', 'disbursed', 'accountability_submitted', 'accounted')),
    title TEXT NOT NULL,
    purpose TEXT NOT NULL,
    -- Whole rupiah.
    requested_amount BIGINT NOT NULL CHECK (requested_amount > 0),
    -- The budget lines (RAB) as JSON: [{description, unit, quantity, unit_price}].
    budget_lines TEXT NOT NULL,
    -- The bank account in the ormas's name as JSON: {bank, number, holder}.
    bank_account TEXT NOT NULL,
    -- Ids of the supporting documents (the registration's document store) as a JSON array.
    document_ids TEXT NOT NULL,
    submitted_on DATE,
    -- Why it was last returned or rejected.
    reason TEXT,
    recommended_amount BIGINT CHECK (recommended_amount >= 0),
    -- The verification team's recommendation as JSON: {notes, team, verified_on}.
    verification TEXT,
    decree_number TEXT,
    decree_date DATE,
    approved_amount BIGINT CHECK (approved_amount >= 0),
    agreement_number TEXT,
    agreement_date DATE,
    disbursed_on DATE,
    disbursed_amount BIGINT CHECK (disbursed_amount >= 0),
    -- Fixed at creation from the fiscal year and ORMAS_GRANT_LPJ_DUE_MONTH_DAY.
    lpj_due_on DATE NOT NULL,
    lpj_spent_amount BIGINT CHECK (lpj_spent_amount >= 0),
    lpj_returned_amount BIGINT CHECK (lpj_returned_amount >= 0),
    -- The LPJ's documents and notes as JSON: {document_ids, notes}.
    lpj TEXT,
    lpj_submitted_on DATE,
    lpj_accepted_on DATE,
    created_by TEXT,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX grant_proposals_region_idx ON grant_proposals (region_code, id);
CREATE INDEX grant_proposals_year_idx ON grant_proposals (fiscal_year, region_code, state);
CREATE INDEX grant_proposals_registration_idx ON grant_proposals (registration_id, fiscal_year);
CREATE INDEX grant_proposals_lpj_idx ON grant_proposals (state, lpj_due_on);

CREATE TABLE grant_events (
    id TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL REFERENCES grant_proposals (id),
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    -- What the step recorded, as JSON.
    notes TEXT
);
CREATE INDEX grant_events_grant_idx ON grant_events (grant_id, occurred_at);

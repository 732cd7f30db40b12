-- The sanction ladder of UU 16/2017 Ps 60–62 and 80A: written warnings, recorded ministry decisions
-- (activity suspensions, revocations), the representatives' answers, and what a sanction leaves on
-- the register (SQLite dialect).

-- The last day of the suspension in force; a registration stored `suspended` reads `registered`
-- the day after (derived, no job). NULL: suspended until lifted.
ALTER TABLE registrations ADD COLUMN suspended_until DATE;
-- A registered ormas can be suspended or revoked (UU 16/2017 Ps 61).
-- SQLite cannot alter a CHECK; widening one leaves the stored rows valid, so the table's
-- definition is edited in place (https://sqlite.org/lang_altertable.html, "otherwise"), the
-- connection reloads it, and a throwaway table bumps the schema cookie for every other connection.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (state IN (''draft'', ''submitted'', ''needs_revision'', ''registered'', ''rejected'', ''lapsed'', ''dissolved''))',
    'CHECK (state IN (''draft'', ''submitted'', ''needs_revision'', ''registered'', ''rejected'', ''lapsed'', ''dissolved'', ''suspended'', ''revoked''))')
WHERE type = 'table' AND name = 'registrations';
PRAGMA writable_schema = RESET;
CREATE TABLE schema_cookie_bump (x INTEGER);
DROP TABLE schema_cookie_bump;

-- Revoking a badan hukum dissolves the organisation in every region (Ps 80A).
ALTER TABLE organisations ADD COLUMN dissolved_on DATE;
ALTER TABLE organisations ADD COLUMN dissolution_decree TEXT;

CREATE TABLE sanctions (
    id TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES registrations (id),
    -- The registration's region, copied so that region lists and statistics read one index range.
    region_code TEXT NOT NULL REFERENCES regions (code),
    -- The oversight case it follows from; no foreign key (the cases live in their own migration).
    case_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('written_warning', 'activity_suspension', 'revocation')),
    -- `ended` is derived from period_end and never stored.
    state TEXT NOT NULL CHECK (state IN ('in_force', 'complied', 'not_complied', 'lifted')),
    violation TEXT NOT NULL,
    demanded_remedy TEXT,
    -- The office's letter (warnings).
    letter_number TEXT,
    letter_date DATE,
    -- The last day to comply (warnings: 7 working days from the letter's date).
    deadline DATE,
    compliance TEXT CHECK (compliance IN ('complied', 'not_complied')),
    compliance_on DATE,
    compliance_by TEXT,
    compliance_note TEXT,
    -- The ministry's decree (suspensions, revocations).
    decree_number TEXT,
    decree_date DATE,
    issuing_authority TEXT CHECK (issuing_authority IN ('kemendagri', 'kemenkumham')),
    period_start DATE,
    period_end DATE,
    serious BOOLEAN NOT NULL DEFAULT FALSE,
    justification TEXT,
    lifted_decree_number TEXT,
    lifted_on DATE,
    revocation_of TEXT CHECK (revocation_of IN ('skt', 'badan_hukum')),
    -- For a revocation recorded on another region's registration by a Ps 80A dissolution: the
    -- sanction that dissolved the organisation.
    dissolved_by TEXT REFERENCES sanctions (id),
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sanctions_region_idx ON sanctions (region_code, id);
CREATE INDEX sanctions_region_kind_idx ON sanctions (region_code, kind, state, id);
CREATE INDEX sanctions_registration_idx ON sanctions (registration_id, id);
CREATE INDEX sanctions_case_idx ON sanctions (case_id) WHERE case_id IS NOT NULL;

-- A representative's answer to a warning: a statement and documents of its own ormas.
CREATE TABLE sanction_answers (
    id TEXT PRIMARY KEY,
    sanction_id TEXT NOT NULL REFERENCES sanctions (id),
    statement TEXT NOT NULL,
    -- JSON array of document ids of the registration.
    document_ids TEXT NOT NULL,
    answered_by TEXT,
    answered_at TIMESTAMP NOT NULL
);
CREATE INDEX sanction_answers_sanction_idx ON sanction_answers (sanction_id, id);

-- Sanctions count in the office's statistics: every write advances its generation.
CREATE TRIGGER sanctions_stats_insert AFTER INSERT ON sanctions BEGIN
    INSERT INTO stats_generations (region_code, generation) VALUES (NEW.region_code, 1)
    ON CONFLICT (region_code) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER sanctions_stats_update AFTER UPDATE ON sanctions BEGIN
    INSERT INTO stats_generations (region_code, generation) VALUES (NEW.region_code, 1)
    ON CONFLICT (region_code) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER sanctions_stats_delete AFTER DELETE ON sanctions BEGIN
    INSERT INTO stats_generations (region_code, generation) VALUES (OLD.region_code, 1)
    ON CONFLICT (region_code) DO UPDATE SET generation = generation + 1;
END;

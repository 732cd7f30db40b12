-- Semester (or annual) reports, their receipt (STTL) number sequences, and the per-office statistics
-- snapshots with the generation counters that invalidate them (PostgreSQL dialect).

CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES registrations (id),
    -- The registration's region, copied so that queues and statistics read one index range.
    region_code TEXT COLLATE "C" NOT NULL REFERENCES regions (code),
    -- `YYYY-S1`, `YYYY-S2` or `YYYY`.
    period TEXT COLLATE "C" NOT NULL,
    -- Fixed when the report is created, from the deployment's reporting policy.
    due_on DATE NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'accepted', 'returned')),
    -- JSON: activities, finances, changes, signatories.
    content TEXT NOT NULL,
    -- The first submission decides lateness; a return and resubmission does not make it late.
    first_submitted_on DATE,
    submitted_on DATE,
    late BOOLEAN NOT NULL DEFAULT FALSE,
    accepted_on DATE,
    accepted_by TEXT,
    receipt_number TEXT UNIQUE,
    return_reason TEXT,
    created_by TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (registration_id, period)
);
CREATE INDEX reports_region_idx ON reports (region_code, id);
CREATE INDEX reports_region_period_idx ON reports (region_code, period, id);
CREATE INDEX reports_accepted_idx ON reports (registration_id, accepted_on);

-- One gap-free receipt (STTL) sequence per region and year, advanced inside the acceptance.
CREATE TABLE report_sequences (
    region_code TEXT COLLATE "C" NOT NULL,
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (region_code, year)
);

-- Statistics are summed from one snapshot per office (the region a registration belongs to) and
-- date. Every write to an office's registrations, their organisations or their reports advances
-- the office's generation (by the triggers below, so no code path can forget); a snapshot taken
-- at an older generation is recomputed.
CREATE TABLE stats_generations (
    region_code TEXT COLLATE "C" PRIMARY KEY,
    generation BIGINT NOT NULL
);

-- Offices that already hold registrations start at generation 1.
INSERT INTO stats_generations (region_code, generation)
SELECT DISTINCT region_code, 1 FROM registrations;

CREATE TABLE stats_snapshots (
    region_code TEXT COLLATE "C" NOT NULL,
    as_of DATE NOT NULL,
    -- The reporting policy the snapshot was computed under.
    policy TEXT NOT NULL,
    generation BIGINT NOT NULL,
    -- JSON: the office's counts.
    payload TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, as_of, policy)
);

-- Statement-level triggers with transition tables: a bulk insert of a million rows advances each
-- office once, not once per row. Offices are locked in code order so concurrent writers cannot
-- deadlock.
CREATE FUNCTION stats_bump_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_generations (region_code, generation)
    SELECT DISTINCT region_code, 1 FROM new_rows ORDER BY region_code
    ON CONFLICT (region_code) DO UPDATE SET generation = stats_generations.generation + 1;
    RETURN NULL;
END $$;

CREATE FUNCTION stats_bump_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_generations (region_code, generation)
    SELECT DISTINCT region_code, 1 FROM old_rows ORDER BY region_code
    ON CONFLICT (region_code) DO UPDATE SET generation = stats_generations.generation + 1;
    RETURN NULL;
END $$;

CREATE FUNCTION stats_bump_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_generations (region_code, generation)
    SELECT region_code, 1 FROM (
        SELECT region_code FROM new_rows UNION SELECT region_code FROM old_rows
    ) changed ORDER BY region_code
    ON CONFLICT (region_code) DO UPDATE SET generation = stats_generations.generation + 1;
    RETURN NULL;
END $$;

-- An organisation's kind, SKT and fields count in every office it is registered with.
CREATE FUNCTION stats_bump_organisations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_generations (region_code, generation)
    SELECT DISTINCT r.region_code, 1 FROM registrations r
    WHERE r.organisation_id IN (SELECT id FROM new_rows) ORDER BY r.region_code
    ON CONFLICT (region_code) DO UPDATE SET generation = stats_generations.generation + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER registrations_stats_insert AFTER INSERT ON registrations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_bump_new();
CREATE TRIGGER registrations_stats_update AFTER UPDATE ON registrations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_bump_both();
CREATE TRIGGER registrations_stats_delete AFTER DELETE ON registrations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_bump_old();

CREATE TRIGGER reports_stats_insert AFTER INSERT ON reports
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_bump_new();
CREATE TRIGGER reports_stats_update AFTER UPDATE ON reports
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_bump_both();
CREATE TRIGGER reports_stats_delete AFTER DELETE ON reports
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_bump_old();

CREATE TRIGGER organisations_stats_update AFTER UPDATE ON organisations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_bump_organisations();

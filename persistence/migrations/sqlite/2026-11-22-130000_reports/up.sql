-- Semester (or annual) reports, their receipt (STTL) number sequences, and the per-office statistics
-- snapshots with the generation counters that invalidate them (SQLite dialect).

CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES registrations (id),
    -- The registration's region, copied so that queues and statistics read one index range.
    region_code TEXT NOT NULL REFERENCES regions (code),
    -- `YYYY-S1`, `YYYY-S2` or `YYYY`.
    period TEXT NOT NULL,
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
    region_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (region_code, year)
);

-- Statistics are summed from one snapshot per office (the region a registration belongs to) and
-- date. Every write to an office's registrations, their organisations or their reports advances
-- the office's generation (by the triggers below, so no code path can forget); a snapshot taken
-- at an older generation is recomputed.
CREATE TABLE stats_generations (
    region_code TEXT PRIMARY KEY,
    generation INTEGER NOT NULL
);

-- Offices that already hold registrations start at generation 1.
INSERT INTO stats_generations (region_code, generation)
SELECT DISTINCT region_code, 1 FROM registrations;

CREATE TABLE stats_snapshots (
    region_code TEXT NOT NULL,
    as_of DATE NOT NULL,
    -- The reporting policy the snapshot was computed under.
    policy TEXT NOT NULL,
    generation INTEGER NOT NULL,
    -- JSON: the office's counts.
    payload TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (region_code, as_of, policy)
);

-- Row-level triggers (SQLite has no statement-level ones).
CREATE TRIGGER registrations_stats_insert AFTER INSERT ON registrations BEGIN
    INSERT INTO stats_generations (region_code, generation) VALUES (NEW.region_code, 1)
    ON CONFLICT (region_code) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER registrations_stats_update AFTER UPDATE ON registrations BEGIN
    INSERT INTO stats_generations (region_code, generation) VALUES (NEW.region_code, 1)
    ON CONFLICT (region_code) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER registrations_stats_update_old AFTER UPDATE ON registrations
    WHEN OLD.region_code <> NEW.region_code BEGIN
    INSERT INTO stats_generations (region_code, generation) VALUES (OLD.region_code, 1)
    ON CONFLICT (region_code) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER registrations_stats_delete AFTER DELETE ON registrations BEGIN
    INSERT INTO stats_generations (region_code, generation) VALUES (OLD.region_code, 1)
    ON CONFLICT (region_code) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER reports_stats_insert AFTER INSERT ON reports BEGIN
    INSERT INTO stats_generations (region_code, generation) VALUES (NEW.region_code, 1)
    ON CONFLICT (region_code) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER reports_stats_update AFTER UPDATE ON reports BEGIN
    INSERT INTO stats_generations (region_code, generation) VALUES (NEW.region_code, 1)
    ON CONFLICT (region_code) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER reports_stats_update_old AFTER UPDATE ON reports
    WHEN OLD.region_code <> NEW.region_code BEGIN
    INSERT INTO stats_generations (region_code, generation) VALUES (OLD.region_code, 1)
    ON CONFLICT (region_code) DO UPDATE SET generation = generation + 1;
END;
CREATE TRIGGER reports_stats_delete AFTER DELETE ON reports BEGIN
    INSERT INTO stats_generations (region_code, generation) VALUES (OLD.region_code, 1)
    ON CONFLICT (region_code) DO UPDATE SET generation = generation + 1;
END;
-- An organisation's kind, SKT and fields count in every office it is registered with.
CREATE TRIGGER organisations_stats_update AFTER UPDATE ON organisations BEGIN
    INSERT INTO stats_generations (region_code, generation)
    SELECT DISTINCT region_code, 1 FROM registrations WHERE organisation_id = NEW.id AND TRUE
    ON CONFLICT (region_code) DO UPDATE SET generation = generation + 1;
END;

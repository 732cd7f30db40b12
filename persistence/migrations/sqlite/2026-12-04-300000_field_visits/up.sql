-- Field visits to an ormas's secretariat: verification before approval, re-registration drives,
-- and the visits of an oversight case (SQLite dialect). What the last visit found is kept on
-- the registration, so that the list filters and statistics read it from one row.

CREATE TABLE field_visits (
    id TEXT PRIMARY KEY,
    -- The registration visited; NULL for a case about an unregistered organisation.
    registration_id TEXT REFERENCES registrations (id),
    -- The oversight case the visit belongs to, if any.
    case_id TEXT,
    region_code TEXT NOT NULL REFERENCES regions (code),
    -- `verification`, `re_registration` or `oversight`.
    purpose TEXT NOT NULL CHECK (purpose IN ('verification', 're_registration', 'oversight')),
    visited_on DATE NOT NULL,
    -- The address visited.
    address TEXT NOT NULL,
    latitude DOUBLE,
    longitude DOUBLE,
    -- JSON: [{agency, name, position}].
    team TEXT NOT NULL,
    finding TEXT NOT NULL CHECK (finding IN ('secretariat_found', 'secretariat_moved', 'secretariat_not_found')),
    new_address TEXT,
    activities_observed BOOLEAN NOT NULL,
    notes TEXT,
    -- JSON: ids of `visit_photo` documents of the registration.
    photo_ids TEXT NOT NULL,
    recorded_by TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX field_visits_registration_idx ON field_visits (registration_id, visited_on);
CREATE INDEX field_visits_case_idx ON field_visits (case_id, visited_on);
CREATE INDEX field_visits_region_idx ON field_visits (region_code, visited_on);

-- Since when the last visit has found the secretariat missing (NULL when it was found, never
-- visited, or the address was changed since), and the day the address last changed.
ALTER TABLE registrations ADD COLUMN secretariat_missing_since DATE;
ALTER TABLE registrations ADD COLUMN address_changed_on DATE;
CREATE INDEX registrations_secretariat_missing_idx ON registrations (region_code)
    WHERE secretariat_missing_since IS NOT NULL;

-- Reference data: Kemendagri regions and the holiday calendar (SQLite dialect).
CREATE TABLE regions (
    code TEXT PRIMARY KEY NOT NULL,
    parent_code TEXT REFERENCES regions (code),
    level TEXT NOT NULL CHECK (level IN ('province', 'regency', 'district')),
    name TEXT NOT NULL
);
CREATE INDEX regions_parent_code_idx ON regions (parent_code, code);
CREATE INDEX regions_level_idx ON regions (level, code);

CREATE TABLE holidays (
    date DATE PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('libur_nasional', 'cuti_bersama')),
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL,
    estimated BOOLEAN NOT NULL DEFAULT FALSE
);

-- Which bundled data sets have been loaded, so that a seed runs once and an administrator's later
-- edits of the calendar are never overwritten.
CREATE TABLE reference_seeds (
    name TEXT PRIMARY KEY NOT NULL,
    applied_at TIMESTAMP NOT NULL
);

-- Reference data: Kemendagri regions and the holiday calendar (PostgreSQL dialect).
CREATE TABLE regions (
    -- Byte order, as in SQLite, so that lists and cursors sort the same on both backends.
    code TEXT COLLATE "C" PRIMARY KEY,
    parent_code TEXT COLLATE "C" REFERENCES regions (code),
    level TEXT NOT NULL CHECK (level IN ('province', 'regency', 'district')),
    name TEXT NOT NULL
);
CREATE INDEX regions_parent_code_idx ON regions (parent_code, code);
CREATE INDEX regions_level_idx ON regions (level, code);

CREATE TABLE holidays (
    date DATE PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('libur_nasional', 'cuti_bersama')),
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL,
    estimated BOOLEAN NOT NULL DEFAULT FALSE
);

-- Which bundled data sets have been loaded, so that a seed runs once and an administrator's later
-- edits of the calendar are never overwritten.
CREATE TABLE reference_seeds (
    name TEXT PRIMARY KEY,
    applied_at TIMESTAMP NOT NULL
);

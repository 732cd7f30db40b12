-- An organisation's national identity is versioned (corrections name the version they change);
-- a registration keeps its own name for its regional board (nama kepengurusan daerah).
ALTER TABLE organisations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE registrations ADD COLUMN branch_name TEXT;

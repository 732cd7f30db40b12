ALTER TABLE registrations DROP COLUMN branch_name;
ALTER TABLE organisations DROP COLUMN version;

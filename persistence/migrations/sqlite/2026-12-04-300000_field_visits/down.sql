DROP INDEX IF EXISTS registrations_secretariat_missing_idx;
ALTER TABLE registrations DROP COLUMN address_changed_on;
ALTER TABLE registrations DROP COLUMN secretariat_missing_since;
DROP TABLE field_visits;

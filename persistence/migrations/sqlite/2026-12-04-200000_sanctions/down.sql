DROP TRIGGER sanctions_stats_delete;
DROP TRIGGER sanctions_stats_update;
DROP TRIGGER sanctions_stats_insert;
DROP TABLE sanction_answers;
DROP TABLE sanctions;
ALTER TABLE organisations DROP COLUMN dissolution_decree;
ALTER TABLE organisations DROP COLUMN dissolved_on;
ALTER TABLE registrations DROP COLUMN suspended_until;
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (state IN (''draft'', ''submitted'', ''needs_revision'', ''registered'', ''rejected'', ''lapsed'', ''dissolved'', ''suspended'', ''revoked''))',
    'CHECK (state IN (''draft'', ''submitted'', ''needs_revision'', ''registered'', ''rejected'', ''lapsed'', ''dissolved''))')
WHERE type = 'table' AND name = 'registrations';
PRAGMA writable_schema = RESET;
CREATE TABLE schema_cookie_bump (x INTEGER);
DROP TABLE schema_cookie_bump;

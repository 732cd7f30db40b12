-- The statements of GET /v1/oversight/dashboard?region=64 for pgbench -M prepared (see
-- dashboard.sql); a region is one index range, `code <= region_code < code || '/'`.
SELECT code, name, level, parent_code FROM regions WHERE code = '64';
SELECT code, name, level FROM regions WHERE parent_code = '64' ORDER BY code LIMIT 10000;
SELECT date, kind FROM holidays WHERE date >= '2026-12-03';
SELECT region_code, category, created_at FROM complaints WHERE state = 'received' AND region_code >= '64' AND region_code < '64/';
SELECT region_code, state, count(*) FROM oversight_cases WHERE region_code >= '64' AND region_code < '64/' GROUP BY region_code, state;
SELECT region_code, deadline FROM sanctions WHERE kind = 'written_warning' AND state = 'in_force' AND compliance IS NULL AND deadline IS NOT NULL AND region_code >= '64' AND region_code < '64/';
SELECT region_code, period_end FROM sanctions WHERE kind = 'activity_suspension' AND state = 'in_force' AND region_code >= '64' AND region_code < '64/';
SELECT region_code, count(*) FROM registrations WHERE secretariat_missing_since IS NOT NULL AND secretariat_missing_since <= '2026-12-03' AND state IN ('registered', 'suspended') AND region_code >= '64' AND region_code < '64/' GROUP BY region_code;

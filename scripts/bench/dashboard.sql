-- The statements of GET /v1/oversight/dashboard (national scope) for pgbench -M prepared: the
-- child regions, the holiday calendar, and the five counting queries of
-- persistence/src/dashboard.rs. The session check of authentication is not included.
SELECT code, name, level FROM regions WHERE level = 'province' ORDER BY code LIMIT 10000;
SELECT date, kind FROM holidays WHERE date >= '2026-12-03';
SELECT region_code, category, created_at FROM complaints WHERE state = 'received';
SELECT region_code, state, count(*) FROM oversight_cases GROUP BY region_code, state;
SELECT region_code, deadline FROM sanctions WHERE kind = 'written_warning' AND state = 'in_force' AND compliance IS NULL AND deadline IS NOT NULL;
SELECT region_code, period_end FROM sanctions WHERE kind = 'activity_suspension' AND state = 'in_force';
SELECT region_code, count(*) FROM registrations WHERE secretariat_missing_since IS NOT NULL AND secretariat_missing_since <= '2026-12-03' AND state IN ('registered', 'suspended') GROUP BY region_code;

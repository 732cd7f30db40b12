//! Statistics, office by office: each office's counts (see `ormas_domain::statistics`) are kept as a
//! snapshot per date and reporting policy, and recomputed only when the office's data changed since
//! (its generation, advanced by triggers on every write, moved on). A national overview therefore
//! reads about 514 small snapshots instead of half a million registrations, however large the
//! register grows; only offices written to since the last look are recounted.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use ormas_domain::registration::{OrmasKind, RegistrationState, effective_state};
use ormas_domain::reporting::{Period, ReportingPolicy};
use ormas_domain::statistics::{OfficeCounts, RegistrationFacts};
use ormas_domain::status::ReportFacts;

use crate::schema::{organisations, registrations, reports, stats_generations, stats_snapshots};
use crate::sql::in_subtree;
use crate::{AnyConnection, PersistenceError, PersistenceResult, on_backend};

/// How many offices are recounted per query, to bound memory on a cold national overview.
const OFFICES_PER_BATCH: usize = 64;

/// The counts of every office in `region`'s subtree (the whole nation for `None`) as of `as_of`:
/// from fresh snapshots where there are some, recounted where not. Recounts are stored only for
/// `as_of == today` (older snapshots are dropped then), so that asking about many past dates
/// cannot fill the table. Returns `(office region code, counts)` in code order, and how many
/// offices were recounted.
pub fn office_counts(
    conn: &mut AnyConnection,
    region: Option<&str>,
    as_of: NaiveDate,
    policy: &ReportingPolicy,
    today: NaiveDate,
    now: NaiveDateTime,
) -> PersistenceResult<(Vec<(String, OfficeCounts)>, usize)> {
    let store = as_of == today;
    let policy_key = policy_key(policy);
    // Generations first: a write that lands after this read makes the snapshot stored below stale
    // at once, never fresh with old data.
    let mut generations = stats_generations::table
        .select((
            stats_generations::region_code,
            stats_generations::generation,
        ))
        .order(stats_generations::region_code.asc())
        .into_boxed();
    if let Some(region) = region {
        generations = generations.filter(in_subtree!(
            stats_generations::region_code,
            region.to_owned()
        ));
    }
    let generations: Vec<(String, i64)> = generations.load(conn)?;

    let mut snapshots = stats_snapshots::table
        .filter(stats_snapshots::as_of.eq(as_of))
        .filter(stats_snapshots::policy.eq(&policy_key))
        .select((
            stats_snapshots::region_code,
            stats_snapshots::generation,
            stats_snapshots::payload,
        ))
        .into_boxed();
    if let Some(region) = region {
        snapshots = snapshots.filter(in_subtree!(stats_snapshots::region_code, region.to_owned()));
    }
    let mut fresh: HashMap<String, OfficeCounts> = HashMap::new();
    let current: HashMap<&str, i64> = generations.iter().map(|(c, g)| (c.as_str(), *g)).collect();
    for (code, generation, payload) in snapshots.load::<(String, i64, String)>(conn)? {
        if current.get(code.as_str()) == Some(&generation)
            && let Ok(counts) = serde_json::from_str::<OfficeCounts>(&payload)
        {
            fresh.insert(code, counts);
        }
    }

    let stale: Vec<(String, i64)> = generations
        .iter()
        .filter(|(code, _)| !fresh.contains_key(code))
        .cloned()
        .collect();
    let recounted = stale.len();
    fresh.extend(recount(conn, &stale, as_of, policy, today, now, store)?);

    let mut counts: Vec<(String, OfficeCounts)> = fresh.into_iter().collect();
    counts.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((counts, recounted))
}

/// Recounts the offices whose snapshot for today is missing or stale, and stores them: what the
/// background refresher runs, so that the first overview after a change or after midnight is
/// served from snapshots. Returns how many offices were recounted.
pub fn refresh_today(
    conn: &mut AnyConnection,
    today: NaiveDate,
    policy: &ReportingPolicy,
    now: NaiveDateTime,
) -> PersistenceResult<usize> {
    let generations: Vec<(String, i64)> = stats_generations::table
        .select((
            stats_generations::region_code,
            stats_generations::generation,
        ))
        .order(stats_generations::region_code.asc())
        .load(conn)?;
    let snapshots: HashMap<String, i64> = stats_snapshots::table
        .filter(stats_snapshots::as_of.eq(today))
        .filter(stats_snapshots::policy.eq(policy_key(policy)))
        .select((stats_snapshots::region_code, stats_snapshots::generation))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let stale: Vec<(String, i64)> = generations
        .into_iter()
        .filter(|(code, generation)| snapshots.get(code) != Some(generation))
        .collect();
    recount(conn, &stale, today, policy, today, now, true)?;
    Ok(stale.len())
}

/// Counts the `stale` offices (with the generations read before their data) and, when `store`,
/// keeps them as snapshots, dropping snapshots of earlier days.
fn recount(
    conn: &mut AnyConnection,
    stale: &[(String, i64)],
    as_of: NaiveDate,
    policy: &ReportingPolicy,
    today: NaiveDate,
    now: NaiveDateTime,
    store: bool,
) -> PersistenceResult<HashMap<String, OfficeCounts>> {
    let mut counted_all = HashMap::new();
    if stale.is_empty() {
        return Ok(counted_all);
    }
    if store {
        diesel::delete(stats_snapshots::table.filter(stats_snapshots::as_of.lt(today)))
            .execute(conn)?;
    }
    let policy_key = policy_key(policy);
    for batch in stale.chunks(OFFICES_PER_BATCH) {
        let codes: Vec<String> = batch.iter().map(|(c, _)| c.clone()).collect();
        let mut counted = count_offices(conn, &codes, as_of, policy)?;
        let mut rows = Vec::with_capacity(batch.len());
        for (code, generation) in batch {
            let counts = counted
                .remove(code)
                .unwrap_or_else(|| OfficeCounts::new(policy, as_of));
            if store {
                let payload = serde_json::to_string(&counts)
                    .map_err(|e| PersistenceError::Corrupt(e.to_string()))?;
                rows.push((
                    stats_snapshots::region_code.eq(code.clone()),
                    stats_snapshots::as_of.eq(as_of),
                    stats_snapshots::policy.eq(policy_key.clone()),
                    stats_snapshots::generation.eq(*generation),
                    stats_snapshots::payload.eq(payload),
                    stats_snapshots::computed_at.eq(now),
                ));
            }
            counted_all.insert(code.clone(), counts);
        }
        if store {
            store_snapshots(conn, &rows)?;
        }
    }
    Ok(counted_all)
}

type SnapshotValues = (
    diesel::dsl::Eq<stats_snapshots::region_code, String>,
    diesel::dsl::Eq<stats_snapshots::as_of, NaiveDate>,
    diesel::dsl::Eq<stats_snapshots::policy, String>,
    diesel::dsl::Eq<stats_snapshots::generation, i64>,
    diesel::dsl::Eq<stats_snapshots::payload, String>,
    diesel::dsl::Eq<stats_snapshots::computed_at, NaiveDateTime>,
);

fn store_snapshots(conn: &mut AnyConnection, rows: &[SnapshotValues]) -> PersistenceResult<()> {
    use diesel::upsert::excluded;
    if rows.is_empty() {
        return Ok(());
    }
    on_backend!(conn, |c| diesel::insert_into(stats_snapshots::table)
        .values(rows)
        .on_conflict((
            stats_snapshots::region_code,
            stats_snapshots::as_of,
            stats_snapshots::policy
        ))
        .do_update()
        .set((
            stats_snapshots::generation.eq(excluded(stats_snapshots::generation)),
            stats_snapshots::payload.eq(excluded(stats_snapshots::payload)),
            stats_snapshots::computed_at.eq(excluded(stats_snapshots::computed_at)),
        ))
        .execute(c))?;
    Ok(())
}

/// The text a snapshot's policy is keyed by.
fn policy_key(policy: &ReportingPolicy) -> String {
    format!(
        "{}:{}:{}",
        policy.cadence, policy.due_after_days, policy.active_window_months
    )
}

type FactRow = (
    String,
    String,
    Option<String>,
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    String,
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

/// Counts the given offices from their registrations and reports: two set-based queries.
fn count_offices(
    conn: &mut AnyConnection,
    offices: &[String],
    as_of: NaiveDate,
    policy: &ReportingPolicy,
) -> PersistenceResult<HashMap<String, OfficeCounts>> {
    let rows: Vec<FactRow> = registrations::table
        .inner_join(organisations::table)
        .filter(registrations::region_code.eq_any(offices))
        .select((
            registrations::id,
            registrations::region_code,
            registrations::district_code,
            registrations::state,
            registrations::revision_due,
            registrations::verification_due,
            registrations::registration_date,
            registrations::board_term_ends_on,
            registrations::secretariat_missing_since,
            organisations::kind,
            organisations::fields,
            organisations::skt_expires_on,
            registrations::suspended_until,
        ))
        .load(conn)?;

    // Only the reports that can matter: accepted within the active window, or of a compliance
    // period or the last period due.
    let window_start = policy.active_window_start(as_of);
    let periods: Vec<String> = policy
        .due_periods(as_of, ormas_domain::statistics::COMPLIANCE_PERIODS)
        .iter()
        .map(Period::to_string)
        .collect();
    let report_rows: Vec<(String, String, Option<NaiveDate>, Option<NaiveDate>)> = reports::table
        .filter(reports::region_code.eq_any(offices))
        .filter(
            reports::accepted_on
                .ge(window_start)
                .or(reports::period.eq_any(&periods)),
        )
        .select((
            reports::registration_id,
            reports::period,
            reports::first_submitted_on,
            reports::accepted_on,
        ))
        .load(conn)?;
    let mut reports_by_registration: HashMap<String, Vec<ReportFacts>> = HashMap::new();
    for (registration_id, period, submitted_on, accepted_on) in report_rows {
        let Ok(period) = Period::parse(&period) else {
            continue;
        };
        reports_by_registration
            .entry(registration_id)
            .or_default()
            .push(ReportFacts {
                period,
                submitted_on,
                accepted_on,
            });
    }

    let mut counts: HashMap<String, OfficeCounts> = HashMap::new();
    let no_reports: Vec<ReportFacts> = Vec::new();
    for row in &rows {
        let (
            id,
            region,
            district,
            state,
            revision_due,
            verification_due,
            registered_on,
            board_ends,
            missing_since,
            kind,
            fields,
            skt,
            suspended_until,
        ) = row;
        let stored: RegistrationState = state.parse()?;
        let kind: OrmasKind = kind.parse()?;
        let fields: Vec<String> = serde_json::from_str(fields).unwrap_or_default();
        let facts = RegistrationFacts {
            state: effective_state(stored, *revision_due, *suspended_until, as_of),
            kind,
            fields: &fields,
            district_code: district.as_deref(),
            skt_expires_on: *skt,
            board_term_ends_on: *board_ends,
            registration_date: *registered_on,
            verification_due: *verification_due,
            secretariat_missing_since: *missing_since,
            reports: reports_by_registration.get(id).unwrap_or(&no_reports),
        };
        counts
            .entry(region.clone())
            .or_insert_with(|| OfficeCounts::new(policy, as_of))
            .tally(&facts, policy, as_of);
    }
    tally_sanctions(conn, offices, as_of, policy, &mut counts)?;
    Ok(counts)
}

/// Adds up offices' counts by the region each belongs to at `depth` characters of its code (2 for
/// provinces, 5 for kabupaten/kota); offices shallower than `depth` keep their own code.
pub fn group_by_prefix(
    offices: &[(String, OfficeCounts)],
    depth: usize,
) -> BTreeMap<String, OfficeCounts> {
    let mut grouped: BTreeMap<String, OfficeCounts> = BTreeMap::new();
    for (code, counts) in offices {
        let key = code.get(..depth).unwrap_or(code).to_owned();
        grouped.entry(key).or_default().add(counts);
    }
    grouped
}

/// Adds the sanctions of the given offices to their counts: one set-based query.
fn tally_sanctions(
    conn: &mut AnyConnection,
    offices: &[String],
    as_of: NaiveDate,
    policy: &ReportingPolicy,
    counts: &mut HashMap<String, OfficeCounts>,
) -> PersistenceResult<()> {
    use crate::schema::sanctions;
    use ormas_domain::statistics::SanctionFacts;
    type Row = (
        String,
        Option<String>,
        String,
        String,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<NaiveDate>,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = sanctions::table
        .inner_join(registrations::table)
        .filter(sanctions::region_code.eq_any(offices))
        .select((
            sanctions::region_code,
            registrations::district_code,
            sanctions::kind,
            sanctions::state,
            sanctions::deadline,
            sanctions::period_end,
            sanctions::letter_date,
            sanctions::decree_date,
        ))
        .load(conn)?;
    for (region, district, kind, state, deadline, period_end, letter_date, decree_date) in rows {
        let facts = SanctionFacts {
            kind: kind.parse()?,
            state: state.parse()?,
            deadline,
            period_end,
            dated: decree_date.or(letter_date),
        };
        counts
            .entry(region)
            .or_insert_with(|| OfficeCounts::new(policy, as_of))
            .tally_sanction(&facts, district.as_deref(), as_of);
    }
    Ok(())
}

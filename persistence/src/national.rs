//! A generated register the size of the nation's (about 550,000 regional registrations over the
//! 514 kabupaten/kota, with their organisations and semester reports), or a small sample made by
//! the same generator, for benchmarks, demos and load tests.
//!
//! The data is a pure function of the seed, the scale, the day it is generated for and the loaded
//! regions: the same inputs give byte-identical rows (ids, timestamps and numbers included). It is
//! shaped like the real register: offices of very different sizes (Java and the cities larger),
//! about 85 % registered, SKTs and board terms that have run out, and reporting habits from
//! diligent to absent, so that between a quarter and a third of the registered ormas count as active.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use ormas_domain::reference_lists::{FIELDS, SPECIAL_CHARACTERS};
use ormas_domain::registration::{identity_key, skt_expires_on};
use ormas_domain::registration_number::{NumberPattern, roman_month};
use ormas_domain::reporting::{Period, ReportingPolicy, receipt_number};
use ormas_domain::{HolidayCalendar, OrmasKind, RegistrationState, add_working_days};

use crate::schema::{
    complaints, field_visits, organisations, oversight_cases, regions, registration_sequences,
    registrations, report_sequences, reports, sanctions,
};
use crate::{AnyConnection, Backend, PersistenceError, PersistenceResult, on_backend, reference};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// About 550,000 registrations: the whole nation (512,997 ormas in June 2022).
    National,
    /// About 3,000 registrations from the same generator, for tests.
    Sample,
}

impl Scale {
    /// The number of registrations aimed at (the allocation over offices rounds it).
    pub fn registrations(self) -> usize {
        match self {
            Scale::National => 550_000,
            Scale::Sample => 3_000,
        }
    }

    /// The name on the command line: `national` or `sample`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::National => "national",
            Scale::Sample => "sample",
        }
    }
}

/// What to generate and as of which day.
#[derive(Debug, Clone)]
pub struct NationalOptions {
    /// How many registrations.
    pub scale: Scale,
    /// The generator's seed: the same seed gives the same data.
    pub seed: u64,
    /// The day the data is generated for: registrations, SKTs, board terms and reports are placed
    /// around it, and the active share is computed as of it.
    pub today: NaiveDate,
    /// The deployment's registration number pattern.
    pub pattern: NumberPattern,
    /// The deployment's reporting policy (periods, due dates, active window).
    pub policy: ReportingPolicy,
}

/// Why the register was not generated.
#[derive(Debug, thiserror::Error)]
pub enum NationalSeedError {
    /// Generated data is only ever added to an empty register, so that numbers cannot collide.
    #[error(
        "the database already holds {0} registration(s); a generated register needs an empty one \
         (use a fresh database)"
    )]
    NotEmpty(i64),
    /// The regions (reference data) are not loaded.
    #[error("no kabupaten/kota in table regions: run `ormas-api migrate` first")]
    NoRegions,
    /// The database refused or failed; rows written before stay (a transaction per few thousand).
    #[error(transparent)]
    Persistence(#[from] PersistenceError),
}

impl From<diesel::result::Error> for NationalSeedError {
    fn from(error: diesel::result::Error) -> Self {
        NationalSeedError::Persistence(error.into())
    }
}

/// What was generated, counted in the database afterwards.
#[derive(Debug, Clone)]
pub struct NationalSummary {
    /// The options the data was generated with.
    pub scale: Scale,
    pub seed: u64,
    pub today: NaiveDate,
    /// Rows in `organisations`.
    pub organisations: i64,
    /// Registrations per stored state, by state name.
    pub registrations: Vec<(String, i64)>,
    /// Reports per state, by state name.
    pub reports: Vec<(String, i64)>,
    /// Rows in `registration_sequences` (one per office and year of registration).
    pub registration_sequences: i64,
    /// Rows in `report_sequences` (one per office and year of acceptance).
    pub report_sequences: i64,
    /// Registered (state `registered`, approved by `today`).
    pub registered: i64,
    /// Of those, the active ones as of `today` (see `docs/domain.md`, "Active or inactive").
    pub active: i64,
    /// The oversight sprinkled over the register (complaints, cases, sanctions, visits).
    pub oversight: OversightSeeded,
    /// Time spent generating and writing (the counting afterwards excluded).
    pub elapsed: Duration,
}

impl NationalSummary {
    /// The share of registered ormas that are active, from 0 to 1.
    pub fn active_share(&self) -> f64 {
        if self.registered == 0 {
            0.0
        } else {
            self.active as f64 / self.registered as f64
        }
    }
}

impl fmt::Display for NationalSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = |rows: &[(String, i64)]| rows.iter().map(|(_, n)| n).sum::<i64>();
        writeln!(
            f,
            "Generated the {} register (seed {}, as of {}) in {:.1} s",
            self.scale.as_str(),
            self.seed,
            self.today,
            self.elapsed.as_secs_f64()
        )?;
        writeln!(
            f,
            "  {:<26}{:>12}",
            "organisations",
            grouped(self.organisations)
        )?;
        writeln!(
            f,
            "  {:<26}{:>12}",
            "registrations",
            grouped(total(&self.registrations))
        )?;
        for (state, n) in &self.registrations {
            writeln!(f, "    {state:<24}{:>12}", grouped(*n))?;
        }
        writeln!(
            f,
            "  {:<26}{:>12}",
            "reports",
            grouped(total(&self.reports))
        )?;
        for (state, n) in &self.reports {
            writeln!(f, "    {state:<24}{:>12}", grouped(*n))?;
        }
        writeln!(
            f,
            "  {:<26}{:>12}",
            "registration_sequences",
            grouped(self.registration_sequences)
        )?;
        writeln!(
            f,
            "  {:<26}{:>12}",
            "report_sequences",
            grouped(self.report_sequences)
        )?;
        let o = &self.oversight;
        writeln!(
            f,
            "  oversight: {} complaints, {} cases, {} warnings, {} suspensions, {} secretariats not found",
            grouped(o.complaints as i64),
            grouped(o.cases as i64),
            grouped(o.warnings as i64),
            grouped(o.suspensions as i64),
            grouped(o.secretariats_not_found as i64)
        )?;
        writeln!(
            f,
            "Active as of {}: {} of {} registered ormas ({:.1} %)",
            self.today,
            grouped(self.active),
            grouped(self.registered),
            100.0 * self.active_share()
        )
    }
}

/// `1234567` → `1,234,567`.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Generates the register into a migrated database with the reference data loaded and no
/// registrations yet; writes a few thousand rows per transaction (COPY on PostgreSQL), sets the
/// registration and receipt sequences so that later approvals and acceptances continue them, and
/// counts the result.
pub fn seed_national(
    conn: &mut AnyConnection,
    options: &NationalOptions,
) -> Result<NationalSummary, NationalSeedError> {
    let started = Instant::now();
    let existing: i64 = registrations::table.count().get_result(conn)?;
    if existing > 0 {
        return Err(NationalSeedError::NotEmpty(existing));
    }
    let offices = load_offices(conn)?;
    if offices.is_empty() {
        return Err(NationalSeedError::NoRegions);
    }
    let calendar = reference::holiday_calendar_from(conn, first_registration_day(options.today))?;
    let mut generator = Generator::new(options, calendar);
    let counts = allocate(
        &offices,
        options.scale.registrations(),
        &mut Rng::new(mix(options.seed, u64::MAX)),
    );
    let total: usize = counts.iter().sum();
    let mut batch = Batch::default();
    let mut written = 0usize;
    let mut logged = 0usize;
    let mut registration_seqs = Vec::new();
    let mut receipt_seqs = Vec::new();
    for (index, (office, count)) in offices.iter().zip(&counts).enumerate() {
        let mut rng = Rng::new(mix(options.seed, index as u64));
        let sequences = generator.office(office, *count, &mut rng, &mut batch);
        registration_seqs.extend(sequences.registrations);
        receipt_seqs.extend(sequences.receipts);
        if batch.registrations.len() >= FLUSH_REGISTRATIONS {
            written += batch.flush(conn)?;
            if written - logged >= 50_000 {
                log::info!("generated register: {written} of {total} registrations written");
                logged = written;
            }
        }
    }
    batch.flush(conn)?;
    write_sequences(conn, Sequence::Registration, &registration_seqs)?;
    write_sequences(conn, Sequence::Receipt, &receipt_seqs)?;
    let oversight = sprinkle_oversight(conn, options, &generator.calendar)?;
    crate::national_permits::sprinkle_permits(conn, options, &generator.calendar)?;
    crate::national_grants::sprinkle_grants(conn, options.today, total, options.seed)?;
    crate::national_consultations::sprinkle_consultations(conn, options.seed, options.today)?;
    if Backend::of(conn) == Backend::Postgres {
        conn.batch_execute(
            "ANALYZE organisations; ANALYZE registrations; ANALYZE reports; ANALYZE complaints; \
             ANALYZE oversight_cases; ANALYZE sanctions; ANALYZE field_visits;",
        )?;
    }
    let elapsed = started.elapsed();
    let share = active_share(conn, options)?;
    Ok(NationalSummary {
        scale: options.scale,
        seed: options.seed,
        today: options.today,
        organisations: organisations::table.count().get_result(conn)?,
        registrations: registrations::table
            .group_by(registrations::state)
            .select((registrations::state, diesel::dsl::count_star()))
            .order(registrations::state.asc())
            .load(conn)?,
        reports: reports::table
            .group_by(reports::state)
            .select((reports::state, diesel::dsl::count_star()))
            .order(reports::state.asc())
            .load(conn)?,
        registration_sequences: registration_sequences::table.count().get_result(conn)?,
        report_sequences: report_sequences::table.count().get_result(conn)?,
        registered: share.registered,
        active: share.active,
        oversight,
        elapsed,
    })
}

#[derive(QueryableByName)]
struct ActiveShare {
    #[diesel(sql_type = BigInt)]
    registered: i64,
    #[diesel(sql_type = BigInt)]
    active: i64,
}

/// The registered ormas and the active ones among them as of `today`, in one query: registered by
/// then, a legal basis still valid (AHU, or an SKT not expired), a board term not ended, and a report
/// accepted within the active window.
fn active_share(
    conn: &mut AnyConnection,
    options: &NationalOptions,
) -> PersistenceResult<ActiveShare> {
    // Dates are written as ISO literals (they come from NaiveDate, not from input): both backends
    // compare them with DATE columns the same way, and the placeholders differ between them.
    let today = options.today.format("%Y-%m-%d");
    let since = options
        .policy
        .active_window_start(options.today)
        .format("%Y-%m-%d");
    let sql = format!(
        "SELECT COUNT(*) AS registered, \
           COALESCE(SUM(CASE WHEN (o.kind <> 'tidak_berbadan_hukum' OR o.skt_expires_on >= '{today}') \
             AND (r.board_term_ends_on IS NULL OR r.board_term_ends_on >= '{today}') \
             AND EXISTS (SELECT 1 FROM reports p WHERE p.registration_id = r.id \
               AND p.state = 'accepted' AND p.accepted_on >= '{since}' AND p.accepted_on <= '{today}') \
           THEN 1 ELSE 0 END), 0) AS active \
         FROM registrations r JOIN organisations o ON o.id = r.organisation_id \
         WHERE r.state = 'registered' AND r.registration_date <= '{today}'"
    );
    Ok(diesel::sql_query(sql).get_result::<ActiveShare>(conn)?)
}

/// Registrations generated before the rows are written in one transaction.
const FLUSH_REGISTRATIONS: usize = 4_000;

/// Rows per multi-row INSERT on SQLite: 18 columns × 1,000 stays under its 32,766 parameters.
const SQLITE_ROWS_PER_INSERT: usize = 1_000;

/// The rows as written. Their own types rather than the repositories' rows: PostgreSQL's COPY
/// needs every column present (no DEFAULT placeholder for `None`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = organisations, treat_none_as_default_value = false)]
struct NewOrganisation {
    id: String,
    identity_key: Option<String>,
    name: String,
    abbreviation: Option<String>,
    kind: String,
    ahu_number: Option<String>,
    ahu_date: Option<NaiveDate>,
    skt_number: Option<String>,
    skt_issued_on: Option<NaiveDate>,
    skt_issuer: Option<String>,
    skt_expires_on: Option<NaiveDate>,
    npwp: Option<String>,
    founded_on: Option<NaiveDate>,
    fields: String,
    special_character: Option<String>,
    tiered: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = registrations, treat_none_as_default_value = false)]
struct NewRegistration {
    id: String,
    organisation_id: String,
    region_code: String,
    district_code: Option<String>,
    address: String,
    phone: Option<String>,
    email: Option<String>,
    board_term_ends_on: Option<NaiveDate>,
    state: String,
    registration_number: Option<String>,
    registration_date: Option<NaiveDate>,
    submitted_on: Option<NaiveDate>,
    verification_due: Option<NaiveDate>,
    revision_due: Option<NaiveDate>,
    created_by: Option<String>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = reports, treat_none_as_default_value = false)]
struct NewReport {
    id: String,
    registration_id: String,
    region_code: String,
    period: String,
    due_on: NaiveDate,
    state: String,
    content: String,
    first_submitted_on: Option<NaiveDate>,
    submitted_on: Option<NaiveDate>,
    late: bool,
    accepted_on: Option<NaiveDate>,
    accepted_by: Option<String>,
    receipt_number: Option<String>,
    return_reason: Option<String>,
    created_by: Option<String>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Rows generated and not yet written.
#[derive(Default)]
struct Batch {
    organisations: Vec<NewOrganisation>,
    registrations: Vec<NewRegistration>,
    reports: Vec<NewReport>,
}

/// Writes rows of one table: COPY on PostgreSQL (several times faster than INSERT), multi-row
/// INSERTs on SQLite.
macro_rules! write_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            AnyConnection::Postgresql(c) => {
                diesel::copy_from($table)
                    .from_insertable($rows)
                    .execute(c)?;
            }
            AnyConnection::Sqlite(c) => {
                for chunk in $rows.chunks(SQLITE_ROWS_PER_INSERT) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
        }
    };
}

impl Batch {
    /// Writes and empties the batch in one transaction; returns the registrations written.
    fn flush(&mut self, conn: &mut AnyConnection) -> PersistenceResult<usize> {
        let written = self.registrations.len();
        if written == 0 {
            return Ok(0);
        }
        crate::in_write_transaction(conn, |conn| {
            write_rows!(conn, organisations::table, &self.organisations);
            write_rows!(conn, registrations::table, &self.registrations);
            write_rows!(conn, reports::table, &self.reports);
            Ok(())
        })?;
        self.organisations.clear();
        self.registrations.clear();
        self.reports.clear();
        Ok(written)
    }
}

enum Sequence {
    Registration,
    Receipt,
}

/// Sets each (region, year) sequence to the last number generated, in one transaction.
fn write_sequences(
    conn: &mut AnyConnection,
    which: Sequence,
    rows: &[(String, i32, i32)],
) -> PersistenceResult<()> {
    use diesel::upsert::excluded;
    crate::in_write_transaction(conn, |conn| {
        for (region, year, last) in rows {
            match which {
                Sequence::Registration => {
                    use registration_sequences::dsl as s;
                    on_backend!(conn, |c| diesel::insert_into(s::registration_sequences)
                        .values((
                            s::region_code.eq(region),
                            s::year.eq(year),
                            s::last_number.eq(last),
                        ))
                        .on_conflict((s::region_code, s::year))
                        .do_update()
                        .set(s::last_number.eq(excluded(s::last_number)))
                        .execute(c))?;
                }
                Sequence::Receipt => {
                    use report_sequences::dsl as s;
                    on_backend!(conn, |c| diesel::insert_into(s::report_sequences)
                        .values((
                            s::region_code.eq(region),
                            s::year.eq(year),
                            s::last_number.eq(last),
                        ))
                        .on_conflict((s::region_code, s::year))
                        .do_update()
                        .set(s::last_number.eq(excluded(s::last_number)))
                        .execute(c))?;
                }
            }
        }
        Ok(())
    })
}

/// A kabupaten/kota office and its kecamatan.
struct Office {
    code: String,
    /// The name without `Kabupaten `/`Kota `, for addresses and names.
    place: String,
    province_name: String,
    java: bool,
    kota: bool,
    districts: Vec<(String, String)>,
}

/// The kabupaten/kota with their kecamatan, in code order.
fn load_offices(conn: &mut AnyConnection) -> PersistenceResult<Vec<Office>> {
    let rows: Vec<(String, Option<String>, String, String)> = regions::table
        .select((
            regions::code,
            regions::parent_code,
            regions::level,
            regions::name,
        ))
        .load(conn)?;
    let mut provinces = BTreeMap::new();
    let mut regencies = BTreeMap::new();
    let mut districts: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (code, parent, level, name) in rows {
        match (level.as_str(), parent) {
            ("province", _) => {
                provinces.insert(code, name);
            }
            ("regency", Some(parent)) => {
                regencies.insert(code, (parent, name));
            }
            ("district", Some(parent)) => districts.entry(parent).or_default().push((code, name)),
            _ => {}
        }
    }
    Ok(regencies
        .into_iter()
        .map(|(code, (province, name))| {
            let mut own = districts.remove(&code).unwrap_or_default();
            own.sort();
            let place = name
                .strip_prefix("Kabupaten ")
                .or_else(|| name.strip_prefix("Kota "))
                .unwrap_or(&name)
                .to_owned();
            let number = code
                .split('.')
                .nth(1)
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(0);
            Office {
                java: matches!(province.as_str(), "31" | "32" | "33" | "34" | "35" | "36"),
                kota: number >= 71,
                province_name: provinces.get(&province).cloned().unwrap_or_default(),
                code,
                place,
                districts: own,
            }
        })
        .collect())
}

/// Shares `total` registrations out over the offices by pseudo-population weights: log-normal
/// spread, Java ×2, cities ×1.3 (largest remainders get the rounding).
fn allocate(offices: &[Office], total: usize, rng: &mut Rng) -> Vec<usize> {
    let weights: Vec<f64> = offices
        .iter()
        .map(|office| {
            // A sum of four uniforms, rescaled: close enough to a standard normal.
            let z = ((0..4).map(|_| rng.unit()).sum::<f64>() - 2.0) * 3f64.sqrt();
            let mut w = (0.75 * z).exp().clamp(0.25, 5.0);
            if office.java {
                w *= 2.0;
            }
            if office.kota {
                w *= 1.3;
            }
            w
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut counts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut order: Vec<usize> = (0..offices.len()).collect();
    order.sort_by(|a, b| {
        let fa = exact[*a] - exact[*a].floor();
        let fb = exact[*b] - exact[*b].floor();
        fb.total_cmp(&fa).then(a.cmp(b))
    });
    let short = total.saturating_sub(counts.iter().sum());
    for i in order.into_iter().take(short) {
        counts[i] += 1;
    }
    counts
}

/// The first registration date generated: 1 January 2012, or earlier when `today` is early.
fn first_registration_day(today: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(2012, 1, 1)
        .filter(|d| *d < today - Days::new(400))
        .unwrap_or(today - Days::new(3650))
}

/// The last (region, year) numbers used in one office.
struct OfficeSequences {
    registrations: Vec<(String, i32, i32)>,
    receipts: Vec<(String, i32, i32)>,
}

struct Generator<'a> {
    options: &'a NationalOptions,
    calendar: HolidayCalendar,
    /// The report periods generated, oldest first: up to eight, ending with the last one due.
    periods: Vec<Period>,
    first_day: NaiveDate,
    last_day: NaiveDate,
    /// Numbers every organisation uniquely across offices (AHU and SKT numbers).
    serial: u64,
}

const KINDS: [(OrmasKind, u64); 3] = [
    (OrmasKind::Perkumpulan, 55),
    (OrmasKind::Yayasan, 30),
    (OrmasKind::TidakBerbadanHukum, 15),
];

const STATES: [(RegistrationState, u64); 6] = [
    (RegistrationState::Registered, 85),
    (RegistrationState::Draft, 3),
    (RegistrationState::Submitted, 4),
    (RegistrationState::NeedsRevision, 3),
    (RegistrationState::Rejected, 2),
    (RegistrationState::Dissolved, 3),
];

impl<'a> Generator<'a> {
    fn new(options: &'a NationalOptions, calendar: HolidayCalendar) -> Self {
        let mut periods = Vec::new();
        let mut period = options.policy.last_due_period(options.today);
        while let Some(p) = period.filter(|_| periods.len() < 8) {
            periods.push(p);
            period = p.previous();
        }
        periods.reverse();
        let first_day = first_registration_day(options.today);
        // Registrations run until three weeks before today (2026-10-31 for 2026-11-22).
        let last_day = (options.today - Days::new(22)).max(first_day);
        Self {
            options,
            calendar,
            periods,
            first_day,
            last_day,
            serial: 0,
        }
    }

    fn today(&self) -> NaiveDate {
        self.options.today
    }

    /// `count` registrations of one office with their organisations and reports, numbered.
    fn office(
        &mut self,
        office: &Office,
        count: usize,
        rng: &mut Rng,
        batch: &mut Batch,
    ) -> OfficeSequences {
        let first_registration = batch.registrations.len();
        let first_report = batch.reports.len();
        for _ in 0..count {
            self.registration(office, rng, batch);
        }
        OfficeSequences {
            registrations: number_registrations(
                &mut batch.registrations[first_registration..],
                &self.options.pattern,
            ),
            receipts: number_receipts(&mut batch.reports[first_report..]),
        }
    }

    fn registration(&mut self, office: &Office, rng: &mut Rng, batch: &mut Batch) {
        self.serial += 1;
        let serial = self.serial;
        let today = self.today();
        let kind = *rng.weighted(&KINDS);
        let state = *rng.weighted(&STATES);
        let badan_hukum = kind.is_badan_hukum();

        // The SKT comes first: a registration of an ormas without legal personality follows it.
        // Issued up to 6¾ years ago with a validity of five: about a quarter have expired.
        let skt_issued =
            (!badan_hukum).then(|| today - Days::new(30 + rng.below(6 * 365 + 270 - 30)));

        let (registration_date, submitted_on, created_on, updated_on, version) = match state {
            RegistrationState::Registered | RegistrationState::Dissolved => {
                let mut date = if state == RegistrationState::Dissolved {
                    rng.day_between(self.first_day, self.last_day - Days::new(365))
                } else {
                    let span = (self.last_day - self.first_day).num_days().max(0) as f64;
                    // Skewed towards recent years, as registrations grew.
                    self.first_day + Days::new((span * rng.unit().powf(0.75)) as u64)
                };
                if let Some(issued) = skt_issued {
                    date = date
                        .max(issued + Days::new(7 + rng.below(60)))
                        .min(today - Days::new(1));
                }
                let mut submitted = date - Days::new(3 + rng.below(19));
                if let Some(issued) = skt_issued {
                    submitted = submitted.max(issued).min(date);
                }
                let created = submitted - Days::new(rng.below(15));
                if state == RegistrationState::Dissolved {
                    let room = (today - date).num_days().max(2) as u64;
                    let dissolved = date + Days::new(1 + rng.below(room - 1));
                    (Some(date), Some(submitted), created, dissolved, 4)
                } else {
                    (Some(date), Some(submitted), created, date, 3)
                }
            }
            RegistrationState::Submitted => {
                let submitted = today - Days::new(rng.below(29));
                let created = submitted - Days::new(rng.below(31));
                (None, Some(submitted), created, submitted, 2)
            }
            RegistrationState::NeedsRevision => {
                let submitted = today - Days::new(10 + rng.below(45));
                let notice = (submitted + Days::new(3 + rng.below(12))).min(today - Days::new(1));
                let created = submitted - Days::new(rng.below(31));
                (None, Some(submitted), created, notice, 3)
            }
            RegistrationState::Rejected => {
                let submitted = rng.day_between(self.first_day, today - Days::new(30));
                let created = submitted - Days::new(rng.below(31));
                let decided = submitted + Days::new(10 + rng.below(16));
                (None, Some(submitted), created, decided, 3)
            }
            _ => {
                let created = today - Days::new(1 + rng.below(240));
                (None, None, created, created, 1)
            }
        };
        let verification_due = (state == RegistrationState::Submitted)
            .then(|| submitted_on.and_then(|on| add_working_days(on, 15, &self.calendar).ok()))
            .flatten();
        let revision_due = (state == RegistrationState::NeedsRevision)
            .then(|| add_working_days(updated_on, 15, &self.calendar).ok())
            .flatten();

        // Board terms run five years; about 13 % of registered boards have ended by today.
        let board_term_ends_on = match state {
            RegistrationState::Registered | RegistrationState::Dissolved => {
                Some(today + Days::new(rng.below(5 * 365)) - Days::new(240))
            }
            _ => Some(today + Days::new(200 + rng.below(5 * 365 - 200))),
        };

        let anchor = registration_date.unwrap_or(created_on);
        let founded_before = skt_issued.unwrap_or(anchor);
        let age = 60 + (365.0 * 30.0 * rng.unit().powi(2)) as u64;
        let founded_on = founded_before - Days::new(age);
        let legal_date = skt_issued.unwrap_or_else(|| {
            let room = (anchor - founded_on).num_days().max(15) as u64;
            founded_on + Days::new(rng.below(room - 14))
        });
        let (ahu_number, skt_number) = if badan_hukum {
            let series = if kind == OrmasKind::Yayasan {
                "04"
            } else {
                "07"
            };
            (
                Some(format!(
                    "AHU-{:07}.AH.01.{series}.{}",
                    10_000 + serial,
                    legal_date.year()
                )),
                None,
            )
        } else {
            (
                None,
                Some(format!(
                    "01-00-00/{:06}/D.III.4/{}/{}",
                    serial,
                    roman_month(legal_date.month()),
                    legal_date.year()
                )),
            )
        };
        let skt_issuer = skt_issued.map(|issued| {
            // Kemendagri has issued SKTs since August 2017; older ones came from the regions.
            if issued < date(2017, 8, 1) {
                format!("Badan Kesbangpol Provinsi {}", office.province_name)
            } else {
                "Kementerian Dalam Negeri".to_owned()
            }
        });

        let name = organisation_name(rng, kind, &office.place);
        let abbreviation = rng.chance(0.6).then(|| initials(&name));
        let (district_code, district_name) = if office.districts.is_empty() {
            (None, office.place.clone())
        } else {
            let (code, name) = rng.pick(&office.districts);
            (Some(code.clone()), name.clone())
        };
        let address = format!(
            "{} No. {}, RT {:03}/RW {:03}, Kec. {}, {}",
            rng.pick(STREETS),
            1 + rng.below(250),
            1 + rng.below(20),
            1 + rng.below(12),
            district_name,
            office.place
        );
        let first_field = rng.pick(FIELDS).code;
        let fields = if rng.chance(0.45) {
            let second = rng.pick(FIELDS).code;
            if second == first_field {
                json_array(&[first_field])
            } else {
                json_array(&[first_field, second])
            }
        } else {
            json_array(&[first_field])
        };
        let contact = abbreviation
            .clone()
            .unwrap_or_else(|| "sekretariat".to_owned())
            .to_lowercase();

        let created_at = at(created_on, rng);
        let updated_at = at(updated_on, rng).max(created_at);
        let organisation_id = uuid_v7(created_at, rng);
        let registration_id = uuid_v7(created_at, rng);
        batch.organisations.push(NewOrganisation {
            id: organisation_id.clone(),
            identity_key: identity_key(kind, ahu_number.as_deref(), skt_number.as_deref()),
            name,
            abbreviation,
            kind: kind.as_str().to_owned(),
            ahu_number,
            ahu_date: badan_hukum.then_some(legal_date),
            skt_number,
            skt_issued_on: skt_issued,
            skt_issuer,
            skt_expires_on: skt_issued.and_then(skt_expires_on),
            npwp: rng.chance(0.7).then(|| {
                format!(
                    "{:02}{:07}{}{:03}000",
                    rng.below(100),
                    serial % 10_000_000,
                    rng.below(10),
                    rng.below(1000)
                )
            }),
            founded_on: Some(founded_on),
            fields,
            special_character: rng
                .chance(0.3)
                .then(|| rng.pick(SPECIAL_CHARACTERS).code.to_owned()),
            tiered: rng.chance(0.15),
            created_at,
            updated_at: created_at,
        });
        batch.registrations.push(NewRegistration {
            id: registration_id.clone(),
            organisation_id,
            region_code: office.code.clone(),
            district_code,
            address,
            phone: rng.chance(0.8).then(|| {
                format!(
                    "+62 8{}{:02} {:04} {:04}",
                    1 + rng.below(9),
                    rng.below(100),
                    rng.below(10_000),
                    rng.below(10_000)
                )
            }),
            email: rng
                .chance(0.35)
                .then(|| format!("{contact}.{serial}@gmail.com")),
            board_term_ends_on,
            state: state.as_str().to_owned(),
            registration_number: None,
            registration_date,
            submitted_on,
            verification_due,
            revision_due,
            created_by: None,
            version,
            created_at,
            updated_at,
        });
        if state == RegistrationState::Registered
            && let Some(registered_on) = registration_date
        {
            let signatories = (person(rng), person(rng));
            self.reports(
                office,
                &registration_id,
                registered_on,
                &signatories,
                &district_name,
                rng,
                batch,
            );
        }
    }

    /// The reports of one registered ormas: its propensity decides how many of the periods since
    /// its registration it reported on.
    #[allow(clippy::too_many_arguments)]
    fn reports(
        &self,
        office: &Office,
        registration_id: &str,
        registered_on: NaiveDate,
        signatories: &(String, String),
        district: &str,
        rng: &mut Rng,
        batch: &mut Batch,
    ) {
        let today = self.today();
        let policy = &self.options.policy;
        let habit = rng.unit();
        let propensity = if habit < 0.25 {
            0.9
        } else if habit < 0.45 {
            0.4
        } else {
            0.03
        };
        let latest = self.periods.last().copied();
        for period in &self.periods {
            if period.end() < registered_on || !rng.chance(propensity) {
                continue;
            }
            let due_on = policy.due_on(period);
            let late = rng.chance(0.25);
            let first_submitted = if late {
                due_on + Days::new(1 + rng.below(100))
            } else {
                let room = (due_on - period.end()).num_days().max(1) as u64;
                period.end() + Days::new(1 + rng.below(room))
            };
            let roll = rng.unit();
            let mut row = NewReport {
                id: String::new(),
                registration_id: registration_id.to_owned(),
                region_code: office.code.clone(),
                period: period.as_string(),
                due_on,
                state: "accepted".to_owned(),
                content: report_content(period, signatories, district, rng),
                first_submitted_on: Some(first_submitted),
                submitted_on: Some(first_submitted),
                late: first_submitted > due_on,
                accepted_on: None,
                accepted_by: None,
                receipt_number: None,
                return_reason: None,
                created_by: None,
                version: 3,
                created_at: NaiveDateTime::MIN,
                updated_at: NaiveDateTime::MIN,
            };
            let created_on;
            let updated_on;
            if first_submitted > today || roll < 0.02 {
                // Started, never sent.
                created_on = (period.end() + Days::new(1 + rng.below(30))).min(today);
                updated_on = created_on;
                row.state = "draft".to_owned();
                row.first_submitted_on = None;
                row.submitted_on = None;
                row.late = false;
                row.version = 1;
            } else if roll < 0.06 {
                created_on = first_submitted - Days::new(rng.below(6));
                updated_on = (first_submitted + Days::new(3 + rng.below(18))).min(today);
                row.state = "returned".to_owned();
                row.return_reason = Some((*rng.pick(RETURN_REASONS)).to_owned());
            } else {
                created_on = first_submitted - Days::new(rng.below(6));
                // A few were returned once and resubmitted before being accepted.
                let submitted = if roll < 0.10 {
                    first_submitted + Days::new(7 + rng.below(15))
                } else {
                    first_submitted
                };
                let accepted = submitted + Days::new(3 + rng.below(38));
                let backlog = Some(*period) == latest && rng.chance(0.08);
                if accepted > today || submitted > today || backlog {
                    row.state = "submitted".to_owned();
                    row.submitted_on = Some(first_submitted);
                    row.version = 2;
                    updated_on = first_submitted;
                } else {
                    row.submitted_on = Some(submitted);
                    row.accepted_on = Some(accepted);
                    row.version = if submitted > first_submitted { 5 } else { 3 };
                    updated_on = accepted;
                }
            }
            row.created_at = at(created_on, rng);
            row.updated_at = at(updated_on, rng).max(row.created_at);
            row.id = uuid_v7(row.created_at, rng);
            batch.reports.push(row);
        }
    }
}

/// Numbers the office's registrations with a registration date in date order, one sequence per
/// year; returns the last number of each year.
fn number_registrations(
    rows: &mut [NewRegistration],
    pattern: &NumberPattern,
) -> Vec<(String, i32, i32)> {
    let mut order: Vec<usize> = (0..rows.len())
        .filter(|i| rows[*i].registration_date.is_some())
        .collect();
    order.sort_by(|a, b| {
        (rows[*a].registration_date, &rows[*a].id).cmp(&(rows[*b].registration_date, &rows[*b].id))
    });
    let mut last: BTreeMap<(String, i32), i32> = BTreeMap::new();
    for i in order {
        let row = &mut rows[i];
        let Some(on) = row.registration_date else {
            continue;
        };
        let seq = last
            .entry((row.region_code.clone(), on.year()))
            .or_insert(0);
        *seq += 1;
        row.registration_number = Some(pattern.format(*seq as u32, &row.region_code, on));
    }
    last.into_iter().map(|((r, y), n)| (r, y, n)).collect()
}

/// Gives the office's accepted reports their receipt numbers in acceptance order, one sequence per
/// year; returns the last number of each year.
fn number_receipts(rows: &mut [NewReport]) -> Vec<(String, i32, i32)> {
    let mut order: Vec<usize> = (0..rows.len())
        .filter(|i| rows[*i].accepted_on.is_some())
        .collect();
    order.sort_by(|a, b| {
        (rows[*a].accepted_on, &rows[*a].id).cmp(&(rows[*b].accepted_on, &rows[*b].id))
    });
    let mut last: BTreeMap<(String, i32), i32> = BTreeMap::new();
    for i in order {
        let row = &mut rows[i];
        let Some(on) = row.accepted_on else {
            continue;
        };
        let seq = last
            .entry((row.region_code.clone(), on.year()))
            .or_insert(0);
        *seq += 1;
        row.receipt_number = Some(receipt_number(*seq as u32, &row.region_code, on));
    }
    last.into_iter().map(|((r, y), n)| (r, y, n)).collect()
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// A moment of office hours (08:00–16:00 WIB, 01:00–09:00 UTC) on `day`, in whole seconds.
pub(crate) fn at(day: NaiveDate, rng: &mut Rng) -> NaiveDateTime {
    let seconds = 3_600 + rng.below(8 * 3_600) as u32;
    day.and_time(NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0).unwrap_or_default())
}

/// A UUIDv7-shaped id for a row created at `moment`, its random bits from the generator.
pub(crate) fn uuid_v7(moment: NaiveDateTime, rng: &mut Rng) -> String {
    let millis =
        (moment.and_utc().timestamp_millis().max(0) as u64 + rng.below(1000)) & 0xffff_ffff_ffff;
    let a = rng.next_u64();
    let b = rng.next_u64();
    let version_and_rand = 0x7000 | (a & 0x0fff);
    let variant_and_rand = 0x8000 | ((a >> 12) & 0x3fff);
    let tail = b & 0xffff_ffff_ffff;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        millis >> 16,
        millis & 0xffff,
        version_and_rand,
        variant_and_rand,
        tail
    )
}

/// A JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_array(items: &[&str]) -> String {
    let inner: Vec<String> = items.iter().map(|s| json_string(s)).collect();
    format!("[{}]", inner.join(","))
}

/// A small report body: one to three activities in the period, finances, no changes, signatories.
fn report_content(
    period: &Period,
    signatories: &(String, String),
    district: &str,
    rng: &mut Rng,
) -> String {
    let span = (period.end() - period.start()).num_days().max(1) as u64;
    let mut days: Vec<NaiveDate> = (0..1 + rng.below(3))
        .map(|_| period.start() + Days::new(rng.below(span)))
        .collect();
    days.sort();
    let activities: Vec<String> = days
        .iter()
        .map(|day| {
            let place = match rng.below(3) {
                0 => "Sekretariat".to_owned(),
                1 => format!("Balai Pertemuan Kec. {district}"),
                _ => format!("Kecamatan {district}"),
            };
            let description = *rng.pick(ACTIVITIES);
            format!(
                "{{\"date\":\"{day}\",\"place\":{},\"description\":{},\"document_ids\":[]}}",
                json_string(&place),
                json_string(description)
            )
        })
        .collect();
    let dues = 50_000 * (2 + rng.below(60));
    let donations = if rng.chance(0.5) {
        100_000 * rng.below(50)
    } else {
        0
    };
    let business = if rng.chance(0.15) {
        250_000 * rng.below(40)
    } else {
        0
    };
    let grants = if rng.chance(0.05) {
        5_000_000 * (1 + rng.below(10))
    } else {
        0
    };
    let income = dues + donations + business + grants;
    let spending = income / 100 * (60 + rng.below(50)) / 1000 * 1000;
    format!(
        "{{\"activities\":[{}],\"finances\":{{\"income\":{{\"dues\":{dues},\"donations\":{donations},\
         \"business\":{business},\"government_grants\":{grants},\"foreign_donations\":0}},\
         \"spending\":{spending}}},\"changes\":{{\"board\":null,\"address\":null}},\
         \"signatories\":{{\"ketua\":{},\"sekretaris\":{}}}}}",
        activities.join(","),
        json_string(&signatories.0),
        json_string(&signatories.1)
    )
}

fn person(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(GIVEN_NAMES), rng.pick(FAMILY_NAMES))
}

fn organisation_name(rng: &mut Rng, kind: OrmasKind, place: &str) -> String {
    let head = match kind {
        OrmasKind::Yayasan => "Yayasan",
        OrmasKind::Perkumpulan => rng.pick(ASSOCIATION_HEADS),
        OrmasKind::TidakBerbadanHukum => rng.pick(COMMUNITY_HEADS),
    };
    match rng.below(3) {
        0 => format!("{head} {} {}", rng.pick(TOPICS), rng.pick(QUALIFIERS)),
        1 => format!("{head} {} {place}", rng.pick(QUALIFIERS)),
        _ => format!("{head} {} {place}", rng.pick(TOPICS)),
    }
}

/// `Ikatan Pemuda Peduli Lingkungan` → `IPPL`.
fn initials(name: &str) -> String {
    name.split([' ', '-'])
        .filter(|w| !matches!(*w, "dan" | "Al" | ""))
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

/// splitmix64 of `seed` and `stream`: independent generators per office.
pub(crate) fn mix(seed: u64, stream: u64) -> u64 {
    let mut rng = Rng::new(seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    rng.next_u64()
}

/// splitmix64: tiny, fast, and the same everywhere.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One of `items`, which must not be empty.
    fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One of `items` with the given weights (the last when the weights are all zero).
    fn weighted<'t, T>(&mut self, items: &'t [(T, u64)]) -> &'t T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total);
        for (item, weight) in items {
            if roll < *weight {
                return item;
            }
            roll -= weight;
        }
        &items[items.len() - 1].0
    }

    /// A day in `[from, to]` (`from` when `to` is earlier).
    fn day_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(0) as u64;
        from + Days::new(self.below(span + 1))
    }
}

const ASSOCIATION_HEADS: &[&str] = &[
    "Perkumpulan",
    "Ikatan",
    "Persatuan",
    "Himpunan",
    "Asosiasi",
    "Lembaga",
    "Gerakan",
    "Majelis",
    "Serikat",
    "Keluarga Besar",
    "Rukun",
    "Barisan",
];

const COMMUNITY_HEADS: &[&str] = &[
    "Forum",
    "Paguyuban",
    "Komunitas",
    "Kelompok",
    "Lembaga",
    "Gerakan",
    "Ikatan",
    "Laskar",
    "Majelis Taklim",
    "Sanggar",
];

const TOPICS: &[&str] = &[
    "Pemuda",
    "Peduli Lingkungan",
    "Pecinta Alam",
    "Nelayan",
    "Petani",
    "Guru",
    "Seniman",
    "Pedagang",
    "Wanita",
    "Pendidikan",
    "Kesehatan",
    "Dakwah",
    "Pengajian",
    "Budaya",
    "Olahraga",
    "Pencak Silat",
    "Anak Yatim",
    "Kemanusiaan",
    "Mahasiswa",
    "Pelajar",
    "Buruh",
    "Pengusaha",
    "Perempuan",
    "Disabilitas",
    "Relawan",
    "Sejarah",
    "Tani dan Nelayan",
    "Keluarga Sakinah",
];

const QUALIFIERS: &[&str] = &[
    "Nusantara",
    "Sejahtera",
    "Mandiri",
    "Bersatu",
    "Harapan Bangsa",
    "Merah Putih",
    "Bhinneka",
    "Cahaya",
    "Amanah",
    "Al-Hikmah",
    "Insan Cendekia",
    "Tunas Bangsa",
    "Bina Karya",
    "Karya Bakti",
    "Sinar Harapan",
    "Gotong Royong",
    "Maju Bersama",
    "Indonesia Emas",
    "Pelita",
    "Bumi Lestari",
    "Sehati",
    "Nurul Iman",
    "Darul Ulum",
    "Kasih",
    "Abdi Negeri",
    "Garuda",
];

const GIVEN_NAMES: &[&str] = &[
    "Ahmad", "Budi", "Siti", "Dewi", "Agus", "Sri", "Rudi", "Yusuf", "Rina", "Hendra", "Nur",
    "Wahyu", "Andi", "Fitri", "Made", "Ketut", "Yohanes", "Maria", "Rahmat", "Dedi", "Eko",
    "Indah", "Bambang", "Slamet", "Putu", "Lestari", "Hasan", "Fajar", "Ratna", "Teguh",
];

const FAMILY_NAMES: &[&str] = &[
    "Saputra",
    "Hidayat",
    "Wijaya",
    "Santoso",
    "Rahman",
    "Kurniawan",
    "Siregar",
    "Nasution",
    "Sihombing",
    "Pratama",
    "Setiawan",
    "Lubis",
    "Harahap",
    "Susanto",
    "Simanjuntak",
    "Tanjung",
    "Wibowo",
    "Gunawan",
    "Syahputra",
    "Hasibuan",
    "Nugroho",
    "Hakim",
    "Purba",
    "Manurung",
    "Utomo",
    "Salim",
    "Ginting",
    "Daulay",
];

const STREETS: &[&str] = &[
    "Jl. Merdeka",
    "Jl. Jenderal Sudirman",
    "Jl. Ahmad Yani",
    "Jl. Diponegoro",
    "Jl. Gajah Mada",
    "Jl. Pahlawan",
    "Jl. Veteran",
    "Jl. Imam Bonjol",
    "Jl. Hasanuddin",
    "Jl. Pattimura",
    "Jl. Kartini",
    "Jl. Cut Nyak Dien",
    "Jl. Teuku Umar",
    "Jl. Pemuda",
    "Jl. Mawar",
    "Jl. Melati",
    "Jl. Kenanga",
    "Jl. Cendrawasih",
    "Jl. Rajawali",
    "Jl. Flamboyan",
    "Jl. Pramuka",
    "Jl. Manggis",
];

const ACTIVITIES: &[&str] = &[
    "Rapat pengurus",
    "Bakti sosial",
    "Pengajian rutin",
    "Pelatihan keterampilan anggota",
    "Penyuluhan kesehatan",
    "Kerja bakti lingkungan",
    "Turnamen olahraga",
    "Santunan anak yatim",
    "Seminar kebangsaan",
    "Musyawarah anggota",
    "Pentas seni budaya",
    "Penanaman pohon",
    "Donor darah",
    "Peringatan hari besar nasional",
];

const RETURN_REASONS: &[&str] = &[
    "Tanda tangan sekretaris belum ada",
    "Laporan keuangan tidak lengkap",
    "Dokumentasi kegiatan belum dilampirkan",
    "Periode laporan keliru",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_stable() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(mix(1, 0), mix(1, 1));
        let mut rng = Rng::new(1);
        for _ in 0..1000 {
            assert!(rng.below(10) < 10);
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn ids_are_uuid_v7_shaped() {
        let mut rng = Rng::new(1);
        let moment = date(2026, 11, 22).and_time(NaiveTime::MIN);
        let id = uuid_v7(moment, &mut rng);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "7");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        // The leading 48 bits are the milliseconds since the epoch.
        let millis = u64::from_str_radix(&id[..8], 16).unwrap_or(0) << 16
            | u64::from_str_radix(&id[9..13], 16).unwrap_or(0);
        let expected = moment.and_utc().timestamp_millis() as u64;
        assert!((expected..expected + 1000).contains(&millis));
    }

    #[test]
    fn numbers_follow_dates_per_year() {
        let row = |id: &str, on: NaiveDate| NewRegistration {
            id: id.into(),
            organisation_id: id.into(),
            region_code: "64.71".into(),
            district_code: None,
            address: String::new(),
            phone: None,
            email: None,
            board_term_ends_on: None,
            state: "registered".into(),
            registration_number: None,
            registration_date: Some(on),
            submitted_on: None,
            verification_due: None,
            revision_due: None,
            created_by: None,
            version: 1,
            created_at: NaiveDateTime::MIN,
            updated_at: NaiveDateTime::MIN,
        };
        let mut rows = vec![
            row("c", date(2025, 3, 1)),
            row("a", date(2025, 1, 5)),
            row("b", date(2026, 2, 1)),
        ];
        let last = number_registrations(&mut rows, &NumberPattern::default());
        let numbers: Vec<_> = rows
            .iter()
            .map(|r| r.registration_number.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            numbers,
            [
                "002/SKM/64.71/III/2025",
                "001/SKM/64.71/I/2025",
                "001/SKM/64.71/II/2026"
            ]
        );
        assert_eq!(last, [("64.71".into(), 2025, 2), ("64.71".into(), 2026, 1)]);
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(550_123), "550,123");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
        assert_eq!(json_array(&["sosial", "budaya"]), "[\"sosial\",\"budaya\"]");
        assert_eq!(initials("Ikatan Pemuda Al-Hikmah dan Bangsa"), "IPHB");
    }
}

/// What the oversight sprinkle wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct OversightSeeded {
    pub complaints: usize,
    pub cases: usize,
    pub warnings: usize,
    pub suspensions: usize,
    pub secretariats_not_found: usize,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = complaints, treat_none_as_default_value = false)]
struct NewComplaint {
    id: String,
    tracking_hash: String,
    region_code: String,
    registration_id: Option<String>,
    organisation_name: Option<String>,
    organisation_address: Option<String>,
    category: String,
    source: String,
    referring_agency: Option<String>,
    description: String,
    occurred_on: Option<NaiveDate>,
    reporter_name: Option<String>,
    reporter_contact: Option<String>,
    state: String,
    dismiss_reason: Option<String>,
    decided_on: Option<NaiveDate>,
    case_id: Option<String>,
    created_by: Option<String>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = oversight_cases, treat_none_as_default_value = false)]
struct NewCase {
    id: String,
    region_code: String,
    registration_id: Option<String>,
    organisation_name: Option<String>,
    organisation_address: Option<String>,
    title: String,
    summary: Option<String>,
    lead_officer_id: Option<String>,
    state: String,
    recommended_outcome: Option<String>,
    outcome: Option<String>,
    closing_note: Option<String>,
    closed_on: Option<NaiveDate>,
    created_by: Option<String>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sanctions, treat_none_as_default_value = false)]
struct NewSanction {
    id: String,
    registration_id: String,
    region_code: String,
    case_id: Option<String>,
    kind: String,
    state: String,
    violation: String,
    demanded_remedy: Option<String>,
    letter_number: Option<String>,
    letter_date: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    compliance: Option<String>,
    compliance_on: Option<NaiveDate>,
    decree_number: Option<String>,
    decree_date: Option<NaiveDate>,
    issuing_authority: Option<String>,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    serious: bool,
    justification: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i32,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = field_visits, treat_none_as_default_value = false)]
struct NewVisit {
    id: String,
    registration_id: Option<String>,
    case_id: Option<String>,
    region_code: String,
    purpose: String,
    visited_on: NaiveDate,
    address: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    team: String,
    finding: String,
    new_address: Option<String>,
    activities_observed: bool,
    notes: Option<String>,
    photo_ids: String,
    recorded_by: Option<String>,
    created_at: NaiveDateTime,
}

const COMPLAINT_CATEGORIES: [(&str, u64); 8] = [
    ("attribute_misuse", 12),
    ("public_order", 25),
    ("sara", 8),
    ("unlawful_funds", 6),
    ("separatism_or_banned_teaching", 2),
    ("secretariat_not_found", 22),
    ("finance_not_accountable", 15),
    ("other", 10),
];

const CASE_STATES: [(&str, u64); 4] = [
    ("open", 25),
    ("investigating", 35),
    ("recommendation", 15),
    ("closed", 25),
];

/// Sprinkles the oversight of a generated register: about 1.5 % of the registered ormas have a
/// complaint (and a few unregistered organisations), 0.5 % a case, 0.3 % a written warning, 0.05 %
/// a suspension in force, 0.3 % a secretariat a visit did not find. Its own random stream, so the
/// register itself is the same as without it.
fn sprinkle_oversight(
    conn: &mut AnyConnection,
    options: &NationalOptions,
    calendar: &HolidayCalendar,
) -> PersistenceResult<OversightSeeded> {
    let today = options.today;
    let mut rng = Rng::new(mix(options.seed, u64::MAX - 1));
    let registered: Vec<(String, String, String)> = registrations::table
        .filter(registrations::state.eq("registered"))
        .select((
            registrations::id,
            registrations::region_code,
            registrations::address,
        ))
        .order(registrations::id.asc())
        .load(conn)?;
    let mut complaint_rows = Vec::new();
    let mut case_rows = Vec::new();
    let mut sanction_rows = Vec::new();
    let mut visit_rows = Vec::new();
    let mut suspended: Vec<(String, NaiveDate)> = Vec::new();
    let mut missing: Vec<(String, NaiveDate)> = Vec::new();
    let recent = |rng: &mut Rng, days: u64| today - Days::new(rng.below(days));
    for (id, region, address) in &registered {
        let has_case = rng.chance(0.005);
        let case_id = if has_case {
            let opened = recent(&mut rng, 240);
            let state = *rng.weighted(&CASE_STATES);
            let at = at(opened, &mut rng);
            let case_id = uuid_v7(at, &mut rng);
            case_rows.push(NewCase {
                id: case_id.clone(),
                region_code: region.clone(),
                registration_id: Some(id.clone()),
                organisation_name: None,
                organisation_address: None,
                title: "Pengawasan kegiatan ormas".into(),
                summary: Some("Dugaan pelanggaran dari pengaduan masyarakat.".into()),
                lead_officer_id: None,
                state: state.into(),
                recommended_outcome: matches!(state, "recommendation" | "closed")
                    .then(|| "guidance".into()),
                outcome: (state == "closed").then(|| "guidance".into()),
                closing_note: (state == "closed").then(|| "Pembinaan dilaksanakan.".into()),
                closed_on: (state == "closed").then_some(today.min(opened + Days::new(30))),
                created_by: None,
                version: 1,
                created_at: at,
                updated_at: at,
            });
            Some(case_id)
        } else {
            None
        };
        if has_case || rng.chance(0.012) {
            let received = recent(&mut rng, 200);
            let at = at(received, &mut rng);
            let complaint_id = uuid_v7(at, &mut rng);
            let (state, decided) = match (&case_id, rng.below(10)) {
                (Some(_), _) => ("in_case", Some(received)),
                (None, 0..=1) => ("dismissed", Some(today.min(received + Days::new(5)))),
                _ => ("received", None),
            };
            complaint_rows.push(NewComplaint {
                tracking_hash: format!("seed-{complaint_id}"),
                id: complaint_id,
                region_code: region.clone(),
                registration_id: Some(id.clone()),
                organisation_name: None,
                organisation_address: None,
                category: rng.weighted(&COMPLAINT_CATEGORIES).to_string(),
                source: if rng.chance(0.7) {
                    "public"
                } else {
                    "monitoring"
                }
                .into(),
                referring_agency: None,
                description: "Warga melaporkan kegiatan yang meresahkan.".into(),
                occurred_on: Some(received - Days::new(rng.below(10))),
                reporter_name: rng.chance(0.5).then(|| person(&mut rng)),
                reporter_contact: None,
                state: state.into(),
                dismiss_reason: (state == "dismissed").then(|| "Bukan kewenangan.".into()),
                decided_on: decided,
                case_id: case_id.clone(),
                created_by: None,
                version: 1,
                created_at: at,
                updated_at: at,
            });
        }
        if rng.chance(0.003) {
            let dated = recent(&mut rng, 25);
            let deadline = add_working_days(dated, 7, calendar).unwrap_or(dated);
            let complied = deadline < today && rng.chance(0.5);
            let at = at(dated, &mut rng);
            sanction_rows.push(NewSanction {
                id: uuid_v7(at, &mut rng),
                registration_id: id.clone(),
                region_code: region.clone(),
                case_id: case_id.clone(),
                kind: "written_warning".into(),
                state: if complied { "complied" } else { "in_force" }.into(),
                violation: "Kegiatan tanpa pemberitahuan yang mengganggu ketertiban umum.".into(),
                demanded_remedy: Some("Menghentikan kegiatan dan melapor.".into()),
                letter_number: Some(format!("300/{}/Kesbangpol", rng.below(900) + 100)),
                letter_date: Some(dated),
                deadline: Some(deadline),
                compliance: complied.then(|| "complied".into()),
                compliance_on: complied.then_some(deadline),
                decree_number: None,
                decree_date: None,
                issuing_authority: None,
                period_start: None,
                period_end: None,
                serious: false,
                justification: None,
                created_at: at,
                updated_at: at,
                version: 1,
            });
        } else if rng.chance(0.0005) {
            let from = recent(&mut rng, 60);
            let until = from + Days::new(90 + rng.below(90));
            let at = at(from, &mut rng);
            sanction_rows.push(NewSanction {
                id: uuid_v7(at, &mut rng),
                registration_id: id.clone(),
                region_code: region.clone(),
                case_id: case_id.clone(),
                kind: "activity_suspension".into(),
                state: "in_force".into(),
                violation: "Peringatan tertulis tidak dipatuhi.".into(),
                demanded_remedy: None,
                letter_number: None,
                letter_date: None,
                deadline: None,
                compliance: None,
                compliance_on: None,
                decree_number: Some(format!("100.2.2.6-{}", rng.below(9000) + 1000)),
                decree_date: Some(from),
                issuing_authority: Some("kemendagri".into()),
                period_start: Some(from),
                period_end: Some(until),
                serious: true,
                justification: Some("Pelanggaran berat (data uji).".into()),
                created_at: at,
                updated_at: at,
                version: 1,
            });
            suspended.push((id.clone(), until));
        }
        if rng.chance(0.003) {
            let visited = recent(&mut rng, 120);
            let at = at(visited, &mut rng);
            visit_rows.push(NewVisit {
                id: uuid_v7(at, &mut rng),
                registration_id: Some(id.clone()),
                case_id: case_id.clone(),
                region_code: region.clone(),
                purpose: if case_id.is_some() {
                    "oversight"
                } else {
                    "re_registration"
                }
                .into(),
                visited_on: visited,
                address: address.clone(),
                latitude: None,
                longitude: None,
                team: r#"[{"agency":"kesbangpol","name":"Petugas Lapangan","position":null}]"#
                    .into(),
                finding: "secretariat_not_found".into(),
                new_address: None,
                activities_observed: false,
                notes: Some("Alamat kosong; tidak ada papan nama.".into()),
                photo_ids: "[]".into(),
                recorded_by: None,
                created_at: at,
            });
            missing.push((id.clone(), visited));
        }
    }
    let seeded = OversightSeeded {
        complaints: complaint_rows.len(),
        cases: case_rows.len(),
        warnings: sanction_rows
            .iter()
            .filter(|s| s.kind == "written_warning")
            .count(),
        suspensions: suspended.len(),
        secretariats_not_found: missing.len(),
    };
    crate::in_write_transaction(conn, |conn| {
        write_rows!(conn, oversight_cases::table, &case_rows);
        write_rows!(conn, complaints::table, &complaint_rows);
        write_rows!(conn, sanctions::table, &sanction_rows);
        write_rows!(conn, field_visits::table, &visit_rows);
        for (id, until) in &suspended {
            diesel::update(registrations::table.find(id))
                .set((
                    registrations::state.eq("suspended"),
                    registrations::suspended_until.eq(Some(*until)),
                ))
                .execute(conn)?;
        }
        for (id, since) in &missing {
            diesel::update(registrations::table.find(id))
                .set(registrations::secretariat_missing_since.eq(Some(*since)))
                .execute(conn)?;
        }
        Ok(())
    })?;
    Ok(seeded)
}

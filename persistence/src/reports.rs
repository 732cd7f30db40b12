//! Repositories for semester reports and their receipt (STTL) sequences.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use ormas_domain::ReportState;

use crate::register::{OrganisationRow, RegistrationRow};
use crate::schema::{organisations, registrations, reports};
use crate::sql::{after_pair, in_subtree};
use crate::{AnyConnection, PersistenceResult};

/// A report as stored. `content` is JSON (activities, finances, changes, signatories).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = reports, treat_none_as_null = true)]
pub struct ReportRow {
    pub id: String,
    pub registration_id: String,
    pub region_code: String,
    pub period: String,
    pub due_on: NaiveDate,
    pub state: String,
    pub content: String,
    pub first_submitted_on: Option<NaiveDate>,
    pub submitted_on: Option<NaiveDate>,
    pub late: bool,
    pub accepted_on: Option<NaiveDate>,
    pub accepted_by: Option<String>,
    pub receipt_number: Option<String>,
    pub return_reason: Option<String>,
    pub created_by: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ReportRow {
    /// The stored state ([`PersistenceError::Corrupt`](crate::PersistenceError::Corrupt) when it
    /// names none).
    pub fn state(&self) -> PersistenceResult<ReportState> {
        Ok(self.state.parse()?)
    }
}

/// A report with its registration and organisation.
pub type ReportWithOrmas = (ReportRow, RegistrationRow, OrganisationRow);

pub fn insert_report(conn: &mut AnyConnection, row: &ReportRow) -> PersistenceResult<()> {
    diesel::insert_into(reports::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_report(
    conn: &mut AnyConnection,
    id: &str,
) -> PersistenceResult<Option<ReportWithOrmas>> {
    Ok(reports::table
        .inner_join(registrations::table.inner_join(organisations::table))
        .filter(reports::id.eq(id))
        .select((
            ReportRow::as_select(),
            RegistrationRow::as_select(),
            OrganisationRow::as_select(),
        ))
        .first(conn)
        .optional()?)
}

/// A registration's reports, newest period first.
pub fn reports_of(
    conn: &mut AnyConnection,
    registration_id: &str,
) -> PersistenceResult<Vec<ReportRow>> {
    Ok(reports::table
        .filter(reports::registration_id.eq(registration_id))
        .order((reports::period.desc(), reports::id.desc()))
        .select(ReportRow::as_select())
        .load(conn)?)
}

/// Saves a changed report when its `version` is still `expected_version`
/// ([`PersistenceError::StaleVersion`](crate::PersistenceError::StaleVersion) otherwise).
pub fn update_report(
    conn: &mut AnyConnection,
    row: &ReportRow,
    expected_version: i32,
) -> PersistenceResult<()> {
    crate::sql::update_if_version!(conn, reports, row, expected_version)
}

/// Advances the receipt (STTL) sequence of a region and year and returns the new number; call
/// inside the acceptance's write transaction so a rollback leaves no gap.
pub fn next_receipt_sequence(
    conn: &mut AnyConnection,
    region: &str,
    year: i32,
) -> PersistenceResult<i32> {
    crate::sql::advance_sequence!(conn, report_sequences, region, year)
}

/// The facts status needs of each report of these registrations: `(registration_id, period,
/// first_submitted_on, accepted_on)`.
pub type ReportFactRow = (String, String, Option<NaiveDate>, Option<NaiveDate>);

pub fn report_facts_of(
    conn: &mut AnyConnection,
    registration_id: &str,
) -> PersistenceResult<Vec<ReportFactRow>> {
    Ok(reports::table
        .filter(reports::registration_id.eq(registration_id))
        .select((
            reports::registration_id,
            reports::period,
            reports::first_submitted_on,
            reports::accepted_on,
        ))
        .load(conn)?)
}

/// Which reports the queue lists.
#[derive(Debug, Clone)]
pub struct ReportQueueFilter {
    pub region: Option<String>,
    /// Only this registration's (a representative's own); `Some(None)` matches nothing.
    pub registration_id: Option<Option<String>>,
    pub period: Option<String>,
    pub state: Option<String>,
    /// `Some(true)`: first submitted after the due date; `Some(false)`: on time.
    pub late: Option<bool>,
    /// The `(region_code, id)` of the last row of the previous page.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

/// Reports in the queue, ordered by region then id, with their registration and organisation.
pub fn list_reports(
    conn: &mut AnyConnection,
    filter: &ReportQueueFilter,
) -> PersistenceResult<Vec<ReportWithOrmas>> {
    let mut query = reports::table
        .inner_join(registrations::table.inner_join(organisations::table))
        .select((
            ReportRow::as_select(),
            RegistrationRow::as_select(),
            OrganisationRow::as_select(),
        ))
        .order((reports::region_code.asc(), reports::id.asc()))
        .limit(filter.limit)
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(in_subtree!(reports::region_code, region.clone()));
    }
    if let Some(only) = &filter.registration_id {
        query = query.filter(reports::registration_id.eq(only.clone().unwrap_or_default()));
    }
    if let Some(period) = &filter.period {
        query = query.filter(reports::period.eq(period.clone()));
    }
    if let Some(state) = &filter.state {
        query = query.filter(reports::state.eq(state.clone()));
    }
    if let Some(late) = filter.late {
        query = query
            .filter(reports::first_submitted_on.is_not_null())
            .filter(reports::late.eq(late));
    }
    if let Some(after) = &filter.after {
        query = query.filter(after_pair!(
            reports::region_code,
            reports::id,
            after.clone()
        ));
    }
    Ok(query.load(conn)?)
}

/// Which registered ormas have not filed the report for one period.
#[derive(Debug, Clone)]
pub struct UnfiledFilter {
    pub region: Option<String>,
    /// Only this registration (a representative's own); `Some(None)` matches nothing.
    pub registration_id: Option<Option<String>>,
    pub period: String,
    /// The period's last day: ormas registered after it are not expected to report for it.
    pub period_end: NaiveDate,
    /// Reports first submitted after this day count as not filed (the queue's "today").
    pub today: NaiveDate,
    /// Only those without any report row (no draft either).
    pub only_without_report: bool,
    /// Only those with a report row (a draft never submitted).
    pub only_with_report: bool,
    /// The `(region_code, registration id)` of the last row of the previous page.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

/// A registered ormas that has not filed a period's report, with the draft it may have started.
pub type Unfiled = (RegistrationRow, OrganisationRow, Option<ReportRow>);

/// Registered ormas expected to report for the period that had not submitted it by `today`,
/// ordered by region then registration id.
pub fn list_unfiled(
    conn: &mut AnyConnection,
    filter: &UnfiledFilter,
) -> PersistenceResult<Vec<Unfiled>> {
    let mut query = registrations::table
        .inner_join(organisations::table)
        .left_join(
            reports::table.on(reports::registration_id
                .eq(registrations::id)
                .and(reports::period.eq(filter.period.clone()))),
        )
        .select((
            RegistrationRow::as_select(),
            OrganisationRow::as_select(),
            reports::all_columns.nullable(),
        ))
        .filter(registrations::state.eq("registered"))
        .filter(
            registrations::registration_date
                .is_null()
                .or(registrations::registration_date.le(filter.period_end)),
        )
        .order((registrations::region_code.asc(), registrations::id.asc()))
        .limit(filter.limit)
        .into_boxed();
    query = if filter.only_without_report {
        query.filter(reports::id.is_null())
    } else if filter.only_with_report {
        query.filter(reports::id.is_not_null()).filter(
            reports::first_submitted_on
                .is_null()
                .or(reports::first_submitted_on
                    .assume_not_null()
                    .gt(filter.today)),
        )
    } else {
        query.filter(
            reports::id
                .is_null()
                .or(reports::first_submitted_on.is_null())
                .or(reports::first_submitted_on
                    .assume_not_null()
                    .gt(filter.today)),
        )
    };
    if let Some(region) = &filter.region {
        query = query.filter(in_subtree!(registrations::region_code, region.clone()));
    }
    if let Some(only) = &filter.registration_id {
        query = query.filter(registrations::id.eq(only.clone().unwrap_or_default()));
    }
    if let Some(after) = &filter.after {
        query = query.filter(after_pair!(
            registrations::region_code,
            registrations::id,
            after.clone()
        ));
    }
    Ok(query.load(conn)?)
}

//! Repositories for attribute permit requests, their history and their permit number sequences.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use ormas_domain::permits::PermitState;

use crate::register::{OrganisationRow, RegistrationRow};
use crate::schema::{attribute_permit_events, attribute_permits, organisations, registrations};
use crate::sql::{after_pair, in_subtree};
use crate::{AnyConnection, PersistenceResult, on_backend};

/// A request as stored. `items`, `checklist` and `refused_items` are JSON.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = attribute_permits, treat_none_as_null = true)]
pub struct PermitRow {
    pub id: String,
    pub registration_id: String,
    pub region_code: String,
    pub state: String,
    pub purpose: String,
    pub event_name: Option<String>,
    pub event_date: Option<NaiveDate>,
    pub vendor_name: String,
    pub vendor_address: String,
    pub items: String,
    pub checklist: Option<String>,
    pub first_submitted_on: Option<NaiveDate>,
    pub submitted_on: Option<NaiveDate>,
    pub answer_due_on: Option<NaiveDate>,
    pub reviewed_on: Option<NaiveDate>,
    pub reviewed_by: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub decided_by: Option<String>,
    pub permit_number: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub return_notes: Option<String>,
    pub refusal_ground: Option<String>,
    pub refused_items: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl PermitRow {
    /// The stored state ([`PersistenceError::Corrupt`](crate::PersistenceError::Corrupt) when it
    /// names none).
    pub fn state(&self) -> PersistenceResult<PermitState> {
        Ok(self.state.parse()?)
    }
}

/// One entry of a request's history.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = attribute_permit_events)]
pub struct PermitEventRow {
    pub id: String,
    pub permit_id: String,
    pub actor_id: Option<String>,
    pub at: NaiveDateTime,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub note: Option<String>,
}

/// A request with its registration and organisation.
pub type PermitWithOrmas = (PermitRow, RegistrationRow, OrganisationRow);

pub fn insert_permit(conn: &mut AnyConnection, row: &PermitRow) -> PersistenceResult<()> {
    diesel::insert_into(attribute_permits::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Inserts many requests at once (seeding).
pub fn insert_permits(conn: &mut AnyConnection, rows: &[PermitRow]) -> PersistenceResult<()> {
    for chunk in rows.chunks(200) {
        on_backend!(conn, |c| diesel::insert_into(attribute_permits::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

pub fn find_permit(
    conn: &mut AnyConnection,
    id: &str,
) -> PersistenceResult<Option<PermitWithOrmas>> {
    Ok(attribute_permits::table
        .inner_join(registrations::table.inner_join(organisations::table))
        .filter(attribute_permits::id.eq(id))
        .select((
            PermitRow::as_select(),
            RegistrationRow::as_select(),
            OrganisationRow::as_select(),
        ))
        .first(conn)
        .optional()?)
}

/// Saves a changed request when its `version` is still `expected_version`
/// ([`PersistenceError::StaleVersion`](crate::PersistenceError::StaleVersion) otherwise).
pub fn update_permit(
    conn: &mut AnyConnection,
    row: &PermitRow,
    expected_version: i32,
) -> PersistenceResult<()> {
    crate::sql::update_if_version!(conn, attribute_permits, row, expected_version)
}

/// Advances the permit number sequence of a region and year and returns the new number; call
/// inside the approval's write transaction so a rollback leaves no gap.
pub fn next_permit_sequence(
    conn: &mut AnyConnection,
    region: &str,
    year: i32,
) -> PersistenceResult<i32> {
    crate::sql::advance_sequence!(conn, attribute_permit_sequences, region, year)
}

pub fn insert_event(conn: &mut AnyConnection, row: &PermitEventRow) -> PersistenceResult<()> {
    diesel::insert_into(attribute_permit_events::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Inserts many history entries at once (seeding).
pub fn insert_events(conn: &mut AnyConnection, rows: &[PermitEventRow]) -> PersistenceResult<()> {
    for chunk in rows.chunks(200) {
        on_backend!(conn, |c| diesel::insert_into(
            attribute_permit_events::table
        )
        .values(chunk)
        .execute(c))?;
    }
    Ok(())
}

/// A request's history, oldest first.
pub fn events_of(
    conn: &mut AnyConnection,
    permit_id: &str,
) -> PersistenceResult<Vec<PermitEventRow>> {
    Ok(attribute_permit_events::table
        .filter(attribute_permit_events::permit_id.eq(permit_id))
        .order((
            attribute_permit_events::at.asc(),
            attribute_permit_events::id.asc(),
        ))
        .select(PermitEventRow::as_select())
        .load(conn)?)
}

/// Which requests the queue lists.
#[derive(Debug, Clone)]
pub struct PermitQueueFilter {
    pub region: Option<String>,
    /// Only this registration's; `Some(None)` matches nothing.
    pub registration_id: Option<Option<String>>,
    pub state: Option<String>,
    /// `Some(true)`: waiting for the office past the answer deadline; `Some(false)`: not.
    pub overdue: Option<bool>,
    /// The office's today, for `overdue`.
    pub today: NaiveDate,
    /// The `(region_code, id)` of the last row of the previous page.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

/// Requests in the queue, ordered by region then id, with their registration and organisation.
pub fn list_permits(
    conn: &mut AnyConnection,
    filter: &PermitQueueFilter,
) -> PersistenceResult<Vec<PermitWithOrmas>> {
    let mut query = attribute_permits::table
        .inner_join(registrations::table.inner_join(organisations::table))
        .select((
            PermitRow::as_select(),
            RegistrationRow::as_select(),
            OrganisationRow::as_select(),
        ))
        .order((
            attribute_permits::region_code.asc(),
            attribute_permits::id.asc(),
        ))
        .limit(filter.limit)
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(in_subtree!(attribute_permits::region_code, region.clone()));
    }
    if let Some(only) = &filter.registration_id {
        query =
            query.filter(attribute_permits::registration_id.eq(only.clone().unwrap_or_default()));
    }
    if let Some(state) = &filter.state {
        query = query.filter(attribute_permits::state.eq(state.clone()));
    }
    let waiting = ["submitted", "reviewed"];
    match filter.overdue {
        Some(true) => {
            query = query
                .filter(attribute_permits::state.eq_any(waiting))
                .filter(attribute_permits::answer_due_on.lt(filter.today));
        }
        Some(false) => {
            query = query.filter(
                attribute_permits::state
                    .ne_all(waiting)
                    .or(attribute_permits::answer_due_on.is_null())
                    .or(attribute_permits::answer_due_on
                        .assume_not_null()
                        .ge(filter.today)),
            );
        }
        None => {}
    }
    if let Some(after) = &filter.after {
        query = query.filter(after_pair!(
            attribute_permits::region_code,
            attribute_permits::id,
            after.clone()
        ));
    }
    Ok(query.load(conn)?)
}

/// Up to `limit` registered registrations in `region`'s subtree, `(id, region_code)`, by region
/// then id (for seeding).
pub fn registered_in(
    conn: &mut AnyConnection,
    region: &str,
    limit: i64,
) -> PersistenceResult<Vec<(String, String)>> {
    Ok(registrations::table
        .filter(registrations::state.eq("registered"))
        .filter(in_subtree!(registrations::region_code, region.to_owned()))
        .order((registrations::region_code.asc(), registrations::id.asc()))
        .select((registrations::id, registrations::region_code))
        .limit(limit)
        .load(conn)?)
}

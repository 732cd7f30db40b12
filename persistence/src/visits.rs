//! Field visits to a secretariat, and the finding the last one leaves on its registration.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{field_visits, registrations};
use crate::{AnyConnection, PersistenceResult};

/// A field visit as stored. `team` and `photo_ids` are JSON arrays.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = field_visits, treat_none_as_null = true)]
pub struct VisitRow {
    pub id: String,
    pub registration_id: Option<String>,
    pub case_id: Option<String>,
    pub region_code: String,
    pub purpose: String,
    pub visited_on: NaiveDate,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub team: String,
    pub finding: String,
    pub new_address: Option<String>,
    pub activities_observed: bool,
    pub notes: Option<String>,
    pub photo_ids: String,
    pub recorded_by: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert_visit(conn: &mut AnyConnection, row: &VisitRow) -> PersistenceResult<()> {
    diesel::insert_into(field_visits::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// A registration's visits, in the order they were recorded.
pub fn visits_of_registration(
    conn: &mut AnyConnection,
    registration_id: &str,
) -> PersistenceResult<Vec<VisitRow>> {
    Ok(field_visits::table
        .filter(field_visits::registration_id.eq(registration_id))
        .order((field_visits::created_at.asc(), field_visits::id.asc()))
        .select(VisitRow::as_select())
        .load(conn)?)
}

/// A case's visits, in the order they were recorded.
pub fn visits_of_case(conn: &mut AnyConnection, case_id: &str) -> PersistenceResult<Vec<VisitRow>> {
    Ok(field_visits::table
        .filter(field_visits::case_id.eq(case_id))
        .order((field_visits::created_at.asc(), field_visits::id.asc()))
        .select(VisitRow::as_select())
        .load(conn)?)
}

/// Stores what the visits now say about a registration's secretariat (bumping its version, so a
/// client holding an older representation gets 412).
pub fn set_secretariat_missing(
    conn: &mut AnyConnection,
    registration_id: &str,
    since: Option<NaiveDate>,
    at: NaiveDateTime,
) -> PersistenceResult<()> {
    diesel::update(registrations::table.find(registration_id))
        .set((
            registrations::secretariat_missing_since.eq(since),
            registrations::version.eq(registrations::version + 1),
            registrations::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

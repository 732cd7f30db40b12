//! Repositories for oversight: complaints (their tracking codes stored hashed), the Tim Terpadu's
//! cases, their team and timeline.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{
    case_events, case_members, complaints, organisations, oversight_cases, registrations,
};
use crate::sql::{after_pair, in_subtree};
use crate::{AnyConnection, PersistenceResult, on_backend};

/// A complaint as stored. `tracking_hash` is the SHA-256 of its normalised tracking code.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = complaints, treat_none_as_null = true)]
pub struct ComplaintRow {
    pub id: String,
    pub tracking_hash: String,
    pub region_code: String,
    pub registration_id: Option<String>,
    pub organisation_name: Option<String>,
    pub organisation_address: Option<String>,
    pub category: String,
    pub source: String,
    pub referring_agency: Option<String>,
    pub description: String,
    pub occurred_on: Option<NaiveDate>,
    pub reporter_name: Option<String>,
    pub reporter_contact: Option<String>,
    pub state: String,
    pub dismiss_reason: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub case_id: Option<String>,
    pub created_by: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An oversight case as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = oversight_cases, treat_none_as_null = true)]
pub struct CaseRow {
    pub id: String,
    pub region_code: String,
    pub registration_id: Option<String>,
    pub organisation_name: Option<String>,
    pub organisation_address: Option<String>,
    pub title: String,
    pub summary: Option<String>,
    pub lead_officer_id: Option<String>,
    pub state: String,
    pub recommended_outcome: Option<String>,
    pub outcome: Option<String>,
    pub closing_note: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub created_by: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A member of a case's team.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_members)]
pub struct CaseMemberRow {
    pub id: String,
    pub case_id: String,
    pub ordinal: i32,
    pub agency: String,
    pub name: String,
    pub position: Option<String>,
    pub user_id: Option<String>,
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_events)]
pub struct CaseEventRow {
    pub id: String,
    pub case_id: String,
    pub actor_id: Option<String>,
    pub at: NaiveDateTime,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub note: Option<String>,
}

/// A complaint with the name of the registered ormas it concerns (if any).
pub type ComplaintWithName = (ComplaintRow, Option<String>);
/// A case with the name of the registered ormas it concerns (if any).
pub type CaseWithName = (CaseRow, Option<String>);

pub fn insert_complaint(conn: &mut AnyConnection, row: &ComplaintRow) -> PersistenceResult<()> {
    diesel::insert_into(complaints::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_complaint(
    conn: &mut AnyConnection,
    id: &str,
) -> PersistenceResult<Option<ComplaintWithName>> {
    Ok(complaints::table
        .left_join(registrations::table.left_join(organisations::table))
        .filter(complaints::id.eq(id))
        .select((ComplaintRow::as_select(), organisations::name.nullable()))
        .first(conn)
        .optional()?)
}

/// What the public tracking answer needs: the complaint's state and dates, and its case's state and
/// closing date when it is in one.
pub type TrackedComplaint = (ComplaintRow, Option<String>, Option<NaiveDate>);

pub fn find_complaint_by_tracking_hash(
    conn: &mut AnyConnection,
    hash: &str,
) -> PersistenceResult<Option<TrackedComplaint>> {
    Ok(complaints::table
        .left_join(oversight_cases::table)
        .filter(complaints::tracking_hash.eq(hash))
        .select((
            ComplaintRow::as_select(),
            oversight_cases::state.nullable(),
            oversight_cases::closed_on.nullable(),
        ))
        .first(conn)
        .optional()?)
}

/// Saves a changed complaint when its `version` is still `expected_version`.
pub fn update_complaint(
    conn: &mut AnyConnection,
    row: &ComplaintRow,
    expected_version: i32,
) -> PersistenceResult<()> {
    crate::sql::update_if_version!(conn, complaints, row, expected_version)
}

/// Which complaints a list shows, ordered by region then id.
#[derive(Debug, Clone, Default)]
pub struct ComplaintFilter {
    pub region: Option<String>,
    pub state: Option<String>,
    pub category: Option<String>,
    pub registration_id: Option<String>,
    /// The `(region_code, id)` of the last row of the previous page.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

pub fn list_complaints(
    conn: &mut AnyConnection,
    filter: &ComplaintFilter,
) -> PersistenceResult<Vec<ComplaintWithName>> {
    let mut query = complaints::table
        .left_join(registrations::table.left_join(organisations::table))
        .select((ComplaintRow::as_select(), organisations::name.nullable()))
        .order((complaints::region_code.asc(), complaints::id.asc()))
        .limit(filter.limit)
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(in_subtree!(complaints::region_code, region.clone()));
    }
    if let Some(state) = &filter.state {
        query = query.filter(complaints::state.eq(state.clone()));
    }
    if let Some(category) = &filter.category {
        query = query.filter(complaints::category.eq(category.clone()));
    }
    if let Some(registration) = &filter.registration_id {
        query = query.filter(complaints::registration_id.eq(registration.clone()));
    }
    if let Some(after) = &filter.after {
        query = query.filter(after_pair!(
            complaints::region_code,
            complaints::id,
            after.clone()
        ));
    }
    Ok(query.load(conn)?)
}

/// The complaints that led to a case, oldest first.
pub fn complaints_of_case(
    conn: &mut AnyConnection,
    case_id: &str,
) -> PersistenceResult<Vec<ComplaintRow>> {
    Ok(complaints::table
        .filter(complaints::case_id.eq(case_id))
        .order((complaints::created_at.asc(), complaints::id.asc()))
        .select(ComplaintRow::as_select())
        .load(conn)?)
}

pub fn insert_case(conn: &mut AnyConnection, row: &CaseRow) -> PersistenceResult<()> {
    diesel::insert_into(oversight_cases::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_case(conn: &mut AnyConnection, id: &str) -> PersistenceResult<Option<CaseWithName>> {
    Ok(oversight_cases::table
        .left_join(registrations::table.left_join(organisations::table))
        .filter(oversight_cases::id.eq(id))
        .select((CaseRow::as_select(), organisations::name.nullable()))
        .first(conn)
        .optional()?)
}

/// Saves a changed case when its `version` is still `expected_version`.
pub fn update_case(
    conn: &mut AnyConnection,
    row: &CaseRow,
    expected_version: i32,
) -> PersistenceResult<()> {
    crate::sql::update_if_version!(conn, oversight_cases, row, expected_version)
}

/// Which cases a list shows, ordered by region then id.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub region: Option<String>,
    pub state: Option<String>,
    pub registration_id: Option<String>,
    pub after: Option<(String, String)>,
    pub limit: i64,
}

pub fn list_cases(
    conn: &mut AnyConnection,
    filter: &CaseFilter,
) -> PersistenceResult<Vec<CaseWithName>> {
    let mut query = oversight_cases::table
        .left_join(registrations::table.left_join(organisations::table))
        .select((CaseRow::as_select(), organisations::name.nullable()))
        .order((
            oversight_cases::region_code.asc(),
            oversight_cases::id.asc(),
        ))
        .limit(filter.limit)
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(in_subtree!(oversight_cases::region_code, region.clone()));
    }
    if let Some(state) = &filter.state {
        query = query.filter(oversight_cases::state.eq(state.clone()));
    }
    if let Some(registration) = &filter.registration_id {
        query = query.filter(oversight_cases::registration_id.eq(registration.clone()));
    }
    if let Some(after) = &filter.after {
        query = query.filter(after_pair!(
            oversight_cases::region_code,
            oversight_cases::id,
            after.clone()
        ));
    }
    Ok(query.load(conn)?)
}

/// A case's team, in the order given.
pub fn case_members_of(
    conn: &mut AnyConnection,
    case_id: &str,
) -> PersistenceResult<Vec<CaseMemberRow>> {
    Ok(case_members::table
        .filter(case_members::case_id.eq(case_id))
        .order(case_members::ordinal.asc())
        .select(CaseMemberRow::as_select())
        .load(conn)?)
}

/// Replaces a case's team.
pub fn replace_case_members(
    conn: &mut AnyConnection,
    case_id: &str,
    rows: &[CaseMemberRow],
) -> PersistenceResult<()> {
    diesel::delete(case_members::table.filter(case_members::case_id.eq(case_id))).execute(conn)?;
    for chunk in rows.chunks(200) {
        on_backend!(conn, |c| diesel::insert_into(case_members::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

pub fn insert_case_event(conn: &mut AnyConnection, row: &CaseEventRow) -> PersistenceResult<()> {
    diesel::insert_into(case_events::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// A case's timeline, oldest first.
pub fn case_events_of(
    conn: &mut AnyConnection,
    case_id: &str,
) -> PersistenceResult<Vec<CaseEventRow>> {
    Ok(case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order((case_events::at.asc(), case_events::id.asc()))
        .select(CaseEventRow::as_select())
        .load(conn)?)
}

/// A photo or PDF sent with a complaint; its bytes are stored like documents' (by SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::complaint_attachments)]
pub struct ComplaintAttachmentRow {
    pub id: String,
    pub complaint_id: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: NaiveDateTime,
}

pub fn insert_attachment(
    conn: &mut AnyConnection,
    row: &ComplaintAttachmentRow,
) -> PersistenceResult<()> {
    diesel::insert_into(crate::schema::complaint_attachments::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// A complaint's attachments, oldest first.
pub fn attachments_of(
    conn: &mut AnyConnection,
    complaint_id: &str,
) -> PersistenceResult<Vec<ComplaintAttachmentRow>> {
    use crate::schema::complaint_attachments as a;
    Ok(a::table
        .filter(a::complaint_id.eq(complaint_id))
        .order((a::uploaded_at.asc(), a::id.asc()))
        .select(ComplaintAttachmentRow::as_select())
        .load(conn)?)
}

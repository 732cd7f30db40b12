//! Repositories for sanctions (warnings, recorded ministry decisions) and the representatives'
//! answers to warnings.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use ormas_domain::sanctions::{SanctionKind, SanctionState};

use crate::register::{OrganisationRow, RegistrationRow};
use crate::schema::{organisations, registrations, sanction_answers, sanctions};
use crate::sql::{after_pair, in_subtree};
use crate::{AnyConnection, PersistenceResult};

/// A sanction as stored (`state` never reads `ended`: that is derived from `period_end`).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = sanctions, treat_none_as_null = true)]
pub struct SanctionRow {
    pub id: String,
    pub registration_id: String,
    pub region_code: String,
    pub case_id: Option<String>,
    pub kind: String,
    pub state: String,
    pub violation: String,
    pub demanded_remedy: Option<String>,
    pub letter_number: Option<String>,
    pub letter_date: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub compliance: Option<String>,
    pub compliance_on: Option<NaiveDate>,
    pub compliance_by: Option<String>,
    pub compliance_note: Option<String>,
    pub decree_number: Option<String>,
    pub decree_date: Option<NaiveDate>,
    pub issuing_authority: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub serious: bool,
    pub justification: Option<String>,
    pub lifted_decree_number: Option<String>,
    pub lifted_on: Option<NaiveDate>,
    pub revocation_of: Option<String>,
    pub dissolved_by: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl SanctionRow {
    pub fn kind(&self) -> PersistenceResult<SanctionKind> {
        Ok(self.kind.parse()?)
    }

    pub fn state(&self) -> PersistenceResult<SanctionState> {
        Ok(self.state.parse()?)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = sanction_answers)]
pub struct SanctionAnswerRow {
    pub id: String,
    pub sanction_id: String,
    pub statement: String,
    /// JSON array of document ids.
    pub document_ids: String,
    pub answered_by: Option<String>,
    pub answered_at: NaiveDateTime,
}

/// A sanction with its registration and organisation.
pub type SanctionWithOrmas = (SanctionRow, RegistrationRow, OrganisationRow);

pub fn insert_sanction(conn: &mut AnyConnection, row: &SanctionRow) -> PersistenceResult<()> {
    diesel::insert_into(sanctions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Saves a changed sanction when its `version` is still `expected_version`
/// ([`PersistenceError::StaleVersion`](crate::PersistenceError::StaleVersion) otherwise).
pub fn update_sanction(
    conn: &mut AnyConnection,
    row: &SanctionRow,
    expected_version: i32,
) -> PersistenceResult<()> {
    crate::sql::update_if_version!(conn, sanctions, row, expected_version)
}

pub fn find_sanction(
    conn: &mut AnyConnection,
    id: &str,
) -> PersistenceResult<Option<SanctionWithOrmas>> {
    Ok(sanctions::table
        .inner_join(registrations::table.inner_join(organisations::table))
        .filter(sanctions::id.eq(id))
        .select((
            SanctionRow::as_select(),
            RegistrationRow::as_select(),
            OrganisationRow::as_select(),
        ))
        .first(conn)
        .optional()?)
}

/// A registration's sanctions, oldest first (the ladder reads them in order).
pub fn sanctions_of(
    conn: &mut AnyConnection,
    registration_id: &str,
) -> PersistenceResult<Vec<SanctionRow>> {
    Ok(sanctions::table
        .filter(sanctions::registration_id.eq(registration_id))
        .order(sanctions::id.asc())
        .select(SanctionRow::as_select())
        .load(conn)?)
}

/// Every written warning issued in a violation case, whichever registration it concerns.
pub fn warnings_in_case(
    conn: &mut AnyConnection,
    case_id: &str,
) -> PersistenceResult<Vec<SanctionRow>> {
    Ok(sanctions::table
        .filter(sanctions::case_id.eq(case_id))
        .filter(sanctions::kind.eq(SanctionKind::WrittenWarning.as_str()))
        .select(SanctionRow::as_select())
        .load(conn)?)
}

/// The suspensions and revocations stored in force on these registrations, oldest first, in one
/// query (for the public register: the decree number).
pub fn decrees_in_force_of(
    conn: &mut AnyConnection,
    registration_ids: &[String],
) -> PersistenceResult<Vec<SanctionRow>> {
    Ok(sanctions::table
        .filter(sanctions::registration_id.eq_any(registration_ids))
        .filter(
            sanctions::kind
                .eq(SanctionKind::Revocation.as_str())
                .or(sanctions::kind.eq(SanctionKind::ActivitySuspension.as_str())),
        )
        .filter(sanctions::state.eq(SanctionState::InForce.as_str()))
        .order(sanctions::id.asc())
        .select(SanctionRow::as_select())
        .load(conn)?)
}

/// Which sanctions to list, ordered by region then id.
#[derive(Debug, Clone, Default)]
pub struct SanctionFilter {
    pub region: Option<String>,
    /// Only this registration's (a representative's own).
    pub registration_id: Option<String>,
    pub kind: Option<String>,
    /// A stored state; `ended` and `in_force` are resolved against `today` for suspensions.
    pub state: Option<SanctionState>,
    pub today: Option<NaiveDate>,
    pub after: Option<(String, String)>,
    pub limit: i64,
}

pub fn list_sanctions(
    conn: &mut AnyConnection,
    filter: &SanctionFilter,
) -> PersistenceResult<Vec<SanctionWithOrmas>> {
    let mut query = sanctions::table
        .inner_join(registrations::table.inner_join(organisations::table))
        .select((
            SanctionRow::as_select(),
            RegistrationRow::as_select(),
            OrganisationRow::as_select(),
        ))
        .order((sanctions::region_code.asc(), sanctions::id.asc()))
        .limit(filter.limit)
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(in_subtree!(sanctions::region_code, region.clone()));
    }
    if let Some(id) = &filter.registration_id {
        query = query.filter(sanctions::registration_id.eq(id.clone()));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(sanctions::kind.eq(kind.clone()));
    }
    let today = filter.today.unwrap_or(NaiveDate::MIN);
    match filter.state {
        Some(SanctionState::Ended) => {
            query = query
                .filter(sanctions::state.eq(SanctionState::InForce.as_str()))
                .filter(sanctions::period_end.lt(today));
        }
        Some(SanctionState::InForce) => {
            query = query
                .filter(sanctions::state.eq(SanctionState::InForce.as_str()))
                .filter(
                    sanctions::period_end
                        .is_null()
                        .or(sanctions::period_end.assume_not_null().ge(today)),
                );
        }
        Some(state) => query = query.filter(sanctions::state.eq(state.as_str())),
        None => {}
    }
    if let Some(after) = &filter.after {
        query = query.filter(after_pair!(
            sanctions::region_code,
            sanctions::id,
            after.clone()
        ));
    }
    Ok(query.load(conn)?)
}

pub fn insert_answer(conn: &mut AnyConnection, row: &SanctionAnswerRow) -> PersistenceResult<()> {
    diesel::insert_into(sanction_answers::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The answers to these sanctions, oldest first, in one query.
pub fn answers_of(
    conn: &mut AnyConnection,
    sanction_ids: &[String],
) -> PersistenceResult<Vec<SanctionAnswerRow>> {
    Ok(sanction_answers::table
        .filter(sanction_answers::sanction_id.eq_any(sanction_ids))
        .order(sanction_answers::id.asc())
        .select(SanctionAnswerRow::as_select())
        .load(conn)?)
}

//! Repositories for grant proposals (usulan hibah), their history, and the facts their
//! eligibility reads.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use ormas_domain::grants::{GrantState, OtherGrant};

use crate::register::{OrganisationRow, RegistrationRow};
use crate::schema::{grant_events, grant_proposals, organisations, registrations};
use crate::sql::{after_pair, in_subtree};
use crate::{AnyConnection, PersistenceResult};

/// A grant proposal as stored. `budget_lines`, `bank_account`, `document_ids`, `verification`
/// (notes, team, day) and `lpj` (documents, notes) are JSON.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = grant_proposals, treat_none_as_null = true)]
pub struct GrantRow {
    pub id: String,
    pub registration_id: String,
    pub region_code: String,
    pub fiscal_year: i32,
    pub state: String,
    pub title: String,
    pub purpose: String,
    pub requested_amount: i64,
    pub budget_lines: String,
    pub bank_account: String,
    pub document_ids: String,
    pub submitted_on: Option<NaiveDate>,
    /// Why it was last returned or rejected.
    pub reason: Option<String>,
    pub recommended_amount: Option<i64>,
    pub verification: Option<String>,
    pub decree_number: Option<String>,
    pub decree_date: Option<NaiveDate>,
    pub approved_amount: Option<i64>,
    pub agreement_number: Option<String>,
    pub agreement_date: Option<NaiveDate>,
    pub disbursed_on: Option<NaiveDate>,
    pub disbursed_amount: Option<i64>,
    pub lpj_due_on: NaiveDate,
    pub lpj_spent_amount: Option<i64>,
    pub lpj_returned_amount: Option<i64>,
    pub lpj: Option<String>,
    pub lpj_submitted_on: Option<NaiveDate>,
    pub lpj_accepted_on: Option<NaiveDate>,
    pub created_by: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl GrantRow {
    /// The stored state ([`PersistenceError::Corrupt`](crate::PersistenceError::Corrupt) when it
    /// names none).
    pub fn state(&self) -> PersistenceResult<GrantState> {
        Ok(self.state.parse()?)
    }
}

/// One entry of a proposal's history.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = grant_events)]
pub struct GrantEventRow {
    pub id: String,
    pub grant_id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub notes: Option<String>,
}

/// A proposal with its registration and organisation.
pub type GrantWithOrmas = (GrantRow, RegistrationRow, OrganisationRow);

pub fn insert_grant(conn: &mut AnyConnection, row: &GrantRow) -> PersistenceResult<()> {
    diesel::insert_into(grant_proposals::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn insert_grant_event(conn: &mut AnyConnection, row: &GrantEventRow) -> PersistenceResult<()> {
    diesel::insert_into(grant_events::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// A proposal's history, oldest first.
pub fn grant_events_of(
    conn: &mut AnyConnection,
    grant_id: &str,
) -> PersistenceResult<Vec<GrantEventRow>> {
    Ok(grant_events::table
        .filter(grant_events::grant_id.eq(grant_id))
        .order((grant_events::occurred_at.asc(), grant_events::id.asc()))
        .select(GrantEventRow::as_select())
        .load(conn)?)
}

pub fn find_grant(conn: &mut AnyConnection, id: &str) -> PersistenceResult<Option<GrantWithOrmas>> {
    Ok(grant_proposals::table
        .inner_join(registrations::table.inner_join(organisations::table))
        .filter(grant_proposals::id.eq(id))
        .select((
            GrantRow::as_select(),
            RegistrationRow::as_select(),
            OrganisationRow::as_select(),
        ))
        .first(conn)
        .optional()?)
}

/// Saves a changed proposal when its `version` is still `expected_version`
/// ([`PersistenceError::StaleVersion`](crate::PersistenceError::StaleVersion) otherwise).
pub fn update_grant(
    conn: &mut AnyConnection,
    row: &GrantRow,
    expected_version: i32,
) -> PersistenceResult<()> {
    crate::sql::update_if_version!(conn, grant_proposals, row, expected_version)
}

/// The other proposals of a registration (all but `except`), as eligibility reads them.
pub fn other_grants(
    conn: &mut AnyConnection,
    registration_id: &str,
    except: Option<&str>,
) -> PersistenceResult<Vec<OtherGrant>> {
    let rows: Vec<(String, i32, String, NaiveDate)> = grant_proposals::table
        .filter(grant_proposals::registration_id.eq(registration_id))
        .select((
            grant_proposals::id,
            grant_proposals::fiscal_year,
            grant_proposals::state,
            grant_proposals::lpj_due_on,
        ))
        .load(conn)?;
    rows.into_iter()
        .filter(|(id, ..)| Some(id.as_str()) != except)
        .map(|(_, fiscal_year, state, lpj_due_on)| {
            Ok(OtherGrant {
                fiscal_year,
                state: state.parse()?,
                lpj_due_on,
            })
        })
        .collect()
}

/// Which proposals a list shows.
#[derive(Debug, Clone, Default)]
pub struct GrantFilter {
    pub region: Option<String>,
    /// Only this registration's; `Some(None)` matches nothing (a representative without an ormas).
    pub registration_id: Option<Option<String>>,
    pub fiscal_year: Option<i32>,
    /// Stored states to keep (empty: all).
    pub states: Vec<String>,
    /// `Some(true)`: LPJ overdue on `today`; `Some(false)`: not overdue.
    pub lpj_overdue: Option<bool>,
    pub today: Option<NaiveDate>,
    /// The `(region_code, id)` of the last row of the previous page.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

/// The states in which the LPJ is awaited (and may be overdue).
const AWAITING_LPJ: [&str; 2] = ["disbursed", "accountability_submitted"];

/// Proposals ordered by region then id, with their registration and organisation.
pub fn list_grants(
    conn: &mut AnyConnection,
    filter: &GrantFilter,
) -> PersistenceResult<Vec<GrantWithOrmas>> {
    let mut query = grant_proposals::table
        .inner_join(registrations::table.inner_join(organisations::table))
        .select((
            GrantRow::as_select(),
            RegistrationRow::as_select(),
            OrganisationRow::as_select(),
        ))
        .order((
            grant_proposals::region_code.asc(),
            grant_proposals::id.asc(),
        ))
        .limit(filter.limit)
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(in_subtree!(grant_proposals::region_code, region.clone()));
    }
    if let Some(only) = &filter.registration_id {
        query = query.filter(grant_proposals::registration_id.eq(only.clone().unwrap_or_default()));
    }
    if let Some(year) = filter.fiscal_year {
        query = query.filter(grant_proposals::fiscal_year.eq(year));
    }
    if !filter.states.is_empty() {
        query = query.filter(grant_proposals::state.eq_any(filter.states.clone()));
    }
    if let (Some(overdue), Some(today)) = (filter.lpj_overdue, filter.today) {
        query = if overdue {
            query
                .filter(grant_proposals::state.eq_any(AWAITING_LPJ))
                .filter(grant_proposals::lpj_due_on.lt(today))
        } else {
            query.filter(
                grant_proposals::state
                    .ne_all(AWAITING_LPJ)
                    .or(grant_proposals::lpj_due_on.ge(today)),
            )
        };
    }
    if let Some(after) = &filter.after {
        query = query.filter(after_pair!(
            grant_proposals::region_code,
            grant_proposals::id,
            after.clone()
        ));
    }
    Ok(query.load(conn)?)
}

/// The grant totals of one fiscal year in one region (its own code, or a child's subtree).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantTotals {
    pub fiscal_year: i32,
    pub proposals: i64,
    pub requested: i64,
    pub approved: i64,
    pub disbursed: i64,
    pub accounted: i64,
    pub lpj_overdue_count: i64,
    pub lpj_overdue: i64,
}

/// The figures of one proposal the totals read: `(region_code, fiscal_year, state, lpj_due_on,
/// requested, approved, disbursed)`.
type TotalsRow = (
    String,
    i32,
    String,
    NaiveDate,
    i64,
    Option<i64>,
    Option<i64>,
);

/// The totals per `(region_code, fiscal_year)` of the proposals within `region`'s subtree (`None`: the nation) for the
/// fiscal years from `from_year` (drafts included in `proposals`); the caller folds regions into
/// child regions. Sums are folded here, not in SQL, so that they stay `BIGINT` on both backends
/// (PostgreSQL's `SUM(bigint)` is `numeric`); a region's proposals of a few years are a few
/// thousand narrow rows at most.
pub fn grant_totals_by_region(
    conn: &mut AnyConnection,
    region: Option<&str>,
    from_year: i32,
    today: NaiveDate,
) -> PersistenceResult<Vec<(String, GrantTotals)>> {
    let mut query = grant_proposals::table
        .filter(grant_proposals::fiscal_year.ge(from_year))
        .into_boxed();
    if let Some(region) = region {
        query = query.filter(in_subtree!(grant_proposals::region_code, region.to_owned()));
    }
    let rows: Vec<TotalsRow> = query
        .select((
            grant_proposals::region_code,
            grant_proposals::fiscal_year,
            grant_proposals::state,
            grant_proposals::lpj_due_on,
            grant_proposals::requested_amount,
            grant_proposals::approved_amount,
            grant_proposals::disbursed_amount,
        ))
        .load(conn)?;
    let mut totals: std::collections::BTreeMap<(String, i32), GrantTotals> = Default::default();
    for (code, fiscal_year, state, due, requested, approved, disbursed) in rows {
        let state: GrantState = state.parse()?;
        let disbursed = disbursed.unwrap_or(0);
        let overdue = ormas_domain::grants::is_lpj_overdue(state, due, today);
        let entry = totals
            .entry((code, fiscal_year))
            .or_insert_with(|| GrantTotals {
                fiscal_year,
                ..GrantTotals::default()
            });
        entry.add(&GrantTotals {
            fiscal_year,
            proposals: 1,
            requested,
            approved: approved.unwrap_or(0),
            disbursed,
            accounted: if state == GrantState::Accounted {
                disbursed
            } else {
                0
            },
            lpj_overdue_count: i64::from(overdue),
            lpj_overdue: if overdue { disbursed } else { 0 },
        });
    }
    Ok(totals
        .into_iter()
        .map(|((code, _), totals)| (code, totals))
        .collect())
}

impl GrantTotals {
    /// Adds another group's figures (same fiscal year).
    pub fn add(&mut self, other: &GrantTotals) {
        self.proposals += other.proposals;
        self.requested += other.requested;
        self.approved += other.approved;
        self.disbursed += other.disbursed;
        self.accounted += other.accounted;
        self.lpj_overdue_count += other.lpj_overdue_count;
        self.lpj_overdue += other.lpj_overdue;
    }
}

/// Up to `limit` registered badan hukum ormas (perkumpulan, yayasan) with their organisation,
/// oldest registration first: the demo's and the national seed's grant recipients.
pub fn badan_hukum_registered(
    conn: &mut AnyConnection,
    limit: i64,
) -> PersistenceResult<Vec<(RegistrationRow, OrganisationRow)>> {
    Ok(registrations::table
        .inner_join(organisations::table)
        .filter(registrations::state.eq("registered"))
        .filter(organisations::kind.eq_any(["perkumpulan", "yayasan"]))
        .order(registrations::id.asc())
        .limit(limit)
        .select((RegistrationRow::as_select(), OrganisationRow::as_select()))
        .load(conn)?)
}

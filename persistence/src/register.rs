//! Repositories for the register: organisations, regional registrations, boards, documents,
//! history, and the registration number sequences.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use ormas_domain::ReportingPolicy;
use ormas_domain::registration::{OrmasKind, RegistrationState};
use ormas_domain::status::Activity;

use crate::schema::{
    board_members, documents, organisations, registration_events, registrations, reports,
};
use crate::sql::{advance_sequence, after_pair, escape_like, in_subtree, lower, update_if_version};
use crate::{AnyConnection, PersistenceResult, on_backend};

/// An organisation's legal identity.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = organisations, treat_none_as_null = true)]
pub struct OrganisationRow {
    pub id: String,
    pub identity_key: Option<String>,
    pub name: String,
    pub abbreviation: Option<String>,
    pub kind: String,
    pub ahu_number: Option<String>,
    pub ahu_date: Option<NaiveDate>,
    pub skt_number: Option<String>,
    pub skt_issued_on: Option<NaiveDate>,
    pub skt_issuer: Option<String>,
    pub skt_expires_on: Option<NaiveDate>,
    pub npwp: Option<String>,
    pub founded_on: Option<NaiveDate>,
    /// JSON array of field codes.
    pub fields: String,
    pub special_character: Option<String>,
    pub tiered: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Bumped by every change of the identity; corrections name it in `If-Match`.
    pub version: i32,
    /// The day its badan hukum status was revoked, dissolving it in every region (Ps 80A).
    pub dissolved_on: Option<NaiveDate>,
    /// The revocation decree that dissolved it.
    pub dissolution_decree: Option<String>,
}

/// A regional registration, as stored (its state is the stored one; lapse is derived on read).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = registrations, treat_none_as_null = true)]
pub struct RegistrationRow {
    pub id: String,
    pub organisation_id: String,
    pub region_code: String,
    pub district_code: Option<String>,
    pub address: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub board_term_ends_on: Option<NaiveDate>,
    pub state: String,
    pub registration_number: Option<String>,
    pub registration_date: Option<NaiveDate>,
    pub submitted_on: Option<NaiveDate>,
    pub verification_due: Option<NaiveDate>,
    pub revision_due: Option<NaiveDate>,
    pub created_by: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The registration's own name for its regional board (nama kepengurusan daerah), when it
    /// differs from the organisation's name.
    pub branch_name: Option<String>,
    /// The last day of the suspension in force (state `suspended`); `None`: until lifted.
    pub suspended_until: Option<NaiveDate>,
    /// Since when the last field visit has found the secretariat missing; cleared by a later
    /// visit that finds it and by a change of address.
    pub secretariat_missing_since: Option<NaiveDate>,
    /// The day the address was last changed.
    pub address_changed_on: Option<NaiveDate>,
}

impl OrganisationRow {
    /// The stored kind ([`PersistenceError::Corrupt`](crate::PersistenceError::Corrupt) when it
    /// names none).
    pub fn kind(&self) -> PersistenceResult<OrmasKind> {
        Ok(self.kind.parse()?)
    }

    /// The field codes (bidang), from their JSON array.
    pub fn fields(&self) -> PersistenceResult<Vec<String>> {
        serde_json::from_str(&self.fields)
            .map_err(|e| crate::PersistenceError::Corrupt(format!("fields of {}: {e}", self.id)))
    }
}

impl RegistrationRow {
    /// The stored state (a returned registration past its window still reads `needs_revision`
    /// here; `ormas_domain::registration::effective_state` derives the lapse).
    pub fn state(&self) -> PersistenceResult<RegistrationState> {
        Ok(self.state.parse()?)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = board_members)]
pub struct BoardMemberRow {
    pub id: String,
    pub registration_id: String,
    pub ordinal: i32,
    pub position: String,
    pub name: String,
    pub nik: String,
    pub phone: Option<String>,
    pub term_ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: String,
    pub registration_id: String,
    pub doc_type: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<String>,
    pub uploaded_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = registration_events)]
pub struct EventRow {
    pub id: String,
    pub registration_id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    pub notes: Option<String>,
    pub registration_number: Option<String>,
}

/// A registration with its organisation.
pub type Registered = (RegistrationRow, OrganisationRow);

pub fn find_organisation_by_identity(
    conn: &mut AnyConnection,
    identity_key: &str,
) -> PersistenceResult<Option<OrganisationRow>> {
    Ok(organisations::table
        .filter(organisations::identity_key.eq(identity_key))
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_organisation(
    conn: &mut AnyConnection,
    row: &OrganisationRow,
) -> PersistenceResult<()> {
    diesel::insert_into(organisations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Saves a changed organisation when its `version` is still `expected_version`
/// ([`PersistenceError::StaleVersion`](crate::PersistenceError::StaleVersion) otherwise).
pub fn update_organisation(
    conn: &mut AnyConnection,
    row: &OrganisationRow,
    expected_version: i32,
) -> PersistenceResult<()> {
    update_if_version!(conn, organisations, row, expected_version)
}

pub fn find_organisation(
    conn: &mut AnyConnection,
    id: &str,
) -> PersistenceResult<Option<OrganisationRow>> {
    Ok(organisations::table
        .find(id)
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every registration of an organisation, in every region, oldest first.
pub fn registrations_of_organisation(
    conn: &mut AnyConnection,
    organisation_id: &str,
) -> PersistenceResult<Vec<RegistrationRow>> {
    Ok(registrations::table
        .filter(registrations::organisation_id.eq(organisation_id))
        .order(registrations::id.asc())
        .select(RegistrationRow::as_select())
        .load(conn)?)
}

/// How many registrations the organisation has, in every region.
pub fn count_registrations_of_organisation(
    conn: &mut AnyConnection,
    organisation_id: &str,
) -> PersistenceResult<i64> {
    Ok(registrations::table
        .filter(registrations::organisation_id.eq(organisation_id))
        .count()
        .get_result(conn)?)
}

pub fn insert_registration(
    conn: &mut AnyConnection,
    row: &RegistrationRow,
) -> PersistenceResult<()> {
    diesel::insert_into(registrations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_registration(
    conn: &mut AnyConnection,
    id: &str,
) -> PersistenceResult<Option<Registered>> {
    Ok(registrations::table
        .inner_join(organisations::table)
        .filter(registrations::id.eq(id))
        .select((RegistrationRow::as_select(), OrganisationRow::as_select()))
        .first(conn)
        .optional()?)
}

pub fn find_by_registration_number(
    conn: &mut AnyConnection,
    number: &str,
) -> PersistenceResult<Option<Registered>> {
    Ok(registrations::table
        .inner_join(organisations::table)
        .filter(registrations::registration_number.eq(number))
        .select((RegistrationRow::as_select(), OrganisationRow::as_select()))
        .first(conn)
        .optional()?)
}

/// Saves a changed registration when its `version` is still `expected_version`
/// ([`PersistenceError::StaleVersion`](crate::PersistenceError::StaleVersion) otherwise).
pub fn update_registration(
    conn: &mut AnyConnection,
    row: &RegistrationRow,
    expected_version: i32,
) -> PersistenceResult<()> {
    update_if_version!(conn, registrations, row, expected_version)
}

/// How the list is filtered by state: stored states, with `needs_revision` past its due date read
/// as `lapsed` and `suspended` past its last day read as `registered`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateFilter {
    Stored(String),
    NeedsRevision,
    Lapsed,
    Registered,
    Suspended,
    /// In the Buku Induk: registered, suspended or revoked (the public register).
    InRegister,
}

/// Whether a registration reads as registered on `$today`: stored `registered`, or `suspended`
/// with a last day before `$today` (mirrors `registration::effective_state`). Never NULL.
macro_rules! effectively_registered {
    ($today:expr) => {
        registrations::state
            .eq("registered")
            .or(registrations::state
                .eq("suspended")
                .and(registrations::suspended_until.is_not_null())
                .and(registrations::suspended_until.assume_not_null().lt($today)))
    };
}

/// Which registrations to list, ordered by region then id (creation order within a region), so
/// that a region's page is one range of the `(region_code, id)` indexes however large the table.
#[derive(Debug, Clone)]
pub struct RegistrationFilter {
    pub region: Option<String>,
    /// Only these ids (a representative's own).
    pub only_ids: Option<Vec<String>>,
    pub state: Option<StateFilter>,
    pub kind: Option<String>,
    pub field: Option<String>,
    pub q: Option<String>,
    pub skt_expiring_before: Option<NaiveDate>,
    pub verification_overdue: bool,
    pub board_term_ended: bool,
    /// Only registrations whose last field visit found the secretariat missing.
    pub secretariat_not_found: bool,
    /// Derived activity as of `today` under `policy` (the same rule as the status endpoint).
    pub activity: Option<Activity>,
    /// Registered and missing the report for the last period already due.
    pub report_overdue: bool,
    pub policy: ReportingPolicy,
    pub today: NaiveDate,
    /// The `(region_code, id)` of the last row of the previous page.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

pub fn list_registrations(
    conn: &mut AnyConnection,
    filter: &RegistrationFilter,
) -> PersistenceResult<Vec<Registered>> {
    let mut query = registrations::table
        .inner_join(organisations::table)
        .select((RegistrationRow::as_select(), OrganisationRow::as_select()))
        .order((registrations::region_code.asc(), registrations::id.asc()))
        .limit(filter.limit)
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(in_subtree!(registrations::region_code, region.clone()));
    }
    if let Some(ids) = &filter.only_ids {
        query = query.filter(registrations::id.eq_any(ids.clone()));
    }
    match &filter.state {
        Some(StateFilter::Stored(state)) => {
            query = query.filter(registrations::state.eq(state.clone()));
        }
        Some(StateFilter::NeedsRevision) => {
            query = query
                .filter(registrations::state.eq("needs_revision"))
                .filter(
                    registrations::revision_due
                        .is_null()
                        .or(registrations::revision_due.ge(filter.today)),
                );
        }
        Some(StateFilter::Registered) => {
            query = query.filter(effectively_registered!(filter.today));
        }
        Some(StateFilter::Suspended) => {
            query = query.filter(registrations::state.eq("suspended")).filter(
                registrations::suspended_until
                    .is_null()
                    .or(registrations::suspended_until.ge(filter.today)),
            );
        }
        Some(StateFilter::InRegister) => {
            query =
                query.filter(registrations::state.eq_any(["registered", "suspended", "revoked"]));
        }
        Some(StateFilter::Lapsed) => {
            query = query.filter(
                registrations::state.eq("lapsed").or(registrations::state
                    .eq("needs_revision")
                    .and(registrations::revision_due.lt(filter.today))),
            );
        }
        None => {}
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(organisations::kind.eq(kind.clone()));
    }
    if let Some(field) = &filter.field {
        query = query.filter(
            organisations::fields
                .like(format!("%\"{}\"%", escape_like(field)))
                .escape('\\'),
        );
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        query = query.filter(
            lower(organisations::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(organisations::abbreviation.assume_not_null())
                    .like(pattern)
                    .escape('\\')),
        );
    }
    if let Some(before) = filter.skt_expiring_before {
        query = query.filter(organisations::skt_expires_on.lt(before));
    }
    if filter.verification_overdue {
        query = query
            .filter(registrations::state.eq("submitted"))
            .filter(registrations::verification_due.lt(filter.today));
    }
    if filter.board_term_ended {
        query = query.filter(registrations::board_term_ends_on.lt(filter.today));
    }
    if filter.secretariat_not_found {
        query = query.filter(
            registrations::secretariat_missing_since
                .assume_not_null()
                .le(filter.today),
        );
    }
    if let Some(activity) = filter.activity {
        // Mirrors `ormas_domain::status::derive_status` (registered, legal basis valid, board in
        // office, a report accepted within the window); every part is true or false, never NULL,
        // so that NOT is exact. Tested against the status endpoint row by row.
        let today = filter.today;
        let window_start = filter.policy.active_window_start(today);
        let legal_basis_valid =
            organisations::kind
                .ne("tidak_berbadan_hukum")
                .or(organisations::skt_expires_on
                    .is_not_null()
                    .and(organisations::skt_expires_on.assume_not_null().ge(today)));
        let board_in_office =
            registrations::board_term_ends_on
                .is_null()
                .or(registrations::board_term_ends_on
                    .assume_not_null()
                    .ge(today));
        let recent_report = exists(
            reports::table
                .filter(reports::registration_id.eq(registrations::id))
                .filter(reports::accepted_on.ge(window_start))
                .filter(reports::accepted_on.le(today)),
        );
        let registered_by_today = registrations::registration_date
            .is_null()
            .or(registrations::registration_date.assume_not_null().le(today));
        let secretariat_present = registrations::secretariat_missing_since.is_null().or(
            registrations::secretariat_missing_since
                .assume_not_null()
                .gt(today),
        );
        let active = effectively_registered!(today)
            .and(registered_by_today)
            .and(secretariat_present)
            .and(legal_basis_valid)
            .and(board_in_office)
            .and(recent_report);
        query = match activity {
            Activity::Active => query.filter(active),
            Activity::Inactive => query.filter(not(active)),
        };
    }
    if filter.report_overdue {
        // Mirrors `ormas_domain::status::report_overdue`.
        let Some(period) = filter.policy.last_due_period(filter.today) else {
            return Ok(Vec::new());
        };
        query = query
            .filter(effectively_registered!(filter.today))
            .filter(
                registrations::registration_date
                    .is_null()
                    .or(registrations::registration_date
                        .assume_not_null()
                        .le(period.end().min(filter.today))),
            )
            .filter(not(exists(
                reports::table
                    .filter(reports::registration_id.eq(registrations::id))
                    .filter(reports::period.eq(period.to_string()))
                    .filter(reports::first_submitted_on.le(filter.today)),
            )));
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

pub fn list_board(
    conn: &mut AnyConnection,
    registration_id: &str,
) -> PersistenceResult<Vec<BoardMemberRow>> {
    Ok(board_members::table
        .filter(board_members::registration_id.eq(registration_id))
        .order(board_members::ordinal.asc())
        .select(BoardMemberRow::as_select())
        .load(conn)?)
}

/// Replaces a registration's board with `members`.
pub fn replace_board(
    conn: &mut AnyConnection,
    registration_id: &str,
    members: &[BoardMemberRow],
) -> PersistenceResult<()> {
    diesel::delete(board_members::table.filter(board_members::registration_id.eq(registration_id)))
        .execute(conn)?;
    for chunk in members.chunks(200) {
        on_backend!(conn, |c| diesel::insert_into(board_members::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// The board positions filled, for the completeness rule.
pub fn board_positions(
    conn: &mut AnyConnection,
    registration_id: &str,
) -> PersistenceResult<Vec<String>> {
    Ok(board_members::table
        .filter(board_members::registration_id.eq(registration_id))
        .select(board_members::position)
        .load(conn)?)
}

pub fn insert_document(conn: &mut AnyConnection, row: &DocumentRow) -> PersistenceResult<()> {
    diesel::insert_into(documents::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn list_documents(
    conn: &mut AnyConnection,
    registration_id: &str,
) -> PersistenceResult<Vec<DocumentRow>> {
    Ok(documents::table
        .filter(documents::registration_id.eq(registration_id))
        .order((documents::uploaded_at.asc(), documents::id.asc()))
        .select(DocumentRow::as_select())
        .load(conn)?)
}

/// The document types present for each of these registrations, in one query.
pub fn document_types_for(
    conn: &mut AnyConnection,
    registration_ids: &[String],
) -> PersistenceResult<Vec<(String, String)>> {
    Ok(documents::table
        .filter(documents::registration_id.eq_any(registration_ids))
        .select((documents::registration_id, documents::doc_type))
        .distinct()
        .load(conn)?)
}

pub fn find_document(
    conn: &mut AnyConnection,
    id: &str,
) -> PersistenceResult<Option<(DocumentRow, RegistrationRow)>> {
    Ok(documents::table
        .inner_join(registrations::table)
        .filter(documents::id.eq(id))
        .select((DocumentRow::as_select(), RegistrationRow::as_select()))
        .first(conn)
        .optional()?)
}

pub fn delete_document(conn: &mut AnyConnection, id: &str) -> PersistenceResult<bool> {
    Ok(diesel::delete(documents::table.find(id)).execute(conn)? > 0)
}

/// How many stored documents use this content hash (the file is shared by identical uploads).
pub fn documents_with_hash(conn: &mut AnyConnection, sha256: &str) -> PersistenceResult<i64> {
    Ok(documents::table
        .filter(documents::sha256.eq(sha256))
        .count()
        .get_result(conn)?)
}

pub fn insert_event(conn: &mut AnyConnection, row: &EventRow) -> PersistenceResult<()> {
    diesel::insert_into(registration_events::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn list_events(
    conn: &mut AnyConnection,
    registration_id: &str,
) -> PersistenceResult<Vec<EventRow>> {
    Ok(registration_events::table
        .filter(registration_events::registration_id.eq(registration_id))
        .order(registration_events::id.asc())
        .select(EventRow::as_select())
        .load(conn)?)
}

/// Advances the Buku Induk sequence of a region and year and returns the new number. Call inside
/// the approval's write transaction, so that a rolled-back approval leaves no gap; the upsert's row
/// lock serialises concurrent approvals on PostgreSQL, the write lock on SQLite.
pub fn next_registration_sequence(
    conn: &mut AnyConnection,
    region: &str,
    year: i32,
) -> PersistenceResult<i32> {
    advance_sequence!(conn, registration_sequences, region, year)
}

/// The board positions filled for each of these registrations, in one query.
pub fn board_positions_for(
    conn: &mut AnyConnection,
    registration_ids: &[String],
) -> PersistenceResult<Vec<(String, String)>> {
    Ok(board_members::table
        .filter(board_members::registration_id.eq_any(registration_ids))
        .select((board_members::registration_id, board_members::position))
        .load(conn)?)
}

/// The province codes, for checking NIKs.
pub fn province_codes(conn: &mut AnyConnection) -> PersistenceResult<Vec<String>> {
    use crate::schema::regions;
    Ok(regions::table
        .filter(regions::level.eq("province"))
        .select(regions::code)
        .load(conn)?)
}

//! Contract types of the register.

use chrono::{DateTime, NaiveDate, Utc};
use ormas_domain::registration::{
    OrmasKind, RegistrationState, Transition, allowed_transitions, verification_overdue,
};
use ormas_persistence::register::{EventRow, OrganisationRow, RegistrationRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::routes::dto::utc;

/// The kind of organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrmasKindName {
    /// Association with legal personality (badan hukum perkumpulan): AHU decree.
    Perkumpulan,
    /// Foundation (badan hukum yayasan): AHU decree.
    Yayasan,
    /// Without legal personality: SKT, valid 5 years.
    TidakBerbadanHukum,
}

impl From<OrmasKindName> for OrmasKind {
    fn from(kind: OrmasKindName) -> Self {
        match kind {
            OrmasKindName::Perkumpulan => OrmasKind::Perkumpulan,
            OrmasKindName::Yayasan => OrmasKind::Yayasan,
            OrmasKindName::TidakBerbadanHukum => OrmasKind::TidakBerbadanHukum,
        }
    }
}

impl From<OrmasKind> for OrmasKindName {
    fn from(kind: OrmasKind) -> Self {
        match kind {
            OrmasKind::Perkumpulan => OrmasKindName::Perkumpulan,
            OrmasKind::Yayasan => OrmasKindName::Yayasan,
            OrmasKind::TidakBerbadanHukum => OrmasKindName::TidakBerbadanHukum,
        }
    }
}

/// The state of a regional registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrmasState {
    Draft,
    Submitted,
    NeedsRevision,
    Registered,
    Rejected,
    /// Returned and not resubmitted within 15 working days.
    Lapsed,
    Dissolved,
}

impl From<RegistrationState> for OrmasState {
    fn from(state: RegistrationState) -> Self {
        match state {
            RegistrationState::Draft => OrmasState::Draft,
            RegistrationState::Submitted => OrmasState::Submitted,
            RegistrationState::NeedsRevision => OrmasState::NeedsRevision,
            RegistrationState::Registered => OrmasState::Registered,
            RegistrationState::Rejected => OrmasState::Rejected,
            RegistrationState::Lapsed => OrmasState::Lapsed,
            RegistrationState::Dissolved => OrmasState::Dissolved,
        }
    }
}

impl From<OrmasState> for RegistrationState {
    fn from(state: OrmasState) -> Self {
        match state {
            OrmasState::Draft => RegistrationState::Draft,
            OrmasState::Submitted => RegistrationState::Submitted,
            OrmasState::NeedsRevision => RegistrationState::NeedsRevision,
            OrmasState::Registered => RegistrationState::Registered,
            OrmasState::Rejected => RegistrationState::Rejected,
            OrmasState::Lapsed => RegistrationState::Lapsed,
            OrmasState::Dissolved => RegistrationState::Dissolved,
        }
    }
}

/// A lifecycle transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransitionName {
    Submit,
    Return,
    Approve,
    Reject,
    Dissolve,
}

impl From<Transition> for TransitionName {
    fn from(t: Transition) -> Self {
        match t {
            Transition::Submit => TransitionName::Submit,
            Transition::Return => TransitionName::Return,
            Transition::Approve => TransitionName::Approve,
            Transition::Reject => TransitionName::Reject,
            Transition::Dissolve => TransitionName::Dissolve,
        }
    }
}

/// An organisation's legal identity: national, shared by its registrations in every region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organisation {
    /// The same AHU or SKT number is the same organisation, wherever registered.
    pub id: String,
    pub name: String,
    #[schema(required = true)]
    pub abbreviation: Option<String>,
    pub kind: OrmasKindName,
    /// For badan hukum: the AHU decree.
    #[schema(required = true)]
    pub ahu_number: Option<String>,
    #[schema(required = true)]
    pub ahu_date: Option<NaiveDate>,
    /// For organisations without legal personality: the SKT.
    #[schema(required = true)]
    pub skt_number: Option<String>,
    #[schema(required = true)]
    pub skt_issued_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub skt_issuer: Option<String>,
    /// Five years after `skt_issued_on`.
    #[schema(required = true)]
    pub skt_expires_on: Option<NaiveDate>,
    /// Digits only.
    #[schema(required = true)]
    pub npwp: Option<String>,
    #[schema(required = true)]
    pub founded_on: Option<NaiveDate>,
    /// Field codes (bidang), see `GET /v1/reference/fields`.
    pub fields: Vec<String>,
    /// Ciri khusus, see `GET /v1/reference/special_characters`.
    #[schema(required = true)]
    pub special_character: Option<String>,
    /// Berjenjang: national → regional branches.
    pub tiered: bool,
}

impl Organisation {
    pub fn from_row(row: &OrganisationRow) -> Result<Self, ApiError> {
        let kind: OrmasKind = row.kind.parse().map_err(ApiError::internal)?;
        Ok(Organisation {
            id: row.id.clone(),
            name: row.name.clone(),
            abbreviation: row.abbreviation.clone(),
            kind: kind.into(),
            ahu_number: row.ahu_number.clone(),
            ahu_date: row.ahu_date,
            skt_number: row.skt_number.clone(),
            skt_issued_on: row.skt_issued_on,
            skt_issuer: row.skt_issuer.clone(),
            skt_expires_on: row.skt_expires_on,
            npwp: row.npwp.clone(),
            founded_on: row.founded_on,
            fields: serde_json::from_str(&row.fields).unwrap_or_default(),
            special_character: row.special_character.clone(),
            tiered: row.tiered,
        })
    }
}

/// A regional registration: an organisation's presence in one region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ormas {
    pub id: String,
    pub organisation: Organisation,
    /// The kabupaten/kota (or province) where it is registered.
    pub region_code: String,
    /// The kecamatan of the secretariat.
    #[schema(required = true)]
    pub district_code: Option<String>,
    pub address: String,
    #[schema(required = true)]
    pub phone: Option<String>,
    #[schema(required = true)]
    pub email: Option<String>,
    /// End of the board's term (masa bakti).
    #[schema(required = true)]
    pub board_term_ends_on: Option<NaiveDate>,
    /// The state as of today: a returned registration past its revision window is `lapsed`.
    pub state: OrmasState,
    /// The Buku Induk number, once registered.
    #[schema(required = true)]
    pub registration_number: Option<String>,
    #[schema(required = true)]
    pub registration_date: Option<NaiveDate>,
    #[schema(required = true)]
    pub submitted_on: Option<NaiveDate>,
    /// While submitted: 15 working days after submission (UU 17/2013 Ps 17(1)).
    #[schema(required = true)]
    pub verification_due: Option<NaiveDate>,
    /// The office is past `verification_due`.
    pub verification_overdue: bool,
    /// While returned: 15 working days after the notice; the registration lapses after it.
    #[schema(required = true)]
    pub revision_due: Option<NaiveDate>,
    /// Whether ketua, sekretaris and bendahara are on the board.
    pub board_complete: bool,
    /// Required document types not uploaded yet.
    pub missing_documents: Vec<String>,
    /// The transitions the state allows (the caller's role may still forbid some).
    pub allowed_transitions: Vec<TransitionName>,
    /// Send it back in `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Ormas {
    pub fn build(
        registration: &RegistrationRow,
        organisation: &OrganisationRow,
        state: RegistrationState,
        today: NaiveDate,
        board_complete: bool,
        missing_documents: Vec<String>,
    ) -> Result<Self, ApiError> {
        Ok(Ormas {
            id: registration.id.clone(),
            organisation: Organisation::from_row(organisation)?,
            region_code: registration.region_code.clone(),
            district_code: registration.district_code.clone(),
            address: registration.address.clone(),
            phone: registration.phone.clone(),
            email: registration.email.clone(),
            board_term_ends_on: registration.board_term_ends_on,
            state: state.into(),
            registration_number: registration.registration_number.clone(),
            registration_date: registration.registration_date,
            submitted_on: registration.submitted_on,
            verification_due: registration.verification_due,
            verification_overdue: verification_overdue(state, registration.verification_due, today),
            revision_due: registration.revision_due,
            board_complete,
            missing_documents,
            allowed_transitions: allowed_transitions(state)
                .iter()
                .map(|t| (*t).into())
                .collect(),
            version: registration.version,
            created_at: utc(registration.created_at),
            updated_at: utc(registration.updated_at),
        })
    }
}

/// A page of registrations, ordered by region, then by creation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrmasPage {
    pub items: Vec<Ormas>,
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

/// One entry of a registration's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    #[schema(required = true)]
    pub actor_id: Option<String>,
    #[schema(required = true)]
    pub actor_name: Option<String>,
    /// `create`, `update`, `board`, `document_add`, `document_delete`, or a transition.
    pub action: String,
    #[schema(required = true)]
    pub from_state: Option<String>,
    #[schema(required = true)]
    pub to_state: Option<String>,
    #[schema(required = true)]
    pub reason: Option<String>,
    /// Per-document notes of a return, or the fields an edit changed.
    #[schema(required = true, value_type = Option<Object>)]
    pub notes: Option<serde_json::Value>,
    #[schema(required = true)]
    pub registration_number: Option<String>,
}

impl From<EventRow> for HistoryEntry {
    fn from(row: EventRow) -> Self {
        HistoryEntry {
            id: row.id,
            at: utc(row.occurred_at),
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            action: row.action,
            from_state: row.from_state,
            to_state: row.to_state,
            reason: row.reason,
            notes: row.notes.and_then(|n| serde_json::from_str(&n).ok()),
            registration_number: row.registration_number,
        }
    }
}

/// A registration's history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    pub items: Vec<HistoryEntry>,
}

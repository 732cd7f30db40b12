//! Contract types of the register.

use chrono::{DateTime, NaiveDate, Utc};
use ormas_domain::registration::{
    OrmasKind, RegistrationState, Transition, allowed_transitions, verification_overdue,
};
use ormas_persistence::register::{EventRow, OrganisationRow, RegistrationRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::error::ApiError;
use crate::routes::Resource;
use crate::routes::dto::{double_option, utc, validate_not_blank, validate_region_code};

/// An organisation's legal identity: national, shared by its registrations in every region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organisation {
    /// The same AHU or SKT number is the same organisation, wherever registered.
    pub id: String,
    pub name: String,
    #[schema(required = true)]
    pub abbreviation: Option<String>,
    pub kind: OrmasKind,
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
    /// The identity's version: send it in `If-Match` to `PATCH /v1/organisations/{id}`.
    pub version: i32,
}

impl Organisation {
    pub fn from_row(row: &OrganisationRow) -> Result<Self, ApiError> {
        let kind = row.kind()?;
        Ok(Organisation {
            id: row.id.clone(),
            name: row.name.clone(),
            abbreviation: row.abbreviation.clone(),
            kind,
            ahu_number: row.ahu_number.clone(),
            ahu_date: row.ahu_date,
            skt_number: row.skt_number.clone(),
            skt_issued_on: row.skt_issued_on,
            skt_issuer: row.skt_issuer.clone(),
            skt_expires_on: row.skt_expires_on,
            npwp: row.npwp.clone(),
            founded_on: row.founded_on,
            fields: row.fields().unwrap_or_default(),
            special_character: row.special_character.clone(),
            tiered: row.tiered,
            version: row.version,
        })
    }
}

/// A regional registration: an organisation's presence in one region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ormas {
    pub id: String,
    pub organisation: Organisation,
    /// This registration's own name for its regional board (nama kepengurusan daerah, e.g. "DPD
    /// … Kota Balikpapan"), when it differs from the organisation's name.
    #[schema(required = true)]
    pub branch_name: Option<String>,
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
    pub state: RegistrationState,
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
    /// The transitions its state allows now, for any role: the caller's role may still forbid
    /// some (the endpoint answers 403), as `GET /v1/me` and the roles in each step's description
    /// tell.
    pub allowed_transitions: Vec<Transition>,
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
            branch_name: registration.branch_name.clone(),
            region_code: registration.region_code.clone(),
            district_code: registration.district_code.clone(),
            address: registration.address.clone(),
            phone: registration.phone.clone(),
            email: registration.email.clone(),
            board_term_ends_on: registration.board_term_ends_on,
            state,
            registration_number: registration.registration_number.clone(),
            registration_date: registration.registration_date,
            submitted_on: registration.submitted_on,
            verification_due: registration.verification_due,
            verification_overdue: verification_overdue(state, registration.verification_due, today),
            revision_due: registration.revision_due,
            board_complete,
            missing_documents,
            allowed_transitions: allowed_transitions(state).to_vec(),
            version: registration.version,
            created_at: utc(registration.created_at),
            updated_at: utc(registration.updated_at),
        })
    }
}

impl Resource for Ormas {
    fn location(&self) -> String {
        format!("/v1/ormas/{}", self.id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.version)
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
    /// What the entry records besides its reason: the per-document notes of a return or
    /// rejection (an array of `{document, note}`), or an object (the fields an edit changed as
    /// `{changed: [...]}`, the visit or the sanction it records).
    #[schema(required = true, value_type = Option<HistoryNotes>)]
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

/// Exactly the published pattern `^\+?[0-9][0-9 ()-]{5,19}$`: an optional `+`, a digit, then 5 to
/// 19 digits, spaces, dashes or parentheses.
fn validate_phone(phone: &str) -> Result<(), validator::ValidationError> {
    let rest = phone.strip_prefix('+').unwrap_or(phone);
    let mut chars = rest.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_digit())
        && (5..=19).contains(&chars.clone().count())
        && chars.all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '-'));
    if ok {
        Ok(())
    } else {
        Err(
            validator::ValidationError::new("invalid_phone").with_message(
                "must be a digit (after an optional +) then 5–19 digits, spaces, dashes or parentheses".into(),
            ),
        )
    }
}

/// The notes of a history entry, for the contract: the per-document notes of a return or
/// rejection (an array), or an object (what an edit changed, the visit or sanction recorded). The
/// handler passes the stored JSON through.
pub struct HistoryNotes;

impl utoipa::PartialSchema for HistoryNotes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(ArrayBuilder::new().items(utoipa::openapi::Ref::from_schema_name("DocumentNote")))
            .item(ObjectBuilder::new().schema_type(Type::Object))
            .description(Some(
                "The per-document notes of a return or rejection, or an object naming what the \
                 entry records.",
            ))
            .into()
    }
}

impl ToSchema for HistoryNotes {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            "DocumentNote".into(),
            <DocumentNote as utoipa::PartialSchema>::schema(),
        ));
    }
}

/// A note on one document, for the applicant to act on.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentNote {
    /// A document type (or the id of an uploaded document).
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub document: String,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub note: String,
}

/// What a transition needs besides the registration: a reason (return, reject, dissolve) and, for a
/// return, notes per document.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "SK kepengurusan belum ditandatangani.", "document_notes": [{"document": "board_decree", "note": "Tanda tangan ketua belum ada."}]}))]
pub struct TransitionRequest {
    /// Required to return, reject and dissolve.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
    /// With a return: what to fix in which document.
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub document_notes: Vec<DocumentNote>,
}

#[cfg(test)]
mod phone_tests {
    use super::validate_phone;

    #[test]
    fn phones_follow_the_published_pattern() {
        for ok in [
            "+62 542 123456",
            "081234",
            "+08935 6-02)94 23854(",
            "0812345678901234567 ",
        ] {
            assert!(validate_phone(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "+",
            "12345",
            "+ 62 542",
            "(0542) 123",
            "0812-abc-99",
            "08123456789012345678901",
        ] {
            assert!(validate_phone(bad).is_err(), "{bad}");
        }
    }
}

/// A new registration draft: the organisation's legal identity and its presence in one region.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Pemuda Peduli Lingkungan", "abbreviation": "PPL", "kind": "tidak_berbadan_hukum",
    "skt_number": "220/1234/DIII.3/2023", "skt_issued_on": "2023-05-10", "skt_issuer": "Kementerian Dalam Negeri",
    "npwp": "01.234.567.8-901.000", "founded_on": "2019-08-17", "fields": ["lingkungan_hidup", "kepemudaan"],
    "special_character": "kepemudaan", "tiered": false, "region_code": "64.71", "district_code": "64.71.01",
    "address": "Jl. Jenderal Sudirman No. 1, Balikpapan", "phone": "+62 542 123456", "email": "sekretariat@ppl.or.id",
    "board_term_ends_on": "2028-12-31"
}))]
pub struct CreateOrmas {
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(length(min = 1, max = 50))]
    #[schema(min_length = 1, max_length = 50)]
    pub abbreviation: Option<String>,
    pub kind: OrmasKind,
    /// Required for `perkumpulan` and `yayasan`.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub ahu_number: Option<String>,
    /// Required with `ahu_number`.
    pub ahu_date: Option<NaiveDate>,
    /// Required for `tidak_berbadan_hukum`.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub skt_number: Option<String>,
    pub skt_issued_on: Option<NaiveDate>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub skt_issuer: Option<String>,
    /// 15 or 16 digits; dots, dashes and spaces are ignored.
    #[validate(length(min = 15, max = 25))]
    #[schema(
        min_length = 15,
        max_length = 25,
        pattern = r"^[0-9][0-9. -]{13,23}[0-9]$"
    )]
    pub npwp: Option<String>,
    pub founded_on: Option<NaiveDate>,
    /// Field codes from `GET /v1/reference/fields`, at most 10.
    #[serde(default)]
    #[validate(length(max = 10))]
    #[schema(max_items = 10)]
    pub fields: Vec<String>,
    /// A code from `GET /v1/reference/special_characters`.
    pub special_character: Option<String>,
    #[serde(default)]
    pub tiered: bool,
    /// The registration's own name for its regional board (nama kepengurusan daerah). When the
    /// AHU or SKT number names an organisation already known, the identity fields above are not
    /// applied to it: a `name` that differs from the organisation's is kept here instead.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub branch_name: Option<String>,
    /// A kabupaten/kota or province code.
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2})?$")]
    pub region_code: String,
    /// The kecamatan of the secretariat, within `region_code`.
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$")]
    pub district_code: Option<String>,
    #[validate(length(min = 1, max = 500), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 500)]
    pub address: String,
    #[validate(custom(function = "validate_phone"))]
    #[schema(pattern = r"^\+?[0-9][0-9 ()-]{5,19}$")]
    pub phone: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    pub board_term_ends_on: Option<NaiveDate>,
}

/// Filters of the registration list.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrmasQuery {
    /// Only registrations in this region's subtree (within the caller's scope).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    /// The state as of today (`lapsed` includes returned registrations past their window).
    #[param(inline)]
    pub state: Option<RegistrationState>,
    #[param(inline)]
    pub kind: Option<OrmasKind>,
    /// A field code.
    #[validate(length(min = 1, max = 50))]
    #[param(min_length = 1, max_length = 50)]
    pub field: Option<String>,
    /// Part of the name or abbreviation, case-insensitive.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// Only SKTs that expire before this date.
    pub skt_expiring_before: Option<NaiveDate>,
    /// Only submitted registrations past their verification deadline.
    pub verification_overdue: Option<bool>,
    /// Only registrations whose board term has ended.
    pub board_term_ended: Option<bool>,
    /// Only registrations whose last field visit found nothing at the address (reason
    /// `secretariat_not_found`).
    pub secretariat_not_found: Option<bool>,
    /// Derived activity as of today, by the rule of `GET /v1/ormas/{id}/status` (`inactive`
    /// includes registrations that are not registered; combine with `state=registered` for the
    /// registered but inactive).
    #[param(inline)]
    pub activity: Option<ormas_domain::Activity>,
    /// Only registered ormas missing the report of the last period already due.
    pub report_overdue: Option<bool>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    #[param(pattern = "^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$")]
    pub page_token: Option<String>,
}

/// Changes to a registration; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "+62 542 765432", "address": "Jl. MT Haryono No. 9, Balikpapan"}))]
pub struct UpdateOrmas {
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 1, max = 50))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 50)]
    pub abbreviation: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 15, max = 25))]
    #[schema(value_type = Option<String>, min_length = 15, max_length = 25, pattern = r"^[0-9][0-9. -]{13,23}[0-9]$")]
    pub npwp: Option<Option<String>>,
    #[validate(length(max = 10))]
    #[schema(max_items = 10)]
    pub fields: Option<Vec<String>>,
    /// The registration's own name for its regional board; `null` removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 1, max = 200))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub branch_name: Option<Option<String>>,
    #[validate(length(min = 1, max = 500), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 500)]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "validate_region_code"))]
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$")]
    pub district_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "validate_phone"))]
    #[schema(value_type = Option<String>, pattern = r"^\+?[0-9][0-9 ()-]{5,19}$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub board_term_ends_on: Option<Option<NaiveDate>>,
}

impl UpdateOrmas {
    pub fn contact_only(&self) -> bool {
        self.name.is_none()
            && self.abbreviation.is_none()
            && self.npwp.is_none()
            && self.fields.is_none()
            && self.branch_name.is_none()
            && self.board_term_ends_on.is_none()
    }

    /// Whether the change names a field of the organisation's national identity.
    pub fn touches_identity(&self) -> bool {
        self.name.is_some()
            || self.abbreviation.is_some()
            || self.npwp.is_some()
            || self.fields.is_some()
    }

    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("abbreviation", self.abbreviation.is_some()),
            ("npwp", self.npwp.is_some()),
            ("fields", self.fields.is_some()),
            ("branch_name", self.branch_name.is_some()),
            ("address", self.address.is_some()),
            ("district_code", self.district_code.is_some()),
            ("phone", self.phone.is_some()),
            ("email", self.email.is_some()),
            ("board_term_ends_on", self.board_term_ends_on.is_some()),
        ]
        .into_iter()
        .filter(|(_, present)| *present)
        .map(|(name, _)| name)
        .collect()
    }
}

/// Corrections to an organisation's national identity; absent fields stay as they are. The result
/// must still satisfy what a new registration must (the legal identity its kind requires, known
/// reference codes).
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Pemuda Peduli Lingkungan Indonesia", "abbreviation": "PPLI"}))]
pub struct CorrectOrganisation {
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 1, max = 50))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 50)]
    pub abbreviation: Option<Option<String>>,
    pub kind: Option<OrmasKind>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 1, max = 100))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100)]
    pub ahu_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ahu_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 1, max = 100))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100)]
    pub skt_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub skt_issued_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 1, max = 200))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub skt_issuer: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 15, max = 25))]
    #[schema(value_type = Option<String>, min_length = 15, max_length = 25, pattern = r"^[0-9][0-9. -]{13,23}[0-9]$")]
    pub npwp: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub founded_on: Option<Option<NaiveDate>>,
    #[validate(length(max = 10))]
    #[schema(max_items = 10)]
    pub fields: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub special_character: Option<Option<String>>,
    pub tiered: Option<bool>,
}

impl CorrectOrganisation {
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("abbreviation", self.abbreviation.is_some()),
            ("kind", self.kind.is_some()),
            ("ahu_number", self.ahu_number.is_some()),
            ("ahu_date", self.ahu_date.is_some()),
            ("skt_number", self.skt_number.is_some()),
            ("skt_issued_on", self.skt_issued_on.is_some()),
            ("skt_issuer", self.skt_issuer.is_some()),
            ("npwp", self.npwp.is_some()),
            ("founded_on", self.founded_on.is_some()),
            ("fields", self.fields.is_some()),
            ("special_character", self.special_character.is_some()),
            ("tiered", self.tiered.is_some()),
        ]
        .into_iter()
        .filter(|(_, present)| *present)
        .map(|(name, _)| name)
        .collect()
    }
}

/// One registration of an organisation, as its organisation's record lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Presence {
    /// The registration's id (`GET /v1/ormas/{id}`).
    pub id: String,
    pub region_code: String,
    #[schema(required = true)]
    pub branch_name: Option<String>,
    /// The stored state.
    pub state: String,
}

/// An organisation's national identity with the registrations the caller may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationRecord {
    pub organisation: Organisation,
    /// The registrations in the caller's scope.
    pub registrations: Vec<Presence>,
    /// How many registrations it has in all regions (a correction needs a scope over all of them).
    pub registrations_total: usize,
}

impl Resource for OrganisationRecord {
    fn location(&self) -> String {
        format!("/v1/organisations/{}", self.organisation.id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.organisation.version)
    }
}

//! Contract types of attribute permits.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use ormas_domain::permits::{
    AttributeKind, ChecklistQuestion, ItemAnswers, PermitState, PermitTransition,
    allowed_permit_transitions, flagged_items, is_overdue,
};
use ormas_persistence::permits::{PermitEventRow, PermitRow};
use ormas_persistence::register::OrganisationRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::error::ApiError;
use crate::routes::Resource;
use crate::routes::dto::{integral_i64, utc, validate_not_blank};

/// Who makes the attributes.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Vendor {
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(length(min = 1, max = 500), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 500)]
    pub address: String,
}

/// One attribute to be ordered, as asked.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermitItemInput {
    pub kind: AttributeKind,
    #[validate(length(min = 1, max = 1000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 1000)]
    pub description: String,
    /// Its colours, e.g. `hijau`, `putih`.
    #[validate(length(min = 1, max = 10))]
    #[schema(min_items = 1, max_items = 10)]
    pub colours: Vec<String>,
    #[validate(range(min = 1, max = 1_000_000))]
    #[schema(minimum = 1, maximum = 1_000_000)]
    #[serde(deserialize_with = "integral_i64")]
    pub quantity: i64,
}

/// A design file, uploaded with `PUT /v1/attribute-permits/{id}/items/{number}/design`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DesignFile {
    pub filename: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, from the file's bytes.
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

/// An item as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredItem {
    pub kind: AttributeKind,
    pub description: String,
    pub colours: Vec<String>,
    pub quantity: i64,
    #[serde(default)]
    pub design: Option<DesignFile>,
}

/// One answer of the checklist.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistAnswer {
    /// `true`: the item does what the question asks (it bars approval).
    pub yes: bool,
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// The checklist of one item (UU 16/2017 Ps 59(1)): every question must be answered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemChecklist {
    /// Resembles the government, TNI, Polri, a ministry or the regional government.
    #[validate(nested)]
    pub resembles_government_or_security_forces: Option<ChecklistAnswer>,
    /// A foreign name or symbol used without permit.
    #[validate(nested)]
    pub foreign_symbol_without_permit: Option<ChecklistAnswer>,
    /// Resembles another ormas.
    #[validate(nested)]
    pub resembles_other_ormas: Option<ChecklistAnswer>,
    /// Resembles a political party.
    #[validate(nested)]
    pub resembles_political_party: Option<ChecklistAnswer>,
    /// A separatist or banned organisation's symbol.
    #[validate(nested)]
    pub separatist_or_banned_symbol: Option<ChecklistAnswer>,
}

impl ItemChecklist {
    /// The answers given, by question.
    pub fn answers(&self) -> ItemAnswers {
        use ChecklistQuestion::*;
        [
            (
                ResemblesGovernmentOrSecurityForces,
                &self.resembles_government_or_security_forces,
            ),
            (
                ForeignSymbolWithoutPermit,
                &self.foreign_symbol_without_permit,
            ),
            (ResemblesOtherOrmas, &self.resembles_other_ormas),
            (ResemblesPoliticalParty, &self.resembles_political_party),
            (SeparatistOrBannedSymbol, &self.separatist_or_banned_symbol),
        ]
        .into_iter()
        .filter_map(|(q, a)| a.as_ref().map(|a| (q, a.yes)))
        .collect()
    }
}

/// A new request.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "registration_id": "01938a6e-0000-7000-8000-000000000001",
    "purpose": "Seragam dan bendera untuk Musyawarah Daerah",
    "event_name": "Musyawarah Daerah IV",
    "event_date": "2027-02-14",
    "vendor": {"name": "CV Sablon Borneo", "address": "Jl. Jenderal Sudirman No. 12, Balikpapan"},
    "items": [{"kind": "seragam", "description": "Kemeja lengan panjang dengan lambang di dada kiri", "colours": ["hijau", "putih"], "quantity": 150}]
}))]
pub struct CreatePermit {
    /// The registration (ormas) asking.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub registration_id: String,
    /// What the attributes are for.
    #[validate(length(min = 1, max = 1000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 1000)]
    pub purpose: String,
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub event_name: Option<String>,
    pub event_date: Option<NaiveDate>,
    #[validate(nested)]
    pub vendor: Vendor,
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub items: Vec<PermitItemInput>,
}

/// Changes to a draft or returned request; absent parts stay, given parts replace. Replacing the
/// items keeps each design with its item number and clears the checklist.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"vendor": {"name": "CV Sablon Borneo", "address": "Jl. Jenderal Sudirman No. 14, Balikpapan"}}))]
pub struct UpdatePermit {
    #[validate(length(min = 1, max = 1000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 1000)]
    pub purpose: Option<String>,
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub event_name: Option<String>,
    pub event_date: Option<NaiveDate>,
    #[validate(nested)]
    pub vendor: Option<Vendor>,
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub items: Option<Vec<PermitItemInput>>,
}

/// An empty body (submit, approve).
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmptyStep {}

/// The officer's checklist: one entry per item, in item order.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{
    "resembles_government_or_security_forces": {"yes": false, "note": null},
    "foreign_symbol_without_permit": {"yes": false, "note": null},
    "resembles_other_ormas": {"yes": false, "note": null},
    "resembles_political_party": {"yes": false, "note": null},
    "separatist_or_banned_symbol": {"yes": false, "note": "Lambang sesuai AD/ART."}
}]}))]
pub struct ReviewRequest {
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub items: Vec<ItemChecklist>,
}

/// Notes to return a request.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"notes": "Lampirkan desain bendera dalam resolusi yang lebih tinggi."}))]
pub struct ReturnRequest {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub notes: Option<String>,
}

/// A refusal: the ground and the items it concerns.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ground": "Lambang menyerupai lambang Polri (UU 16/2017 Ps 59 ayat 1).", "items": [1]}))]
pub struct RefuseRequest {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub ground: Option<String>,
    /// The numbers (1-based) of the items refused.
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub items: Vec<usize>,
}

/// An item of a request, with its design and checklist.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PermitItem {
    /// 1-based, the item's place in the request.
    pub number: usize,
    pub kind: AttributeKind,
    pub description: String,
    pub colours: Vec<String>,
    pub quantity: i64,
    #[schema(required = true)]
    pub design: Option<DesignFile>,
    /// The officer's answers, once reviewed.
    #[schema(required = true)]
    pub checklist: Option<ItemChecklist>,
}

/// An attribute permit request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttributePermit {
    pub id: String,
    pub registration_id: String,
    pub ormas_name: String,
    pub region_code: String,
    pub state: PermitState,
    pub purpose: String,
    #[schema(required = true)]
    pub event_name: Option<String>,
    #[schema(required = true)]
    pub event_date: Option<NaiveDate>,
    pub vendor: Vendor,
    pub items: Vec<PermitItem>,
    /// Numbers of the items the checklist flagged (a `yes`): approval is impossible while any is.
    pub flagged_items: Vec<usize>,
    #[schema(required = true)]
    pub first_submitted_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub submitted_on: Option<NaiveDate>,
    /// The last day of the office's answer (working days from the last submission).
    #[schema(required = true)]
    pub answer_due_on: Option<NaiveDate>,
    /// Waiting for the office past `answer_due_on`.
    pub overdue: bool,
    #[schema(required = true)]
    pub reviewed_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub decided_on: Option<NaiveDate>,
    /// `{seq:04}/IPA/{region}/{roman month}/{year}`, once approved.
    #[schema(required = true)]
    pub permit_number: Option<String>,
    #[schema(required = true)]
    pub valid_from: Option<NaiveDate>,
    #[schema(required = true)]
    pub valid_until: Option<NaiveDate>,
    #[schema(required = true)]
    pub return_notes: Option<String>,
    #[schema(required = true)]
    pub refusal_ground: Option<String>,
    pub refused_items: Vec<usize>,
    /// The steps its state allows now, for any role.
    pub allowed_transitions: Vec<PermitTransition>,
    /// Send it back in `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The stored items of a row.
pub fn stored_items(row: &PermitRow) -> Result<Vec<StoredItem>, ApiError> {
    serde_json::from_str(&row.items).map_err(ApiError::internal)
}

/// The stored checklist of a row (empty before the review).
pub fn stored_checklist(row: &PermitRow) -> Result<Vec<ItemChecklist>, ApiError> {
    match &row.checklist {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(text).map_err(ApiError::internal),
    }
}

impl AttributePermit {
    pub fn build(
        row: &PermitRow,
        org: &OrganisationRow,
        today: NaiveDate,
    ) -> Result<AttributePermit, ApiError> {
        let state = row.state()?;
        let items = stored_items(row)?;
        let checklist = stored_checklist(row)?;
        let answers: Vec<ItemAnswers> = checklist.iter().map(ItemChecklist::answers).collect();
        let refused_items: Vec<usize> = match &row.refused_items {
            None => Vec::new(),
            Some(text) => serde_json::from_str(text).map_err(ApiError::internal)?,
        };
        Ok(AttributePermit {
            id: row.id.clone(),
            registration_id: row.registration_id.clone(),
            ormas_name: org.name.clone(),
            region_code: row.region_code.clone(),
            state,
            purpose: row.purpose.clone(),
            event_name: row.event_name.clone(),
            event_date: row.event_date,
            vendor: Vendor {
                name: row.vendor_name.clone(),
                address: row.vendor_address.clone(),
            },
            items: items
                .into_iter()
                .enumerate()
                .map(|(i, item)| PermitItem {
                    number: i + 1,
                    kind: item.kind,
                    description: item.description,
                    colours: item.colours,
                    quantity: item.quantity,
                    design: item.design,
                    checklist: checklist.get(i).cloned(),
                })
                .collect(),
            flagged_items: flagged_items(&answers).iter().map(|f| f.number).collect(),
            first_submitted_on: row.first_submitted_on,
            submitted_on: row.submitted_on,
            answer_due_on: row.answer_due_on,
            overdue: is_overdue(state, row.answer_due_on, today),
            reviewed_on: row.reviewed_on,
            decided_on: row.decided_on,
            permit_number: row.permit_number.clone(),
            valid_from: row.valid_from,
            valid_until: row.valid_until,
            return_notes: row.return_notes.clone(),
            refusal_ground: row.refusal_ground.clone(),
            refused_items,
            allowed_transitions: allowed_permit_transitions(state).to_vec(),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

impl Resource for AttributePermit {
    fn location(&self) -> String {
        format!("/v1/attribute-permits/{}", self.id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.version)
    }
}

/// A page of the office's queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttributePermitPage {
    pub items: Vec<AttributePermit>,
    /// Pass as `page_token` for the next page; `null` on the last.
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

/// One entry of a request's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttributePermitEvent {
    pub id: String,
    #[schema(required = true)]
    pub actor_id: Option<String>,
    pub at: DateTime<Utc>,
    /// `attribute_permit.create`, `.update`, `.design`, `.submit`, `.review`, `.return`,
    /// `.approve`, `.refuse`.
    pub action: String,
    #[schema(required = true)]
    pub from_state: Option<PermitState>,
    #[schema(required = true)]
    pub to_state: Option<PermitState>,
    #[schema(required = true)]
    pub note: Option<String>,
}

impl AttributePermitEvent {
    pub fn build(row: PermitEventRow) -> Self {
        AttributePermitEvent {
            id: row.id,
            actor_id: row.actor_id,
            at: utc(row.at),
            action: row.action,
            from_state: row.from_state.and_then(|s| s.parse().ok()),
            to_state: row.to_state.and_then(|s| s.parse().ok()),
            note: row.note,
        }
    }
}

/// A request's history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttributePermitHistory {
    pub items: Vec<AttributePermitEvent>,
}

/// A history entry.
pub fn event_row(
    permit_id: &str,
    actor_id: Option<&str>,
    at: NaiveDateTime,
    action: &str,
    from: Option<PermitState>,
    to: Option<PermitState>,
    note: Option<String>,
) -> PermitEventRow {
    PermitEventRow {
        id: uuid::Uuid::now_v7().to_string(),
        permit_id: permit_id.to_owned(),
        actor_id: actor_id.map(str::to_owned),
        at,
        action: action.to_owned(),
        from_state: from.map(|s| s.as_str().to_owned()),
        to_state: to.map(|s| s.as_str().to_owned()),
        note,
    }
}

//! Contract types of grant proposals.

use chrono::{DateTime, NaiveDate, Utc};
use ormas_domain::grants::{GrantState, GrantStatus, GrantStep, allowed_grant_steps, grant_status};
use ormas_persistence::grants::{GrantEventRow, GrantRow};
use ormas_persistence::register::OrganisationRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::error::ApiError;
use crate::routes::Resource;
use crate::routes::dto::{integral_i32, integral_i64, optional_i64, utc, validate_not_blank};

/// One line of the budget (RAB): quantity × unit price.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetLine {
    #[validate(length(min = 1, max = 500), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 500)]
    pub description: String,
    /// The unit counted (`paket`, `orang`, `hari`, …).
    #[validate(length(min = 1, max = 50), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 50)]
    pub unit: String,
    #[validate(range(min = 1, max = 1_000_000_000))]
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    #[serde(deserialize_with = "integral_i64")]
    pub quantity: i64,
    /// Whole rupiah.
    #[validate(range(min = 0, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub unit_price: i64,
}

/// The bank account the grant is paid into: in the ormas's own name.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccount {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub bank: String,
    /// Digits only, 5 to 30.
    #[validate(
        length(min = 5, max = 30),
        custom(function = "validate_account_number")
    )]
    #[schema(min_length = 5, max_length = 30, pattern = "^[0-9]{5,30}$")]
    pub number: String,
    /// The account holder: the ormas's name (or its abbreviation).
    #[validate(length(min = 1, max = 300), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 300)]
    pub holder: String,
}

fn validate_account_number(number: &str) -> Result<(), validator::ValidationError> {
    if number.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("invalid_account_number")
            .with_message("must be digits only".into()))
    }
}

/// A new grant proposal (a draft).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "registration_id": "01938a6e-7f00-7000-8000-000000000001",
    "fiscal_year": 2027,
    "title": "Pelatihan kewirausahaan pemuda",
    "purpose": "Pelatihan tiga hari bagi 40 pemuda Kelurahan Gunung Samarinda.",
    "requested_amount": 25000000,
    "budget_lines": [
        {"description": "Konsumsi peserta", "unit": "orang-hari", "quantity": 120, "unit_price": 50000},
        {"description": "Honor narasumber", "unit": "orang", "quantity": 4, "unit_price": 2500000},
        {"description": "Modul dan alat tulis", "unit": "paket", "quantity": 40, "unit_price": 100000}
    ],
    "bank_account": {"bank": "Bank Kaltimtara", "number": "0011223344", "holder": "Perkumpulan Pemuda Peduli Balikpapan"},
    "document_ids": []
}))]
pub struct CreateGrantProposal {
    /// The registration (ormas) asking.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub registration_id: String,
    /// The region of the office asked (default: where the ormas is registered; a grant is asked
    /// where the ormas is registered).
    #[validate(custom(function = "crate::routes::dto::validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region_code: Option<String>,
    /// The budget year asked from: this year or one of the next two.
    #[serde(deserialize_with = "integral_i32")]
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub fiscal_year: i32,
    #[validate(length(min = 1, max = 300), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[validate(length(min = 1, max = 4000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 4000)]
    pub purpose: String,
    /// Whole rupiah; the budget lines must add up to it exactly.
    #[validate(range(min = 1, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 1, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub requested_amount: i64,
    #[validate(length(min = 1, max = 200), nested)]
    #[schema(min_items = 1, max_items = 200)]
    pub budget_lines: Vec<BudgetLine>,
    #[validate(nested)]
    pub bank_account: BankAccount,
    /// Ids of documents of the ormas (`POST /v1/ormas/{id}/documents`): to submit, a
    /// `grant_proposal_letter`, a `grant_budget` and a `board_decree`.
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub document_ids: Vec<String>,
}

/// Changes to a draft or returned proposal; absent fields stay, given ones replace.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Pelatihan kewirausahaan pemuda 2027"}))]
pub struct UpdateGrantProposal {
    #[validate(length(min = 1, max = 300), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[validate(length(min = 1, max = 4000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 4000)]
    pub purpose: Option<String>,
    #[validate(range(min = 1, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 1, maximum = 1_000_000_000_000_000_i64)]
    #[serde(default, deserialize_with = "optional_i64")]
    pub requested_amount: Option<i64>,
    #[validate(length(min = 1, max = 200), nested)]
    #[schema(min_items = 1, max_items = 200)]
    pub budget_lines: Option<Vec<BudgetLine>>,
    #[validate(nested)]
    pub bank_account: Option<BankAccount>,
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub document_ids: Option<Vec<String>>,
}

/// Submit: nothing to say (an empty body, or none).
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmptyStep {}

/// The verification team's recommendation.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"recommended_amount": 20000000, "notes": "Honor narasumber disesuaikan dengan standar biaya daerah.", "team": ["Drs. Yusuf Hadi", "Rina Marlina, S.E."]}))]
pub struct VerifyGrant {
    /// Whole rupiah, at most the requested amount.
    #[validate(range(min = 1, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 1, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub recommended_amount: i64,
    #[validate(length(min = 1, max = 4000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 4000)]
    pub notes: String,
    /// The team's members.
    #[validate(length(min = 1, max = 20), custom(function = "validate_names"))]
    #[schema(min_items = 1, max_items = 20)]
    pub team: Vec<String>,
}

fn validate_names(names: &[String]) -> Result<(), validator::ValidationError> {
    if names
        .iter()
        .all(|n| !n.trim().is_empty() && n.chars().count() <= 200)
    {
        Ok(())
    } else {
        Err(validator::ValidationError::new("invalid_name")
            .with_message("every name must be 1 to 200 characters".into()))
    }
}

/// Why a proposal is returned or rejected.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "RAB belum memuat rincian honor narasumber."}))]
pub struct ReasonStep {
    #[validate(length(min = 1, max = 2000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// The regional head's decree.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decree_number": "188.45/412/HK/2026", "decree_date": "2026-12-01", "approved_amount": 20000000}))]
pub struct ApproveGrant {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub decree_number: String,
    /// Not after today.
    pub decree_date: NaiveDate,
    /// Whole rupiah, at most the recommended amount.
    #[validate(range(min = 1, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 1, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub approved_amount: i64,
}

/// The grant agreement (Naskah Perjanjian Hibah Daerah).
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"agreement_number": "900/77/NPHD/2027", "agreement_date": "2027-02-03"}))]
pub struct AgreementStep {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub agreement_number: String,
    /// Not before the decree, not after today.
    pub agreement_date: NaiveDate,
}

/// The transfer.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"disbursed_on": "2027-02-20", "amount": 20000000}))]
pub struct DisbursementStep {
    /// Not before the agreement, not after today.
    pub disbursed_on: NaiveDate,
    /// Whole rupiah, at most the approved amount.
    #[validate(range(min = 1, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 1, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub amount: i64,
}

/// The accountability report (LPJ): what was spent and what went back to the treasury.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"spent_amount": 19250000, "returned_amount": 750000, "document_ids": ["01938a6e-7f00-7000-8000-0000000000aa"], "notes": "Sisa dana disetor ke kas daerah 2027-11-30."}))]
pub struct AccountabilityStep {
    #[validate(range(min = 0, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub spent_amount: i64,
    #[validate(range(min = 0, max = 1_000_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    #[serde(deserialize_with = "integral_i64")]
    pub returned_amount: i64,
    /// Documents of the ormas, at least one `grant_lpj`.
    #[validate(length(min = 1, max = 20))]
    #[schema(min_items = 1, max_items = 20)]
    pub document_ids: Vec<String>,
    #[validate(length(min = 1, max = 4000))]
    #[schema(min_length = 1, max_length = 4000)]
    pub notes: Option<String>,
}

/// The body of a step, whichever it is.
#[derive(Debug)]
pub enum StepBody {
    Empty,
    Verify(VerifyGrant),
    Reason(ReasonStep),
    Approve(ApproveGrant),
    Agreement(AgreementStep),
    Disbursement(DisbursementStep),
    Accountability(AccountabilityStep),
}

/// The verification team's recommendation, as stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Verification {
    pub notes: String,
    pub team: Vec<String>,
    pub verified_on: NaiveDate,
}

/// The LPJ's documents and notes, as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct LpjFiling {
    pub document_ids: Vec<String>,
    #[schema(required = true)]
    pub notes: Option<String>,
}

/// A grant proposal with everything recorded on it so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantProposal {
    pub id: String,
    pub registration_id: String,
    pub ormas_name: String,
    pub region_code: String,
    pub fiscal_year: i32,
    /// Where it stands today: `lpj_overdue` (derived) once the LPJ's due date has passed.
    pub state: GrantStatus,
    /// The state as recorded (never `lpj_overdue`).
    pub recorded_state: GrantState,
    /// 10 January (configurable) of the year after the fiscal year.
    pub lpj_due_on: NaiveDate,
    pub lpj_overdue: bool,
    pub title: String,
    pub purpose: String,
    pub requested_amount: i64,
    pub budget_lines: Vec<BudgetLine>,
    pub bank_account: BankAccount,
    pub document_ids: Vec<String>,
    #[schema(required = true)]
    pub submitted_on: Option<NaiveDate>,
    /// Why it was last returned or rejected.
    #[schema(required = true)]
    pub reason: Option<String>,
    #[schema(required = true)]
    pub recommended_amount: Option<i64>,
    #[schema(required = true)]
    pub verification: Option<Verification>,
    #[schema(required = true)]
    pub decree_number: Option<String>,
    #[schema(required = true)]
    pub decree_date: Option<NaiveDate>,
    #[schema(required = true)]
    pub approved_amount: Option<i64>,
    #[schema(required = true)]
    pub agreement_number: Option<String>,
    #[schema(required = true)]
    pub agreement_date: Option<NaiveDate>,
    #[schema(required = true)]
    pub disbursed_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub disbursed_amount: Option<i64>,
    #[schema(required = true)]
    pub lpj_spent_amount: Option<i64>,
    #[schema(required = true)]
    pub lpj_returned_amount: Option<i64>,
    #[schema(required = true)]
    pub lpj: Option<LpjFiling>,
    #[schema(required = true)]
    pub lpj_submitted_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub lpj_accepted_on: Option<NaiveDate>,
    /// The steps its state allows now, for any role (the caller's role may still forbid some).
    pub allowed_transitions: Vec<GrantStep>,
    /// Send it back in `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn json_or_default<T: serde::de::DeserializeOwned + Default>(text: Option<&str>) -> T {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

impl GrantProposal {
    pub fn build(
        row: &GrantRow,
        org: &OrganisationRow,
        today: NaiveDate,
    ) -> Result<GrantProposal, ApiError> {
        let recorded = row.state()?;
        let status = grant_status(recorded, row.lpj_due_on, today);
        Ok(GrantProposal {
            id: row.id.clone(),
            registration_id: row.registration_id.clone(),
            ormas_name: org.name.clone(),
            region_code: row.region_code.clone(),
            fiscal_year: row.fiscal_year,
            state: status,
            recorded_state: recorded,
            lpj_due_on: row.lpj_due_on,
            lpj_overdue: status == GrantStatus::LpjOverdue,
            title: row.title.clone(),
            purpose: row.purpose.clone(),
            requested_amount: row.requested_amount,
            budget_lines: serde_json::from_str(&row.budget_lines).map_err(ApiError::internal)?,
            bank_account: serde_json::from_str(&row.bank_account).map_err(ApiError::internal)?,
            document_ids: json_or_default(Some(&row.document_ids)),
            submitted_on: row.submitted_on,
            reason: row.reason.clone(),
            recommended_amount: row.recommended_amount,
            verification: row
                .verification
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok()),
            decree_number: row.decree_number.clone(),
            decree_date: row.decree_date,
            approved_amount: row.approved_amount,
            agreement_number: row.agreement_number.clone(),
            agreement_date: row.agreement_date,
            disbursed_on: row.disbursed_on,
            disbursed_amount: row.disbursed_amount,
            lpj_spent_amount: row.lpj_spent_amount,
            lpj_returned_amount: row.lpj_returned_amount,
            lpj: row
                .lpj
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok()),
            lpj_submitted_on: row.lpj_submitted_on,
            lpj_accepted_on: row.lpj_accepted_on,
            allowed_transitions: allowed_grant_steps(recorded).to_vec(),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

impl Resource for GrantProposal {
    fn location(&self) -> String {
        format!("/v1/grant-proposals/{}", self.id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.version)
    }
}

/// A page of grant proposals.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantProposalPage {
    pub items: Vec<GrantProposal>,
    /// Pass as `page_token` for the next page; `null` on the last.
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

/// One entry of a proposal's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantEvent {
    pub occurred_at: DateTime<Utc>,
    #[schema(required = true)]
    pub actor_id: Option<String>,
    /// `create`, `update`, or a step.
    pub action: String,
    #[schema(required = true)]
    pub from_state: Option<String>,
    #[schema(required = true)]
    pub to_state: Option<String>,
    /// What the step recorded.
    #[schema(required = true, value_type = Option<Object>)]
    pub notes: Option<serde_json::Value>,
}

impl From<GrantEventRow> for GrantEvent {
    fn from(row: GrantEventRow) -> Self {
        GrantEvent {
            occurred_at: utc(row.occurred_at),
            actor_id: row.actor_id,
            action: row.action,
            from_state: row.from_state,
            to_state: row.to_state,
            notes: row.notes.and_then(|n| serde_json::from_str(&n).ok()),
        }
    }
}

/// A proposal's history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantHistory {
    pub items: Vec<GrantEvent>,
}

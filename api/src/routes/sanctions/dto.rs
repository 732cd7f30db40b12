//! Contract types of sanctions.

use chrono::{DateTime, NaiveDate, Utc};
use ormas_domain::sanctions::{
    Authority, Compliance, RevocationOf, SanctionKind, SanctionState, effective_sanction_state,
};
use ormas_persistence::register::OrganisationRow;
use ormas_persistence::sanctions::{SanctionAnswerRow, SanctionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::error::ApiError;
use crate::routes::Resource;
use crate::routes::dto::{utc, validate_not_blank};

/// A sanction to record. Which fields are required depends on `kind`: a `written_warning` needs
/// the violation, the demanded remedy and the letter's number and date; an `activity_suspension`
/// the decree's number, date and issuing authority and the period's start; a `revocation` the
/// decree's number and date and what it revokes.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "written_warning", "case_id": "case-2026-0007",
    "violation": "Atribut menyerupai lambang Polri dipakai dalam pawai 2 Maret 2026.",
    "demanded_remedy": "Hentikan penggunaan atribut dan serahkan atribut ke Kesbangpol.",
    "letter_number": "300/112/KESBANG/III/2026", "letter_date": "2026-03-13"
}))]
pub struct CreateSanction {
    pub kind: SanctionKind,
    /// The oversight case it follows from. One written warning per case.
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub case_id: Option<String>,
    /// The violation (UU 16/2017 Ps 59) as established.
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub violation: String,
    /// What the ormas must do (warnings).
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub demanded_remedy: Option<String>,
    /// The office's letter (warnings).
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub letter_number: Option<String>,
    #[schema(pattern = r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    #[validate(custom(function = "crate::routes::dto::validate_as_of"))]
    pub letter_date: Option<NaiveDate>,
    /// The ministry's decree (suspensions, revocations).
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub decree_number: Option<String>,
    #[schema(pattern = r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    #[validate(custom(function = "crate::routes::dto::validate_as_of"))]
    pub decree_date: Option<NaiveDate>,
    /// The ministry that decided a suspension (a revocation's follows from `revocation_of`).
    pub issuing_authority: Option<Authority>,
    /// A suspension's first and last day; no last day: until lifted.
    #[schema(pattern = r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    #[validate(custom(function = "crate::routes::dto::validate_as_of"))]
    pub period_start: Option<NaiveDate>,
    #[schema(pattern = r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    #[validate(custom(function = "crate::routes::dto::validate_as_of"))]
    pub period_end: Option<NaiveDate>,
    /// Skips the ladder for a serious breach; needs `justification`.
    #[serde(default)]
    pub serious: bool,
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub justification: Option<String>,
    /// What a revocation revokes: `skt` (without legal personality) or `badan_hukum`.
    pub revocation_of: Option<RevocationOf>,
}

/// A compliance record.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"compliance": "not_complied", "note": "Atribut masih dipakai pada 2 April 2026."}))]
pub struct RecordCompliance {
    pub compliance: Compliance,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: Option<String>,
}

/// The decree that lifts a suspension.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decree_number": "220-1234 Tahun 2026", "decree_date": "2026-05-04"}))]
pub struct LiftSanction {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub decree_number: String,
    #[schema(pattern = r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$")]
    #[validate(custom(function = "crate::routes::dto::validate_as_of"))]
    pub decree_date: NaiveDate,
}

/// A representative's answer to a warning.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"statement": "Atribut telah ditarik; foto terlampir.", "document_ids": []}))]
pub struct AnswerWarning {
    #[validate(length(min = 1, max = 5000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub statement: String,
    /// Ids of documents uploaded to the ormas (`POST /v1/ormas/{id}/documents`).
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub document_ids: Vec<String>,
}

/// An answer to a warning.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SanctionAnswer {
    pub id: String,
    pub statement: String,
    pub document_ids: Vec<String>,
    pub answered_at: DateTime<Utc>,
}

/// A sanction of the ladder.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b", "registration_id": "0193b3c4-0000-7f80-9a1b-2c3d4e5f6a7b",
    "ormas_name": "Laskar Contoh", "region_code": "64.71", "case_id": "case-2026-0007",
    "kind": "written_warning", "state": "in_force",
    "violation": "Atribut menyerupai lambang Polri.", "demanded_remedy": "Hentikan penggunaan atribut.",
    "letter_number": "300/112/KESBANG/III/2026", "letter_date": "2026-03-13", "deadline": "2026-03-31",
    "compliance": null, "compliance_on": null, "compliance_note": null,
    "decree_number": null, "decree_date": null, "issuing_authority": null,
    "period_start": null, "period_end": null, "serious": false, "justification": null,
    "lifted_decree_number": null, "lifted_on": null, "revocation_of": null, "dissolved_by": null,
    "answers": [], "version": 1,
    "created_at": "2026-03-13T02:00:00Z", "updated_at": "2026-03-13T02:00:00Z"
}))]
pub struct Sanction {
    pub id: String,
    pub registration_id: String,
    pub ormas_name: String,
    pub region_code: String,
    #[schema(required = true)]
    pub case_id: Option<String>,
    pub kind: SanctionKind,
    /// As of today: a suspension past its last day reads `ended`.
    pub state: SanctionState,
    pub violation: String,
    #[schema(required = true)]
    pub demanded_remedy: Option<String>,
    #[schema(required = true)]
    pub letter_number: Option<String>,
    #[schema(required = true)]
    pub letter_date: Option<NaiveDate>,
    /// A warning's last day to comply: 7 working days from its letter's date.
    #[schema(required = true)]
    pub deadline: Option<NaiveDate>,
    #[schema(required = true)]
    pub compliance: Option<Compliance>,
    #[schema(required = true)]
    pub compliance_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub compliance_note: Option<String>,
    #[schema(required = true)]
    pub decree_number: Option<String>,
    #[schema(required = true)]
    pub decree_date: Option<NaiveDate>,
    #[schema(required = true)]
    pub issuing_authority: Option<Authority>,
    #[schema(required = true)]
    pub period_start: Option<NaiveDate>,
    #[schema(required = true)]
    pub period_end: Option<NaiveDate>,
    pub serious: bool,
    #[schema(required = true)]
    pub justification: Option<String>,
    #[schema(required = true)]
    pub lifted_decree_number: Option<String>,
    #[schema(required = true)]
    pub lifted_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub revocation_of: Option<RevocationOf>,
    /// For a revocation recorded here because the organisation's badan hukum was revoked in
    /// another region (Ps 80A): that revocation's id.
    #[schema(required = true)]
    pub dissolved_by: Option<String>,
    pub answers: Vec<SanctionAnswer>,
    /// Send it back in `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn parse<T: std::str::FromStr>(text: &Option<String>) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    text.as_deref()
        .map(str::parse)
        .transpose()
        .map_err(ApiError::internal)
}

impl Sanction {
    pub fn build(
        row: &SanctionRow,
        org: &OrganisationRow,
        answers: &[SanctionAnswerRow],
        today: NaiveDate,
    ) -> Result<Sanction, ApiError> {
        let kind = row.kind()?;
        Ok(Sanction {
            id: row.id.clone(),
            registration_id: row.registration_id.clone(),
            ormas_name: org.name.clone(),
            region_code: row.region_code.clone(),
            case_id: row.case_id.clone(),
            kind,
            state: effective_sanction_state(kind, row.state()?, row.period_end, today),
            violation: row.violation.clone(),
            demanded_remedy: row.demanded_remedy.clone(),
            letter_number: row.letter_number.clone(),
            letter_date: row.letter_date,
            deadline: row.deadline,
            compliance: parse(&row.compliance)?,
            compliance_on: row.compliance_on,
            compliance_note: row.compliance_note.clone(),
            decree_number: row.decree_number.clone(),
            decree_date: row.decree_date,
            issuing_authority: parse(&row.issuing_authority)?,
            period_start: row.period_start,
            period_end: row.period_end,
            serious: row.serious,
            justification: row.justification.clone(),
            lifted_decree_number: row.lifted_decree_number.clone(),
            lifted_on: row.lifted_on,
            revocation_of: parse(&row.revocation_of)?,
            dissolved_by: row.dissolved_by.clone(),
            answers: answers
                .iter()
                .filter(|a| a.sanction_id == row.id)
                .map(|a| SanctionAnswer {
                    id: a.id.clone(),
                    statement: a.statement.clone(),
                    document_ids: serde_json::from_str(&a.document_ids).unwrap_or_default(),
                    answered_at: utc(a.answered_at),
                })
                .collect(),
            version: row.version,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        })
    }
}

impl Resource for Sanction {
    fn location(&self) -> String {
        format!("/v1/sanctions/{}", self.id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.version)
    }
}

/// A page of sanctions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SanctionPage {
    pub items: Vec<Sanction>,
    /// Pass as `page_token` for the next page; `null` on the last (the sanctions of one ormas are
    /// one page).
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

/// Filters of the sanctions list.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SanctionQuery {
    /// Only sanctions in this region's subtree (within the caller's scope).
    #[validate(custom(function = "crate::routes::dto::validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    pub kind: Option<SanctionKind>,
    /// As of today: `in_force` excludes suspensions past their last day, `ended` lists only those.
    pub state: Option<SanctionState>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    #[param(pattern = "^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$")]
    pub page_token: Option<String>,
}
